"""The SROI calculation: impact, drop-off, discounting, ratio, payback — one vectorised core."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from impactkit.errors import Problem
from impactkit.sroi._model import Conventions, ValueMap, ensure_valid

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Estimates:
    """Every estimate as an array: shape ``(..., n_outcomes)``, discount rate ``(...)``.

    A leading axis holds scenarios (sensitivity steps, Monte Carlo draws); the calculation
    broadcasts over it, so no Python loop runs per scenario.
    """

    quantity: FloatArray
    proxy: FloatArray
    deadweight: FloatArray
    displacement: FloatArray
    attribution: FloatArray
    drop_off: FloatArray
    duration: FloatArray
    discount_rate: FloatArray

    def with_estimate(self, name: str, values: FloatArray) -> Estimates:
        """A copy with one estimate replaced."""
        return replace(self, **{name: values})


def base_estimates(value_map: ValueMap) -> Estimates:
    """The value map's point estimates as arrays of shape ``(n_outcomes,)``."""
    outcomes = value_map.outcomes

    def column(values: list[float]) -> FloatArray:
        return np.asarray(values, dtype=np.float64)

    return Estimates(
        quantity=column([float(o.quantity) for o in outcomes]),  # type: ignore[arg-type]
        proxy=column([o.proxy.value for o in outcomes]),
        deadweight=column([o.deadweight for o in outcomes]),
        displacement=column([o.displacement for o in outcomes]),
        attribution=column([o.attribution for o in outcomes]),
        drop_off=column([o.drop_off for o in outcomes]),
        duration=column([float(o.duration) for o in outcomes]),
        discount_rate=np.asarray(value_map.discount_rate, dtype=np.float64),
    )


def first_year_impact(value_map: ValueMap, estimates: Estimates) -> FloatArray:
    """Signed impact in each outcome's first year, before drop-off: shape ``(..., n)``."""
    sign = np.asarray([o.sign for o in value_map.outcomes], dtype=np.float64)
    return (
        sign
        * estimates.quantity
        * estimates.proxy
        * (1.0 - estimates.deadweight)
        * (1.0 - estimates.displacement)
        * (1.0 - estimates.attribution)
    )


def year_values(value_map: ValueMap, estimates: Estimates) -> FloatArray:
    """Undiscounted signed value of each outcome in each analysis year: ``(..., n, horizon)``."""
    horizon = value_map.horizon
    start = np.asarray([o.start_year for o in value_map.outcomes], dtype=np.int64)
    year = np.arange(1, horizon + 1)
    year_of_outcome = year[None, :] - start[:, None] + 1  # k = 1 in the outcome's first year
    first = value_map.conventions.drop_off_from == "first_year"
    exponent = np.maximum(year_of_outcome if first else year_of_outcome - 1, 0)
    active = (year_of_outcome >= 1) & (year_of_outcome <= estimates.duration[..., None])
    retained = np.power(1.0 - estimates.drop_off[..., None], exponent)
    impact = first_year_impact(value_map, estimates)
    return np.where(active, impact[..., None] * retained, 0.0)


def discount_factors(conventions: Conventions, rate: FloatArray, years: NDArray[np.int64]) -> FloatArray:
    """Factor that turns a value in each analysis year into present value: ``(..., len(years))``."""
    rate = np.asarray(rate, dtype=np.float64)
    if not conventions.discounting:
        return np.ones(rate.shape + years.shape)
    periods = years if conventions.discount_first_year else years - 1
    return np.power(1.0 + rate[..., None], -periods.astype(np.float64))


def inputs_value(value_map: ValueMap, rate: FloatArray) -> FloatArray:
    """Value of the inputs, at face value or discounted by year (per the conventions): ``(...)``."""
    values = np.asarray([i.value for i in value_map.inputs], dtype=np.float64)
    rate = np.asarray(rate, dtype=np.float64)
    if not value_map.conventions.inputs_discounted:
        return np.full(rate.shape, values.sum())
    years = np.asarray([i.year for i in value_map.inputs], dtype=np.int64)
    return np.asarray((discount_factors(value_map.conventions, rate, years) * values).sum(axis=-1))


