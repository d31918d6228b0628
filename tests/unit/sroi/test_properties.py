"""Properties of the calculation that hold for every value map."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impactkit.sroi import ValueMap, compute, simulate

fraction = st.floats(min_value=0.0, max_value=1.0)
outcome = st.fixed_dictionaries(
    {
        "quantity": st.floats(min_value=0.0, max_value=1e4),
        "proxy": st.floats(min_value=0.0, max_value=1e5),
        "deadweight": fraction,
        "displacement": fraction,
        "attribution": fraction,
        "drop_off": fraction,
        "duration": st.integers(min_value=1, max_value=8),
        "start_year": st.integers(min_value=1, max_value=3),
        "negative": st.booleans(),
    }
)
maps = st.fixed_dictionaries(
    {
        "outcomes": st.lists(outcome, min_size=1, max_size=5),
        "discount_rate": st.floats(min_value=0.0, max_value=0.2),
        "inputs": st.floats(min_value=1.0, max_value=1e6),
        "discount_first_year": st.booleans(),
        "drop_off_from": st.sampled_from(["second_year", "first_year"]),
    }
)


def build(spec: dict[str, Any]) -> ValueMap:
    outcomes = [dict(o, name=f"outcome {i}", stakeholder="People") for i, o in enumerate(spec["outcomes"])]
    return ValueMap.model_validate(
        {
            "stakeholders": [{"name": "People"}],
            "inputs": [{"description": "Grant", "amount": spec["inputs"]}],
            "outcomes": outcomes,
            "discount_rate": spec["discount_rate"],
            "conventions": {
                "discount_first_year": spec["discount_first_year"],
                "drop_off_from": spec["drop_off_from"],
            },
        }
    )


def scale_proxies(value_map: ValueMap, factor: float) -> ValueMap:
    outcomes = [
        o.model_copy(update={"proxy": o.proxy.model_copy(update={"value": o.proxy.value * factor})})
        for o in value_map.outcomes
    ]
    return value_map.model_copy(update={"outcomes": outcomes})


@settings(deadline=None)
@given(maps, st.floats(min_value=0.01, max_value=100.0))
def test_the_ratio_scales_linearly_with_all_proxies(spec: dict[str, Any], factor: float) -> None:
    value_map = build(spec)
    ratio = compute(value_map).sroi_ratio
    assert compute(scale_proxies(value_map, factor)).sroi_ratio == pytest.approx(
        ratio * factor, rel=1e-9, abs=1e-9
    )


@settings(deadline=None)
@given(maps)
def test_without_adjustments_first_year_impact_is_quantity_times_proxy(
    spec: dict[str, Any],
) -> None:
    for o in spec["outcomes"]:
        o.update(deadweight=0.0, displacement=0.0, attribution=0.0, negative=False)
    result = compute(build(spec))
    for o, got in zip(spec["outcomes"], result.outcomes, strict=True):
        assert got.impact == pytest.approx(o["quantity"] * o["proxy"], rel=1e-12)


@settings(deadline=None)
@given(maps, fraction, fraction)
def test_more_drop_off_never_raises_the_ratio(spec: dict[str, Any], a: float, b: float) -> None:
    for o in spec["outcomes"]:
        o["negative"] = False
    low, high = sorted((a, b))
    spec["outcomes"][0]["drop_off"] = low
    with_less = compute(build(spec)).sroi_ratio
    spec["outcomes"][0]["drop_off"] = high
    assert compute(build(spec)).sroi_ratio <= with_less * (1 + 1e-12) + 1e-12


@settings(max_examples=25, deadline=None)
@given(maps, st.integers(min_value=0, max_value=2**32 - 1))
def test_a_seed_makes_the_monte_carlo_repeatable(spec: dict[str, Any], seed: int) -> None:
    spec["outcomes"][0]["proxy"] = 1000.0
    spec["outcomes"][0]["distributions"] = {
        "proxy": {"kind": "triangular", "low": 500, "mode": 1000, "high": 2000},
        "drop_off": {"kind": "normal", "mean": 0.3, "sd": 0.2},
    }
    value_map = build(spec)
    assert simulate(value_map, 500, seed=seed) == simulate(value_map, 500, seed=seed)
