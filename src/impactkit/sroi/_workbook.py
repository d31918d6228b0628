"""Reading value-map workbooks as people save them: values, not formulas, whoever wrote the file.

A workbook written by impactkit holds numbers and booleans. Once Excel or LibreOffice Calc saves
it again, some of those cells come back as formulas — LibreOffice writes a boolean as
``=TRUE()`` — and a value map typed by hand may compute a quantity (``=40*0.8``). Every reader
here takes a formula cell's value as its spreadsheet last computed it, and the few constant
formulas a program may leave without a computed value (``=TRUE()``, ``=FALSE()``, a number) as
that constant; any other formula without a computed value is a problem naming its cell.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook as OpenpyxlWorkbook
from xlsxwriter.utility import xl_rowcol_to_cell

from impactkit.errors import Problem, ValueMapError

MAX_INFLATED_BYTES = 50 * 1024 * 1024
"""Largest total uncompressed size of a value-map workbook (a real one is well under 1 MiB)."""

_CONSTANT = re.compile(r"^=\s*(TRUE|FALSE|VERO|FALSO)\s*(\(\s*\))?\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"^=\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$")


def refuse_oversized_workbook(path: Path) -> None:
    """Refuse a file that is not a zip, or one that would inflate past MAX_INFLATED_BYTES (a zip
    bomb), before any spreadsheet library opens it."""
    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise ValueMapError(
            f"{path.name} is not an xlsx workbook", [Problem(f"not a zip archive: {error}", path.name)]
        ) from None
    if inflated > MAX_INFLATED_BYTES:
        raise ValueMapError(
            f"{path.name} is too large once uncompressed",
            [Problem(f"{inflated:,} bytes uncompressed; at most {MAX_INFLATED_BYTES:,}", path.name)],
        )


def where(sheet: str, row: int, col: int) -> str:
    """``Sheet!B7`` from a 1-based row and a 0-based column."""
    return f"{sheet}!{xl_rowcol_to_cell(row - 1, col)}"


def formula_constant(text: str) -> Any:
    """The value of a constant formula (``=TRUE()``, ``=FALSE``, ``=12.5``), or ``...`` if it is not one.

    >>> formula_constant("=TRUE()"), formula_constant("=false"), formula_constant("=12.5")
    (True, False, 12.5)
    >>> formula_constant("=A1*2")
    Ellipsis
    """
    match = _CONSTANT.match(text)
    if match:
        return match.group(1).upper() in ("TRUE", "VERO")
    number = _NUMBER.match(text)
    if number:
        value = float(number.group(1))
        return int(value) if value.is_integer() and "." not in number.group(1) else value
    return ...


class WorkbookValues:
    """A workbook opened twice, for its formulas and for the values its spreadsheet computed."""

    def __init__(self, path: Path) -> None:
        refuse_oversized_workbook(path)
        try:
            self.formulas: OpenpyxlWorkbook = load_workbook(path, data_only=False)
            self.computed: OpenpyxlWorkbook = load_workbook(path, data_only=True)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
            raise ValueMapError(
                f"cannot read {path.name} as an xlsx workbook", [Problem(str(error), path.name)]
            ) from None
        self.problems: list[Problem] = []

    @property
    def sheetnames(self) -> list[str]:
        return list(self.formulas.sheetnames)

    def value(self, sheet: str, row: int, col: int) -> Any:
        """The value of a cell (1-based row, 0-based column), formulas replaced by their results."""
        raw = self.formulas[sheet].cell(row, col + 1).value
        if (
            not (isinstance(raw, str) and raw.startswith("="))
            and raw is not None
            and not isinstance(raw, str | int | float | bool)
        ):
            raw = getattr(raw, "text", None) or str(raw)  # array formulas and the like
        if isinstance(raw, str) and raw.startswith("="):
            cached = self.computed[sheet].cell(row, col + 1).value
            if cached is not None:
                return cached
            constant = formula_constant(raw)
            if constant is not ...:
                return constant
            self.problems.append(
                Problem(
                    f"holds the formula {raw[:60]} with no computed value; open and save the workbook "
                    "in Excel or LibreOffice Calc, or type the value",
                    where(sheet, row, col),
                    "formula",
                )
            )
            return None
        return raw

    def is_formula(self, sheet: str, row: int, col: int) -> bool:
        raw = self.formulas[sheet].cell(row, col + 1).value
        return isinstance(raw, str) and raw.startswith("=")

    def max_row(self, sheet: str) -> int:
        return int(self.formulas[sheet].max_row)

    def max_column(self, sheet: str) -> int:
        return int(self.formulas[sheet].max_column)
