"""The one disclosure-control step: every table that leaves an organisation passes through here.

KPI breakdowns in the API and the pages, the report and portfolio workbooks, CSV and JSON of
aggregates, documents, the observatory and open data all call :func:`protect` (directly, or
through :func:`impactkit.frameworks.protect_kpis` for KPI results). Nothing else blanks cells.
Pure: values in, decisions out, no I/O.

The model
---------
A **publication** is everything published about one population of people for one period: many
tables that share cells and totals (several breakdowns of one KPI by gender, age band and
territory; other KPIs computed over the same respondents; totals over periods; a funder's
portfolio). It is given as

* :class:`Cell` ``(key, count)`` — the number of people behind one figure. The same ``key`` in
  two tables is the same cell (youth "yes" and age band "15-35"; "female" in two KPIs computed
  over the same respondents). A cell with ``published=False`` is never shown but follows from
  others (the people whose gender is not recorded: total − listed categories).
* :class:`Relation` ``(total, parts)`` — ``count(total) = Σ count(parts)``, exactly. Relations
  are what a reader can subtract with.
* optional *amounts*: per cell, the sum of a value over its people (``mean × n``,
  ``share × n``), with the range one person's value can take (:attr:`Publication.ranges`);
  amounts add up over the same relations.

The rule (threshold *k*: :func:`default_threshold`, 5 unless the instance sets
``IMPACTKIT_DISCLOSURE_THRESHOLD``)
---------------------------------------------------------------------------------------------
1. **Primary suppression**: a published, sensitive cell with 1 ≤ count < k is hidden. Zeros are
   shown (nobody is in them); so a hidden cell is known to hold at least one person.
2. **Protection**: for every sensitive cell with 1 ≤ count < k that is not shown, everything
   shown lets a reader place it only in an interval [lo, hi] with **hi ≥ k** (the reader cannot
   tell it is a small cell) and **hi − lo + 1 ≥ k** (at least k values remain possible).
3. **Secondary (complementary) suppression**: while a cell is not protected, one more cell of a
   relation that pins it is hidden: a part before a total, the lowest ``cost`` first, then the
   smallest count ≥ 1, then the first key. Cells marked ``fixed`` were published earlier (another
   period's report, say): their state is kept as given and they are never chosen.
4. **Amounts**: where every person in the hidden cells of a relation must have the same value
   (their combined mean sits at an end of the range: all satisfied, nobody improved), one more
   part is hidden so that the hidden cells' values cannot be told either.
5. Whatever the caller shows for a hidden cell — value, n, interval, median, share, mean — is
   hidden with it (:meth:`Protection.shown`).

Intervals are found by bound propagation over the relations, which is exact for tree-shaped
publications (every KPI's breakdowns of one period are); publications with cycles (periods and
their total, two-way tables) are also checked by linear programming (scipy's HiGHS), and the
rule is applied until both agree that every small cell is protected.

Example:
    >>> publication = Publication(
    ...     cells=[Cell("total", 23), Cell("female", 3), Cell("male", 20),
    ...            Cell("not recorded", 0, published=False, sensitive=False)],
    ...     relations=[Relation("total", ("female", "male", "not recorded"))],
    ... )
    >>> protection = protect(publication, threshold=5)
    >>> protection.hidden
    {'female': 'primary', 'male': 'secondary'}
    >>> protection.statement()["en"][:40]
    'Privacy: cells with fewer than 5 people '
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

DEFAULT_THRESHOLD = 5
"""Counts from 1 to DEFAULT_THRESHOLD − 1 are hidden unless the instance sets another threshold."""
THRESHOLD_VARIABLE = "IMPACTKIT_DISCLOSURE_THRESHOLD"
MIN_THRESHOLD = 2
MAX_THRESHOLD = 100

Reason = Literal["primary", "secondary"]
_INF = math.inf
_EPSILON = 1e-9


def default_threshold() -> int:
    """The instance's threshold: ``IMPACTKIT_DISCLOSURE_THRESHOLD`` (2–100), else 5.

    Raises:
        ConfigError: the variable is set to something that is not a whole number from 2 to 100.
    """
    from impactkit.errors import ConfigError

    raw = os.environ.get(THRESHOLD_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_THRESHOLD
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{THRESHOLD_VARIABLE} must be a whole number, got {raw!r}") from None
    if not MIN_THRESHOLD <= value <= MAX_THRESHOLD:
        raise ConfigError(
            f"{THRESHOLD_VARIABLE} must be from {MIN_THRESHOLD} to {MAX_THRESHOLD}, got {value}"
        )
    return value


@dataclass(frozen=True, slots=True)
class Cell:
    """The number of people behind one published figure (or one figure that follows from others).

    Attributes:
        key: identifies the cell across every table of the publication.
        count: people in the cell (a whole number ≥ 0).
        published: False for a cell never shown that a reader can still work out (the
            "not recorded" rest of a breakdown, the "not young" rest of an "of whom" figure).
        sensitive: False where a small count tells nothing about anyone (the rest of people
            whose category is not recorded); such a cell is not protected for itself.
        cost: preference when a complementary cell must be chosen: lower is hidden first
            (e.g. a later period's cell before an earlier one's).
        fixed: already published as it stands (``hidden`` says how): never changed or chosen.
        hidden: for a fixed cell, whether it was hidden when it was published.
        amounts: measure → the sum of that value over the cell's people (``mean × n``).
    """

    key: Hashable
    count: int
    published: bool = True
    sensitive: bool = True
    cost: float = 0.0
    fixed: bool = False
    hidden: bool = False
    amounts: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Relation:
    """``count(total) == sum(count(part) for part in parts)`` — what a reader can subtract with."""

    total: Hashable
    parts: tuple[Hashable, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table as it is shown: a name and the keys of its cells (for the method statement)."""

    name: Hashable
    keys: tuple[Hashable, ...]


