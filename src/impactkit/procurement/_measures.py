"""The shared measure set for social procurement: measures as versioned data, each valued only
where a public, sourced value exists.

A measure is valued in one of three ways, and the loader refuses anything else:

- ``proxy: <id>``: a financial proxy of the proxy bank (``frameworks/proxies/bank.yaml``), whose
  value carries its source, price year and method;
- ``value`` + ``currency`` + ``price_year`` + ``source``: a value stated in the measure file, with
  a checkable source (title, publisher, year, an address or identifier);
- ``counted_not_monetised: true`` + ``why``: counted in its unit, never turned into money.

A value without a source and a year is refused, as is a measure that is neither valued nor
marked counted-not-monetised.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from impactkit._paths import data_dir
from impactkit.errors import FrameworkError, Problem
from impactkit.frameworks.model import LocalizedText
from impactkit.frameworks.proxies import ProxyBank, SourceReference, adjust_proxy, shipped_proxy_bank

MEASURES_FILE = "measures.yaml"
PROCUREMENT_DIR = "procurement"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Measure(_Strict):
    """One social-value measure a tender may ask for and a supplier commits to."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    labels: LocalizedText
    definition: LocalizedText
    unit: LocalizedText
    evidence: LocalizedText
    """What the supplier hands in to show delivery."""
    plan_objectives: list[str] = Field(min_length=1)
    sdg_targets: list[str] = Field(default_factory=list)
    proxy: str | None = None
    """Id of a proxy of the proxy bank."""
    value: float | None = Field(default=None, ge=0)
    """A value per unit stated here (needs ``currency``, ``price_year`` and ``source``)."""
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    price_year: int | None = Field(default=None, ge=1900, le=2100)
    source: SourceReference | None = None
    counted_not_monetised: bool = False
    why: LocalizedText | None = None
    """Why the measure is counted and not monetised."""

    @model_validator(mode="after")
    def _valued_or_counted(self) -> Measure:
        if self.value is not None:
            missing = [name for name in ("source", "price_year", "currency") if getattr(self, name) is None]
            if missing:
                raise ValueError(
                    f"a value needs its {', '.join(missing)} (a source with title, publisher and "
                    "year); without them mark the measure counted_not_monetised: true with why"
                )
            if self.proxy is not None:
                raise ValueError("give either 'proxy' (from the bank) or 'value', not both")
        elif self.source is not None or self.price_year is not None:
            raise ValueError("'source' and 'price_year' go with a 'value'")
        monetised = self.value is not None or self.proxy is not None
        if self.counted_not_monetised and monetised:
            raise ValueError("a measure counted_not_monetised has no 'value' or 'proxy'")
        if not monetised and not self.counted_not_monetised:
            raise ValueError(
                "no proxy and no sourced value: mark the measure counted_not_monetised: true and say why"
            )
        if self.counted_not_monetised and self.why is None:
            raise ValueError("say 'why' the measure is counted, not monetised")
        return self

    @property
    def monetised(self) -> bool:
        return not self.counted_not_monetised


class MeasureSet(_Strict):
    """A versioned set of measures (``id@version`` is what a tender records)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: str = Field(min_length=1)
    title: LocalizedText
    measures: list[Measure] = Field(min_length=1)

    @property
    def reference(self) -> str:
        return f"{self.id}@{self.version}"

    def measure(self, measure_id: str) -> Measure:
        for measure in self.measures:
            if measure.id == measure_id:
                return measure
        known = ", ".join(m.id for m in self.measures)
        raise FrameworkError(
            f"no measure {measure_id!r} in {self.reference}",
            [
                Problem(
                    f"unknown measure {measure_id!r}; the set has {known}", "measure_id", "unknown_measure"
                )
            ],
        )


class UnitValue(_Strict):
    """The money value of one unit of a measure, at the prices of ``year``, with its source."""

    value: float
    currency: str
    year: int
    source: str
    """A one-line citation."""
    reference: str
    """``impactkit-proxies@2026.1#id`` for a bank proxy, ``<set>@<version>#<measure>`` otherwise."""


