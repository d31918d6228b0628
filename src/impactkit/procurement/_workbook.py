"""Workbooks of social procurement: the bid template a bidder fills in, reading it back, and the
authority's workbook (bids side by side, committed vs delivered) with live formulas.

The bid layout (version 1), documented in docs/procurement.md:

    sheet "Offerta" (Italian) or "Bid" (English)
    A1  impactkit-bid          B1  1 (layout version)
    A2  tender id label        B2  the tender's id
    row 4: measure_id | measure | unit | minimum | quantity | evidence
    row 5 on: one measure per row; the bidder writes column E (quantity) only

A file in another layout is refused naming the sheet or cell that differs.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from impactkit.errors import BidError, Problem
from impactkit.procurement._measures import MeasureSet, shipped_measure_set
from impactkit.procurement._tender import TenderTerms, delivery_lines, score_bids
from impactkit.reports._text import neutralise

BID_MARKER = "impactkit-bid"
BID_LAYOUT = 1
BID_SHEETS = {"it": "Offerta", "en": "Bid"}
HEADER_ROW = 4  # 1-based, as a person reads the sheet
FIRST_ROW = 5
HEADERS = ("measure_id", "measure", "unit", "minimum", "quantity", "evidence")
MAX_BID_ROWS = 1000
"""Rows a bid sheet may have (a tender asks at most 50 measures); more is refused, not read."""
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
"""What a bid workbook may inflate to, all members together (declared sizes, checked before reading)."""

_WORDS = {
    "it": {
        "tender": "Gara",
        "bids": "Offerte",
        "contracts": "Contratti",
        "summary": "Riepilogo",
        "measure": "Misura",
        "measure_id": "Codice misura",
        "unit": "Unità",
        "weight": "Punti",
        "minimum": "Minimo",
        "unit_value": "Valore per unità",
        "deadweight": "Deadweight",
        "attribution": "Attribuzione",
        "best": "Offerta migliore",
        "bidder": "Offerente",
        "quantity": "Quantità",
        "points": "Punteggio",
        "net_value": "Valore sociale netto",
        "total": "Totale",
        "contract": "Contratto",
        "supplier": "Fornitore",
        "committed": "Impegno",
        "delivered": "Realizzato",
        "share": "Quota realizzata",
        "net_committed": "Valore netto impegnato",
        "net_delivered": "Valore netto realizzato",
        "period": "Periodo",
        "counted": "contata, non monetizzata",
        "fill": "Scrivete solo la colonna E (quantità impegnata, un numero ≥ 0).",
    },
    "en": {
        "tender": "Tender",
        "bids": "Bids",
        "contracts": "Contracts",
        "summary": "Summary",
        "measure": "Measure",
        "measure_id": "Measure id",
        "unit": "Unit",
        "weight": "Points",
        "minimum": "Minimum",
        "unit_value": "Value per unit",
        "deadweight": "Deadweight",
        "attribution": "Attribution",
        "best": "Best offer",
        "bidder": "Bidder",
        "quantity": "Quantity",
        "points": "Score",
        "net_value": "Net social value",
        "total": "Total",
        "contract": "Contract",
        "supplier": "Supplier",
        "committed": "Committed",
        "delivered": "Delivered",
        "share": "Share delivered",
        "net_committed": "Net value committed",
        "net_delivered": "Net value delivered",
        "period": "Period",
        "counted": "counted, not monetised",
        "fill": "Write column E only (the quantity committed, a number ≥ 0).",
    },
}


def _words(language: str) -> dict[str, str]:
    return _WORDS.get(language, _WORDS["it"])


def _text(value: str) -> str:
    return neutralise(value)


def bid_template_xlsx(
    terms: TenderTerms, tender_id: int, language: str = "it", measure_set: MeasureSet | None = None
) -> bytes:
    """The workbook a bidder fills in: one row per measure of the tender, column E to write."""
    words = _words(language)
    measure_set = measure_set or shipped_measure_set()
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    bold = book.add_format({"bold": True})
    unlocked = book.add_format({"locked": False, "bg_color": "#FFF2CC", "num_format": "0.##"})
    sheet = book.add_worksheet(BID_SHEETS.get(language, "Offerta"))
    sheet.write_string(0, 0, BID_MARKER, bold)
    sheet.write_number(0, 1, BID_LAYOUT)
    sheet.write_string(1, 0, words["tender"], bold)
    sheet.write_number(1, 1, tender_id)
    sheet.write_string(1, 2, _text(terms.title))
    sheet.write_string(2, 0, words["fill"])
    for column, header in enumerate(HEADERS):
        sheet.write_string(HEADER_ROW - 1, column, header, bold)
    for offset, line in enumerate(terms.measures):
        row = FIRST_ROW - 1 + offset
        measure = measure_set.measure(line.measure_id)
        sheet.write_string(row, 0, line.measure_id)
        sheet.write_string(row, 1, getattr(measure.labels, language, measure.labels.it))
        sheet.write_string(row, 2, getattr(measure.unit, language, measure.unit.it))
        if line.minimum is not None:
            sheet.write_number(row, 3, line.minimum)
        sheet.write_blank(row, 4, None, unlocked)
        evidence = getattr(measure.evidence, language, measure.evidence.it)
        sheet.write_string(row, 5, _text(f"{evidence} {line.evidence}".strip()))
        sheet.data_validation(row, 4, row, 4, {"validate": "decimal", "criteria": ">=", "value": 0})
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 1, 48)
    sheet.set_column(2, 4, 14)
    sheet.set_column(5, 5, 60)
    sheet.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})
    book.close()
    return out.getvalue()


def _check_zip(data: bytes, file_name: str) -> None:
    """Refuse a zip bomb before anything is inflated: the members' declared sizes are bounded (a
    member that lies about its size stops at the declared size with a CRC error when read)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise BidError(
            f"{file_name} cannot be read as a workbook",
            [Problem(f"expected an .xlsx file ({type(error).__name__})", file_name, "not_xlsx")],
        ) from None
    total = sum(member.file_size for member in members)
    if len(members) > 500 or total > MAX_UNZIPPED_BYTES:
        raise BidError(
            f"{file_name} inflates to {total:,} bytes in {len(members)} parts",
            [
                Problem(
                    f"expected at most {MAX_UNZIPPED_BYTES // (1024 * 1024)} MiB unpacked and 500 parts",
                    file_name,
                    "too_large",
                )
            ],
        )


