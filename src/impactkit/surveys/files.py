"""Reading the CSV and XLSX files people actually have: separators, encodings, decimal commas, bounds.

:func:`read_table` takes bytes or a path and gives back a table (a pandas DataFrame, one row per
line under the header) and the :class:`Dialect` it found. It is what ``impactkit kpis compute``
and every import (impactkit's own export, KoBoToolbox, ODK Central …) read files with.

What it handles:

* **CSV** from Excel (Italian Excel writes ``;``), LibreOffice, KoBoToolbox, ODK Central, pandas:
  the separator (comma, semicolon, tab, pipe) is the one that splits the first lines into the same
  number of columns; quotes follow RFC 4180.
* **Encodings**: UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's "Unicode
  text"), otherwise Windows-1252 (Italian Excel's "CSV") or Latin-1. The choice is in the dialect.
* **Numbers**: a column whose every value is a number becomes numeric. Italian decimal commas
  (``3,5``, ``1.234,5``) are read where the separator is not a comma; codes with leading zeros
  (``007``) stay text. Other columns stay text, exactly as written.
* **XLSX** through openpyxl in read-only mode (cached values of formulas), after checking the zip:
  declared sizes are bounded, so a zip bomb is refused before anything is inflated, and one that
  lies about its size stops at its declared size with a CRC error.
* **Bounds** (:class:`Limits`): bytes, rows, columns, characters in a cell.

Errors are :class:`impactkit.errors.FileError`, each problem naming the line and column (CSV) or
the sheet and cell (XLSX) and what was expected. A file with a header and no rows, or with nothing
at all, is an error too: never an empty table without a reason.

Example:
    >>> table = read_table("codice;età;punteggio\\nA-1;34;3,5\\nA-2;41;4\\n".encode("cp1252"))
    >>> table.dialect.separator, table.dialect.encoding, table.dialect.decimal
    (';', 'cp1252', ',')
    >>> table.frame["punteggio"].tolist()
    [3.5, 4.0]
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import pandas as pd

from impactkit.errors import FileError, Problem
from impactkit.keyed_texts import keyed
from impactkit.surveys.table_texts import table_error, table_problem

Source = bytes | bytearray | str | os.PathLike[str] | IO[bytes]

SEPARATORS = (",", ";", "\t", "|")
_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_INTEGER = re.compile(r"^[+-]?\d+$")
_DOT_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_COMMA_DECIMAL = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*(,\d+)?$|^[+-]?\d+(,\d+)?$")


@dataclass(frozen=True)
class Limits:
    """How big a file may be. Raise them for a known large file; they stop accidents and attacks.

    Attributes:
        max_bytes: the file as given.
        max_rows: data rows under the header.
        max_columns: columns.
        max_cell_chars: characters in one cell.
        max_unzipped_bytes: an XLSX's members, inflated, as the zip declares them.
        max_ratio: an XLSX member's inflated size over its compressed size.
    """

    max_bytes: int = 100 * 1024 * 1024
    max_rows: int = 1_000_000
    max_columns: int = 2_000
    max_cell_chars: int = 100_000
    max_unzipped_bytes: int = 512 * 1024 * 1024
    max_ratio: int = 200


@dataclass(frozen=True)
class Dialect:
    """What was found about a file, to report it and to read the next one the same way."""

    kind: Literal["csv", "xlsx"]
    encoding: str | None = None
    """``utf-8``, ``utf-8-sig`` (with BOM), ``utf-16``, ``cp1252`` or ``latin-1``; None for XLSX."""
    separator: str | None = None
    quote: str = '"'
    decimal: Literal[".", ","] = "."
    """The decimal mark of the numeric columns (``,`` for Italian ``3,5``)."""
    sheet: str | None = None
    header_row: int = 1
    """Line (CSV) or row (XLSX) of the header, from 1."""
    numeric_columns: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for people: ``CSV, semicolon-separated, cp1252, decimal comma``."""
        if self.kind == "xlsx":
            return f"XLSX, sheet {self.sheet!r}, header on row {self.header_row}"
        separator = _SEPARATOR_NAMES.get(self.separator or "", repr(self.separator))
        decimal = "decimal comma" if self.decimal == "," else "decimal point"
        return f"CSV, {separator}-separated, {self.encoding}, {decimal}"


