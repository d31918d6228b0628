"""The SROI value map: stakeholders, inputs, outcomes, proxies, conventions, and their checks."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from impactkit.errors import Problem, ValueMapError

_PERCENT = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*%\s*$")

ESTIMATES: tuple[str, ...] = (
    "quantity",
    "proxy",
    "deadweight",
    "displacement",
    "attribution",
    "drop_off",
    "duration",
)
"""The estimates of an outcome that sensitivity and Monte Carlo can vary."""

FRACTION_ESTIMATES: frozenset[str] = frozenset({"deadweight", "displacement", "attribution", "drop_off"})


def _to_fraction(value: Any) -> Any:
    """Read a fraction 0..1, or a percentage string such as ``"20%"`` or ``"20 %"``."""
    if isinstance(value, str):
        match = _PERCENT.match(value)
        if match:
            return float(match.group(1).replace(",", ".")) / 100.0
        try:
            return float(value)
        except ValueError:
            raise ValueError(
                f"expected a fraction between 0 and 1 or a percentage such as '20%', got {value!r}"
            ) from None
    return value


def _check_fraction(value: float) -> float:
    if not math.isfinite(value) or value < 0.0 or value > 1.0:
        shown = f"{value * 100:g} %" if math.isfinite(value) and abs(value) <= 1.0 else f"{value:g}"
        raise ValueError(
            f"percentage outside 0–100 %: got {shown}; expected a fraction between 0 and 1 "
            "(write 0.2 or '20%' for twenty per cent)"
        )
    return value


Fraction = Annotated[float, BeforeValidator(_to_fraction)]
"""A share between 0 and 1; YAML/JSON may also say ``"20%"``."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stakeholder(_Model):
    """A group of people or organisations that experience change (or put in resources)."""

    name: str = Field(min_length=1)
    description: str = ""


class Input(_Model):
    """A resource put into the activity: money, or in kind as ``hours`` × ``rate``.

    Values are in the value map's currency. ``year`` is the analysis year the input is spent
    in (1 = first year); it matters only when ``Conventions.inputs_discounted`` is on.
    """

    description: str = Field(min_length=1)
    stakeholder: str | None = None
    amount: float | None = None
    hours: float | None = None
    rate: float | None = None
    """Value of one hour in the map's currency (e.g. a volunteer's shadow wage)."""
    source: str = ""
    year: int = 1

    @property
    def kind(self) -> Literal["money", "in-kind"]:
        """``money`` when an amount is given, ``in-kind`` for hours × rate."""
        return "money" if self.amount is not None else "in-kind"

    @property
    def value(self) -> float:
        """The input's value in the map's currency (amount, or hours × rate)."""
        if self.amount is not None:
            return self.amount
        return (self.hours or 0.0) * (self.rate or 0.0)


class KpiLink(_Model):
    """A quantity taken from a KPI result of a project and period (resolved by the service)."""

    kpi: str = Field(min_length=1)
    """The indicator id of the KPI."""
    project_id: int | str
    period_id: int | str


class FinancialProxy(_Model):
    """The money value of one unit of an outcome."""

    value: float
    description: str = ""
    """What the proxy is (the SVI value map's "What proxy would you use to value the change?")."""
    currency: str | None = None
    """ISO 4217 code; ``None`` means the value map's currency."""
    year: int | None = None
    """Price year of the value."""
    source: str = ""
    bank: str | None = None
    """The proxy-bank entry it was taken from, ``bank_id@version#proxy_id`` (None: typed in)."""


# --- distributions -------------------------------------------------------------------------


def _to_number(value: Any) -> Any:
    converted = _to_fraction(value) if isinstance(value, str) else value
    return converted


Number = Annotated[float, BeforeValidator(_to_number)]


class Uniform(_Model):
    """Every value between ``low`` and ``high`` equally likely."""

    kind: Literal["uniform"] = "uniform"
    low: Number
    high: Number


class Triangular(_Model):
    """Triangular distribution on ``low``..``high`` peaking at ``mode``."""

    kind: Literal["triangular"] = "triangular"
    low: Number
    mode: Number
    high: Number


class Pert(_Model):
    """PERT (scaled beta) on ``low``..``high``, most likely ``mode``; ``shape`` 4 is classic."""

    kind: Literal["pert"] = "pert"
    low: Number
    mode: Number
    high: Number
    shape: float = 4.0


class Normal(_Model):
    """Normal with ``mean`` and standard deviation ``sd``, truncated to the legal range."""

    kind: Literal["normal"] = "normal"
    mean: Number
    sd: Number


