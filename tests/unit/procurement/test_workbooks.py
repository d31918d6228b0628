"""The bid template round trip, refusals naming the cell, and the authority's workbook as
LibreOffice recalculates it."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from impactkit.errors import BidError
from impactkit.procurement import (
    ContractView,
    across_contracts,
    authority_workbook_xlsx,
    bid_template_xlsx,
    check_commitments,
    delivery_lines,
    make_terms,
    read_bid_workbook,
    score_bids,
)
from tests.unit.reports.helpers import recalculate, soffice

TERMS = make_terms(
    "Servizio mensa scolastica",
    [
        {"measure_id": "local_employment_disadvantaged", "weight": 12, "minimum": 2},
        {"measure_id": "training_hours_youth", "weight": 8},
        {"measure_id": "volunteering_hours", "weight": 5, "deadweight": 0.1, "attribution": 0.2},
    ],
)
__all__ = ["soffice"]


def filled(quantities: dict[int, object], language: str = "it") -> bytes:
    """The tender's template with column E written, as a bidder would in Excel."""
    book = openpyxl.load_workbook(io.BytesIO(bid_template_xlsx(TERMS, 7, language)))
    sheet = book.active
    assert sheet is not None
    for row, value in quantities.items():
        sheet.cell(row=row, column=5, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_filled_template_reads_back_to_the_commitments() -> None:
    read = read_bid_workbook(filled({5: 3, 6: 120, 7: 40}))
    assert read.tender_id == 7
    assert check_commitments(TERMS, read.commitments) == {
        "local_employment_disadvantaged": 3.0,
        "training_hours_youth": 120.0,
        "volunteering_hours": 40.0,
    }
    english = read_bid_workbook(filled({5: 2, 6: 0, 7: 0}, "en"))
    assert [c[2] for c in english.commitments] == ["Bid!E5", "Bid!E6", "Bid!E7"]


def test_bad_cells_are_named() -> None:
    with pytest.raises(BidError) as caught:
        check_commitments(TERMS, read_bid_workbook(filled({5: 1, 6: -4, 7: 10})).commitments)
    assert {(p.location, p.code) for p in caught.value.problems} == {
        ("Offerta!E6", "negative_quantity"),
        ("Offerta!E5", "below_minimum"),
    }
    with pytest.raises(BidError) as caught:
        read_bid_workbook(filled({5: 3, 6: None, 7: 1}))
    assert [(p.location, p.code) for p in caught.value.problems] == [("Offerta!E6", "missing_quantity")]


def test_a_measure_typed_in_that_the_tender_does_not_ask_for_is_named_by_its_cell() -> None:
    book = openpyxl.load_workbook(io.BytesIO(filled({5: 3, 6: 1, 7: 1})))
    sheet = book.active
    assert sheet is not None
    sheet["A8"], sheet["E8"] = "emissions_avoided", 5
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(BidError) as caught:
        check_commitments(TERMS, read_bid_workbook(out.getvalue()).commitments)
    assert [(p.location, p.code) for p in caught.value.problems] == [("Offerta!E8", "measure_not_in_tender")]


def test_a_workbook_in_another_layout_is_refused_naming_what_differs() -> None:
    other = openpyxl.Workbook()
    assert other.active is not None
    other.active.title = "Foglio1"
    out = io.BytesIO()
    other.save(out)
    with pytest.raises(BidError) as caught:
        read_bid_workbook(out.getvalue(), "offerta.xlsx")
    assert "no sheet 'Offerta' or 'Bid'" in caught.value.problems[0].message
    book = openpyxl.load_workbook(io.BytesIO(filled({5: 3})))
    sheet = book.active
    assert sheet is not None
    sheet["E4"] = "quantità"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(BidError) as caught:
        read_bid_workbook(out.getvalue())
    assert [(p.location, p.code) for p in caught.value.problems] == [("Offerta!E4", "wrong_layout")]
    with pytest.raises(BidError) as caught:
        read_bid_workbook(b"measure_id,quantity\nx,1\n", "offerta.csv")
    assert caught.value.problems[0].code == "not_xlsx"


BIDS = {
    "Cooperativa Il Sole": {
        "local_employment_disadvantaged": 4,
        "training_hours_youth": 100,
        "volunteering_hours": 50,
    },
    "Pulizie Rapide srl": {
        "local_employment_disadvantaged": 2,
        "training_hours_youth": 200,
        "volunteering_hours": 200,
    },
}
CONTRACTS = [
    ContractView(
        label="Mensa 2026",
        supplier="Cooperativa Il Sole",
        terms=TERMS,
        committed=BIDS["Cooperativa Il Sole"],
        periods=[
            (
                "2026 H1",
                {"local_employment_disadvantaged": 2, "training_hours_youth": 40, "volunteering_hours": 30},
            ),
            (
                "2026 H2",
                {"local_employment_disadvantaged": 2, "training_hours_youth": 70, "volunteering_hours": 10},
            ),
        ],
    ),
    ContractView(
        label="Co-progettazione centri estivi",
        supplier="APS Valli",
        terms=make_terms(
            "Centri estivi", [{"measure_id": "volunteering_hours", "weight": 0}], kind="co_design"
        ),
        committed={"volunteering_hours": 300},
        periods=[("2026", {"volunteering_hours": 320})],
    ),
]


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_authoritys_workbook_to_the_engines_figures(
    soffice: str, tmp_path: Path
) -> None:
    source = tmp_path / "authority.xlsx"
    source.write_bytes(authority_workbook_xlsx([(TERMS, "Mensa 2026", BIDS)], CONTRACTS, "it"))
    book = openpyxl.load_workbook(recalculate(soffice, source, tmp_path), data_only=True)

    scores = {s.bidder: s for s in score_bids(TERMS, BIDS)}
    bids = book["Offerte"]
    # bidders in columns H.. (quantity, points, net value) per bidder; measures from row 3; total row 6
    for index, bidder in enumerate(BIDS):
        points_col, value_col = 9 + 3 * index, 10 + 3 * index
        for row, measure in enumerate(scores[bidder].measures, start=3):
            assert bids.cell(row, points_col).value == pytest.approx(measure.points, abs=1e-9)
            assert bids.cell(row, value_col).value == pytest.approx(measure.net_value or 0.0, abs=1e-9)
        assert bids.cell(6, points_col).value == pytest.approx(scores[bidder].points, abs=1e-9)
        assert bids.cell(6, value_col).value == pytest.approx(scores[bidder].net_value, abs=1e-9)

    contracts = book["Contratti"]
    row = 2
    for contract in CONTRACTS:
        for line in delivery_lines(contract.terms, contract.committed, [p for _, p in contract.periods]):
            assert contracts.cell(row, 3).value == line.measure_id
            assert contracts.cell(row, 8).value == pytest.approx(line.delivered, abs=1e-9)
            assert contracts.cell(row, 9).value == pytest.approx(line.share, abs=1e-9)
            assert contracts.cell(row, 13).value == pytest.approx(line.net_value_committed or 0.0, abs=1e-9)
            assert contracts.cell(row, 14).value == pytest.approx(line.net_value_delivered or 0.0, abs=1e-9)
            row += 1

    totals = across_contracts(CONTRACTS)
    summary = book["Riepilogo"]
    for row in range(2, 2 + len(totals)):
        total = totals[summary.cell(row, 1).value]
        assert summary.cell(row, 3).value == pytest.approx(total["committed"], abs=1e-9)
        assert summary.cell(row, 4).value == pytest.approx(total["delivered"], abs=1e-9)
        assert summary.cell(row, 5).value == pytest.approx(total["share"], abs=1e-9)
        assert summary.cell(row, 7).value == pytest.approx(total["net_value_delivered"], abs=1e-9)
    assert totals["volunteering_hours"]["delivered"] == 360
