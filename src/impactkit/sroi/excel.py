"""The value map as an Excel workbook with live formulas, and reading such a workbook back.

Layout (version 1; ``docs/sroi.md`` draws it): sheets *Value map* (settings, results, one row
per outcome), *Years* (value per outcome and year, discount factors, present values),
*Inputs* and *Stakeholders*. Every result cell is a formula over the estimate cells, so
changing a proxy in Excel or LibreOffice recomputes the ratio. Rows are written in strictly
increasing order within each sheet, so the writer works in xlsxwriter's ``constant_memory``
mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet as XlsxWorksheet

from impactkit.errors import Problem, ValueMapError
from impactkit.sroi._engine import SroiResult, compute
from impactkit.sroi._model import KpiLink, ValueMap, parse_value_map
from impactkit.sroi._workbook import MAX_INFLATED_BYTES, WorkbookValues

LAYOUT_MARK = "impactkit SROI value map"
LAYOUT_VERSION = "layout 2"
"""Layout 2 adds the proxy bank (a setting) and each proxy's description and bank entry (two
columns at the end of the outcome table); workbooks of layout 1 are still read."""
_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")

SHEETS = {
    "en": {
        "map": "Value map",
        "years": "Years",
        "inputs": "Inputs",
        "stakeholders": "Stakeholders",
    },
    "it": {
        "map": "Mappa del valore",
        "years": "Anni",
        "inputs": "Input",
        "stakeholders": "Stakeholder",
    },
}

# Settings and results of the "Value map" sheet: (key, English label, Italian label), rows 3..
SETTINGS = [
    ("name", "Name", "Nome"),
    ("currency", "Currency", "Valuta"),
    ("discount_rate", "Discount rate", "Tasso di sconto"),
    ("discounting", "Discounting", "Attualizzazione"),
    ("discount_first_year", "Discount first year", "Attualizza il primo anno"),
    ("drop_off_from", "Drop-off from", "Decremento dal"),
    ("inputs_discounted", "Inputs discounted", "Input attualizzati"),
    ("horizon_years", "Horizon (years)", "Orizzonte (anni)"),
]
SETTINGS_V1 = list(SETTINGS)
SETTINGS = [*SETTINGS_V1, ("proxy_bank", "Proxy bank", "Banca dei proxy")]
RESULTS = [
    ("inputs_total", "Total inputs", "Totale input"),
    ("total_present_value", "Total present value", "Valore attuale totale"),
    ("net_present_value", "Net present value", "Valore attuale netto"),
    ("sroi_ratio", "SROI ratio", "Indice SROI"),
    ("net_sroi_ratio", "Net SROI ratio", "Indice SROI netto"),
    (
        "payback_months",
        "Payback, Guide's simple formula (months)",
        "Recupero, formula semplice della Guida (mesi)",
    ),
]
LABELS_BEFORE = {
    "Payback, Guide's simple formula (months)": "Payback (months)",
    "Recupero, formula semplice della Guida (mesi)": "Periodo di recupero (mesi)",
}
"""Labels of earlier workbooks, still read back."""
PAYBACK_MONTHS = [
    ("undiscounted_month", "Payback month (cumulative value)", "Mese di recupero (valore cumulato)"),
    ("discounted_month", "Payback month (discounted)", "Mese di recupero (attualizzato)"),
]
"""Written beside the simple formula's row: the month the value actually reaches the inputs."""
SETTINGS_ROW = 3  # 1-based row of the first setting
RESULTS_ROW = SETTINGS_ROW + len(SETTINGS) + 1
OUTCOME_HEADER_ROW = RESULTS_ROW + len(RESULTS) + 2
FIRST_OUTCOME_ROW = OUTCOME_HEADER_ROW + 1

