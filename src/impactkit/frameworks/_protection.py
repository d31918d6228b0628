"""KPI results as a disclosure-control publication: which headline figures and cells to hide.

For each group (all data, or one organisation …) every KPI's headline count and breakdown
cells become cells of one :class:`impactkit.disclosure.Publication`:

* a KPI's respondents are a *population*; KPIs computed over exactly the same responses share
  their cells (a reader sees the same counts in both);
* each breakdown is ``headline n = Σ categories + people whose category is not recorded``;
  a banded breakdown that coarsens another of the same field (youth 15–35 over age bands) is
  linked to it: its category is the sum of the finer bands it holds, and a category equal to a
  finer band is the same cell;
* organisation-reported counts of people (``unit: people``) are cells too, and a reported
  share whose denominator is one of them (people in mountain areas / people reached) makes
  its numerator and the rest cells of that total.

Then :func:`impactkit.disclosure.protect` decides; only groups with a small count are built.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from impactkit.disclosure import Cell, Publication, Reason, Relation, protect
from impactkit.frameworks.model import Disaggregation, Indicator

GROUP = "__group"
PEOPLE_UNITS = frozenset({"people", "persone", "persons", "placements", "participants", "beneficiaries"})
"""Units of reported counts and sums that count people (protected like a breakdown cell)."""


def population_key(form_id: str, index: pd.Index) -> str:
    """A fingerprint of the exact set of responses a KPI counts (equal sets, equal keys)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(form_id.encode())
    digest.update(np.asarray(index).tobytes())
    return digest.hexdigest()


@dataclass
class IndicatorTables:
    """One KPI's published figures for every group, before protection."""

    indicator: Indicator
    overall: pd.DataFrame
    """index: group; columns value, n, ci_low, ci_high."""
    cells: pd.DataFrame | None
    """columns __group, dimension, category, value, n, ci_low, ci_high."""
    population: str | None
    """Survey KPIs: the fingerprint of the responses counted; None for reported figures."""
    measure_range: tuple[float, float] | None = None
    """Range of one person's value when value × n is a sum a reader can use (mean, share)."""
    people_count: bool = False
    """A reported count of people."""
    part_of: str | None = None
    """A reported share: the source field of the people count it is a share of."""
    numerator: pd.Series | None = None
    """A reported share of people: its numerator per group (people)."""
    denominator: pd.Series | None = None


@dataclass
class Decisions:
    """What to hide: headline figures and cells, per indicator."""

    threshold: int
    overall: dict[str, dict[Any, Reason]] = field(default_factory=dict)
    """indicator id → group → reason."""
    cells: dict[str, np.ndarray] = field(default_factory=dict)
    """indicator id → reason per row of its cells frame ('' when shown)."""
    primary: int = 0
    secondary: int = 0


def _intervals(spec: Disaggregation, category: str) -> frozenset[tuple[float, float]]:
    assert spec.bands is not None
    return frozenset(
        (
            -np.inf if band.min is None else float(band.min),
            np.inf if band.max is None else float(band.max),
        )
        for band in spec.bands
        if band.category == category
    )


def _inside(fine: frozenset[tuple[float, float]], coarse: frozenset[tuple[float, float]]) -> bool:
    return all(any(c_lo <= lo and hi <= c_hi for c_lo, c_hi in coarse) for lo, hi in fine)


def _category_key(spec: Disaggregation, category: str) -> Hashable:
    if spec.bands:
        return ("band", spec.field, spec.fallback, _intervals(spec, category))
    return ("category", spec.field, spec.fallback, category)


def _small(values: np.ndarray, threshold: int) -> np.ndarray:
    return (values >= 1) & (values < threshold)


@dataclass
class _Population:
    """One group's respondents of one or more KPIs (the same responses): counts and owners."""

    group: Any
    key: str
    total: int = 0
    dimensions: dict[str, dict[str, int]] = field(default_factory=dict)
    owners: dict[Hashable, list[tuple[str, int | None]]] = field(default_factory=dict)
    amounts: dict[str, dict[Hashable, float]] = field(default_factory=dict)
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    indicators: list[str] = field(default_factory=list)


