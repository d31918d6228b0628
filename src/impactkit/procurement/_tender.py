"""Tenders, bids and delivery on the shared measures: checking, scoring, committed vs delivered.

Pure: plain data in, plain data out. The authority's terms fix, per measure, the points it is
worth (``weight``), the minimum commitment, the evidence asked for, and the deadweight and
attribution that turn a monetised quantity into net social value:

    net value = quantity × value per unit × (1 − deadweight) × (1 − attribution)

A bid scores, per measure, ``weight × quantity / best quantity offered`` (the best bid takes the
full weight, the others in proportion; nobody offering anything scores 0); its score is the sum.
Counted measures score like monetised ones: the money is shown beside the points, never instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from impactkit.errors import BidError, Problem
from impactkit.frameworks.proxies import ProxyBank
from impactkit.procurement._measures import MeasureSet, UnitValue, shipped_measure_set, unit_value

TenderKind = Literal["tender", "co_design"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MeasureTerms(_Strict):
    """What the authority asks for one measure."""

    measure_id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)
    weight: float = Field(ge=0, le=1000, description="Points this measure is worth in the award")
    minimum: float | None = Field(default=None, ge=0, le=1e12, description="Least quantity a bid must commit")
    evidence: str = Field(
        default="", max_length=2000, description="Evidence asked for beyond the measure's own"
    )
    deadweight: float = Field(default=0.0, ge=0, le=1, description="Share that would happen anyway, 0–1")
    attribution: float = Field(default=0.0, ge=0, le=1, description="Share due to others, 0–1")
    unit_value: UnitValue | None = None
    """The value per unit, fixed when the tender is made (None: counted, not monetised)."""

    def net_value(self, quantity: float) -> float | None:
        """Net social value of ``quantity`` units, or None for a counted measure."""
        if self.unit_value is None:
            return None
        return quantity * self.unit_value.value * (1 - self.deadweight) * (1 - self.attribution)


class TenderTerms(_Strict):
    """The social-value terms of a tender (or of a co-design agreement under art. 55)."""

    title: str = Field(min_length=1, max_length=300)
    kind: TenderKind = "tender"
    measure_set: str
    """``id@version`` of the measure set the terms were made from."""
    price_year: int | None = None
    measures: list[MeasureTerms] = Field(min_length=1)

    def terms_of(self, measure_id: str) -> MeasureTerms | None:
        return next((m for m in self.measures if m.measure_id == measure_id), None)

    @property
    def max_points(self) -> float:
        return sum(m.weight for m in self.measures)


def make_terms(
    title: str,
    measures: Sequence[Mapping[str, Any]],
    *,
    kind: TenderKind = "tender",
    price_year: int | None = None,
    measure_set: MeasureSet | None = None,
    bank: ProxyBank | None = None,
) -> TenderTerms:
    """Terms from the authority's choices, each measure's value per unit fixed from its source.

    Raises:
        BidError: a measure not in the set, used twice, or a field out of range; each problem
            names ``measures[i].field``.
    """
    measure_set = measure_set or shipped_measure_set()
    problems: list[Problem] = []
    lines: list[MeasureTerms] = []
    seen: set[str] = set()
    known = {m.id for m in measure_set.measures}
    if not measures:
        problems.append(Problem("choose at least one measure", "measures", "empty"))
    for index, raw in enumerate(measures):
        where = f"measures[{index}]"
        measure_id = str(raw.get("measure_id", ""))
        if measure_id not in known:
            problems.append(
                Problem(
                    f"no measure {measure_id!r} in {measure_set.reference}; "
                    f"expected one of {', '.join(sorted(known))}",
                    f"{where}.measure_id",
                    "unknown_measure",
                )
            )
            continue
        if measure_id in seen:
            problems.append(
                Problem(f"measure {measure_id!r} is chosen twice", f"{where}.measure_id", "duplicate")
            )
            continue
        seen.add(measure_id)
        try:
            line = MeasureTerms.model_validate(
                {**dict(raw), "unit_value": unit_value(measure_set, measure_id, bank, price_year)}
            )
        except ValidationError as error:
            for item in error.errors():
                field = ".".join(str(part) for part in item["loc"])
                problems.append(Problem(item["msg"], f"{where}.{field}", "invalid"))
            continue
        lines.append(line)
    if problems:
        raise BidError("the tender's terms are not valid", problems)
    return TenderTerms(
        title=title, kind=kind, measure_set=measure_set.reference, price_year=price_year, measures=lines
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if "," in text and "." in text:
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def check_commitments(
    terms: TenderTerms,
    commitments: Iterable[tuple[str, Any, str]],
    *,
    minimums: bool = True,
    what: str = "bid",
) -> dict[str, float]:
    """The quantities of a bid (or of a delivery report) checked against the terms.

    ``commitments`` are ``(measure_id, quantity, location)``: the location names the field or
    cell each problem is reported at (``commitments.training_hours_youth``, ``Offerta!E7``).
    A measure the terms ask a minimum of and the bid leaves out is below its minimum.

    Raises:
        BidError: every problem at once: a negative or non-numeric quantity, a measure not in
            the tender, a measure given twice, a commitment below the minimum.
    """
    problems: list[Problem] = []
    quantities: dict[str, float] = {}
    where_of: dict[str, str] = {}
    bad: set[str] = set()
    asked = ", ".join(m.measure_id for m in terms.measures)
    for measure_id, raw, location in commitments:
        line = terms.terms_of(measure_id)
        if line is None:
            problems.append(
                Problem(
                    f"measure {measure_id!r} is not in this tender; it asks for {asked}",
                    location,
                    "measure_not_in_tender",
                    {"measure_id": measure_id[:80]},
                )
            )
            continue
        if measure_id in quantities:
            problems.append(Problem(f"measure {measure_id!r} is given twice", location, "duplicate"))
            continue
        quantity = _number(raw)
        bad.add(measure_id)
        if quantity is None:
            problems.append(Problem(f"expected a number, got {str(raw)[:40]!r}", location, "not_a_number"))
            continue
        if quantity < 0:
            problems.append(
                Problem(
                    f"expected a quantity of 0 or more, got {quantity:g}",
                    location,
                    "negative_quantity",
                    {"value": f"{quantity:g}"},
                )
            )
            continue
        if quantity > 1e12:
            problems.append(Problem(f"expected at most 1e12, got {quantity:g}", location, "too_large"))
            continue
        bad.discard(measure_id)
        quantities[measure_id] = quantity + 0.0  # -0 is stored as 0
        where_of[measure_id] = location
    if minimums:
        for line in terms.measures:
            if line.minimum is None or line.measure_id in bad:
                continue
            committed = quantities.get(line.measure_id, 0.0)
            if committed < line.minimum:
                problems.append(
                    Problem(
                        f"the commitment {committed:g} is below the tender's minimum of {line.minimum:g}",
                        where_of.get(line.measure_id, f"commitments.{line.measure_id}"),
                        "below_minimum",
                        {
                            "measure_id": line.measure_id,
                            "minimum": f"{line.minimum:g}",
                            "committed": f"{committed:g}",
                        },
                    )
                )
    if problems:
        raise BidError(f"the {what} does not fit the tender's terms", problems)
    return {line.measure_id: quantities.get(line.measure_id, 0.0) for line in terms.measures}


class MeasureScore(_Strict):
    measure_id: str
    quantity: float
    best_quantity: float
    weight: float
    points: float
    unit_value: float | None
    gross_value: float | None
    net_value: float | None


class BidScore(_Strict):
    bidder: str
    """The caller's key for the bid (a bid id, an organisation name)."""
    points: float
    max_points: float
    net_value: float
    """Net social value of the monetised measures, in the currency of their values."""
    rank: int
    measures: list[MeasureScore]


