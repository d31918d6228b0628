"""A funder's grants applied to its grantees' validated reports: targets met, amounts payable and capped.

Each grant sets its own terms per outcome metric (an indicator of the framework): target,
direction, price per unit, cap, payment basis, stage and validation method. A report is
*interim* for a grant when its period ends before the grant does, *final* otherwise (or when
the grant has no end date); the grant's targets of that stage apply to it. Indicators the grant
sets no target for keep the framework's own target (met or not, paying nothing). Money is in the
grant's currency; the payment rule is :func:`impactkit.reports.payment_by_results`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from impactkit.reports.model import (
    Direction,
    KpiResult,
    OutcomeTarget,
    PaymentBasis,
    ReportContent,
    Stage,
    payment_by_results,
)

Source = Literal["grant", "framework"]


class GrantTerms(BaseModel):
    """A grant as the portfolio needs it: who, how much, when, and its targets."""

    model_config = ConfigDict(extra="ignore")

    id: int | str
    title: str
    funder: str = ""
    amount: float = 0.0
    currency: str = "EUR"
    outcome_based: bool = False
    starts_on: date | None = None
    ends_on: date | None = None
    targets: list[OutcomeTarget] = Field(default_factory=list)


class GrantLine(BaseModel):
    """One target applied to one report: achieved against target, and what it pays."""

    grant_id: int | str | None
    grant: str
    indicator_id: str
    indicator: str
    unit: str | None
    source: Source
    """``grant``: the grant's own target; ``framework``: the framework's, where the grant sets none."""
    stage: Stage
    achieved: float | None
    target: float
    direction: Direction
    met: bool
    basis: PaymentBasis
    units_paid: float
    price_per_unit: float | None
    amount_before_cap: float
    cap: float | None
    amount_payable: float
    amount_capped: float
    """What the cap held back: amount before cap − amount payable."""
    currency: str
    validation_method: str = ""
    note: str = ""


def stage_of(period_end: date, grant: GrantTerms) -> Stage:
    """``interim`` when the report's period ends before the grant does, else ``final``.

    >>> grant = GrantTerms(id=1, title="G", ends_on=date(2027, 12, 31))
    >>> stage_of(date(2026, 12, 31), grant), stage_of(date(2027, 12, 31), grant)
    ('interim', 'final')
    """
    if grant.ends_on is not None and period_end < grant.ends_on:
        return "interim"
    return "final"


def grant_lines(content: ReportContent, grant: GrantTerms) -> list[GrantLine]:
    """The grant's targets of the report's stage, then the framework's targets the grant leaves.

    Example:
        >>> content = ReportContent.model_validate({
        ...     "organisation": {"name": "Aurora"}, "project": {"name": "Lavoro"},
        ...     "period": {"start": "2026-01-01", "end": "2026-12-31"},
        ...     "framework": {"id": "simplified-kpis", "version": "2026.1"},
        ...     "kpis": [{"indicator_id": "placements", "value": 12},
        ...              {"indicator_id": "satisfied", "value": 0.7, "target": 0.6,
        ...               "direction": "at_least", "target_met": True}]})
        >>> grant = GrantTerms(id=7, title="Lavoro e autonomia", targets=[
        ...     {"indicator_id": "placements", "target": 10, "price_per_unit": 1500, "cap": 15000}])
        >>> [(l.source, l.met, l.amount_payable, l.amount_capped) for l in grant_lines(content, grant)]
        [('grant', True, 15000.0, 3000.0), ('framework', True, 0.0, 0.0)]
    """
    stage = stage_of(content.period.end, grant)
    by_id = {kpi.indicator_id: kpi for kpi in content.kpis}
    mine = [t.model_copy(update={"currency": grant.currency}) for t in grant.targets if t.stage == stage]
    lines: list[GrantLine] = []
    for target, payment in zip(mine, payment_by_results(content.kpis, mine), strict=True):
        kpi = by_id.get(target.indicator_id)
        capped = Decimal(repr(payment.amount_before_cap)) - Decimal(repr(payment.amount_payable))
        lines.append(
            GrantLine(
                grant_id=grant.id,
                grant=grant.title,
                indicator_id=target.indicator_id,
                indicator=_label(kpi, content, target.indicator_id),
                unit=kpi.unit if kpi else None,
                source="grant",
                stage=stage,
                achieved=payment.achieved,
                target=target.target,
                direction=target.direction,
                met=payment.met,
                basis=target.basis,
                units_paid=payment.units_paid,
                price_per_unit=target.price_per_unit,
                amount_before_cap=payment.amount_before_cap,
                cap=target.cap,
                amount_payable=payment.amount_payable,
                amount_capped=float(capped),
                currency=grant.currency,
                validation_method=target.validation_method,
                note=payment.note,
            )
        )
    named = {t.indicator_id for t in grant.targets}
    for kpi in content.kpis:
        if kpi.indicator_id in named or kpi.target is None:
            continue
        direction = kpi.direction or "at_least"
        lines.append(
            GrantLine(
                grant_id=grant.id,
                grant=grant.title,
                indicator_id=kpi.indicator_id,
                indicator=_label(kpi, content, kpi.indicator_id),
                unit=kpi.unit,
                source="framework",
                stage=stage,
                achieved=kpi.value,
                target=kpi.target,
                direction=direction,
                met=bool(kpi.target_met)
                if kpi.target_met is not None
                else _met(kpi.value, kpi.target, direction),
                basis="all_units_when_met",
                units_paid=0.0,
                price_per_unit=None,
                amount_before_cap=0.0,
                cap=None,
                amount_payable=0.0,
                amount_capped=0.0,
                currency=grant.currency,
                note="framework target: the grant sets none for this indicator",
            )
        )
    return lines


def _met(value: float | None, target: float, direction: Direction) -> bool:
    if value is None:
        return False
    return value >= target if direction == "at_least" else value <= target


def _label(kpi: KpiResult | None, content: ReportContent, indicator_id: str) -> str:
    return kpi.label(content.language) if kpi is not None else indicator_id


class GranteeSummary(BaseModel):
    """One grantee's report under the funder's grants: targets, payments, and the lines behind them."""

    number: int
    """1, 2, … in the portfolio's order (the key of the workbook's formulas)."""
    organisation: str
    project: str
    period_start: date
    period_end: date
    framework: str
    report_id: int | None = None
    content_hash: str | None = None
    targets: int
    targets_met: int
    amount_payable: float
    amount_capped: float
    currency: str
    lines: list[GrantLine]


def summarise(
    number: int,
    content: ReportContent,
    grants: list[GrantTerms],
    *,
    report_id: int | None = None,
    content_hash: str | None = None,
) -> GranteeSummary:
    """Every grant's lines for one report, with the counts and sums per grantee."""
    lines = [line for grant in grants for line in grant_lines(content, grant)]
    currencies = sorted({line.currency for line in lines}) or [grants[0].currency if grants else "EUR"]
    return GranteeSummary(
        number=number,
        organisation=content.organisation.name,
        project=content.project.name,
        period_start=content.period.start,
        period_end=content.period.end,
        framework=f"{content.framework.id} {content.framework.version}",
        targets=len(lines),
        targets_met=sum(1 for line in lines if line.met),
        amount_payable=_sum(line.amount_payable for line in lines),
        amount_capped=_sum(line.amount_capped for line in lines),
        currency="/".join(currencies),
        lines=lines,
        report_id=report_id,
        content_hash=content_hash,
    )


def _sum(values: Iterable[float]) -> float:
    return float(sum((Decimal(repr(v)) for v in values), Decimal(0)))


__all__ = ["GrantLine", "GrantTerms", "GranteeSummary", "grant_lines", "stage_of", "summarise"]
