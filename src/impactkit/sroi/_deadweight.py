"""Deadweight from evidence: a comparison group's share, or a difference-in-differences regression."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from impactkit.errors import Problem, ValueMapError
from impactkit.sroi._model import Normal

if TYPE_CHECKING:
    import pandas as pd

# pandas, scipy and statsmodels are imported by the functions that use them: importing them
# costs seconds, which ``import impactkit.sroi`` (and every command of the CLI) should not pay.


class ComparisonDeadweight(BaseModel):
    """Deadweight as the share of a comparison group that reached the outcome anyway."""

    deadweight: float
    """Share of the comparison group reaching the outcome (0..1): the point estimate."""
    interval_low: float
    interval_high: float
    confidence: float
    method: str
    successes: int
    respondents: int
    treated_share: float | None
    """Share of the treated group reaching the outcome, when a treated group was named."""
    distribution: Normal
    """Normal with the interval's spread, for the Monte Carlo (truncated to 0–100 % there)."""


class DidDeadweight(BaseModel):
    """A difference-in-differences estimate and the deadweight share it implies."""

    effect: float
    """Change in the treated group beyond the comparison group's change (outcome units)."""
    effect_low: float
    effect_high: float
    standard_error: float
    p_value: float
    confidence: float
    comparison_change: float
    """Baseline-to-endline change in the comparison group: what happens anyway."""
    treated_change: float
    observations: int
    respondents: int
    deadweight: float | None
    """comparison change / treated change, within 0..1; ``None`` when the treated group did not improve."""
    deadweight_low: float | None
    deadweight_high: float | None
    distribution: Normal | None
    note: str


def _column_problems(frame: pd.DataFrame, columns: list[str]) -> list[Problem]:
    return [
        Problem(f"no column {c!r}; the frame has {list(frame.columns)}", c, "missing")
        for c in columns
        if c not in frame.columns
    ]


def _binary(series: pd.Series, column: str) -> tuple[pd.Series, list[Problem]]:
    import pandas as pd

    values = series.dropna()
    if values.dtype == bool:
        return values.astype(int), []
    numeric = pd.to_numeric(values, errors="coerce")
    bad = values[numeric.isna() | ~numeric.isin([0, 1])]
    if len(bad):
        return numeric, [
            Problem(
                f"expected 0/1 or true/false outcomes, found {bad.unique()[:5].tolist()}",
                column,
            )
        ]
    return numeric.astype(int), []


def deadweight_from_comparison(
    frame: pd.DataFrame,
    outcome_col: str,
    group_col: str,
    *,
    comparison: Any = "comparison",
    treated: Any = None,
    confidence: float = 0.95,
) -> ComparisonDeadweight:
    """Deadweight as the share of the comparison group that reached the outcome anyway.

    Args:
        frame: one row per respondent.
        outcome_col: 0/1 or true/false: did the respondent reach the outcome.
        group_col: which group the respondent belongs to.
        comparison: the value of ``group_col`` that marks the comparison group.
        treated: the value marking the participants, to report their share too (optional).
        confidence: level of the Wilson interval (0.95 = 95 %).

    Raises:
        ValueMapError: missing columns, non-binary outcomes, or no comparison respondents.

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"employed": [1, 0, 0, 0, 1, 1, 1, 0],
        ...                       "group": ["comparison"] * 4 + ["treated"] * 4})
        >>> result = deadweight_from_comparison(frame, "employed", "group", treated="treated")
        >>> result.deadweight, result.treated_share
        (0.25, 0.75)
        >>> round(result.interval_low, 4), round(result.interval_high, 4)
        (0.0456, 0.6994)
    """
    from scipy.stats import norm
    from statsmodels.stats.proportion import proportion_confint

    problems = _column_problems(frame, [outcome_col, group_col])
    if problems:
        raise ValueMapError("cannot estimate deadweight from the comparison group", problems)
    rows = frame[frame[group_col] == comparison]
    outcomes, problems = _binary(rows[outcome_col], outcome_col)
    if not problems and outcomes.empty:
        problems.append(
            Problem(f"no respondents with {group_col} = {comparison!r} and an outcome", group_col)
        )
    if problems:
        raise ValueMapError("cannot estimate deadweight from the comparison group", problems)
    successes, respondents = int(outcomes.sum()), int(outcomes.size)
    low, high = proportion_confint(successes, respondents, alpha=1 - confidence, method="wilson")
    treated_share = None
    if treated is not None:
        treated_outcomes, problems = _binary(frame.loc[frame[group_col] == treated, outcome_col], outcome_col)
        if problems:
            raise ValueMapError("cannot compute the treated group's share", problems)
        treated_share = float(treated_outcomes.mean()) if len(treated_outcomes) else None
    share = successes / respondents
    z = float(norm.ppf(0.5 + confidence / 2))
    spread = max((float(high) - float(low)) / (2 * z), 1e-9)
    return ComparisonDeadweight(
        deadweight=share,
        interval_low=float(low),
        interval_high=float(high),
        confidence=confidence,
        method="wilson",
        successes=successes,
        respondents=respondents,
        treated_share=treated_share,
        distribution=Normal(mean=share, sd=spread),
    )