def score_bids(terms: TenderTerms, bids: Mapping[str, Mapping[str, float]]) -> list[BidScore]:
    """Every bid scored against the best offer per measure, best first.

    >>> from impactkit.procurement import make_terms
    >>> terms = make_terms("Pulizie", [{"measure_id": "volunteering_hours", "weight": 10},
    ...                                {"measure_id": "work_placements", "weight": 20}])
    >>> [(s.bidder, s.points) for s in score_bids(terms, {
    ...     "A": {"volunteering_hours": 100, "work_placements": 1},
    ...     "B": {"volunteering_hours": 50, "work_placements": 2}})]
    [('B', 25.0), ('A', 20.0)]
    """
    best = {
        line.measure_id: max((q.get(line.measure_id, 0.0) for q in bids.values()), default=0.0)
        for line in terms.measures
    }
    scored: list[BidScore] = []
    for bidder, quantities in bids.items():
        lines: list[MeasureScore] = []
        for line in terms.measures:
            quantity = float(quantities.get(line.measure_id, 0.0))
            top = best[line.measure_id]
            value = line.unit_value.value if line.unit_value else None
            lines.append(
                MeasureScore(
                    measure_id=line.measure_id,
                    quantity=quantity,
                    best_quantity=top,
                    weight=line.weight,
                    points=line.weight * quantity / top if top > 0 else 0.0,
                    unit_value=value,
                    gross_value=quantity * value if value is not None else None,
                    net_value=line.net_value(quantity),
                )
            )
        scored.append(
            BidScore(
                bidder=bidder,
                points=sum(m.points for m in lines),
                max_points=terms.max_points,
                net_value=sum(m.net_value or 0.0 for m in lines),
                rank=0,
                measures=lines,
            )
        )
    scored.sort(key=lambda s: (-s.points, s.bidder))
    ranked: list[BidScore] = []
    for position, score in enumerate(scored, start=1):
        rank = ranked[-1].rank if ranked and math.isclose(ranked[-1].points, score.points) else position
        ranked.append(score.model_copy(update={"rank": rank}))
    return ranked