# Columns of the outcome table: (key, English, Italian).
OUTCOME_COLUMNS = [
    ("number", "#", "#"),
    ("stakeholder", "Stakeholder", "Stakeholder"),
    ("name", "Outcome", "Outcome"),
    ("description", "Description", "Descrizione"),
    ("indicator", "Indicator", "Indicatore"),
    ("quantity", "Quantity", "Quantità"),
    ("quantity_evidence", "Quantity evidence", "Evidenza della quantità"),
    ("proxy", "Proxy value", "Valore del proxy"),
    ("proxy_currency", "Proxy currency", "Valuta del proxy"),
    ("proxy_year", "Proxy year", "Anno del proxy"),
    ("proxy_source", "Proxy source", "Fonte del proxy"),
    ("deadweight", "Deadweight", "Deadweight"),
    ("displacement", "Displacement", "Displacement"),
    ("attribution", "Attribution", "Attribuzione"),
    ("drop_off", "Drop-off", "Drop-off"),
    ("duration", "Duration (years)", "Durata (anni)"),
    ("start_year", "Start year", "Anno di inizio"),
    ("negative", "Negative", "Negativo"),
    ("impact", "Impact year 1", "Impatto anno 1"),
    ("present_value", "Present value", "Valore attuale"),
]
OUTCOME_COLUMNS_V1 = list(OUTCOME_COLUMNS)
OUTCOME_COLUMNS = [
    *OUTCOME_COLUMNS_V1,
    ("proxy_description", "Proxy description", "Descrizione del proxy"),
    ("proxy_bank", "Proxy bank entry", "Voce della banca dei proxy"),
    ("deadweight_evidence", "Deadweight evidence", "Evidenza del deadweight"),
    ("displacement_evidence", "Displacement evidence", "Evidenza del displacement"),
    ("attribution_evidence", "Attribution evidence", "Evidenza dell'attribuzione"),
    ("drop_off_evidence", "Drop-off evidence", "Evidenza del drop-off"),
    ("duration_evidence", "Duration evidence", "Evidenza della durata"),
    ("proxy_evidence", "Proxy evidence", "Evidenza del proxy"),
]
EVIDENCE_COLUMNS = ("deadweight", "displacement", "attribution", "drop_off", "duration", "proxy")
COL = {key: index for index, (key, _, _) in enumerate(OUTCOME_COLUMNS)}

INPUT_COLUMNS = [
    ("number", "#", "#"),
    ("description", "Description", "Descrizione"),
    ("stakeholder", "Stakeholder", "Stakeholder"),
    ("amount", "Amount", "Importo"),
    ("hours", "Hours", "Ore"),
    ("rate", "Rate per hour", "Tariffa oraria"),
    ("value", "Value", "Valore"),
    ("year", "Year", "Anno"),
    ("source", "Source", "Fonte"),
    ("counted", "Counted value", "Valore conteggiato"),
]
INPUT_COL = {key: index for index, (key, _, _) in enumerate(INPUT_COLUMNS)}
INPUT_HEADER_ROW = 2
STAKEHOLDER_HEADER_ROW = 1


def neutralise(text: str) -> str:
    """Prefix user text that a spreadsheet could read as a formula with ``'``.

    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise("Young people")
    'Young people'
    """
    if text.startswith(_DANGEROUS_START):
        return "'" + text
    return text