def decide(
    tables: Sequence[IndicatorTables],
    specs: Mapping[str, Disaggregation],
    threshold: int,
) -> Decisions:
    """Which headline figures and cells to hide, group by group (see the module docstring)."""
    decisions = Decisions(threshold=threshold)
    for item in tables:
        decisions.overall[item.indicator.id] = {}
        if item.cells is not None:
            decisions.cells[item.indicator.id] = np.full(len(item.cells), "", dtype=object)
    keys = _CategoryKeys(specs)
    populations = _populations(tables, threshold, keys)
    for population in populations.values():
        hidden = _quick(population, specs, keys, threshold)
        if hidden is None:
            publication = _publication(population, specs, keys)
            hidden = dict(protect(publication, threshold).hidden)
        _record(population.owners, hidden, decisions, population.group)
    reported = _reported_needed(tables, threshold)
    figures = [
        (
            item,
            item.overall["value"].to_dict(),
            item.numerator.to_dict() if item.numerator is not None else {},
            item.denominator.to_dict() if item.denominator is not None else {},
        )
        for item in tables
        if item.population is None
    ]
    for group in reported:
        cells: list[Cell] = []
        relations: list[Relation] = []
        owners: dict[Hashable, list[tuple[str, int | None]]] = {}
        _reported_publication(group, figures, cells, relations, owners)
        hidden = dict(protect(Publication(cells=cells, relations=relations), threshold).hidden)
        _record(owners, hidden, decisions, group)
    return decisions


class _CategoryKeys:
    """The cell key of a breakdown category (equal bands of two breakdowns: one key), cached."""

    def __init__(self, specs: Mapping[str, Disaggregation]) -> None:
        self.specs = specs
        self.cache: dict[tuple[str, str], Hashable] = {}
        self.nesting: dict[tuple[str, str, frozenset[str]], dict[str, list[str]] | None] = {}

    def inside(
        self, base: str, coarse: str, present: frozenset[str], categories: Iterable[str]
    ) -> dict[str, list[str]] | None:
        """Coarse category → the finer (base) categories inside it, or None if one holds none."""
        key = (base, coarse, present)
        if key not in self.nesting:
            base_spec, coarse_spec = self.specs[base], self.specs[coarse]
            found: dict[str, list[str]] | None = {}
            assert coarse_spec.bands is not None
            for category in dict.fromkeys(band.category for band in coarse_spec.bands):
                outer = _intervals(coarse_spec, category)
                inner = [c for c in sorted(present) if _inside(_intervals(base_spec, c), outer)]
                assert found is not None
                found[category] = inner
            self.nesting[key] = found
        nesting = self.nesting[key]
        if nesting is None or any(not nesting.get(c) for c in categories):
            return None
        return nesting

    def __call__(self, dimension: str, category: str) -> Hashable:
        found = self.cache.get((dimension, category))
        if found is None:
            found = _category_key(self.specs[dimension], category)
            self.cache[(dimension, category)] = found
        return found