class DeliveryLine(_Strict):
    measure_id: str
    committed: float
    delivered_by_period: list[float]
    delivered: float
    share: float | None
    """delivered / committed (None when nothing was committed)."""
    unit_value: float | None
    net_value_committed: float | None
    net_value_delivered: float | None


def delivery_lines(
    terms: TenderTerms, committed: Mapping[str, float], periods: Sequence[Mapping[str, float]]
) -> list[DeliveryLine]:
    """Committed vs delivered per measure, over the reported periods in order.

    >>> from impactkit.procurement import make_terms
    >>> terms = make_terms("Mense", [{"measure_id": "volunteering_hours", "weight": 10}])
    >>> [line] = delivery_lines(terms, {"volunteering_hours": 100}, [{"volunteering_hours": 30},
    ...                                                             {"volunteering_hours": 50}])
    >>> line.delivered, line.share, round(line.net_value_delivered, 2)
    (80.0, 0.8, 1485.6)
    """
    out: list[DeliveryLine] = []
    for line in terms.measures:
        promised = float(committed.get(line.measure_id, 0.0))
        by_period = [float(period.get(line.measure_id, 0.0)) for period in periods]
        delivered = sum(by_period)
        out.append(
            DeliveryLine(
                measure_id=line.measure_id,
                committed=promised,
                delivered_by_period=by_period,
                delivered=delivered,
                share=delivered / promised if promised > 0 else None,
                unit_value=line.unit_value.value if line.unit_value else None,
                net_value_committed=line.net_value(promised),
                net_value_delivered=line.net_value(delivered),
            )
        )
    return out


class Check(_Strict):
    """One item of the evaluator's verification checklist."""

    id: str
    status: Literal["pass", "fail"]
    detail: str
    items: list[str] = Field(default_factory=list)
    """What fails: measure ids, or ``period:measure`` for missing evidence (period counted from 1)."""


def delivery_checklist(
    terms: TenderTerms,
    committed: Mapping[str, float],
    periods: Sequence[Mapping[str, float]],
    evidence: Sequence[Mapping[str, int]],
) -> list[Check]:
    """What an evaluator checks before verifying delivery (``evidence``: per period, the number
    of files attached per measure). A failing check needs the evaluator's written justification.
    """
    checks: list[Check] = []
    missing = [
        f"{index + 1}:{measure_id}"
        for index, (period, files) in enumerate(zip(periods, evidence, strict=True))
        for measure_id, quantity in period.items()
        if quantity > 0 and files.get(measure_id, 0) == 0
    ]
    checks.append(
        Check(
            id="evidence_for_every_delivery",
            status="fail" if missing else "pass",
            detail=("no evidence for (period:measure) " + ", ".join(missing))
            if missing
            else "every delivered quantity has evidence attached",
            items=missing,
        )
    )
    lines = delivery_lines(terms, committed, periods)
    short = [line.measure_id for line in lines if line.committed > 0 and line.delivered < line.committed]
    checks.append(
        Check(
            id="commitments_delivered",
            status="fail" if short else "pass",
            detail=("delivered less than committed: " + ", ".join(short))
            if short
            else "every commitment is delivered in full",
            items=short,
        )
    )
    checks.append(
        Check(
            id="periods_reported",
            status="pass" if periods else "fail",
            detail=f"{len(periods)} period(s) reported",
        )
    )
    return checks
