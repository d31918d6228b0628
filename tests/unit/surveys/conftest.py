"""Helpers that write small XLSForm workbooks for the survey tests."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import openpyxl
import pytest


def build_xlsform(
    survey: list[list[Any]],
    choices: list[list[Any]] | None = None,
    settings: list[list[Any]] | None = None,
    extra_sheets: dict[str, list[list[Any]]] | None = None,
) -> bytes:
    """An .xlsx workbook whose sheets hold exactly the given rows (first row: headers)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    for title, rows in (("choices", choices), ("settings", settings), *(extra_sheets or {}).items()):
        if rows is None:
            continue
        other = workbook.create_sheet(title)
        for row in rows:
            other.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def xlsform() -> Any:
    return build_xlsform
