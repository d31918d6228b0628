"""The proxy bank: sourced financial proxies and the price index that moves them between years.

Pure: plain data in, plain data out, no I/O beyond reading the shipped YAML files.

    from impactkit.frameworks.proxies import shipped_proxy_bank, adjust_proxy
    bank = shipped_proxy_bank()
    adjusted = adjust_proxy(bank.proxy("social_coop_hour_level_a1_2019"), 2024, bank.index)
    adjusted.value          # 19.95: €17.00 of 2019 at 2024 prices (ISTAT NIC)
    financial_proxy(bank, "social_coop_hour_level_a1_2019", 2024)   # for an SROI value map

A proxy without a checkable source (title, publisher, year and an address or identifier), a
price year or a geography is refused when the bank is read: such an outcome is counted, not
monetised. The adjustment is the product of (1 + annual average change) over the years after
the price year up to the analysis year (divided, for an earlier analysis year); a year the
index has no figure for makes the adjustment fail, never a guess.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from impactkit._paths import data_dir
from impactkit.errors import FrameworkError, Problem
from impactkit.frameworks.model import LocalizedText

PROXIES_DIR = "proxies"
BANK_FILE = "bank.yaml"

_REQUIRED_SOURCE_FIELDS = ("title", "publisher", "year")
_REQUIRED_PROXY_FIELDS = ("value", "currency", "price_year", "geography", "source", "method")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceReference(_Strict):
    """A public reference a reader can check: title, publisher, year, and an address or id."""

    title: str = Field(min_length=3)
    publisher: str = Field(min_length=2)
    year: int = Field(ge=1900, le=2100)
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    identifier: str | None = None
    """A DOI, ISBN, decree number … when there is no stable address."""
    quote: str | None = None
    """The sentence or table row the figure was read from, word for word."""
    quote_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    """Where the quote can be read, when it is not the publisher's own page."""

    @model_validator(mode="after")
    def _checkable(self) -> SourceReference:
        if not (self.url or self.identifier):
            raise ValueError("a source needs a 'url' or an 'identifier' so that it can be checked")
        return self

    def citation(self) -> str:
        """One line: ``Publisher (year), Title. url``."""
        where = self.url or self.identifier or ""
        return f"{self.publisher} ({self.year}), {self.title.strip()}. {where}".strip()


class IndexYear(_Strict):
    """One year of a price index: its annual average change on the previous year, and source."""

    year: int = Field(ge=1900, le=2100)
    change_percent: float
    """Annual average change in per cent (``1.9`` = +1.9 %)."""
    source: SourceReference

    @model_validator(mode="after")
    def _plausible(self) -> IndexYear:
        if not math.isfinite(self.change_percent) or not -50 < self.change_percent < 100:
            raise ValueError(f"change of {self.change_percent}% a year is not a consumer-price change")
        return self


