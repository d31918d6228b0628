"""A tender's award report (verbale di aggiudicazione — valutazione del valore sociale) as a sealed,
tagged PDF, in Italian or English.

The same machinery as the social report (:mod:`.pdf`): WeasyPrint with the locked fetcher, PDF/UA-1
tagging, the content attached as canonical JSON (an ``impactkit-award-report`` document) and the
seal line after ``%%EOF``, so ``impactkit report verify FILE.pdf`` checks it. Every figure and date
is formatted here (:class:`impactkit.formats.Formats`); the template only lays it out, and escapes
every text a person typed.

    >>> from impactkit.reports.documents.award import render_award_pdf
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from impactkit.formats import MISSING, Formats
from impactkit.procurement import AwardBid, AwardContract, AwardReportContent, ContractTerm
from impactkit.reports.documents._view import Facts, Table
from impactkit.reports.documents._words import word
from impactkit.reports.documents.pdf import template, write_sealed_pdf
from impactkit.reports.hashing import award_payload, content_hash


@dataclass
class BidView:
    heading: str
    awarded: bool
    table: Table


@dataclass
class ContractView:
    heading: str
    facts: Facts
    periods_due: Table | None
    lines: Table
    reports: Table | None
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(label, text) written by the evaluator: justifications and comments, per period."""


@dataclass
class AwardView:
    language: str
    title: str
    subtitle: str
    authority: str
    description: str
    facts: list[tuple[str, str]]
    measures: Table
    sources: list[str]
    ranking: Table | None
    bids: list[BidView]
    awarded: bool
    award_facts: list[tuple[str, str]]
    reason: str
    contracts: list[ContractView]
    content_hash: str
    seal: str
    payload: dict[str, Any]

    def word(self, key: str) -> str:
        return word(key, self.language)


def term_text(term: ContractTerm | None, language: str) -> str:
    """``dal 1 gennaio 2026 al 31 dicembre 2027`` (Babel's long dates), or why there is none."""
    if term is None:
        return word("award_no_term", language)
    fmt = Formats(language)
    return word("award_term_text", language).format(
        start=fmt.date(term.starts_on), end=fmt.date(term.ends_on)
    )


def _reporting_text(term: ContractTerm | None, language: str) -> str:
    if term is None:
        return MISSING
    if term.reporting_months == 1:
        return word("award_reporting_every_one", language)
    return word("award_reporting_every", language).format(months=term.reporting_months)


def _bid_view(bid: AwardBid, content: AwardReportContent, fmt: Formats, w: Any) -> BidView:
    names = {m.measure_id: m for m in content.measures}
    rows = []
    for line in bid.measures:
        measure = names.get(line.measure_id)
        if line.best_quantity > 0:
            computation = (
                f"{fmt.number(line.weight)} × {fmt.number(line.quantity)} / {fmt.number(line.best_quantity)}"
                f" = {fmt.number(line.points, 2)}"
            )
        else:
            computation = f"{fmt.number(line.weight)} × 0 = {fmt.number(0, 2)}"  # nobody offered it
        rows.append(
            [
                f"{measure.label} ({measure.unit})" if measure else line.measure_id,
                fmt.number(line.quantity),
                fmt.number(line.best_quantity),
                fmt.number(line.weight),
                computation,
                fmt.number(line.points, 2),
                fmt.money(line.net_value, measure.currency or "EUR", 2)
                if measure and line.net_value is not None
                else w("award_counted"),
            ]
        )
    rows.append(
        [
            w("award_score"),
            "",
            "",
            fmt.number(bid.max_points),
            "",
            f"{fmt.number(bid.points, 2)} / {fmt.number(bid.max_points)}",
            fmt.money(bid.net_value, "EUR", 2),
        ]
    )
    heading = f"{w('award_bid_of')} {bid.organisation} (#{bid.bid_id})"
    return BidView(
        heading=heading,
        awarded=bid.awarded,
        table=Table(
            caption=f"{heading} · {w('award_rank')} {bid.rank}"
            f" · {w('award_placed')} {fmt.datetime(bid.placed_at)}"
            f" · {w('award_source')}: {w('award_source_' + bid.source)}",
            header=[
                w("award_measure"),
                w("award_committed"),
                w("award_best"),
                w("award_weight"),
                w("award_computation"),
                w("award_points"),
                w("award_net_value"),
            ],
            rows=rows,
        ),
    )


