"""The procurement story's data: an authority with its officer, a tender, bids, a workbook bid."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import httpx
import openpyxl

from impactkit.store import admin as svc
from impactkit.store import schemas as s
from impactkit.store.db import session_scope
from tests.conftest import LiveServer
from tests.factories import World, build_world

TENDER = {
    "title": "Servizio di ristorazione scolastica 2026–2028",
    "description": "Mense delle scuole primarie del Comune.",
    "measures": [
        {
            "measure_id": "local_employment_disadvantaged",
            "weight": 12,
            "minimum": 2,
            "evidence": "Elenco anonimizzato delle assunzioni.",
        },
        {"measure_id": "training_hours_youth", "weight": 8},
        {"measure_id": "volunteering_hours", "weight": 5, "deadweight": 0.1, "attribution": 0.2},
    ],
}
TERM = {
    "starts_on": "2026-01-01",
    "ends_on": "2027-12-31",
    "reason": "Punteggio di valore sociale più alto; prezzo e qualità tecnica valutati a parte.",
}
"""What an award carries beside the bids: the contract's term and the authority's reason."""
BID_A = {"local_employment_disadvantaged": 4, "training_hours_youth": 100, "volunteering_hours": 50}
BID_B = {"local_employment_disadvantaged": 2, "training_hours_youth": 200, "volunteering_hours": 200}


@dataclass
class Story:
    world: World
    authority_id: int
    officer_token: str
    officer_id: int


def authority_user(live_server: LiveServer, key: str = "officer") -> tuple[int, str]:
    with session_scope(live_server.engine) as session:
        user = svc.create_user(
            session,
            s.UserIn(
                email=f"{key}@comune.example.org",
                name=f"Ufficio gare ({key})",
                password="correct horse battery",
            ),
        )
        assert user.id is not None
        _, token = svc.create_token(session, user.id, s.TokenIn(name="test"))
        return user.id, token


def story(live_server: LiveServer, world: World | None = None) -> Story:
    """The world, plus a municipality as contracting authority with its procurement officer."""
    world = world or build_world(live_server.engine)
    admin = live_server.client(world.tokens["admin"])
    created = admin.post("/api/v1/authorities", json={"name": "Comune di Pinerolo", "kind": "public_body"})
    assert created.status_code == 201, created.text
    officer_id, token = authority_user(live_server)
    granted = admin.post(f"/api/v1/authorities/{created.json()['id']}/members", json={"user_id": officer_id})
    assert granted.status_code == 201, granted.text
    world.tokens["authority"] = token
    world.users["authority"] = officer_id
    return Story(world, created.json()["id"], token, officer_id)


def create_tender(officer: httpx.Client, authority_id: int, **overrides: Any) -> dict[str, Any]:
    response = officer.post(f"/api/v1/authorities/{authority_id}/tenders", json={**TENDER, **overrides})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def filled_template(template: bytes, quantities: dict[str, object]) -> bytes:
    """The downloaded template with column E written, as a bidder would in Excel."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.active
    assert sheet is not None
    for row in range(5, sheet.max_row + 1):
        measure_id = sheet.cell(row=row, column=1).value
        if measure_id in quantities:
            sheet.cell(row=row, column=5, value=quantities[str(measure_id)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def prepare_matrix(live_server: LiveServer, world: World) -> dict[str, int]:
    """Ids the access matrix needs: an open tender with A's bid, one to award, a contract of A with
    a report submitted to ``evaluator`` (with evidence) and two drafts, a spare authority member."""
    s = story(live_server, world)
    officer = live_server.client(s.officer_token)
    owner_a = live_server.client(world.tokens["owner_a"])
    ids: dict[str, int] = {"authority": s.authority_id}
    for key in ("tender_open", "tender_award", "tender_contract"):
        ids[key] = create_tender(officer, s.authority_id, title=key)["id"]
        placed = owner_a.post(
            f"/api/v1/tenders/{ids[key]}/bids", json={"organisation_id": world.org_a, "commitments": BID_A}
        )
        assert placed.status_code == 201, placed.text
        ids[f"bid_{key}"] = placed.json()["id"]
    ids["bid_a"] = ids["bid_tender_open"]
    awarded = officer.post(
        f"/api/v1/tenders/{ids['tender_contract']}/award",
        json={"bid_ids": [ids["bid_tender_contract"]], **TERM},
    )
    assert awarded.status_code == 200, awarded.text
    ids["contract_a"] = awarded.json()[0]["id"]
    for key in ("delivery_submitted", "delivery_draft", "delivery_to_submit"):
        report = owner_a.post(
            f"/api/v1/contracts/{ids['contract_a']}/deliveries",
            json={
                "period_label": key,
                "starts_on": "2026-01-01",
                "ends_on": "2026-06-30",
                "delivered": {"volunteering_hours": 10},
            },
        )
        assert report.status_code == 201, report.text
        ids[key] = report.json()["id"]
    evidence = owner_a.post(
        f"/api/v1/deliveries/{ids['delivery_submitted']}/evidence",
        data={"measure_id": "volunteering_hours"},
        files={"file": ("ore.pdf", PDF, "application/pdf")},
    )
    assert evidence.status_code == 201, evidence.text
    ids["evidence"] = evidence.json()["id"]
    submitted = owner_a.post(
        f"/api/v1/deliveries/{ids['delivery_submitted']}/submit",
        json={"evaluator_user_id": world.users["evaluator"]},
    )
    assert submitted.status_code == 200, submitted.text
    spare_id, _ = authority_user(live_server, "spare-officer")
    granted = live_server.client(world.tokens["admin"]).post(
        f"/api/v1/authorities/{s.authority_id}/members", json={"user_id": spare_id}
    )
    assert granted.status_code == 201, granted.text
    ids["authority_spare"] = spare_id
    spare2, _ = authority_user(live_server, "spare-officer-2")
    ids["authority_candidate"] = spare2
    return ids
