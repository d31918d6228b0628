"""XForms built by pyxform, the reference XLSForm converter, and pyxform's verdict on a workbook.

impactkit reads an XLSForm with its own importer (:func:`~impactkit.surveys.load_xlsform`),
whose problems name the cell. pyxform then has the last word: a workbook it refuses is refused,
with its message made readable (located ``sheet!CellRef column`` when pyxform names the row and
the column). For a form both accept, pyxform writes the XForm that ODK Collect, Enketo and ODK
Web Forms download, with impactkit's form id and version (which may be derived from the content
when the settings sheet has none, see :func:`~impactkit.surveys.load_xlsform`).

Pure: no database, no web, no Java (ODK Validate runs in the tests).

    >>> from pathlib import Path
    >>> source = (Path(__file__).parents[3] / "surveys" / "beneficiary_outcomes.xlsx").read_bytes()
    >>> xform = build_xform(source, form_id="beneficiary_outcomes", version="2026.1")
    >>> 'id="beneficiary_outcomes"' in xform.xml and 'version="2026.1"' in xform.xml
    True
    >>> xform.md5 == hashlib.md5(xform.xml.encode()).hexdigest()
    True
"""

from __future__ import annotations

import hashlib
import re
import threading
import warnings
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from impactkit.errors import FormError, Problem
from impactkit.surveys.problem_texts import form_problem

ROOT_NAME = "data"
"""The primary instance's root element when the settings sheet names none (as in pyxform)."""

ITEMSETS_FILE = "itemsets.csv"
"""The media file ODK clients read ``select_one_external`` choices from."""


@dataclass(frozen=True)
class XForm:
    """One form version as an XForm, with what OpenRosa clients need beside it.

    Attributes:
        xml: the XForm document (UTF-8 text).
        md5: MD5 of ``xml`` encoded as UTF-8, hex (the ``hash`` of an OpenRosa form list).
        warnings: pyxform's warnings while converting.
        media: files the form reads besides the XForm, by name (``itemsets.csv`` for
            ``select_one_external`` questions), as text.
    """

    xml: str
    md5: str
    warnings: tuple[str, ...] = ()
    media: Mapping[str, str] | None = None