@dataclass
class Table:
    """A file read: one row per data line, the dialect, and notes on what was adjusted."""

    frame: pd.DataFrame
    dialect: Dialect
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.frame)


def read_table(
    source: Source,
    *,
    name: str | None = None,
    sheet: str | None = None,
    limits: Limits | None = None,
    numbers: bool = True,
) -> Table:
    """Read a CSV or XLSX file into a table, detecting how it is written.

    Args:
        source: the file's bytes, a path, or a binary stream.
        name: the file's name, for messages (default: the path's name, or "the file").
        sheet: for XLSX, the sheet to read (default: the first sheet that holds something).
        limits: bounds on size, rows, columns and cells (default :class:`Limits`).
        numbers: turn all-number columns into numbers (False keeps every value as text).

    Returns:
        The table and its dialect.

    Raises:
        FileError: the file cannot be read; every problem names where (line, column, sheet)
            and what was expected.
    """
    limits = limits or Limits()
    data, label = _bytes_of(source, name, limits)
    if not data.strip(b"\x00\t\r\n \xef\xbb\xbf\xff\xfe"):
        raise table_error(
            "table_error_empty", [table_problem("table_problem_header_and_rows", label)], file=label
        )
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, label, sheet, limits, numbers)
    if data.startswith(_OLE_MAGIC):
        raise table_error(
            "table_error_xls", [table_problem("table_problem_xls", label, code="file_type")], file=label
        )
    if sheet is not None:
        raise table_error(
            "table_error_text_not_workbook",
            [table_problem("table_problem_sheet_of_text", label, sheet=sheet)],
            file=label,
        )
    return _read_csv(data, label, limits, numbers)


# --- bytes -------------------------------------------------------------------------------------


def _bytes_of(source: Source, name: str | None, limits: Limits) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        label = name or "the file"
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        label = name or path.name
        try:
            size = path.stat().st_size
        except OSError as error:
            raise table_error(
                "table_error_cannot_open",
                [Problem(error.strerror or str(error), str(path), code="file")],
                file=label,
            ) from None
        if size > limits.max_bytes:
            raise _too_big(label, size, limits)
        data = path.read_bytes()
    else:
        label = name or getattr(source, "name", None) or "the file"
        data = source.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise _too_big(label, len(data), limits)
    return data, str(label)


def _too_big(label: str, size: int, limits: Limits) -> FileError:
    return table_error(
        "table_error_too_large",
        [
            table_problem(
                "table_problem_bytes", label, code="too_large", size=size, max_bytes=limits.max_bytes
            )
        ],
        file=label,
    )


# --- CSV ---------------------------------------------------------------------------------------


