"""Report content shown outside the organisation: legacy content gets disclosure control too."""

from __future__ import annotations

from impactkit.reports import load_content
from impactkit.reports.hashing import content_hash
from impactkit.reports.protected import disclosure_note, is_protected, protect_content
from tests.unit.reports.helpers import report_data


def test_content_frozen_before_disclosure_control_has_its_breakdown_hidden_where_a_cell_was() -> None:
    data = report_data()
    content = load_content(data)
    assert not is_protected(content)
    frozen_hash = content_hash(content)
    shown = protect_content(content, threshold=5)
    assert content_hash(content) == frozen_hash  # the frozen content itself is untouched
    for before, after in zip(content.kpis, shown.kpis, strict=True):
        if any(cell.suppressed for cell in before.disaggregations):
            # One hidden cell beside shown ones gives itself away by subtraction: all are hidden.
            assert all(cell.suppressed and cell.n is None for cell in after.disaggregations)
            reasons = {getattr(c, "suppression", None) for c in after.disaggregations}
            assert reasons == {"primary", "secondary"}
        assert after.model_dump()["disclosure"]["en"].startswith("Privacy: cells with fewer than 5 people")
    assert is_protected(shown) and protect_content(shown) is shown
    assert "hidden to protect them" in disclosure_note(shown, "en")


def test_a_small_headline_of_legacy_content_is_hidden_but_a_reported_figure_is_not() -> None:
    data = report_data()
    data["kpis"][1]["n"] = 3
    data["kpis"].append(
        {"indicator_id": "board", "kind": "count", "value": 3, "n": 1, "method": "reported figure (latest self-report)"}
    )
    shown = protect_content(load_content(data), threshold=5)
    assert shown.kpis[1].value is None and shown.kpis[1].n is None
    assert "suppressed: fewer than 5 people" in shown.kpis[1].flags
    assert shown.kpis[-1].value == 3
