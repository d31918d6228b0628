"""KPIs over all periods, protected together with each period's KPIs already published.

A project publishes its KPIs for each reporting period and for all periods together. For a KPI
whose responses belong to one period each (everything but baseline→endline change, whose people
may link across periods), every figure over all periods is the sum of the periods' figures: a
reader who sees "mountain: 9" over all periods and "mountain: 6" in 2027 knows 2026 had 3, even
though 2026's page hid it. :func:`protect_across_periods` builds one
:class:`impactkit.disclosure.Publication` of the periods' figures (fixed: already published,
with what they hid) and the all-period figures (free), with every sum a reader knows — each
breakdown adds up to its headline, coarse age bands add up their finer bands, KPIs over the same
responses share their counts, the periods add up to the total — and hides, in the all-period
results, whatever more the disclosure-control step asks.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from typing import Any

from impactkit.disclosure import Cell, Publication, Relation, method_statement, protect
from impactkit.frameworks.model import Framework, Indicator, LocalizedText
from impactkit.frameworks.results import DisaggregationCell, DisclosureSummary, KpiResult, KpiResults

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}")
ALL = "all"


def _population(indicator: Indicator) -> Hashable | None:
    """Indicators over exactly the same responses share a population (None: not summed)."""
    source = indicator.source
    if source is None or source.reported or indicator.kind == "change":
        return None
    read = frozenset(_REFERENCE.findall(source.expression or "")) | (
        frozenset({source.field}) if source.field else frozenset()
    )
    if indicator.kind in {"count", "rate"}:
        return ("indicator", indicator.id)
    return (source.form, source.filter, source.exclude_baseline, read)


def _band_sums(framework: Framework) -> list[tuple[tuple[str, str], list[tuple[str, str]]]]:
    """(coarse dimension, category) → the finer bands of another breakdown of the field inside it."""
    found = []
    banded = [d for d in framework.disaggregations if d.bands]
    for coarse in banded:
        for fine in banded:
            if (
                fine is coarse
                or fine.field != coarse.field
                or len(fine.bands or []) <= len(coarse.bands or [])
            ):
                continue
            for category in dict.fromkeys(b.category for b in coarse.bands or []):
                outer = [b for b in coarse.bands or [] if b.category == category]
                inside = [
                    b.category
                    for b in fine.bands or []
                    if any(
                        (o.min is None or (b.min is not None and b.min >= o.min))
                        and (o.max is None or (b.max is not None and b.max <= o.max))
                        for o in outer
                    )
                ]
                found.append(((coarse.id, category), [(fine.id, c) for c in inside]))
    return found


class _Builder:
    def __init__(self, framework: Framework) -> None:
        self.framework = framework
        self.cells: dict[Hashable, Cell] = {}
        self.relations: list[Relation] = []
        self.owners: dict[Hashable, list[tuple[str, tuple[str, str] | None]]] = {}
        self.bands = _band_sums(framework)
        self.specs = {d.id: d for d in framework.disaggregations}

    def cell(self, key: Hashable, count: int, *, fixed: bool, hidden: bool, published: bool = True) -> None:
        known = self.cells.get(key)
        if known is not None:
            return
        self.cells[key] = Cell(
            key,
            count,
            published=published,
            sensitive=published,
            fixed=fixed and published,
            hidden=hidden and published,
        )

    def view(self, view: str, published: KpiResults, raw: KpiResults) -> None:
        fixed = view != ALL
        indicators = {i.id: i for i in self.framework.indicators}
        truth = {(r.indicator_id, r.group): r for r in raw.results}
        for result in published.results:
            indicator = indicators.get(result.indicator_id)
            population = _population(indicator) if indicator is not None else None
            true = truth.get((result.indicator_id, result.group))
            if population is None or true is None or not true.n:
                continue
            base: tuple[Hashable, ...] = (view, result.group, population)
            if (*base, "n") in self.cells and self.cells[(*base, "n")].count != true.n:
                base = (view, result.group, population, result.indicator_id)
            headline = (*base, "n")
            self.cell(headline, true.n, fixed=fixed, hidden=result.n is None)
            self.owners.setdefault(headline, []).append((result.indicator_id, None))
            counts = {(c.dimension, c.category): c.n or 0 for c in true.disaggregations}
            shown = {(c.dimension, c.category): c for c in result.disaggregations}
            dimensions = dict.fromkeys(d for d, _ in counts)
            for dimension in dimensions:
                parts = []
                for (d, category), count in counts.items():
                    if d != dimension:
                        continue
                    key = (*base, d, category)
                    cell = shown.get((d, category))
                    self.cell(key, count, fixed=fixed, hidden=cell is None or cell.suppressed)
                    self.owners.setdefault(key, []).append((result.indicator_id, (d, category)))
                    parts.append(key)
                rest = (*base, dimension, "rest")
                self.cell(
                    rest,
                    true.n - sum(counts[(d, c)] for d, c in counts if d == dimension),
                    fixed=fixed,
                    hidden=True,
                    published=False,
                )
                self.relations.append(Relation(headline, (*parts, rest)))
            for (coarse, category), fine in self.bands:
                if (coarse, category) in counts:
                    present = [(*base, *f) for f in fine if f in counts]
                    if present:
                        self.relations.append(Relation((*base, coarse, category), tuple(present)))

    def sums(self, views: Sequence[str]) -> None:
        """A figure over all periods = Σ the periods' figures (a period without it holds 0)."""
        for key in list(self.cells):
            if not isinstance(key, tuple) or key[0] != ALL:
                continue
            parts = []
            for view in views:
                part = (view, *key[1:])
                if part not in self.cells:
                    self.cells[part] = Cell(part, 0, fixed=True)
                parts.append(part)
            self.relations.append(Relation(key, tuple(parts)))


