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


def test_the_award_reports_pdf_fetches_nothing_its_text_names(deployment: Deployment) -> None:
    """The verbale di aggiudicazione: the tender's title and description, a measure's evidence, the
    award's reason, a bidder's name and the evaluator's justification all hold the hostile markup; the
    authority downloads the PDF over HTTP, the listener sees no request, no local file is read."""
    from impactkit.reports import verify_bytes
    from impactkit.store.db import session_scope
    from impactkit.store.tables import Organisation
    from tests.integration.procurement.helpers import BID_A, PDF, TENDER, TERM
    from tests.reliability.test_hostile_tenders import officer

    listener = HTTPServer(("127.0.0.1", 0), _Listener)
    port = listener.server_address[1]
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    _Listener.hits.clear()
    hostile = (
        f'<img src="http://127.0.0.1:{port}/img"> <link rel="stylesheet" href="http://127.0.0.1:{port}/css">'
        f' <style>@import url("http://127.0.0.1:{port}/import");</style> <img src="file:///etc/passwd">'
        ' <iframe src="file:///etc/hostname"></iframe> <svg><image href="file:///etc/passwd"/></svg>'
        f" ![x](http://127.0.0.1:{port}/markdown) url(http://127.0.0.1:{port}/url)"
    )
    world = deployment.world
    with session_scope(deployment.engine) as session:
        organisation = session.get(Organisation, world.org_a)
        assert organisation is not None
        organisation.name = f'<object data="http://127.0.0.1:{port}/org"></object> Cooperativa A'
        session.add(organisation)
    server = deployment.start_server()

    clients: list[httpx.Client] = []

    def client(token: str) -> httpx.Client:
        made = httpx.Client(
            base_url=server.base_url, timeout=300, headers={"Authorization": f"Bearer {token}"}
        )
        clients.append(made)
        return made

    admin = client(world.tokens["admin"])
    created = admin.post("/api/v1/authorities", json={"name": "Comune di Pinerolo", "kind": "public_body"})
    assert created.status_code == 201, created.text
    officer_id, token = officer(deployment, "officer_pdf")
    assert (
        admin.post(
            f"/api/v1/authorities/{created.json()['id']}/members", json={"user_id": officer_id}
        ).status_code
        == 201
    )
    authority = client(token)
    measures = [dict(m) for m in TENDER["measures"]]  # type: ignore[union-attr]
    measures[0]["evidence"] = hostile[:2000]
    tender = authority.post(
        f"/api/v1/authorities/{created.json()['id']}/tenders",
        json={**TENDER, "title": hostile[:300], "description": hostile, "measures": measures},
    )
    assert tender.status_code == 201, tender.text
    tender_id = tender.json()["id"]
    owner_a = client(world.tokens["owner_a"])
    bid = owner_a.post(
        f"/api/v1/tenders/{tender_id}/bids", json={"organisation_id": world.org_a, "commitments": BID_A}
    )
    assert bid.status_code == 201, bid.text
    awarded = authority.post(
        f"/api/v1/tenders/{tender_id}/award", json={"bid_ids": [bid.json()["id"]], **TERM, "reason": hostile}
    )
    assert awarded.status_code == 200, awarded.text
    contract = awarded.json()[0]["id"]
    report = owner_a.post(
        f"/api/v1/contracts/{contract}/deliveries",
        json={
            "period_label": "H1 <img src=x>",
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
            "delivered": {"volunteering_hours": 10},
        },
    ).json()
    owner_a.post(
        f"/api/v1/deliveries/{report['id']}/evidence",
        data={"measure_id": "volunteering_hours"},
        files={"file": ("ore.pdf", PDF, "application/pdf")},
    )
    owner_a.post(
        f"/api/v1/deliveries/{report['id']}/submit", json={"evaluator_user_id": world.users["evaluator"]}
    )
    verified = client(world.tokens["evaluator"]).post(
        f"/api/v1/deliveries/{report['id']}/verify",
        json={"comments": hostile, "justifications": {"commitments_delivered": hostile}},
    )
    assert verified.status_code == 200, verified.text
    started = time.perf_counter()
    pdf = authority.get(f"/api/v1/tenders/{tender_id}/award-report.pdf")
    seconds = time.perf_counter() - started
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.text[:300]
    time.sleep(0.5)
    listener.shutdown()
    listener.server_close()
    for made in clients:
        made.close()
    assert _Listener.hits == [], f"the renderer fetched {_Listener.hits}"
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "root:x:0:0" not in text and "root:" not in text, "a local file was read into the PDF"
    squeezed = text.replace("\n", "").replace(" ", "")
    assert "file:///etc/passwd" in squeezed and f"127.0.0.1:{port}/import" in squeezed, "printed as typed"
    assert verify_bytes(pdf.content).ok
    print(
        f"\n{deployment.engine.url.get_backend_name()}: award report PDF of {len(pdf.content):,} bytes "
        f"in {seconds:.2f} s, 0 fetches"
    )
