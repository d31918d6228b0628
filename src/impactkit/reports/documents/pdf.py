"""The social report as a sealed PDF (WeasyPrint, A4, tagged PDF/UA-1), and its verification.

The PDF embeds the frozen document (content, validation stamp, seal; the same bytes as the API's
``export.json``) as the attachment ``impactkit-report.json``, so the figures can be taken back out.
After the PDF is written, one comment line is appended after its ``%%EOF``::

    %impactkit-seal sha256:<64 hex digits>

the SHA-256 of every byte before that line. :func:`verify_pdf` recomputes it (a changed byte
fails), then verifies the embedded frozen document like a ``.json`` export.

The renderer fetches nothing: the stylesheet is passed as text, charts are inline SVG, and the URL
fetcher refuses every URL (a user's ``<img src=…>`` is escaped text anyway; this is the second lock)
but one: the organisation's logo, named ``impactkit-logo:<sha256>``, answered with the bytes whose
SHA-256 the report's content holds (re-encoded PNG or JPEG pixels, never SVG).

The logo is part of what is sealed: the content names it by SHA-256 (so the content hash and a
validation stamp cover it), the image is attached to the PDF as ``impactkit-logo.png`` (or
``.jpg``) next to the JSON twin, and :func:`verify_pdf` checks that attachment against the hash.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files
from typing import Any

import jinja2

from impactkit.reports.documents._view import DocumentView, build_view
from impactkit.reports.documents._words import word
from impactkit.reports.hashing import VerifyResult, canonical_json, verify_document
from impactkit.reports.model import ReportContent, ValidationStamp

ATTACHMENT_NAME = "impactkit-report.json"
LOGO_ATTACHMENTS = {"image/png": "impactkit-logo.png", "image/jpeg": "impactkit-logo.jpg"}
PDF_SEAL_PREFIX = b"%impactkit-seal sha256:"
_SEAL_LINE = re.compile(rb"%impactkit-seal sha256:([0-9a-f]{64})\n\Z")


class RefusedFetch(ValueError):
    """A document asked for an outside resource; nothing is fetched."""


def _locked_fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LockedFetcher(URLFetcher):  # type: ignore[misc]
        """A WeasyPrint URL fetcher that fetches nothing and remembers what was asked; it answers
        only the addresses it was ``granted`` (the logo), with the bytes it was given."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=(), allow_redirects=False, timeout=1)
            self.refused: list[str] = []
            self.granted: dict[str, tuple[bytes, str]] = {}

        def fetch(self, url: str, headers: Any = None) -> Any:
            found = self.granted.get(url)
            if found is not None:
                data, media_type = found
                return URLFetcherResponse(url, data, {"Content-Type": media_type})
            self.refused.append(url)
            raise RefusedFetch(f"documents fetch nothing: {url[:120]}")

    return LockedFetcher


