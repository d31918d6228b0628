"""Interval estimates for KPIs, vectorised over many groups at once (numpy arrays in, out).

Each function takes per-group sufficient statistics (counts, sums of weights …) as arrays, so
one call serves 1 or 1,000 organisations. The formulas are those of statsmodels and scipy;
the tests check them against direct calls (``proportion_confint``, ``DescrStatsW``,
``ttest_rel``).
"""

from __future__ import annotations

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


def wilcoxon_signed_rank(differences: npt.ArrayLike) -> tuple[float | None, float | None]:
    """Wilcoxon signed-rank statistic and two-sided p-value (``scipy.stats.wilcoxon``).

    Zero differences are dropped (Wilcoxon's method). None when no difference is non-zero.
    """
    d = _as_float(differences)
    d = d[~np.isnan(d)]
    if np.count_nonzero(d) == 0:
        return None, None
    result = scipy_stats.wilcoxon(d, zero_method="wilcox", alternative="two-sided")
    return float(result.statistic), float(result.pvalue)


__all__ = [
    "CONFIDENCE",
    "cohens_dz",
    "effective_n",
    "fpc_factor",
    "median_interval_ranks",
    "paired_t_test",
    "t_interval",
    "wilcoxon_signed_rank",
    "wilson_interval",
]