def protect_across_periods(
    framework: Framework,
    total: KpiResults,
    total_raw: KpiResults,
    periods: Sequence[tuple[KpiResults, KpiResults]],
    threshold: int | None = None,
) -> KpiResults:
    """The all-period results with whatever more must be hidden given the periods' results.

    Args:
        framework: the framework all were computed with.
        total: the all-period results as :func:`compute_kpis` protected them.
        total_raw: the same computed with ``suppress_below=1`` (the true counts).
        periods: per period, (published results, the same with ``suppress_below=1``).
        threshold: k (default: the threshold ``total`` was protected with).

    Returns:
        ``total`` with the further cells hidden (reason ``secondary``) and the statements counted
        again; ``total`` itself when nothing more is needed.
    """
    if len(periods) < 2:
        return total
    k = threshold or (total.disclosure.threshold if total.disclosure else total.suppress_below)
    builder = _Builder(framework)
    names = [f"p{i}" for i in range(len(periods))]
    for name, (published, raw) in zip(names, periods, strict=True):
        builder.view(name, published, raw)
    builder.view(ALL, total, total_raw)
    builder.sums(names)
    hidden = protect(Publication(cells=list(builder.cells.values()), relations=builder.relations), k).hidden
    more: dict[str, set[tuple[str, str] | None]] = {}
    for key in hidden:
        if isinstance(key, tuple) and key[0] == ALL:
            for indicator_id, cell in builder.owners.get(key, []):
                more.setdefault(indicator_id, set()).add(cell)
    if not more:
        return total
    results = [_hide(result, more.get(result.indicator_id, set()), k) for result in total.results]
    primary = sum(
        (r.suppression == "primary") + sum(c.suppression == "primary" for c in r.disaggregations)
        for r in results
    )
    secondary = sum(
        (r.suppression == "secondary") + sum(c.suppression == "secondary" for c in r.disaggregations)
        for r in results
    )
    summary = DisclosureSummary(
        threshold=k,
        hidden_primary=primary,
        hidden_secondary=secondary,
        method=LocalizedText.model_validate(method_statement(k, primary, secondary)),
    )
    return total.model_copy(update={"results": results, "disclosure": summary})


def _hide(result: KpiResult, cells: set[tuple[str, str] | None], threshold: int) -> KpiResult:
    if not cells:
        return result
    update: dict[str, Any] = {}
    if None in cells and not result.suppressed:
        update.update(
            value=None,
            n=None,
            ci_low=None,
            ci_high=None,
            target_met=None,
            suppressed=True,
            suppression="secondary",
            flags=[*result.flags, "suppressed: hidden so that another figure cannot be worked out"],
            exclusions=[e.model_copy(update={"count": None}) for e in result.exclusions],
        )
    disaggregations = []
    for cell in result.disaggregations:
        if not cell.suppressed and ((cell.dimension, cell.category) in cells or None in cells):
            cell = DisaggregationCell(
                dimension=cell.dimension,
                category=cell.category,
                value=None,
                n=None,
                suppressed=True,
                suppression="secondary",
            )
        disaggregations.append(cell)
    update["disaggregations"] = disaggregations
    hidden = result.model_copy(update=update)
    primary = (hidden.suppression == "primary") + sum(c.suppression == "primary" for c in disaggregations)
    secondary = (hidden.suppression == "secondary") + sum(
        c.suppression == "secondary" for c in disaggregations
    )
    statement = LocalizedText.model_validate(method_statement(threshold, primary, secondary))
    return hidden.model_copy(update={"disclosure": statement})


__all__ = ["protect_across_periods"]