class LogNormal(_Model):
    """Log-normal given by the ``mean`` and ``sd`` of the value itself (not of its logarithm).

    Truncated to the estimate's legal range (e.g. at 100 % for a percentage).
    """

    kind: Literal["lognormal"] = "lognormal"
    mean: Number
    sd: Number


Distribution = Annotated[Uniform | Triangular | Pert | Normal | LogNormal, Field(discriminator="kind")]


def distribution_problems(dist: Distribution) -> list[str]:
    """What is wrong with a distribution's parameters (empty when it is usable)."""
    out: list[str] = []
    if isinstance(dist, Uniform) and not dist.low < dist.high:
        out.append(f"uniform needs low < high, got low={dist.low:g}, high={dist.high:g}")
    if isinstance(dist, Triangular | Pert):
        if not dist.low <= dist.mode <= dist.high or dist.low == dist.high:
            out.append(
                f"{dist.kind} needs low ≤ mode ≤ high with low < high, got "
                f"{dist.low:g} / {dist.mode:g} / {dist.high:g}"
            )
        if isinstance(dist, Pert) and dist.shape <= 0:
            out.append(f"pert shape must be > 0, got {dist.shape:g}")
    if isinstance(dist, Normal | LogNormal) and not dist.sd > 0:
        out.append(f"{dist.kind} needs sd > 0, got {dist.sd:g}")
    if isinstance(dist, LogNormal) and not dist.mean > 0:
        out.append(f"lognormal needs mean > 0, got {dist.mean:g}")
    return out


def distribution_support(dist: Distribution) -> tuple[float, float]:
    """Smallest and largest value a distribution can give before truncation."""
    if isinstance(dist, Uniform | Triangular | Pert):
        return dist.low, dist.high
    if isinstance(dist, LogNormal):
        return 0.0, math.inf
    return -math.inf, math.inf


# --- outcomes and the map ------------------------------------------------------------------


class Outcome(_Model):
    """One well-defined change for one stakeholder, with its indicator, proxy and adjustments."""

    name: str = Field(min_length=1)
    stakeholder: str
    description: str = ""
    indicator: str = ""
    quantity: float | KpiLink
    """How many units of the outcome (people, cases …), or a link to a KPI result."""
    proxy: FinancialProxy
    deadweight: Fraction = 0.0
    displacement: Fraction = 0.0
    attribution: Fraction = 0.0
    drop_off: Fraction = 0.0
    duration: int = 1
    """Years the outcome lasts."""
    start_year: int = 1
    """Analysis year in which the outcome starts (1 = first year of the analysis)."""
    negative: bool = False
    """A negative outcome: its value is subtracted."""
    evidence: dict[str, str] = Field(default_factory=dict)
    """Evidence per estimate, keyed by estimate name (``quantity``, ``deadweight`` …)."""
    distributions: dict[str, Distribution] = Field(default_factory=dict)
    """Uncertainty per estimate for the Monte Carlo, keyed by estimate name."""

    @field_validator("proxy", mode="before")
    @classmethod
    def _proxy_shorthand(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return {"value": value}
        return value

    @field_validator("deadweight", "displacement", "attribution", "drop_off")
    @classmethod
    def _fraction_range(cls, value: float) -> float:
        return _check_fraction(value)

    @field_validator("quantity")
    @classmethod
    def _quantity_not_negative(cls, value: float | KpiLink) -> float | KpiLink:
        if isinstance(value, float) and (not math.isfinite(value) or value < 0):
            raise ValueError(f"negative quantity: got {value:g}; expected a number ≥ 0")
        return value

    @field_validator("duration")
    @classmethod
    def _duration_positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"duration {value} years; expected a whole number of years ≥ 1")
        return value

    @field_validator("start_year")
    @classmethod
    def _start_positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"start year {value}; expected 1 (first year of the analysis) or later")
        return value

    @property
    def sign(self) -> float:
        """+1 for a positive outcome, −1 for a negative one."""
        return -1.0 if self.negative else 1.0

    @property
    def end_year(self) -> int:
        """Last analysis year in which the outcome has value."""
        return self.start_year + self.duration - 1


class Conventions(_Model):
    """The calculation choices on which SROI practice varies; defaults follow the Guide."""

    discounting: bool = True
    """Discount future values to present value at ``ValueMap.discount_rate``."""
    discount_first_year: bool = True
    """Guide: discount year 1 too (PV = Σ v_t / (1+r)^t). False: year 1 at face value."""
    drop_off_from: Literal["second_year", "first_year"] = "second_year"
    """Guide: drop-off applies from an outcome's second year; ``first_year``: already in year 1."""
    inputs_discounted: bool = False
    """Guide: inputs at face value. True: multi-year inputs discounted by their ``year``."""

    def describe(self) -> str:
        """One line for the printed result."""
        parts = [
            "discounting " + ("on" if self.discounting else "off"),
            "first year " + ("discounted" if self.discount_first_year else "not discounted"),
            "drop-off from the " + self.drop_off_from.replace("_", " "),
            "inputs " + ("discounted" if self.inputs_discounted else "at face value"),
        ]
        return "; ".join(parts)