def present_value(value_map: ValueMap, estimates: Estimates) -> FloatArray:
    """Total present value of all outcomes: shape ``(...)``."""
    values = year_values(value_map, estimates)
    years = np.arange(1, value_map.horizon + 1)
    factors = discount_factors(value_map.conventions, estimates.discount_rate, years)
    return np.asarray(np.einsum("...nh,...h->...", values, factors))


def sroi_ratio(value_map: ValueMap, estimates: Estimates) -> FloatArray:
    """SROI ratio (present value / inputs) for every scenario: shape ``(...)``."""
    return present_value(value_map, estimates) / inputs_value(value_map, estimates.discount_rate)


# --- the deterministic result ----------------------------------------------------------------


class Notice(BaseModel):
    """A warning about the value map, for the evaluator's checklist."""

    model_config = ConfigDict(frozen=True)

    location: str
    message: str

    @classmethod
    def from_problem(cls, problem: Problem) -> Notice:
        return cls(location=problem.location, message=problem.message)


class OutcomeResult(BaseModel):
    """The calculation for one outcome (money in the value map's currency)."""

    index: int
    name: str
    stakeholder: str
    impact: float
    """Signed impact in the outcome's first year, before drop-off."""
    values: list[float]
    """Undiscounted value per analysis year (year 1 first)."""
    discounted: list[float]
    """Present value of each analysis year's value."""
    present_value: float


class StakeholderTotal(BaseModel):
    """Present value of one stakeholder's outcomes and its share of the total."""

    stakeholder: str
    present_value: float
    share: float | None


class Payback(BaseModel):
    """When the value created pays back the investment, month by month.

    Each analysis year's value — every outcome from its own start year, with its drop-off, less
    negative outcomes — is taken to accrue evenly over that year's twelve months. The payback
    month is the first month at whose end the cumulative value reaches the investment: the
    inputs at face value against undiscounted values, and the inputs as the ratio uses them
    against the discounted values (each year discounted as in the present value). ``None`` when
    it is not reached within the analysis horizon.

    Beside them, the Guide's simple formula, named as such: investment ÷ (annual impact ÷ 12),
    with every outcome's first-year impact counted as if it all came in year 1.
    """

    undiscounted_month: int | None
    """1 = the first month of year 1; None: not reached within the horizon."""
    undiscounted_months: float | None
    """The same point in months, not rounded up to a whole month."""
    discounted_month: int | None
    discounted_months: float | None
    horizon_months: int
    simple_formula_months: float | None
    """The Guide's simple formula: investment ÷ (first-year impact ÷ 12)."""
    note: str = ""


def payback_schedule(
    investment: float,
    discounted_investment: float,
    values_by_year: list[float],
    discounted_by_year: list[float],
) -> tuple[tuple[int | None, float | None], tuple[int | None, float | None]]:
    """(month, months) at which cumulative value reaches the investment, undiscounted and discounted.

    Example (case A of the reference figures: 20,000 against 30,000 a year):
        >>> payback_schedule(20000, 20000, [30000, 27000, 24300], [28985.51, 25204.79, 21917.21])
        ((8, 8.0), (9, 8.28))
    """

    def reach(target: float, yearly: list[float]) -> tuple[int | None, float | None]:
        if target <= 0:
            return 0, 0.0
        cumulative = 0.0
        for year, value in enumerate(yearly):
            if value > 0 and cumulative + value >= target - 1e-9:
                months = 12 * year + 12 * (target - cumulative) / value
                whole = int(np.ceil(months - 1e-9))
                return max(whole, 1), round(months, 2)
            cumulative += value
        return None, None

    return reach(investment, values_by_year), reach(discounted_investment, discounted_by_year)


