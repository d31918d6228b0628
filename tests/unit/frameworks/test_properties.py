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
from tests.unit.frameworks.reference import scipy_wilcoxon

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
    expected = scipy_wilcoxon(d)
    if expected[0] is None:
        assert change.wilcoxon_statistic is None
    else:
        assert (change.wilcoxon_statistic, change.wilcoxon_p_value) == pytest.approx(
            expected, rel=1e-9, abs=1e-12
        )
    if d.std() > 0:
        paired = scipy_stats.ttest_rel(after, before)
        sign = 1 if improved_if == "higher" else -1
        assert change.t_statistic == pytest.approx(sign * paired.statistic)
        assert change.t_p_value == pytest.approx(paired.pvalue)


@st.composite
def tied_changes(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Baseline and endline sums of three 1–5 items for up to 80 people: many ties and zeros."""
    size = draw(st.integers(min_value=1, max_value=80))
    spread = draw(st.integers(min_value=0, max_value=4))
    pairs = []
    for _ in range(size):
        before = draw(st.integers(min_value=3, max_value=15))
        change = draw(st.integers(min_value=-spread, max_value=spread))
        pairs.append((before, min(15, max(3, before + change))))
    return pairs


@settings(max_examples=120, deadline=None)
@given(tied_changes(), st.sampled_from(["higher", "lower"]))
def test_change_scores_stay_exact_so_wilcoxon_matches_scipy_on_the_whole_numbers(
    pairs: list[tuple[int, int]], improved_if: str
) -> None:
    """The KPI reads the mean of three items (x/3, inexact in binary); its changes are kept on the
    exact scale (thirds), so its Wilcoxon and t statistics equal scipy's and statsmodels' on the
    whole-number sums, to 1e-9."""
    from statsmodels.stats.weightstats import DescrStatsW

    n = len(pairs)
    items = []
    for before, after in pairs:
        items.append(before)
        items.append(after)
    frame = pd.DataFrame(
        {
            "respondent_code": [f"C-{i}" for i in range(n)] * 2,
            "_wave": ["baseline"] * n + ["endline"] * n,
            # Three items whose sum is the given total (e.g. 11 = 4 + 4 + 3).
            "a": [t // 3 + (t % 3 > 0) for t in [p[0] for p in pairs] + [p[1] for p in pairs]],
            "b": [t // 3 + (t % 3 > 1) for t in [p[0] for p in pairs] + [p[1] for p in pairs]],
            "c": [t // 3 for t in [p[0] for p in pairs] + [p[1] for p in pairs]],
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
                    "source": {"form": "f", "expression": "(${a} + ${b} + ${c}) div 3"},
                    "change": {"improved_if": improved_if},
                }
            ],
        }
    )
    [result] = compute_kpis(framework, {"f": frame}, suppress_below=1).results
    sign = 1 if improved_if == "higher" else -1
    whole = np.array([(after - before) * sign for before, after in pairs], dtype=float)
    change = result.change
    assert change is not None and change.scale in (1, 3)  # thirds, or whole numbers when all are
    assert result.value == pytest.approx(float((whole > 0).mean()), abs=1e-12)
    assert change.share_worsened == pytest.approx(float((whole < 0).mean()), abs=1e-12)
    expected = scipy_wilcoxon(whole)
    if expected[0] is None:
        assert change.wilcoxon_statistic is None and change.wilcoxon_p_value is None
    else:
        assert change.wilcoxon_statistic == pytest.approx(expected[0], rel=1e-9, abs=1e-9)
        assert change.wilcoxon_p_value == pytest.approx(expected[1], rel=1e-9, abs=1e-9)
        nonzero = whole[whole != 0]
        exact = len(np.unique(np.abs(nonzero))) == len(nonzero) == n <= 50
        assert change.wilcoxon_method == (
            "exact" if exact else "normal approximation (Pratt zeros, tie-corrected)"
        )
    if n > 1 and whole.std() > 0:
        described = DescrStatsW(whole / 3)
        assert (change.mean_change_ci_low, change.mean_change_ci_high) == pytest.approx(
            described.tconfint_mean(), rel=1e-9, abs=1e-9
        )
        t_statistic, t_p_value, _ = described.ttest_mean(0)
        assert (change.t_statistic, change.t_p_value) == pytest.approx(
            (t_statistic, t_p_value), rel=1e-9, abs=1e-9
        )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-4, max_value=4), min_size=1, max_size=70))
def test_signed_rank_test_equals_scipy_on_whole_numbers_with_ties_and_zeros(values: list[int]) -> None:
    d = np.array(values, dtype=float)
    expected = scipy_wilcoxon(d)
    got = kpi_stats.wilcoxon_signed_rank(d)
    if expected[0] is None:
        assert got == (None, None)
    else:
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.permutations(list(range(1, 31))), st.lists(st.booleans(), min_size=30, max_size=30), st.integers(1, 30)
)
def test_signed_rank_test_is_exact_without_ties_or_zeros(
    ranks: list[int], signs: list[bool], size: int
) -> None:
    d = np.array([r if s else -r for r, s in zip(ranks[:size], signs[:size], strict=True)], dtype=float)
    expected = scipy_stats.wilcoxon(d, method="exact")
    assert kpi_stats.wilcoxon_signed_rank(d) == pytest.approx(
        (expected.statistic, expected.pvalue), rel=1e-12
    )