class ValueMap(_Model):
    """An SROI analysis: who, what went in, what changed, what it is worth, how it is counted."""

    name: str = ""
    currency: str = "EUR"
    stakeholders: list[Stakeholder] = Field(default_factory=list)
    inputs: list[Input] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(default_factory=list)
    discount_rate: float = 0.035
    """Annual discount rate as a fraction, 0.035 = 3.5 % (HM Treasury Green Book)."""
    discount_rate_distribution: Distribution | None = None
    horizon_years: int | None = None
    """Length of the analysis in years; by default the last year any outcome has value."""
    conventions: Conventions = Field(default_factory=Conventions)
    proxy_bank: str | None = None
    """``id@version`` of the proxy bank the map's proxies were taken from, if any."""

    @field_validator("discount_rate", mode="before")
    @classmethod
    def _rate_percent(cls, value: Any) -> Any:
        return _to_fraction(value)

    @property
    def horizon(self) -> int:
        """Analysis horizon in years (explicit, or the last year any outcome has value)."""
        if self.horizon_years is not None:
            return self.horizon_years
        return max((o.end_year for o in self.outcomes), default=1)

    @property
    def inputs_total(self) -> float:
        """Sum of the inputs at face value."""
        return sum(i.value for i in self.inputs)


def _outcome_label(data: Any, index: int) -> str:
    try:
        name = data["outcomes"][index]["name"]
    except (KeyError, IndexError, TypeError):
        return ""
    return f" ({name})" if isinstance(name, str) and name else ""


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _pydantic_problems(error: ValidationError, data: Any) -> list[Problem]:
    problems: list[Problem] = []
    for item in error.errors():
        loc = tuple(item["loc"])
        # Union branches add their type name to the location; drop them so the field is named.
        loc = tuple(p for p in loc if p not in {"float", "KpiLink", "int", "str"})
        message = str(item["msg"]).removeprefix("Value error, ")
        label = ""
        if len(loc) >= 2 and loc[0] == "outcomes" and isinstance(loc[1], int):
            label = _outcome_label(data, loc[1])
        problems.append(Problem(message=message, location=_location(loc) + label, code=item["type"]))
    # A union of number-or-link reports twice for one bad quantity; keep each location once.
    seen: set[str] = set()
    unique: list[Problem] = []
    for p in problems:
        if p.location not in seen:
            seen.add(p.location)
            unique.append(p)
    return unique