def _contract_view(
    contract: AwardContract, content: AwardReportContent, fmt: Formats, w: Any
) -> ContractView:
    names = {m.measure_id: m for m in content.measures}
    language = content.language
    facts = Facts(
        caption=f"{w('award_contract')} {contract.contract_id} · {contract.supplier}",
        lines=[
            (w("award_awarded_to"), f"{contract.supplier} (#{contract.bid_id})"),
            (w("award_term"), term_text(contract.term, language)),
            (w("award_reporting"), _reporting_text(contract.term, language)),
        ],
    )
    periods_due = (
        Table(
            caption=w("award_periods_due"),
            header=[w("award_period"), w("award_from"), w("award_to")],
            rows=[[p.label, fmt.date(p.starts_on), fmt.date(p.ends_on)] for p in contract.periods_due],
            numeric_from=3,
        )
        if contract.periods_due
        else None
    )
    lines = Table(
        caption=f"{w('award_delivery_heading')} · {w('award_contract')} {contract.contract_id}",
        header=[
            w("award_measure"),
            w("award_committed"),
            w("award_delivered"),
            w("award_share"),
            w("award_net_delivered"),
        ],
        rows=[
            [
                names[line.measure_id].label if line.measure_id in names else line.measure_id,
                fmt.number(line.committed),
                fmt.number(line.delivered),
                fmt.percent(line.share),
                fmt.money(line.net_value_delivered, "EUR", 2)
                if line.net_value_delivered is not None
                else w("award_counted"),
            ]
            for line in contract.lines
        ],
        note=w("award_delivery_note"),
    )
    reports = None
    notes: list[tuple[str, str]] = []
    if contract.periods:
        rows = []
        for period in contract.periods:
            checks = "; ".join(
                f"{w('award_check_' + str(c.get('id')))}: {w('award_check_' + str(c.get('status')))}"
                for c in period.checklist
                if f"award_check_{c.get('id')}" in _CHECK_KEYS
            )
            rows.append(
                [
                    period.label,
                    f"{fmt.date(period.starts_on)} – {fmt.date(period.ends_on)}",
                    w("award_delivery_" + period.state),
                    f"{period.evaluator} ({period.accreditation})" if period.evaluator else MISSING,
                    fmt.date(period.verified_at) if period.verified_at else MISSING,
                    checks or MISSING,
                ]
            )
            if period.content_hash:
                notes.append((f"{period.label} · {w('award_period_hash')}", period.content_hash))
            for check_id, text in sorted(period.justifications.items()):
                key = f"award_check_{check_id}"
                what = w(key) if key in _CHECK_KEYS else check_id
                notes.append((f"{period.label} · {w('award_justification')} ({what})", text))
            if period.comments.strip():
                notes.append((f"{period.label} · {w('award_comments')}", period.comments))
        reports = Table(
            caption=w("award_reports_heading"),
            header=[
                w("award_period"),
                f"{w('award_from')} – {w('award_to')}",
                w("award_delivery_state"),
                w("award_evaluator"),
                w("award_verified_on"),
                w("award_checks"),
            ],
            rows=rows,
            numeric_from=99,
        )
    return ContractView(
        heading=f"{w('award_contract')} {contract.contract_id} · {contract.supplier}",
        facts=facts,
        periods_due=periods_due,
        lines=lines,
        reports=reports,
        notes=notes,
    )


_CHECK_KEYS = frozenset(
    {
        "award_check_evidence_for_every_delivery",
        "award_check_commitments_delivered",
        "award_check_periods_reported",
    }
)


