"""A funder's grants over its grantees' reports: targets by stage, payments, the framework's targets
where a grant sets none, reports of another framework version kept apart, INDIGO fields."""

from __future__ import annotations

import doctest
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from impactkit.reports import (
    GrantTerms,
    PortfolioEntry,
    ReportContent,
    ValidationStamp,
    build_portfolio,
    content_hash,
    grant_lines,
    indigo_projects,
    load_content,
    write_portfolio_workbook,
)
from impactkit.reports import grants as grants_module
from impactkit.reports import indigo as indigo_module
from impactkit.reports import portfolio as portfolio_module
from tests.unit.reports.helpers import report_data

GRANT: dict[str, Any] = {
    "id": 7,
    "title": "Lavoro e autonomia",
    "currency": "EUR",
    "ends_on": "2026-12-31",
    "targets": [
        # final: 12 placed against 10, every unit paid at 1,500, capped at 15,000
        {"indicator_id": "people_employed", "target": 10, "price_per_unit": 1500, "cap": 15000,
         "validation_method": "payroll records checked by the evaluator"},
        # interim: only the units beyond 8 are paid
        {"indicator_id": "people_employed", "target": 8, "price_per_unit": 500,
         "basis": "units_beyond_target", "stage": "interim"},
    ],
}  # fmt: skip


def entry(name: str, employed: float | None, *, end: str = "2026-12-31", version: str = "1.0") -> PortfolioEntry:
    data = report_data(framework={"id": "simplified-kpis", "version": version})
    data["organisation"]["name"] = name
    data["period"] = {"start": "2026-01-01", "end": end}
    data["kpis"][0].update(value=employed, target_met=employed is not None and employed >= 10)
    content = load_content(data)
    stamp = ValidationStamp(
        evaluator="E",
        accreditation_number="1",
        accreditation_body="B",
        validated_at="2027-02-01T00:00:00Z",
        content_hash=content_hash(content),
    )
    return PortfolioEntry(content=content, stamp=stamp, grants=[GrantTerms.model_validate(GRANT)])


def test_the_grant_sets_the_target_the_stage_picks_which_and_the_framework_fills_the_rest() -> None:
    final = entry("Il Sole", 12)
    lines = grant_lines(final.content, final.grants[0])
    placed, wellbeing = lines
    assert (placed.source, placed.stage, placed.target, placed.met) == ("grant", "final", 10, True)
    assert (placed.amount_before_cap, placed.amount_payable, placed.amount_capped) == (18000, 15000, 3000)
    assert placed.validation_method == "payroll records checked by the evaluator"
    # the grant says nothing about wellbeing: the framework's target (0.5) applies, paying nothing
    assert (wellbeing.source, wellbeing.indicator_id, wellbeing.target, wellbeing.met) == (
        "framework",
        "wellbeing_improved",
        0.5,
        True,
    )
    assert wellbeing.amount_payable == 0
    # a report whose period ends before the grant does is interim: its own target and basis
    interim = entry("Il Sole", 11, end="2026-06-30")
    (placed_interim, _) = grant_lines(interim.content, interim.grants[0])
    assert (placed_interim.stage, placed_interim.units_paid, placed_interim.amount_payable) == ("interim", 3, 1500)


def test_the_portfolio_compares_one_framework_version_and_keeps_the_others_apart() -> None:
    built = build_portfolio(
        [entry("Il Sole", 12), entry("Monti", 8), entry("Valle", 9, version="0.9"), entry("Piana", None)],
        funder="Fondazione",
    )
    assert [e.content.organisation.name for e in built.compared] == ["Il Sole", "Monti", "Piana"]
    assert [(a.entry.content.organisation.name, a.reason) for a in built.apart] == [
        ("Valle", "framework simplified-kpis 0.9: comparisons need the same version (1.0)")
    ]
    by_name = {g.organisation: g for g in built.grantees}
    assert [g.number for g in built.grantees] == [1, 2, 3, 4] and built.grantees[-1].organisation == "Valle"
    assert (by_name["Il Sole"].targets, by_name["Il Sole"].targets_met) == (2, 2)
    assert (by_name["Monti"].amount_payable, by_name["Piana"].amount_payable) == (0, 0)
    assert (built.targets, built.targets_met, built.amount_payable, built.amount_capped) == (8, 5, 15000, 3000)
    asked = build_portfolio([entry("Il Sole", 12), entry("Valle", 9, version="0.9")], framework_version="0.9")
    assert [e.content.organisation.name for e in asked.compared] == ["Valle"]