def _populations(
    tables: Sequence[IndicatorTables], threshold: int, keys: _CategoryKeys
) -> dict[tuple[Any, str], _Population]:
    """Every (group, population) with a count from 1 to k − 1 somewhere, with its counts."""
    needed: dict[str, set[Any]] = {}
    for item in tables:
        if item.population is None:
            continue
        n = np.nan_to_num(item.overall["n"].to_numpy(dtype="float64"))
        groups = needed.setdefault(item.population, set())
        groups.update(item.overall.index[_small(n, threshold)].tolist())
        if item.cells is not None and len(item.cells):
            small = _small(item.cells["n"].to_numpy(dtype="float64"), threshold)
            groups.update(pd.unique(item.cells[GROUP].to_numpy()[small]).tolist())
    populations: dict[tuple[Any, str], _Population] = {}
    for item in tables:
        if item.population is None or not needed.get(item.population):
            continue
        wanted = needed[item.population]
        indicator_id = item.indicator.id
        overall_n = item.overall["n"].to_dict()
        overall_value = item.overall["value"].to_dict()
        for group in wanted:
            n = overall_n.get(group)
            if n is None or n != n:
                continue
            population = populations.get((group, item.population))
            if population is None:
                population = _Population(group, item.population, total=int(n))
                populations[(group, item.population)] = population
            population.indicators.append(indicator_id)
            population.owners.setdefault(("n",), []).append((indicator_id, None))
            if item.measure_range is not None:
                population.ranges[indicator_id] = item.measure_range
                value = overall_value[group]
                if value == value:
                    population.amounts.setdefault(indicator_id, {})[("n",)] = float(value) * int(n)
        if item.cells is None or not len(item.cells):
            continue
        group_column = item.cells[GROUP].to_numpy()
        rows = np.flatnonzero(pd.Series(group_column).isin(list(wanted)).to_numpy())
        if not len(rows):
            continue
        dimension_column = item.cells["dimension"].to_numpy()[rows].tolist()
        category_column = item.cells["category"].astype(str).to_numpy()[rows].tolist()
        count_column = item.cells["n"].to_numpy(dtype="float64")[rows].tolist()
        value_column = item.cells["value"].to_numpy(dtype="float64")[rows].tolist()
        groups = group_column[rows].tolist()
        measure = indicator_id if item.measure_range is not None else None
        for row, group, dimension, category, count, value in zip(
            rows.tolist(), groups, dimension_column, category_column, count_column, value_column, strict=True
        ):
            population = populations.get((group, item.population))
            if population is None:
                continue
            population.dimensions.setdefault(dimension, {})[category] = int(count)
            suffix = keys(dimension, category)
            population.owners.setdefault(suffix, []).append((indicator_id, row))
            if measure is not None and value == value:
                population.amounts.setdefault(measure, {})[suffix] = value * int(count)
    return populations


def _tree(
    population: _Population, specs: Mapping[str, Disaggregation], keys: _CategoryKeys
) -> tuple[dict[Hashable, int], set[Hashable], list[tuple[Hashable, list[Hashable]]], bool]:
    """Counts, never-published cells and relations of a population in tree form.

    Returns (counts, unpublished, relations, is_tree): relations list the headline's split per
    field first, then each coarse band's split into finer bands.
    """
    counts: dict[Hashable, int] = {("n",): population.total}
    unpublished: set[Hashable] = set()
    relations: list[tuple[Hashable, list[Hashable]]] = []
    is_tree = True
    by_field: dict[tuple[str, str | None, bool], list[str]] = {}
    for dimension in population.dimensions:
        spec = specs[dimension]
        by_field.setdefault((spec.field, spec.fallback, bool(spec.bands)), []).append(dimension)
    for (_, _, banded), names in by_field.items():
        names = sorted(names, key=lambda d: -len(population.dimensions[d]))
        base = names[0]
        base_counts = population.dimensions[base]
        base_keys = {c: keys(base, c) for c in base_counts}
        for name in names:
            for category, count in population.dimensions[name].items():
                counts[keys(name, category)] = count
        rest_key = ("rest", base)
        counts[rest_key] = max(population.total - sum(base_counts.values()), 0)
        unpublished.add(rest_key)
        top = list(base_keys.values())
        nested_done = False
        for name in names[1:]:
            spec = specs[name]
            coarse_counts = population.dimensions[name]
            splits: list[tuple[Hashable, list[Hashable]]] = []
            covered: set[str] = set()
            nested = banded
            nesting = keys.inside(base, name, frozenset(base_counts), coarse_counts) if banded else None
            if nesting is None:
                nested = False
            if nested:
                assert nesting is not None
                for category, count in coarse_counts.items():
                    inside = nesting[category]
                    if sum(base_counts[c] for c in inside) != count:
                        nested = False
                        break
                    covered.update(inside)
                    coarse_key = keys(name, category)
                    inside_keys = [base_keys[c] for c in inside]
                    if inside_keys != [coarse_key]:
                        splits.append((coarse_key, inside_keys))
            if not nested:
                own_rest = ("rest", name)
                counts[own_rest] = max(population.total - sum(coarse_counts.values()), 0)
                unpublished.add(own_rest)
                relations.append((("n",), [*(keys(name, c) for c in coarse_counts), own_rest]))
                continue
            if nested_done:
                is_tree = False
            else:
                nested_done = True
                outside = [base_keys[c] for c in base_counts if c not in covered]
                top = list(dict.fromkeys([*(keys(name, c) for c in coarse_counts), *outside]))
            relations.extend(splits)
        relations.insert(0, (("n",), [*top, rest_key]))
    return counts, unpublished, relations, is_tree


