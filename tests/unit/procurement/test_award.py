"""The contract's term, its reporting periods, and the award report rendered from plain data: every
score and how it was computed, the award, the term in Italian dates; sealed, tagged, fetching nothing."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, date, datetime

import pytest

from impactkit.errors import BidError
from impactkit.procurement import (
    AwardBid,
    AwardContract,
    AwardMeasure,
    AwardReportContent,
    delivery_lines,
    make_term,
    make_terms,
    outside_term,
    reporting_periods,
    score_bids,
)
from impactkit.reports import verify_bytes
from impactkit.reports.documents import embedded_document, locked_fetcher
from impactkit.reports.documents.award import render_award_pdf, term_text
from tests.documents_helpers import flat, pdf_text


def _locations(error: pytest.ExceptionInfo[BidError]) -> list[tuple[str, str]]:
    return [(p.location, p.code) for p in error.value.problems]


def test_a_term_needs_both_days_in_order() -> None:
    with pytest.raises(BidError) as missing:
        make_term(None, None)
    assert _locations(missing) == [("starts_on", "required"), ("ends_on", "required")]
    with pytest.raises(BidError) as inverted:
        make_term(date(2026, 6, 1), date(2026, 5, 31))
    assert _locations(inverted) == [("ends_on", "ends_before_start")]
    with pytest.raises(BidError) as frequency:
        make_term(date(2026, 1, 1), date(2026, 12, 31), 5)
    assert _locations(frequency) == [("reporting_months", "choice")]
    with pytest.raises(BidError) as forever:
        make_term(date(2026, 1, 1), date(2100, 1, 1))
    assert _locations(forever) == [("ends_on", "term_too_long")]
    one_day = make_term(date(2026, 1, 1), date(2026, 1, 1))
    assert [(p.starts_on, p.ends_on) for p in reporting_periods(one_day)] == [(date(2026, 1, 1),) * 2]


@pytest.mark.parametrize("months", [1, 3, 6, 12])
def test_the_reporting_periods_cover_the_term_without_gaps(months: int) -> None:
    term = make_term(date(2026, 1, 31), date(2028, 3, 15), months)
    periods = reporting_periods(term)
    assert periods[0].starts_on == term.starts_on and periods[-1].ends_on == term.ends_on
    for before, after in itertools.pairwise(periods):
        assert (after.starts_on - before.ends_on).days == 1
    assert len({p.label for p in periods}) == len(periods)


def test_a_period_outside_the_term_names_the_day_that_leaves_it() -> None:
    term = make_term(date(2026, 1, 1), date(2026, 12, 31))
    assert outside_term(term, date(2026, 1, 1), date(2026, 12, 31)) == []
    assert [p.location for p in outside_term(term, date(2025, 12, 31), date(2026, 6, 30))] == ["starts_on"]
    assert [p.location for p in outside_term(term, date(2026, 7, 1), date(2027, 1, 1))] == ["ends_on"]


def test_the_term_reads_in_babels_italian_and_english_dates() -> None:
    term = make_term(date(2026, 1, 1), date(2027, 12, 31))
    assert term_text(term, "it") == "dal 1 gennaio 2026 al 31 dicembre 2027"
    assert term_text(term, "en") == "from 1 January 2026 to 31 December 2027"


def _content(language: str, hostile: str = "") -> AwardReportContent:
    terms = make_terms(
        "Mense",
        [
            {"measure_id": "volunteering_hours", "weight": 10},
            {"measure_id": "work_placements", "weight": 20, "evidence": hostile},
        ],
    )
    offers = {
        "1": {"volunteering_hours": 100, "work_placements": 1},
        "2": {"volunteering_hours": 50, "work_placements": 2},
    }
    scores = score_bids(terms, offers)
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    term = make_term(date(2026, 1, 1), date(2027, 12, 31))
    return AwardReportContent(
        language=language,
        generated_at=now,
        authority="Comune di Pinerolo",
        tender_id=7,
        title="Mense " + hostile,
        description=hostile,
        kind="tender",
        state="awarded",
        created_at=now,
        measure_set="procurement-measures@2026.1",
        price_year=None,
        max_points=terms.max_points,
        measures=[
            AwardMeasure(
                measure_id=line.measure_id,
                label=line.measure_id,
                unit="u",
                weight=line.weight,
                minimum=line.minimum,
                evidence=line.evidence,
                deadweight=line.deadweight,
                attribution=line.attribution,
                unit_value=line.unit_value.value if line.unit_value else None,
                currency=line.unit_value.currency if line.unit_value else None,
                value_year=line.unit_value.year if line.unit_value else None,
                value_source=line.unit_value.source if line.unit_value else None,
            )
            for line in terms.measures
        ],
        bids=[
            AwardBid(
                bid_id=int(s.bidder),
                organisation=f"Offerente {s.bidder}",
                source="api",
                placed_at=now,
                rank=s.rank,
                points=s.points,
                max_points=s.max_points,
                net_value=s.net_value,
                awarded=s.bidder == "2",
                measures=s.measures,
            )
            for s in scores
        ],
        awarded_at=now,
        awarded_by="Sara Galli",
        award_reason="Il punteggio più alto. " + hostile,
        contracts=[
            AwardContract(
                contract_id=3,
                bid_id=2,
                supplier="Offerente 2",
                term=term,
                periods_due=reporting_periods(term),
                lines=delivery_lines(terms, offers["2"], []),
                periods=[],
            )
        ],
    )


def test_the_award_report_says_every_score_how_it_was_computed_and_the_award() -> None:
    fetcher = locked_fetcher()
    pdf = render_award_pdf(_content("it"), fetcher=fetcher)
    assert fetcher.refused == []
    text = pdf_text(pdf)
    for wanted in (
        "Verbale di aggiudicazione — valutazione del valore sociale",
        "25,00 / 30",  # B: 10 × 50 / 100 + 20 × 2 / 2
        "20,00 / 30",
        "10 × 50 / 100 = 5,00",
        "20 × 1 / 2 = 10,00",
        "Sara Galli",
        "Il punteggio più alto.",
        "dal 1 gennaio 2026 al 31 dicembre 2027",
        "1 luglio 2027",
    ):
        assert flat(wanted) in text, wanted
    result = verify_bytes(pdf)
    assert result.ok and "award report of tender 7" in result.message
    assert embedded_document(pdf) is not None
    changed = bytearray(pdf)
    changed[100] ^= 0x20
    assert not verify_bytes(bytes(changed)).ok


def test_the_award_report_is_tagged_in_its_language_and_prints_markup_as_text() -> None:
    from pypdf import PdfReader

    hostile = '<img src="http://127.0.0.1:9/x"> <link rel="stylesheet" href="file:///etc/passwd">'
    fetcher = locked_fetcher()
    pdf = render_award_pdf(_content("en", hostile), fetcher=fetcher)
    assert fetcher.refused == [], "user text stays text: no URL reaches the fetcher"
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en" and "/StructTreeRoot" in root
    assert "Award report" in str(reader.metadata.title)
    text = pdf_text(pdf)
    assert "from 1 January 2026 to 31 December 2027" in text
    assert "127.0.0.1:9/x" in text.replace(" ", "")
