"""Report content and payment by results."""

from __future__ import annotations

import pytest

from impactkit.errors import ImpactkitError
from impactkit.reports import (
    KpiResult,
    OutcomeTarget,
    load_content,
    payment_by_results,
    report_sections,
)
from tests.unit.reports.helpers import report_data


def test_the_eight_sections_of_the_decree_have_italian_and_english_titles() -> None:
    sections = report_sections()
    assert [s.key for s in sections] == [
        "methodology",
        "general_information",
        "structure_governance_administration",
        "people",
        "objectives_and_activities",
        "economic_financial_situation",
        "other_information",
        "control_body_monitoring",
    ]
    assert [s.number for s in sections] == list(range(1, 9))
    assert all(s.title["it"] and s.title["en"] for s in sections)


def test_kpi_results_from_the_frameworks_part_keep_unknown_keys_and_default_missing_ones() -> None:
    kpi = KpiResult.model_validate({"indicator_id": "x", "value": 3, "computed_by": "v2"})
    assert kpi.model_dump()["computed_by"] == "v2"
    assert kpi.ci_low is None and kpi.disaggregations == [] and kpi.tags.sdg_targets == []
    assert kpi.label("it") == "x"


def test_every_problem_in_the_content_is_reported_at_once_with_its_location() -> None:
    data = report_data(sections={"methodology": "ok", "poetry": "no"})
    data["period"] = {"start": "not a date", "end": "2025-12-31"}
    del data["organisation"]["name"]
    with pytest.raises(ImpactkitError) as caught:
        load_content(data)
    locations = {p.location for p in caught.value.problems}
    assert {"period.start", "organisation.name", "sections"} <= locations
    assert any("poetry" in p.message for p in caught.value.problems)


def line_for(value: float | None, **target: object) -> object:
    kpis = [{"indicator_id": "jobs", "value": value}]
    return payment_by_results(kpis, [{"indicator_id": "jobs", **target}])[0]


def test_all_units_are_paid_when_the_target_is_met_and_the_cap_limits_the_amount() -> None:
    line = line_for(12, target=10, price_per_unit=1500, cap=15000)
    assert line.met and line.units_paid == 12
    assert line.amount_before_cap == 18000.0  # 12 × 1,500
    assert line.amount_payable == 15000.0  # capped
    assert line.note == "capped"


def test_nothing_is_paid_when_the_target_is_missed() -> None:
    line = line_for(9, target=10, price_per_unit=1500)
    assert not line.met and line.units_paid == 0 and line.amount_payable == 0.0


def test_only_units_beyond_the_target_are_paid_when_the_contract_says_so() -> None:
    line = line_for(13, target=10, price_per_unit=1000, basis="units_beyond_target")
    assert line.units_paid == 3 and line.amount_payable == 3000.0


def test_a_lower_is_better_indicator_pays_for_each_unit_below_the_target() -> None:
    # Reoffending at most 20 %: 14 % achieved is 6 points better, 250 per point.
    line = line_for(14, target=20, direction="at_most", price_per_unit=250, basis="units_beyond_target")
    assert line.met and line.units_paid == 6 and line.amount_payable == 1500.0
    missed = line_for(25, target=20, direction="at_most", price_per_unit=250)
    assert not missed.met and missed.amount_payable == 0.0


def test_amounts_are_rounded_to_the_cent_half_up() -> None:
    # 0.1 × 0.125 = 0.0125 → 0.01; 3 × 0.335 = 1.005 → 1.01 (not 1.00 as binary floats give).
    assert line_for(3, target=1, price_per_unit=0.335).amount_payable == 1.01


def test_a_target_without_a_kpi_or_without_a_price_pays_nothing_and_says_why() -> None:
    lines = payment_by_results(
        [{"indicator_id": "a", "value": 5}],
        [
            OutcomeTarget(indicator_id="missing", target=1, price_per_unit=10),
            OutcomeTarget(indicator_id="a", target=1),
        ],
    )
    assert lines[0].note == "no KPI result for this indicator" and lines[0].amount_payable == 0
    assert lines[1].met and lines[1].amount_payable == 0
    assert "no price" in lines[1].note
