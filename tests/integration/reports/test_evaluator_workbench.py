"""The evaluator's side of a report over real HTTP, on SQLite and PostgreSQL: the value map they build,
its versions, the validation gate and the comments per section that go back with "return"."""

from __future__ import annotations

import copy
import io

import openpyxl

from tests.conftest import LiveServer
from tests.integration.reports.test_reports_api import VALUE_MAP, collect, draft
from tests.integration.surveys.test_responses_api import setup


def test_the_evaluator_builds_the_value_map_of_the_report_and_every_version_is_kept(
    live_server: LiveServer,
) -> None:
    world = setup(live_server)
    collect(live_server, world)
    rid = draft(live_server, world)["id"]
    editor = live_server.client(world.tokens["editor_a"])
    evaluator = live_server.client(world.tokens["evaluator"])
    other = live_server.client(world.tokens["evaluator_other"])
    # before submission the report is not the evaluator's to change
    assert evaluator.put(f"/api/v1/reports/{rid}/sroi", json={"value_map": VALUE_MAP}).status_code == 404
    editor.post(f"/api/v1/reports/{rid}/submit", json={"evaluator_user_id": world.users["evaluator"]})
    # while submitted the organisation cannot change it, the assigned evaluator can
    assert editor.put(f"/api/v1/reports/{rid}/sroi", json={"value_map": VALUE_MAP}).status_code == 409
    assert other.put(f"/api/v1/reports/{rid}/sroi", json={"value_map": VALUE_MAP}).status_code == 404
    first = evaluator.put(f"/api/v1/reports/{rid}/sroi", json={"value_map": VALUE_MAP, "note": "Case A"})
    assert first.status_code == 200, first.text
    assert first.json()["version_state"] == "submitted" and first.json()["version"] == 1
    assert abs(first.json()["content"]["sroi"]["result"]["sroi_ratio"] - 3.8054) < 1e-4

    # the second version links the quantity to a KPI of the report's project and period
    linked = copy.deepcopy(VALUE_MAP)
    linked["outcomes"][0]["quantity"] = {
        "kpi": "people_reached",
        "project_id": world.project_a,
        "period_id": world.period_a,
    }
    linked["outcomes"][0]["proxy"]["value"] = 1200
    second = evaluator.put(f"/api/v1/reports/{rid}/sroi", json={"value_map": linked})
    assert second.status_code == 200, second.text
    outcome = second.json()["content"]["sroi"]["value_map"]["outcomes"][0]
    assert outcome["quantity"] == 120 and "KPI people_reached" in outcome["evidence"]["quantity"]
    # a link to another organisation's project is not the evaluator's to follow
    foreign = copy.deepcopy(linked)
    foreign["outcomes"][0]["quantity"]["project_id"] = world.project_b
    refused = evaluator.put(f"/api/v1/reports/{rid}/sroi", json={"value_map": foreign})
    assert refused.status_code == 422 and refused.json()["errors"][0]["location"] == "outcomes[0].quantity"
    broken = evaluator.put(
        f"/api/v1/reports/{rid}/sroi", json={"value_map": {**VALUE_MAP, "discount_rate": "350%"}}
    )
    assert broken.status_code == 422 and broken.json()["errors"][0]["location"] == "discount_rate"

    versions = evaluator.get(f"/api/v1/reports/{rid}/sroi/versions").json()
    assert [(v["number"], v["note"]) for v in versions] == [(1, "Case A"), (2, "")]
    assert abs(versions[0]["sroi_ratio"] - 3.8054) < 1e-4
    kept = editor.get(f"/api/v1/reports/{rid}/sroi/versions/2").json()["value_map"]
    assert kept["outcomes"][0]["quantity"]["kpi"] == "people_reached"  # the link, as written
    changes = {
        c["path"]: (c["before"], c["after"])
        for c in evaluator.get(f"/api/v1/reports/{rid}/sroi/diff", params={"first": 1, "second": 2}).json()
    }
    assert changes["outcomes[Into stable work].proxy.value"] == (1000, 1200)
    assert changes["outcomes[Into stable work].quantity"][0] == 50
    assert evaluator.get(f"/api/v1/reports/{rid}/sroi/versions/9").status_code == 404
    for outsider in ("evaluator_other", "funder_a", "owner_b"):
        client = live_server.client(world.tokens[outsider])
        assert client.get(f"/api/v1/reports/{rid}/sroi/versions").status_code == 404
    audit = live_server.client(world.tokens["owner_a"]).get(f"/api/v1/organisations/{world.org_a}/audit")
    saved = [e for e in audit.json() if e["action"] == "report.value_map_saved"]
    assert [e["details"]["by"] for e in saved] == ["evaluator", "evaluator"]