class SroiResult(BaseModel):
    """Everything ``compute`` found, with the conventions it used (JSON-ready)."""

    name: str
    currency: str
    conventions: Conventions
    conventions_used: str
    discount_rate: float
    horizon_years: int
    inputs_total: float
    """Inputs as used in the ratio (face value, or discounted if the conventions say so)."""
    outcomes: list[OutcomeResult]
    stakeholders: list[StakeholderTotal]
    values_by_year: list[float]
    discounted_by_year: list[float]
    total_present_value: float
    net_present_value: float
    sroi_ratio: float
    net_sroi_ratio: float
    payback_months: float | None
    """The Guide's simple formula: inputs / (first-year impact / 12), every outcome's first-year
    impact counted as if it came in year 1; ``None`` when first-year impact ≤ 0. See ``payback``
    for the month in which the value actually reaches the inputs."""
    payback_note: str
    payback: Payback | None = None
    """The payback month, undiscounted and discounted, following each outcome's start year and drop-off."""
    warnings: list[Notice]

    def table(self) -> str:
        """The result as a plain-text table for a terminal."""
        money = self.currency
        lines = [
            f"SROI {self.name or 'value map'} ({money})",
            f"Conventions: {self.conventions_used}; discount rate {self.discount_rate:.2%}",
            "",
            f"{'#':>3}  {'outcome':<32} {'stakeholder':<20} {'impact y1':>14} {'present value':>15}",
        ]
        for o in self.outcomes:
            lines.append(
                f"{o.index:>3}  {o.name[:32]:<32} {o.stakeholder[:20]:<20} "
                f"{o.impact:>14,.2f} {o.present_value:>15,.2f}"
            )
        lines.append("")
        header = "year            " + "".join(f"{y:>14}" for y in range(1, self.horizon_years + 1))
        lines.append(header)
        lines.append("undiscounted    " + "".join(f"{v:>14,.2f}" for v in self.values_by_year))
        lines.append("discounted      " + "".join(f"{v:>14,.2f}" for v in self.discounted_by_year))
        lines += [
            "",
            f"Total present value  {self.total_present_value:>16,.2f}",
            f"Inputs               {self.inputs_total:>16,.2f}",
            f"Net present value    {self.net_present_value:>16,.2f}",
            f"SROI ratio           {self.sroi_ratio:>16.4f} : 1",
            f"Net SROI ratio       {self.net_sroi_ratio:>16.4f}",
            "Payback (Guide's simple formula) "
            + (
                f"{self.payback_months:>6.1f} months"
                if self.payback_months is not None
                else f"{'not reached':>6}"
            ),
        ]
        if self.payback is not None:
            for label, month in (
                ("Payback month, undiscounted      ", self.payback.undiscounted_month),
                ("Payback month, discounted        ", self.payback.discounted_month),
            ):
                lines.append(
                    label + (f"{month:>6d}" if month is not None else " not reached within the horizon")
                )
        if self.payback_note:
            lines.append(f"  ({self.payback_note})")
        for w in self.warnings:
            lines.append(f"warning: {w.location}: {w.message}")
        return "\n".join(lines)


def payback_months(inputs: float, first_year_total: float) -> tuple[float | None, str]:
    """Guide payback: inputs / (first-year impact / 12), in months.

    When the first-year impact is zero or negative the inputs are never paid back at that
    rate: the result is ``None`` with a note saying so.
    """
    if first_year_total <= 0:
        return None, "first-year impact is zero or negative: the inputs are not paid back"
    return inputs / (first_year_total / 12.0), ""


