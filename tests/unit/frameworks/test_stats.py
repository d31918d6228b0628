"""The interval formulas agree with direct statsmodels and scipy calls, and with hand sums."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from impactkit.frameworks import stats


def test_wilson_interval_equals_statsmodels_for_several_groups_at_once() -> None:
    successes = np.array([7, 0, 30, 12])
    nobs = np.array([12, 5, 30, 40])
    low, high = stats.wilson_interval(successes / nobs, nobs)
    for i in range(4):
        expected = proportion_confint(successes[i], nobs[i], alpha=0.05, method="wilson")
        assert (low[i], high[i]) == pytest.approx(expected, rel=1e-12)


def test_wilson_interval_by_hand_for_seven_of_twelve() -> None:
    p, n, z = 7 / 12, 12, scipy_stats.norm.ppf(0.975)
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    low, high = stats.wilson_interval([p], [n])
    assert (low[0], high[0]) == pytest.approx((centre - half, centre + half))


def test_a_census_has_a_zero_width_interval_and_no_data_has_none() -> None:
    low, high = stats.wilson_interval([0.5, np.nan], [80, 0], fpc=[0.0, 1.0])
    assert (low[0], high[0]) == (0.5, 0.5)
    assert np.isnan(low[1]) and np.isnan(high[1])


def test_t_interval_equals_descrstatsw_without_weights() -> None:
    x = np.array([3.0, 4, 4, 5, 2, 5, 4, 3])
    low, high = stats.t_interval([x.mean()], [x.var(ddof=0)], [len(x)])
    assert (low[0], high[0]) == pytest.approx(DescrStatsW(x).tconfint_mean(), rel=1e-12)


def test_weighted_t_interval_equals_descrstatsw_with_kish_scaled_weights() -> None:
    x = np.array([1.0, 2, 3, 4, 5, 5, 4])
    w = np.array([1.0, 2, 1, 1, 3, 1, 1])
    n_eff = stats.effective_n(len(x), w.sum(), (w**2).sum())[0]
    assert n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum())
    mean = np.average(x, weights=w)
    variance = np.average((x - mean) ** 2, weights=w)
    low, high = stats.t_interval([mean], [variance], [n_eff])
    expected = DescrStatsW(x, weights=w * n_eff / w.sum()).tconfint_mean()
    assert (low[0], high[0]) == pytest.approx(expected, rel=1e-12)


def test_finite_population_correction_shrinks_the_standard_error_by_hand() -> None:
    # 60 answers out of 80 beneficiaries: factor √((80 − 60) / 79).
    factor = stats.fpc_factor([60], [80])[0]
    assert factor == pytest.approx(math.sqrt(20 / 79))
    x = np.linspace(1, 5, 60)
    plain_low, plain_high = stats.t_interval([x.mean()], [x.var()], [60])
    low, high = stats.t_interval([x.mean()], [x.var()], [60], fpc=[factor])
    assert (high[0] - low[0]) == pytest.approx((plain_high[0] - plain_low[0]) * factor)


def test_unknown_population_means_no_correction() -> None:
    assert list(stats.fpc_factor([10, 10], [np.nan, 1.0])) == [1.0, 1.0]
    assert list(stats.fpc_factor([10], None)) == [1.0]


def test_median_interval_ranks_match_the_binomial_table() -> None:
    lower, upper = stats.median_interval_ranks([5, 6, 10, 30, 100])
    # n = 5 cannot reach 95 %; n = 6 → (1, 6); n = 10 → (2, 9); n = 30 → (10, 21).
    assert list(lower) == [0, 1, 2, 10, 40]
    assert list(upper) == [0, 6, 9, 21, 61]
    for n, j in [(6, 1), (10, 2), (30, 10), (100, 40)]:
        coverage = 1 - 2 * scipy_stats.binom.cdf(j - 1, n, 0.5)
        assert coverage >= 0.95
        assert 1 - 2 * scipy_stats.binom.cdf(j, n, 0.5) < 0.95


def test_paired_t_test_equals_scipy_ttest_rel() -> None:
    before = np.array([2.0, 3, 3, 4, 2, 1, 3, 2])
    after = np.array([3.0, 3, 4, 5, 2, 3, 3, 4])
    d = after - before
    statistic, p_value = stats.paired_t_test([d.mean()], [d.std(ddof=1)], [len(d)])
    expected = scipy_stats.ttest_rel(after, before)
    assert statistic[0] == pytest.approx(expected.statistic)
    assert p_value[0] == pytest.approx(expected.pvalue)


def test_wilcoxon_equals_scipy_and_needs_a_non_zero_difference() -> None:
    d = np.array([1.0, 0, 1, 1, 0, 2, 0, 2, -1, 1])
    statistic, p_value = stats.wilcoxon_signed_rank(d)
    expected = scipy_stats.wilcoxon(d, zero_method="pratt", method="asymptotic", correction=False)
    assert (statistic, p_value) == (pytest.approx(expected.statistic), pytest.approx(expected.pvalue))
    assert stats.wilcoxon_signed_rank(np.zeros(4)) == (None, None)


def test_cohens_dz_by_hand() -> None:
    d = np.array([1.0, 0, 1, 1, 0, 2])
    mean, sd, n = d.mean(), d.std(ddof=1), len(d)
    dz, low, high = stats.cohens_dz([mean], [sd], [n])
    se = math.sqrt(1 / n + (mean / sd) ** 2 / (2 * n))
    assert dz[0] == pytest.approx(mean / sd)
    assert (low[0], high[0]) == pytest.approx((mean / sd - 1.959964 * se, mean / sd + 1.959964 * se))
