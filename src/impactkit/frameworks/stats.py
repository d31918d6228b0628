"""Interval estimates for KPIs, vectorised over many groups at once (numpy arrays in, out).

Each function takes per-group sufficient statistics (counts, sums of weights …) as arrays, so
one call serves 1 or 1,000 organisations. The formulas are those of statsmodels and scipy;
the tests check them against direct calls (``proportion_confint``, ``DescrStatsW``,
``ttest_rel``).
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportion_confint

FloatArray = npt.NDArray[np.float64]

CONFIDENCE = 0.95


def _as_float(values: npt.ArrayLike) -> FloatArray:
    return np.atleast_1d(np.asarray(values, dtype=np.float64))


def effective_n(
    n: npt.ArrayLike,
    sum_weights: npt.ArrayLike | None = None,
    sum_squared_weights: npt.ArrayLike | None = None,
) -> FloatArray:
    """Kish's effective sample size (Σw)² / Σw²; equal to ``n`` without weights."""
    if sum_weights is None or sum_squared_weights is None:
        return _as_float(n)
    sum_w = _as_float(sum_weights)
    sum_w2 = _as_float(sum_squared_weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sum_w2 > 0, sum_w**2 / sum_w2, 0.0)


def fpc_factor(n: npt.ArrayLike, population: npt.ArrayLike | None) -> FloatArray:
    """The finite-population correction √((N − n) / (N − 1)) for the standard error.

    1 where the population is unknown (NaN) or not larger than one; 0 for a census (n ≥ N).
    """
    n_arr = _as_float(n)
    if population is None:
        return np.ones_like(n_arr)
    big_n = np.broadcast_to(_as_float(population), n_arr.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.sqrt(np.clip((big_n - n_arr) / (big_n - 1.0), 0.0, 1.0))
    return np.where(np.isnan(big_n) | (big_n <= 1), 1.0, factor)


def wilson_interval(
    share: npt.ArrayLike,
    n_eff: npt.ArrayLike,
    confidence: float = CONFIDENCE,
    fpc: npt.ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for proportions (statsmodels ``proportion_confint``).

    Args:
        share: estimated proportions, 0–1.
        n_eff: sample sizes (Kish effective sizes when weighted).
        confidence: e.g. 0.95.
        fpc: finite-population correction factors of the standard error; the effective size
            is divided by fpc², a census (fpc = 0) gives a zero-width interval.

    Returns:
        (low, high) arrays; NaN where there is no observation.
    """
    p = _as_float(share)
    size = np.broadcast_to(_as_float(n_eff), p.shape).copy()
    low = np.full_like(p, np.nan)
    high = np.full_like(p, np.nan)
    census = np.zeros_like(p, dtype=bool)
    if fpc is not None:
        factor = np.broadcast_to(_as_float(fpc), p.shape)
        census = factor == 0
        with np.errstate(divide="ignore"):
            size = np.where(census, size, size / np.where(census, 1.0, factor) ** 2)
    ok = (size > 0) & ~np.isnan(p) & ~census
    if ok.any():
        lo, hi = proportion_confint(p[ok] * size[ok], size[ok], alpha=1.0 - confidence, method="wilson")
        low[ok] = np.asarray(lo, dtype=np.float64)
        high[ok] = np.asarray(hi, dtype=np.float64)
    low[census & ~np.isnan(p)] = p[census & ~np.isnan(p)]
    high[census & ~np.isnan(p)] = p[census & ~np.isnan(p)]
    return low, high


def t_interval(
    mean: npt.ArrayLike,
    variance: npt.ArrayLike,
    n_eff: npt.ArrayLike,
    confidence: float = CONFIDENCE,
    fpc: npt.ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray]:
    """t interval for means, as statsmodels ``DescrStatsW(x, weights).tconfint_mean()``.

    Args:
        mean: (weighted) means.
        variance: (weighted) variances with divisor Σw (ddof 0, as DescrStatsW).
        n_eff: Σw with weights scaled to Kish's effective size (n without weights); the
            standard error is √(variance / (n_eff − 1)) and the degrees of freedom n_eff − 1.
        confidence: e.g. 0.95.
        fpc: finite-population correction factors of the standard error.

    Returns:
        (low, high) arrays; NaN where n_eff ≤ 1.
    """
    m = _as_float(mean)
    var = np.broadcast_to(_as_float(variance), m.shape)
    size = np.broadcast_to(_as_float(n_eff), m.shape)
    ok = size > 1
    df = np.where(ok, size - 1.0, 1.0)
    se = np.sqrt(np.where(ok, var, np.nan) / df)
    if fpc is not None:
        se = se * np.broadcast_to(_as_float(fpc), m.shape)
    half = scipy_stats.t.ppf(0.5 + confidence / 2.0, df) * se
    low = np.where(ok, m - half, np.nan)
    high = np.where(ok, m + half, np.nan)
    return low, high


def median_interval_ranks(
    n: npt.ArrayLike, confidence: float = CONFIDENCE
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """1-based ranks (j, n − j + 1) of the distribution-free interval for a median.

    j is the largest rank with P(Binomial(n, ½) ≤ j − 1) ≤ (1 − confidence) / 2, so the
    interval [x₍ⱼ₎, x₍ₙ₋ⱼ₊₁₎] covers the median with probability ≥ ``confidence``. Where n
    is too small for that (n < 6 at 95 %), both ranks are 0.
    """
    sizes = np.atleast_1d(np.asarray(n, dtype=np.int64))
    alpha_half = (1.0 - confidence) / 2.0
    lower = scipy_stats.binom.ppf(alpha_half, sizes, 0.5).astype(np.int64)
    # ppf gives the smallest k with CDF(k) ≥ α/2; step back where CDF(k) exceeds α/2 exactly
    # at k so that CDF(j − 1) ≤ α/2 holds with j = k (CDF(k − 1) < α/2 by definition).
    lower = np.where(scipy_stats.binom.cdf(lower, sizes, 0.5) <= alpha_half, lower + 1, lower)
    valid = (lower >= 1) & (sizes > 0)
    upper = sizes - lower + 1
    return np.where(valid, lower, 0), np.where(valid, upper, 0)


def paired_t_test(
    mean_difference: npt.ArrayLike, sd_difference: npt.ArrayLike, n: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Paired t statistic and two-sided p-value, as ``scipy.stats.ttest_rel``.

    Returns NaN where n < 2 or the differences do not vary.
    """
    mean = _as_float(mean_difference)
    sd = np.broadcast_to(_as_float(sd_difference), mean.shape)
    size = np.broadcast_to(_as_float(n), mean.shape)
    ok = (size > 1) & (sd > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(ok, mean / (sd / np.sqrt(size)), np.nan)
    p_value = np.where(ok, 2.0 * scipy_stats.t.sf(np.abs(statistic), np.where(ok, size - 1, 1)), np.nan)
    return statistic, p_value


def cohens_dz(
    mean_difference: npt.ArrayLike,
    sd_difference: npt.ArrayLike,
    n: npt.ArrayLike,
    confidence: float = CONFIDENCE,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Cohen's dz (mean difference / SD of differences) with a normal-approximation interval.

    The standard error is √(1/n + dz² / (2n)).

    Returns:
        (dz, low, high); NaN where n < 2 or the differences do not vary.
    """
    mean = _as_float(mean_difference)
    sd = np.broadcast_to(_as_float(sd_difference), mean.shape)
    size = np.broadcast_to(_as_float(n), mean.shape)
    ok = (size > 1) & (sd > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        dz = np.where(ok, mean / sd, np.nan)
        se = np.sqrt(1.0 / size + dz**2 / (2.0 * size))
    z = scipy_stats.norm.ppf(0.5 + confidence / 2.0)
    return dz, np.where(ok, dz - z * se, np.nan), np.where(ok, dz + z * se, np.nan)


EXACT_LIMIT = 50
"""Up to this many differences, with no ties and no zeros, the exact null distribution is used."""


@functools.lru_cache(maxsize=64)
def _signed_rank_counts(n: int) -> npt.NDArray[np.int64]:
    """How many of the 2ⁿ sign patterns give each rank sum W⁺ = 0 … n(n+1)/2 (exact integers)."""
    counts = np.zeros(n * (n + 1) // 2 + 1, dtype=np.int64)
    counts[0] = 1
    top = 0
    for rank in range(1, n + 1):
        counts[rank : top + rank + 1] += counts[: top + 1].copy()
        top += rank
    return counts


def exact_signed_rank_p_value(r_plus: float, n: int) -> float:
    """Two-sided p-value of W⁺ under the exact null distribution (n differences, no ties or zeros):
    2 × min(P(W⁺ ≤ w), P(W⁺ ≥ w)), at most 1 — as ``scipy.stats.wilcoxon(d, method="exact")``."""
    counts = _signed_rank_counts(n)
    total = float(2**n)
    w = round(r_plus)
    lower = float(counts[: w + 1].sum()) / total
    upper = float(counts[w:].sum()) / total
    return min(1.0, 2.0 * min(lower, upper))


def signed_rank_by_group(
    codes: npt.NDArray[np.int64], differences: npt.ArrayLike, groups: int
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Wilcoxon signed-rank test for every group at once.

    Differences should be on an exact scale (whole numbers, or fractions scaled to whole numbers)
    so that equal changes tie exactly. Per group, with n non-zero differences:

    * no ties and no zeros and n ≤ 50: the **exact** null distribution of W⁺ (as
      ``scipy.stats.wilcoxon(d, method="exact")``);
    * otherwise the **normal approximation** with Pratt's treatment of zeros (zeros are ranked
      with the others and their ranks left out; mean and variance corrected as Cureton 1967)
      and the tie correction of the variance, no continuity correction (as
      ``scipy.stats.wilcoxon(d, zero_method="pratt", method="asymptotic", correction=False)``).

    Args:
        codes: the group (0 … groups − 1) of every difference.
        differences: endline − baseline per person.
        groups: number of groups.

    Returns:
        (statistic, p_value, exact) per group: statistic = min(W⁺, W⁻); two-sided p; whether
        the exact distribution was used. NaN where a group has no non-zero difference.
    """
    codes = np.asarray(codes, dtype=np.int64)
    d = np.asarray(differences, dtype=np.float64)
    keep = ~np.isnan(d)
    codes, d = codes[keep], d[keep]
    absolute = np.abs(d)
    order = np.lexsort((absolute, codes))
    codes, d, absolute = codes[order], d[order], absolute[order]
    count = np.bincount(codes, minlength=groups)
    zeros = np.bincount(codes, weights=(d == 0).astype(np.float64), minlength=groups)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    position = np.arange(len(codes)) - start[codes] + 1
    new_run = np.ones(len(codes), dtype=bool)
    new_run[1:] = (codes[1:] != codes[:-1]) | (absolute[1:] != absolute[:-1])
    run_id = np.cumsum(new_run) - 1
    run_first = position[new_run]
    run_length = np.bincount(run_id)
    rank = ((2 * run_first + run_length - 1) / 2.0)[run_id]
    r_plus = np.bincount(codes, np.where(d > 0, rank, 0.0), groups)
    r_minus = np.bincount(codes, np.where(d < 0, rank, 0.0), groups)
    run_codes = codes[new_run]
    run_is_zero = absolute[new_run] == 0
    ties = run_length.astype(np.float64) ** 3 - run_length
    tie_sum = np.bincount(run_codes, np.where(run_is_zero, 0.0, ties), groups)
    has_ties = np.bincount(run_codes, ((run_length > 1) & ~run_is_zero).astype(np.float64), groups) > 0
    n = count.astype(np.float64)
    mean = n * (n + 1) / 4 - zeros * (zeros + 1) / 4
    variance = (n * (n + 1) * (2 * n + 1) - zeros * (zeros + 1) * (2 * zeros + 1) - tie_sum / 2) / 24
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (r_plus - mean) / np.sqrt(variance)
    p_value = np.asarray(2.0 * scipy_stats.norm.sf(np.abs(z)), dtype=np.float64)
    nonzero = n - zeros
    exact = (nonzero > 0) & (zeros == 0) & ~has_ties & (n <= EXACT_LIMIT)
    for group in np.flatnonzero(exact):
        p_value[group] = exact_signed_rank_p_value(r_plus[group], int(n[group]))
    statistic = np.minimum(r_plus, r_minus).astype(np.float64)
    empty = nonzero == 0
    statistic[empty] = np.nan
    p_value[empty] = np.nan
    return statistic, p_value, exact


def wilcoxon_signed_rank(differences: npt.ArrayLike) -> tuple[float | None, float | None]:
    """Wilcoxon signed-rank statistic and two-sided p-value of one sample of differences.

    See :func:`signed_rank_by_group` for the method. None when no difference is non-zero.
    """
    d = _as_float(differences)
    d = d[~np.isnan(d)]
    statistic, p_value, _ = signed_rank_by_group(np.zeros(len(d), dtype=np.int64), d, 1)
    if np.isnan(statistic[0]):
        return None, None
    return float(statistic[0]), float(p_value[0])


__all__ = [
    "CONFIDENCE",
    "cohens_dz",
    "effective_n",
    "exact_signed_rank_p_value",
    "fpc_factor",
    "median_interval_ranks",
    "paired_t_test",
    "signed_rank_by_group",
    "t_interval",
    "wilcoxon_signed_rank",
    "wilson_interval",
]
