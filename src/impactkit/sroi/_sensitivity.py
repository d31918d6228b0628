"""Sensitivity: one-at-a-time changes of every estimate, the value that brings the ratio to 1:1."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel

from impactkit.sroi._engine import Estimates, FloatArray, base_estimates, sroi_ratio
from impactkit.sroi._model import ESTIMATES, FRACTION_ESTIMATES, ValueMap, ensure_valid

LINEAR = frozenset({"quantity", "proxy", "deadweight", "displacement", "attribution"})
"""Estimates on which the ratio depends linearly (1:1 value found analytically)."""

_GRID = 401


class SensitivityStep(BaseModel):
    """The ratio after changing one estimate by ``change`` (a fraction: -0.1 = 10 % lower)."""

    change: float
    value: float
    sroi_ratio: float


class BreakEven(BaseModel):
    """The value of one estimate at which the SROI ratio is exactly 1:1."""

    reachable: bool
    value: float | None
    method: Literal["analytic", "brentq", "scan"] | None
    note: str


class EstimateSensitivity(BaseModel):
    """How the ratio responds to one estimate of one outcome (or the discount rate)."""

    estimate: str
    outcome_index: int | None
    outcome: str | None
    base_value: float
    legal_range: tuple[float, float | None]
    steps: list[SensitivityStep]
    low_ratio: float
    high_ratio: float
    swing: float
    """Largest minus smallest ratio over the steps (the bar of the tornado)."""
    break_even: BreakEven


class SensitivityResult(BaseModel):
    """One-at-a-time sensitivity of the SROI ratio, sorted by swing (largest first)."""

    base_ratio: float
    conventions_used: str
    changes: list[float]
    estimates: list[EstimateSensitivity]

    def tornado(self) -> str:
        """A tornado table for a terminal: one line per estimate, largest swing first."""
        lines = [
            f"Base SROI ratio {self.base_ratio:.4f} : 1 "
            f"(changes ±{', ±'.join(f'{c:.0%}' for c in self.changes)})",
            f"Conventions: {self.conventions_used}",
            "",
            f"{'estimate':<14} {'outcome':<26} {'base':>12} {'low':>9} {'high':>9} {'swing':>8}  1:1 at",
        ]
        for e in self.estimates:
            lines.append(
                f"{e.estimate:<14} {(e.outcome or '(all)')[:26]:<26} "
                f"{_show(e.estimate, e.base_value):>12} {e.low_ratio:>9.4f} {e.high_ratio:>9.4f} "
                f"{e.swing:>8.4f}  {_show_break_even(e)}"
            )
        return "\n".join(lines)


def _show(estimate: str, value: float) -> str:
    if estimate in FRACTION_ESTIMATES or estimate == "discount_rate":
        return f"{value:.2%}"
    if estimate == "duration":
        return f"{value:g} y"
    return f"{value:,.5g}" if abs(value) < 1000 else f"{value:,.2f}"


def _show_break_even(e: EstimateSensitivity) -> str:
    if not e.break_even.reachable or e.break_even.value is None:
        return "not reachable"
    return _show(e.estimate, e.break_even.value)


def _legal_range(value_map: ValueMap, estimate: str, index: int | None) -> tuple[float, float]:
    if estimate in FRACTION_ESTIMATES:
        return 0.0, 1.0
    if estimate == "discount_rate":
        return 0.0, 1.0
    if estimate == "duration":
        assert index is not None
        if value_map.horizon_years is None:
            return 1.0, math.inf  # a longer duration lengthens the derived horizon
        start = value_map.outcomes[index].start_year
        return 1.0, float(max(value_map.horizon_years - start + 1, 1))
    return 0.0, math.inf


class _RatioFunction:
    """The SROI ratio as a function of one estimate, evaluated for many values at once."""

    def __init__(self, value_map: ValueMap, estimate: str, index: int | None) -> None:
        self.value_map = value_map
        self.estimate = estimate
        self.index = index
        self.base = base_estimates(value_map)

    def __call__(self, values: FloatArray | Sequence[float]) -> FloatArray:
        values = np.atleast_1d(np.asarray(values, dtype=np.float64))
        if self.estimate == "duration":
            return self._durations(values)
        count = values.shape[0]
        fields: dict[str, FloatArray] = {}
        for name in ESTIMATES:
            column = np.tile(getattr(self.base, name), (count, 1))
            if name == self.estimate:
                column[:, self.index] = values
            fields[name] = column
        rate = values if self.estimate == "discount_rate" else np.full(count, float(self.base.discount_rate))
        return sroi_ratio(self.value_map, Estimates(**fields, discount_rate=rate))

    def _durations(self, values: FloatArray) -> FloatArray:
        # A longer duration may lengthen a derived horizon, so each duration gets its own map.
        assert self.index is not None
        ratios = []
        for duration in values:
            outcomes = list(self.value_map.outcomes)
            outcomes[self.index] = outcomes[self.index].model_copy(
                update={"duration": max(1, round(float(duration)))}
            )
            changed = self.value_map.model_copy(update={"outcomes": outcomes})
            ratios.append(float(sroi_ratio(changed, base_estimates(changed))))
        return np.asarray(ratios)


def value_map_years(ratio: _RatioFunction) -> float:
    """Years from the outcome's start to the end of the analysis horizon."""
    assert ratio.index is not None
    value_map = ratio.value_map
    return float(value_map.horizon - value_map.outcomes[ratio.index].start_year + 1)