def restore(text: str) -> str:
    """Undo :func:`neutralise` on text read back from a workbook."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(_DANGEROUS_START):
        return text[1:]
    return text


def _labels(table: list[tuple[str, str, str]], language: str) -> list[str]:
    index = 1 if language == "en" else 2
    return [row[index] for row in table]


def _ref(sheet: str, cell: str) -> str:
    return f"'{sheet}'!{cell}"


def _abs(row: int, col: int) -> str:
    """Absolute A1 reference from 1-based row and 0-based column."""
    return str(xl_rowcol_to_cell(row - 1, col, row_abs=True, col_abs=True))


@dataclass
class _Formats:
    bold: Any
    money: Any
    percent: Any
    ratio: Any
    number: Any


def write_value_map(
    workbook: Workbook,
    value_map: ValueMap,
    result: SroiResult | None = None,
    *,
    language: str = "en",
) -> None:
    """Add the value map's sheets, with live formulas, to an open xlsxwriter workbook.

    Works in ``constant_memory`` mode: each sheet is written row by row, top to bottom.
    The formulas carry the engine's values as cached results, so a reader that does not
    recalculate still sees the right figures.

    Args:
        workbook: an xlsxwriter workbook (the caller closes it).
        value_map: a checked map with numeric quantities.
        result: the engine's result for the map; computed when not given.
        language: ``"en"`` or ``"it"`` for sheet names and labels.

    Raises:
        ValueMapError: the map cannot be computed.
        ValueError: an unknown language.
    """
    if language not in SHEETS:
        raise ValueError(f"language must be one of {sorted(SHEETS)}, got {language!r}")
    result = result or compute(value_map)
    names = SHEETS[language]
    formats = _Formats(
        bold=workbook.add_format({"bold": True}),
        money=workbook.add_format({"num_format": "#,##0.00"}),
        percent=workbook.add_format({"num_format": "0.00%"}),
        ratio=workbook.add_format({"num_format": "0.0000"}),
        number=workbook.add_format({"num_format": "General"}),
    )
    sheet = workbook.add_worksheet(names["map"])
    years = workbook.add_worksheet(names["years"])
    inputs = workbook.add_worksheet(names["inputs"])
    stakeholders = workbook.add_worksheet(names["stakeholders"])
    _write_map_sheet(sheet, value_map, result, names, language, formats)
    _write_years_sheet(years, value_map, result, names, language, formats)
    _write_inputs_sheet(inputs, value_map, result, names, language, formats)
    stakeholders.write_row(
        STAKEHOLDER_HEADER_ROW - 1,
        0,
        ["Stakeholder", "Description" if language == "en" else "Descrizione"],
        formats.bold,
    )
    for offset, stakeholder in enumerate(value_map.stakeholders):
        row = STAKEHOLDER_HEADER_ROW + offset
        stakeholders.write_string(row, 0, neutralise(stakeholder.name))
        stakeholders.write_string(row, 1, neutralise(stakeholder.description))


def _years_layout(value_map: ValueMap) -> tuple[int, int, int, int]:
    """1-based rows in the Years sheet: first undiscounted, factor, first discounted, totals."""
    n = len(value_map.outcomes)
    first_value = 3
    total_value = first_value + n
    factor = total_value + 2
    first_discounted = factor + 2
    return first_value, factor, first_discounted, first_discounted + n


def _write_map_sheet(
    sheet: XlsxWorksheet,
    value_map: ValueMap,
    result: SroiResult,
    names: dict[str, str],
    language: str,
    formats: _Formats,
) -> None:
    n = len(value_map.outcomes)
    first = FIRST_OUTCOME_ROW
    last = first + n - 1
    horizon = value_map.horizon
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, len(OUTCOME_COLUMNS) - 1, 16)
    sheet.write_string(0, 0, LAYOUT_MARK, formats.bold)
    sheet.write_string(0, 1, LAYOUT_VERSION)
    conventions = value_map.conventions
    setting_values: dict[str, Any] = {
        "name": value_map.name,
        "currency": value_map.currency,
        "discount_rate": value_map.discount_rate,
        "discounting": conventions.discounting,
        "discount_first_year": conventions.discount_first_year,
        "drop_off_from": conventions.drop_off_from,
        "inputs_discounted": conventions.inputs_discounted,
        "horizon_years": horizon,
        "proxy_bank": value_map.proxy_bank or "",
    }
    for offset, (key, label) in enumerate(
        zip([s[0] for s in SETTINGS], _labels(SETTINGS, language), strict=True)
    ):
        row = SETTINGS_ROW - 1 + offset
        sheet.write_string(row, 0, label, formats.bold)
        value = setting_values[key]
        if isinstance(value, bool):
            sheet.write_boolean(row, 1, value)
        elif isinstance(value, str):
            sheet.write_string(row, 1, neutralise(value))
        elif key == "discount_rate":
            sheet.write_number(row, 1, value, formats.percent)
        else:
            sheet.write_number(row, 1, value)
    impact_range = f"{_abs(first, COL['impact'])}:{_abs(last, COL['impact'])}"
    pv_range = f"{_abs(first, COL['present_value'])}:{_abs(last, COL['present_value'])}"
    inputs_total_cell = _ref(
        names["inputs"], _abs(INPUT_HEADER_ROW + len(value_map.inputs) + 1, INPUT_COL["counted"])
    )
    cell = {key: _abs(RESULTS_ROW + i, 1) for i, (key, _, _) in enumerate(RESULTS)}
    not_reached = "not reached" if language == "en" else "non raggiunto"
    formulas = {
        "inputs_total": (f"={inputs_total_cell}", result.inputs_total, formats.money),
        "total_present_value": (f"=SUM({pv_range})", result.total_present_value, formats.money),
        "net_present_value": (
            f"={cell['total_present_value']}-{cell['inputs_total']}",
            result.net_present_value,
            formats.money,
        ),
        "sroi_ratio": (
            f"={cell['total_present_value']}/{cell['inputs_total']}",
            result.sroi_ratio,
            formats.ratio,
        ),
        "net_sroi_ratio": (
            f"={cell['net_present_value']}/{cell['inputs_total']}",
            result.net_sroi_ratio,
            formats.ratio,
        ),
        "payback_months": (
            f'=IF(SUM({impact_range})>0,{cell["inputs_total"]}/(SUM({impact_range})/12),"{not_reached}")',
            result.payback_months if result.payback_months is not None else not_reached,
            formats.ratio,
        ),
    }
    for offset, (key, label) in enumerate(
        zip([r[0] for r in RESULTS], _labels(RESULTS, language), strict=True)
    ):
        row = RESULTS_ROW - 1 + offset
        sheet.write_string(row, 0, label, formats.bold)
        formula, cached, fmt = formulas[key]
        sheet.write_formula(row, 1, formula, fmt, cached)
        if key == "payback_months" and result.payback is not None:
            # Beside the Guide's formula: the month in which the cumulative value (each outcome
            # from its start year, with drop-off) reaches the inputs, undiscounted and discounted.
            for place, ((field, _, _), text) in enumerate(
                zip(PAYBACK_MONTHS, _labels(PAYBACK_MONTHS, language), strict=True)
            ):
                month = getattr(result.payback, field)
                sheet.write_string(row, 2 + 2 * place, text, formats.bold)
                if month is None:
                    sheet.write_string(row, 3 + 2 * place, not_reached)
                else:
                    sheet.write_number(row, 3 + 2 * place, month)
    sheet.write_row(OUTCOME_HEADER_ROW - 1, 0, _labels(OUTCOME_COLUMNS, language), formats.bold)
    first_discounted = _years_layout(value_map)[2]
    last_year_col = xl_col_to_name(2 + horizon - 1)
    for offset, outcome in enumerate(value_map.outcomes):
        row = first + offset
        r = row - 1
        evidence = outcome.evidence.get("quantity", "")
        assert not isinstance(outcome.quantity, KpiLink)  # compute() refused unresolved links
        sheet.write_number(r, COL["number"], offset + 1)
        sheet.write_string(r, COL["stakeholder"], neutralise(outcome.stakeholder))
        sheet.write_string(r, COL["name"], neutralise(outcome.name))
        sheet.write_string(r, COL["description"], neutralise(outcome.description))
        sheet.write_string(r, COL["indicator"], neutralise(outcome.indicator))
        sheet.write_number(r, COL["quantity"], outcome.quantity)
        sheet.write_string(r, COL["quantity_evidence"], neutralise(evidence))
        sheet.write_number(r, COL["proxy"], outcome.proxy.value, formats.money)
        sheet.write_string(r, COL["proxy_currency"], neutralise(outcome.proxy.currency or ""))
        if outcome.proxy.year is not None:
            sheet.write_number(r, COL["proxy_year"], outcome.proxy.year)
        sheet.write_string(r, COL["proxy_source"], neutralise(outcome.proxy.source))
        sheet.write_string(r, COL["proxy_description"], neutralise(outcome.proxy.description))
        sheet.write_string(r, COL["proxy_bank"], neutralise(outcome.proxy.bank or ""))
        for estimate in EVIDENCE_COLUMNS:
            sheet.write_string(r, COL[f"{estimate}_evidence"], neutralise(outcome.evidence.get(estimate, "")))
        for key in ("deadweight", "displacement", "attribution", "drop_off"):
            sheet.write_number(r, COL[key], getattr(outcome, key), formats.percent)
        sheet.write_number(r, COL["duration"], outcome.duration)
        sheet.write_number(r, COL["start_year"], outcome.start_year)
        sheet.write_boolean(r, COL["negative"], outcome.negative)

        def at(key: str, row: int = row) -> str:
            return str(xl_rowcol_to_cell(row - 1, COL[key], col_abs=True))

        impact = (
            f"=IF({at('negative')},-1,1)*{at('quantity')}*{at('proxy')}"
            f"*(1-{at('deadweight')})*(1-{at('displacement')})*(1-{at('attribution')})"
        )
        sheet.write_formula(r, COL["impact"], impact, formats.money, result.outcomes[offset].impact)
        discounted_row = first_discounted + offset
        present = f"=SUM({_ref(names['years'], f'C{discounted_row}:{last_year_col}{discounted_row}')})"
        sheet.write_formula(
            r, COL["present_value"], present, formats.money, result.outcomes[offset].present_value
        )


def _write_years_sheet(
    sheet: XlsxWorksheet,
    value_map: ValueMap,
    result: SroiResult,
    names: dict[str, str],
    language: str,
    formats: _Formats,
) -> None:
    horizon = value_map.horizon
    first_value, factor_row, first_discounted, total_discounted = _years_layout(value_map)
    n = len(value_map.outcomes)
    total_value = first_value + n
    setting = {key: _ref(names["map"], _abs(SETTINGS_ROW + i, 1)) for i, (key, _, _) in enumerate(SETTINGS)}
    en = language == "en"
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 2 + horizon, 14)
    sheet.write_string(
        0,
        0,
        "Values by year (undiscounted)" if en else "Valori per anno (non attualizzati)",
        formats.bold,
    )
    sheet.write_row(1, 0, ["#", "Outcome"], formats.bold)
    for year in range(1, horizon + 1):
        sheet.write_number(1, 1 + year, year, formats.bold)
    for offset, outcome in enumerate(value_map.outcomes):
        row = first_value + offset
        map_row = FIRST_OUTCOME_ROW + offset

        def m(key: str, map_row: int = map_row) -> str:
            return _ref(names["map"], _abs(map_row, COL[key]))

        sheet.write_number(row - 1, 0, offset + 1)
        sheet.write_string(row - 1, 1, neutralise(outcome.name))
        for year in range(1, horizon + 1):
            col = xl_col_to_name(1 + year)
            k = f"({col}$2-{m('start_year')}+1)"
            formula = (
                f"=IF(AND({k}>=1,{k}<={m('duration')}),{m('impact')}*(1-{m('drop_off')})"
                f'^IF({setting["drop_off_from"]}="first_year",{k},{k}-1),0)'
            )
            sheet.write_formula(
                row - 1, 1 + year, formula, formats.money, result.outcomes[offset].values[year - 1]
            )
    sheet.write_string(total_value - 1, 1, "Total" if en else "Totale", formats.bold)
    for year in range(1, horizon + 1):
        col = xl_col_to_name(1 + year)
        sheet.write_formula(
            total_value - 1,
            1 + year,
            f"=SUM({col}{first_value}:{col}{total_value - 1})",
            formats.money,
            result.values_by_year[year - 1],
        )
    sheet.write_string(factor_row - 1, 1, "Discount factor" if en else "Fattore di sconto", formats.bold)
    years_arr = range(1, horizon + 1)
    for year in years_arr:
        col = xl_col_to_name(1 + year)
        formula = (
            f"=IF({setting['discounting']},1/(1+{setting['discount_rate']})"
            f"^({col}$2-IF({setting['discount_first_year']},0,1)),1)"
        )
        cached = 1.0
        if value_map.conventions.discounting:
            periods = year if value_map.conventions.discount_first_year else year - 1
            cached = (1 + value_map.discount_rate) ** -periods
        sheet.write_formula(factor_row - 1, 1 + year, formula, None, cached)
    sheet.write_string(
        first_discounted - 2,
        0,
        "Present values by year" if en else "Valori attuali per anno",
        formats.bold,
    )
    for offset, outcome in enumerate(value_map.outcomes):
        row = first_discounted + offset
        sheet.write_number(row - 1, 0, offset + 1)
        sheet.write_string(row - 1, 1, neutralise(outcome.name))
        for year in range(1, horizon + 1):
            col = xl_col_to_name(1 + year)
            sheet.write_formula(
                row - 1,
                1 + year,
                f"={col}{first_value + offset}*{col}${factor_row}",
                formats.money,
                result.outcomes[offset].discounted[year - 1],
            )
    sheet.write_string(total_discounted - 1, 1, "Total" if en else "Totale", formats.bold)
    for year in range(1, horizon + 1):
        col = xl_col_to_name(1 + year)
        sheet.write_formula(
            total_discounted - 1,
            1 + year,
            f"=SUM({col}{first_discounted}:{col}{total_discounted - 1})",
            formats.money,
            result.discounted_by_year[year - 1],
        )


def _write_inputs_sheet(
    sheet: XlsxWorksheet,
    value_map: ValueMap,
    result: SroiResult,
    names: dict[str, str],
    language: str,
    formats: _Formats,
) -> None:
    setting = {key: _ref(names["map"], _abs(SETTINGS_ROW + i, 1)) for i, (key, _, _) in enumerate(SETTINGS)}
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, len(INPUT_COLUMNS) - 1, 18)
    sheet.write_string(0, 0, "Inputs" if language == "en" else "Input", formats.bold)
    sheet.write_row(INPUT_HEADER_ROW - 1, 0, _labels(INPUT_COLUMNS, language), formats.bold)
    rate = value_map.discount_rate
    conventions = value_map.conventions
    counted_total = 0.0
    for offset, item in enumerate(value_map.inputs):
        row = INPUT_HEADER_ROW + 1 + offset
        r = row - 1

        def at(key: str, row: int = row) -> str:
            return str(xl_rowcol_to_cell(row - 1, INPUT_COL[key], col_abs=True))

        sheet.write_number(r, INPUT_COL["number"], offset + 1)
        sheet.write_string(r, INPUT_COL["description"], neutralise(item.description))
        sheet.write_string(r, INPUT_COL["stakeholder"], neutralise(item.stakeholder or ""))
        for key in ("amount", "hours", "rate"):
            number = getattr(item, key)
            if number is not None:
                sheet.write_number(r, INPUT_COL[key], number)
        sheet.write_formula(
            r,
            INPUT_COL["value"],
            f"=IF(ISNUMBER({at('amount')}),{at('amount')},{at('hours')}*{at('rate')})",
            formats.money,
            item.value,
        )
        sheet.write_number(r, INPUT_COL["year"], item.year)
        sheet.write_string(r, INPUT_COL["source"], neutralise(item.source))
        counted = item.value
        if conventions.inputs_discounted and conventions.discounting:
            periods = item.year if conventions.discount_first_year else item.year - 1
            counted = item.value * (1 + rate) ** -periods
        counted_total += counted
        sheet.write_formula(
            r,
            INPUT_COL["counted"],
            f"=IF(AND({setting['inputs_discounted']},{setting['discounting']}),"
            f"{at('value')}/(1+{setting['discount_rate']})"
            f"^({at('year')}-IF({setting['discount_first_year']},0,1)),{at('value')})",
            formats.money,
            counted,
        )
    total_row = INPUT_HEADER_ROW + len(value_map.inputs) + 1
    column = xl_col_to_name(INPUT_COL["counted"])
    sheet.write_string(
        total_row - 1,
        INPUT_COL["description"],
        "Total" if language == "en" else "Totale",
        formats.bold,
    )
    sheet.write_formula(
        total_row - 1,
        INPUT_COL["counted"],
        f"=SUM({column}{INPUT_HEADER_ROW + 1}:{column}{total_row - 1})",
        formats.money,
        result.inputs_total,
    )


def export_value_map(
    value_map: ValueMap, path: str | Path, *, language: str = "en", layout: str = "impactkit"
) -> Path:
    """Write the value map to a new ``.xlsx`` file with live formulas; returns the path.

    Args:
        layout: ``"impactkit"`` (this module's sheets: value map, years, inputs, stakeholders) or
            ``"svi"`` (Social Value International's value map, stages 1–5:
            :mod:`impactkit.sroi.svi`).
    """
    if layout == "svi":
        from impactkit.sroi.svi import export_svi_value_map

        return export_svi_value_map(value_map, path, language=language)
    if layout != "impactkit":
        raise ValueError(f"layout must be 'impactkit' or 'svi', got {layout!r}")
    path = Path(path)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        write_value_map(workbook, value_map, language=language)
    finally:
        workbook.close()
    return path


# --- reading a workbook back ------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    return restore(str(value)) if isinstance(value, str) else str(value)


def _where(sheet: str, row: int, col: int) -> str:
    return f"{sheet}!{xl_rowcol_to_cell(row - 1, col)}"


@dataclass(frozen=True)
class _Version:
    """Where things are in one version of the layout."""

    settings: list[tuple[str, str, str]]
    outcome_columns: list[tuple[str, str, str]]

    @property
    def settings_row(self) -> int:
        return SETTINGS_ROW

    @property
    def results_row(self) -> int:
        return SETTINGS_ROW + len(self.settings) + 1

    @property
    def header_row(self) -> int:
        return self.results_row + len(RESULTS) + 2


_VERSIONS = {
    "layout 1": _Version(SETTINGS_V1, OUTCOME_COLUMNS_V1),
    LAYOUT_VERSION: _Version(SETTINGS, OUTCOME_COLUMNS),
}
assert _VERSIONS[LAYOUT_VERSION].header_row == OUTCOME_HEADER_ROW


_COMPUTED = frozenset({"impact", "present_value", "value", "counted"})
"""Columns holding formulas over the estimates: never read back."""


def is_impactkit_layout(book: WorkbookValues) -> bool:
    """Whether a workbook is in impactkit's own value-map layout (any version)."""
    for names in SHEETS.values():
        if names["map"] in book.sheetnames and book.value(names["map"], 1, 0) == LAYOUT_MARK:
            return True
    return False


def import_value_map(path: str | Path) -> ValueMap:
    """Read a value map from a workbook: impactkit's layout, or the SVI value map layout.

    impactkit's layout (written by :func:`export_value_map`, possibly edited and saved again by
    Excel or LibreOffice Calc) is read from its estimate cells; formulas are ignored, except that
    a cell a spreadsheet turned into a formula (LibreOffice writes ``=TRUE()`` for a boolean) is
    read as the value it computed. A workbook in Social Value International's value map layout
    is read by :func:`impactkit.sroi.svi.import_svi_value_map`.

    Raises:
        ValueMapError: the layout was changed (each problem names ``sheet!cell`` and what was
            expected there), or the map read has impossible inputs (located by cell too).
    """
    path = Path(path)
    book = WorkbookValues(path)
    if not is_impactkit_layout(book):
        from impactkit.sroi.svi import find_svi_sheet, read_svi_value_map

        if find_svi_sheet(book) is not None:
            return read_svi_value_map(book, path)
    language = next((lang for lang, names in SHEETS.items() if names["map"] in book.sheetnames), None)
    if language is None:
        raise ValueMapError(
            f"{path} is not a value map",
            [
                Problem(
                    f"expected a sheet named {SHEETS['en']['map']!r} or {SHEETS['it']['map']!r} "
                    "(impactkit's layout), or a sheet with the SVI value map's columns (Stakeholders, "
                    "Indicator, Quantity, Financial proxy, Deadweight …)",
                    str(path),
                )
            ],
        )
    names = SHEETS[language]
    problems: list[Problem] = []
    missing = [name for name in names.values() if name not in book.sheetnames]
    if missing:
        raise ValueMapError(
            f"{path}: the value map layout was changed",
            [Problem(f"missing sheet {name!r}", name) for name in missing],
        )
    sheet = names["map"]
    if book.value(sheet, 1, 0) != LAYOUT_MARK:
        problems.append(Problem(f"expected {LAYOUT_MARK!r}", _where(sheet, 1, 0)))
    mark = book.value(sheet, 1, 1)
    version = _VERSIONS.get(str(mark))
    if version is None:
        raise ValueMapError(
            f"{path}: unknown value map layout",
            [Problem(f"expected one of {sorted(_VERSIONS)}, found {mark!r}", _where(sheet, 1, 1), "layout")],
        )
    _expect_labels(book, sheet, version.settings_row, 0, _labels(version.settings, language), True, problems)
    _expect_labels(book, sheet, version.results_row, 0, _labels(RESULTS, language), True, problems)
    _expect_labels(
        book, sheet, version.header_row, 0, _labels(version.outcome_columns, language), False, problems
    )
    inputs_sheet = names["inputs"]
    _expect_labels(book, inputs_sheet, INPUT_HEADER_ROW, 0, _labels(INPUT_COLUMNS, language), False, problems)
    if problems:
        raise ValueMapError(f"{path}: the value map layout was changed", problems)

    settings = {
        key: book.value(sheet, version.settings_row + i, 1) for i, (key, _, _) in enumerate(version.settings)
    }
    locations: dict[str, str] = {}
    for i, (key, _, _) in enumerate(version.settings):
        locations[key] = _where(sheet, version.settings_row + i, 1)
    for key in ("discounting", "discount_first_year", "drop_off_from", "inputs_discounted"):
        locations[f"conventions.{key}"] = locations[key]

    columns = {key: index for index, (key, _, _) in enumerate(version.outcome_columns)}
    outcomes: list[dict[str, Any]] = []
    row = version.header_row + 1
    while book.value(sheet, row, columns["name"]) not in (None, ""):
        # Results (impact, present value) are formulas the engine recomputes: not read.
        cells = {key: book.value(sheet, row, index) for key, index in columns.items() if key not in _COMPUTED}
        evidence = _text(cells["quantity_evidence"])
        outcome: dict[str, Any] = {
            "name": _text(cells["name"]),
            "stakeholder": _text(cells["stakeholder"]),
            "description": _text(cells["description"]),
            "indicator": _text(cells["indicator"]),
            "quantity": cells["quantity"],
            "proxy": {
                "value": cells["proxy"],
                "description": _text(cells.get("proxy_description")),
                "currency": _text(cells["proxy_currency"]) or None,
                "year": cells["proxy_year"],
                "source": _text(cells["proxy_source"]),
                "bank": _text(cells.get("proxy_bank")) or None,
            },
            "deadweight": _number_or_zero(cells["deadweight"]),
            "displacement": _number_or_zero(cells["displacement"]),
            "attribution": _number_or_zero(cells["attribution"]),
            "drop_off": _number_or_zero(cells["drop_off"]),
            "duration": cells["duration"],
            "start_year": cells["start_year"],
            "negative": _flag(cells["negative"]),
            "evidence": {"quantity": evidence} if evidence else {},
        }
        for estimate in EVIDENCE_COLUMNS:
            note = _text(cells.get(f"{estimate}_evidence"))
            if note:
                outcome["evidence"][estimate] = note
        index = len(outcomes)
        for key in columns:
            field = {
                "proxy": "proxy.value",
                "proxy_currency": "proxy.currency",
                "proxy_year": "proxy.year",
                "proxy_source": "proxy.source",
                "proxy_description": "proxy.description",
                "proxy_bank": "proxy.bank",
            }.get(key, key)
            locations[f"outcomes[{index}].{field}"] = _where(sheet, row, columns[key])
        outcomes.append(outcome)
        row += 1

    inputs: list[dict[str, Any]] = []
    row = INPUT_HEADER_ROW + 1
    while book.value(inputs_sheet, row, INPUT_COL["number"]) not in (None, ""):
        cells = {
            key: book.value(inputs_sheet, row, index)
            for key, index in INPUT_COL.items()
            if key not in _COMPUTED
        }
        index = len(inputs)
        inputs.append(
            {
                "description": _text(cells["description"]),
                "stakeholder": _text(cells["stakeholder"]) or None,
                "amount": cells["amount"],
                "hours": cells["hours"],
                "rate": cells["rate"],
                "year": cells["year"],
                "source": _text(cells["source"]),
            }
        )
        for key in INPUT_COL:
            locations[f"inputs[{index}].{key}"] = _where(inputs_sheet, row, INPUT_COL[key])
        row += 1
    locations["inputs"] = _where(inputs_sheet, INPUT_HEADER_ROW + 1, INPUT_COL["value"])

    stakeholder_sheet = names["stakeholders"]
    stakeholders = []
    row = STAKEHOLDER_HEADER_ROW + 1
    while book.value(stakeholder_sheet, row, 0) not in (None, ""):
        stakeholders.append(
            {
                "name": _text(book.value(stakeholder_sheet, row, 0)),
                "description": _text(book.value(stakeholder_sheet, row, 1)),
            }
        )
        row += 1
    if book.problems:
        raise ValueMapError(f"{path} has cells that cannot be read", book.problems)

    horizon = settings["horizon_years"]
    ends = [o["start_year"] + o["duration"] - 1 for o in outcomes if _whole(o["start_year"], o["duration"])]
    if ends and len(ends) == len(outcomes) and horizon == max(ends):
        horizon = None  # the workbook's horizon is the derived one: keep it derived
    data = {
        "name": _text(settings["name"]),
        "currency": _text(settings["currency"]),
        "discount_rate": settings["discount_rate"],
        "horizon_years": horizon,
        "proxy_bank": _text(settings.get("proxy_bank")) or None,
        "conventions": {
            "discounting": _flag(settings["discounting"]),
            "discount_first_year": _flag(settings["discount_first_year"]),
            "drop_off_from": _text(settings["drop_off_from"]),
            "inputs_discounted": _flag(settings["inputs_discounted"]),
        },
        "stakeholders": stakeholders,
        "inputs": inputs,
        "outcomes": outcomes,
    }
    try:
        return parse_value_map(data, source=str(path))
    except ValueMapError as error:
        raise ValueMapError(
            error.message, [_locate(problem, locations) for problem in error.problems]
        ) from None


def _whole(*values: Any) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _flag(value: Any) -> Any:
    """A yes/no cell: booleans, 1/0, or the words a person may type (TRUE, vero, sì …)."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    if isinstance(value, int | float):
        return value != 0 if value in (0, 1) else value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("true", "vero", "yes", "sì", "si", "1"):
            return True
        if word in ("false", "falso", "no", "0", ""):
            return False
    return value


def _number_or_zero(value: Any) -> Any:
    return 0.0 if value is None else value


def _locate(problem: Problem, locations: dict[str, str]) -> Problem:
    """Name the cell of a problem found in a map read from a workbook."""
    field, _, label = problem.location.partition(" (")
    cell = locations.get(field)
    if cell is None:
        return problem
    suffix = f" ({label}" if label else ""
    return Problem(problem.message, f"{cell} {field}{suffix}", problem.code, problem.details)


def _expect_labels(
    book: WorkbookValues,
    sheet: str,
    row: int,
    col: int,
    labels: list[str],
    vertical: bool,
    problems: list[Problem],
) -> None:
    for offset, label in enumerate(labels):
        r, c = (row + offset, col) if vertical else (row, col + offset)
        found = book.value(sheet, r, c)
        if found != label and found != LABELS_BEFORE.get(label):
            problems.append(Problem(f"expected {label!r}, found {found!r}", _where(sheet, r, c), "layout"))


__all__ = ["MAX_INFLATED_BYTES", "export_value_map", "import_value_map", "neutralise", "write_value_map"]
