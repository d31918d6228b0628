"""Properties over generated data: the vectorised paths agree with the reference libraries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportion_confint

from impactkit.frameworks import Framework, compute_kpis
from impactkit.frameworks import stats as kpi_stats

LABELS = {"it": "x", "en": "x"}


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=400))
def test_median_ranks_are_the_tightest_with_95_percent_coverage(n: int) -> None:
    lower, upper = kpi_stats.median_interval_ranks([n])
    j = int(lower[0])
    if j == 0:
        assert 1 - 2 * scipy_stats.binom.cdf(0, n, 0.5) < 0.95
        return
    assert int(upper[0]) == n - j + 1
    assert 1 - 2 * scipy_stats.binom.cdf(j - 1, n, 0.5) >= 0.95
    assert 1 - 2 * scipy_stats.binom.cdf(j, n, 0.5) < 0.95


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=8),
    st.integers(min_value=1, max_value=60),
)
def test_wilson_cells_equal_statsmodels(successes: list[int], extra: int) -> None:
    nobs = [s + extra for s in successes]
    low, high = kpi_stats.wilson_interval(np.array(successes) / np.array(nobs), nobs)
    for i, (count, size) in enumerate(zip(successes, nobs, strict=True)):
        expected = proportion_confint(count, size, alpha=0.05, method="wilson")
        assert (low[i], high[i]) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=1, max_value=5), min_size=2, max_size=2),
        min_size=51,
        max_size=150,
    ),
    st.sampled_from(["higher", "lower"]),
)
def test_change_statistics_equal_scipy_for_generated_pairs(pairs: list[list[int]], improved_if: str) -> None:
    before = np.array([p[0] for p in pairs], dtype=float)
    after = np.array([p[1] for p in pairs], dtype=float)
    n = len(pairs)
    frame = pd.DataFrame(
        {
            "respondent_code": [f"C-{i}" for i in range(n)] * 2,
            "_wave": ["baseline"] * n + ["endline"] * n,
            "score": np.concatenate([before, after]),
        }
    )
    framework = Framework.model_validate(
        {
            "id": "p",
            "version": "1",
            "title": LABELS,
            "description": LABELS,
            "indicators": [
                {
                    "id": "change",
                    "labels": LABELS,
                    "definition": LABELS,
                    "unit": "share",
                    "kind": "change",
                    "source": {"form": "f", "field": "score"},
                    "change": {"improved_if": improved_if},
                }
            ],
        }
    )
    [result] = compute_kpis(framework, {"f": frame}).results
    d = (after - before) * (1 if improved_if == "higher" else -1)
    assert result.value == pytest.approx(float((d > 0).mean()))
    change = result.change
    assert change is not None
    if np.count_nonzero(d):
        expected = scipy_stats.wilcoxon(d)
        assert change.wilcoxon_statistic == pytest.approx(expected.statistic)
        assert change.wilcoxon_p_value == pytest.approx(expected.pvalue)
    if d.std() > 0:
        paired = scipy_stats.ttest_rel(after, before)
        sign = 1 if improved_if == "higher" else -1
        assert change.t_statistic == pytest.approx(sign * paired.statistic)
        assert change.t_p_value == pytest.approx(paired.pvalue)
