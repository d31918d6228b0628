"""The PDF door, hostile, over HTTP on both databases: a report whose sections hold markup that
names a listening address and local files is rendered by ``impactkit serve`` (the organisation's
download); the listener sees no request and the PDF holds no byte of the files (no SSRF, no local
file read), the text printed as typed. (The documents' own unit test checks the fetcher alone.)"""

from __future__ import annotations

import io
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from tests.reliability.conftest import Deployment

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


class _Listener(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        _Listener.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"body{}")

    def log_message(self, *args: Any) -> None:
        pass


def test_a_reports_pdf_fetches_nothing_its_text_names(deployment: Deployment) -> None:
    listener = HTTPServer(("127.0.0.1", 0), _Listener)
    port = listener.server_address[1]
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    _Listener.hits.clear()
    hostile = (
        f'<img src="http://127.0.0.1:{port}/img"> <link rel="stylesheet" href="http://127.0.0.1:{port}/css">'
        f' <style>@import url("http://127.0.0.1:{port}/import");</style> <img src="file:///etc/passwd">'
        ' <iframe src="file:///etc/hostname"></iframe> <svg><image href="file:///etc/passwd"/></svg>'
        f" ![x](http://127.0.0.1:{port}/markdown) [[http://127.0.0.1:{port}/wiki]]"
    )
    world = deployment.world
    server = deployment.start_server()
    owner = httpx.Client(
        base_url=server.base_url, timeout=300, headers={"Authorization": f"Bearer {world.tokens['owner_a']}"}
    )
    draft = owner.post(
        f"/api/v1/projects/{world.project_a}/reports",
        json={"period_id": world.period_a, "sections": {"methodology": hostile}},
    )
    assert draft.status_code == 201, draft.text
    started = time.perf_counter()
    pdf = owner.get(f"/api/v1/reports/{draft.json()['id']}/export.pdf")
    seconds = time.perf_counter() - started
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.text[:300]
    time.sleep(0.5)
    listener.shutdown()
    listener.server_close()
    owner.close()
    assert _Listener.hits == [], f"the renderer fetched {_Listener.hits}"
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "root:x:0:0" not in text and "root:" not in text, "a local file was read into the PDF"
    assert "file:///etc/passwd" in text.replace("\n", "").replace(" ", "") or "passwd" in text, (
        "printed as typed"
    )
    print(
        f"\n{deployment.engine.url.get_backend_name()}: PDF of {len(pdf.content):,} bytes in {seconds:.2f} s, 0 fetches"
    )