class _Cache:
    """The last few conversions, by (source digest, form id, version): importing a workbook and
    publishing it convert it once."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self.items: OrderedDict[tuple[str, str | None, str | None], XForm | Problem] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str | None, str | None]) -> XForm | Problem | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: tuple[str, str | None, str | None], value: XForm | Problem) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_cache = _Cache()


def _convert(source: bytes, form_id: str | None, version: str | None) -> XForm:
    """Run pyxform on ``source``; raises whatever pyxform raises."""
    from pyxform.builder import create_survey_element_from_dict
    from pyxform.utils import external_choices_to_csv, has_external_choices
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    found: list[str] = []
    with warnings.catch_warnings():
        # openpyxl warns about workbooks without a default style: nothing a form author can act on
        warnings.simplefilter("ignore")
        workbook = get_xlsform(xlsform=source)
        data = workbook_to_json(
            workbook_dict=workbook, form_name=None, fallback_form_name=form_id, warnings=found
        )
        if form_id is not None:
            data["id_string"] = form_id
        if version is not None:
            data["version"] = version
        media = None
        if has_external_choices(json_struct=data):
            media = {ITEMSETS_FILE: external_choices_to_csv(workbook_dict=workbook) or ""}
        survey = create_survey_element_from_dict(data)
        xml = survey.to_xml(validate=False, pretty_print=False, warnings=found)
    return XForm(
        xml=xml,
        md5=hashlib.md5(xml.encode("utf-8"), usedforsecurity=False).hexdigest(),
        warnings=tuple(found),
        media=media,
    )


def _converted(source: bytes, form_id: str | None, version: str | None) -> XForm | Problem:
    key = (hashlib.sha256(source).hexdigest(), form_id, version)
    found = _cache.get(key)
    if found is None:
        try:
            found = _convert(source, form_id, version)
        except RecursionError:
            found = form_problem("xlsform_problem_pyxform_too_deep", code="pyxform")
        except Exception as error:  # pyxform's refusals, and its own failures on odd input
            from pyxform.errors import PyXFormError

            if isinstance(error, PyXFormError):
                found = Problem(str(error) or type(error).__name__, code="pyxform")
            else:
                found = form_problem(
                    "xlsform_problem_pyxform_failed",
                    code="pyxform",
                    detail=f"{type(error).__name__}: {error}",
                )
        _cache.put(key, found)
    return found


def build_xform(source: bytes, *, form_id: str, version: str) -> XForm:
    """The XForm of an XLSForm workbook, written by pyxform.

    Args:
        source: the ``.xlsx`` or ``.xls`` file as uploaded.
        form_id: the form id to write on the primary instance (impactkit's, which is the
            settings ``form_id`` or else the file name).
        version: the version to write (impactkit's: derived from the content when the
            settings version is missing or a formula).

    Raises:
        FormError: pyxform refuses the workbook (its message, made readable).
    """
    found = _converted(source, form_id, version)
    if isinstance(found, Problem):
        raise FormError("pyxform, the reference XLSForm converter, refuses the form", [readable(found)])
    return found


def pyxform_problems(
    source: bytes,
    *,
    form_id: str | None = None,
    version: str | None = None,
    columns: Mapping[str, tuple[str, Mapping[str, str]]] | None = None,
) -> list[Problem]:
    """pyxform's verdict on a workbook: no problem when it converts it, else its one message.

    Args:
        columns: per sheet (lower-case name), the sheet's title as written and its column
            letters by header name (``{"survey": ("survey", {"name": "B"})}``), so that a
            message naming a row and a column is located ``survey!B12 name``.
    """
    found = _converted(source, form_id, version)
    if isinstance(found, XForm):
        return []
    return [readable(found, columns)]


_ROW = re.compile(r"^\s*\[row\s*:\s*(\d+)\]\s*")
_SHEET = re.compile(r"^On the '([^']+)' sheet,\s*", re.IGNORECASE)
_COLUMN = re.compile(r"^the '([^']+)' value\b", re.IGNORECASE)
_HEADER_SHEET = re.compile(r"for sheet: '([^']+)'", re.IGNORECASE)
_LEARN_MORE = re.compile(r"\s*Learn more: \S+\s*$")


def readable(problem: Problem, columns: Mapping[str, tuple[str, Mapping[str, str]]] | None = None) -> Problem:
    """pyxform's message with its ``[row : 12] On the 'survey' sheet, the 'name' value`` prefix
    turned into a location (``survey!B12 name``) and its links to the XLSForm site dropped.

    pyxform writes in English only: the problem's text (key ``xlsform_problem_pyxform_row`` and
    its neighbours) keeps pyxform's words as the ``detail`` and, in Italian, introduces them with
    the sheet and the row. A problem of ours (the form too deep, pyxform failing) stays as it is.
    """
    if problem.details:
        return problem
    text = " ".join(problem.message.split())
    row: int | None = None
    sheet: str | None = None
    column: str | None = None
    match = _ROW.match(text)
    if match:
        row = int(match[1])
        text = text[match.end() :]
    match = _SHEET.match(text)
    if match:
        sheet = match[1]
        text = text[match.end() :]
        column_match = _COLUMN.match(text)
        if column_match:
            column = column_match[1]
    elif (header := _HEADER_SHEET.search(text)) is not None:
        sheet = header[1]
        row = row or 1
    if row is not None and sheet is None:
        sheet = "survey"
    text = _LEARN_MORE.sub("", text).strip()
    text = text[:1].upper() + text[1:]
    location = ""
    where: dict[str, Any] = {}
    if sheet is not None:
        title, letters = (columns or {}).get(sheet.lower(), (sheet, {}))
        letter = letters.get(column, "") if column else ""
        location = title
        where["sheet"] = title
        if row is not None:
            location = f"{title}!{letter or ''}{row}" if letter else f"{title} row {row}"
            where["row"] = row
        if letter and column:
            location += f" {column}"
    key = "xlsform_problem_pyxform" + ("_row" if "row" in where else "_sheet" if where else "")
    found = form_problem(key, location, code="pyxform", detail=text, **where)
    return replace(found, details={**found.details, "pyxform": problem.message})


def columns_by_sheet(headers: Mapping[str, list[tuple[str, str]]]) -> dict[str, tuple[str, dict[str, str]]]:
    """``{sheet title: [(column letter, header text)]}`` -> the ``columns`` argument of
    :func:`pyxform_problems`; a header ``label::English (en)`` is found as ``label`` too."""
    out: dict[str, tuple[str, dict[str, str]]] = {}
    for title, cells in headers.items():
        letters: dict[str, str] = {}
        for letter, header in cells:
            text = " ".join(header.split())
            for key in (text, text.lower(), text.split("::")[0].split(":")[0].strip().lower()):
                letters.setdefault(key, letter)
        out[title.strip().lower()] = (title, letters)
    return out


def instance_attributes(xml: str) -> dict[str, Any]:
    """The id and version written on the primary instance of an XForm (for tests and checks)."""
    match = re.search(r"<instance>\s*<([\w.-]+)([^>]*)>", xml)
    if match is None:
        return {}
    attributes = dict(re.findall(r'([\w:.-]+)="([^"]*)"', match[2]))
    return {"root": match[1], **attributes}


__all__ = [
    "ITEMSETS_FILE",
    "ROOT_NAME",
    "XForm",
    "build_xform",
    "instance_attributes",
    "pyxform_problems",
    "readable",
]
