"""A contract's term and the reporting periods that follow from it; what the award report
(verbale di aggiudicazione — valutazione del valore sociale) holds.

Pure: plain data in, plain data out. A contract runs from ``starts_on`` to ``ends_on`` (both
included); delivery is reported in periods of ``reporting_months`` counted from the first day,
the last one cut at the end of the term:

>>> from datetime import date
>>> term = make_term(date(2026, 3, 1), date(2027, 4, 30), 6)
>>> for period in reporting_periods(term):
...     print(period.label, period.starts_on, period.ends_on)
P1 03/2026–08/2026 2026-03-01 2026-08-31
P2 09/2026–02/2027 2026-09-01 2027-02-28
P3 03/2027–04/2027 2027-03-01 2027-04-30
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from impactkit.errors import BidError, Problem
from impactkit.procurement._tender import DeliveryLine, MeasureScore

REPORTING_MONTHS = (1, 3, 6, 12)
"""How often a supplier reports delivery: monthly, quarterly, every six months, yearly."""
LONGEST_TERM_YEARS = 30


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContractTerm(_Strict):
    """When a contract runs (both days included) and how often delivery is reported."""

    starts_on: date
    ends_on: date
    reporting_months: int = 6


class ReportingPeriod(_Strict):
    label: str
    starts_on: date
    ends_on: date


def make_term(starts_on: date | None, ends_on: date | None, reporting_months: int | None = 6) -> ContractTerm:
    """A contract's term, checked.

    Raises:
        BidError: a missing day (at ``starts_on`` / ``ends_on``), an end before the start or a
            term longer than 30 years (at ``ends_on``), a reporting frequency not in
            :data:`REPORTING_MONTHS` (at ``reporting_months``); every problem at once.
    """
    problems: list[Problem] = []
    if starts_on is None:
        problems.append(Problem("the contract's first day is required", "starts_on", "required"))
    if ends_on is None:
        problems.append(Problem("the contract's last day is required", "ends_on", "required"))
    months = 6 if reporting_months is None else reporting_months
    if months not in REPORTING_MONTHS:
        problems.append(
            Problem(
                f"expected one of {', '.join(str(m) for m in REPORTING_MONTHS)} months, got {months}",
                "reporting_months",
                "choice",
            )
        )
    if starts_on is not None and ends_on is not None:
        if ends_on < starts_on:
            problems.append(
                Problem(
                    f"the contract ends on {ends_on.isoformat()}, "
                    f"before it starts on {starts_on.isoformat()}",
                    "ends_on",
                    "ends_before_start",
                    {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
                )
            )
        elif ends_on > add_months(starts_on, 12 * LONGEST_TERM_YEARS):
            problems.append(
                Problem(
                    f"a contract's term is at most {LONGEST_TERM_YEARS} years", "ends_on", "term_too_long"
                )
            )
    if problems:
        raise BidError("the contract's term is not valid", problems)
    assert starts_on is not None and ends_on is not None
    return ContractTerm(starts_on=starts_on, ends_on=ends_on, reporting_months=months)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def reporting_periods(term: ContractTerm) -> list[ReportingPeriod]:
    """The term cut into reporting periods, in order (see the module docstring)."""
    periods: list[ReportingPeriod] = []
    start = term.starts_on
    while start <= term.ends_on:
        end = min(
            add_months(term.starts_on, term.reporting_months * (len(periods) + 1)) - timedelta(days=1),
            term.ends_on,
        )
        label = f"P{len(periods) + 1} {start:%m/%Y}–{end:%m/%Y}"
        periods.append(ReportingPeriod(label=label, starts_on=start, ends_on=end))
        start = end + timedelta(days=1)
    return periods


def outside_term(term: ContractTerm, starts_on: date, ends_on: date) -> list[Problem]:
    """Problems of a delivery period that does not lie within the contract's term."""
    problems: list[Problem] = []
    details = {"term_starts_on": term.starts_on.isoformat(), "term_ends_on": term.ends_on.isoformat()}
    if starts_on < term.starts_on:
        problems.append(
            Problem(
                f"the period starts on {starts_on.isoformat()}, before the contract's term "
                f"({term.starts_on.isoformat()} to {term.ends_on.isoformat()})",
                "starts_on",
                "outside_term",
                details,
            )
        )
    if ends_on > term.ends_on:
        problems.append(
            Problem(
                f"the period ends on {ends_on.isoformat()}, after the contract's term "
                f"({term.starts_on.isoformat()} to {term.ends_on.isoformat()})",
                "ends_on",
                "outside_term",
                details,
            )
        )
    return problems


# --- the award report's content ----------------------------------------------------------------


class AwardMeasure(_Strict):
    """One measure of the tender as the authority set it, in the report's language."""

    measure_id: str
    label: str
    unit: str
    weight: float
    minimum: float | None
    evidence: str
    deadweight: float
    attribution: float
    unit_value: float | None
    currency: str | None
    value_year: int | None
    value_source: str | None


class AwardBid(_Strict):
    """One bid with its commitments and how each point was computed."""

    bid_id: int
    organisation: str
    source: str
    placed_at: datetime
    rank: int
    points: float
    max_points: float
    net_value: float
    awarded: bool
    measures: list[MeasureScore]


class AwardPeriod(_Strict):
    """One delivery period as the supplier reported it, with the evaluator's verification."""

    label: str
    starts_on: date
    ends_on: date
    state: str
    delivered: dict[str, float]
    evaluator: str | None = None
    accreditation: str | None = None
    verified_at: datetime | None = None
    content_hash: str | None = None
    checklist: list[dict[str, Any]] = Field(default_factory=list)
    justifications: dict[str, str] = Field(default_factory=dict)
    comments: str = ""


class AwardContract(_Strict):
    contract_id: int
    bid_id: int
    supplier: str
    term: ContractTerm | None
    """None only for a contract awarded before terms were recorded."""
    periods_due: list[ReportingPeriod]
    lines: list[DeliveryLine]
    periods: list[AwardPeriod]


class AwardReportContent(_Strict):
    """Everything the verbale di aggiudicazione says, as plain data (embedded in its PDF)."""

    language: str
    generated_at: datetime
    authority: str
    tender_id: int
    title: str
    description: str
    kind: str
    state: str
    created_at: datetime
    measure_set: str
    price_year: int | None
    max_points: float
    measures: list[AwardMeasure]
    bids: list[AwardBid]
    awarded_at: datetime | None
    awarded_by: str | None
    award_reason: str
    contracts: list[AwardContract]