def award_view(content: AwardReportContent) -> AwardView:
    """What the award report says, every figure and date formatted in its language."""
    language = content.language
    fmt = Formats(language)

    def w(key: str) -> str:
        return word(key, language)

    data = content.model_dump(mode="json")
    payload = award_payload(data)
    facts = [
        (w("award_authority"), content.authority),
        (w("award_tender"), f"{content.tender_id} · {content.title}"),
        (w("award_kind"), w("award_kind_" + content.kind)),
        (w("award_state"), w("award_state_" + content.state)),
        (w("award_created"), fmt.date(content.created_at)),
        (w("award_measure_set"), content.measure_set),
        (
            w("award_price_year"),
            str(content.price_year) if content.price_year else w("award_price_year_own"),
        ),
        (w("award_max_points"), fmt.number(content.max_points)),
        (w("award_generated"), fmt.datetime(content.generated_at)),
    ]
    measures = Table(
        caption=w("award_measures_heading"),
        header=[
            w("award_measure"),
            w("award_unit"),
            w("award_weight"),
            w("award_minimum"),
            w("award_value_per_unit"),
            w("award_deadweight"),
            w("award_attribution"),
        ],
        rows=[
            [
                m.label,
                m.unit,
                fmt.number(m.weight),
                fmt.number(m.minimum),
                f"{fmt.money(m.unit_value, m.currency or 'EUR', 2)} ({m.value_year})"
                if m.unit_value is not None
                else w("award_counted"),
                fmt.percent(m.deadweight, 0),
                fmt.percent(m.attribution, 0),
            ]
            for m in content.measures
        ],
        numeric_from=2,
    )
    sources = sorted({f"{m.label}: {m.value_source}" for m in content.measures if m.value_source})
    sources += [f"{m.label} — {w('award_evidence')}: {m.evidence}" for m in content.measures if m.evidence]
    ranking = (
        Table(
            caption=w("award_bids_heading"),
            header=[
                w("award_rank"),
                w("award_bidder"),
                w("award_score"),
                w("award_net_value"),
                w("award_placed"),
                w("award_source"),
            ],
            rows=[
                [
                    fmt.integer(bid.rank),
                    bid.organisation + (f" — {w('award_awarded_mark')}" if bid.awarded else ""),
                    f"{fmt.number(bid.points, 2)} / {fmt.number(bid.max_points)}",
                    fmt.money(bid.net_value, "EUR", 2),
                    fmt.date(bid.placed_at),
                    w("award_source_" + bid.source),
                ]
                for bid in content.bids
            ],
            numeric_from=2,
        )
        if content.bids
        else None
    )
    awarded = content.state == "awarded"
    award_facts: list[tuple[str, str]] = []
    if awarded:
        award_facts = [
            (w("award_awarded_on"), fmt.date(content.awarded_at)),
            (w("award_awarded_by"), content.awarded_by or MISSING),
            (w("award_awarded_to"), "; ".join(c.supplier for c in content.contracts) or MISSING),
        ]
        terms = {term_text(c.term, language) for c in content.contracts}
        if len(terms) == 1:
            award_facts.append((w("award_term"), terms.pop()))
    return AwardView(
        language=language,
        title=w("award_title"),
        subtitle=f"{w('award_tender')} {content.tender_id} · {content.title}",
        authority=content.authority,
        description=content.description,
        facts=facts,
        measures=measures,
        sources=sources,
        ranking=ranking,
        bids=[_bid_view(bid, content, fmt, w) for bid in content.bids],
        awarded=awarded,
        award_facts=award_facts,
        reason=content.award_reason,
        contracts=[_contract_view(c, content, fmt, w) for c in content.contracts],
        content_hash=content_hash(data),
        seal=str(payload["seal"]),
        payload=payload,
    )


def award_report_html(view: AwardView) -> str:
    """The award report as HTML (what WeasyPrint lays out)."""
    return template("award.html").render(v=view)


def render_award_pdf(content: AwardReportContent, *, fetcher: Any | None = None) -> bytes:
    """The award report as sealed PDF bytes (``fetcher``: tests pass one to see what was refused)."""
    view = award_view(content)
    return write_sealed_pdf(
        award_report_html(view),
        view.payload,
        word("award_attachment_description", content.language),
        fetcher=fetcher,
    )


__all__ = ["AwardView", "award_report_html", "award_view", "render_award_pdf", "term_text"]
