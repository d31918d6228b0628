"""The social report as an editable Word document (python-docx), from the same view as the PDF.

Headings use Word's built-in heading styles (so the organisation's own template and a table of
contents field work), tables use a plain grid, and the language of every run is the report's.
Charts are left to the PDF (a DOCX editor redraws its own); their figures are in the tables.
"""

from __future__ import annotations

import io

from impactkit.reports.documents._view import Chart, DocumentView, Facts, Table, build_view
from impactkit.reports.model import ReportContent, ValidationStamp

_LANGUAGE_TAGS = {"it": "it-IT", "en": "en-GB"}


def _set_language(document: object, language: str) -> None:
    """Mark the document's default language (styles.xml rPrDefault) for spelling and screen readers."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    styles = document.styles.element  # type: ignore[attr-defined]
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        return
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        return
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    for old in properties.findall(qn("w:lang")):
        properties.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), _LANGUAGE_TAGS.get(language, "it-IT"))
    properties.append(lang)


def _table(document: object, caption: str, header: list[str] | None, rows: list[list[str]]) -> None:
    if caption:
        document.add_paragraph(caption, style="Caption")  # type: ignore[attr-defined]
    columns = len(header) if header else max((len(r) for r in rows), default=2)
    table = document.add_table(rows=0, cols=columns)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    if header:
        cells = table.add_row().cells
        for cell, text in zip(cells, header, strict=False):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=False):
            cell.text = text


def _picture(run: object, view: DocumentView, width_cm: float) -> None:
    """The logo as an inline picture in ``run``, with its alternative text (``descr``) and title."""
    from docx.shared import Cm

    assert view.logo is not None
    width = int(Cm(width_cm))
    height = int(width * view.logo.height / view.logo.width)
    if height > width // 2:  # a tall logo is bounded by height instead
        height = width // 2
        width = int(height * view.logo.width / view.logo.height)
    shape = run.add_picture(io.BytesIO(view.logo.data), width=width, height=height)  # type: ignore[attr-defined]
    properties = shape._inline.docPr
    properties.set("descr", view.logo.alt)
    properties.set("title", view.logo.alt)


def write_docx(view: DocumentView) -> bytes:
    """The view as DOCX bytes."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    _set_language(document, view.language)
    properties = document.core_properties
    properties.title = view.title
    properties.author = view.organisation
    properties.subject = view.word("decree")
    properties.language = _LANGUAGE_TAGS.get(view.language, "it-IT")
    properties.keywords = f"impactkit; {view.word('title')}; {view.stamp.content_hash}"
    document.styles["Normal"].font.size = Pt(10)

    if view.logo is not None:
        header = document.sections[0].header.paragraphs[0]
        _picture(header.add_run(), view, 2.5)
        _picture(document.add_paragraph().add_run(), view, 6.0)
    document.add_heading(view.word("title"), level=0)
    document.add_paragraph(view.organisation, style="Subtitle")
    document.add_paragraph(f"{view.subtitle} · {view.period}")
    document.add_paragraph(view.word("decree"))
    if not view.stamp.validated:
        document.add_paragraph(view.word("draft_mark"), style="Intense Quote")
    _table(document, view.word("stamp_heading"), None, [list(line) for line in view.stamp.lines])

    document.add_heading(view.word("contents"), level=1)
    for section in view.sections:
        document.add_paragraph(f"{section.number}. {section.title}", style="List Number")
    if view.empty_sections:
        document.add_paragraph(f"{view.word('empty_sections')}: {'; '.join(view.empty_sections)}")

    for section in view.sections:
        document.add_page_break()  # type: ignore[no-untyped-call]
        document.add_heading(f"{section.number}. {section.title}", level=1)
        if section.empty:
            document.add_paragraph(view.word("empty_section"), style="Intense Quote")
        for paragraph in section.text.split("\n"):
            if paragraph.strip():
                document.add_paragraph(paragraph)
        if section.facts:
            _table(document, "", None, [list(line) for line in section.facts])
        for block in section.blocks:
            if isinstance(block, Table):
                _table(document, block.caption, block.header, block.rows)
                if block.note:
                    document.add_paragraph(block.note, style="Quote")
            elif isinstance(block, Facts):
                _table(document, block.caption, None, [list(line) for line in block.lines])
            elif isinstance(block, Chart):
                document.add_paragraph(f"{block.title}: {block.description}", style="Caption")

    document.add_page_break()  # type: ignore[no-untyped-call]
    document.add_heading(view.word("stamp_heading"), level=1)
    _table(
        document,
        "",
        None,
        [
            *[list(line) for line in view.stamp.lines],
            [view.word("content_hash"), view.stamp.content_hash],
            [view.word("seal"), view.stamp.seal],
        ],
    )
    document.add_paragraph(view.word("docx_note"))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_docx(
    content: ReportContent, stamp: ValidationStamp | None = None, *, logo: bytes | None = None
) -> bytes:
    """The report as an editable DOCX (a draft when ``stamp`` is None), the logo the content names
    (``logo``: its bytes) in the page header and on the cover."""
    return write_docx(build_view(content, stamp, logo))


__all__ = ["render_docx", "write_docx"]
