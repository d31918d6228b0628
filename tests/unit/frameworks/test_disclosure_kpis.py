"""KPI results under attack: no hidden headline or breakdown cell can be worked out."""

from __future__ import annotations

from collections.abc import Hashable

import pytest

from impactkit.frameworks import compute_kpis, get_framework
from impactkit.frameworks.synthetic import synthetic_responses
from tests.disclosure_attack import Sight, attack, read_kpis


@pytest.fixture(scope="module")
def small_organisations() -> dict[str, object]:
    """Twenty-five small organisations: many cells of 1 to 4 people (mountain villages …)."""
    responses = synthetic_responses(700, 25, seed=16)
    framework = get_framework("simplified-kpis")
    raw = compute_kpis(framework, responses, group_by="_organisation_id", suppress_below=1)
    protected = compute_kpis(framework, responses, group_by="_organisation_id", suppress_below=5)
    return {"framework": framework, "raw": raw, "protected": protected}


def test_many_cells_are_small_and_every_one_of_them_is_hidden(small_organisations: dict[str, object]) -> None:
    raw, protected = small_organisations["raw"], small_organisations["protected"]
    small = 0
    for before, after in zip(raw.results, protected.results, strict=True):  # type: ignore[attr-defined]
        if before.kind not in {"mean", "proportion", "median", "change"}:
            continue  # reported figures: their breakdown counts organisations, not people
        for cell_before, cell_after in zip(before.disaggregations, after.disaggregations, strict=True):
            if cell_before.n is not None and 1 <= cell_before.n < 5:
                small += 1
                assert cell_after.suppressed and cell_after.n is None and cell_after.value is None
                assert cell_after.suppression == "primary"
            if not cell_after.suppressed:
                assert (cell_after.n, cell_after.value) == (cell_before.n, cell_before.value)
    assert small > 200
    summary = protected.disclosure  # type: ignore[attr-defined]
    assert summary.threshold == 5 and summary.hidden_primary > 0 and summary.hidden_secondary > 0


def test_no_hidden_cell_can_be_recovered_from_everything_published(
    small_organisations: dict[str, object],
) -> None:
    sight, truth = Sight(), dict[Hashable, int]()
    read_kpis(
        sight,
        truth,
        small_organisations["framework"],
        small_organisations["protected"],
        view="2026",
        raw=small_organisations["raw"],
    )
    hidden = [key for key in sight.floors if 1 <= truth.get(key, 0) < 5]
    assert len(hidden) > 200
    findings = attack(sight, truth, threshold=5)
    assert findings == [], [str(f) for f in findings[:10]]
