"""The organisation's logo on the documents: on the PDF's cover as a tagged figure with its
alternative text, attached and checked by ``report verify`` against the hash the sealed content
holds; in the DOCX's header and cover; never another image than the one the content names."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

from impactkit.logos import Logo, clean_logo
from impactkit.reports import ReportContent, ValidationStamp, content_hash, load_content, verify_bytes
from impactkit.reports.documents import embedded_logo, locked_fetcher, render_docx, render_pdf
from impactkit.reports.documents.pdf import seal_pdf
from tests.logo_files import jpeg_with_gps, png
from tests.unit.reports.helpers import report_data


def _with_logo(logo: Logo, language: str = "it") -> ReportContent:
    data = report_data(language=language)
    data["organisation"]["logo"] = logo.reference()
    return load_content(data)


def _stamp(content: ReportContent) -> ValidationStamp:
    return ValidationStamp(
        evaluator="Anna Bianchi",
        accreditation_number="VAL-042",
        accreditation_body="Città metropolitana di Torino",
        validated_at=datetime(2026, 2, 3, 10, 30, tzinfo=UTC),
        content_hash=content_hash(content),
    )


def _figures(node: Any, found: list[Any]) -> list[Any]:
    node = node.get_object()
    if node.get("/S") == "/Figure":
        found.append(node)
    kids = node.get("/K")
    if kids is not None:
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and ("/S" in kid or "/K" in kid):
                _figures(kid, found)
    return found


def test_the_cover_prints_the_logo_as_a_figure_with_its_alternative_text() -> None:
    logo = clean_logo(png(400, 160))
    content = _with_logo(logo)
    fetcher = locked_fetcher()
    pdf = render_pdf(content, _stamp(content), logo=logo.data, fetcher=fetcher)
    reader = PdfReader(io.BytesIO(pdf))
    [image] = reader.pages[0].images
    assert image.image is not None and image.image.size == (400, 160)
    figures = _figures(reader.trailer["/Root"]["/StructTreeRoot"], [])
    alts = [str(figure.get("/Alt")) for figure in figures]
    assert "Logo di Cooperativa Il Sole" in alts, alts
    assert all(alt and alt != "None" for alt in alts), "every figure has alternative text (PDF/UA)"
    assert fetcher.refused == [], "the logo is the one address answered; nothing else was asked"
    assert embedded_logo(pdf) == logo.data
    result = verify_bytes(pdf)
    assert result.ok and result.validated, result.message


def test_a_content_naming_a_logo_is_never_printed_with_another_image_or_none() -> None:
    logo = clean_logo(png())
    content = _with_logo(logo)
    with pytest.raises(ValueError, match="sha256"):
        render_pdf(content, None, logo=clean_logo(png(colour="red")).data)
    with pytest.raises(ValueError, match="pass its bytes"):
        render_pdf(content, None)


def test_a_pdf_whose_logo_was_swapped_and_resealed_fails_verification() -> None:
    logo = clean_logo(png())
    content = _with_logo(logo)
    pdf = render_pdf(content, _stamp(content), logo=logo.data)
    other = clean_logo(png(colour="red")).data
    swapped = io.BytesIO()
    embedded = {name: data[0] for name, data in PdfReader(io.BytesIO(pdf)).attachments.items()}
    rebuilt = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        rebuilt.add_page(page)
    rebuilt.add_attachment("impactkit-report.json", embedded["impactkit-report.json"])
    rebuilt.add_attachment("impactkit-logo.png", other)
    rebuilt.write(swapped)
    result = verify_bytes(seal_pdf(swapped.getvalue()))
    assert not result.ok and "logo" in result.message, result.message


def test_old_content_without_a_logo_keeps_its_hash() -> None:
    data = report_data()
    before = content_hash(load_content(data))
    assert "logo" not in load_content(data).model_dump(mode="json")["organisation"]
    assert (
        content_hash(load_content({**data, "organisation": {**data["organisation"], "logo": None}})) == before
    )


def test_the_logo_changes_the_content_hash_so_the_seal_covers_it() -> None:
    first = _with_logo(clean_logo(png()))
    second = _with_logo(clean_logo(png(colour="red")))
    assert content_hash(first) != content_hash(second)


def test_the_docx_carries_the_logo_in_its_header_and_on_its_cover_with_alternative_text() -> None:
    from docx import Document

    logo = clean_logo(jpeg_with_gps())
    content = _with_logo(logo, "en")
    document = Document(io.BytesIO(render_docx(content, None, logo=logo.data)))
    assert len(document.inline_shapes) == 1, "the cover's picture"
    header = document.sections[0].header._element
    assert header.xpath(".//pic:pic"), "the header's picture"
    descriptions = {
        element.get("descr")
        for element in [*document.element.body.iter(), *header.iter()]
        if element.tag.endswith("}docPr")
    }
    assert descriptions == {"Logo of Cooperativa Il Sole"}
    [stored] = [part.blob for part in document.part.package.parts if part.partname.startswith("/word/media/")]
    assert stored == logo.data and b"Exif" not in stored, "the stored pixels, no metadata"