class PriceIndex(_Strict):
    """A consumer price index as data: annual average changes, each year with its source."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: str = Field(min_length=1)
    title: LocalizedText
    publisher: str
    geography: str = Field(pattern=r"^[A-Z]{2}$")
    """ISO 3166-1 alpha-2 code of the country whose prices it measures."""
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    measure: Literal["annual_average_change_percent"] = "annual_average_change_percent"
    years: list[IndexYear] = Field(min_length=1)

    @model_validator(mode="after")
    def _years_unique(self) -> PriceIndex:
        repeated = [y for y, n in Counter(item.year for item in self.years).items() if n > 1]
        if repeated:
            raise ValueError(f"year(s) {sorted(repeated)} given twice")
        return self

    @property
    def first_year(self) -> int:
        """The first year with a change (prices can be moved from the year before it)."""
        return min(item.year for item in self.years)

    @property
    def latest_year(self) -> int:
        """The latest year with a published figure: the furthest an adjustment can go."""
        return max(item.year for item in self.years)

    def change(self, year: int) -> float:
        """The annual average change of ``year`` as a fraction (0.019 = +1.9 %)."""
        for item in self.years:
            if item.year == year:
                return item.change_percent / 100.0
        raise FrameworkError(
            f"price index {self.id} {self.version} has no figure for {year}",
            [
                Problem(
                    f"no cited annual figure for {year} (the index has "
                    f"{', '.join(str(y.year) for y in sorted(self.years, key=lambda i: i.year))})",
                    f"price_index[{self.id}].years",
                    "missing_year",
                )
            ],
        )


class ProxyEntry(_Strict):
    """One financial proxy: the money value of one unit of an outcome, with where it comes from."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    labels: LocalizedText
    value: float = Field(ge=0)
    """Value of one ``unit`` in ``currency`` at ``price_year`` prices."""
    low: float | None = Field(default=None, ge=0)
    """Low end of the source's own range, if it gives one (for sensitivity and Monte Carlo)."""
    high: float | None = Field(default=None, ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    unit: LocalizedText
    price_year: int = Field(ge=1900, le=2100)
    geography: str = Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
    """ISO 3166 code: ``IT``, ``GB``, or a region such as ``IT-21`` (Piedmont)."""
    method: LocalizedText
    """How the value is made, in one sentence."""
    source: SourceReference
    suggested_for: list[str] = Field(default_factory=list)
    """Indicator ids of the shipped frameworks this proxy can value."""

    @model_validator(mode="after")
    def _range(self) -> ProxyEntry:
        if not math.isfinite(self.value):
            raise ValueError("value must be a finite number")
        if (self.low is None) != (self.high is None):
            raise ValueError("give both 'low' and 'high', or neither")
        if self.low is not None and self.high is not None and not self.low <= self.value <= self.high:
            raise ValueError(
                f"expected low ≤ value ≤ high, got {self.low:g} / {self.value:g} / {self.high:g}"
            )
        return self


class ProxyBank(_Strict):
    """A versioned set of sourced proxies and the price index that adjusts them."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: str = Field(min_length=1)
    title: LocalizedText
    price_index: str
    """Id of the price index (a file ``price-index-<id>.yaml`` beside the bank)."""
    proxies: list[ProxyEntry]
    index: PriceIndex

    @property
    def reference(self) -> str:
        """``id@version``: what a value map records as the bank it used."""
        return f"{self.id}@{self.version}"

    def proxy(self, proxy_id: str) -> ProxyEntry:
        """The entry with this id (FrameworkError naming the known ids if there is none)."""
        for entry in self.proxies:
            if entry.id == proxy_id:
                return entry
        known = ", ".join(entry.id for entry in self.proxies)
        raise FrameworkError(
            f"no proxy {proxy_id!r} in {self.reference}",
            [Problem(f"unknown proxy {proxy_id!r} (the bank has {known})", "proxy", "unknown_proxy")],
        )

    def suggestions(self, indicator_id: str) -> list[ProxyEntry]:
        """Entries that say they can value this indicator."""
        return [entry for entry in self.proxies if indicator_id in entry.suggested_for]


class AdjustedProxy(_Strict):
    """A proxy moved to an analysis year, with every step shown."""

    proxy_id: str
    value: float
    """Value at ``analysis_year`` prices."""
    currency: str
    analysis_year: int
    price_year: int
    original_value: float
    factor: float
    """value / original_value: the product of the yearly factors (or its inverse)."""
    index: str
    """``id@version`` of the price index used."""
    steps: list[tuple[int, float]]
    """(year, annual average change as a fraction) for every year applied."""


def price_factor(index: PriceIndex, from_year: int, to_year: int) -> tuple[float, list[tuple[int, float]]]:
    """The factor that moves money of ``from_year`` to ``to_year`` prices, and the years used.

    Later year: Π (1 + change_y) for y in from_year+1 … to_year. Earlier: the inverse of the
    same product from to_year to from_year. Same year: 1.

    Raises:
        FrameworkError: the index has no cited figure for a year in between.

    >>> from impactkit.frameworks.proxies import shipped_proxy_bank, price_factor
    >>> factor, steps = price_factor(shipped_proxy_bank().index, 2022, 2024)
    >>> round(factor, 5), steps
    (1.06757, [(2023, 0.057), (2024, 0.01)])
    """
    low, high = sorted((from_year, to_year))
    steps = [(year, index.change(year)) for year in range(low + 1, high + 1)]
    factor = math.prod(1.0 + change for _, change in steps)
    return (factor if to_year >= from_year else 1.0 / factor), steps


def adjust_value(value: float, from_year: int, to_year: int, index: PriceIndex) -> float:
    """``value`` in ``from_year`` prices expressed in ``to_year`` prices."""
    factor, _ = price_factor(index, from_year, to_year)
    return value * factor


def adjust_proxy(entry: ProxyEntry, analysis_year: int, index: PriceIndex) -> AdjustedProxy:
    """The proxy at ``analysis_year`` prices.

    Raises:
        FrameworkError: the index measures another country's prices or currency (convert with a
            purchasing-power parity first), or it lacks a year in between.
    """
    if entry.currency != index.currency or entry.geography.split("-")[0] != index.geography:
        raise FrameworkError(
            f"proxy {entry.id} is in {entry.currency} prices of {entry.geography}; price index "
            f"{index.id} measures {index.currency} prices of {index.geography}",
            [
                Problem(
                    f"cannot adjust {entry.currency}/{entry.geography} values with the "
                    f"{index.id} index ({index.currency}/{index.geography}); convert the value "
                    "first or use it at its own price year",
                    f"proxies[{entry.id}].currency",
                    "index_mismatch",
                )
            ],
        )
    factor, steps = price_factor(index, entry.price_year, analysis_year)
    return AdjustedProxy(
        proxy_id=entry.id,
        value=entry.value * factor,
        currency=entry.currency,
        analysis_year=analysis_year,
        price_year=entry.price_year,
        original_value=entry.value,
        factor=factor,
        index=f"{index.id}@{index.version}",
        steps=steps,
    )


def financial_proxy(bank: ProxyBank, proxy_id: str, analysis_year: int | None = None) -> Any:
    """An SROI ``FinancialProxy`` from the bank, at ``analysis_year`` prices if given.

    The proxy carries ``bank`` (``id@version#proxy_id``), its source as a citation and, when it
    was adjusted, the adjustment in words; the value map that uses it records ``bank.reference``
    in ``proxy_bank``.
    """
    from impactkit.sroi import FinancialProxy

    entry = bank.proxy(proxy_id)
    value, year, note = entry.value, entry.price_year, ""
    if analysis_year is not None and analysis_year != entry.price_year:
        adjusted = adjust_proxy(entry, analysis_year, bank.index)
        value, year = adjusted.value, analysis_year
        note = (
            f" Adjusted from {entry.price_year} prices ({entry.value:g} {entry.currency}) by "
            f"{bank.index.id}@{bank.index.version}, factor {adjusted.factor:.4f}."
        )
    return FinancialProxy(
        value=round(value, 2),
        currency=entry.currency,
        year=year,
        source=entry.source.citation() + note,
        bank=f"{bank.reference}#{entry.id}",
    )


# --- reading and checking -------------------------------------------------------------------


def _problems_of(error: ValidationError, prefix: str, raw: Any) -> list[Problem]:
    from impactkit.frameworks.loading import _location

    problems = []
    for detail in error.errors():
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "missing":
            message = f"missing: every proxy needs {', '.join(_REQUIRED_PROXY_FIELDS)}"
            if "source" in detail["loc"][:-1]:
                message = "missing: a source needs a title, a publisher, a year and a url or identifier"
        elif detail["type"] == "extra_forbidden":
            message = "unknown key (a typo?)"
        problems.append(Problem(message, _location(detail["loc"], raw, prefix), detail["type"]))
    return problems


def _read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), []
    except OSError as error:
        return None, [Problem(f"cannot read the file: {error.strerror}", path.name, "unreadable")]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path.name}:{mark.line + 1}:{mark.column + 1}" if mark else path.name
        return None, [Problem(f"not valid YAML: {getattr(error, 'problem', error)}", where, "yaml")]


def price_index_problems(raw: Any, file_name: str) -> tuple[PriceIndex | None, list[Problem]]:
    """Validate a price-index mapping; problems are prefixed with the file name."""
    if not isinstance(raw, dict):
        return None, [Problem("a price index file must be a mapping (id, version, years …)", file_name)]
    try:
        return PriceIndex.model_validate(raw), []
    except ValidationError as error:
        return None, _problems_of(error, file_name, raw)


def proxy_bank_problems(
    raw: Any, file_name: str, index: PriceIndex | None
) -> tuple[ProxyBank | None, list[Problem]]:
    """Validate a bank mapping entry by entry, so that every bad entry is named at once."""
    if not isinstance(raw, dict):
        return None, [Problem("a proxy bank file must be a mapping (id, version, proxies …)", file_name)]
    problems: list[Problem] = []
    entries_raw = raw.get("proxies")
    if not isinstance(entries_raw, list) or not entries_raw:
        problems.append(Problem("must be a non-empty list of proxies", f"{file_name}: proxies"))
        entries_raw = []
    entries: list[ProxyEntry] = []
    for position, item in enumerate(entries_raw):
        name = item.get("id", position) if isinstance(item, dict) else position
        try:
            entries.append(ProxyEntry.model_validate(item))
        except ValidationError as error:
            problems += _problems_of(error, f"{file_name}: proxies[{name}]", item)
    for name, count in Counter(entry.id for entry in entries).items():
        if count > 1:
            problems.append(
                Problem(f"duplicate proxy id {name!r}", f"{file_name}: proxies[{name}].id", "duplicate_id")
            )
    if index is None:
        return None, problems
    if raw.get("price_index") != index.id:
        problems.append(
            Problem(
                f"price_index {raw.get('price_index')!r} is not the index beside it ({index.id!r})",
                f"{file_name}: price_index",
            )
        )
    try:
        bank = ProxyBank.model_validate({**raw, "proxies": entries, "index": index})
    except ValidationError as error:
        problems += _problems_of(error, file_name, raw)
        return None, problems
    for entry in entries:
        if entry.price_year > index.latest_year + 1 and entry.currency == index.currency:
            problems.append(
                Problem(
                    f"price year {entry.price_year} is after the index's latest year {index.latest_year}",
                    f"{file_name}: proxies[{entry.id}].price_year",
                )
            )
    return (None if problems else bank), problems


def check_proxy_bank(folder: str | Path | None = None) -> list[Problem]:
    """Every problem of the bank in ``folder`` (default: the shipped ``frameworks/proxies``)."""
    _, problems = _load(Path(folder) if folder is not None else data_dir("frameworks") / PROXIES_DIR)
    return problems


def _load(folder: Path) -> tuple[ProxyBank | None, list[Problem]]:
    raw_bank, problems = _read_yaml(folder / BANK_FILE)
    if problems:
        return None, problems
    index_id = raw_bank.get("price_index") if isinstance(raw_bank, dict) else None
    index_file = folder / f"price-index-{index_id}.yaml"
    if not isinstance(index_id, str) or not index_file.is_file():
        return None, [Problem(f"no price index file {index_file.name}", f"{BANK_FILE}: price_index")]
    raw_index, problems = _read_yaml(index_file)
    if problems:
        return None, problems
    index, problems = price_index_problems(raw_index, index_file.name)
    bank, bank_problems = proxy_bank_problems(raw_bank, BANK_FILE, index)
    return bank, problems + bank_problems


def load_proxy_bank(folder: str | Path) -> ProxyBank:
    """Read and check a proxy bank (``bank.yaml`` + its ``price-index-<id>.yaml``).

    Raises:
        FrameworkError: with every problem, each naming file, proxy and field.
    """
    bank, problems = _load(Path(folder))
    if bank is None or problems:
        raise FrameworkError("the proxy bank is not valid", problems)
    return bank


@functools.cache
def shipped_proxy_bank() -> ProxyBank:
    """The proxy bank shipped in ``frameworks/proxies`` (read once)."""
    return load_proxy_bank(data_dir("frameworks") / PROXIES_DIR)


__all__ = [
    "AdjustedProxy",
    "IndexYear",
    "PriceIndex",
    "ProxyBank",
    "ProxyEntry",
    "SourceReference",
    "adjust_proxy",
    "adjust_value",
    "check_proxy_bank",
    "financial_proxy",
    "load_proxy_bank",
    "price_factor",
    "proxy_bank_problems",
    "shipped_proxy_bank",
]
