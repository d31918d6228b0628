"""The social report as documents people exchange: a sealed, tagged PDF with its JSON twin attached,
and an editable DOCX — both from one view of the report (:mod:`._view`), in Italian or English.

    >>> from impactkit.reports.documents import render_pdf, verify_pdf
"""

from __future__ import annotations

from impactkit.reports.documents._view import DocumentView, build_view
from impactkit.reports.documents.docx import render_docx
from impactkit.reports.documents.pdf import (
    ATTACHMENT_NAME,
    LOGO_ATTACHMENTS,
    RefusedFetch,
    embedded_document,
    embedded_logo,
    locked_fetcher,
    render_pdf,
    report_html,
    verify_pdf,
)

__all__ = [
    "ATTACHMENT_NAME",
    "LOGO_ATTACHMENTS",
    "DocumentView",
    "RefusedFetch",
    "build_view",
    "embedded_document",
    "embedded_logo",
    "locked_fetcher",
    "render_docx",
    "render_pdf",
    "report_html",
    "verify_pdf",
]
