"""Social procurement over real HTTP on SQLite and PostgreSQL: the authority creates a tender, two
organisations bid (JSON and workbook), scores side by side, award, the supplier reports two periods
with evidence, an evaluator verifies, the authority's workbook; bad bids named by field or cell."""

from __future__ import annotations

import io

import openpyxl
import pytest

from impactkit.procurement import delivery_lines, make_terms, score_bids
from tests.conftest import LiveServer
from tests.integration.procurement.helpers import (
    BID_A,
    BID_B,
    PDF,
    TENDER,
    TERM,
    create_tender,
    filled_template,
    story,
)


def test_the_whole_story_from_tender_to_verified_delivery(live_server: LiveServer) -> None:
    s = story(live_server)
    world = s.world
    officer = live_server.client(s.officer_token)
    tender = create_tender(officer, s.authority_id)
    assert tender["state"] == "open" and tender["terms"]["measure_set"] == "procurement-measures@2026.1"
    volunteering = tender["terms"]["measures"][2]["unit_value"]
    assert volunteering["value"] == 18.57 and "Ministero del Lavoro" in volunteering["source"]
    assert tender["terms"]["measures"][0]["unit_value"] is None  # counted, not monetised

    # organisation A bids in JSON (as the browser's form does), organisation B by workbook
    owner_a = live_server.client(world.tokens["owner_a"])
    placed = owner_a.post(
        f"/api/v1/tenders/{tender['id']}/bids", json={"organisation_id": world.org_a, "commitments": BID_A}
    )
    assert placed.status_code == 201, placed.text
    owner_b = live_server.client(world.tokens["owner_b"])
    template = owner_b.get(f"/api/v1/tenders/{tender['id']}/bid-template.xlsx")
    assert template.status_code == 200
    uploaded = owner_b.post(
        f"/api/v1/tenders/{tender['id']}/bids/workbook",
        data={"organisation_id": str(world.org_b)},
        files={"file": ("offerta.xlsx", filled_template(template.content, BID_B))},
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["source"] == "workbook"

    # B cannot see A's bid; the authority sees both, scored side by side
    assert owner_b.get(f"/api/v1/bids/{placed.json()['id']}").status_code == 404
    assert owner_a.get(f"/api/v1/tenders/{tender['id']}/scores").status_code == 404
    scores = officer.get(f"/api/v1/tenders/{tender['id']}/scores").json()
    engine = score_bids(make_terms(TENDER["title"], TENDER["measures"]), {"A": BID_A, "B": BID_B})
    assert [(row["organisation"], row["points"]) for row in scores] == [
        ("Associazione B", engine[0].points),
        ("Cooperativa A", engine[1].points),
    ]
    assert scores[0]["net_value"] == pytest.approx(200 * 18.57 * 0.9 * 0.8)

    # award to B; B reports two periods with evidence; an evaluator verifies both
    awarded = officer.post(
        f"/api/v1/tenders/{tender['id']}/award", json={"bid_ids": [scores[0]["bid_id"]], **TERM}
    )
    assert awarded.status_code == 200, awarded.text
    contract = awarded.json()[0]
    assert owner_a.get(f"/api/v1/contracts/{contract['id']}").status_code == 404
    late = owner_a.post(
        f"/api/v1/tenders/{tender['id']}/bids", json={"organisation_id": world.org_a, "commitments": BID_A}
    )
    assert late.status_code == 409

    periods = [
        (
            "2026 H1",
            "2026-01-01",
            "2026-06-30",
            {"local_employment_disadvantaged": 1, "training_hours_youth": 90, "volunteering_hours": 120},
        ),
        (
            "2026 H2",
            "2026-07-01",
            "2026-12-31",
            {"local_employment_disadvantaged": 1, "training_hours_youth": 120, "volunteering_hours": 60},
        ),
    ]
    evaluator = live_server.client(world.tokens["evaluator"])
    for label, starts, ends, delivered in periods:
        report = owner_b.post(
            f"/api/v1/contracts/{contract['id']}/deliveries",
            json={"period_label": label, "starts_on": starts, "ends_on": ends, "delivered": delivered},
        )
        assert report.status_code == 201, report.text
        report_id = report.json()["id"]
        for measure_id in delivered:
            attached = owner_b.post(
                f"/api/v1/deliveries/{report_id}/evidence",
                data={"measure_id": measure_id},
                files={"file": (f"{measure_id}.pdf", PDF, "application/pdf")},
            )
            assert attached.status_code == 201, attached.text
        assert (
            evaluator.get(f"/api/v1/deliveries/{report_id}").status_code == 404
        )  # not submitted to them yet
        submitted = owner_b.post(
            f"/api/v1/deliveries/{report_id}/submit", json={"evaluator_user_id": world.users["evaluator"]}
        )
        assert submitted.status_code == 200, submitted.text
        assert (
            live_server.client(world.tokens["evaluator_other"])
            .post(f"/api/v1/deliveries/{report_id}/verify", json={})
            .status_code
            == 404
        )
        checks = {c["id"]: c for c in evaluator.get(f"/api/v1/deliveries/{report_id}/checklist").json()}
        assert checks["evidence_for_every_delivery"]["status"] == "pass"
        justification = {}
        if checks["commitments_delivered"]["status"] == "fail":
            refused = evaluator.post(f"/api/v1/deliveries/{report_id}/verify", json={})
            assert refused.status_code == 409
            assert refused.json()["errors"][0]["location"] == "justifications.commitments_delivered"
            justification = {
                "commitments_delivered": "Half-way through the contract: the rest is due in 2027."
            }
        verified = evaluator.post(
            f"/api/v1/deliveries/{report_id}/verify", json={"justifications": justification}
        )
        assert verified.status_code == 200, verified.text
        body = verified.json()
        assert body["state"] == "verified" and len(body["content_hash"]) == 64
        assert body["stamp"]["accreditation_number"] == "ACC-evaluator"
        again = owner_b.post(
            f"/api/v1/contracts/{contract['id']}/deliveries",
            json={"period_label": label, "starts_on": starts, "ends_on": ends, "delivered": delivered},
        )
        assert again.status_code == 409  # a verified period never changes

    # committed vs delivered, for the authority and in its workbook
    view = officer.get(f"/api/v1/contracts/{contract['id']}").json()
    expected = delivery_lines(make_terms(TENDER["title"], TENDER["measures"]), BID_B, [p[3] for p in periods])
    assert [(line["measure_id"], line["delivered"]) for line in view["lines"]] == [
        (line.measure_id, line.delivered) for line in expected
    ]
    assert [d["state"] for d in view["deliveries"]] == ["verified", "verified"]
    workbook = officer.get(f"/api/v1/authorities/{s.authority_id}/procurement.xlsx")
    assert workbook.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(workbook.content), data_only=True)
    assert book.sheetnames == ["Offerte", "Contratti", "Riepilogo"]
    assert owner_b.get(f"/api/v1/authorities/{s.authority_id}/procurement.xlsx").status_code == 404


