"""Monte Carlo uncertainty: draw every uncertain estimate at once, get the ratio's distribution."""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel

from impactkit.sroi._engine import (
    Estimates,
    FloatArray,
    base_estimates,
    inputs_value,
    present_value,
    sroi_ratio,
)
from impactkit.sroi._model import (
    ESTIMATES,
    FRACTION_ESTIMATES,
    Distribution,
    LogNormal,
    Normal,
    Pert,
    Triangular,
    Uniform,
    ValueMap,
    ensure_valid,
)


def legal_range(estimate: str) -> tuple[float, float]:
    """Legal range: percentages 0..1, discount rate 0..<1, others ≥ 0 (duration ≥ 1)."""
    if estimate in FRACTION_ESTIMATES:
        return 0.0, 1.0
    if estimate == "discount_rate":
        return 0.0, 0.999_999
    if estimate == "duration":
        return 1.0, math.inf
    return 0.0, math.inf


def _truncated_normal(
    rng: np.random.Generator, mean: float, sd: float, low: float, high: float, size: int
) -> FloatArray:
    # Inverse-CDF sampling between the bounds: an exact truncation, not a clip at the edges.
    from scipy.special import ndtr, ndtri  # here: scipy costs a second to import

    lower = ndtr((low - mean) / sd) if math.isfinite(low) else 0.0
    upper = ndtr((high - mean) / sd) if math.isfinite(high) else 1.0
    uniform = rng.uniform(lower, upper, size)
    return np.asarray(np.clip(mean + sd * ndtri(uniform), low, high), dtype=np.float64)


def draw(
    distribution: Distribution,
    rng: np.random.Generator,
    size: int,
    low: float = -math.inf,
    high: float = math.inf,
) -> FloatArray:
    """Draw ``size`` values of one estimate, truncated to ``low``..``high``.

    Example:
        >>> import numpy as np
        >>> from impactkit.sroi import Pert
        >>> values = draw(Pert(low=0.1, mode=0.2, high=0.4), np.random.default_rng(1), 1000)
        >>> bool(values.min() >= 0.1 and values.max() <= 0.4)
        True
    """
    if isinstance(distribution, Uniform):
        return rng.uniform(distribution.low, distribution.high, size)
    if isinstance(distribution, Triangular):
        return rng.triangular(distribution.low, distribution.mode, distribution.high, size)
    if isinstance(distribution, Pert):
        width = distribution.high - distribution.low
        alpha = 1 + distribution.shape * (distribution.mode - distribution.low) / width
        beta = 1 + distribution.shape * (distribution.high - distribution.mode) / width
        return distribution.low + rng.beta(alpha, beta, size) * width
    if isinstance(distribution, Normal):
        return _truncated_normal(rng, distribution.mean, distribution.sd, low, high, size)
    if isinstance(distribution, LogNormal):
        sigma = math.sqrt(math.log1p((distribution.sd / distribution.mean) ** 2))
        mu = math.log(distribution.mean) - sigma**2 / 2
        log_low = math.log(low) if low > 0 else -math.inf
        log_high = math.log(high) if math.isfinite(high) and high > 0 else math.inf
        return np.exp(_truncated_normal(rng, mu, sigma, log_low, log_high, size))
    raise TypeError(f"unknown distribution {distribution!r}")  # pragma: no cover


class Summary(BaseModel):
    """Summary of a simulated quantity."""

    mean: float
    median: float
    p5: float
    p95: float
    sd: float
    minimum: float
    maximum: float

    @classmethod
    def of(cls, values: FloatArray) -> Summary:
        p5, median, p95 = np.percentile(values, [5, 50, 95])
        return cls(
            mean=float(values.mean()),
            median=float(median),
            p5=float(p5),
            p95=float(p95),
            sd=float(values.std(ddof=1)) if values.size > 1 else 0.0,
            minimum=float(values.min()),
            maximum=float(values.max()),
        )


class MonteCarloResult(BaseModel):
    """The distribution of the SROI ratio and present value over the draws (JSON-ready)."""

    draws: int
    seed: int | None
    uncertain: list[str]
    """Which estimates were drawn, e.g. ``outcomes[0].proxy``."""
    base_ratio: float
    ratio: Summary
    probability_ratio_below_one: float
    present_value: Summary
    net_present_value: Summary
    conventions_used: str

    def table(self) -> str:
        """The result as plain text for a terminal."""
        r, pv = self.ratio, self.present_value
        return "\n".join(
            [
                f"Monte Carlo: {self.draws:,} draws, seed {self.seed}",
                f"Uncertain estimates: {', '.join(self.uncertain) or '(none)'}",
                f"Conventions: {self.conventions_used}",
                "",
                f"{'':<16}{'mean':>14}{'median':>14}{'p5':>14}{'p95':>14}",
                f"{'SROI ratio':<16}{r.mean:>14.4f}{r.median:>14.4f}{r.p5:>14.4f}{r.p95:>14.4f}",
                f"{'present value':<16}{pv.mean:>14,.2f}{pv.median:>14,.2f}{pv.p5:>14,.2f}{pv.p95:>14,.2f}",
                "",
                f"Deterministic ratio        {self.base_ratio:.4f}",
                f"Probability ratio < 1      {self.probability_ratio_below_one:.4f}",
            ]
        )