def _break_even(
    ratio: _RatioFunction, base_value: float, low: float, high: float, base_ratio: float
) -> BreakEven:
    estimate = ratio.estimate
    if estimate in LINEAR:
        point_b = 1.0 if estimate in FRACTION_ESTIMATES else max(base_value, 1.0)
        at_a, at_b = ratio(np.array([low, point_b]))
        slope = (at_b - at_a) / (point_b - low)
        if slope == 0:
            return BreakEven(
                reachable=False,
                value=None,
                method="analytic",
                note=f"the ratio does not depend on it (stays {base_ratio:.4f})",
            )
        root = low + (1.0 - at_a) / slope
        if low <= root <= high:
            return BreakEven(reachable=True, value=float(root), method="analytic", note="")
        end = high if math.isfinite(high) else None
        nearest = at_a if end is None or abs(root - low) < abs(root - end) else ratio([end])[0]
        return BreakEven(
            reachable=False,
            value=None,
            method="analytic",
            note=f"1:1 needs {_show(estimate, root)}, outside the legal range "
            f"(the nearest legal value gives {float(nearest):.4f})",
        )
    if estimate == "duration":
        longest = high if math.isfinite(high) else max(2 * base_value, value_map_years(ratio))
        durations = np.arange(int(low), int(longest) + 1, dtype=np.float64)
        ratios = ratio(durations)
        on_other_side = (ratios <= 1.0) if base_ratio > 1.0 else (ratios >= 1.0)
        if not on_other_side.any():
            worst = durations[int(np.argmin(np.abs(ratios - 1.0)))]
            return BreakEven(
                reachable=False,
                value=None,
                method="scan",
                note=f"a {worst:g}-year duration still gives "
                f"{float(ratios[int(np.argmin(np.abs(ratios - 1.0)))]):.4f}",
            )
        candidates = durations[on_other_side]
        nearest = candidates[int(np.argmin(np.abs(candidates - base_value)))]
        return BreakEven(
            reachable=True,
            value=float(nearest),
            method="scan",
            note="whole years: the duration nearest the estimate at which the ratio crosses 1:1",
        )
    # Non-linear (drop-off, discount rate): bracket a sign change on a grid, then brentq.
    top = min(high, 1.0)
    grid = np.linspace(low, top, _GRID)
    gaps = ratio(grid) - 1.0
    crossings = np.nonzero(np.sign(gaps[:-1]) * np.sign(gaps[1:]) <= 0)[0]
    if crossings.size == 0:
        end = grid[-1] if abs(gaps[-1]) < abs(gaps[0]) else grid[0]
        return BreakEven(
            reachable=False,
            value=None,
            method="brentq",
            note=f"{_show(estimate, float(end))} still gives {float(ratio([end])[0]):.4f}",
        )
    brackets = [(grid[i], grid[i + 1]) for i in crossings]
    a, b = min(brackets, key=lambda ab: abs((ab[0] + ab[1]) / 2 - base_value))
    if ratio([a])[0] - 1.0 == 0:
        return BreakEven(reachable=True, value=float(a), method="brentq", note="")
    if ratio([b])[0] - 1.0 == 0:
        return BreakEven(reachable=True, value=float(b), method="brentq", note="")
    from scipy.optimize import brentq  # here: scipy costs a second to import

    root = brentq(lambda x: float(ratio([x])[0]) - 1.0, a, b, xtol=1e-12)
    return BreakEven(reachable=True, value=float(root), method="brentq", note="")


