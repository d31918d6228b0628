"""The procurement pages over real HTTP with signed-in sessions, on SQLite and PostgreSQL: the
authority creates a tender in its form, a bidder answers in the browser form (a bad answer is a 422
naming the field) and another by workbook, the authority sees both scored and awards."""

from __future__ import annotations

import re

import httpx

from tests.conftest import LiveServer
from tests.integration.pages.web import PASSWORD, csrf_of, sign_in
from tests.integration.procurement.helpers import BID_B, filled_template, story


def signed_in(live_server: LiveServer, email: str) -> httpx.Client:
    client = live_server.client(follow_redirects=True)
    assert sign_in(client, email, PASSWORD).status_code == 200
    return client


def test_tender_bids_scores_and_award_through_the_pages(live_server: LiveServer) -> None:
    s = story(live_server)
    officer = signed_in(live_server, "officer@comune.example.org")
    hub = officer.get("/app/procurement")
    assert hub.status_code == 200 and "Comune di Pinerolo" in hub.text
    form = officer.get(f"/app/procurement/authorities/{s.authority_id}/tenders/new")
    assert form.status_code == 200 and "contata, non monetizzata" in form.text
    fields = {
        "_csrf_token": csrf_of(form.text),
        "title": "Pulizia degli edifici comunali",
        "kind": "tender",
        "use_local_employment_disadvantaged": "on",
        "weight_local_employment_disadvantaged": "12",
        "minimum_local_employment_disadvantaged": "2",
        "use_volunteering_hours": "on",
        "weight_volunteering_hours": "5",
        "deadweight_volunteering_hours": "0,1",
        "attribution_volunteering_hours": "0,2",
    }
    missing_weight = officer.post(
        f"/app/procurement/authorities/{s.authority_id}/tenders",
        data={**fields, "weight_volunteering_hours": ""},
    )
    assert missing_weight.status_code == 422 and 'id="e-weight_volunteering_hours"' in missing_weight.text
    created = officer.post(f"/app/procurement/authorities/{s.authority_id}/tenders", data=fields)
    assert created.status_code == 200, created.text[:500]
    tender_id = int(re.search(r"/app/procurement/tenders/(\d+)", str(created.url))[1])  # type: ignore[index]

    owner_a = signed_in(live_server, "owner_a@example.org")
    page = owner_a.get(f"/app/procurement/tenders/{tender_id}")
    assert 'id="bid-form"' in page.text and 'id="scores"' not in page.text
    bad = owner_a.post(
        f"/app/procurement/tenders/{tender_id}/bid",
        data={
            "_csrf_token": csrf_of(page.text),
            "organisation_id": str(s.world.org_a),
            "q_local_employment_disadvantaged": "1",
            "q_volunteering_hours": "-3",
        },
    )
    assert bad.status_code == 422
    assert 'id="e-q_volunteering_hours"' in bad.text and "0 o più" in bad.text
    assert 'id="e-q_local_employment_disadvantaged"' in bad.text and "minimo" in bad.text
    good = owner_a.post(
        f"/app/procurement/tenders/{tender_id}/bid",
        data={
            "_csrf_token": csrf_of(page.text),
            "organisation_id": str(s.world.org_a),
            "q_local_employment_disadvantaged": "3",
            "q_volunteering_hours": "1.200,5",
        },
    )
    assert good.status_code == 200 and "Offerta registrata" in good.text

    owner_b = signed_in(live_server, "owner_b@example.org")
    page_b = owner_b.get(f"/app/procurement/tenders/{tender_id}")
    template = owner_b.get(f"/app/procurement/tenders/{tender_id}/bid-template.xlsx")
    assert template.status_code == 200
    wrong = owner_b.post(
        f"/app/procurement/tenders/{tender_id}/bid-workbook",
        data={"_csrf_token": csrf_of(page_b.text), "organisation_id": str(s.world.org_b)},
        files={
            "file": ("offerta.xlsx", filled_template(template.content, {**BID_B, "volunteering_hours": -1}))
        },
    )
    assert wrong.status_code == 422 and "Offerta!E6" in wrong.text
    uploaded = owner_b.post(
        f"/app/procurement/tenders/{tender_id}/bid-workbook",
        data={"_csrf_token": csrf_of(page_b.text), "organisation_id": str(s.world.org_b)},
        files={"file": ("offerta.xlsx", filled_template(template.content, BID_B))},
    )
    assert uploaded.status_code == 200, uploaded.text[:800]

    scores = officer.get(f"/app/procurement/tenders/{tender_id}")
    assert scores.text.count("data-bid-id=") == 2
    first = re.search(r'data-bid-id="(\d+)" data-organisation="([^"]+)"', scores.text)
    assert first and first[2] == "Cooperativa A"  # 12 + 5 points: the most of both measures
    term = {"starts_on": "2026-03-01", "ends_on": "28/02/2027", "reporting_months": "3"}
    reason = "Il punteggio di valore sociale più alto."
    award = f"/app/procurement/tenders/{tender_id}/award"
    base = {"_csrf_token": csrf_of(scores.text), "bid_id": first[1], "confirmed": "yes"}
    inverted = officer.post(award, data={**base, **term, "ends_on": "2026-01-31", "reason": reason})
    assert inverted.status_code == 422 and 'id="e-ends_on"' in inverted.text
    assert 'value="Il punteggio di valore sociale più alto."' in inverted.text or reason in inverted.text
    unexplained = officer.post(award, data={**base, **term})
    assert unexplained.status_code == 422 and 'id="e-reason"' in unexplained.text
    undated = officer.post(award, data={**base, "reason": reason})
    assert (
        undated.status_code == 422 and 'id="e-starts_on"' in undated.text and 'id="e-ends_on"' in undated.text
    )
    assert officer.get(f"/app/procurement/tenders/{tender_id}").text.count('id="award"') == 1  # still open
    awarded = officer.post(award, data={**base, **term, "reason": reason})
    assert awarded.status_code == 200 and "aggiudicata" in awarded.text
    assert "dal 1 marzo 2026 al 28 febbraio 2027" in awarded.text and reason in awarded.text
    contract_id = re.search(r'id="contract-(\d+)"', awarded.text)[1]  # type: ignore[index]
    contract = officer.get(f"/app/procurement/contracts/{contract_id}")
    assert "dal 1 marzo 2026 al 28 febbraio 2027" in contract.text and "ogni 3 mesi" in contract.text
    assert contract.text.count('data-starts="') == 4  # four quarters
    english = officer.get(f"/app/procurement/contracts/{contract_id}?lang=en")
    assert "from 1 March 2026 to 28 February 2027" in english.text
    workbook = officer.get(f"/app/procurement/authorities/{s.authority_id}/procurement.xlsx")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    assert owner_b.get(f"/app/procurement/authorities/{s.authority_id}/procurement.xlsx").status_code == 404


