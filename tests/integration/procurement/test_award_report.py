"""The contract's term and the award report over real HTTP on SQLite and PostgreSQL: the officer
awards with a term and a reason (refused without them or with the end before the start), delivery
outside the term is a 422 naming the field, and the verbale di aggiudicazione downloads as a sealed
PDF whose text holds every bid's score, the award, the reason, the term in Italian dates and the
evaluator's verification; one changed byte fails the seal; nobody but the authority gets it."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from impactkit.formats import Formats
from impactkit.procurement import make_terms, score_bids
from impactkit.reports import verify_bytes
from tests.conftest import LiveServer
from tests.documents_helpers import flat, pdf_text
from tests.integration.procurement.helpers import BID_A, BID_B, PDF, TENDER, TERM, create_tender, story


def _bid_both(live_server: LiveServer, world: Any, tender_id: int) -> dict[str, int]:
    bids = {}
    for key, org, offer in (("owner_a", world.org_a, BID_A), ("owner_b", world.org_b, BID_B)):
        placed = live_server.client(world.tokens[key]).post(
            f"/api/v1/tenders/{tender_id}/bids", json={"organisation_id": org, "commitments": offer}
        )
        assert placed.status_code == 201, placed.text
        bids[key] = placed.json()["id"]
    return bids


def _problems(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [e["location"] for e in response.json()["errors"]]


def test_an_award_needs_a_term_and_a_reason(live_server: LiveServer) -> None:
    s = story(live_server)
    officer = live_server.client(s.officer_token)
    tender = create_tender(officer, s.authority_id)
    bids = _bid_both(live_server, s.world, tender["id"])
    award = f"/api/v1/tenders/{tender['id']}/award"
    body = {"bid_ids": [bids["owner_b"]], **TERM}

    assert _problems(officer.post(award, json={**body, "ends_on": "2025-12-31"})) == ["ends_on"]
    for missing in ("starts_on", "ends_on", "reason"):
        locations = _problems(officer.post(award, json={k: v for k, v in body.items() if k != missing}))
        assert any(missing in where for where in locations), locations
    assert _problems(officer.post(award, json={**body, "reason": "   "})) == ["reason"]
    assert _problems(officer.post(award, json={**body, "starts_on": "2026-02-30"}))
    assert officer.get(f"/api/v1/tenders/{tender['id']}").json()["state"] == "open"  # nothing stored

    awarded = officer.post(award, json={**body, "reporting_months": 12})
    assert awarded.status_code == 200, awarded.text
    [contract] = awarded.json()
    assert (contract["starts_on"], contract["ends_on"], contract["reporting_months"]) == (
        "2026-01-01",
        "2027-12-31",
        12,
    )
    assert [(p["starts_on"], p["ends_on"]) for p in contract["reporting_periods"]] == [
        ("2026-01-01", "2026-12-31"),
        ("2027-01-01", "2027-12-31"),
    ]
    stored = officer.get(f"/api/v1/contracts/{contract['id']}").json()
    assert (stored["starts_on"], stored["ends_on"]) == ("2026-01-01", "2027-12-31")
    assert officer.get(f"/api/v1/tenders/{tender['id']}").json()["award_reason"] == TERM["reason"]

    # delivery outside the term is refused at the field that leaves it
    owner_b = live_server.client(s.world.tokens["owner_b"])
    deliveries = f"/api/v1/contracts/{contract['id']}/deliveries"
    period = {"period_label": "2026 H1", "starts_on": "2026-01-01", "ends_on": "2026-06-30", "delivered": {}}
    before = owner_b.post(deliveries, json={**period, "starts_on": "2025-12-01"})
    assert _problems(before) == ["starts_on"]
    assert before.json()["errors"][0]["code"] == "outside_term"
    assert _problems(owner_b.post(deliveries, json={**period, "ends_on": "2028-01-31"})) == ["ends_on"]
    assert _problems(
        owner_b.post(deliveries, json={**period, "starts_on": "2025-01-01", "ends_on": "2028-12-31"})
    ) == ["starts_on", "ends_on"]
    assert officer.get(f"/api/v1/contracts/{contract['id']}").json()["deliveries"] == []
    inside = owner_b.post(deliveries, json={**period, "starts_on": "2027-12-01", "ends_on": "2027-12-31"})
    assert inside.status_code == 201, inside.text


def test_the_award_report_holds_every_score_the_award_and_the_verified_delivery(
    live_server: LiveServer,
) -> None:
    s = story(live_server)
    world = s.world
    officer = live_server.client(s.officer_token)
    tender = create_tender(officer, s.authority_id)
    bids = _bid_both(live_server, world, tender["id"])
    report_pdf = f"/api/v1/tenders/{tender['id']}/award-report.pdf"

    # before the award: the bids and scores as of today, and says it is not awarded
    early = officer.get(report_pdf)
    assert early.status_code == 200 and early.content.startswith(b"%PDF-"), early.text[:300]
    assert "non ancora aggiudicata" in pdf_text(early.content)

    awarded = officer.post(
        f"/api/v1/tenders/{tender['id']}/award", json={"bid_ids": [bids["owner_b"]], **TERM}
    )
    assert awarded.status_code == 200, awarded.text
    contract = awarded.json()[0]["id"]
    owner_b = live_server.client(world.tokens["owner_b"])
    delivered = {"local_employment_disadvantaged": 1, "training_hours_youth": 90, "volunteering_hours": 120}
    report = owner_b.post(
        f"/api/v1/contracts/{contract}/deliveries",
        json={
            "period_label": "2026 H1",
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
            "delivered": delivered,
        },
    ).json()
    for measure_id in delivered:
        owner_b.post(
            f"/api/v1/deliveries/{report['id']}/evidence",
            data={"measure_id": measure_id},
            files={"file": (f"{measure_id}.pdf", PDF, "application/pdf")},
        )
    submitted = owner_b.post(
        f"/api/v1/deliveries/{report['id']}/submit", json={"evaluator_user_id": world.users["evaluator"]}
    )
    assert submitted.status_code == 200, submitted.text
    justification = "Primo semestre: il resto degli impegni è previsto nel 2027."
    verified = live_server.client(world.tokens["evaluator"]).post(
        f"/api/v1/deliveries/{report['id']}/verify",
        json={"justifications": {"commitments_delivered": justification}},
    )
    assert verified.status_code == 200, verified.text

    download = officer.get(report_pdf)
    assert download.status_code == 200, download.text[:300]
    assert download.headers["content-type"].startswith("application/pdf")
    assert f"verbale-gara-{tender['id']}.pdf" in download.headers["content-disposition"]
    text = pdf_text(download.content)
    it = Formats("it")
    engine = score_bids(make_terms(TENDER["title"], TENDER["measures"]), {"A": BID_A, "B": BID_B})
    wanted = [
        "Verbale di aggiudicazione — valutazione del valore sociale",
        "Comune di Pinerolo",
        TENDER["title"],
        "Cooperativa A",
        "Associazione B",
        *[f"{it.number(score.points, 2)} / {it.number(score.max_points)}" for score in engine],
        # how one score was computed: weight × quantity / best offer = points
        f"8 × 100 / 200 = {it.number(4, 2)}",
        "Aggiudicataria",
        TERM["reason"],
        "Ufficio gare (officer)",
        "dal 1 gennaio 2026 al 31 dicembre 2027",
        it.date(date(2026, 6, 30)),
        verified.json()["content_hash"],
        justification,
        "evaluator (Test body",
    ]
    missing = [w for w in wanted if flat(w) not in text]
    assert not missing, f"not in the PDF: {missing}\n{text[-2500:]}"

    assert verify_bytes(download.content).ok, verify_bytes(download.content).message
    assert "award report of tender" in verify_bytes(download.content).message
    changed = bytearray(download.content)
    changed[len(changed) // 2] ^= 0x01
    assert not verify_bytes(bytes(changed)).ok

    english = officer.get(report_pdf, params={"language": "en"})
    assert english.status_code == 200
    english_text = pdf_text(english.content)
    assert "Award report — social-value assessment" in english_text
    assert "from 1 January 2026 to 31 December 2027" in english_text

    # only the authority that owns the tender (and administrators): 404 for everyone else
    for key in ("owner_a", "owner_b", "evaluator", "funder_a"):
        assert live_server.client(world.tokens[key]).get(report_pdf).status_code == 404, key
    assert live_server.client(world.tokens["admin"]).get(report_pdf).status_code == 200


def test_another_authority_gets_404_for_the_award_report(live_server: LiveServer) -> None:
    from tests.integration.procurement.helpers import authority_user

    s = story(live_server)
    tender = create_tender(live_server.client(s.officer_token), s.authority_id)
    admin = live_server.client(s.world.tokens["admin"])
    other = admin.post("/api/v1/authorities", json={"name": "Comune di Susa", "kind": "public_body"}).json()
    other_id, other_token = authority_user(live_server, "susa")
    assert (
        admin.post(f"/api/v1/authorities/{other['id']}/members", json={"user_id": other_id}).status_code
        == 201
    )
    response = live_server.client(other_token).get(f"/api/v1/tenders/{tender['id']}/award-report.pdf")
    assert response.status_code == 404
    assert "application/problem+json" in response.headers["content-type"]


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_award_report_page_download_is_the_authoritys(live_server: LiveServer, language: str) -> None:
    from tests.integration.procurement.test_procurement_pages import signed_in

    s = story(live_server)
    tender = create_tender(live_server.client(s.officer_token), s.authority_id)
    page = signed_in(live_server, "officer@comune.example.org")
    tender_page = page.get(f"/app/procurement/tenders/{tender['id']}?lang={language}")
    assert tender_page.status_code == 200
    link = f"/app/procurement/tenders/{tender['id']}/award-report.pdf"
    assert link in tender_page.text
    download = page.get(f"{link}?lang={language}")
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    assert verify_bytes(download.content).ok
    title = "Verbale di aggiudicazione" if language == "it" else "Award report"
    assert title in pdf_text(download.content)
    bidder = signed_in(live_server, "owner_a@example.org")
    assert link not in bidder.get(f"/app/procurement/tenders/{tender['id']}").text
    assert bidder.get(link).status_code == 404