def deadweight_from_did(
    frame: pd.DataFrame,
    outcome: str,
    group: str,
    period: str,
    respondent: str,
    *,
    treated: Any = 1,
    endline: Any = 1,
    confidence: float = 0.95,
) -> DidDeadweight:
    """Difference-in-differences: outcome ~ treated + endline + treated × endline (OLS).

    Standard errors are cluster-robust by respondent (each person answers at baseline and
    endline). The deadweight share is the comparison group's change divided by the treated
    group's change: the part of the participants' improvement that happened anyway.

    Args:
        frame: one row per respondent and period (long format).
        outcome: numeric outcome column (a score, or 0/1).
        group: column marking the group; ``treated`` is the participants' value.
        period: column marking the wave; ``endline`` is the endline's value.
        respondent: respondent id column (the clusters).
        confidence: level of the intervals (0.95 = 95 %).

    Returns:
        The effect with its interval and p-value, both groups' changes, the derived deadweight
        with an interval (mapped from the effect's interval, the comparison change held at its
        estimate), and a Normal distribution to feed the Monte Carlo.

    Raises:
        ValueMapError: missing columns, a non-numeric outcome, or a group or wave missing.
    """
    import numpy as np
    import pandas as pd
    import statsmodels.api as sm
    from scipy.stats import norm

    columns = [outcome, group, period, respondent]
    problems = _column_problems(frame, columns)
    if problems:
        raise ValueMapError("cannot run the difference-in-differences regression", problems)
    data = frame[columns].dropna()
    y = pd.to_numeric(data[outcome], errors="coerce")
    if y.isna().any():
        problems.append(Problem("expected a numeric outcome", outcome))
    is_treated = (data[group] == treated).astype(float)
    is_endline = (data[period] == endline).astype(float)
    for name, flags, value in ((group, is_treated, treated), (period, is_endline, endline)):
        if flags.nunique() < 2:
            problems.append(
                Problem(f"expected rows with {name} = {value!r} and rows with another value", name)
            )
    if problems:
        raise ValueMapError("cannot run the difference-in-differences regression", problems)
    design = np.column_stack([np.ones(len(data)), is_treated, is_endline, is_treated * is_endline])
    clusters = pd.factorize(data[respondent])[0]
    fit = sm.OLS(y.to_numpy(dtype=float), design).fit(cov_type="cluster", cov_kwds={"groups": clusters})
    params = np.asarray(fit.params)
    interval = np.asarray(fit.conf_int(alpha=1 - confidence))
    effect = float(params[3])
    effect_low, effect_high = float(interval[3, 0]), float(interval[3, 1])
    comparison_change = float(params[2])
    treated_change = comparison_change + effect
    z = float(norm.ppf(0.5 + confidence / 2))

    def share(treated_gain: float) -> float:
        if treated_gain <= 0:
            return 1.0
        return min(max(comparison_change / treated_gain, 0.0), 1.0)

    deadweight = low = high = None
    distribution = None
    note = (
        "assumes parallel trends: without the activity the treated group would have changed "
        "as the comparison group did"
    )
    if treated_change > 0:
        deadweight = share(treated_change)
        bounds = sorted((share(comparison_change + effect_low), share(comparison_change + effect_high)))
        low, high = bounds
        spread = max((high - low) / (2 * z), 1e-9)
        distribution = Normal(mean=deadweight, sd=spread)
    else:
        note = "the treated group did not improve: no deadweight share can be derived; " + note
    return DidDeadweight(
        effect=effect,
        effect_low=effect_low,
        effect_high=effect_high,
        standard_error=float(np.asarray(fit.bse)[3]),
        p_value=float(np.asarray(fit.pvalues)[3]),
        confidence=confidence,
        comparison_change=comparison_change,
        treated_change=treated_change,
        observations=len(data),
        respondents=int(clusters.max() + 1),
        deadweight=deadweight,
        deadweight_low=low,
        deadweight_high=high,
        distribution=distribution,
        note=note,
    )