def _decode(data: bytes, label: str) -> tuple[str, str]:
    """Text and encoding: BOMs first, then strict UTF-8, then Windows-1252, then Latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise table_error(
                "table_error_not_utf16",
                [Problem(f"byte {error.start}: {error.reason}", label, code="encoding")],
                file=label,
            ) from None
    if b"\x00" in data:
        position = data.index(b"\x00")
        line = data[:position].count(b"\n") + 1
        raise table_error(
            "table_error_not_text",
            [table_problem("table_problem_nul", f"{label}: line {line}", code="binary")],
            file=label,
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _rows(text: str, separator: str) -> Any:
    """A csv reader (it counts physical lines in ``line_num``)."""
    return csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"', strict=False)


def _separator(text: str) -> str:
    """The separator that splits the first lines into one and the same number of columns (> 1)."""
    sample = "\n".join(text.splitlines()[:50])
    best: tuple[int, int, int] | None = None
    chosen = ","
    for rank, candidate in enumerate(SEPARATORS):
        try:
            widths = [len(row) for row in _rows(sample, candidate) if any(cell.strip() for cell in row)]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        header = widths[0]
        agreeing = sum(1 for width in widths if width == header)
        score = (agreeing, header, -rank)
        if best is None or score > best:
            best, chosen = score, candidate
    return chosen


def _read_csv(data: bytes, label: str, limits: Limits, numbers: bool) -> Table:
    text, encoding = _decode(data, label)
    separator = _separator(text)
    notes: list[str] = []
    reader = _rows(text, separator)
    header: list[str] | None = None
    header_line = 0
    records: list[list[str]] = []
    problems: list[Problem] = []
    try:
        for row in reader:
            line = reader.line_num
            if header is None:
                if not any(cell.strip() for cell in row):
                    continue
                header = [cell.strip() for cell in row]
                header_line = line
                while header and header[-1] == "":
                    header.pop()  # trailing separators (Excel writes ";;;")
                problems += _header_problems(
                    header, label, lambda i, line=line: f"line {line}, column {i + 1}"
                )
                if len(header) > limits.max_columns:
                    problems.append(
                        table_problem(
                            "table_problem_too_many_columns",
                            f"{label}: line {line}",
                            code="too_many_columns",
                            count=len(header),
                            max_columns=limits.max_columns,
                        )
                    )
                if problems:
                    break
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                extra = row[len(header) :]
                if any(cell.strip() for cell in extra):
                    problems.append(
                        table_problem(
                            "table_problem_row_width",
                            f"{label}: line {line}",
                            code="columns",
                            values=len(row),
                            columns=len(header),
                            separator=keyed(f"table_separator_{_SEPARATOR_NAMES[separator]}"),
                        )
                    )
                    if len(problems) >= 20:
                        break
                    continue
                row = row[: len(header)]
            elif len(row) < len(header):
                row = row + [""] * (len(header) - len(row))
            for index, cell in enumerate(row):
                if len(cell) > limits.max_cell_chars:
                    problems.append(
                        table_problem(
                            "table_problem_too_long",
                            f"{label}: line {line}, column {header[index]!r}",
                            code="too_long",
                            length=len(cell),
                            max_chars=limits.max_cell_chars,
                        )
                    )
            records.append(row)
            if len(records) > limits.max_rows:
                problems.append(
                    table_problem(
                        "table_problem_too_many_rows",
                        f"{label}: line {line}",
                        code="too_many_rows",
                        max_rows=limits.max_rows,
                    )
                )
                break
    except csv.Error as error:
        problems.append(
            table_problem(
                "table_problem_csv", f"{label}: line {reader.line_num}", code="csv", error=str(error)
            )
        )
    if problems:
        raise table_error("table_error_unreadable", problems, file=label)
    if header is None:
        raise table_error(
            "table_error_empty", [table_problem("table_problem_header_and_rows", label)], file=label
        )
    if not records:
        raise table_error(
            "table_error_no_rows",
            [table_problem("table_problem_one_row", f"{label}: line {header_line}", code="no_rows")],
            file=label,
        )
    frame = pd.DataFrame(records, columns=header, dtype=object)
    frame = frame.replace({"": None})
    decimal: Literal[".", ","] = "."
    numeric: tuple[str, ...] = ()
    if numbers:
        frame, numeric, decimal = _numbers(frame, allow_comma=separator != ",")
    if decimal == ",":
        notes.append("decimal commas read as numbers (3,5 = 3.5)")
    dialect = Dialect(
        kind="csv",
        encoding=encoding,
        separator=separator,
        decimal=decimal,
        header_row=header_line,
        numeric_columns=numeric,
    )
    return Table(frame=frame, dialect=dialect, notes=notes)


def _header_problems(header: list[str], label: str, where: Any) -> list[Problem]:
    problems = []
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        if not name:
            problems.append(
                table_problem("table_problem_unnamed_column", f"{label}: {where(index)}", code="header")
            )
        elif name in seen:
            problems.append(
                table_problem(
                    "table_problem_column_twice",
                    f"{label}: {where(index)}",
                    code="header",
                    name=name,
                    other=seen[name] + 1,
                )
            )
        else:
            seen[name] = index
    return problems


def _numbers(
    frame: pd.DataFrame, *, allow_comma: bool
) -> tuple[pd.DataFrame, tuple[str, ...], Literal[".", ","]]:
    """Columns whose every value is a number, as numbers; the decimal mark they used."""
    numeric: list[str] = []
    comma_used = False
    converted: dict[str, pd.Series] = {}
    for name in frame.columns:
        column = frame[name]
        if not (column.dtype == object or pd.api.types.is_string_dtype(column.dtype)):
            continue
        values = column.dropna()
        if values.empty:
            continue
        distinct = [str(v).strip() for v in pd.unique(values)]
        if any(
            len(v) > 1 and v.lstrip("+-").startswith("0") and v.lstrip("+-")[1:2].isdigit() for v in distinct
        ):
            continue  # codes with leading zeros stay text
        if all(_INTEGER.match(v) or _DOT_DECIMAL.match(v) for v in distinct):
            mapping = {v: float(v) for v in distinct}
        elif allow_comma and all(_COMMA_DECIMAL.match(v) for v in distinct):
            mapping = {v: float(v.replace(".", "").replace(",", ".")) for v in distinct}
            comma_used = comma_used or any("," in v for v in distinct)
        else:
            continue
        numbers = pd.Series(
            [mapping[str(v).strip()] if v is not None and v == v else float("nan") for v in column.tolist()],
            index=column.index,
        )
        if all(_INTEGER.match(v) for v in distinct):
            converted[name] = numbers.astype("Int64") if numbers.isna().any() else numbers.astype("int64")
        else:
            converted[name] = numbers.astype("float64")
        numeric.append(name)
    if converted:
        frame = frame.assign(**converted)
    return frame, tuple(numeric), ("," if comma_used else ".")


# --- XLSX --------------------------------------------------------------------------------------


def _check_zip(data: bytes, label: str, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise table_error(
            "table_error_unreadable_xlsx",
            [table_problem("table_problem_damaged_zip", label, code="zip", error=str(error))],
            file=label,
        ) from None
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        kind = "table_problem_ods" if "content.xml" in names else "table_problem_zip_without_workbook"
        raise table_error("table_error_not_xlsx", [table_problem(kind, label, code="file_type")], file=label)
    total = sum(member.file_size for member in members)
    if total > limits.max_unzipped_bytes:
        raise table_error(
            "table_error_too_large_unzipped",
            [
                table_problem(
                    "table_problem_inflated",
                    label,
                    code="too_large",
                    size=total,
                    max_bytes=limits.max_unzipped_bytes,
                )
            ],
            file=label,
        )
    for member in members:
        if member.compress_size and member.file_size / member.compress_size > limits.max_ratio:
            raise table_error(
                "table_error_zip_bomb",
                [
                    table_problem(
                        "table_problem_inflates",
                        label,
                        code="too_large",
                        member=member.filename,
                        ratio=member.file_size // member.compress_size,
                        max_ratio=limits.max_ratio,
                    )
                ],
                file=label,
            )


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _read_xlsx(data: bytes, label: str, sheet: str | None, limits: Limits, numbers: bool) -> Table:
    import openpyxl

    _check_zip(data, label, limits)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for damaged workbooks
        raise table_error(
            "table_error_unreadable_xlsx",
            [Problem(f"{type(error).__name__}: {error}", label, code="xlsx")],
            file=label,
        ) from None
    try:
        return _read_sheet(workbook, label, sheet, limits, numbers)
    except FileError:
        raise
    except Exception as error:  # a damaged member: bad CRC (a bomb lying about its size), bad XML
        raise table_error(
            "table_error_damaged",
            [Problem(f"{type(error).__name__}: {error}", label, code="xlsx")],
            file=label,
        ) from None
    finally:
        workbook.close()


def _read_sheet(workbook: Any, label: str, sheet: str | None, limits: Limits, numbers: bool) -> Table:
    names = list(workbook.sheetnames)
    if sheet is not None and sheet not in names:
        raise table_error(
            "table_error_no_sheet",
            [
                table_problem(
                    "table_problem_sheet_choices",
                    f"{label}: sheet {sheet!r}",
                    code="sheet",
                    names=", ".join(names),
                )
            ],
            file=label,
            sheet=sheet,
        )
    candidates = [sheet] if sheet is not None else names
    for name in candidates:
        worksheet = workbook[name]
        header: list[str] | None = None
        header_row = 0
        records: list[list[Any]] = []
        problems: list[Problem] = []
        for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
            values = list(row)
            if header is None:
                if not any(v is not None and str(v).strip() for v in values):
                    if number > 1000:
                        break
                    continue
                while values and (values[-1] is None or not str(values[-1]).strip()):
                    values.pop()
                header = [str(v).strip() if v is not None else "" for v in values]
                header_row = number
                if len(header) > limits.max_columns:
                    problems.append(
                        table_problem(
                            "table_problem_too_many_columns",
                            f"{label}: sheet {name!r}, row {number}",
                            code="too_many_columns",
                            count=len(header),
                            max_columns=limits.max_columns,
                        )
                    )
                problems += _header_problems(
                    header,
                    label,
                    lambda i, n=name, r=number: f"sheet {n!r}, cell {_column_letter(i)}{r}",
                )
                if problems:
                    raise table_error("table_error_unreadable", problems, file=label)
                continue
            if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                continue
            extra = values[len(header) :]
            if any(v is not None and (not isinstance(v, str) or v.strip()) for v in extra):
                column = next(i for i, v in enumerate(extra) if v is not None) + len(header)
                raise table_error(
                    "table_error_unreadable",
                    [
                        table_problem(
                            "table_problem_value_without_header",
                            f"{label}: sheet {name!r}, cell {_column_letter(column)}{number}",
                            code="columns",
                        )
                    ],
                    file=label,
                )
            values = values[: len(header)] + [None] * (len(header) - len(values))
            for index, value in enumerate(values):
                if isinstance(value, str) and len(value) > limits.max_cell_chars:
                    raise table_error(
                        "table_error_unreadable",
                        [
                            table_problem(
                                "table_problem_too_long",
                                f"{label}: sheet {name!r}, cell {_column_letter(index)}{number}",
                                code="too_long",
                                length=len(value),
                                max_chars=limits.max_cell_chars,
                            )
                        ],
                        file=label,
                    )
            records.append(values)
            if len(records) > limits.max_rows:
                raise table_error(
                    "table_error_unreadable",
                    [
                        table_problem(
                            "table_problem_too_many_rows",
                            f"{label}: sheet {name!r}, row {number}",
                            code="too_many_rows",
                            max_rows=limits.max_rows,
                        )
                    ],
                    file=label,
                )
        if header is None:
            if sheet is not None:
                raise table_error(
                    "table_error_sheet_empty",
                    [
                        table_problem(
                            "table_problem_header_row_and_rows", f"{label}: sheet {name!r}", code="no_rows"
                        )
                    ],
                    file=label,
                    sheet=name,
                )
            continue
        if not records:
            raise table_error(
                "table_error_sheet_no_rows",
                [
                    table_problem(
                        "table_problem_one_row", f"{label}: sheet {name!r}, row {header_row}", code="no_rows"
                    )
                ],
                file=label,
                sheet=name,
            )
        records = [[None if isinstance(v, str) and not v.strip() else v for v in row] for row in records]
        frame = pd.DataFrame(records, columns=header, dtype=object)
        numeric: tuple[str, ...] = ()
        decimal: Literal[".", ","] = "."
        if numbers:
            frame, numeric, decimal = _xlsx_numbers(frame)
        notes = [] if name == names[0] or sheet is not None else [f"read sheet {name!r}, the first with data"]
        return Table(
            frame=frame,
            dialect=Dialect(
                kind="xlsx", sheet=name, header_row=header_row, decimal=decimal, numeric_columns=numeric
            ),
            notes=notes,
        )
    raise table_error(
        "table_error_no_data",
        [table_problem("table_problem_every_sheet_empty", label, code="no_rows", names=", ".join(names))],
        file=label,
    )


def _xlsx_numbers(frame: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...], Literal[".", ","]]:
    """Columns of numbers (stored as numbers, or as text such as Italian ``3,5``) as numbers."""
    numeric: list[str] = []
    text_columns: dict[str, pd.Series] = {}
    for name in frame.columns:
        values = frame[name].dropna()
        if values.empty:
            continue
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            numbers = pd.to_numeric(frame[name], errors="coerce")
            is_whole = bool(numbers.dropna().map(lambda v: float(v).is_integer()).all())
            frame[name] = (
                numbers.astype("Int64" if numbers.isna().any() else "int64") if is_whole else numbers
            )
            numeric.append(name)
        elif all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
            text_columns[name] = pd.Series(
                [None if v is None else str(v) for v in frame[name].tolist()], index=frame.index, dtype=object
            )
    decimal: Literal[".", ","] = "."
    if text_columns:
        converted, more, decimal = _numbers(pd.DataFrame(text_columns), allow_comma=True)
        for name in more:
            frame[name] = converted[name]
        numeric += list(more)
    return frame, tuple(numeric), decimal


__all__ = ["SEPARATORS", "Dialect", "Limits", "Table", "read_table"]