@pytest.mark.parametrize(
    ("commitments", "location", "code"),
    [
        ({**BID_A, "training_hours_youth": -5}, "commitments.training_hours_youth", "negative_quantity"),
        ({**BID_A, "emissions_avoided": 3}, "commitments.emissions_avoided", "measure_not_in_tender"),
        (
            {**BID_A, "local_employment_disadvantaged": 1},
            "commitments.local_employment_disadvantaged",
            "below_minimum",
        ),
    ],
)
def test_a_bad_bid_is_a_422_naming_the_field(
    live_server: LiveServer, commitments: dict[str, float], location: str, code: str
) -> None:
    s = story(live_server)
    tender = create_tender(live_server.client(s.officer_token), s.authority_id)
    response = live_server.client(s.world.tokens["owner_a"]).post(
        f"/api/v1/tenders/{tender['id']}/bids",
        json={"organisation_id": s.world.org_a, "commitments": commitments},
    )
    assert response.status_code == 422, response.text
    assert [(e["location"], e["code"]) for e in response.json()["errors"]] == [(location, code)]


def test_a_bad_workbook_bid_is_a_422_naming_the_cell(live_server: LiveServer) -> None:
    s = story(live_server)
    tender = create_tender(live_server.client(s.officer_token), s.authority_id)
    owner = live_server.client(s.world.tokens["owner_a"])
    template = owner.get(f"/api/v1/tenders/{tender['id']}/bid-template.xlsx").content

    def upload(content: bytes, name: str = "offerta.xlsx") -> list[tuple[str, str]]:
        response = owner.post(
            f"/api/v1/tenders/{tender['id']}/bids/workbook",
            data={"organisation_id": str(s.world.org_a)},
            files={"file": (name, content)},
        )
        assert response.status_code == 422, response.text
        return [(e["location"], e["code"]) for e in response.json()["errors"]]

    assert upload(filled_template(template, {**BID_A, "training_hours_youth": -1})) == [
        ("Offerta!E6", "negative_quantity")
    ]
    assert upload(filled_template(template, {**BID_A, "local_employment_disadvantaged": 0})) == [
        ("Offerta!E5", "below_minimum")
    ]
    other = openpyxl.Workbook()
    out = io.BytesIO()
    other.save(out)
    assert upload(out.getvalue()) == [("offerta.xlsx", "wrong_layout")]
    assert upload(b"a,b\n1,2\n", "offerta.csv") == [("offerta.csv", "not_xlsx")]


