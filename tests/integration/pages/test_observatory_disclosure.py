"""The disclosure attack against the observatory's public aggregate tables (page, CSV, JSON): with many
organisations in small cells, a reader of every table recovers no cell of fewer than k organisations.

The list of published reports and each report's page name the organisation (it chose to publish);
a report's KPIs were protected when they were computed (their hidden figures stay hidden, checked
here too). What the aggregates add is a distribution over organisations: that is what is attacked.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Hashable

from impactkit.disclosure import default_threshold
from impactkit.reports.opendata import PublishedValues, territory_aggregates
from impactkit.store import observatory
from impactkit.store.db import session_scope
from tests.conftest import LiveServer
from tests.disclosure_attack import Sight, attack


def reader_sight(rows: list[dict[str, str]]) -> Sight:
    """What a reader of the aggregate rows knows: shown counts, hidden rows (≥ 1), and that each
    KPI's total is the sum of its zones and the sum of its organisation types."""
    sight = Sight()
    parts: dict[tuple[str, ...], dict[str, list[Hashable]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        kpi = (row["framework_id"], row["framework_version"], row["indicator_id"])
        key = (*kpi, row["breakdown"], row["category"])
        if row["n"] not in ("", None):
            sight.show(key, float(row["n"]))
        else:
            sight.hide(key)
        if row["breakdown"] != "all":
            parts[kpi][row["breakdown"]].append(key)
    for kpi, breakdowns in parts.items():
        for keys in breakdowns.values():
            sight.sum((*kpi, "all", ""), keys)
    return sight


def truth_of(engine: object) -> dict[Hashable, int]:
    with session_scope(engine) as session:  # type: ignore[arg-type]
        rows = session.exec(observatory.public_query()).all()
        values = [
            PublishedValues(
                organisation=p.organisation_id,
                zone=p.zone,
                legal_form=p.legal_form,
                framework_id=p.framework_id,
                framework_version=p.framework_version,
                kpis=p.facts["kpis"],
            )
            for p in rows
        ]
    counts: dict[Hashable, int] = {}
    # The truth: the same aggregation with nothing hidden (threshold 1 hides no count ≥ 1).
    seen: dict[tuple[str, ...], dict[int, tuple[str, str]]] = defaultdict(dict)
    for item in values:
        for kpi in item.kpis:
            if kpi.get("value") is None:
                continue
            seen[(item.framework_id, item.framework_version, kpi["indicator_id"])][item.organisation] = (
                item.zone or "none",
                item.legal_form,
            )
    for kpi, organisations in seen.items():
        counts[(*kpi, "all", "")] = len(organisations)
        for zone, form in organisations.values():
            counts[(*kpi, "zone", zone)] = counts.get((*kpi, "zone", zone), 0) + 1
            counts[(*kpi, "legal_form", form)] = counts.get((*kpi, "legal_form", form), 0) + 1
    assert territory_aggregates(values, default_threshold()).rows, "the aggregates have rows"
    return counts


def test_the_aggregate_tables_give_away_no_small_cell(live_server: LiveServer) -> None:
    with session_scope(live_server.engine) as session:
        observatory.synthetic_publications(session, organisations=160, reports=160, seed=7)
    truth = truth_of(live_server.engine)
    small = [key for key, count in truth.items() if 1 <= count < default_threshold()]
    assert len(small) >= 20, "the world has many small cells to attack"

    visitor = live_server.client()
    from_csv = list(csv.DictReader(io.StringIO(visitor.get("/osservatorio/dati/aggregati.csv").text)))
    from_json = visitor.get("/osservatorio/dati/aggregati.json").json()["rows"]
    page = visitor.get("/osservatorio/aggregati").text
    assert len(from_csv) == len(from_json) > 0
    for row_csv, row_json in zip(from_csv, from_json, strict=True):
        assert (row_csv["n"] or None) == (None if row_json["n"] is None else str(row_json["n"]))
        assert bool(row_csv["hidden"]) == bool(row_json["hidden"])
    hidden_on_page = page.count("hidden-cell")
    assert hidden_on_page == sum(1 for row in from_json if row["hidden"]) > 0

    for name, rows in (
        ("CSV", from_csv),
        ("JSON", [{k: "" if v is None else v for k, v in r.items()} for r in from_json]),
    ):
        findings = attack(reader_sight(rows), truth, default_threshold())
        assert not findings, f"{name}: " + "; ".join(map(str, findings))
    for row in from_json:
        if row["hidden"]:
            assert row["median"] is None and row["q1"] is None and row["q3"] is None

    listing = visitor.get("/osservatorio")
    assert listing.text.count('class="card" id="pub-') == 40 and 'id="next-page"' in listing.text
    assert "160" in listing.text
    second = visitor.get("/osservatorio", params={"pagina": "4"})
    assert second.text.count('class="card" id="pub-') == 40 and 'id="next-page"' not in second.text

    # The protected statement is printed next to the tables
    assert re.search(r'id="disclosure-statement"', page)
    assert json.loads(json.dumps(from_json))  # plain data
