"""CSV and JSON twins of the exported tables (the same rows as the workbooks)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import IO, Any

from impactkit.reports._text import neutralise


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, list | tuple):
        return neutralise("; ".join(str(item) for item in value))
    return neutralise(str(value))


def write_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str], stream: IO[str]) -> int:
    """Write rows as CSV (header = ``columns``), text neutralised against formula injection.

    Returns:
        The number of data rows written.
    """
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_value(row.get(column)) for column in columns])
        count += 1
    return count


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """Rows as a CSV text (see :func:`write_csv`)."""
    buffer = io.StringIO()
    write_csv(rows, columns, buffer)
    return buffer.getvalue()


def to_json(rows: Iterable[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows as a JSON array of objects (values as they are: JSON is data, not a spreadsheet)."""
    selected = [{column: row.get(column) for column in columns} if columns else dict(row) for row in rows]
    return json.dumps(selected, ensure_ascii=False, indent=1, default=str)
