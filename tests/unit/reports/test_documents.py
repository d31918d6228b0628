"""Report documents from plain content: the renderer fetches nothing a user typed, a changed byte
fails verification, the JSON twin comes back out."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from impactkit.reports import ReportContent, ValidationStamp, frozen_document, load_content, verify_bytes
from impactkit.reports.cli import report as report_cli
from impactkit.reports.documents import build_view, embedded_document, locked_fetcher, render_pdf, report_html
from tests.documents_helpers import pdf_text
from tests.unit.reports.helpers import report_data

HOSTILE = (
    '<img src="http://127.0.0.1:{port}/x"> <link rel="stylesheet" href="http://127.0.0.1:{port}/s.css">'
    ' <img src="file:///etc/passwd"> <style>body {{ background: url("http://127.0.0.1:{port}/bg") }}</style>'
    ' <div style="background-image: url(file:///etc/passwd)">x</div> <svg><image href="file:///etc/passwd"/></svg>'
)


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    _Recorder.hits = []
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Recorder.hits
    server.shutdown()
    server.server_close()


def test_user_text_with_urls_is_printed_as_text_and_nothing_is_fetched(
    listener: tuple[int, list[str]],
) -> None:
    port, hits = listener
    hostile = HOSTILE.format(port=port)
    data = report_data()
    data["sections"] = {key: hostile for key in data["sections"]}
    data["organisation"]["name"] = f'Coop <img src="http://127.0.0.1:{port}/name">'
    content = load_content(data)
    html = report_html(build_view(content, None))
    assert "<img" not in html and "<style>body" not in html and "<link" not in html, "user text is escaped"
    fetcher = locked_fetcher()
    pdf = render_pdf(content, None, fetcher=fetcher)
    assert hits == [], f"the renderer reached the network: {hits}"
    assert fetcher.refused == [], "no URL ever reaches the fetcher: user text stays text"
    text = pdf_text(pdf)
    assert "file:///etc/passwd" in text and f"http://127.0.0.1:{port}/x" in text, "printed as typed"
    assert "root:x:0:0" not in text


def test_the_locked_fetcher_refuses_every_scheme() -> None:
    fetcher = locked_fetcher()
    for url in (
        "http://127.0.0.1:9/x",
        "file:///etc/passwd",
        "data:text/plain,hello",
        "https://example.org/",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 4


def test_an_html_document_with_outside_references_renders_without_fetching(
    listener: tuple[int, list[str]],
) -> None:
    from weasyprint import HTML

    port, hits = listener
    fetcher = locked_fetcher()
    HTML(string=HOSTILE.format(port=port), url_fetcher=fetcher).write_pdf()
    assert hits == []
    assert any("127.0.0.1" in url for url in fetcher.refused)
    assert any(url.startswith("file:") for url in fetcher.refused)


def test_a_sealed_pdf_verifies_and_any_changed_byte_fails(
    content: ReportContent, stamp: ValidationStamp, tmp_path: Path
) -> None:
    pdf = render_pdf(content, stamp)
    assert verify_bytes(pdf).ok and verify_bytes(pdf).validated
    assert embedded_document(pdf) == frozen_document(content, stamp)
    for position in (10, len(pdf) // 3, len(pdf) // 2, len(pdf) - 100):
        changed = bytearray(pdf)
        changed[position] ^= 0x01
        result = verify_bytes(bytes(changed))
        assert not result.ok, position
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    runner = CliRunner()
    passed = runner.invoke(report_cli, ["verify", str(path)])
    assert passed.exit_code == 0 and passed.output.startswith("verified: sha256 " + stamp.content_hash)
    path.write_bytes(pdf[:2000] + (b"X" if pdf[2000:2001] != b"X" else b"Y") + pdf[2001:])
    failed = runner.invoke(report_cli, ["verify", str(path)])
    assert failed.exit_code == 1 and "changed since export" in failed.output
    path.write_bytes(pdf[: pdf.rindex(b"%impactkit-seal")])
    unsealed = runner.invoke(report_cli, ["verify", str(path)])
    assert unsealed.exit_code == 1 and "no impactkit seal" in unsealed.output


def test_a_draft_pdf_says_so_and_carries_no_stamp(content: ReportContent) -> None:
    pdf = render_pdf(content, None)
    result = verify_bytes(pdf)
    assert result.ok and not result.validated and "unvalidated draft" in result.message
    assert json.loads(embedded_document(pdf) or b"{}")["stamp"] is None
    assert "BOZZA" in pdf_text(pdf)


def test_the_pdf_is_tagged_with_its_language_and_title(
    content: ReportContent, stamp: ValidationStamp
) -> None:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(render_pdf(content, stamp)))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "it"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title.startswith("Bilancio sociale — Cooperativa Il Sole")
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()


def test_the_vocabulary_examples_hold() -> None:
    import doctest

    from impactkit.reports import vocabulary

    assert doctest.testmod(vocabulary).failed == 0