@dataclass
class Publication:
    """Everything published about one population and period: cells, relations, tables.

    Attributes:
        cells: every cell; a key given twice must have the same count (it is one cell).
        relations: the sums that hold between cells.
        tables: optional, for :meth:`Protection.statement` per table.
        ranges: measure → (lowest, highest) value one person can have (0–1 for a share,
            1–5 for a 1–5 scale), for the amounts rule.
    """

    cells: Sequence[Cell]
    relations: Sequence[Relation] = ()
    tables: Sequence[Table] = ()
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)


@dataclass
class Protection:
    """What :func:`protect` decided for a publication.

    Attributes:
        threshold: k: counts from 1 to k − 1 are protected.
        hidden: key → ``"primary"`` (fewer than k people) or ``"secondary"`` (hidden so that
            another cannot be worked out), for every published cell that must not be shown.
        intervals: for every protected cell (hidden or never published, 1 ≤ count < k), the
            interval a reader can work out from what is shown.
        tables: the publication's tables, for statements.
    """

    threshold: int
    hidden: dict[Hashable, Reason]
    intervals: dict[Hashable, tuple[float, float]]
    tables: Sequence[Table] = ()

    def shown(self, key: Hashable) -> bool:
        """True when the cell (its count and every statistic of it) may be shown."""
        return key not in self.hidden

    def counts(self, keys: Iterable[Hashable] | None = None) -> tuple[int, int]:
        """(primary, secondary) hidden cells among ``keys`` (all cells when None)."""
        chosen = self.hidden if keys is None else {k: self.hidden[k] for k in keys if k in self.hidden}
        primary = sum(1 for reason in chosen.values() if reason == "primary")
        return primary, len(chosen) - primary

    def statement(self, keys: Iterable[Hashable] | None = None) -> dict[str, str]:
        """The method, in Italian and English, to print next to a table (its cells: ``keys``)."""
        primary, secondary = self.counts(keys)
        return method_statement(self.threshold, primary, secondary)


def method_statement(threshold: int, primary: int = 0, secondary: int = 0) -> dict[str, str]:
    """The short statement of the method shown next to every protected table (it, en)."""
    k = threshold
    it = (
        f"Riservatezza: le celle con meno di {k} persone sono nascoste (soppressione primaria); "
        "altre celle sono nascoste perché quelle non si possano ricavare per differenza da totali, "
        "altre tabelle o altri periodi pubblicati (soppressione complementare). Delle celle "
        "nascoste non si mostrano né il numero di persone né medie, mediane, quote o intervalli."
    )
    en = (
        f"Privacy: cells with fewer than {k} people are hidden (primary suppression); further "
        "cells are hidden so that those cannot be worked out by subtraction from totals, other "
        "tables or other periods published (secondary suppression). For hidden cells neither the "
        "number of people nor means, medians, shares or intervals are shown."
    )
    if primary or secondary:
        it += f" In questa tabella: {primary} con meno di {k} persone, {secondary} nascoste a protezione."
        en += f" In this table: {primary} with fewer than {k} people, {secondary} hidden to protect them."
    else:
        it += " In questa tabella nessuna cella è nascosta."
        en += " In this table no cell is hidden."
    return {"it": it, "en": en}


# --- the engine ------------------------------------------------------------------------------


