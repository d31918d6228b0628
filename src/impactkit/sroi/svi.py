"""The value map in Social Value International's layout (stages 1–5), written and read back.

SROI practitioners exchange value maps in the spreadsheet of the Guide and of Social Value
International ("SROI Value Map"): one sheet, one row per outcome, columns grouped by the stages
of an analysis —

* **Stage 1** stakeholders and the changes intended or unintended for them;
* **Stage 2** their inputs and what they are worth, the outputs, and the outcome as the
  stakeholder would describe it;
* **Stage 3** indicator and its source, quantity, duration, when the outcome starts (1 in the
  period of the activity, 2 the period after …), financial proxy, its value and source;
* **Stage 4** deadweight, displacement, attribution and drop-off, and the impact (quantity ×
  proxy, less deadweight, displacement and attribution);
* **Stage 5** the value in each year, the present value of each year, the total present value,
  the net present value and the social return (value per amount invested).

:func:`write_svi_value_map` writes that sheet with live formulas (the engine's values cached);
the row of questions under the headers is the template's own guidance. A few columns the SVI
template does not have follow the years under the heading "impactkit" (the evidence of each
estimate, the proxy's price year and bank entry, in-kind hours and rate, the input's year), and
the calculation choices sit above the table, so a map goes to the SVI layout and comes back
whole. :func:`import_svi_value_map` reads such a sheet — ours, or one filled in by hand from
the SVI template — by its column headings (English or Italian), not by fixed positions;
stakeholder cells left blank (or merged) belong to the stakeholder above, a negative proxy
value is a negative outcome, as in the template.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook

from impactkit.errors import Problem, ValueMapError
from impactkit.sroi._engine import SroiResult, compute
from impactkit.sroi._model import Input, KpiLink, Outcome, ValueMap, parse_value_map
from impactkit.sroi._workbook import WorkbookValues, where
from impactkit.sroi.excel import neutralise, restore

SHEET = {"en": "SROI Value Map", "it": "Mappa del valore SROI"}

# (key, stage, English heading, English question, Italian heading, Italian question)
_COLUMNS: list[tuple[str, int, str, str, str, str]] = [
    (
        "stakeholder",
        1,
        "Stakeholders",
        "Who do we have an effect on? Who has an effect on us?",
        "Stakeholder",
        "Su chi abbiamo un effetto? Chi ha un effetto su di noi?",
    ),
    (
        "changes",
        1,
        "Intended/unintended changes",
        "What do you think will change for them?",
        "Cambiamenti attesi/inattesi",
        "Che cosa pensate che cambierà per loro?",
    ),
    ("input", 2, "Inputs", "What do they invest?", "Input", "Che cosa investono?"),
    (
        "input_value",
        2,
        "Value",
        "What is the value of the inputs? (only numbers)",
        "Valore",
        "Qual è il valore degli input? (solo numeri)",
    ),
    ("outputs", 2, "Outputs", "Summary of activity in numbers", "Output", "Sintesi dell'attività in numeri"),
    (
        "outcome",
        2,
        "The outcomes (what changes): description",
        "How would the stakeholder describe the changes?",
        "Gli outcome (che cosa cambia): descrizione",
        "Come descriverebbe il cambiamento lo stakeholder?",
    ),
    ("indicator", 3, "Indicator", "How would you measure it?", "Indicatore", "Come lo misurereste?"),
    (
        "quantity_source",
        3,
        "Source",
        "Where did you get the information from?",
        "Fonte",
        "Da dove viene l'informazione?",
    ),
    ("quantity", 3, "Quantity", "How much change was there?", "Quantità", "Quanto cambiamento c'è stato?"),
    ("duration", 3, "Duration", "How long does it last? (years)", "Durata", "Quanto dura? (anni)"),
    (
        "start",
        3,
        "Outcomes start",
        "Does it start in the period of the activity (1) or after (2 …)?",
        "Inizio degli outcome",
        "Inizia nel periodo dell'attività (1) o dopo (2 …)?",
    ),
    (
        "proxy",
        3,
        "Financial proxy",
        "What proxy would you use to value the change?",
        "Proxy finanziaria",
        "Quale proxy usereste per valutare il cambiamento?",
    ),
    (
        "proxy_value",
        3,
        "Value",
        "What is the value of the change? (only numbers)",
        "Valore",
        "Qual è il valore del cambiamento? (solo numeri)",
    ),
    (
        "proxy_source",
        3,
        "Source",
        "Where did you get the information from?",
        "Fonte",
        "Da dove viene l'informazione?",
    ),
    (
        "deadweight",
        4,
        "Deadweight %",
        "What would have happened without the activity?",
        "Deadweight %",
        "Che cosa sarebbe successo senza l'attività?",
    ),
    (
        "displacement",
        4,
        "Displacement %",
        "What activity would you displace?",
        "Displacement %",
        "Quale attività viene spiazzata?",
    ),
    (
        "attribution",
        4,
        "Attribution %",
        "Who else would contribute to the change?",
        "Attribuzione %",
        "Chi altro contribuisce al cambiamento?",
    ),
    (
        "drop_off",
        4,
        "Drop off %",
        "Does the outcome drop off in future years?",
        "Drop-off %",
        "L'outcome diminuisce negli anni successivi?",
    ),
    (
        "impact",
        4,
        "Impact",
        "Quantity times financial proxy, less deadweight, displacement and attribution",
        "Impatto",
        "Quantità per proxy finanziaria, meno deadweight, displacement e attribuzione",
    ),
]
# Columns after the years: what the SVI template has no place for, so a map comes back whole.
_EXTRA: list[tuple[str, str, str]] = [
    ("outcome_notes", "Outcome notes", "Note sull'outcome"),
    ("deadweight_evidence", "Deadweight evidence", "Evidenza del deadweight"),
    ("displacement_evidence", "Displacement evidence", "Evidenza del displacement"),
    ("attribution_evidence", "Attribution evidence", "Evidenza dell'attribuzione"),
    ("drop_off_evidence", "Drop-off evidence", "Evidenza del drop-off"),
    ("duration_evidence", "Duration evidence", "Evidenza della durata"),
    ("proxy_evidence", "Proxy evidence", "Evidenza del proxy"),
    ("proxy_year", "Proxy price year", "Anno dei prezzi del proxy"),
    ("proxy_currency", "Proxy currency", "Valuta del proxy"),
    ("proxy_bank", "Proxy bank entry", "Voce della banca dei proxy"),
    ("input_source", "Input source", "Fonte dell'input"),
    ("input_hours", "Input hours (in kind)", "Ore dell'input (in natura)"),
    ("input_rate", "Input rate per hour", "Tariffa oraria dell'input"),
    ("input_year", "Input year", "Anno dell'input"),
]
_STAGES = {
    "en": {1: "Stage 1", 2: "Stage 2", 3: "Stage 3", 4: "Stage 4", 5: "Stage 5: calculating social return"},
    "it": {1: "Fase 1", 2: "Fase 2", 3: "Fase 3", 4: "Fase 4", 5: "Fase 5: calcolo del ritorno sociale"},
}
_WORDS = {
    "en": {
        "title": "SROI Value Map",
        "name": "Organisation / analysis",
        "currency": "Currency",
        "discount_rate": "Discount rate",
        "discounting": "Discounting",
        "discount_first_year": "Discount the first year",
        "drop_off_from": "Drop-off from",
        "inputs_discounted": "Inputs discounted",
        "horizon_years": "Horizon (years)",
        "proxy_bank": "Proxy bank",
        "year": "Year",
        "extra": "impactkit",
        "total": "Total",
        "present_value_year": "Present value of each year",
        "total_present_value": "Total Present Value (PV)",
        "net_present_value": "Net Present Value (PV minus the investment)",
        "social_return": "Social Return (value per amount invested)",
        "net_social_return": "Net social return (NPV per amount invested)",
        "inputs_counted": "Total inputs (as counted)",
        "layout": "Layout",
    },
    "it": {
        "title": "Mappa del valore SROI",
        "name": "Organizzazione / analisi",
        "currency": "Valuta",
        "discount_rate": "Tasso di sconto",
        "discounting": "Attualizzazione",
        "discount_first_year": "Attualizza il primo anno",
        "drop_off_from": "Decremento dal",
        "inputs_discounted": "Input attualizzati",
        "horizon_years": "Orizzonte (anni)",
        "proxy_bank": "Banca dei proxy",
        "year": "Anno",
        "extra": "impactkit",
        "total": "Totale",
        "present_value_year": "Valore attuale di ogni anno",
        "total_present_value": "Valore attuale totale (VA)",
        "net_present_value": "Valore attuale netto (VA meno l'investimento)",
        "social_return": "Ritorno sociale (valore per unità investita)",
        "net_social_return": "Ritorno sociale netto (VAN per unità investita)",
        "inputs_counted": "Totale input (come conteggiati)",
        "layout": "Formato",
    },
}
LAYOUT_NAME = "SVI value map (stages 1-5), impactkit 1"
_DROP_OFF = {"second_year": {"en": "second year", "it": "secondo anno"},
             "first_year": {"en": "first year", "it": "primo anno"}}  # fmt: skip

# Rows (1-based) of the header block; the conventions sit in columns D and E.
_SETTING_ROWS = {"name": 2, "currency": 3, "discount_rate": 4, "proxy_bank": 5}
_CONVENTION_ROWS = {
    "discounting": 2,
    "discount_first_year": 3,
    "drop_off_from": 4,
    "inputs_discounted": 5,
    "horizon_years": 6,
}
_STAGE_ROW, _HEADER_ROW, _QUESTION_ROW, _FIRST_ROW = 8, 9, 10, 11


@dataclass
class _Row:
    stakeholder: str = ""
    changes: str = ""
    input: Input | None = None
    outcome: Outcome | None = None
    outcome_index: int | None = None


def _rows(value_map: ValueMap) -> list[_Row]:
    """Outcomes in the map's order, each stakeholder's inputs beside its first rows.

    Inputs with no stakeholder come first (a blank stakeholder cell means "the one above", so
    they must precede every stakeholder); a stakeholder with more inputs than outcomes, or with
    none, gets rows of its own.
    """
    rows: list[_Row] = [_Row(input=item) for item in value_map.inputs if not item.stakeholder]
    known = {s.name for s in value_map.stakeholders}
    rows += [
        _Row(input=item) for item in value_map.inputs if item.stakeholder and item.stakeholder not in known
    ]
    for index, outcome in enumerate(value_map.outcomes):
        rows.append(_Row(stakeholder=outcome.stakeholder, outcome=outcome, outcome_index=index))
    for item in value_map.inputs:
        if not item.stakeholder or item.stakeholder not in known:
            continue
        free = next((r for r in rows if r.stakeholder == item.stakeholder and r.input is None), None)
        if free is None:
            last = max(
                (i for i, r in enumerate(rows) if r.stakeholder == item.stakeholder), default=len(rows) - 1
            )
            free = _Row(stakeholder=item.stakeholder)
            rows.insert(last + 1, free)
        free.input = item
    for stakeholder in value_map.stakeholders:
        mine = [r for r in rows if r.stakeholder == stakeholder.name]
        if not mine:
            rows.append(_Row(stakeholder=stakeholder.name, changes=stakeholder.description))
        else:
            mine[0].changes = stakeholder.description
    return rows


def write_svi_value_map(
    workbook: Workbook, value_map: ValueMap, result: SroiResult | None = None, *, language: str = "en"
) -> None:
    """Add the SVI value map sheet (stages 1–5, live formulas) to an open xlsxwriter workbook.

    Args:
        workbook: an xlsxwriter workbook (the caller closes it).
        value_map: a checked map with numeric quantities.
        result: the engine's result, computed when not given (its values are cached in the formulas).
        language: ``"en"`` or ``"it"``.

    Raises:
        ValueMapError: the map cannot be computed.
        ValueError: an unknown language.
    """
    if language not in SHEET:
        raise ValueError(f"language must be one of {sorted(SHEET)}, got {language!r}")
    result = result or compute(value_map)
    words = _WORDS[language]
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"italic": True, "text_wrap": True, "valign": "top", "font_size": 9})
    money = workbook.add_format({"num_format": "#,##0.00"})
    percent = workbook.add_format({"num_format": "0.0%"})
    ratio = workbook.add_format({"num_format": "0.0000"})
    sheet = workbook.add_worksheet(SHEET[language])
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, len(_COLUMNS) - 1, 16)
    horizon = value_map.horizon
    col = {key: index for index, (key, *_) in enumerate(_COLUMNS)}
    first_year_col = len(_COLUMNS)
    extra_col = {key: first_year_col + horizon + 1 + i for i, (key, _, _) in enumerate(_EXTRA)}
    sheet.set_column(first_year_col, first_year_col + horizon - 1, 14)
    sheet.set_column(first_year_col + horizon + 1, first_year_col + horizon + len(_EXTRA), 22)
    conventions = value_map.conventions

    def at(row: int, column: int, absolute: bool = False) -> str:
        return str(xl_rowcol_to_cell(row - 1, column, row_abs=absolute, col_abs=absolute))

    rate_cell = at(_SETTING_ROWS["discount_rate"], 1, True)
    conv = {key: at(row, 4, True) for key, row in _CONVENTION_ROWS.items()}
    drop_words = {v[language]: k for k, v in _DROP_OFF.items()}
    first_word = next(w for w, k in drop_words.items() if k == "first_year")

    # Header block: title, name, currency, rate, bank; the calculation choices beside them.
    sheet.write_string(0, 0, words["title"], bold)
    sheet.write_string(0, 3, words["layout"])
    sheet.write_string(0, 4, LAYOUT_NAME)
    settings: dict[str, tuple[Any, Any]] = {
        "name": (value_map.name, None),
        "currency": (value_map.currency, None),
        "discount_rate": (value_map.discount_rate, percent),
        "proxy_bank": (value_map.proxy_bank or "", None),
    }
    choices: dict[str, Any] = {
        "discounting": conventions.discounting,
        "discount_first_year": conventions.discount_first_year,
        "drop_off_from": _DROP_OFF[conventions.drop_off_from][language],
        "inputs_discounted": conventions.inputs_discounted,
        "horizon_years": horizon,
    }
    for key, row in _SETTING_ROWS.items():
        sheet.write_string(row - 1, 0, words[key], bold)
        value, fmt = settings[key]
        if isinstance(value, str):
            sheet.write_string(row - 1, 1, neutralise(value))
        else:
            sheet.write_number(row - 1, 1, value, fmt)
        conv_key = next((k for k, r in _CONVENTION_ROWS.items() if r == row), None)
        if conv_key is not None:
            _write_choice(sheet, row, conv_key, choices[conv_key], words[conv_key], bold)
    for key, row in _CONVENTION_ROWS.items():
        if row not in _SETTING_ROWS.values():
            _write_choice(sheet, row, key, choices[key], words[key], bold)

    # Stage, headings, questions.
    stage_of = {c[1] for c in _COLUMNS}
    for stage in sorted(stage_of):
        first = min(i for i, c in enumerate(_COLUMNS) if c[1] == stage)
        sheet.write_string(_STAGE_ROW - 1, first, _STAGES[language][stage], bold)
    sheet.write_string(_STAGE_ROW - 1, first_year_col, _STAGES[language][5], bold)
    sheet.write_string(_STAGE_ROW - 1, extra_col[_EXTRA[0][0]], words["extra"], bold)
    heading = 2 if language == "en" else 4
    for index, spec in enumerate(_COLUMNS):
        sheet.write_string(_HEADER_ROW - 1, index, str(spec[heading]), bold)
        sheet.write_string(_QUESTION_ROW - 1, index, str(spec[heading + 1]), wrap)
    for year in range(1, horizon + 1):
        sheet.write_string(_HEADER_ROW - 1, first_year_col + year - 1, f"{words['year']} {year}", bold)
    for key, en, it in _EXTRA:
        sheet.write_string(_HEADER_ROW - 1, extra_col[key], en if language == "en" else it, bold)

    rows = _rows(value_map)
    last_row = _FIRST_ROW + len(rows) - 1
    outcome_rows: list[int] = []
    for offset, line in enumerate(rows):
        row = _FIRST_ROW + offset
        r = row - 1
        sheet.write_string(r, col["stakeholder"], neutralise(line.stakeholder))
        if line.changes:
            sheet.write_string(r, col["changes"], neutralise(line.changes))
        if line.input is not None:
            item = line.input
            sheet.write_string(r, col["input"], neutralise(item.description))
            sheet.write_number(r, col["input_value"], item.value, money)
            if item.source:
                sheet.write_string(r, extra_col["input_source"], neutralise(item.source))
            if item.amount is None:
                sheet.write_number(r, extra_col["input_hours"], item.hours or 0.0)
                sheet.write_number(r, extra_col["input_rate"], item.rate or 0.0)
            sheet.write_number(r, extra_col["input_year"], item.year)
        outcome = line.outcome
        if outcome is None or line.outcome_index is None:
            continue
        outcome_rows.append(row)
        assert not isinstance(outcome.quantity, KpiLink)  # compute() refused unresolved links
        figures = result.outcomes[line.outcome_index]
        sheet.write_string(r, col["outcome"], neutralise(outcome.name))
        sheet.write_string(r, col["indicator"], neutralise(outcome.indicator))
        sheet.write_string(r, col["quantity_source"], neutralise(outcome.evidence.get("quantity", "")))
        sheet.write_number(r, col["quantity"], outcome.quantity)
        sheet.write_number(r, col["duration"], outcome.duration)
        sheet.write_number(r, col["start"], outcome.start_year)
        sheet.write_string(r, col["proxy"], neutralise(outcome.proxy.description))
        sheet.write_number(r, col["proxy_value"], outcome.sign * outcome.proxy.value, money)
        sheet.write_string(r, col["proxy_source"], neutralise(outcome.proxy.source))
        for key in ("deadweight", "displacement", "attribution", "drop_off"):
            sheet.write_number(r, col[key], getattr(outcome, key), percent)
        c = {key: at(row, index) for key, index in col.items()}
        sheet.write_formula(
            r,
            col["impact"],
            f"={c['quantity']}*{c['proxy_value']}*(1-{c['deadweight']})*(1-{c['displacement']})"
            f"*(1-{c['attribution']})",
            money,
            figures.impact,
        )
        impact = at(row, col["impact"], False).replace("$", "")
        for year in range(1, horizon + 1):
            # Value in analysis year k: the impact while the outcome lasts, less the drop-off of
            # each year after its first (or from its first, as the conventions say).
            sheet.write_formula(
                r,
                first_year_col + year - 1,
                f"=IF(AND({year}>={c['start']},{year}<={c['start']}+{c['duration']}-1),"
                f"{impact}*(1-{c['drop_off']})^({year}-{c['start']}"
                f'+IF({conv["drop_off_from"]}="{first_word}",1,0)),0)',
                money,
                figures.values[year - 1],
            )
        if outcome.description:
            sheet.write_string(r, extra_col["outcome_notes"], neutralise(outcome.description))
        for estimate in ("deadweight", "displacement", "attribution", "drop_off", "duration", "proxy"):
            note = outcome.evidence.get(estimate)
            if note:
                sheet.write_string(r, extra_col[f"{estimate}_evidence"], neutralise(note))
        if outcome.proxy.year is not None:
            sheet.write_number(r, extra_col["proxy_year"], outcome.proxy.year)
        if outcome.proxy.currency:
            sheet.write_string(r, extra_col["proxy_currency"], neutralise(outcome.proxy.currency))
        if outcome.proxy.bank:
            sheet.write_string(r, extra_col["proxy_bank"], neutralise(outcome.proxy.bank))

    # Totals and stage 5 under the table.
    total_row = last_row + 2
    inputs_range = f"{at(_FIRST_ROW, col['input_value'], True)}:{at(last_row, col['input_value'], True)}"
    years_range = (
        f"{at(_FIRST_ROW, extra_col['input_year'], True)}:{at(last_row, extra_col['input_year'], True)}"
    )
    sheet.write_string(total_row - 1, col["input"], words["total"], bold)
    sheet.write_formula(
        total_row - 1,
        col["input_value"],
        f"=SUM({inputs_range})",
        money,
        sum(i.value for i in value_map.inputs),
    )
    pv_row, total_pv_row = total_row + 1, total_row + 2
    counted_row, npv_row, return_row, net_return_row = (
        total_row + 3,
        total_row + 4,
        total_row + 5,
        total_row + 6,
    )
    label_col = first_year_col - 1
    sheet.write_string(pv_row - 1, label_col, words["present_value_year"], bold)
    for year in range(1, horizon + 1):
        column = first_year_col + year - 1
        letters = xl_col_to_name(column)
        values = f"{letters}{_FIRST_ROW}:{letters}{last_row}"
        sheet.write_formula(
            pv_row - 1,
            column,
            f"=SUM({values})*IF({conv['discounting']},1/(1+{rate_cell})^({year}-IF({conv['discount_first_year']},0,1)),1)",
            money,
            result.discounted_by_year[year - 1],
        )
    pv_cells = f"{at(pv_row, first_year_col, True)}:{at(pv_row, first_year_col + horizon - 1, True)}"
    total_pv = at(total_pv_row, first_year_col, True)
    counted = at(counted_row, first_year_col, True)
    summary: list[tuple[int, str, str, float, Any]] = [
        (total_pv_row, "total_present_value", f"=SUM({pv_cells})", result.total_present_value, money),
        (
            counted_row,
            "inputs_counted",
            f"=IF(AND({conv['inputs_discounted']},{conv['discounting']}),"
            f"SUMPRODUCT({inputs_range}/(1+{rate_cell})^({years_range}-IF({conv['discount_first_year']},0,1))),"
            f"SUM({inputs_range}))",
            result.inputs_total,
            money,
        ),
        (npv_row, "net_present_value", f"={total_pv}-{counted}", result.net_present_value, money),
        (return_row, "social_return", f"={total_pv}/{counted}", result.sroi_ratio, ratio),
        (
            net_return_row,
            "net_social_return",
            f"=({total_pv}-{counted})/{counted}",
            result.net_sroi_ratio,
            ratio,
        ),
    ]
    for row, key, formula, cached, fmt in summary:
        sheet.write_string(row - 1, label_col, words[key], bold)
        sheet.write_formula(row - 1, first_year_col, formula, fmt, cached)


def _write_choice(sheet: Any, row: int, key: str, value: Any, label: str, bold: Any) -> None:
    sheet.write_string(row - 1, 3, label, bold)
    if isinstance(value, bool):
        sheet.write_boolean(row - 1, 4, value)
    elif isinstance(value, str):
        sheet.write_string(row - 1, 4, value)
    else:
        sheet.write_number(row - 1, 4, value)


def export_svi_value_map(value_map: ValueMap, path: str | Path, *, language: str = "en") -> Path:
    """Write the value map to a new ``.xlsx`` file in the SVI layout, with live formulas."""
    path = Path(path)
    workbook = xlsxwriter.Workbook(str(path))
    try:
        write_svi_value_map(workbook, value_map, language=language)
    finally:
        workbook.close()
    return path


# --- reading ---------------------------------------------------------------------------------


def _norm(text: Any) -> str:
    """A heading as compared: lower case, first line, no '%', words only."""
    if not isinstance(text, str):
        return ""
    first = text.strip().split("\n", 1)[0].lower().replace("%", " ")
    return re.sub(r"[^a-zàèéìòù0-9]+", " ", first).strip()


# Heading words → column key; ``value`` and ``source`` are placed by the heading before them.
_HEADINGS: list[tuple[str, Callable[[str], bool]]] = [
    ("stakeholder", lambda h: h.startswith("stakeholder")),
    ("changes", lambda h: "unintended" in h or "inattes" in h or h.startswith("intended")),
    ("input", lambda h: h in ("inputs", "input")),
    ("outputs", lambda h: h in ("outputs", "output")),
    (
        "outcome",
        lambda h: (
            h.startswith("the outcomes")
            or h.startswith("gli outcome")
            or h in ("outcome", "outcomes", "description", "descrizione")
        ),
    ),
    ("indicator", lambda h: h.startswith("indicator") or h.startswith("indicatore")),
    ("quantity", lambda h: h.startswith("quantity") or h.startswith("quantità") or h.startswith("quantita")),
    ("duration", lambda h: h.startswith("duration") or h.startswith("durata")),
    (
        "start",
        lambda h: h.startswith("outcomes start") or h.startswith("outcome start") or h.startswith("inizio"),
    ),
    ("proxy", lambda h: h.startswith("financial proxy") or h.startswith("proxy finanziaria")),
    ("deadweight", lambda h: h.startswith("deadweight")),
    ("displacement", lambda h: h.startswith("displacement")),
    ("attribution", lambda h: h.startswith("attribution") or h.startswith("attribuzione")),
    ("drop_off", lambda h: h.startswith("drop off") or h.startswith("drop-off") or h.startswith("dropoff")),
    ("impact", lambda h: h.startswith("impact") or h.startswith("impatto")),
]
_REQUIRED = ("stakeholder", "outcome", "quantity", "proxy_value", "deadweight")


@dataclass
class _Layout:
    sheet: str
    header_row: int
    columns: dict[str, int] = field(default_factory=dict)


def _map_headings(book: WorkbookValues, sheet: str, row: int) -> dict[str, int]:
    columns: dict[str, int] = {}
    previous = ""
    extras = {_norm(en): key for key, en, _ in _EXTRA} | {_norm(it): key for key, _, it in _EXTRA}
    for index in range(min(book.max_column(sheet), 200)):
        heading = _norm(book.value(sheet, row, index))
        if not heading:
            continue
        key = extras.get(heading) or next((k for k, test in _HEADINGS if test(heading)), None)
        if key is None and (heading.startswith("value") or heading.startswith("valore")):
            key = {"input": "input_value", "proxy": "proxy_value"}.get(previous)
        if key is None and (heading.startswith("source") or heading.startswith("fonte")):
            key = {
                "indicator": "quantity_source",
                "quantity": "quantity_source",
                "proxy_value": "proxy_source",
            }.get(previous)
        if key is not None and key not in columns:
            columns[key] = index
            previous = key
    return columns


def find_svi_sheet(book: WorkbookValues) -> _Layout | None:
    """The sheet and heading row of an SVI value map in a workbook, or None."""
    for sheet in book.sheetnames:
        for row in range(1, min(book.max_row(sheet), 40) + 1):
            headings = {_norm(book.value(sheet, row, c)) for c in range(min(book.max_column(sheet), 60))}
            if not any(h.startswith("stakeholder") for h in headings):
                continue
            if not any(h.startswith("deadweight") for h in headings):
                continue
            columns = _map_headings(book, sheet, row)
            if all(key in columns for key in _REQUIRED):
                return _Layout(sheet, row, columns)
    return None


def _label_value(
    book: WorkbookValues, sheet: str, header_row: int, tests: tuple[str, ...], anywhere: bool = False
) -> tuple[Any, str] | None:
    """The value right of a label cell (``Discount rate`` → 3.5 %), with its cell.

    Labels are looked for above the table first (where impactkit writes them), then anywhere
    else on the sheet but the headings (the template keeps its discount rate by stage 5).
    """
    rows = list(range(1, header_row))
    if anywhere:
        rows += range(header_row + 2, min(book.max_row(sheet), 500) + 1)
    for row in rows:
        for col in range(min(book.max_column(sheet), 60)):
            if book.is_formula(sheet, row, col):
                continue
            text = _norm(book.value(sheet, row, col))
            if text and any(text.startswith(t) for t in tests):
                return book.value(sheet, row, col + 1), where(sheet, row, col + 1)
    return None


def import_svi_value_map(path: str | Path) -> ValueMap:
    """Read a value map from a workbook in the SVI value map layout (ours, or the SVI template filled in).

    Raises:
        ValueMapError: no SVI value map sheet, or impossible inputs — each problem names its cell.
    """
    path = Path(path)
    book = WorkbookValues(path)
    return read_svi_value_map(book, path)


def read_svi_value_map(book: WorkbookValues, path: Path) -> ValueMap:
    layout = find_svi_sheet(book)
    if layout is None:
        raise ValueMapError(
            f"{path.name} has no SVI value map",
            [
                Problem(
                    "expected a row of headings with Stakeholders, The outcomes (what changes), "
                    "Quantity, Financial proxy and its Value, and Deadweight %",
                    path.name,
                )
            ],
        )
    sheet, col = layout.sheet, layout.columns
    header_row = layout.header_row
    locations: dict[str, str] = {}

    def setting(tests: tuple[str, ...], key: str, anywhere: bool = False) -> Any:
        found = _label_value(book, sheet, header_row, tests, anywhere)
        if found is None:
            return None
        value, cell = found
        locations[key] = cell
        return value

    name = setting(("organisation", "organizzazione", "name", "nome"), "name")
    currency = setting(("currency", "valuta"), "currency")
    rate = setting(("discount rate", "tasso di sconto"), "discount_rate", anywhere=True)
    bank = setting(("proxy bank", "banca dei proxy"), "proxy_bank")
    discounting = setting(("discounting", "attualizzazione"), "conventions.discounting")
    first_year = setting(
        ("discount the first year", "attualizza il primo anno"), "conventions.discount_first_year"
    )
    drop_from = setting(("drop off from", "decremento dal"), "conventions.drop_off_from")
    inputs_discounted = setting(("inputs discounted", "input attualizzati"), "conventions.inputs_discounted")
    horizon = setting(("horizon", "orizzonte"), "horizon_years")

    def cell(row: int, key: str) -> Any:
        return book.value(sheet, row, col[key]) if key in col else None

    def text(row: int, key: str) -> str:
        value = cell(row, key)
        if value is None:
            return ""
        return restore(value).strip(" ") if isinstance(value, str) else str(value)

    stakeholders: dict[str, str] = {}
    inputs: list[dict[str, Any]] = []
    outcomes: list[dict[str, Any]] = []
    current = ""
    row = header_row + 1
    blank_run = 0
    last = book.max_row(sheet)
    if _looks_like_questions(book, sheet, row, col):
        row += 1
    while row <= last and blank_run < 3:
        who = text(row, "stakeholder")
        label = text(row, "input")
        if _norm(label) in ("total", "totale") or _norm(who) in ("total", "totale"):
            break
        if who:
            current = who
        described = text(row, "outcome")
        has_input = bool(label) or cell(row, "input_value") not in (None, "")
        if not (who or described or has_input or text(row, "indicator")):
            blank_run += 1
            row += 1
            continue
        blank_run = 0
        if current and current not in stakeholders:
            stakeholders[current] = ""
        changes = text(row, "changes")
        if current and changes and not stakeholders[current]:
            stakeholders[current] = changes
        if has_input:
            index = len(inputs)
            hours, rate_per_hour = cell(row, "input_hours"), cell(row, "input_rate")
            item: dict[str, Any] = {
                "description": label or f"Input {index + 1}",
                "stakeholder": current or None,
                "source": text(row, "input_source"),
            }
            value = cell(row, "input_value")
            if (
                _number(hours)
                and _number(rate_per_hour)
                and _number(value)
                and abs(hours * rate_per_hour - value) < 1e-6 * max(1.0, abs(value))
            ):
                item.update(hours=hours, rate=rate_per_hour)
            else:
                item["amount"] = value
            if cell(row, "input_year") not in (None, ""):
                item["year"] = cell(row, "input_year")
            for key, target in (("input_value", "amount"), ("input", "description"), ("input_year", "year")):
                if key in col:
                    locations[f"inputs[{index}].{target}"] = where(sheet, row, col[key])
            inputs.append(item)
        if described or cell(row, "quantity") not in (None, ""):
            index = len(outcomes)
            proxy_value = cell(row, "proxy_value")
            negative = _number(proxy_value) and proxy_value < 0
            evidence = {"quantity": text(row, "quantity_source")}
            for estimate in ("deadweight", "displacement", "attribution", "drop_off", "duration", "proxy"):
                evidence[estimate] = text(row, f"{estimate}_evidence")
            outcome: dict[str, Any] = {
                "name": described or f"Outcome {index + 1}",
                "stakeholder": current,
                "indicator": text(row, "indicator"),
                "description": text(row, "outcome_notes"),
                "quantity": cell(row, "quantity"),
                "proxy": {
                    "value": abs(proxy_value) if negative else proxy_value,
                    "description": text(row, "proxy"),
                    "source": text(row, "proxy_source"),
                    "year": cell(row, "proxy_year"),
                    "currency": text(row, "proxy_currency") or None,
                    "bank": text(row, "proxy_bank") or None,
                },
                "deadweight": _zero(cell(row, "deadweight")),
                "displacement": _zero(cell(row, "displacement")),
                "attribution": _zero(cell(row, "attribution")),
                "drop_off": _zero(cell(row, "drop_off")),
                "duration": _whole_or_one(cell(row, "duration")),
                "start_year": _whole_or_one(cell(row, "start")),
                "negative": bool(negative),
                "evidence": {k: v for k, v in evidence.items() if v},
            }
            fields = {
                "quantity": "quantity", "proxy_value": "proxy.value", "proxy_source": "proxy.source",
                "deadweight": "deadweight", "displacement": "displacement", "attribution": "attribution",
                "drop_off": "drop_off", "duration": "duration", "start": "start_year", "outcome": "name",
                "stakeholder": "stakeholder", "proxy_year": "proxy.year", "proxy_currency": "proxy.currency",
            }  # fmt: skip
            for key, target in fields.items():
                if key in col:
                    locations[f"outcomes[{index}].{target}"] = where(sheet, row, col[key])
            outcomes.append(outcome)
        row += 1
    if book.problems:
        raise ValueMapError(f"{path.name} has cells that cannot be read", book.problems)
    drop_words = {_norm(v[lang]): k for k, v in _DROP_OFF.items() for lang in ("en", "it")}
    data: dict[str, Any] = {
        "name": "" if name is None else str(name),
        "currency": str(currency or "EUR"),
        "discount_rate": 0.035 if rate in (None, "") else rate,
        "proxy_bank": str(bank) if bank not in (None, "") else None,
        "stakeholders": [{"name": who, "description": what} for who, what in stakeholders.items()],
        "inputs": inputs,
        "outcomes": outcomes,
        "conventions": {
            "discounting": True if discounting is None else _flag(discounting),
            "discount_first_year": True if first_year is None else _flag(first_year),
            "drop_off_from": drop_words.get(_norm(drop_from), drop_from) if drop_from else "second_year",
            "inputs_discounted": False if inputs_discounted is None else _flag(inputs_discounted),
        },
    }
    if _number(horizon):
        ends = [
            o["start_year"] + o["duration"] - 1
            for o in outcomes
            if _number(o["start_year"]) and _number(o["duration"])
        ]
        if not ends or len(ends) != len(outcomes) or horizon != max(ends):
            data["horizon_years"] = horizon
    try:
        return parse_value_map(data, source=path.name)
    except ValueMapError as error:
        raise ValueMapError(error.message, [_locate(p, locations) for p in error.problems]) from None


def _looks_like_questions(book: WorkbookValues, sheet: str, row: int, col: dict[str, int]) -> bool:
    """The template's row of questions under the headings ("How would you measure it?")."""
    quantity = book.value(sheet, row, col["quantity"])
    return isinstance(quantity, str) and quantity.strip().endswith("?")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _zero(value: Any) -> Any:
    return 0.0 if value in (None, "") else value


def _whole_or_one(value: Any) -> Any:
    if value in (None, ""):
        return 1
    if _number(value) and float(value).is_integer():
        return int(value)
    return value


def _flag(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    word = str(value).strip().lower()
    if word in ("true", "vero", "yes", "sì", "si", "1"):
        return True
    if word in ("false", "falso", "no", "0"):
        return False
    return value


def _locate(problem: Problem, locations: dict[str, str]) -> Problem:
    field_path, _, label = problem.location.partition(" (")
    found = locations.get(field_path)
    if found is None:
        return problem
    suffix = f" ({label}" if label else ""
    return Problem(problem.message, f"{found} {field_path}{suffix}", problem.code, problem.details)


__all__ = ["export_svi_value_map", "import_svi_value_map", "write_svi_value_map"]
