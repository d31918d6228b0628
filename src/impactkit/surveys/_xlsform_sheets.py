"""Reading an XLSForm workbook into sheets of located cells, and naming its columns.

Private to the XLSForm import: rows keep their Excel row numbers and columns their letters,
so every problem can name its cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from impactkit.errors import Problem
from impactkit.surveys._xlsx_reader import read_xlsx
from impactkit.surveys.model import DEFAULT_LANGUAGE
from impactkit.surveys.problem_texts import form_problem
from impactkit.text import shown, text_problem

MAX_EMPTY_ROWS = 60
"""A run of this many empty rows ends a sheet (sheets often declare a million rows)."""
MAX_EMPTY_COLUMNS = 20
MAX_ROWS = 20_000
"""Most rows a sheet may hold."""
MAX_COLUMNS = 500
MAX_FILE_BYTES = 20 * 1024 * 1024

_COLUMN_LETTERS: list[str] = []


def column_letter(index: int) -> str:
    """Excel column letters for a 0-based column index (0 -> A, 27 -> AB)."""
    while len(_COLUMN_LETTERS) <= index:
        number = len(_COLUMN_LETTERS) + 1
        letters = ""
        while number:
            number, remainder = divmod(number - 1, 26)
            letters = chr(65 + remainder) + letters
        _COLUMN_LETTERS.append(letters)
    return _COLUMN_LETTERS[index]


# --- reading the workbook ------------------------------------------------------------------


@dataclass
class Sheet:
    name: str
    headers: list[tuple[int, str]]
    """(0-based column, header text) of each non-empty header cell."""
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    """(1-based row number, cell values by column) for each data row with something in it."""
    header_row: int = 1
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row number, column index) -> formula, for .xlsx cells that hold one."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def collect_rows(sheet: Sheet, rows: Iterable[tuple[int, list[Any]]], problems: list[Problem]) -> None:
    empty_run = 0
    for row_number, values in rows:
        if all(is_blank(v) for v in values):
            empty_run += 1
            if empty_run >= MAX_EMPTY_ROWS:
                break
            continue
        empty_run = 0
        if len(sheet.rows) >= MAX_ROWS:
            too_many_rows(sheet.name, row_number, problems)
            break
        sheet.rows.append((row_number, values))


def too_many_rows(sheet: str, row_number: int, problems: list[Problem]) -> None:
    problems.append(
        form_problem(
            "xlsform_problem_sheet_too_large",
            f"{sheet}!A{row_number}",
            code="sheet_too_large",
            max_rows=MAX_ROWS,
        )
    )


def header_cells(values: Iterable[Any]) -> list[tuple[int, str]]:
    headers: list[tuple[int, str]] = []
    empty_run = 0
    for index, value in enumerate(values):
        if index >= MAX_COLUMNS:
            break
        if is_blank(value):
            empty_run += 1
            if empty_run >= MAX_EMPTY_COLUMNS:
                break
            continue
        empty_run = 0
        headers.append((index, str(value)))
    return headers


def read_xlsx_sheets(data: bytes, problems: list[Problem]) -> dict[str, Sheet]:
    sheets: dict[str, Sheet] = {}
    for content in read_xlsx(data, MAX_EMPTY_ROWS, MAX_ROWS + 1):
        if not content.rows:
            sheets[content.name] = Sheet(content.name, [])
            continue
        header_number, first_row = content.rows[0]
        width = max(first_row) + 1 if first_row else 0
        headers = header_cells(first_row.get(index) for index in range(width))
        sheet = Sheet(content.name, headers, header_row=header_number)
        sheet.formulas = content.formulas
        sheets[content.name] = sheet
        if not headers:
            continue
        width = headers[-1][0] + 1
        for number, cells in content.rows[1:]:
            if len(sheet.rows) >= MAX_ROWS:
                too_many_rows(sheet.name, number, problems)
                break
            sheet.rows.append((number, [cells.get(index) for index in range(width)]))
    return sheets


def read_xls_sheets(data: bytes, problems: list[Problem]) -> dict[str, Sheet]:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    sheets: dict[str, Sheet] = {}
    try:
        for index in range(book.nsheets):
            worksheet = book.sheet_by_index(index)
            if worksheet.nrows == 0:
                sheets[worksheet.name] = Sheet(worksheet.name, [])
                continue

            def cell_value(row: int, column: int, worksheet: Any = worksheet) -> Any:
                cell = worksheet.cell(row, column)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    moment = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
                    return moment.date() if moment.time() == time(0) else moment
                if cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    return bool(cell.value)
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                    return None
                return cell.value

            headers = header_cells(cell_value(0, c) for c in range(worksheet.ncols))
            sheet = Sheet(worksheet.name, headers)
            sheets[worksheet.name] = sheet
            if not headers:
                continue
            width = min(headers[-1][0] + 1, worksheet.ncols)
            rows = (
                (number + 1, [cell_value(number, c) for c in range(width)])
                for number in range(1, worksheet.nrows)
            )
            collect_rows(sheet, rows, problems)
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return sheets


def unstorable_cells(sheets: dict[str, Sheet], limit: int = 20) -> list[Problem]:
    """A problem for each sheet name, header or cell holding text no database can store (a NUL
    character or a lone surrogate, which an .xls file can carry), named by its cell."""
    problems: list[Problem] = []
    for sheet in sheets.values():
        found = text_problem(sheet.name)
        if found is not None:
            problems.append(
                form_problem(
                    "xlsform_problem_unstorable_sheet_name",
                    f"{shown(sheet.name)}!A1",
                    code="unstorable_text",
                    reason=found,
                )
            )
        cells = [
            (sheet.header_row, [text for _, text in sheet.headers], [index for index, _ in sheet.headers])
        ]
        cells += [(number, values, list(range(len(values)))) for number, values in sheet.rows]
        for number, values, columns in cells:
            for value, column in zip(values, columns, strict=True):
                if type(value) is str and ("\x00" in value or not value.isascii()):
                    found = text_problem(value)
                    if found is not None:
                        where = f"{shown(sheet.name)}!{column_letter(column)}{number}"
                        problems.append(
                            form_problem(
                                "xlsform_problem_unstorable_cell", where, code="unstorable_text", reason=found
                            )
                        )
                        if len(problems) >= limit:
                            return problems
    return problems


def formulas_without_value(sheets: dict[str, Sheet], limit: int = 20) -> list[Problem]:
    """A problem for each cell outside the settings sheet that holds a formula nobody computed
    (no cached value): impactkit reads cells as the text they show and never runs a formula."""
    problems: list[Problem] = []
    for sheet in sheets.values():
        if not sheet.formulas or snake(sheet.name) == "settings":
            continue
        values_by_row = dict(sheet.rows)
        header_values = dict(sheet.headers)  # the header row is not among the rows
        for (number, column), formula in sorted(sheet.formulas.items()):
            values = values_by_row.get(number)
            if number == sheet.header_row:
                value: Any = header_values.get(column)
            else:
                value = values[column] if values is not None and column < len(values) else None
            if not is_blank(value):
                continue
            shown_formula = formula if len(formula) <= 60 else formula[:57] + "..."
            problems.append(
                form_problem(
                    "xlsform_problem_formula_without_value",
                    f"{shown(sheet.name)}!{column_letter(column)}{number}",
                    code="formula_without_value",
                    formula=shown_formula,
                )
            )
            if len(problems) >= limit:
                return problems
    return problems


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates in ISO form, stripped."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


# --- headers -------------------------------------------------------------------------------

TRANSLATABLE = frozenset(
    {
        "label",
        "hint",
        "guidance_hint",
        "constraint_message",
        "required_message",
        "image",
        "big-image",
        "audio",
        "video",
    }
)

KNOWN_COLUMNS = TRANSLATABLE | {
    "type",
    "name",
    "list_name",
    "required",
    "relevant",
    "constraint",
    "calculation",
    "default",
    "choice_filter",
    "read_only",
    "appearance",
    "repeat_count",
    "parameters",
    "trigger",
}

SURVEY_ALIASES = {
    "relevance": "relevant",
    "calculate": "calculation",
    "constraining_message": "constraint_message",
    "jr:constraintmsg": "constraint_message",
    "constraintmsg": "constraint_message",
    "readonly": "read_only",
    "count": "repeat_count",
    "jr:count": "repeat_count",
    "caption": "label",
    "command": "type",
    "tag": "name",
    "value": "name",
    "requiredmsg": "required_message",
    "jr:requiredmsg": "required_message",
    "big_image": "big-image",
}
CHOICES_ALIASES = {"caption": "label", "value": "name", "big_image": "big-image"}
SETTINGS_ALIASES = {
    "title": "form_title",
    "set_form_title": "form_title",
    "id_string": "form_id",
    "set_form_id": "form_id",
}


def snake(text: str) -> str:
    return "_".join(text.split()).lower()


def split_header(raw: str, aliases: dict[str, str]) -> tuple[str, str | None]:
    """Header text -> (canonical column, language or None)."""
    text = raw.strip()
    if "::" in text:
        parts = [part.strip() for part in text.split("::")]
    else:
        parts = [part.strip() for part in text.split(":")]
        if "jr" in parts:
            at = parts.index("jr")
            if at + 1 < len(parts):
                parts = [*parts[:at], f"jr:{parts[at + 1]}", *parts[at + 2 :]]
    while len(parts) > 1 and parts[0].lower() in ("bind", "control", "media"):
        parts = parts[1:]
    normalised = snake(parts[0])
    if normalised in aliases:
        base = aliases[normalised]
    elif normalised in KNOWN_COLUMNS:
        base = normalised
    else:
        # Unknown columns keep their spelling: choice_filter expressions name them.
        base = parts[0]
    if len(parts) == 1:
        return base, None
    if base in TRANSLATABLE:
        return base, " ".join("::".join(parts[1:]).split())
    return text, None


@dataclass(frozen=True)
class Column:
    index: int
    raw: str
    name: str
    language: str | None


def columns_of(sheet: Sheet, aliases: dict[str, str], problems: list[Problem]) -> list[Column]:
    columns: list[Column] = []
    seen: dict[tuple[str, str | None], Column] = {}
    for index, raw in sheet.headers:
        name, language = split_header(raw, aliases)
        column = Column(index, raw, name, language)
        key = (name, language)
        earlier = seen.get(key)
        if earlier is not None:
            location = f"{sheet.name}!{column_letter(index)}1"
            if earlier.raw.strip() == raw.strip():
                problem = form_problem(
                    "xlsform_problem_duplicate_header",
                    location,
                    code="duplicate_column",
                    header=raw.strip(),
                    other_column=column_letter(earlier.index),
                )
            else:
                problem = form_problem(
                    "xlsform_problem_header_alias",
                    location,
                    code="duplicate_column",
                    first=earlier.raw.strip(),
                    header=raw.strip(),
                    other_column=column_letter(earlier.index),
                )
            problems.append(problem)
            continue
        seen[key] = column
        columns.append(column)
    return columns


@dataclass
class Row:
    """One data row, readable by canonical column name, that knows where each cell is."""

    sheet: str
    number: int
    cells: dict[tuple[str, str | None], tuple[str, str]]
    """(column, language) -> (text, column letter)."""

    def get(self, name: str) -> str:
        cell = self.cells.get((name, None))
        return cell[0] if cell else ""

    def letter(self, name: str, language: str | None = None) -> str:
        cell = self.cells.get((name, language))
        return cell[1] if cell else "A"

    def where(self, name: str, language: str | None = None) -> str:
        return f"{self.sheet}!{self.letter(name, language)}{self.number} {name}"

    def translations(self, name: str) -> dict[str, str]:
        texts: dict[str, str] = {}
        for (column, language), (text, _) in self.cells.items():
            if column == name and text:
                texts[language or DEFAULT_LANGUAGE] = text
        return texts

    def is_empty(self) -> bool:
        return not any(text for text, _ in self.cells.values())


def rows_of(sheet: Sheet, columns: list[Column]) -> list[Row]:
    rows: list[Row] = []
    for number, values in sheet.rows:
        cells: dict[tuple[str, str | None], tuple[str, str]] = {}
        for column in columns:
            value = values[column.index] if column.index < len(values) else None
            text = cell_text(value)
            letter = column_letter(column.index)
            cells[(column.name, column.language)] = (text, letter)
        rows.append(Row(sheet.name, number, cells))
    return rows


def find_sheet(sheets: dict[str, Sheet], name: str) -> Sheet | None:
    for title, sheet in sheets.items():
        if title.strip().lower() == name:
            return sheet
    return None