class _Component:
    """Cells and relations that are connected (a reader can combine them); indices are local."""

    def __init__(self, cells: list[Cell], relations: list[tuple[int, tuple[int, ...]]]) -> None:
        self.cells = cells
        self.relations = relations
        self.count = [c.count for c in cells]
        self.of_cell: list[list[int]] = [[] for _ in cells]
        for index, (total, parts) in enumerate(relations):
            self.of_cell[total].append(index)
            for part in parts:
                self.of_cell[part].append(index)
        self.cyclic = _has_cycle(len(cells), relations)


def _has_cycle(cell_count: int, relations: list[tuple[int, tuple[int, ...]]]) -> bool:
    """True when the cell–relation graph has a cycle (propagated bounds may then be loose)."""
    parent = list(range(cell_count + len(relations)))

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for index, (total, parts) in enumerate(relations):
        node = cell_count + index
        for cell in (total, *parts):
            a, b = find(node), find(cell)
            if a == b:
                return True
            parent[a] = b
    return False


def _components(publication: Publication) -> tuple[list[_Component], list[Cell]]:
    """Split the publication into connected components; also return the cells in no relation."""
    cells: dict[Hashable, Cell] = {}
    for cell in publication.cells:
        known = cells.get(cell.key)
        if known is None:
            cells[cell.key] = cell
        elif known.count != cell.count:
            raise ValueError(f"cell {cell.key!r} is given with two counts: {known.count} and {cell.count}")
        elif cell.amounts and cell.amounts != known.amounts:
            cells[cell.key] = Cell(
                known.key,
                known.count,
                known.published and cell.published,
                known.sensitive or cell.sensitive,
                min(known.cost, cell.cost),
                known.fixed or cell.fixed,
                known.hidden or cell.hidden,
                {**known.amounts, **cell.amounts},
            )
    seen: set[tuple[Hashable, frozenset[Hashable]]] = set()
    relations: list[Relation] = []
    for relation in publication.relations:
        for key in (relation.total, *relation.parts):
            if key not in cells:
                raise ValueError(f"relation {relation!r} names cell {key!r}, which is not in the publication")
        signature = (relation.total, frozenset(relation.parts))
        if signature not in seen and relation.parts:
            seen.add(signature)
            relations.append(relation)
    keys = list(cells)
    position = {key: i for i, key in enumerate(keys)}
    parent = list(range(len(keys)))

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for relation in relations:
        root = find(position[relation.total])
        for part in relation.parts:
            other = find(position[part])
            if other != root:
                parent[other] = root
    groups: dict[int, list[int]] = {}
    for i in range(len(keys)):
        groups.setdefault(find(i), []).append(i)
    by_root: dict[int, list[Relation]] = {}
    for relation in relations:
        by_root.setdefault(find(position[relation.total]), []).append(relation)
    components: list[_Component] = []
    lonely: list[Cell] = []
    for root, members in groups.items():
        member_relations = by_root.get(root, [])
        if not member_relations:
            lonely.extend(cells[keys[i]] for i in members)
            continue
        local = {keys[i]: j for j, i in enumerate(members)}
        components.append(
            _Component(
                [cells[keys[i]] for i in members],
                [(local[r.total], tuple(local[p] for p in r.parts)) for r in member_relations],
            )
        )
    return components, lonely


def _propagate(component: _Component, shown: list[bool]) -> tuple[list[float], list[float]]:
    """Bounds a reader can derive for every cell from the shown ones (interval propagation)."""
    lo: list[float] = []
    hi: list[float] = []
    for index, cell in enumerate(component.cells):
        if shown[index]:
            lo.append(float(cell.count))
            hi.append(float(cell.count))
        else:
            lo.append(1.0 if cell.published else 0.0)
            hi.append(_INF)
    queue = deque(range(len(component.relations)))
    queued = [True] * len(component.relations)
    steps = 0
    limit = 200 * (len(component.relations) + 1) * (len(component.cells) + 1)
    while queue and steps < limit:
        steps += 1
        r = queue.popleft()
        queued[r] = False
        total, parts = component.relations[r]
        changed: list[int] = []
        sum_lo = sum(lo[p] for p in parts)
        sum_hi = sum(hi[p] for p in parts)
        if sum_lo > lo[total] + _EPSILON:
            lo[total] = sum_lo
            changed.append(total)
        if sum_hi < hi[total] - _EPSILON:
            hi[total] = sum_hi
            changed.append(total)
        infinite = sum(1 for p in parts if hi[p] == _INF)
        finite_hi = sum(hi[p] for p in parts if hi[p] != _INF)
        for p in parts:
            others_lo = sum_lo - lo[p]
            new_hi = hi[total] - others_lo
            if new_hi < hi[p] - _EPSILON:
                hi[p] = new_hi
                changed.append(p)
            if lo[total] != _INF:
                others_infinite = infinite - (1 if hi[p] == _INF else 0)
                if others_infinite == 0:
                    others_hi = finite_hi - (hi[p] if hi[p] != _INF else 0.0)
                    new_lo = lo[total] - others_hi
                    if new_lo > lo[p] + _EPSILON:
                        lo[p] = new_lo
                        changed.append(p)
            # sums change as bounds move: recompute for the next part
            sum_lo = sum(lo[q] for q in parts)
            infinite = sum(1 for q in parts if hi[q] == _INF)
            finite_hi = sum(hi[q] for q in parts if hi[q] != _INF)
        for moved in changed:
            for other in component.of_cell[moved]:
                if other != r and not queued[other]:
                    queued[other] = True
                    queue.append(other)
    return lo, hi


