"""The demo's validated social report as the organisation, its evaluator and its funder download it:
PDF from the pages and the API, read back (every heading, every KPI value, the stamp, the seal), the
JSON twin equal to export.json, verified, and each page kept as a PNG in both languages."""

from __future__ import annotations

import json

from impactkit.demo import DEMO_PASSWORD, load_demo, load_demo_report, load_demo_responses
from impactkit.reports import ReportContent, verify_bytes
from impactkit.reports.documents import embedded_document, render_docx, render_pdf
from impactkit.store.db import session_scope
from impactkit.store.surveys import publish_shipped_forms
from tests.conftest import LiveServer
from tests.documents_helpers import docx_text, expected_figures, flat, missing_from, pages_as_png, pdf_text
from tests.integration.pages.web import sign_in

OWNER, EVALUATOR, FUNDER = "owner@coop-aurora.demo", "evaluator@demo.impactkit.org", "funder@fondazione.demo"


def _demo(live_server: LiveServer) -> tuple[int, dict[str, str]]:
    with session_scope(live_server.engine) as session:
        publish_shipped_forms(session)
    demo = load_demo(live_server.engine, live_server.settings.secret_key)
    load_demo_responses(live_server.engine)
    load_demo_report(live_server.engine)
    reports = live_server.client(demo.tokens[OWNER]).get("/api/v1/reports").json()
    return int(reports[0]["id"]), demo.tokens


def test_the_demo_report_as_a_sealed_pdf_for_each_party(live_server: LiveServer) -> None:
    report_id, tokens = _demo(live_server)
    frozen = live_server.client(tokens[FUNDER]).get(f"/api/v1/reports/{report_id}/export.json")
    assert frozen.status_code == 200
    document = json.loads(frozen.content)
    content = ReportContent.model_validate(document["content"])
    stamp = document["stamp"]

    api = live_server.client(tokens[OWNER]).get(f"/api/v1/reports/{report_id}/export.pdf")
    assert api.status_code == 200
    assert api.headers["content-type"] == "application/pdf"
    assert embedded_document(api.content) == frozen.content, "the JSON twin is export.json"
    assert verify_bytes(api.content).validated
    for email in (OWNER, EVALUATOR, FUNDER):
        page_client = live_server.client()
        sign_in(page_client, email, DEMO_PASSWORD)
        area = {OWNER: "", EVALUATOR: "/evaluator", FUNDER: "/funder"}[email]
        page = page_client.get(f"/app{area}/reports/{report_id}")
        assert f'href="/app/reports/{report_id}/report.pdf"' in page.text, email
        assert f'href="/app/reports/{report_id}/report.docx"' in page.text, email
        if email == OWNER:
            continue
        download = page_client.get(f"/app/reports/{report_id}/report.pdf")
        assert download.status_code == 200 and download.content.startswith(b"%PDF-"), email
        assert embedded_document(download.content) == frozen.content, email

    pdf = download.content
    text = pdf_text(pdf)
    assert missing_from(text, expected_figures(content)) == []
    assert stamp["evaluator"] in text and "Validazione e sigillo" in text
    squeezed = text.replace(" ", "")
    assert stamp["content_hash"] in squeezed, "the content hash is printed"
    assert document["seal"] in squeezed, "the document's seal is printed"

    docx = live_server.client(tokens[FUNDER]).get(f"/api/v1/reports/{report_id}/export.docx")
    assert docx.status_code == 200 and docx.headers["content-type"].endswith("wordprocessingml.document")
    words = docx_text(docx.content)
    assert missing_from(words, expected_figures(content)) == []
    assert stamp["evaluator"] in words and stamp["content_hash"] in words and document["seal"] in words
    english_docx = docx_text(render_docx(content.model_copy(update={"language": "en"}), None))
    assert "5. Objectives and activities" in english_docx

    result = verify_bytes(pdf)
    assert result.ok and result.content_hash == stamp["content_hash"]
    changed = bytearray(pdf)
    changed[len(pdf) // 2] ^= 0x20
    assert not verify_bytes(bytes(changed)).ok

    english = content.model_copy(update={"language": "en"})
    english_pdf = render_pdf(english, None)
    english_text = pdf_text(english_pdf)
    assert missing_from(english_text, expected_figures(english)) == []
    assert "Unvalidated draft" in english_text
    backend = live_server.engine.dialect.name
    italian_pages = pages_as_png(pdf, f"demo-report-it-{backend}")
    english_pages = pages_as_png(english_pdf, f"demo-report-en-{backend}")
    assert len(italian_pages) >= 10 and len(english_pages) >= 10
    assert flat("Bilancio sociale") in text


def test_other_parties_cannot_download_the_pdf(live_server: LiveServer) -> None:
    report_id, tokens = _demo(live_server)
    outsider = live_server.client(tokens["owner@aps-valli.demo"])
    assert outsider.get(f"/api/v1/reports/{report_id}/export.pdf").status_code == 404
    page_client = live_server.client()
    sign_in(page_client, "owner@aps-valli.demo", DEMO_PASSWORD)
    assert page_client.get(f"/app/reports/{report_id}/report.pdf").status_code == 404
    assert page_client.get(f"/app/reports/{report_id}/report.docx").status_code == 404
    assert outsider.get(f"/api/v1/reports/{report_id}/export.docx").status_code == 404
    assert live_server.client().get(f"/api/v1/reports/{report_id}/export.pdf").status_code == 401