def unit_value(
    measure_set: MeasureSet, measure_id: str, bank: ProxyBank | None = None, price_year: int | None = None
) -> UnitValue | None:
    """The value per unit of a measure (None when it is counted, not monetised).

    A bank proxy is moved to ``price_year`` prices with the bank's price index when a year is
    given, and rounded to the cent as the SROI editor does.

    >>> measures = shipped_measure_set()
    >>> unit_value(measures, "training_hours_youth") is None
    True
    >>> unit_value(measures, "volunteering_hours").value
    18.57
    """
    measure = measure_set.measure(measure_id)
    if measure.counted_not_monetised:
        return None
    if measure.proxy is not None:
        bank = bank or shipped_proxy_bank()
        entry = bank.proxy(measure.proxy)
        value, year, note = entry.value, entry.price_year, ""
        if price_year is not None and price_year != entry.price_year:
            adjusted = adjust_proxy(entry, price_year, bank.index)
            value, year = adjusted.value, price_year
            note = (
                f" Adjusted from {entry.price_year} prices by {adjusted.index}, factor {adjusted.factor:.4f}."
            )
        return UnitValue(
            value=round(value, 2),
            currency=entry.currency,
            year=year,
            source=entry.source.citation() + note,
            reference=f"{bank.reference}#{entry.id}",
        )
    assert measure.value is not None and measure.source is not None
    assert measure.currency is not None and measure.price_year is not None
    return UnitValue(
        value=measure.value,
        currency=measure.currency,
        year=measure.price_year,
        source=measure.source.citation(),
        reference=f"{measure_set.reference}#{measure.id}",
    )


def measure_set_problems(
    raw: Any, file_name: str = MEASURES_FILE, bank: ProxyBank | None = None
) -> tuple[MeasureSet | None, list[Problem]]:
    """Check a measure set's raw data: the model, unique ids, known Plan objectives, SDG targets
    and bank proxies. Every problem names the measure and field."""
    from impactkit.frameworks.loading import _validation_problems, plan_objective_ids, sdg_target_ids

    if not isinstance(raw, dict):
        return None, [Problem("expected a mapping with id, version, title and measures", file_name)]
    try:
        measure_set = MeasureSet.model_validate(raw)
    except ValidationError as error:
        return None, [
            Problem(p.message, f"{file_name}: {p.location}", p.code) for p in _validation_problems(error, raw)
        ]
    problems: list[Problem] = []
    seen: set[str] = set()
    objectives, targets = plan_objective_ids(), sdg_target_ids()
    bank = bank or shipped_proxy_bank()
    proxies = {entry.id for entry in bank.proxies}
    for measure in measure_set.measures:
        where = f"{file_name}: measures[{measure.id}]"
        if measure.id in seen:
            problems.append(Problem(f"measure id {measure.id!r} is used twice", f"{where}.id", "duplicate"))
        seen.add(measure.id)
        for objective in measure.plan_objectives:
            if objective not in objectives:
                problems.append(
                    Problem(
                        f"no Plan objective {objective!r}", f"{where}.plan_objectives", "unknown_objective"
                    )
                )
        for target in measure.sdg_targets:
            if target not in targets:
                problems.append(
                    Problem(f"no SDG target {target!r}", f"{where}.sdg_targets", "unknown_target")
                )
        if measure.proxy is not None and measure.proxy not in proxies:
            problems.append(
                Problem(
                    f"no proxy {measure.proxy!r} in {bank.reference}; add it to the bank with its "
                    "source, or mark the measure counted_not_monetised",
                    f"{where}.proxy",
                    "unknown_proxy",
                )
            )
    return (None if problems else measure_set), problems


def load_measure_set(path: str | Path) -> MeasureSet:
    """Read and check a measure-set file.

    Raises:
        FrameworkError: with every problem, each naming the measure and field.
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise FrameworkError(f"cannot read {path.name}", [Problem(str(error), path.name)]) from error
    measure_set, problems = measure_set_problems(raw, path.name)
    if measure_set is None:
        raise FrameworkError(f"the measure set {path.name} is not valid", problems)
    return measure_set


@functools.cache
def shipped_measure_set() -> MeasureSet:
    """The measure set shipped in ``frameworks/procurement/measures.yaml`` (read once)."""
    return load_measure_set(data_dir("frameworks") / PROCUREMENT_DIR / MEASURES_FILE)