def check_value_map(value_map: ValueMap) -> tuple[list[Problem], list[Problem]]:
    """Cross-field checks of a value map.

    Returns:
        ``(errors, warnings)``. Errors make the map impossible to compute; warnings (such as a
        proxy without a source) are for the evaluator's checklist.
    """
    errors: list[Problem] = []
    warnings: list[Problem] = []
    known = {s.name for s in value_map.stakeholders}
    if not math.isfinite(value_map.discount_rate) or not 0 <= value_map.discount_rate < 1:
        errors.append(
            Problem(
                f"discount rate {value_map.discount_rate:g}; expected a fraction from 0 to below 1"
                " (0.035 = 3.5 %)",
                "discount_rate",
            )
        )
    if value_map.horizon_years is not None and value_map.horizon_years < 1:
        errors.append(Problem("expected an analysis horizon of at least 1 year", "horizon_years"))
    if not value_map.outcomes:
        errors.append(Problem("a value map needs at least one outcome", "outcomes"))
    horizon = value_map.horizon
    for index, outcome in enumerate(value_map.outcomes):
        where = f"outcomes[{index}]"
        label = f" ({outcome.name})"
        if outcome.stakeholder not in known:
            errors.append(
                Problem(
                    f"unknown stakeholder {outcome.stakeholder!r}; expected one of "
                    f"{sorted(known) or 'the stakeholders list (empty)'}",
                    f"{where}.stakeholder{label}",
                )
            )
        if outcome.start_year > horizon:
            errors.append(
                Problem(
                    f"start year {outcome.start_year} is beyond the {horizon}-year horizon",
                    f"{where}.start_year{label}",
                )
            )
        if not math.isfinite(outcome.proxy.value) or outcome.proxy.value < 0:
            errors.append(
                Problem(
                    f"proxy value {outcome.proxy.value:g}; expected ≥ 0 (mark a negative outcome "
                    "with negative: true)",
                    f"{where}.proxy.value{label}",
                )
            )
        currency = outcome.proxy.currency
        if currency is not None and currency != value_map.currency:
            errors.append(
                Problem(
                    f"proxy in {currency} but the value map is in {value_map.currency}; "
                    "convert the proxy first",
                    f"{where}.proxy.currency{label}",
                )
            )
        if not outcome.proxy.source.strip():
            warnings.append(
                Problem("financial proxy has no source", f"{where}.proxy.source{label}", "warning")
            )
        bank = outcome.proxy.bank
        if bank is not None and bank.partition("#")[0] != value_map.proxy_bank:
            warnings.append(
                Problem(
                    f"proxy taken from {bank.partition('#')[0]} but the value map records "
                    f"proxy_bank {value_map.proxy_bank!r}",
                    f"{where}.proxy.bank{label}",
                    "warning",
                )
            )
        for estimate, dist in outcome.distributions.items():
            dloc = f"{where}.distributions.{estimate}{label}"
            if estimate not in ESTIMATES:
                errors.append(Problem(f"unknown estimate; expected one of {list(ESTIMATES)}", dloc))
                continue
            errors.extend(Problem(m, dloc) for m in distribution_problems(dist))
            low, high = distribution_support(dist)
            bounded = isinstance(dist, Uniform | Triangular | Pert)
            if estimate in FRACTION_ESTIMATES and bounded and (low < 0 or high > 1):
                errors.append(Problem("percentage outside 0–100 % in the distribution's range", dloc))
            if isinstance(dist, Uniform | Triangular | Pert) and low < 0:
                errors.append(Problem("expected a range of values ≥ 0", dloc))
        for estimate in outcome.evidence:
            if estimate not in ESTIMATES:
                errors.append(
                    Problem(
                        f"unknown estimate; expected one of {list(ESTIMATES)}",
                        f"{where}.evidence.{estimate}{label}",
                    )
                )
    if value_map.discount_rate_distribution is not None:
        errors.extend(
            Problem(m, "discount_rate_distribution")
            for m in distribution_problems(value_map.discount_rate_distribution)
        )
    for index, item in enumerate(value_map.inputs):
        where = f"inputs[{index}]"
        if item.amount is None and (item.hours is None or item.rate is None):
            errors.append(Problem("expected an amount, or hours and a rate for an in-kind input", where))
        for name in ("amount", "hours", "rate"):
            number = getattr(item, name)
            if number is not None and (not math.isfinite(number) or number < 0):
                errors.append(Problem(f"{name} {number:g}; expected ≥ 0", f"{where}.{name}"))
        if item.year < 1:
            errors.append(Problem("expected an analysis year ≥ 1", f"{where}.year"))
        if item.stakeholder is not None and known and item.stakeholder not in known:
            errors.append(Problem(f"unknown stakeholder {item.stakeholder!r}", f"{where}.stakeholder"))
    total = value_map.inputs_total
    if not total > 0:
        errors.append(
            Problem(
                f"inputs total {total:g}; expected a total value of inputs > 0 "
                "(the SROI ratio divides by it)",
                "inputs",
            )
        )
    return errors, warnings


def parse_value_map(data: Any, *, source: str = "value map") -> ValueMap:
    """Build and check a value map from plain data (a dict from YAML, JSON or an API body).

    Raises:
        ValueMapError: with every problem, each located like ``outcomes[2].deadweight (Name)``.
    """
    if not isinstance(data, Mapping):
        raise ValueMapError(
            f"{source}: expected a mapping with stakeholders, inputs and outcomes",
            [Problem(f"got {type(data).__name__}", "")],
        )
    try:
        value_map = ValueMap.model_validate(data)
    except ValidationError as error:
        problems = _pydantic_problems(error, data)
        # Check the rest of the map too, so the user sees every problem at once.
        problems.extend(_cross_problems_despite(error, data, problems))
        raise ValueMapError(f"{source} has impossible inputs", problems) from None
    errors, _ = check_value_map(value_map)
    if errors:
        raise ValueMapError(f"{source} has impossible inputs", errors)
    return value_map


_PLACEHOLDERS: dict[str, Any] = {
    "name": "?",
    "description": "?",
    "stakeholder": None,
    "quantity": 0.0,
    "proxy": {"value": 0.0, "source": "?"},
    "value": 0.0,
    "amount": 1.0,
}


