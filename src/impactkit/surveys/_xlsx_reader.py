"""A small streaming reader for .xlsx worksheets: cell values, cached formula results, formulas.

openpyxl parses every declared cell as an object, which takes about a second on forms whose
sheets are styled out to 256 columns; this reader streams the XML with expat, keeps only
cells that hold something, and stops after a run of empty rows (so a sheet that declares
A1:XFD1048576 but holds eighty rows costs eighty rows).
"""

from __future__ import annotations

import contextlib
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any
from xml.parsers import expat

MAX_XML_BYTES = 200 * 1024 * 1024
_MAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class _Stop(Exception):
    """Raised inside the parser to stop reading a sheet early."""


class XlsxError(Exception):
    """The file is not a readable .xlsx workbook."""


@dataclass
class SheetData:
    """What a worksheet holds: rows of (column index -> value), and formulas by cell."""

    name: str
    rows: list[tuple[int, dict[int, Any]]] = field(default_factory=list)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row number, column index) -> formula text with its leading '='."""
    truncated: bool = False
    """True when the sheet had more than ``max_rows`` rows with content."""


def column_index(reference: str) -> int:
    """0-based column index of a cell reference such as ``AB12`` (-> 27)."""
    index = 0
    for char in reference:
        if "A" <= char <= "Z":
            index = index * 26 + (ord(char) - 64)
        elif "a" <= char <= "z":
            index = index * 26 + (ord(char) - 96)
        else:
            break
    return index - 1


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1] if ":" in name else name


def _new_parser() -> Any:
    parser = expat.ParserCreate()

    def refuse_doctype(*args: Any) -> None:
        raise XlsxError("a DOCTYPE inside a workbook is not allowed")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.buffer_text = True
    return parser


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_XML_BYTES:
        raise XlsxError(f"{name} is larger than {MAX_XML_BYTES} bytes")
    # Inflate in bounded steps and count what comes out: the size in the zip header may lie
    # (a zip bomb that claims 10 kB), and one unbounded read would inflate it all at once.
    chunks: list[bytes] = []
    total = 0
    with archive.open(info) as member:
        while chunk := member.read(1024 * 1024):
            total += len(chunk)
            if total > MAX_XML_BYTES:
                raise XlsxError(f"{name} inflates to more than {MAX_XML_BYTES} bytes")
            chunks.append(chunk)
    return b"".join(chunks)


def _shared_strings(data: bytes | None) -> list[str]:
    if data is None:
        return []
    strings: list[str] = []
    parts: list[str] = []
    state = {"in_t": False, "phonetic": 0}
    parser = _new_parser()

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "si":
            parts.clear()
        elif local == "rPh":
            state["phonetic"] += 1
        elif local == "t" and not state["phonetic"]:
            state["in_t"] = True

    def end(name: str) -> None:
        local = _local(name)
        if local == "si":
            strings.append("".join(parts))
        elif local == "rPh":
            state["phonetic"] -= 1
        elif local == "t":
            state["in_t"] = False

    def text(data: str) -> None:
        if state["in_t"]:
            parts.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.Parse(data, True)
    return strings


_EMPTY_CELL = re.compile(rb"<(?:\w+:)?c\s(?=[^>]*\br=\")[^>]*/>")
_BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 22, 27, 30, 36, 45, 46, 47, 50, 57})
_BUILTIN_TIME_FORMATS = frozenset({18, 19, 20, 21, 45, 46, 47})
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _date_styles(data: bytes | None) -> dict[int, str]:
    """Cell style index -> "date", "datetime" or "time", for styles that format a date."""
    if data is None:
        return {}
    custom: dict[int, str] = {}
    formats: list[int] = []
    depth = {"cellXfs": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "numFmt":
            with contextlib.suppress(ValueError):
                custom[int(attrs.get("numFmtId", "-1"))] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            depth["cellXfs"] = True
        elif local == "xf" and depth["cellXfs"]:
            try:
                formats.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                formats.append(0)

    def end(name: str) -> None:
        if _local(name) == "cellXfs":
            depth["cellXfs"] = False

    parser = _new_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(data, True)
    styles: dict[int, str] = {}
    for index, format_id in enumerate(formats):
        if format_id in custom:
            code = _QUOTED.sub("", custom[format_id]).lower()
            has_date = any(token in code for token in ("y", "d")) or (
                "m" in code and "h" not in code and "s" not in code
            )
            has_time = "h" in code or "s" in code
            if has_date:
                styles[index] = "datetime" if has_time else "date"
            elif has_time:
                styles[index] = "time"
        elif format_id in _BUILTIN_DATE_FORMATS:
            styles[index] = (
                "time"
                if format_id in _BUILTIN_TIME_FORMATS and format_id != 22
                else ("datetime" if format_id == 22 else "date")
            )
        elif format_id in _BUILTIN_TIME_FORMATS:
            styles[index] = "time"
    return styles


def _serial_to_datetime(serial: float, date1904: bool) -> datetime | None:
    base = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)
    try:
        return base + timedelta(days=serial)
    except OverflowError:
        return None


def _sheet_targets(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    workbook = _read_member(archive, "xl/workbook.xml")
    if workbook is None:
        raise XlsxError("no xl/workbook.xml: not an .xlsx workbook")
    relations = _read_member(archive, "xl/_rels/workbook.xml.rels") or b""
    targets: dict[str, str] = {}
    sheets: list[tuple[str, str]] = []

    def relation(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and "Id" in attrs:
            targets[attrs["Id"]] = attrs.get("Target", "")

    parser = _new_parser()
    parser.StartElementHandler = relation
    parser.Parse(relations, True)

    def sheet(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "sheet":
            relation_id = next((value for key, value in attrs.items() if _local(key) == "id"), None)
            target = targets.get(relation_id or "", "")
            if target:
                if target.startswith("/"):
                    path = target.lstrip("/")
                else:
                    path = posixpath.normpath(posixpath.join("xl", target))
                sheets.append((attrs.get("name", ""), path))

    parser = _new_parser()
    parser.StartElementHandler = sheet
    parser.Parse(workbook, True)
    return sheets


def _as_date(serial: float, kind: str, date1904: bool) -> Any:
    moment = _serial_to_datetime(float(serial), date1904)
    if moment is None:
        return serial
    if kind == "date":
        return moment.date()
    if kind == "time":
        return moment.time().replace(microsecond=0)
    return moment.replace(microsecond=0)


def _read_sheet(
    data: bytes,
    name: str,
    strings: list[str],
    max_empty_rows: int,
    max_rows: int,
    styles: dict[int, str] | None = None,
    date1904: bool = False,
) -> SheetData:
    sheet = SheetData(name)
    styles = styles or {}
    row: dict[int, Any] = {}
    state: dict[str, Any] = {
        "row": 0,
        "last_row": 0,
        "empty_run": 0,
        "column": -1,
        "type": "n",
        "collect": None,
        "value": [],
        "formula": [],
        "inline": [],
        "row_formula": False,
        "style": "",
    }

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag if ":" not in tag else tag.rsplit(":", 1)[-1]
        if local == "c":
            reference = attrs.get("r")
            state["column"] = column_index(reference) if reference else state["column"] + 1
            state["type"] = attrs.get("t", "n")
            style = attrs.get("s")
            state["style"] = styles.get(int(style), "") if style and style.isdigit() else ""
            state["value"] = []
            state["formula"] = []
            state["inline"] = []
        elif local == "v":
            state["collect"] = state["value"]
        elif local == "f":
            state["collect"] = state["formula"]
        elif local == "t":
            state["collect"] = state["inline"]
        elif local == "row":
            number = attrs.get("r")
            state["row"] = int(number) if number else state["row"] + 1
            state["column"] = -1
            state["row_formula"] = False
            row.clear()

    def end(tag: str) -> None:
        local = tag if ":" not in tag else tag.rsplit(":", 1)[-1]
        if local in ("v", "f", "t"):
            state["collect"] = None
        elif local == "c":
            value = _cell_value(state, strings)
            if state["style"] and isinstance(value, int | float) and not isinstance(value, bool):
                value = _as_date(value, state["style"], date1904)
            if value is not None and value != "":
                row[state["column"]] = value
            if state["formula"]:
                state["row_formula"] = True
                sheet.formulas[(state["row"], state["column"])] = "=" + "".join(state["formula"])
                if value is None or value == "":
                    row[state["column"]] = ""
        elif local == "row":
            number = state["row"]
            gap = number - state["last_row"] - 1
            state["last_row"] = number
            has_content = state["row_formula"] or any(v != "" for v in row.values())
            if has_content:
                if state["empty_run"] + gap >= max_empty_rows and sheet.rows:
                    raise _Stop
                state["empty_run"] = 0
                if len(sheet.rows) >= max_rows:
                    sheet.truncated = True
                    raise _Stop
                sheet.rows.append((number, dict(row)))
            else:
                state["empty_run"] += gap + 1
                if state["empty_run"] >= max_empty_rows and sheet.rows:
                    raise _Stop

    def text(data: str) -> None:
        collect = state["collect"]
        if collect is not None:
            collect.append(data)

    parser = _new_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    with contextlib.suppress(_Stop):
        parser.Parse(data, True)
    return sheet


def _cell_value(state: dict[str, Any], strings: list[str]) -> Any:
    kind = state["type"]
    raw = "".join(state["value"])
    if kind == "inlineStr":
        return "".join(state["inline"])
    if raw == "":
        return None
    if kind == "s":
        try:
            return strings[int(raw)]
        except (ValueError, IndexError):
            return None
    if kind in ("str", "e"):
        return raw if kind == "str" else None
    if kind == "b":
        return raw.strip() in ("1", "true")
    try:
        number = float(raw)
    except ValueError:
        return raw
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def read_xlsx(data: bytes, max_empty_rows: int, max_rows: int) -> list[SheetData]:
    """Every worksheet of an .xlsx workbook, in workbook order.

    Raises:
        XlsxError: the bytes are not a readable .xlsx workbook.
    """
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile as error:
        raise XlsxError(f"not a zip archive: {error}") from None
    with archive:
        strings = _shared_strings(_read_member(archive, "xl/sharedStrings.xml"))
        styles = _date_styles(_read_member(archive, "xl/styles.xml"))
        workbook = _read_member(archive, "xl/workbook.xml") or b""
        date1904 = re.search(rb'date1904="(1|true)"', workbook) is not None
        sheets: list[SheetData] = []
        for name, path in _sheet_targets(archive):
            content = _read_member(archive, path)
            if content is None:
                continue
            try:
                sheets.append(_read_sheet(content, name, strings, max_empty_rows, max_rows, styles, date1904))
            except expat.ExpatError as error:
                raise XlsxError(f"sheet {name!r} is not valid XML: {error}") from None
    return sheets