def _linear_bounds(
    component: _Component, shown: list[bool], targets: list[int]
) -> dict[int, tuple[float, float]]:
    """Exact (linear-programming) bounds of the target cells given the shown ones."""
    import numpy as np
    from scipy.optimize import linprog

    unknown = [i for i in range(len(component.cells)) if not shown[i]]
    column = {cell: j for j, cell in enumerate(unknown)}
    rows: list[list[float]] = []
    rhs: list[float] = []
    for total, parts in component.relations:
        row = [0.0] * len(unknown)
        constant = 0.0
        for cell, sign in [(total, -1.0), *((p, 1.0) for p in parts)]:
            if shown[cell]:
                constant += sign * component.count[cell]
            else:
                row[column[cell]] += sign
        if any(row):
            rows.append(row)
            rhs.append(-constant)
    bounds = [(1.0 if component.cells[i].published else 0.0, None) for i in unknown]
    result: dict[int, tuple[float, float]] = {}
    a_eq = np.asarray(rows) if rows else None
    b_eq = np.asarray(rhs) if rows else None
    for target in targets:
        objective = np.zeros(len(unknown))
        objective[column[target]] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        lo = float(low.fun) if low.status == 0 else 0.0
        hi = _INF if high.status == 3 else (-float(high.fun) if high.status == 0 else _INF)
        result[target] = (lo, hi)
    return result


def _protected(lo: float, hi: float, threshold: int) -> bool:
    low = math.ceil(lo - 1e-6)
    high = math.floor(hi + 1e-6) if hi != _INF else _INF
    return high >= threshold and high - low + 1 >= threshold


def _candidates(component: _Component, shown: list[bool], start: int) -> list[int]:
    """Shown, choosable cells nearest to ``start`` through relations and hidden cells."""
    seen_relations: set[int] = set()
    seen_cells = {start}
    frontier = [start]
    while frontier:
        found: list[int] = []
        following: list[int] = []
        for cell in frontier:
            for r in component.of_cell[cell]:
                if r in seen_relations:
                    continue
                seen_relations.add(r)
                total, parts = component.relations[r]
                for other in (total, *parts):
                    if other in seen_cells:
                        continue
                    seen_cells.add(other)
                    candidate = component.cells[other]
                    if shown[other]:
                        if not candidate.fixed and candidate.count >= 1:
                            found.append(other)
                    else:
                        following.append(other)
        if found:
            return found
        frontier = following
    return []


def _choose(component: _Component, cells: list[int], totals: set[int]) -> int:
    return min(
        cells,
        key=lambda i: (
            i in totals,
            component.cells[i].cost,
            component.count[i],
            str(component.cells[i].key),
        ),
    )


def _totals(component: _Component) -> set[int]:
    return {total for total, _ in component.relations}


def _degenerate(
    component: _Component, shown: list[bool], small: list[int], ranges: Mapping[str, tuple[float, float]]
) -> int | None:
    """A shown part to hide where the hidden cells' values could otherwise be told (rule 4)."""
    small_set = set(small)
    totals = _totals(component)
    for total, parts in component.relations:
        if not shown[total] or not any(p in small_set and not shown[p] for p in parts):
            continue
        for measure, (low, high) in ranges.items():
            amounts = component.cells[total].amounts
            if measure not in amounts:
                continue
            hidden_count = component.count[total]
            hidden_amount = amounts[measure]
            known = True
            for p in parts:
                if shown[p]:
                    part_amount = component.cells[p].amounts.get(measure)
                    if part_amount is None:
                        known = False
                        break
                    hidden_count -= component.count[p]
                    hidden_amount -= part_amount
            if not known or hidden_count <= 0:
                continue
            mean = hidden_amount / hidden_count
            tolerance = 1e-9 * max(1.0, abs(high - low))
            extreme = low if abs(mean - low) <= tolerance else high if abs(mean - high) <= tolerance else None
            if extreme is None:
                continue
            choices = [
                p
                for p in parts
                if shown[p]
                and not component.cells[p].fixed
                and component.count[p] >= 1
                and measure in component.cells[p].amounts
                and abs(component.cells[p].amounts[measure] / component.count[p] - extreme) > tolerance
            ]
            if choices:
                return _choose(component, choices, totals)
    return None


