"""Sensitivity: how far each estimate must move for the ratio to reach 1:1, and the tornado."""

from __future__ import annotations

import pytest

from impactkit.sroi import ValueMap, compute, sensitivity

from .conftest import case_a_data


def find(result, estimate):  # type: ignore[no-untyped-def]
    return next(e for e in result.estimates if e.estimate == estimate)


def test_case_a_break_even_values_match_the_reference(case_a: ValueMap) -> None:
    result = sensitivity(case_a)
    assert round(find(result, "proxy").break_even.value, 2) == 262.79
    assert round(find(result, "quantity").break_even.value, 3) == 13.139
    assert round(find(result, "deadweight").break_even.value * 100, 2) == 78.98
    assert round(find(result, "attribution").break_even.value * 100, 2) == 80.29


def test_case_a_drop_off_and_duration_cannot_reach_one_to_one(case_a: ValueMap) -> None:
    result = sensitivity(case_a)
    for estimate in ("drop_off", "duration"):
        break_even = find(result, estimate).break_even
        assert not break_even.reachable
        assert break_even.value is None
        assert "1.4493" in break_even.note


def test_the_break_even_value_really_gives_one_to_one() -> None:
    data = case_a_data()
    data["outcomes"][0]["drop_off"] = 0.5
    data["inputs"][0]["amount"] = 45_000
    result = sensitivity(ValueMap.model_validate(data))
    for estimate in ("quantity", "proxy", "deadweight", "attribution", "drop_off"):
        value = find(result, estimate).break_even.value
        assert value is not None, estimate
        changed = case_a_data()
        changed["inputs"][0]["amount"] = 45_000
        changed["outcomes"][0]["drop_off"] = 0.5
        if estimate == "proxy":
            changed["outcomes"][0]["proxy"]["value"] = value
        else:
            changed["outcomes"][0][estimate] = value
        assert compute(ValueMap.model_validate(changed)).sroi_ratio == pytest.approx(1.0, abs=1e-9)


def test_a_high_discount_rate_can_bring_a_long_outcome_to_one_to_one() -> None:
    data = case_a_data()
    data["outcomes"][0].update(duration=10, drop_off=0.0)
    data["inputs"][0]["amount"] = 150_000
    result = sensitivity(ValueMap.model_validate(data))
    rate = find(result, "discount_rate").break_even
    assert rate.reachable and rate.method == "brentq"
    data["discount_rate"] = rate.value
    assert compute(ValueMap.model_validate(data)).sroi_ratio == pytest.approx(1.0, abs=1e-9)


def test_steps_move_each_estimate_by_the_chosen_percentages(case_a: ValueMap) -> None:
    result = sensitivity(case_a, changes=[0.10, 0.25])
    proxy = find(result, "proxy")
    assert [s.change for s in proxy.steps] == [-0.25, -0.10, 0.10, 0.25]
    assert [s.value for s in proxy.steps] == pytest.approx([750, 900, 1100, 1250])
    assert proxy.steps[0].sroi_ratio == pytest.approx(0.75 * 3.80537, rel=1e-5)


def test_the_tornado_is_sorted_by_swing(case_a: ValueMap) -> None:
    result = sensitivity(case_a)
    swings = [e.swing for e in result.estimates]
    assert swings == sorted(swings, reverse=True)
    table = result.tornado()
    assert "262.79" in table and "not reachable" in table
    assert result.model_dump(mode="json")["base_ratio"] == pytest.approx(3.8054, abs=1e-4)