def test_a_co_design_agreement_is_awarded_to_several_partners_without_javascript(
    live_server: LiveServer,
) -> None:
    from tests.integration.procurement.helpers import BID_A, create_tender

    s = story(live_server)
    tender = create_tender(
        live_server.client(s.officer_token), s.authority_id, kind="co_design", title="Centri estivi"
    )
    for key, org, offer in (("owner_a", s.world.org_a, BID_A), ("owner_b", s.world.org_b, BID_B)):
        placed = live_server.client(s.world.tokens[key]).post(
            f"/api/v1/tenders/{tender['id']}/bids", json={"organisation_id": org, "commitments": offer}
        )
        assert placed.status_code == 201, placed.text
    officer = signed_in(live_server, "officer@comune.example.org")
    page = officer.get(f"/app/procurement/tenders/{tender['id']}")
    boxes = re.findall(r'type="checkbox" name="(bid_\d+)" value="on"', page.text)
    assert len(boxes) == 2
    asked = officer.post(
        f"/app/procurement/tenders/{tender['id']}/award",
        data={
            "_csrf_token": csrf_of(page.text),
            **dict.fromkeys(boxes, "on"),
            "starts_on": "2026-06-01",
            "ends_on": "2026-09-30",
            "reason": "Entrambi i partner coprono zone diverse.",
        },
    )
    assert asked.status_code == 200 and 'name="confirmed" value="yes"' in asked.text  # the question, no JS
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', asked.text))
    fields["_csrf_token"] = csrf_of(asked.text)
    done = officer.post(f"/app/procurement/tenders/{tender['id']}/award", data=fields)
    assert done.status_code == 200 and len(re.findall(r'id="contract-\d+"', done.text)) == 2
