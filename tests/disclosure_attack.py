"""An attacker's reading of published tables: how far can each hidden figure be narrowed down?

Reusable by every test of a publishing path (KPI breakdowns, reports, portfolio, observatory,
procurement). Describe what a reader sees — every figure shown, every figure hidden (with what
the reader knows of it: a hidden cell listed in a table holds at least one person), and every
sum the reader knows to hold between figures (a total and its categories, the same people in
two tables, periods and their total, grantees and the portfolio total) — and :func:`attack`
finds, by integer programming (``scipy.optimize.milp``, HiGHS), the smallest and largest value
each hidden figure can take. It is written from the documented rule, not from the engine's code.

A hidden figure whose true value is from 1 to threshold − 1 is **recovered** when the interval
pins it, or its top is under the threshold (the reader knows it is a small cell), or it leaves
fewer than ``threshold`` possible values — the protection docs/frameworks.md promises.

    sight = Sight()
    sight.show("total", 23); sight.hide("female"); sight.show("male", 20); sight.unknown("rest")
    sight.sum("total", ["female", "male", "rest"])
    findings = attack(sight, truth={"female": 3}, threshold=5)   # [] when protected
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

BIG = 10_000_000
"""An upper bound standing for "unbounded" (no real count reaches it)."""


@dataclass
class Sight:
    """What a reader sees: figures shown, figures hidden, sums known to hold."""

    shown: dict[Hashable, float] = field(default_factory=dict)
    floors: dict[Hashable, int] = field(default_factory=dict)
    """Hidden or never-shown figures → the least value the reader knows they have."""
    sums: list[tuple[Hashable, tuple[Hashable, ...]]] = field(default_factory=list)

    def show(self, key: Hashable, value: float) -> None:
        if key in self.shown and abs(self.shown[key] - value) > 1e-9:
            raise AssertionError(f"{key!r} is shown as {self.shown[key]} and as {value}")
        self.shown[key] = value
        self.floors.pop(key, None)

    def hide(self, key: Hashable, floor: int = 1) -> None:
        """A figure listed but hidden (the reader knows it holds at least ``floor`` people)."""
        if key not in self.shown:
            self.floors[key] = max(self.floors.get(key, 0), floor)

    def unknown(self, key: Hashable) -> None:
        """A figure never shown (people whose category is not recorded …): at least 0."""
        if key not in self.shown:
            self.floors.setdefault(key, 0)

    def sum(self, total: Hashable, parts: Iterable[Hashable]) -> None:
        """The reader knows ``total = Σ parts``."""
        self.sums.append((total, tuple(parts)))


@dataclass(frozen=True)
class Finding:
    """A hidden figure the reader can narrow down too far."""

    key: Hashable
    truth: int
    low: int
    high: int

    def __str__(self) -> str:
        return f"{self.key!r} = {self.truth} narrowed to [{self.low}, {self.high}]"


def bounds(sight: Sight, targets: Sequence[Hashable] | None = None) -> dict[Hashable, tuple[int, int]]:
    """The integer interval of each hidden figure (all when ``targets`` is None).

    The hidden figures are split into independent groups (linked by sums), each solved alone.
    """
    for total, parts in sight.sums:
        for key in (total, *parts):
            if key not in sight.shown and key not in sight.floors:
                raise AssertionError(f"sum over {key!r}, which is neither shown nor hidden")
    parent: dict[Hashable, Hashable] = {key: key for key in sight.floors}

    def find(key: Hashable) -> Hashable:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for total, parts in sight.sums:
        hidden = [key for key in (total, *parts) if key in parent]
        for key in hidden[1:]:
            a, b = find(hidden[0]), find(key)
            if a != b:
                parent[b] = a
    wanted = list(sight.floors) if targets is None else [t for t in targets if t in sight.floors]
    by_root: dict[Hashable, list[Hashable]] = {}
    for key in wanted:
        by_root.setdefault(find(key), []).append(key)
    members: dict[Hashable, list[Hashable]] = {}
    for key in sight.floors:
        root = find(key)
        if root in by_root:
            members.setdefault(root, []).append(key)
    sums_by_root: dict[Hashable, list[tuple[Hashable, tuple[Hashable, ...]]]] = {}
    for total, parts in sight.sums:
        hidden = [key for key in (total, *parts) if key in parent]
        if hidden:
            root = find(hidden[0])
            if root in by_root:
                sums_by_root.setdefault(root, []).append((total, parts))
        else:
            constant = sum(sight.shown[p] for p in parts) - sight.shown[total]
            if abs(constant) > 1e-6:
                raise AssertionError(f"the shown figures break the sum {total!r} = {parts!r}")
    found: dict[Hashable, tuple[int, int]] = {}
    for root, keys in by_root.items():
        found.update(_solve(sight, sorted(members[root], key=repr), sums_by_root.get(root, []), keys))
    return found


def _solve(
    sight: Sight,
    variables: list[Hashable],
    sums: list[tuple[Hashable, tuple[Hashable, ...]]],
    targets: list[Hashable],
) -> dict[Hashable, tuple[int, int]]:
    column = {key: i for i, key in enumerate(variables)}
    rows: list[np.ndarray] = []
    rhs: list[float] = []
    for total, parts in sums:
        row = np.zeros(len(variables))
        constant = 0.0
        for key, sign in [(total, -1.0), *((p, 1.0) for p in parts)]:
            if key in sight.shown:
                constant += sign * sight.shown[key]
            else:
                row[column[key]] += sign
        rows.append(row)
        rhs.append(-constant)
    constraints = [LinearConstraint(np.vstack(rows), rhs, rhs)] if rows else []
    lower = np.array([sight.floors[key] for key in variables], dtype=float)
    box = Bounds(lower, np.full(len(variables), float(BIG)))
    integrality = np.ones(len(variables))
    found: dict[Hashable, tuple[int, int]] = {}
    for key in targets:
        objective = np.zeros(len(variables))
        objective[column[key]] = 1.0
        low = milp(objective, constraints=constraints, bounds=box, integrality=integrality)
        high = milp(-objective, constraints=constraints, bounds=box, integrality=integrality)
        assert low.status == 0 and high.status == 0, (key, low.message, high.message)
        found[key] = (round(low.fun), round(-high.fun))
    return found


def attack(sight: Sight, truth: Mapping[Hashable, int], threshold: int) -> list[Finding]:
    """Every hidden figure whose true value is 1 … threshold − 1 and that the reader narrows
    to fewer than ``threshold`` values or below the threshold."""
    small = [key for key, value in truth.items() if key in sight.floors and 1 <= value < threshold]
    findings = []
    for key, (low, high) in bounds(sight, small).items():
        if not low <= truth[key] <= high:
            raise AssertionError(f"{key!r} = {truth[key]} lies outside the reader's [{low}, {high}]")
        if high < threshold or high - low + 1 < threshold:
            findings.append(Finding(key, truth[key], low, high))
    return findings


# --- KPI results as a reader sees them ---------------------------------------------------

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}")


def _population_of(indicator: Any) -> Hashable:
    """Indicators whose definitions count the very same responses (a reader can tell)."""
    source = indicator.source
    if indicator.kind == "change":
        return ("change", source.form, source.filter, source.value_expression, indicator.change.link_by)
    if indicator.kind == "count":
        return ("count", indicator.id)
    if indicator.kind == "rate":
        return ("rate", indicator.id)
    read = frozenset(_REFERENCE.findall(source.value_expression or ""))
    return ("responses", source.form, source.filter, source.exclude_baseline, read)


def _band_sums(framework: Any) -> list[tuple[tuple[str, str], list[tuple[str, str]]]]:
    """Coarse band category = Σ finer band categories of another breakdown of the same field."""
    result = []
    banded = [d for d in framework.disaggregations if d.bands]
    for coarse in banded:
        for fine in banded:
            if fine is coarse or fine.field != coarse.field or len(fine.bands) <= len(coarse.bands):
                continue
            for category in dict.fromkeys(b.category for b in coarse.bands):
                outer = [b for b in coarse.bands if b.category == category]
                inside = [
                    b.category
                    for b in fine.bands
                    if any(
                        (o.min is None or (b.min is not None and b.min >= o.min))
                        and (o.max is None or (b.max is not None and b.max <= o.max))
                        for o in outer
                    )
                ]
                result.append(((coarse.id, category), [(fine.id, c) for c in inside]))
    return result


def _same_field(framework: Any, first: str, second: str) -> bool:
    """Two banded breakdowns of one field covering every value: the same people are unknown."""
    a, b = framework.disaggregation(first), framework.disaggregation(second)
    return bool(a.bands and b.bands and a.field == b.field and a.fallback == b.fallback)


def read_kpis(
    sight: Sight,
    truth: dict[Hashable, int],
    framework: Any,
    results: Any,
    *,
    view: Hashable,
    raw: Any | None = None,
) -> None:
    """Add one published set of KPI results (``KpiResults``) to what the reader sees.

    ``view`` names the publication (a period, "all periods"); ``raw`` is the same computation
    without protection, for the true values. Headline counts and breakdown cells go in as
    figures; each breakdown sums to its headline (with an unknown rest); coarse bands sum their
    finer bands; indicators over the same responses share their figures.
    """
    indicators = {i.id: i for i in framework.indicators}
    band_sums = _band_sums(framework)
    raw_by_key = {}
    if raw is not None:
        for result in raw.results:
            raw_by_key[(result.indicator_id, result.group)] = result
    for result in results.results:
        indicator = indicators[result.indicator_id]
        if indicator.source is None or indicator.source.reported:
            continue
        population = (view, result.group, _population_of(indicator))
        headline = (*population, "n")
        truth_result = raw_by_key.get((result.indicator_id, result.group))
        if truth_result is not None and truth_result.n is not None:
            truth[headline] = truth_result.n
        if result.n is not None:
            sight.show(headline, result.n)
        elif truth_result is not None and truth_result.n:
            sight.hide(headline)
        else:
            continue
        by_dimension: dict[str, list[Any]] = {}
        for cell in result.disaggregations:
            by_dimension.setdefault(cell.dimension, []).append(cell)
        true_cells = {}
        if truth_result is not None:
            true_cells = {(c.dimension, c.category): c.n for c in truth_result.disaggregations}
        for dimension, cells in by_dimension.items():
            keys = []
            for cell in cells:
                key = (*population, dimension, cell.category)
                keys.append(key)
                if (dimension, cell.category) in true_cells:
                    truth[key] = true_cells[(dimension, cell.category)]
                if cell.n is not None:
                    sight.show(key, cell.n)
                else:
                    sight.hide(key)
            rest = (*population, dimension, "rest")
            sight.unknown(rest)
            sight.sum(headline, [*keys, rest])
        listed = {(c.dimension, c.category) for c in result.disaggregations}
        for dimension_a in by_dimension:
            for dimension_b in by_dimension:
                if dimension_a < dimension_b and _same_field(framework, dimension_a, dimension_b):
                    sight.sum((*population, dimension_a, "rest"), [(*population, dimension_b, "rest")])
        for (dimension, category), parts in band_sums:
            if (dimension, category) in listed:
                present = [p for p in parts if p in listed]
                sight.sum((*population, dimension, category), [(*population, *p) for p in present])


def read_period_sums(
    sight: Sight, framework: Any, results: Any, *, total_view: Hashable, views: Sequence[Hashable]
) -> None:
    """The reader knows a figure over all periods is the sum of the periods' figures (for KPIs
    whose responses do not link across periods)."""
    indicators = {i.id: i for i in framework.indicators}
    for result in results.results:
        indicator = indicators[result.indicator_id]
        if indicator.source is None or indicator.source.reported or indicator.kind == "change":
            continue
        population = _population_of(indicator)
        keys = [("n",)] + [(c.dimension, c.category) for c in result.disaggregations]
        for key in keys:
            total = (total_view, result.group, population, *key)
            parts = [(view, result.group, population, *key) for view in views]
            known = [p for p in parts if p in sight.shown or p in sight.floors]
            if total in sight.shown or total in sight.floors:
                for part in parts:
                    if part not in known:
                        sight.show(part, 0)
                sight.sum(total, parts)


__all__ = ["BIG", "Finding", "Sight", "attack", "bounds", "read_kpis", "read_period_sums"]