@dataclass(frozen=True)
class BidWorkbook:
    tender_id: int | None
    commitments: list[tuple[str, Any, str]]
    """(measure_id, quantity as written, cell) — checked by :func:`check_commitments`."""


def read_bid_workbook(data: bytes, file_name: str = "bid.xlsx") -> BidWorkbook:
    """Read a filled-in bid template.

    Raises:
        BidError: not an .xlsx file, no sheet ``Offerta``/``Bid``, another layout (the cell that
            differs and what was expected), an unfilled quantity.
    """
    import openpyxl

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise BidError(
            f"{file_name} is not an Excel workbook (.xlsx)",
            [Problem("expected an .xlsx file made from the tender's bid template", file_name, "not_xlsx")],
        )
    _check_zip(data, file_name)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise BidError(
            f"{file_name} cannot be read as a workbook",
            [Problem(f"expected an .xlsx file ({type(error).__name__})", file_name, "not_xlsx")],
        ) from error
    rows: list[list[Any]] = []
    try:
        sheet_name = next((name for name in book.sheetnames if name in BID_SHEETS.values()), None)
        if sheet_name is None:
            raise BidError(
                "the workbook is not in the bid layout",
                [
                    Problem(
                        f"no sheet 'Offerta' or 'Bid'; the workbook has {', '.join(book.sheetnames)}",
                        file_name,
                        "wrong_layout",
                    )
                ],
            )
        for row in book[sheet_name].iter_rows(values_only=True, max_col=len(HEADERS)):
            if len(rows) == MAX_BID_ROWS:
                raise BidError(
                    "the bid sheet has too many rows",
                    [
                        Problem(
                            f"expected at most {MAX_BID_ROWS} rows (one per measure of the tender)",
                            sheet_name,
                            "too_many_rows",
                        )
                    ],
                )
            rows.append(list(row))
    except BidError:
        raise
    except Exception as error:  # a damaged sheet: bad XML, a member that lies about its size
        raise BidError(
            f"{file_name} is damaged",
            [Problem(f"expected a readable .xlsx file ({type(error).__name__})", file_name, "not_xlsx")],
        ) from None
    finally:
        book.close()

    def cell(row: int, column: int) -> Any:
        if row - 1 < len(rows) and column < len(rows[row - 1]):
            return rows[row - 1][column]
        return None

    def name(row: int, column: int) -> str:
        return f"{sheet_name}!{xl_rowcol_to_cell(row - 1, column)}"

    problems: list[Problem] = []
    if cell(1, 0) != BID_MARKER:
        problems.append(Problem(f"expected {BID_MARKER!r}, found {cell(1, 0)!r}", name(1, 0), "wrong_layout"))
    elif cell(1, 1) != BID_LAYOUT:
        problems.append(
            Problem(f"expected layout version {BID_LAYOUT}, found {cell(1, 1)!r}", name(1, 1), "wrong_layout")
        )
    for column, header in enumerate(HEADERS):
        found = cell(HEADER_ROW, column)
        if found != header:
            problems.append(
                Problem(
                    f"expected the heading {header!r}, found {found!r}",
                    name(HEADER_ROW, column),
                    "wrong_layout",
                )
            )
    if problems:
        raise BidError("the workbook is not in the bid layout (download the tender's template)", problems)
    tender_id = cell(2, 1)
    commitments: list[tuple[str, Any, str]] = []
    for row in range(FIRST_ROW, len(rows) + 1):
        measure_id = cell(row, 0)
        if measure_id in (None, ""):
            continue
        quantity = cell(row, 4)
        if quantity in (None, ""):
            problems.append(
                Problem("expected the quantity committed (0 if none)", name(row, 4), "missing_quantity")
            )
            continue
        commitments.append((str(measure_id).strip(), quantity, name(row, 4)))
    if problems:
        raise BidError("the bid workbook is not complete", problems)
    return BidWorkbook(tender_id=tender_id if isinstance(tender_id, int) else None, commitments=commitments)