def _quick(
    population: _Population, specs: Mapping[str, Disaggregation], keys: _CategoryKeys, threshold: int
) -> dict[Hashable, Reason] | None:
    """The rule of impactkit.disclosure worked out directly for a tree with a shown headline:
    each split is then independent, a hidden cell is at least 1, so a split with hidden cells
    holding S people, m of them listed, leaves each small hidden cell in [1, S − m + 1].
    None where that shortcut does not apply (the general engine decides)."""
    if population.total < threshold:
        return None
    counts, unpublished, relations, is_tree = _tree(population, specs, keys)
    if not is_tree:
        return None
    hidden: dict[Hashable, Reason] = {
        key: "primary" for key, count in counts.items() if key not in unpublished and 1 <= count < threshold
    }
    totals = {total for total, _ in relations}
    for total, parts in relations:
        if total in hidden:
            return None
        while True:
            hidden_people = 0
            listed = 0
            small = False
            for part in parts:
                if part in unpublished:
                    hidden_people += counts[part]
                elif part in hidden:
                    hidden_people += counts[part]
                    listed += 1
                    small = small or counts[part] < threshold
            choice: Hashable | None = None
            if small and hidden_people - listed + 1 < threshold:
                choice = _smallest_shown(parts, counts, hidden, unpublished)
                if choice is None:
                    return None
            elif small and population.ranges:
                choice = _alike(total, parts, counts, hidden, unpublished, population)
            if choice is None:
                break
            if choice in totals:
                return None
            hidden[choice] = "secondary"
    return hidden


def _smallest_shown(
    parts: list[Hashable],
    counts: Mapping[Hashable, int],
    hidden: Mapping[Hashable, Reason],
    unpublished: set[Hashable],
) -> Hashable | None:
    shown = [p for p in parts if p not in hidden and p not in unpublished and counts[p] >= 1]
    if not shown:
        return None
    return min(shown, key=lambda p: (counts[p], str(p)))


def _alike(
    total: Hashable,
    parts: list[Hashable],
    counts: Mapping[Hashable, int],
    hidden: Mapping[Hashable, Reason],
    unpublished: set[Hashable],
    population: _Population,
) -> Hashable | None:
    """A shown part to hide where everyone in the hidden cells must have answered alike."""
    for measure, (low, high) in population.ranges.items():
        amounts = population.amounts.get(measure, {})
        if total not in amounts:
            continue
        hidden_count = counts[total]
        hidden_amount = amounts[total]
        known = True
        for part in parts:
            if part not in hidden and part not in unpublished:
                if part not in amounts:
                    known = False
                    break
                hidden_count -= counts[part]
                hidden_amount -= amounts[part]
        if not known or hidden_count <= 0:
            continue
        mean = hidden_amount / hidden_count
        tolerance = 1e-9 * max(1.0, high - low)
        extreme = low if abs(mean - low) <= tolerance else high if abs(mean - high) <= tolerance else None
        if extreme is None:
            continue
        choices = [
            p
            for p in parts
            if p not in hidden
            and p not in unpublished
            and counts[p] >= 1
            and p in amounts
            and abs(amounts[p] / counts[p] - extreme) > tolerance
        ]
        if choices:
            return min(choices, key=lambda p: (counts[p], str(p)))
    return None