def test_indigo_projects_carry_metrics_pricings_results_and_payments() -> None:
    built = build_portfolio([entry("Il Sole", 12), entry("Monti", 11, end="2026-06-30")])
    (project,) = indigo_projects(built.grantees)
    assert project["id"] == "impactkit-grant-7" and project["name"] == {"value": "Lavoro e autonomia"}
    metrics = {m["id"]: m for m in project["outcome_metrics"]}
    assert set(metrics) == {"people_employed", "people_employed-interim"}
    assert metrics["people_employed"]["outcome_validation_method"] == {
        "value": "payroll records checked by the evaluator"
    }
    pricing = next(p for p in project["outcome_pricings"] if p["outcome_metric_id"]["value"] == "people_employed")
    assert pricing["price_per_unit"] == {"amount": {"value": 1500}}
    assert pricing["maximum_price_if_all_targets_achieved"] == {"amount": {"value": "15000"}}
    payments = {(p["outcome_metric_id"]["value"], p["type"]["value"]): p["money"]["amount"]["value"]
                for p in project["outcome_payments"]}  # fmt: skip
    assert payments == {
        ("people_employed", "Planned"): 15000.0,  # 10 × 1,500
        ("people_employed", "Actual"): 15000.0,  # 12 × 1,500 = 18,000, capped
        ("people_employed-interim", "Planned"): 0.0,  # beyond-target: nothing at the target itself
        ("people_employed-interim", "Actual"): 1500.0,  # 3 units beyond 8
    }
    assert {r["result_type"]["value"] for r in project["results"]} == {"Interim", "Final"}


def test_the_workbook_adds_payments_per_target_and_grantee_the_reports_apart_and_indigo(tmp_path: Path) -> None:
    built = build_portfolio([entry("Il Sole", 12), entry("=Monti", 8), entry("Valle", 9, version="0.9")])
    path = tmp_path / "portfolio.xlsx"
    write_portfolio_workbook(built, path, language="it")
    book = openpyxl.load_workbook(path, data_only=True)
    assert book.sheetnames[-4:] == ["Pagamenti per risultato", "Pagamenti per ente", "Non confrontati", "INDIGO"]
    payments = list(book["Pagamenti per risultato"].iter_rows(values_only=True))
    header = payments[0]
    rows = [dict(zip(header, r, strict=True)) for r in payments[1:] if isinstance(r[0], int)]
    sole = next(r for r in rows if r["Ente"] == "Il Sole" and r["Obiettivo di"] == "sovvenzione")
    assert (sole["Raggiunto (1/0)"], sole["Importo pagabile"], sole["Trattenuto dal tetto"]) == (1, 15000, 3000)
    assert any(r["Ente"] == "'=Monti" for r in rows), "user text stays text"
    per = list(book["Pagamenti per ente"].iter_rows(values_only=True))
    total = next(r for r in per if r[1] == "Totale del portafoglio")
    assert total[5:9] == (6, 4, 15000, 3000)  # wellbeing (framework target) met by all three
    valle = next(r for r in per if r[1] == "Valle")
    assert "comparisons need the same version" in valle[10]
    apart = list(book["Non confrontati"].iter_rows(values_only=True))
    assert apart[1][0] == "Valle"
    indigo = list(book["INDIGO"].iter_rows(values_only=True))
    assert indigo[0][2] == "outcome_metrics/id" and indigo[1][15] == 15000
    # the comparison sheets hold only the reports of one version
    overview = [r[0] for r in book["Portafoglio"].iter_rows(min_row=2, max_row=3, values_only=True)]
    assert overview == ["Il Sole", "'=Monti"]


def test_the_docstring_examples_run() -> None:
    for module in (grants_module, indigo_module, portfolio_module):
        failures, _ = doctest.testmod(module)
        assert failures == 0, module.__name__


def test_a_period_end_on_the_grant_end_is_final() -> None:
    assert grants_module.stage_of(date(2026, 12, 31), GrantTerms.model_validate(GRANT)) == "final"
    assert isinstance(entry("x", 1).content, ReportContent)


@pytest.mark.parametrize("employed", [None, 0])
def test_a_missing_or_zero_value_meets_nothing_and_pays_nothing(employed: float | None) -> None:
    placed = grant_lines(entry("x", employed).content, GrantTerms.model_validate(GRANT))[0]
    assert (placed.met, placed.amount_payable) == (False, 0)
