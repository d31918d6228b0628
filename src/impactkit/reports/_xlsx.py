"""XlsxWriter plumbing shared by the report and portfolio writers: cells, tables, charts, output."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname, xl_range_abs, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from impactkit.reports._layout import Column, Layout, text_in
from impactkit.reports._text import neutralise

WORKBOOK_OPTIONS: dict[str, Any] = {
    "constant_memory": True,
    # User text is never turned into numbers, formulas or links behind our back.
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "nan_inf_to_errors": True,
}

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(text: str, used: set[str]) -> str:
    """A valid, unique worksheet name (31 characters, none of ``[]:*?/\\``)."""
    base = _BAD_SHEET_CHARS.sub(" ", text).strip().strip("'")[:31] or "Sheet"
    name, counter = base, 2
    while name.lower() in used:
        suffix = f" ({counter})"
        name = base[: 31 - len(suffix)] + suffix
        counter += 1
    used.add(name.lower())
    return name


class Formats:
    """The workbook's cell formats, made once from the layout's named number formats."""

    def __init__(self, workbook: Workbook, layout: Layout) -> None:
        self.named: dict[str, Format] = {
            name: workbook.add_format({"num_format": pattern}) for name, pattern in layout.formats.items()
        }
        self.header = workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDE7F0", "border": 1}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.bold = workbook.add_format({"bold": True})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.total_money = workbook.add_format(
            {"bold": True, "num_format": layout.formats.get("money", "#,##0.00"), "top": 1}
        )

    def of(self, name: str) -> Format | None:
        """The format called ``name`` (None for plain text)."""
        return self.named.get(name)


def write_value(worksheet: Worksheet, row: int, col: int, value: Any, fmt: Format | None) -> None:
    """Write one value with the right XlsxWriter call; text is always neutralised."""
    if value is None:
        return
    if isinstance(value, bool):
        worksheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        worksheet.write_number(row, col, value, fmt)
    elif isinstance(value, datetime | date):
        worksheet.write_string(row, col, value.isoformat(), fmt)
    elif isinstance(value, list | tuple):
        worksheet.write_string(row, col, neutralise("; ".join(str(v) for v in value)), fmt)
    else:
        worksheet.write_string(row, col, neutralise(str(value)), fmt)


def fill_formula(template: str, refs: dict[str, str]) -> str:
    """Replace ``{key}`` in a layout formula template with cell references."""

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in refs:
            raise KeyError(f"formula refers to unknown column {{{key}}}")
        return refs[key]

    return re.sub(r"\{([@A-Za-z0-9_]+)\}", replace, template)


def write_header(
    worksheet: Worksheet, row: int, columns: list[Column], language: str, formats: Formats
) -> None:
    """Header row of labels, and column widths."""
    for col, column in enumerate(columns):
        if column.width:
            worksheet.set_column(col, col, column.width)
        worksheet.write_string(row, col, text_in(column.label, language), formats.header)


def write_table(
    worksheet: Worksheet,
    first_row: int,
    columns: list[Column],
    rows: Iterable[dict[str, Any]],
    language: str,
    formats: Formats,
    extra_refs: dict[str, str] | None = None,
) -> int:
    """A header and one row per dict, formula columns as live formulas; returns rows written."""
    write_header(worksheet, first_row, columns, language, formats)
    cell_formats = [formats.of(column.format) for column in columns]
    positions = {column.key: col for col, column in enumerate(columns)}
    count = 0
    for count, data in enumerate(rows, start=1):
        row = first_row + count
        refs = {key: xl_rowcol_to_cell(row, col) for key, col in positions.items()}
        refs.update(extra_refs or {})
        # A row may name its own format for some columns (a share's value as a percentage).
        own = data.get("_formats") or {}
        for col, column in enumerate(columns):
            value = data.get(column.key)
            fmt = formats.of(own[column.key]) if column.key in own else cell_formats[col]
            if column.formula:
                cached = value if isinstance(value, int | float) else ""
                worksheet.write_formula(row, col, fill_formula(column.formula, refs), fmt, cached)
            elif isinstance(value, Formula):
                worksheet.write_formula(row, col, value.text, fmt, value.cached)
            else:
                write_value(worksheet, row, col, value, fmt)
    return count


@dataclass(frozen=True)
class Formula:
    """A live formula for one cell of a table (e.g. a link to another sheet), with its cached value."""

    text: str
    cached: float | str = ""


def add_chart(
    workbook: Workbook,
    worksheet: Worksheet,
    sheet_name: str,
    spec: dict[str, Any],
    columns: list[Column],
    first_data_row: int,
    last_data_row: int,
    anchor: str,
    language: str,
    title: str | None = None,
    value_range: tuple[float, float] | None = None,
) -> None:
    """A native Excel chart described by a layout chart spec over a table's columns.

    ``title`` replaces the spec's title (used for one chart per table row); ``value_range``
    (lowest, highest value shown, error bars included) fixes the value axis so that bars
    start at zero and the intervals are not cut.
    """
    positions = {column.key: col for col, column in enumerate(columns)}
    chart_type = spec.get("type", "column")
    chart = workbook.add_chart({"type": chart_type})
    assert chart is not None
    error_key = "x_error_bars" if chart_type == "bar" else "y_error_bars"

    def span(key: str) -> list[Any]:
        col = positions[key]
        return [sheet_name, first_data_row, col, last_data_row, col]

    for series in spec["series"]:
        options: dict[str, Any] = {
            "name": text_in(series.get("name"), language),
            "categories": span(spec["categories"]),
            "values": span(series["values"]),
        }
        bars = series.get("error_bars")
        if bars:
            # Custom error bars take formula strings (a list would be literal values).
            def reference(key: str) -> str:
                col = positions[key]
                cells = xl_range_abs(first_data_row, col, last_data_row, col)
                return f"={quote_sheetname(sheet_name)}!{cells}"

            options[error_key] = {
                "type": "custom",
                "plus_values": reference(bars["plus"]),
                "minus_values": reference(bars["minus"]),
            }
        if spec.get("overlap") is not None:
            options["overlap"] = spec["overlap"]
        chart.add_series(options)
    chart.set_title({"name": title or text_in(spec.get("title"), language), "name_font": {"size": 11}})
    chart.set_legend({"position": "bottom"})
    # XlsxWriter swaps the axes of horizontal bar charts: there x is the value axis.
    horizontal = chart_type == "bar"
    set_value_axis = chart.set_x_axis if horizontal else chart.set_y_axis
    set_category_axis = chart.set_y_axis if horizontal else chart.set_x_axis
    if value_range is not None:
        low, high = value_range
        axis = {"min": min(0.0, low * 1.1), "max": max(0.0, high * 1.1)}
        if axis["max"] > axis["min"]:
            set_value_axis(axis)
    if spec.get("category_axis"):
        set_category_axis(dict(spec["category_axis"]))
    size = spec.get("size") or {}
    if size:
        chart.set_size({"width": size.get("width", 720), "height": size.get("height", 360)})
    worksheet.insert_chart(anchor, chart)


@contextmanager
def output_path(path_or_stream: str | os.PathLike[str] | IO[bytes]) -> Iterator[Path]:
    """A file path to write to: the path itself, or a temporary file copied to the stream."""
    if isinstance(path_or_stream, str | os.PathLike):
        yield Path(path_or_stream)
        return
    handle, name = tempfile.mkstemp(suffix=".xlsx", prefix="impactkit-")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb") as source:
            shutil.copyfileobj(source, path_or_stream)
    finally:
        temporary.unlink(missing_ok=True)


def new_workbook(path: Path) -> Workbook:
    """A streaming (constant-memory) workbook writing to ``path``."""
    return xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)


Getter = Callable[[dict[str, Any]], Any]