# --- the authority's workbook -----------------------------------------------------------------


@dataclass(frozen=True)
class ContractView:
    """One awarded contract for the authority's workbook."""

    label: str
    supplier: str
    terms: TenderTerms
    committed: Mapping[str, float]
    periods: Sequence[tuple[str, Mapping[str, float]]]
    """(period label, delivered per measure), in order."""


def authority_workbook_xlsx(
    bids: Sequence[tuple[TenderTerms, str, Mapping[str, Mapping[str, float]]]],
    contracts: Sequence[ContractView],
    language: str = "it",
    measure_set: MeasureSet | None = None,
) -> bytes:
    """Bids side by side and committed vs delivered, with live formulas LibreOffice recalculates.

    ``bids``: per tender (terms, label, bidder → quantities). Every score, value, total and
    share is a formula over the quantities and the terms written beside them; the engine's
    figures are written as the formulas' cached results.
    """
    words = _words(language)
    measure_set = measure_set or shipped_measure_set()
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    bold = book.add_format({"bold": True})
    number = book.add_format({"num_format": "#,##0.00"})
    share = book.add_format({"num_format": "0.0%"})

    def label(measure_id: str) -> str:
        measure = measure_set.measure(measure_id)
        return getattr(measure.labels, language, measure.labels.it)

    # Bids: per tender a block; per measure a row; per bidder a quantity and a points column.
    sheet = book.add_worksheet(words["bids"])
    row = 0
    for terms, tender_label, by_bidder in bids:
        scores = {s.bidder: s for s in score_bids(terms, by_bidder)}
        bidders = list(by_bidder)
        sheet.write_string(row, 0, _text(tender_label), bold)
        row += 1
        heads = [
            words["measure_id"],
            words["measure"],
            words["weight"],
            words["unit_value"],
            words["deadweight"],
            words["attribution"],
            words["best"],
        ]
        for bidder in bidders:
            heads += [
                f"{words['quantity']} — {bidder}",
                f"{words['points']} — {bidder}",
                f"{words['net_value']} — {bidder}",
            ]
        for column, head in enumerate(heads):
            sheet.write_string(row, column, _text(head), bold)
        row += 1
        first = row
        for line in terms.measures:
            sheet.write_string(row, 0, line.measure_id)
            sheet.write_string(row, 1, label(line.measure_id))
            sheet.write_number(row, 2, line.weight)
            if line.unit_value is not None:
                sheet.write_number(row, 3, line.unit_value.value, number)
            else:
                sheet.write_string(row, 3, words["counted"])
            sheet.write_number(row, 4, line.deadweight)
            sheet.write_number(row, 5, line.attribution)
            quantity_cells = [xl_rowcol_to_cell(row, 7 + 3 * i) for i in range(len(bidders))]
            best = max((by_bidder[b].get(line.measure_id, 0.0) for b in bidders), default=0.0)
            if quantity_cells:
                sheet.write_formula(row, 6, f"=MAX({','.join(quantity_cells)})", None, best)
            else:
                sheet.write_number(row, 6, 0)
            for i, bidder in enumerate(bidders):
                column = 7 + 3 * i
                measure_score = next(m for m in scores[bidder].measures if m.measure_id == line.measure_id)
                q, g, b = (
                    xl_rowcol_to_cell(row, column),
                    xl_rowcol_to_cell(row, 6),
                    xl_rowcol_to_cell(row, 2),
                )
                sheet.write_number(row, column, measure_score.quantity)
                sheet.write_formula(
                    row, column + 1, f"=IF({g}>0,{b}*{q}/{g},0)", number, measure_score.points
                )
                if line.unit_value is not None:
                    uv, dw, at = (xl_rowcol_to_cell(row, c) for c in (3, 4, 5))
                    sheet.write_formula(
                        row,
                        column + 2,
                        f"={q}*{uv}*(1-{dw})*(1-{at})",
                        number,
                        measure_score.net_value or 0.0,
                    )
                else:
                    sheet.write_number(row, column + 2, 0, number)
            row += 1
        sheet.write_string(row, 1, words["total"], bold)
        sheet.write_formula(
            row,
            2,
            f"=SUM({xl_rowcol_to_cell(first, 2)}:{xl_rowcol_to_cell(row - 1, 2)})",
            None,
            terms.max_points,
        )
        for i, bidder in enumerate(bidders):
            for offset, value in ((1, scores[bidder].points), (2, scores[bidder].net_value)):
                column = 7 + 3 * i + offset
                span = f"{xl_rowcol_to_cell(first, column)}:{xl_rowcol_to_cell(row - 1, column)}"
                sheet.write_formula(row, column, f"=SUM({span})", number, value)
        row += 2
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 44)
    sheet.set_column(2, 40, 14)

    # Contracts: committed vs delivered, one row per contract and measure.
    contract_sheet = book.add_worksheet(words["contracts"])
    periods_max = max((len(c.periods) for c in contracts), default=0)
    heads = [words["contract"], words["supplier"], words["measure_id"], words["measure"], words["committed"]]
    heads += [f"{words['period']} {i + 1}" for i in range(periods_max)]
    heads += [
        words["delivered"],
        words["share"],
        words["unit_value"],
        words["deadweight"],
        words["attribution"],
        words["net_committed"],
        words["net_delivered"],
    ]
    for column, head in enumerate(heads):
        contract_sheet.write_string(0, column, head, bold)
    delivered_col = 5 + periods_max
    row = 1
    for contract in contracts:
        lines = delivery_lines(contract.terms, contract.committed, [p for _, p in contract.periods])
        for delivered in lines:
            terms_line = contract.terms.terms_of(delivered.measure_id)
            assert terms_line is not None
            contract_sheet.write_string(row, 0, _text(contract.label))
            contract_sheet.write_string(row, 1, _text(contract.supplier))
            contract_sheet.write_string(row, 2, delivered.measure_id)
            contract_sheet.write_string(row, 3, label(delivered.measure_id))
            contract_sheet.write_number(row, 4, delivered.committed)
            for i in range(periods_max):
                if i < len(delivered.delivered_by_period):
                    contract_sheet.write_number(row, 5 + i, delivered.delivered_by_period[i])
            first_period = xl_rowcol_to_cell(row, 5)
            last_period = xl_rowcol_to_cell(row, max(5, 4 + periods_max))
            c = xl_rowcol_to_cell(row, 4)
            d = xl_rowcol_to_cell(row, delivered_col)
            if periods_max:
                contract_sheet.write_formula(
                    row, delivered_col, f"=SUM({first_period}:{last_period})", None, delivered.delivered
                )
            else:
                contract_sheet.write_number(row, delivered_col, 0)
            contract_sheet.write_formula(
                row,
                delivered_col + 1,
                f'=IF({c}>0,{d}/{c},"")',
                share,
                delivered.share if delivered.share is not None else "",
            )
            uv, dw, at = (xl_rowcol_to_cell(row, delivered_col + k) for k in (2, 3, 4))
            if terms_line.unit_value is not None:
                contract_sheet.write_number(row, delivered_col + 2, terms_line.unit_value.value, number)
            else:
                contract_sheet.write_number(row, delivered_col + 2, 0, number)
            contract_sheet.write_number(row, delivered_col + 3, terms_line.deadweight)
            contract_sheet.write_number(row, delivered_col + 4, terms_line.attribution)
            contract_sheet.write_formula(
                row,
                delivered_col + 5,
                f"={c}*{uv}*(1-{dw})*(1-{at})",
                number,
                delivered.net_value_committed or 0.0,
            )
            contract_sheet.write_formula(
                row,
                delivered_col + 6,
                f"={d}*{uv}*(1-{dw})*(1-{at})",
                number,
                delivered.net_value_delivered or 0.0,
            )
            row += 1
    last_contract_row = max(row, 2)
    contract_sheet.set_column(0, 3, 26)
    contract_sheet.set_column(4, delivered_col + 6, 14)

    # Summary across contracts: per measure, SUMIF over the contracts sheet.
    summary = book.add_worksheet(words["summary"])
    for column, head in enumerate(
        [
            words["measure_id"],
            words["measure"],
            words["committed"],
            words["delivered"],
            words["share"],
            words["net_committed"],
            words["net_delivered"],
        ]
    ):
        summary.write_string(0, column, head, bold)
    measure_ids: list[str] = []
    for contract in contracts:
        for line in contract.terms.measures:
            if line.measure_id not in measure_ids:
                measure_ids.append(line.measure_id)
    totals = across_contracts(contracts)
    sheet_ref = "'" + words["contracts"] + "'"

    def col_range(column: int) -> str:
        return (
            f"{sheet_ref}!{xl_rowcol_to_cell(1, column, True, True)}:"
            f"{xl_rowcol_to_cell(last_contract_row - 1, column, True, True)}"
        )

    ids = col_range(2)
    for offset, measure_id in enumerate(measure_ids, start=1):
        total = totals[measure_id]
        summary.write_string(offset, 0, measure_id)
        summary.write_string(offset, 1, label(measure_id))
        key = xl_rowcol_to_cell(offset, 0)
        summary.write_formula(offset, 2, f"=SUMIF({ids},{key},{col_range(4)})", None, total["committed"])
        summary.write_formula(
            offset, 3, f"=SUMIF({ids},{key},{col_range(delivered_col)})", None, total["delivered"]
        )
        c, d = xl_rowcol_to_cell(offset, 2), xl_rowcol_to_cell(offset, 3)
        summary.write_formula(
            offset, 4, f'=IF({c}>0,{d}/{c},"")', share, total["share"] if total["share"] is not None else ""
        )
        summary.write_formula(
            offset,
            5,
            f"=SUMIF({ids},{key},{col_range(delivered_col + 5)})",
            number,
            total["net_value_committed"],
        )
        summary.write_formula(
            offset,
            6,
            f"=SUMIF({ids},{key},{col_range(delivered_col + 6)})",
            number,
            total["net_value_delivered"],
        )
    summary.set_column(0, 1, 36)
    summary.set_column(2, 6, 16)
    book.close()
    return out.getvalue()


def across_contracts(contracts: Sequence[ContractView]) -> dict[str, dict[str, Any]]:
    """Per measure, over every contract: committed, delivered, share, net values (0 when counted)."""
    totals: dict[str, dict[str, Any]] = {}
    for contract in contracts:
        for line in delivery_lines(contract.terms, contract.committed, [p for _, p in contract.periods]):
            total = totals.setdefault(
                line.measure_id,
                {"committed": 0.0, "delivered": 0.0, "net_value_committed": 0.0, "net_value_delivered": 0.0},
            )
            total["committed"] += line.committed
            total["delivered"] += line.delivered
            total["net_value_committed"] += line.net_value_committed or 0.0
            total["net_value_delivered"] += line.net_value_delivered or 0.0
    for total in totals.values():
        total["share"] = total["delivered"] / total["committed"] if total["committed"] > 0 else None
    return totals
