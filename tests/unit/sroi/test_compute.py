"""The published calculation: reference cases A, B, C and small hand-computed maps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from impactkit.sroi import ValueMap, compute, load_value_map

from .conftest import REPO, case_a_data

# Case A as printed in tests/data/sroi/README.md (money to 0.01, ratios to 1e-4).
CASE_A_YEARLY = [30_000.00, 27_000.00, 24_300.00]
CASE_A_DISCOUNTED = [28_985.51, 25_204.79, 21_917.21]


def with_changes(data: dict[str, Any], **outcome_changes: Any) -> ValueMap:
    data = json.loads(json.dumps(data))
    data["outcomes"][0].update(outcome_changes)
    return ValueMap.model_validate(data)


def test_case_a_reproduces_every_printed_figure(case_a: ValueMap) -> None:
    result = compute(case_a)
    outcome = result.outcomes[0]
    assert outcome.impact == pytest.approx(30_000.00, abs=0.005)
    assert outcome.values == pytest.approx(CASE_A_YEARLY, abs=0.005)
    assert outcome.discounted == pytest.approx(CASE_A_DISCOUNTED, abs=0.005)
    assert result.total_present_value == pytest.approx(76_107.50, abs=0.01)
    assert result.net_present_value == pytest.approx(56_107.50, abs=0.01)
    assert result.sroi_ratio == pytest.approx(3.8054, abs=1e-4)
    assert result.net_sroi_ratio == pytest.approx(2.8054, abs=1e-4)
    assert result.payback_months == pytest.approx(8.0, abs=0.05)


@pytest.mark.parametrize(("rate", "expected_ratio"), [(0.0, 4.0650), (0.10, 3.3922)])
def test_case_a_ratio_at_other_discount_rates(rate: float, expected_ratio: float) -> None:
    data = case_a_data()
    data["discount_rate"] = rate
    assert compute(ValueMap.model_validate(data)).sroi_ratio == pytest.approx(expected_ratio, abs=1e-4)


def test_every_result_prints_the_conventions_it_used(case_a: ValueMap) -> None:
    result = compute(case_a)
    dumped = result.model_dump(mode="json")
    assert dumped["conventions"] == {
        "discounting": True,
        "discount_first_year": True,
        "drop_off_from": "second_year",
        "inputs_discounted": False,
    }
    assert "drop-off from the second year" in result.table()
    assert json.loads(json.dumps(dumped))["sroi_ratio"] == pytest.approx(3.8054, abs=1e-4)


def test_year_one_undiscounted_convention_discounts_one_period_less() -> None:
    data = case_a_data()
    data["conventions"] = {"discount_first_year": False}
    result = compute(ValueMap.model_validate(data))
    expected = 30_000 + 27_000 / 1.035 + 24_300 / 1.035**2
    assert result.total_present_value == pytest.approx(expected, rel=1e-12)


def test_drop_off_from_first_year_already_reduces_year_one() -> None:
    data = case_a_data()
    data["conventions"] = {"drop_off_from": "first_year"}
    result = compute(ValueMap.model_validate(data))
    assert result.outcomes[0].values == pytest.approx([27_000, 24_300, 21_870], rel=1e-12)


def test_without_discounting_present_value_is_the_plain_sum() -> None:
    data = case_a_data()
    data["conventions"] = {"discounting": False}
    result = compute(ValueMap.model_validate(data))
    assert result.total_present_value == pytest.approx(81_300, rel=1e-12)


def test_an_outcome_starting_in_year_two_has_no_value_in_year_one() -> None:
    data = case_a_data()
    data["outcomes"][0]["start_year"] = 2
    result = compute(ValueMap.model_validate(data))
    assert result.horizon_years == 4
    assert result.values_by_year == pytest.approx([0, 30_000, 27_000, 24_300])
    expected_pv = 30_000 / 1.035**2 + 27_000 / 1.035**3 + 24_300 / 1.035**4
    assert result.total_present_value == pytest.approx(expected_pv, rel=1e-12)


def test_a_negative_outcome_reduces_present_value() -> None:
    data = case_a_data()
    data["outcomes"].append(
        {
            "name": "Lost benefits",
            "stakeholder": "Young people",
            "quantity": 10,
            "proxy": {"value": 500, "source": "benefit rates"},
            "negative": True,
        }
    )
    result = compute(ValueMap.model_validate(data))
    assert result.outcomes[1].values == [-5_000.0, 0.0, 0.0]
    assert result.total_present_value == pytest.approx(76_107.50 - 5_000 / 1.035, abs=0.01)


def test_an_explicit_horizon_cuts_values_after_it() -> None:
    data = case_a_data()
    data["horizon_years"] = 2
    result = compute(ValueMap.model_validate(data))
    assert result.values_by_year == pytest.approx([30_000, 27_000])


def test_in_kind_volunteer_hours_count_as_hours_times_rate() -> None:
    data = case_a_data()
    data["inputs"].append({"description": "Volunteers", "hours": 1_000, "rate": 15, "source": "shadow wage"})
    result = compute(ValueMap.model_validate(data))
    assert result.inputs_total == 35_000
    assert result.sroi_ratio == pytest.approx(76_107.50 / 35_000, abs=1e-6)


def test_multi_year_inputs_are_discounted_when_the_convention_says_so() -> None:
    data = case_a_data()
    data["inputs"] = [
        {"description": "Grant year 1", "amount": 10_000, "year": 1},
        {"description": "Grant year 2", "amount": 10_000, "year": 2},
    ]
    data["conventions"] = {"inputs_discounted": True}
    result = compute(ValueMap.model_validate(data))
    assert result.inputs_total == pytest.approx(10_000 / 1.035 + 10_000 / 1.035**2, rel=1e-12)


def test_payback_is_not_reached_when_first_year_impact_is_not_positive() -> None:
    data = case_a_data()
    data["outcomes"][0]["negative"] = True
    result = compute(ValueMap.model_validate(data))
    assert result.payback_months is None
    assert "not paid back" in result.payback_note


def test_stakeholder_subtotals_share_the_total() -> None:
    data = case_a_data()
    data["stakeholders"].append({"name": "Families"})
    data["outcomes"].append({"name": "Less stress", "stakeholder": "Families", "quantity": 1, "proxy": 1035})
    result = compute(ValueMap.model_validate(data))
    families = next(s for s in result.stakeholders if s.stakeholder == "Families")
    assert families.present_value == pytest.approx(1_000, rel=1e-12)
    assert sum(s.share or 0 for s in result.stakeholders) == pytest.approx(1.0)


# --- Cases B and C: published reports, reconciled in the undiscounted setting ---------------


def undiscounted_map(components: dict[str, dict[str, float]], inputs: float, years: int) -> ValueMap:
    """One outcome per printed component, its total spread evenly over the years, no discounting."""
    stakeholders = [{"name": name} for name in components]
    outcomes = [
        {
            "name": label,
            "stakeholder": stakeholder,
            "quantity": 1,
            "proxy": {"value": total / years, "source": "published report"},
            "duration": years,
        }
        for stakeholder, parts in components.items()
        for label, total in parts.items()
    ]
    return ValueMap.model_validate(
        {
            "currency": "AUD",
            "stakeholders": stakeholders,
            "inputs": [{"description": "Total investment", "amount": inputs}],
            "outcomes": outcomes,
            "conventions": {"discounting": False},
        }
    )


def test_case_b_youth_prevention_and_diversion_reconciles() -> None:
    young = {"a": 665_000, "b": 613_000, "c": 309_000, "d": 520_000}
    families = {"e": 107_000, "f": 44_000}
    other = 4_760_250 - sum(young.values()) - sum(families.values())
    value_map = undiscounted_map(
        {"Young people": young, "Families": families, "Others": {"rest": other}},
        inputs=847_166,
        years=5,
    )
    result = compute(value_map)
    assert result.total_present_value == pytest.approx(4_760_250, abs=0.01)
    assert result.sroi_ratio == pytest.approx(5.6190, abs=1e-4)
    assert round(result.sroi_ratio) == 6  # printed "6:1"
    assert result.net_present_value == pytest.approx(3_913_084, abs=0.01)
    subtotal = {s.stakeholder: s for s in result.stakeholders}
    assert round(subtotal["Young people"].present_value / 1000) == 2_107
    assert round(subtotal["Young people"].share or 0, 3) == 0.443
    assert abs(round(subtotal["Families"].present_value / 1000) - 150) <= 1
    assert round(result.values_by_year[0] / 1000) == 952  # "$952k per annum"


def test_case_c_helping_hand_and_linking_youth_reconciles() -> None:
    value_map = undiscounted_map({"Participants": {"all outcomes": 7_800_000}}, inputs=1_400_000, years=5)
    result = compute(value_map)
    assert round(result.sroi_ratio, 3) == 5.571
    assert round(result.sroi_ratio) == 6  # printed "6:1"


@pytest.mark.parametrize("path", sorted((REPO / "docs" / "examples").glob("value-map-*.yaml")))
def test_the_documented_example_maps_compute(path: Path) -> None:
    result = compute(load_value_map(path))
    assert result.sroi_ratio > 0
    assert result.warnings == []