def locked_fetcher() -> Any:
    """A new fetcher that refuses every URL (``.refused`` lists what a document asked for)."""
    return _locked_fetcher_class()()


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(files("impactkit.reports.documents") / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    return (files("impactkit.reports.documents") / "templates" / "report.css").read_text(encoding="utf-8")


def report_html(view: DocumentView) -> str:
    """The document as HTML (what WeasyPrint lays out)."""
    return _environment().get_template("report.html").render(v=view)


def template(name: str) -> jinja2.Template:
    """A document template of ``templates/`` (autoescaped: a user's text is text, never markup)."""
    return _environment().get_template(name)


def render_pdf(
    content: ReportContent,
    stamp: ValidationStamp | None = None,
    *,
    logo: bytes | None = None,
    fetcher: Any | None = None,
) -> bytes:
    """The report as sealed PDF bytes (a draft when ``stamp`` is None).

    Args:
        content: the report's content (as frozen when validated).
        stamp: the validation stamp, or None for an unvalidated draft.
        logo: the bytes of the logo the content names (``content.organisation.logo``), if any.
        fetcher: the URL fetcher to use (tests pass one to see what was refused); always locked.

    Raises:
        ValueError: the content names a logo and ``logo`` is not that image.
    """
    view = build_view(content, stamp, logo)
    fetcher = fetcher if fetcher is not None else locked_fetcher()
    sources: list[tuple[str, bytes, str]] = []
    if view.logo is not None:
        fetcher.granted[view.logo.url] = (view.logo.data, view.logo.media_type)
        sources.append(
            (
                LOGO_ATTACHMENTS[view.logo.media_type],
                view.logo.data,
                word("logo_description", content.language),
            )
        )
    return write_sealed_pdf(
        report_html(view),
        view.payload,
        word("attachment_description", content.language),
        fetcher=fetcher,
        attachments=sources,
    )


def write_sealed_pdf(
    html: str,
    payload: dict[str, Any],
    description: str,
    *,
    fetcher: Any | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> bytes:
    """HTML laid out as a tagged PDF/UA-1 A4 document with ``payload`` attached as canonical JSON
    (:data:`ATTACHMENT_NAME`), then sealed. Every document of :mod:`impactkit.reports.documents`
    is written here, with the locked fetcher (``fetcher``: tests pass one to see what was refused).
    ``attachments``: further files (name, bytes, description) attached as the document's sources
    (the report's logo, which :func:`verify_pdf` checks against the hash its content names).
    """
    from weasyprint import CSS, HTML, Attachment

    fetcher = fetcher if fetcher is not None else locked_fetcher()
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    twin = Attachment(
        file_obj=io.BytesIO(canonical_json(payload)),
        name=ATTACHMENT_NAME,
        description=description,
        relationship="Data",
        url_fetcher=fetcher,
    )
    sources = [
        Attachment(
            file_obj=io.BytesIO(blob),
            name=name,
            description=text,
            relationship="Source",
            url_fetcher=fetcher,
        )
        for name, blob, text in attachments
    ]
    data = document.write_pdf(
        stylesheets=[CSS(string=_stylesheet(), url_fetcher=fetcher)],
        attachments=[twin, *sources],
        pdf_variant="pdf/ua-1",
        pdf_tags=True,
    )
    assert isinstance(data, bytes)
    return seal_pdf(data)


def seal_pdf(data: bytes) -> bytes:
    """Append the seal line: the SHA-256 of every byte of the PDF as written."""
    if not data.endswith(b"\n"):
        data += b"\n"
    return data + PDF_SEAL_PREFIX + hashlib.sha256(data).hexdigest().encode("ascii") + b"\n"


def embedded_document(data: bytes) -> bytes | None:
    """The frozen document attached to a report PDF, or None when there is none."""
    return _attachment(data, ATTACHMENT_NAME)


def embedded_logo(data: bytes) -> bytes | None:
    """The logo attached to a report PDF (the image its content names), or None."""
    for name in LOGO_ATTACHMENTS.values():
        found = _attachment(data, name)
        if found is not None:
            return found
    return None


def _attachment(data: bytes, name: str) -> bytes | None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    found = reader.attachments.get(name)
    return found[0] if found else None


def _logo_problem(body: bytes, document: bytes) -> str | None:
    """Why the logo attached to the PDF is not the one its frozen content names, or None."""
    try:
        content = json.loads(document).get("content") or {}
    except (ValueError, AttributeError):
        return None  # the frozen document's own verification says what is wrong with it
    ref = (content.get("organisation") or {}).get("logo") if isinstance(content, dict) else None
    attached = embedded_logo(body)
    if not ref:
        return "the PDF carries a logo its content does not name" if attached is not None else None
    if attached is None:
        return f"the content names the logo sha256:{ref.get('sha256')} and the PDF carries none"
    actual = hashlib.sha256(attached).hexdigest()
    if actual != ref.get("sha256"):
        return f"the PDF's logo has sha256:{actual}; the sealed content names sha256:{ref.get('sha256')}"
    return None


def verify_pdf(data: bytes) -> VerifyResult:
    """Verify a report PDF: the file seal over every byte, then the embedded frozen document."""
    match = _SEAL_LINE.search(data[-128:])
    if match is None:
        return VerifyResult(
            ok=False, message="verification failed: the PDF has no impactkit seal (re-saved or edited)"
        )
    body = data[: len(data) - (len(match.group(0)))]
    actual = hashlib.sha256(body).hexdigest()
    stated = match.group(1).decode("ascii")
    if actual != stated:
        return VerifyResult(
            ok=False,
            message="verification failed: the PDF's bytes changed since export "
            f"(file sha256 {actual}, sealed {stated})",
        )
    try:
        document = embedded_document(body)
    except Exception as error:  # pypdf raises many kinds on a damaged file: never a traceback
        return VerifyResult(ok=False, message=f"not a valid report file: the PDF cannot be read ({error})")
    if document is None:
        return VerifyResult(ok=False, message=f"not a valid report file: no '{ATTACHMENT_NAME}' attached")
    try:
        problem = _logo_problem(body, document)
    except Exception as error:  # as above: a damaged file is a message, never a traceback
        return VerifyResult(ok=False, message=f"not a valid report file: the PDF cannot be read ({error})")
    if problem is not None:
        return VerifyResult(ok=False, message=f"verification failed: {problem}")
    return verify_document(document)


__all__ = [
    "ATTACHMENT_NAME",
    "LOGO_ATTACHMENTS",
    "RefusedFetch",
    "embedded_document",
    "embedded_logo",
    "locked_fetcher",
    "render_pdf",
    "report_html",
    "seal_pdf",
    "template",
    "verify_pdf",
    "write_sealed_pdf",
]