def sensitivity(value_map: ValueMap, changes: Sequence[float] = (0.10, 0.25)) -> SensitivityResult:
    """Change every estimate one at a time and find where the ratio reaches 1:1.

    Each estimate (quantity, proxy, deadweight, displacement, attribution, drop-off, duration
    of every outcome, and the discount rate) is moved by ``−c`` and ``+c`` relative to its
    value for each ``c`` in ``changes``, clipped to its legal range (percentages 0–100 %,
    duration whole years ≥ 1). A zero estimate stays zero under a relative change.

    Args:
        value_map: a checked map with numeric quantities.
        changes: relative changes as fractions (0.10 = ±10 %).

    Returns:
        Per estimate: the ratio at each step, the swing, and the 1:1 value — analytic for the
        linear estimates, bracketed ``brentq`` for drop-off and discount rate, a scan over
        whole years for duration — or "not reachable" within the legal range.

    Example:
        >>> from impactkit.sroi import ValueMap, sensitivity
        >>> value_map = ValueMap.model_validate({
        ...     "stakeholders": [{"name": "Young people"}],
        ...     "inputs": [{"description": "Grant", "amount": 20000}],
        ...     "outcomes": [{"name": "Into work", "stakeholder": "Young people",
        ...                   "quantity": 50, "proxy": 1000, "deadweight": "20%",
        ...                   "attribution": "25%", "drop_off": "10%", "duration": 3}],
        ... })
        >>> result = sensitivity(value_map)
        >>> proxy = next(e for e in result.estimates if e.estimate == "proxy")
        >>> round(proxy.break_even.value, 2)
        262.79
    """
    ensure_valid(value_map)
    signed = sorted({float(s) * sign for s in changes for sign in (-1.0, 1.0)})
    base = base_estimates(value_map)
    base_ratio = float(sroi_ratio(value_map, base))
    targets: list[tuple[str, int | None]] = [
        (name, i) for i in range(len(value_map.outcomes)) for name in ESTIMATES
    ]
    targets.append(("discount_rate", None))
    rows: list[EstimateSensitivity] = []
    for estimate, index in targets:
        ratio = _RatioFunction(value_map, estimate, index)
        source = base.discount_rate if index is None else getattr(base, estimate)[index]
        base_value = float(source)
        low, high = _legal_range(value_map, estimate, index)
        values = np.clip(np.array([base_value * (1 + s) for s in signed]), low, high)
        if estimate == "duration":
            values = np.maximum(np.floor(values + 0.5), 1.0)
        ratios = ratio(values)
        steps = [
            SensitivityStep(change=s, value=float(v), sroi_ratio=float(r))
            for s, v, r in zip(signed, values, ratios, strict=True)
        ]
        rows.append(
            EstimateSensitivity(
                estimate=estimate,
                outcome_index=index,
                outcome=None if index is None else value_map.outcomes[index].name,
                base_value=base_value,
                legal_range=(low, high if math.isfinite(high) else None),
                steps=steps,
                low_ratio=float(ratios.min()),
                high_ratio=float(ratios.max()),
                swing=float(ratios.max() - ratios.min()),
                break_even=_break_even(ratio, base_value, low, high, base_ratio),
            )
        )
    rows.sort(key=lambda row: row.swing, reverse=True)
    return SensitivityResult(
        base_ratio=base_ratio,
        conventions_used=value_map.conventions.describe(),
        changes=[float(c) for c in changes],
        estimates=rows,
    )
