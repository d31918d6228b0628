"""Reading report documents back: text out of a PDF (pypdf) or a DOCX (python-docx), pages as PNG."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

from impactkit.formats import Formats
from impactkit.reports import ReportContent, report_sections

ARTEFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "documents"


def flat(text: str) -> str:
    """Text with every kind of space as one space (PDF extraction keeps no-break spaces or not)."""
    return re.sub(r"\s+", " ", text.replace("\xa0", " ").replace("\u202f", " "))


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return flat(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages))


def docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return flat(" ".join(parts))


def expected_figures(content: ReportContent) -> list[str]:
    """Every section heading and every KPI value as the report's language writes them."""
    fmt = Formats(content.language)
    headings = [f"{s.number}. {s.title[content.language]}" for s in report_sections()]
    values = [fmt.kpi(k.value, k.unit or "") for k in content.kpis if k.value is not None]
    return [flat(x) for x in headings + values]


def missing_from(text: str, wanted: list[str]) -> list[str]:
    return [w for w in wanted if w not in text]


def pages_as_png(data: bytes, name: str) -> list[Path]:
    """Each page rendered by pdftoppm (poppler), kept under test-artifacts/documents/ for a look."""
    if shutil.which("pdftoppm") is None:
        return []
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTEFACTS.glob(f"{name}-*.png"):
        old.unlink()
    source = ARTEFACTS / f"{name}.pdf"
    source.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(source), str(ARTEFACTS / name)], check=True)
    return sorted(ARTEFACTS.glob(f"{name}-*.png"))