def test_the_gate_refuses_a_report_without_kpi_values_and_return_carries_section_comments(
    live_server: LiveServer,
) -> None:
    world = setup(live_server)
    rid = draft(live_server, world)["id"]  # no responses: every KPI is empty
    editor = live_server.client(world.tokens["editor_a"])
    evaluator = live_server.client(world.tokens["evaluator"])
    editor.post(f"/api/v1/reports/{rid}/submit", json={"evaluator_user_id": world.users["evaluator"]})
    failing = [
        c["id"] for c in evaluator.get(f"/api/v1/reports/{rid}/checklist").json() if c["status"] == "fail"
    ]
    reasons = {check: "Justified at length by the evaluator, with reasons." for check in failing}
    refused = evaluator.post(f"/api/v1/reports/{rid}/validate", json={"justifications": reasons})
    assert refused.status_code == 409
    assert [e["location"] for e in refused.json()["errors"]] == ["kpis"]

    unknown = evaluator.post(f"/api/v1/reports/{rid}/return", json={"section_comments": {"governance": "x"}})
    assert unknown.status_code == 422 and "governance" in unknown.text
    blank = evaluator.post(f"/api/v1/reports/{rid}/return", json={"section_comments": {"people": "  "}})
    assert blank.status_code == 422
    returned = evaluator.post(
        f"/api/v1/reports/{rid}/return",
        json={
            "comments": "Collect the survey first.",
            "section_comments": {"people": "Say how many volunteers and workers.", "methodology": ""},
        },
    )
    assert returned.status_code == 200, returned.text
    seen = editor.get(f"/api/v1/reports/{rid}").json()
    assert seen["version_state"] == "returned"
    assert seen["section_comments"] == {"people": "Say how many volunteers and workers."}
    log = live_server.client(world.tokens["admin"]).get("/api/v1/audit").json()
    assert any(
        e["action"] == "report.returned" and e["details"]["section_comments"] == seen["section_comments"]
        for e in log
    )


def test_the_funder_sees_its_grants_targets_met_and_the_amounts_payable(live_server: LiveServer) -> None:
    world = setup(live_server)
    collect(live_server, world)  # the self-report states 6 work placements
    funder = live_server.client(world.tokens["funder_a"])
    grant = funder.post(
        f"/api/v1/funders/{world.funder_a}/grants",
        json={
            "organisation_id": world.org_a,
            "project_id": world.project_a,
            "title": "Lavoro e autonomia",
            "amount": 60000,
            "outcome_based": True,
            "ends_on": "2026-12-31",
            "targets": [
                {"indicator_id": "work_placements_disadvantaged", "target": 5, "price_per_unit": 1500,
                 "cap": 6000, "validation_method": "Placement contracts checked by the evaluator"},
                {"indicator_id": "work_placements_disadvantaged", "target": 3, "price_per_unit": 500,
                 "stage": "interim"},
            ],
        },
    )  # fmt: skip
    assert grant.status_code == 201, grant.text
    bad = funder.post(
        f"/api/v1/funders/{world.funder_a}/grants",
        json={"organisation_id": world.org_a, "title": "x", "targets": [{"indicator_id": "k", "target": 1, "stage": "midway"}]},
    )
    assert bad.status_code in (400, 422) and "stage" in bad.text
    report = draft(live_server, world)
    # the report's own targets are those of its stage (final: its period ends with the grant)
    assert [(t["target"], t["stage"]) for t in report["content"]["targets"]] == [(5, "final")]
    rid = report["id"]
    editor = live_server.client(world.tokens["editor_a"])
    evaluator = live_server.client(world.tokens["evaluator"])
    editor.post(f"/api/v1/reports/{rid}/submit", json={"evaluator_user_id": world.users["evaluator"]})
    failing = [c["id"] for c in evaluator.get(f"/api/v1/reports/{rid}/checklist").json() if c["status"] == "fail"]
    validated = evaluator.post(
        f"/api/v1/reports/{rid}/validate",
        json={"justifications": {c: "Filed with the annual accounts of the cooperative." for c in failing}},
    )
    assert validated.status_code == 200, validated.text

    payments = funder.get(f"/api/v1/funders/{world.funder_a}/payments")
    assert payments.status_code == 200, payments.text
    body = payments.json()
    (grantee,) = body["grantees"]
    placement = next(
        line for line in grantee["lines"] if line["source"] == "grant" and line["grant"] == "Lavoro e autonomia"
    )
    assert (placement["achieved"], placement["met"], placement["amount_payable"], placement["amount_capped"]) == (
        6,
        True,
        6000,
        3000,
    )
    assert placement["validation_method"] == "Placement contracts checked by the evaluator"
    assert (body["amount_payable"], body["amount_capped"], body["apart"]) == (6000, 3000, [])
    assert body["targets_met"] >= 1 and body["targets"] >= body["targets_met"]

    indigo = funder.get(f"/api/v1/funders/{world.funder_a}/indigo.json")
    assert indigo.status_code == 200 and "attachment" in indigo.headers["content-disposition"]
    (project,) = [p for p in indigo.json()["projects"] if p["name"]["value"] == "Lavoro e autonomia"]
    actual = [p["money"]["amount"]["value"] for p in project["outcome_payments"] if p["type"]["value"] == "Actual"]
    assert actual == [6000]

    workbook = funder.get(f"/api/v1/funders/{world.funder_a}/portfolio", params={"language": "it"})
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content), data_only=True)["Pagamenti per ente"]
    total = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "Totale del portafoglio")
    assert total[7:9] == (6000, 3000)
    for outsider in ("funder_b", "owner_a", "evaluator"):
        client = live_server.client(world.tokens[outsider])
        assert client.get(f"/api/v1/funders/{world.funder_a}/payments").status_code == 404
        assert client.get(f"/api/v1/funders/{world.funder_a}/indigo.json").status_code == 404