def _cross_problems_despite(
    error: ValidationError, data: Mapping[str, Any], reported: list[Problem]
) -> list[Problem]:
    """Cross-field problems of a map whose fields failed validation.

    The failing fields are replaced by neutral values (their default, or a placeholder), the
    repaired map is checked, and problems about the replaced fields are left out.
    """
    repaired: Any = json.loads(json.dumps(data, default=str))
    replaced: set[str] = set()
    for _ in range(3):
        for item in error.errors():
            loc = [p for p in item["loc"] if p not in {"float", "KpiLink", "int", "str"}]
            if not loc:
                return []
            parent: Any = repaired
            try:
                for part in loc[:-1]:
                    parent = parent[part]
            except (KeyError, IndexError, TypeError):
                return []
            key = loc[-1]
            replaced.add(_location(tuple(loc)))
            if isinstance(parent, dict):
                placeholder = _PLACEHOLDERS.get(str(key), ...)
                if item["type"] == "missing" or placeholder is not ...:
                    if placeholder is ... or placeholder is None:
                        return []
                    parent[key] = placeholder
                else:
                    parent.pop(key, None)
            else:
                return []
        try:
            repaired_map = ValueMap.model_validate(repaired)
        except ValidationError as again:
            error = again
            continue
        errors, _ = check_value_map(repaired_map)
        seen = {p.location for p in reported}
        return [p for p in errors if p.location.partition(" (")[0] not in replaced and p.location not in seen]
    return []


def load_value_map(path: str | Path) -> ValueMap:
    """Read a value map from a YAML (``.yaml``/``.yml``) or JSON file and check it.

    Raises:
        ValueMapError: the file cannot be read, or the map has impossible inputs (every problem).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ValueMapError(f"cannot read {path}", [Problem(str(error), str(path))]) from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise ValueMapError(f"{path} is not valid YAML/JSON", [Problem(str(error), str(path))]) from None
    return parse_value_map(data, source=str(path))


def ensure_valid(value_map: ValueMap) -> list[Problem]:
    """Raise ValueMapError when the map is impossible to compute; return its warnings."""
    errors, warnings = check_value_map(value_map)
    for index, outcome in enumerate(value_map.outcomes):
        if isinstance(outcome.quantity, KpiLink):
            link = outcome.quantity
            errors.append(
                Problem(
                    f"quantity is linked to KPI {link.kpi!r} (project {link.project_id}, period "
                    f"{link.period_id}) and has not been resolved; call resolve_quantities first",
                    f"outcomes[{index}].quantity ({outcome.name})",
                    "unresolved",
                )
            )
    if errors:
        raise ValueMapError("value map has impossible inputs", errors)
    return warnings


def kpi_links(value_map: ValueMap) -> dict[int, KpiLink]:
    """The outcomes whose quantity is a KPI link, by outcome index."""
    return {i: o.quantity for i, o in enumerate(value_map.outcomes) if isinstance(o.quantity, KpiLink)}


def resolve_quantities(value_map: ValueMap, quantities: Mapping[int, float]) -> ValueMap:
    """Replace KPI-linked quantities with their resolved values.

    Args:
        value_map: a map whose outcomes may carry ``KpiLink`` quantities.
        quantities: resolved value per outcome index (as given by :func:`kpi_links`).

    Returns:
        A new map with numbers in place of the links; the evidence of each resolved quantity
        records which KPI, project and period it came from.

    Raises:
        ValueMapError: a link left unresolved, or a resolved value that is negative.
    """
    problems: list[Problem] = []
    outcomes: list[Outcome] = []
    for index, outcome in enumerate(value_map.outcomes):
        link = outcome.quantity
        if not isinstance(link, KpiLink):
            outcomes.append(outcome)
            continue
        where = f"outcomes[{index}].quantity ({outcome.name})"
        if index not in quantities:
            problems.append(Problem(f"no resolved value for KPI {link.kpi!r}", where, "unresolved"))
            outcomes.append(outcome)
            continue
        value = float(quantities[index])
        if not math.isfinite(value) or value < 0:
            problems.append(Problem(f"negative quantity: got {value:g} from KPI {link.kpi!r}", where))
            outcomes.append(outcome)
            continue
        evidence = dict(outcome.evidence)
        note = f"KPI {link.kpi} of project {link.project_id}, period {link.period_id}"
        evidence["quantity"] = f"{note}; {evidence['quantity']}" if "quantity" in evidence else note
        outcomes.append(outcome.model_copy(update={"quantity": value, "evidence": evidence}))
    if problems:
        raise ValueMapError("KPI-linked quantities could not be resolved", problems)
    return value_map.model_copy(update={"outcomes": outcomes})
