"""Monte Carlo: the ratio's distribution from distributions on the estimates."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impactkit.sroi import LogNormal, Normal, Pert, ValueMap, compute, simulate
from impactkit.sroi._montecarlo import draw

from .conftest import case_a_data


def case_a_with(**distributions: dict[str, object]) -> ValueMap:
    data = case_a_data()
    data["outcomes"][0]["distributions"] = distributions
    return ValueMap.model_validate(data)


def test_without_distributions_every_draw_is_the_deterministic_ratio(case_a: ValueMap) -> None:
    result = simulate(case_a, draws=100, seed=1)
    assert result.ratio.p5 == pytest.approx(compute(case_a).sroi_ratio, rel=1e-12)
    assert result.ratio.p95 == pytest.approx(compute(case_a).sroi_ratio, rel=1e-12)
    assert result.probability_ratio_below_one == 0.0


def test_a_uniform_proxy_gives_a_uniform_ratio() -> None:
    # The ratio is linear in the proxy: proxy ~ U(0, 2000) gives ratio ~ U(0, 2 × 3.8054),
    # so P(ratio < 1) = 1 / 7.6107 and the median is 3.8054.
    value_map = case_a_with(proxy={"kind": "uniform", "low": 0, "high": 2000})
    result = simulate(value_map, draws=200_000, seed=3)
    base = 76_107.50 / 20_000
    assert result.ratio.median == pytest.approx(base, rel=0.01)
    assert result.probability_ratio_below_one == pytest.approx(1 / (2 * base), abs=0.005)
    assert result.ratio.p5 == pytest.approx(0.05 * 2 * base, rel=0.03)


def test_the_same_seed_gives_the_same_result() -> None:
    value_map = case_a_with(
        proxy={"kind": "triangular", "low": 600, "mode": 1000, "high": 1300},
        deadweight={"kind": "pert", "low": "10%", "mode": "20%", "high": "50%"},
        duration={"kind": "normal", "mean": 3, "sd": 1},
    )
    assert simulate(value_map, 5_000, seed=42) == simulate(value_map, 5_000, seed=42)
    assert simulate(value_map, 5_000, seed=42) != simulate(value_map, 5_000, seed=43)


def test_a_normal_percentage_is_truncated_to_the_legal_range() -> None:
    values = draw(Normal(mean=0.95, sd=0.2), np.random.default_rng(0), 50_000, 0.0, 1.0)
    assert values.min() >= 0.0 and values.max() <= 1.0
    expected = stats.truncnorm((0 - 0.95) / 0.2, (1 - 0.95) / 0.2, loc=0.95, scale=0.2).mean()
    assert values.mean() == pytest.approx(expected, abs=0.003)


def test_pert_and_lognormal_have_their_textbook_means() -> None:
    rng = np.random.default_rng(5)
    pert = draw(Pert(low=0, mode=3, high=10), rng, 200_000)
    assert pert.mean() == pytest.approx((0 + 4 * 3 + 10) / 6, rel=0.01)
    lognormal = draw(LogNormal(mean=1000, sd=300), rng, 200_000, 0.0)
    assert lognormal.mean() == pytest.approx(1000, rel=0.01)
    assert lognormal.std() == pytest.approx(300, rel=0.03)


def test_an_uncertain_discount_rate_is_drawn_too() -> None:
    data = case_a_data()
    data["discount_rate_distribution"] = {"kind": "uniform", "low": 0.0, "high": 0.10}
    result = simulate(ValueMap.model_validate(data), draws=20_000, seed=9)
    assert result.uncertain == ["discount_rate"]
    assert 3.3922 < result.ratio.p5 < result.ratio.p95 < 4.0650


def test_longer_drawn_durations_are_not_cut_by_the_derived_horizon() -> None:
    value_map = case_a_with(duration={"kind": "uniform", "low": 4.6, "high": 5.4})
    result = simulate(value_map, draws=1_000, seed=1)
    data = case_a_data()
    data["outcomes"][0]["duration"] = 5
    assert result.ratio.median == pytest.approx(compute(ValueMap.model_validate(data)).sroi_ratio)
