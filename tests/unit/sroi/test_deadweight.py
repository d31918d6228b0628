"""Deadweight from survey evidence: a comparison group, or a difference-in-differences."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from impactkit.errors import ValueMapError
from impactkit.sroi import (
    ValueMap,
    deadweight_from_comparison,
    deadweight_from_did,
    simulate,
)

from .conftest import case_a_data


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval, written out from its formula."""
    p = successes / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def test_the_comparison_groups_share_is_the_deadweight_with_a_wilson_interval() -> None:
    frame = pd.DataFrame(
        {
            "in_work": [True] * 12 + [False] * 28 + [True] * 30 + [False] * 10,
            "arm": ["control"] * 40 + ["programme"] * 40,
        }
    )
    result = deadweight_from_comparison(frame, "in_work", "arm", comparison="control", treated="programme")
    assert (result.deadweight, result.successes, result.respondents) == (0.3, 12, 40)
    low, high = wilson(12, 40)
    assert (result.interval_low, result.interval_high) == pytest.approx((low, high), rel=1e-12)
    assert result.treated_share == 0.75
    assert result.distribution.mean == 0.3


def test_a_non_binary_outcome_or_missing_column_is_refused() -> None:
    frame = pd.DataFrame({"in_work": [1, 2, 0], "arm": ["comparison"] * 3})
    with pytest.raises(ValueMapError, match="cannot estimate") as caught:
        deadweight_from_comparison(frame, "in_work", "arm")
    assert caught.value.problems[0].location == "in_work"
    with pytest.raises(ValueMapError) as caught:
        deadweight_from_comparison(frame, "employed", "group")
    assert [p.location for p in caught.value.problems] == ["employed", "group"]


def panel(seed: int = 1, respondents: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for rid in range(respondents):
        treated = rid % 2
        baseline = rng.normal(50, 8)
        rows.append((f"r{rid}", treated, "baseline", baseline))
        endline = baseline + 4 + 6 * treated + rng.normal(0, 3)
        rows.append((f"r{rid}", treated, "endline", endline))
    return pd.DataFrame(rows, columns=["respondent", "treated", "wave", "wellbeing"])


def test_difference_in_differences_matches_the_hand_computed_estimate() -> None:
    frame = panel()
    result = deadweight_from_did(
        frame, "wellbeing", "treated", "wave", "respondent", treated=1, endline="endline"
    )
    means = frame.groupby(["treated", "wave"])["wellbeing"].mean()
    comparison_change = means[(0, "endline")] - means[(0, "baseline")]
    treated_change = means[(1, "endline")] - means[(1, "baseline")]
    assert result.effect == pytest.approx(treated_change - comparison_change, rel=1e-10)
    assert result.deadweight == pytest.approx(comparison_change / treated_change, rel=1e-10)
    assert result.deadweight_low < result.deadweight < result.deadweight_high

    # Cluster-robust standard error, written out: sandwich with the small-sample factor.
    x = np.column_stack(
        [
            np.ones(len(frame)),
            frame["treated"],
            frame["wave"].eq("endline"),
            frame["treated"] * frame["wave"].eq("endline"),
        ]
    ).astype(float)
    y = frame["wellbeing"].to_numpy()
    bread = np.linalg.inv(x.T @ x)
    residual = y - x @ (bread @ x.T @ y)
    meat = sum(
        np.outer(x[idx].T @ residual[idx], x[idx].T @ residual[idx])
        for idx in frame.groupby("respondent").indices.values()
    )
    groups, n, k = frame["respondent"].nunique(), len(frame), 4
    covariance = bread @ meat @ bread * groups / (groups - 1) * (n - 1) / (n - k)
    assert result.standard_error == pytest.approx(math.sqrt(covariance[3, 3]), rel=1e-8)
    assert result.respondents == 300 and result.observations == 600


def test_the_did_deadweight_distribution_feeds_the_monte_carlo() -> None:
    result = deadweight_from_did(panel(), "wellbeing", "treated", "wave", "respondent", endline="endline")
    data = case_a_data()
    data["outcomes"][0]["deadweight"] = result.deadweight
    data["outcomes"][0]["distributions"] = {"deadweight": result.distribution.model_dump(mode="json")}
    simulated = simulate(ValueMap.model_validate(data), draws=5_000, seed=2)
    assert simulated.uncertain == ["outcomes[0].deadweight"]
    assert simulated.ratio.p5 < simulated.base_ratio < simulated.ratio.p95


def test_no_deadweight_share_when_participants_did_not_improve() -> None:
    frame = panel()
    frame.loc[frame["wave"] == "endline", "wellbeing"] -= 20
    result = deadweight_from_did(frame, "wellbeing", "treated", "wave", "respondent", endline="endline")
    assert result.deadweight is None and result.distribution is None
    assert "did not improve" in result.note


def test_a_panel_without_an_endline_is_refused() -> None:
    frame = panel()
    with pytest.raises(ValueMapError) as caught:
        deadweight_from_did(frame, "wellbeing", "treated", "wave", "respondent", endline="wave 3")
    assert caught.value.problems[0].location == "wave"
