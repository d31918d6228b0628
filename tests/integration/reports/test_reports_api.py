"""The social-report workflow over real HTTP, on SQLite and PostgreSQL: states, freezing, roles, exports."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import openpyxl
import yaml

from impactkit.reports import verify_bytes
from tests.conftest import LiveServer
from tests.factories import World
from tests.integration.surveys.test_responses_api import beneficiary_answers, setup

SELF_REPORT = {
    "people_reached": 120,
    "people_reached_youth_15_35": 50,
    "people_reached_vulnerable": 70,
    "people_reached_mountain_rural": 40,
    "population_served": 80,
    "volunteers": 12,
    "volunteer_hours": 900,
    "workers_total": 10,
    "workers_disadvantaged": 4,
    "work_placements_disadvantaged": 6,
    "surplus": 10000,
    "surplus_reinvested": 9000,
    "members": 30,
    "members_in_governance": 18,
    "board_members": 5,
    "board_women": 3,
    "partnerships_public": 2,
    "partnerships_private": 1,
    "partnerships_third_sector": 4,
}

VALUE_MAP = yaml.safe_load(
    (Path(__file__).resolve().parents[3] / "docs" / "examples" / "value-map-case-a.yaml").read_text()
)


def collect(live_server: LiveServer, world: World) -> None:
    editor = live_server.client(world.tokens["editor_a"])
    items: list[dict[str, Any]] = []
    for i in range(40):
        for wave, wellbeing in (("baseline", "2"), ("endline", "4" if i % 4 else "1")):
            answers = beneficiary_answers(
                respondent_code=f"AUR-{i}",
                age=18 + i,
                wellbeing=wellbeing,
                gender="female" if i % 2 else "male",
            )
            items.append(
                {
                    "instance_id": str(uuid.uuid4()),
                    "form_id": "beneficiary_outcomes",
                    "form_version": "2026.1",
                    "project_id": world.project_a,
                    "period_id": world.period_a,
                    "wave": wave,
                    "answers": answers,
                }
            )
    items.append(
        {
            "instance_id": str(uuid.uuid4()),
            "form_id": "organisation_self_report",
            "form_version": "2026.1",
            "project_id": world.project_a,
            "period_id": world.period_a,
            "answers": SELF_REPORT,
        }
    )
    result = editor.post("/api/v1/responses/batch", json={"responses": items}).json()
    assert result["failed"] == 0, [r for r in result["results"] if r["errors"]][:2]


def draft(live_server: LiveServer, world: World, **extra: Any) -> dict[str, Any]:
    editor = live_server.client(world.tokens["editor_a"])
    body = {
        "period_id": world.period_a,
        "language": "en",
        "sections": {"methodology": "Baseline and endline surveys of every participant."},
        **extra,
    }
    response = editor.post(f"/api/v1/projects/{world.project_a}/reports", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_kpis_of_a_project_come_from_its_responses(live_server: LiveServer) -> None:
    world = setup(live_server)
    collect(live_server, world)
    kpis = live_server.client(world.tokens["viewer_a"]).get(
        f"/api/v1/projects/{world.project_a}/kpis", params={"period_id": world.period_a}
    )
    assert kpis.status_code == 200, kpis.text
    results = {r["indicator_id"]: r for r in kpis.json()["results"]}
    assert results["people_reached"]["value"] == 120
    improved = (
        results["beneficiaries_improved"]
        if "beneficiaries_improved" in results
        else next(r for r in results.values() if r["kind"] == "change")
    )
    assert improved["n"] == 40
    assert (
        live_server.client(world.tokens["owner_b"])
        .get(f"/api/v1/projects/{world.project_a}/kpis")
        .status_code
        == 404
    )


def test_a_report_goes_from_draft_to_validated_and_is_frozen(live_server: LiveServer) -> None:
    world = setup(live_server)
    collect(live_server, world)
    report = draft(live_server, world, sroi_value_map=VALUE_MAP)
    assert report["version_state"] == "draft"
    assert abs(report["content"]["sroi"]["result"]["sroi_ratio"] - 3.8054) < 1e-4
    editor = live_server.client(world.tokens["editor_a"])
    evaluator = live_server.client(world.tokens["evaluator"])
    rid = report["id"]
    # an evaluator sees nothing before it is submitted to them
    assert evaluator.get(f"/api/v1/reports/{rid}").status_code == 404
    # validating a draft is illegal
    assert evaluator.post(f"/api/v1/reports/{rid}/validate", json={}).status_code == 404
    submitted = editor.post(
        f"/api/v1/reports/{rid}/submit", json={"evaluator_user_id": world.users["evaluator"]}
    )
    assert submitted.status_code == 200, submitted.text
    assert (
        editor.post(
            f"/api/v1/reports/{rid}/submit", json={"evaluator_user_id": world.users["evaluator"]}
        ).status_code
        == 409
    )
    assert editor.patch(f"/api/v1/reports/{rid}", json={"sections": {"methodology": "x"}}).status_code == 409
    checklist = evaluator.get(f"/api/v1/reports/{rid}/checklist")
    assert checklist.status_code == 200 and len(checklist.json()) >= 8
    other = live_server.client(world.tokens["evaluator_other"])
    assert other.post(f"/api/v1/reports/{rid}/validate", json={}).status_code == 404
    # the gate: failing checks stop the stamp until each has a written justification
    failing = [c["id"] for c in checklist.json() if c["status"] == "fail"]
    assert "sections" in failing
    stopped = evaluator.post(f"/api/v1/reports/{rid}/validate", json={"comments": "Data checked."})
    assert stopped.status_code == 409, stopped.text
    located = {error["location"] for error in stopped.json()["errors"]}
    assert located == {f"justifications.{check}" for check in failing}
    assert evaluator.get(f"/api/v1/reports/{rid}").json()["version_state"] == "submitted"
    too_short = evaluator.post(
        f"/api/v1/reports/{rid}/validate",
        json={"justifications": {check: "ok" for check in failing}},
    )
    assert too_short.status_code == 409 and "too short" in too_short.text
    unknown = evaluator.post(
        f"/api/v1/reports/{rid}/validate", json={"justifications": {"no_such_check": "x" * 30}}
    )
    assert unknown.status_code == 409 and "no_such_check" in unknown.text
    reasons = {
        check: f"Accepted for {check}: the organisation files it with the annual accounts."
        for check in failing
    }
    validated = evaluator.post(
        f"/api/v1/reports/{rid}/validate", json={"comments": "Data checked.", "justifications": reasons}
    )
    assert validated.status_code == 200, validated.text
    frozen = validated.json()
    assert frozen["version_state"] == "validated" and len(frozen["content_hash"]) == 64
    assert frozen["stamp"]["accreditation_number"] == "ACC-evaluator"
    assert frozen["stamp"]["justifications"] == reasons
    frozen_checks = {c["id"]: c["status"] for c in frozen["stamp"]["checklist"]}
    assert frozen_checks == {c["id"]: c["status"] for c in checklist.json()}
    # the checklist of a validated version is the frozen one, whatever is stored later
    collect(live_server, world)
    assert evaluator.get(f"/api/v1/reports/{rid}/checklist").json() == frozen["stamp"]["checklist"]
    assert evaluator.post(f"/api/v1/reports/{rid}/validate", json={}).status_code == 409
    assert evaluator.post(f"/api/v1/reports/{rid}/return", json={"comments": "late"}).status_code == 409

    # a change makes a new draft; version 1 stays as validated
    changed = editor.patch(f"/api/v1/reports/{rid}", json={"sections": {"methodology": "Revised."}})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    v1 = editor.get(f"/api/v1/reports/{rid}", params={"version": 1}).json()
    assert v1["content_hash"] == frozen["content_hash"] and v1["content"] == frozen["content"]

    # the funder of A sees the validated version only; the funder of B sees nothing
    funder = live_server.client(world.tokens["funder_a"])
    seen = funder.get(f"/api/v1/reports/{rid}").json()
    assert seen["version"] == 1 and seen["version_state"] == "validated"
    assert funder.get(f"/api/v1/reports/{rid}", params={"version": 2}).status_code == 404
    assert live_server.client(world.tokens["funder_b"]).get(f"/api/v1/reports/{rid}").status_code == 404
    assert [r["id"] for r in live_server.client(world.tokens["funder_b"]).get("/api/v1/reports").json()] == []

    workbook_bytes = funder.get(f"/api/v1/reports/{rid}/export.xlsx").content
    assert verify_bytes(workbook_bytes).ok
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    assert len(workbook.sheetnames) >= 5
    log = [row for row in workbook["Validation log"].iter_rows(values_only=True) if row[0]]
    logged = {row[0]: row[4] for row in log if row[0] in reasons}
    assert logged == reasons
    events = [row for row in log if row[2] == "report.validated"]
    assert events and all(reasons[check] in events[0][5] for check in failing)
    document = funder.get(f"/api/v1/reports/{rid}/export.json").content
    assert verify_bytes(document).ok
    tampered = (
        document.replace(b"Data checked", b"Data checkeD")
        if b"Data checked" in document
        else document.replace(b"120", b"121", 1)
    )
    assert not verify_bytes(tampered).ok

    portfolio = funder.get(f"/api/v1/funders/{world.funder_a}/portfolio", params={"format": "csv"})
    assert portfolio.status_code == 200 and "Cooperativa A" in portfolio.text
    assert funder.get(f"/api/v1/funders/{world.funder_b}/portfolio").status_code == 404
    rows = funder.get(f"/api/v1/funders/{world.funder_a}/portfolio.json")
    assert rows.status_code == 200 and isinstance(rows.json(), list) and "Cooperativa A" in rows.text
    assert (
        live_server.client(world.tokens["admin"]).get("/api/v1/funders/999/portfolio.json").status_code == 404
    )
    exports = live_server.client(world.tokens["admin"]).get("/api/v1/audit").json()
    formats = {(e["action"], e["details"].get("format")) for e in exports}
    assert {
        ("report.exported", "xlsx"),
        ("report.exported", "json"),
        ("portfolio.exported", "csv"),
    } <= formats
    xlsx = funder.get(f"/api/v1/funders/{world.funder_a}/portfolio")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_returned_reports_come_back_as_a_new_draft(live_server: LiveServer) -> None:
    world = setup(live_server)
    collect(live_server, world)
    rid = draft(live_server, world)["id"]
    editor = live_server.client(world.tokens["editor_a"])
    evaluator = live_server.client(world.tokens["evaluator"])
    editor.post(f"/api/v1/reports/{rid}/submit", json={"evaluator_user_id": world.users["evaluator"]})
    assert evaluator.post(f"/api/v1/reports/{rid}/return", json={"comments": ""}).status_code == 422
    returned = evaluator.post(
        f"/api/v1/reports/{rid}/return", json={"comments": "Add the governance section."}
    )
    assert returned.status_code == 200 and returned.json()["version_state"] == "returned"
    assert evaluator.post(f"/api/v1/reports/{rid}/validate", json={}).status_code == 409
    unknown = editor.patch(
        f"/api/v1/reports/{rid}", json={"sections": {"governance": "Assembly twice a year."}}
    )
    assert unknown.status_code == 422 and "governance" in unknown.text, unknown.text
    again = editor.patch(
        f"/api/v1/reports/{rid}",
        json={"sections": {"structure_governance_administration": "Assembly twice a year."}},
    )
    assert again.json()["version"] == 2 and again.json()["version_state"] == "draft"
    assert (
        editor.post(
            f"/api/v1/reports/{rid}/submit", json={"evaluator_user_id": world.users["evaluator"]}
        ).status_code
        == 200
    )


def test_only_an_independent_accredited_evaluator_can_receive_a_report(live_server: LiveServer) -> None:
    world = setup(live_server)
    rid = draft(live_server, world)["id"]
    editor = live_server.client(world.tokens["editor_a"])
    not_evaluator = editor.post(
        f"/api/v1/reports/{rid}/submit", json={"evaluator_user_id": world.users["viewer_a"]}
    )
    assert not_evaluator.status_code == 422
    assert "accreditation" in not_evaluator.json()["detail"]
    assert not_evaluator.json()["errors"][0]["location"] == "evaluator_user_id"
    viewer = live_server.client(world.tokens["viewer_a"])
    assert (
        viewer.post(
            f"/api/v1/reports/{rid}/submit", json={"evaluator_user_id": world.users["evaluator"]}
        ).status_code
        == 403
    )
    assert live_server.client(world.tokens["owner_b"]).get(f"/api/v1/reports/{rid}").status_code == 404