def simulate(value_map: ValueMap, draws: int = 10_000, seed: int | None = None) -> MonteCarloResult:
    """Draw every estimate that carries a distribution and compute the ratio for each draw.

    All draws are computed together as arrays of shape (draws × outcomes × years); there is no
    Python loop over draws. Percentages are truncated to 0–100 %, quantities and proxies to
    ≥ 0, durations rounded to whole years ≥ 1.

    Args:
        value_map: a checked map; estimates without a distribution keep their point value.
        draws: number of draws.
        seed: seed of numpy's default generator; the same seed gives the same result.

    Example:
        >>> from impactkit.sroi import ValueMap, simulate
        >>> value_map = ValueMap.model_validate({
        ...     "stakeholders": [{"name": "Young people"}],
        ...     "inputs": [{"description": "Grant", "amount": 20000}],
        ...     "outcomes": [{"name": "Into work", "stakeholder": "Young people",
        ...                   "quantity": 50, "proxy": 1000, "deadweight": "20%",
        ...                   "attribution": "25%", "drop_off": "10%", "duration": 3,
        ...                   "distributions": {"proxy": {"kind": "uniform",
        ...                                               "low": 500, "high": 1500}}}],
        ... })
        >>> result = simulate(value_map, draws=20_000, seed=7)
        >>> 3.7 < result.ratio.mean < 3.9, result.probability_ratio_below_one
        (True, 0.0)
    """
    return simulate_with_ratios(value_map, draws, seed)[0]


def simulate_with_ratios(
    value_map: ValueMap, draws: int = 10_000, seed: int | None = None
) -> tuple[MonteCarloResult, FloatArray]:
    """:func:`simulate`, and the SROI ratio of every draw (for a histogram)."""
    ensure_valid(value_map)
    if draws < 1:
        raise ValueError("draws must be at least 1")
    rng = np.random.default_rng(seed)
    base = base_estimates(value_map)
    fields: dict[str, FloatArray] = {
        name: np.broadcast_to(getattr(base, name), (draws, len(value_map.outcomes))) for name in ESTIMATES
    }
    uncertain: list[str] = []
    longest_end = value_map.horizon
    for index, outcome in enumerate(value_map.outcomes):
        for name in ESTIMATES:
            distribution = outcome.distributions.get(name)
            if distribution is None:
                continue
            low, high = legal_range(name)
            values = draw(distribution, rng, draws, low, high)
            values = np.clip(values, low, high)
            if name == "duration":
                values = np.maximum(np.floor(values + 0.5), 1.0)
                longest_end = max(longest_end, outcome.start_year + int(values.max()) - 1)
            if not fields[name].flags.writeable:
                fields[name] = fields[name].copy()
            fields[name][:, index] = values
            uncertain.append(f"outcomes[{index}].{name}")
    rate: FloatArray = np.full(draws, float(base.discount_rate))
    if value_map.discount_rate_distribution is not None:
        low, high = legal_range("discount_rate")
        rate = np.clip(draw(value_map.discount_rate_distribution, rng, draws, low, high), low, high)
        uncertain.append("discount_rate")
    simulated = value_map
    if value_map.horizon_years is None and longest_end > value_map.horizon:
        # Drawn durations may run past the derived horizon; widen it so no value is cut off.
        simulated = value_map.model_copy(update={"horizon_years": longest_end})
    estimates = Estimates(**fields, discount_rate=rate)
    pv = present_value(simulated, estimates)
    inputs = inputs_value(simulated, rate)
    ratio = pv / inputs
    result = MonteCarloResult(
        draws=draws,
        seed=seed,
        uncertain=uncertain,
        base_ratio=float(sroi_ratio(value_map, base)),
        ratio=Summary.of(ratio),
        probability_ratio_below_one=float(np.mean(ratio < 1.0)),
        present_value=Summary.of(pv),
        net_present_value=Summary.of(pv - inputs),
        conventions_used=value_map.conventions.describe(),
    )
    return result, ratio