def _publication(
    population: _Population, specs: Mapping[str, Disaggregation], keys: _CategoryKeys
) -> Publication:
    """The population as a publication for the general engine (keys as in :func:`_tree`)."""
    counts, unpublished, relations, _ = _tree(population, specs, keys)
    cells = [
        Cell(
            key,
            count,
            published=key not in unpublished,
            sensitive=key not in unpublished,
            amounts={m: a[key] for m, a in population.amounts.items() if key in a},
        )
        for key, count in counts.items()
    ]
    return Publication(
        cells=cells,
        relations=[Relation(total, tuple(parts)) for total, parts in relations],
        ranges=population.ranges,
    )


def _reported_needed(tables: Sequence[IndicatorTables], threshold: int) -> list[Any]:
    groups: set[Any] = set()
    for item in tables:
        if item.people_count:
            values = np.nan_to_num(item.overall["value"].to_numpy(dtype="float64"))
            groups.update(item.overall.index[_small(values, threshold)].tolist())
        if item.numerator is not None and item.denominator is not None:
            numerator = item.numerator.to_numpy(dtype="float64")
            rest = item.denominator.to_numpy(dtype="float64") - numerator
            risky = _small(np.nan_to_num(numerator), threshold) | _small(np.nan_to_num(rest), threshold)
            groups.update(item.numerator.index[risky].tolist())
    return sorted(groups, key=str)


def _reported_publication(
    group: Any,
    figures: list[tuple[IndicatorTables, dict[Any, float], dict[Any, float], dict[Any, float]]],
    cells: list[Cell],
    relations: list[Relation],
    owners: dict[Hashable, list[tuple[str, int | None]]],
) -> None:
    for item, values, numerators, denominators in figures:
        indicator = item.indicator
        expression = indicator.measured.value_expression
        if item.people_count:
            value = values.get(group)
            if value is not None and value == value:
                key = (group, "reported", expression)
                cells.append(Cell(key, round(float(value))))
                owners.setdefault(key, []).append((indicator.id, None))
        elif item.part_of is not None:
            numerator = numerators.get(group)
            denominator = denominators.get(group)
            if (
                numerator is None
                or denominator is None
                or numerator != numerator
                or denominator != denominator
            ):
                continue
            total_key = (group, "reported", f"${{{item.part_of}}}")
            part_key = (group, "reported", expression)
            rest_key = (group, "reported", "rest", expression)
            numerator_count, denominator_count = round(numerator), round(denominator)
            cells.append(Cell(total_key, denominator_count))
            cells.append(Cell(part_key, numerator_count))
            cells.append(Cell(rest_key, max(denominator_count - numerator_count, 0), published=False))
            relations.append(Relation(total_key, (part_key, rest_key)))
            owners.setdefault(part_key, []).append((indicator.id, None))
            # The share is hidden with its numerator, and with the total it is a share of.
            owners.setdefault(total_key, []).append((indicator.id, None))


def _record(
    owners: Mapping[Hashable, list[tuple[str, int | None]]],
    hidden: Mapping[Hashable, Reason],
    decisions: Decisions,
    group: Any,
) -> None:
    for key, reason in hidden.items():
        users = owners.get(key, ())
        for indicator_id, row in users:
            if row is None:
                current = decisions.overall[indicator_id].get(group)
                if current != "primary":
                    decisions.overall[indicator_id][group] = reason
            else:
                decisions.cells[indicator_id][row] = reason
        if users:
            if reason == "primary":
                decisions.primary += 1
            else:
                decisions.secondary += 1


__all__ = ["PEOPLE_UNITS", "Decisions", "IndicatorTables", "decide", "population_key"]