def test_only_administrators_create_authorities_and_grant_the_role(live_server: LiveServer) -> None:
    s = story(live_server)
    owner = live_server.client(s.world.tokens["owner_a"])
    assert (
        owner.post("/api/v1/authorities", json={"name": "Comune X", "kind": "public_body"}).status_code == 403
    )
    assert owner.post(f"/api/v1/authorities/{s.authority_id}/tenders", json=TENDER).status_code == 404
    officer = live_server.client(s.officer_token)
    assert [a["name"] for a in officer.get("/api/v1/authorities").json()] == ["Comune di Pinerolo"]
    assert owner.get("/api/v1/authorities").json() == []
    admin = live_server.client(s.world.tokens["admin"])
    removed = admin.delete(f"/api/v1/authorities/{s.authority_id}/members/{s.officer_id}")
    assert removed.status_code == 204
    assert officer.post(f"/api/v1/authorities/{s.authority_id}/tenders", json=TENDER).status_code == 404


def test_co_design_partners_agree_outcomes_and_their_reports_feed_the_authoritys_view(
    live_server: LiveServer,
) -> None:
    """Art. 55: the same measures, several partners awarded, each partner's periods in the view;
    a period returned by the evaluator is corrected and verified; evidence of the wrong kind is refused."""
    s = story(live_server)
    world = s.world
    officer = live_server.client(s.officer_token)
    agreement = create_tender(
        officer,
        s.authority_id,
        title="Co-progettazione centri estivi in valle",
        kind="co_design",
        measures=[
            {"measure_id": "mountain_rural_initiatives", "weight": 0},
            {"measure_id": "volunteering_hours", "weight": 0},
        ],
    )
    partners = {}
    for key, org, offer in (
        ("owner_a", world.org_a, {"mountain_rural_initiatives": 4, "volunteering_hours": 100}),
        ("owner_b", world.org_b, {"mountain_rural_initiatives": 6, "volunteering_hours": 50}),
    ):
        placed = live_server.client(world.tokens[key]).post(
            f"/api/v1/tenders/{agreement['id']}/bids", json={"organisation_id": org, "commitments": offer}
        )
        assert placed.status_code == 201, placed.text
        partners[key] = placed.json()["id"]
    awarded = officer.post(
        f"/api/v1/tenders/{agreement['id']}/award", json={"bid_ids": list(partners.values()), **TERM}
    )
    assert awarded.status_code == 200 and len(awarded.json()) == 2
    contracts = {c["supplier"]: c["id"] for c in awarded.json()}

    owner_b = live_server.client(world.tokens["owner_b"])
    report = owner_b.post(
        f"/api/v1/contracts/{contracts['Associazione B']}/deliveries",
        json={
            "period_label": "Estate 2026",
            "starts_on": "2026-06-15",
            "ends_on": "2026-09-10",
            "delivered": {"mountain_rural_initiatives": 6, "volunteering_hours": 50},
        },
    ).json()
    refused = owner_b.post(
        f"/api/v1/deliveries/{report['id']}/evidence",
        data={"measure_id": "volunteering_hours"},
        files={"file": ("ore.exe", b"MZ\x90\x00" + bytes(64))},
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["location"] == "file"
    owner_b.post(
        f"/api/v1/deliveries/{report['id']}/submit", json={"evaluator_user_id": world.users["evaluator"]}
    )
    evaluator = live_server.client(world.tokens["evaluator"])
    returned = evaluator.post(
        f"/api/v1/deliveries/{report['id']}/return", json={"comments": "Attach the evidence."}
    )
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    for measure_id in ("mountain_rural_initiatives", "volunteering_hours"):
        attached = owner_b.post(
            f"/api/v1/deliveries/{report['id']}/evidence",
            data={"measure_id": measure_id},
            files={"file": (f"{measure_id}.pdf", PDF)},
        )
        assert attached.status_code == 201, attached.text
    assert (
        owner_b.post(
            f"/api/v1/deliveries/{report['id']}/submit", json={"evaluator_user_id": world.users["evaluator"]}
        ).status_code
        == 200
    )
    verified = evaluator.post(f"/api/v1/deliveries/{report['id']}/verify", json={})
    assert verified.status_code == 200, verified.text

    view = {c["supplier"]: c for c in officer.get("/api/v1/contracts").json()}
    assert {line["measure_id"]: line["delivered"] for line in view["Associazione B"]["lines"]} == {
        "mountain_rural_initiatives": 6,
        "volunteering_hours": 50,
    }
    assert all(line["delivered"] == 0 for line in view["Cooperativa A"]["lines"])
    book = openpyxl.load_workbook(
        io.BytesIO(officer.get(f"/api/v1/authorities/{s.authority_id}/procurement.xlsx").content),
        data_only=True,
    )
    summary = {row[0].value: (row[2].value, row[3].value) for row in book["Riepilogo"].iter_rows(min_row=2)}
    assert summary["mountain_rural_initiatives"] == (10, 6)