def _protect_component(
    component: _Component, threshold: int, ranges: Mapping[str, tuple[float, float]], exact: bool
) -> tuple[dict[int, Reason], dict[int, tuple[float, float]]]:
    cells = component.cells
    shown = [
        (not cell.hidden)
        if cell.fixed
        else (cell.published and not (cell.sensitive and 1 <= cell.count < threshold))
        for cell in cells
    ]
    reasons: dict[int, Reason] = {
        i: "primary" for i, cell in enumerate(cells) if cell.published and not cell.fixed and not shown[i]
    }
    for i, cell in enumerate(cells):
        if cell.fixed and cell.hidden and cell.published:
            reasons[i] = "primary" if cell.sensitive and 1 <= cell.count < threshold else "secondary"
    small = [i for i, cell in enumerate(cells) if cell.sensitive and 1 <= cell.count < threshold]
    totals = _totals(component)
    intervals: dict[int, tuple[float, float]] = {}
    for _ in range(len(cells) + 1):
        lo, hi = _propagate(component, shown)
        weak = [i for i in small if not shown[i] and not _protected(lo[i], hi[i], threshold)]
        if not weak and component.cyclic and exact:
            exact_bounds = _linear_bounds(component, shown, [i for i in small if not shown[i]])
            for i, (low, high) in exact_bounds.items():
                lo[i], hi[i] = max(lo[i], low), min(hi[i], high)
            weak = [i for i in small if not shown[i] and not _protected(lo[i], hi[i], threshold)]
        choice: int | None = None
        if weak:
            found = _candidates(component, shown, weak[0])
            if found:
                choice = _choose(component, found, totals)
        elif ranges:
            choice = _degenerate(component, shown, small, ranges)
        if choice is None:
            intervals = {i: (lo[i], hi[i]) for i in small if not shown[i]}
            break
        shown[choice] = False
        reasons[choice] = "secondary"
    return reasons, intervals


def protect(publication: Publication, threshold: int | None = None, *, exact: bool = True) -> Protection:
    """Decide which cells of a publication must be hidden (primary and secondary suppression).

    Args:
        publication: every cell, relation and table published for one population and period.
        threshold: k; counts from 1 to k − 1 are protected (default: :func:`default_threshold`).
        exact: check publications with cycles by linear programming too (the default; False
            relies on bound propagation alone, which is exact for tree-shaped publications).

    Returns:
        The hidden cells with the reason for each, and the interval a reader can derive for
        every protected cell.

    Raises:
        ValueError: a key is given with two counts, or a relation names an unknown cell.
    """
    k = default_threshold() if threshold is None else threshold
    if k < 1:
        raise ValueError(f"threshold {k}; expected a whole number ≥ 1")
    components, lonely = _components(publication)
    hidden: dict[Hashable, Reason] = {}
    intervals: dict[Hashable, tuple[float, float]] = {}
    for cell in lonely:
        small = cell.sensitive and 1 <= cell.count < k
        if cell.fixed:
            if cell.hidden and cell.published:
                hidden[cell.key] = "primary" if small else "secondary"
        elif cell.published and small:
            hidden[cell.key] = "primary"
        if small and cell.key not in hidden and not cell.published:
            intervals[cell.key] = (0.0, _INF)
        elif small and cell.key in hidden:
            intervals[cell.key] = (1.0, _INF)
    for component in components:
        if not any(c.sensitive and 1 <= c.count < k for c in component.cells) and not any(
            c.fixed and c.hidden for c in component.cells
        ):
            continue
        reasons, bounds = _protect_component(component, k, publication.ranges, exact)
        for i, reason in reasons.items():
            hidden[component.cells[i].key] = reason
        for i, interval in bounds.items():
            intervals[component.cells[i].key] = interval
    return Protection(threshold=k, hidden=hidden, intervals=intervals, tables=publication.tables)


__all__ = [
    "DEFAULT_THRESHOLD",
    "THRESHOLD_VARIABLE",
    "Cell",
    "Protection",
    "Publication",
    "Relation",
    "Table",
    "default_threshold",
    "method_statement",
    "protect",
]