def compute(value_map: ValueMap) -> SroiResult:
    """Compute an SROI analysis following the conventions of the value map.

    Impact in an outcome's first year is quantity × proxy × (1 − deadweight) ×
    (1 − displacement) × (1 − attribution); later years lose the drop-off; every year's value
    is discounted at ``value_map.discount_rate``; the ratio is present value / inputs.

    Args:
        value_map: a checked map whose quantities are all numbers (KPI links resolved).

    Returns:
        The per-outcome and per-year values, PV, NPV, ratios, payback and the conventions used.

    Raises:
        ValueMapError: the map has impossible inputs (every problem listed).

    Example:
        >>> from impactkit.sroi import ValueMap, compute
        >>> value_map = ValueMap.model_validate({
        ...     "stakeholders": [{"name": "Young people"}],
        ...     "inputs": [{"description": "Grant", "amount": 20000}],
        ...     "outcomes": [{
        ...         "name": "Into work", "stakeholder": "Young people",
        ...         "quantity": 50, "proxy": {"value": 1000, "source": "wage data"},
        ...         "deadweight": "20%", "attribution": 0.25, "drop_off": "10%",
        ...         "duration": 3,
        ...     }],
        ... })
        >>> result = compute(value_map)
        >>> result.outcomes[0].values
        [30000.0, 27000.0, 24300.0]
        >>> round(result.total_present_value, 2), round(result.sroi_ratio, 4)
        (76107.5, 3.8054)
        >>> result.payback_months
        8.0
        >>> result.payback.undiscounted_month, result.payback.discounted_month
        (8, 9)
    """
    warnings = ensure_valid(value_map)
    estimates = base_estimates(value_map)
    values = year_values(value_map, estimates)  # (n, H)
    years = np.arange(1, value_map.horizon + 1)
    factors = discount_factors(value_map.conventions, estimates.discount_rate, years)  # (H,)
    discounted = values * factors
    per_outcome_pv = discounted.sum(axis=1)
    impact = first_year_impact(value_map, estimates)
    total_pv = float(per_outcome_pv.sum())
    inputs = float(inputs_value(value_map, estimates.discount_rate))
    payback, note = payback_months(inputs, float(impact.sum()))
    values_by_year = [float(v) for v in values.sum(axis=0)]
    discounted_by_year = [float(v) for v in discounted.sum(axis=0)]
    undiscounted, discounted_reach = payback_schedule(
        value_map.inputs_total, inputs, values_by_year, discounted_by_year
    )
    horizon_months = 12 * value_map.horizon
    schedule_note = ""
    if undiscounted[0] is None:
        schedule_note = f"the value does not reach the inputs within the {value_map.horizon}-year horizon"
    elif discounted_reach[0] is None:
        schedule_note = (
            f"reached undiscounted in month {undiscounted[0]}; discounted, not within the "
            f"{value_map.horizon}-year horizon"
        )
    outcomes = [
        OutcomeResult(
            index=i,
            name=o.name,
            stakeholder=o.stakeholder,
            impact=float(impact[i]),
            values=[float(v) for v in values[i]],
            discounted=[float(v) for v in discounted[i]],
            present_value=float(per_outcome_pv[i]),
        )
        for i, o in enumerate(value_map.outcomes)
    ]
    by_stakeholder: dict[str, float] = {}
    for o in outcomes:
        by_stakeholder[o.stakeholder] = by_stakeholder.get(o.stakeholder, 0.0) + o.present_value
    stakeholders = [
        StakeholderTotal(
            stakeholder=name,
            present_value=pv,
            share=pv / total_pv if total_pv != 0 else None,
        )
        for name, pv in by_stakeholder.items()
    ]
    return SroiResult(
        name=value_map.name,
        currency=value_map.currency,
        conventions=value_map.conventions,
        conventions_used=value_map.conventions.describe(),
        discount_rate=value_map.discount_rate,
        horizon_years=value_map.horizon,
        inputs_total=inputs,
        outcomes=outcomes,
        stakeholders=stakeholders,
        values_by_year=values_by_year,
        discounted_by_year=discounted_by_year,
        total_present_value=total_pv,
        net_present_value=total_pv - inputs,
        sroi_ratio=total_pv / inputs,
        net_sroi_ratio=(total_pv - inputs) / inputs,
        payback_months=payback,
        payback_note=note,
        payback=Payback(
            undiscounted_month=undiscounted[0],
            undiscounted_months=undiscounted[1],
            discounted_month=discounted_reach[0],
            discounted_months=discounted_reach[1],
            horizon_months=horizon_months,
            simple_formula_months=payback,
            note=schedule_note,
        ),
        warnings=[Notice.from_problem(p) for p in warnings],
    )
