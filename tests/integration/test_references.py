"""Every id or reference a request gives is checked when it is given: a 422 naming the field,
nothing stored, on SQLite and PostgreSQL (issue 15: a project was created with a framework that
does not exist, 201, and failed later on every KPI and report call)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from impactkit.store.db import session_scope
from impactkit.store.surveys import publish_shipped_forms
from impactkit.store.tables import (
    CollectorAccess,
    EvaluatorAccreditation,
    Grant,
    Membership,
    Project,
    Report,
    SurveyLink,
)
from tests.conftest import LiveServer
from tests.factories import World, build_world

MISSING = 987_654


def refused(response: httpx.Response, field: str) -> dict[str, Any]:
    """A 422 problem whose errors name ``field``."""
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    locations = [error["location"] for error in body.get("errors", [])]
    assert field in locations, (field, body)
    return body


def count(live_server: LiveServer, table: type[Any]) -> int:
    with Session(live_server.engine) as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


@pytest.fixture
def world(live_server: LiveServer) -> World:
    world = build_world(live_server.engine)
    with session_scope(live_server.engine) as session:
        publish_shipped_forms(session)
    return world


def test_a_project_names_a_framework_that_exists(live_server: LiveServer, world: World) -> None:
    owner = live_server.client(world.tokens["owner_a"])
    projects = f"/api/v1/organisations/{world.org_a}/projects"
    before = count(live_server, Project)
    body = refused(
        owner.post(projects, json={"name": "P", "framework_id": "no-such-framework"}), "framework_id"
    )
    assert "no-such-framework" in body["errors"][0]["message"]
    refused(
        owner.post(
            projects, json={"name": "P", "framework_id": "simplified-kpis", "framework_version": "9.9"}
        ),
        "framework_version",
    )
    refused(owner.post(projects, json={"name": "P", "framework_version": "1.0"}), "framework_version")
    refused(
        owner.patch(f"/api/v1/projects/{world.project_a}", json={"name": "P", "framework_id": "nope"}),
        "framework_id",
    )
    refused(
        owner.put(f"/api/v1/projects/{world.project_a}/framework", json={"framework_id": "nope"}),
        "framework_id",
    )
    refused(
        owner.put(
            f"/api/v1/projects/{world.project_a}/framework",
            json={"framework_id": "simplified-kpis", "version": "9.9"},
        ),
        "version",
    )
    assert count(live_server, Project) == before
    with Session(live_server.engine) as session:
        kept = session.get(Project, world.project_a)
        assert kept is not None and kept.framework_id == "simplified-kpis"
    created = owner.post(projects, json={"name": "P", "framework_id": "simplified-kpis"})
    assert created.status_code == 201, created.text
    design = owner.post(
        "/api/v1/designs", json={"base": "nope", "framework_id": "mine", "organisation_id": world.org_a}
    )
    refused(design, "base")


def test_a_period_belongs_to_the_project_it_is_given_for(live_server: LiveServer, world: World) -> None:
    owner = live_server.client(world.tokens["owner_a"])
    project = f"/api/v1/projects/{world.project_a}"
    for period in (MISSING, world.period_b):
        refused(owner.post(f"{project}/links", json={"form_version_id": 1, "period_id": period}), "period_id")
        refused(owner.post(f"{project}/collectors", json={"period_id": period}), "period_id")
        refused(owner.post(f"{project}/reports", json={"period_id": period}), "period_id")
        refused(owner.get(f"{project}/kpis", params={"period_id": period}), "query.period_id")
        refused(
            owner.get("/api/v1/responses", params={"project_id": world.project_a, "period_id": period}),
            "query.period_id",
        )
    assert (
        count(live_server, SurveyLink),
        count(live_server, CollectorAccess),
        count(live_server, Report),
    ) == (0, 0, 0)


def test_a_form_version_is_one_the_organisation_may_use(live_server: LiveServer, world: World) -> None:
    owner = live_server.client(world.tokens["owner_a"])
    refused(
        owner.post(f"/api/v1/projects/{world.project_a}/links", json={"form_version_id": MISSING}),
        "form_version_id",
    )
    refused(
        owner.post(f"/api/v1/projects/{world.project_a}/collectors", json={"form_ids": ["nope"]}),
        "form_ids[0]",
    )
    imported = owner.post(
        "/api/v1/responses/import",
        files=[
            ("form_version_id", (None, str(MISSING))),
            ("project_id", (None, str(world.project_a))),
            ("files", ("a.csv", b"a,b\n1,2\n")),
        ],
    )
    assert imported.status_code in (404, 422), imported.text
    assert str(MISSING) in imported.text
    assert count(live_server, SurveyLink) == 0


def test_a_report_is_submitted_to_an_accredited_evaluator(live_server: LiveServer, world: World) -> None:
    owner = live_server.client(world.tokens["owner_a"])
    report = owner.post(f"/api/v1/projects/{world.project_a}/reports", json={"period_id": world.period_a})
    assert report.status_code == 201, report.text
    submit = f"/api/v1/reports/{report.json()['id']}/submit"
    for user in (MISSING, world.users["viewer_a"], world.users["funder_a"]):
        body = refused(owner.post(submit, json={"evaluator_user_id": user}), "evaluator_user_id")
        assert "accreditation" in body["errors"][0]["message"]
    with Session(live_server.engine) as session:
        stored = session.get(Report, report.json()["id"])
        assert stored is not None and stored.state == "draft" and stored.evaluator_user_id is None
    assert owner.post(submit, json={"evaluator_user_id": world.users["evaluator"]}).status_code in (200, 201)


def test_a_grant_names_an_organisation_its_project_and_the_frameworks_indicators(
    live_server: LiveServer, world: World
) -> None:
    admin = live_server.client(world.tokens["admin"])
    grants = f"/api/v1/funders/{world.funder_a}/grants"
    before = count(live_server, Grant)
    refused(admin.post(grants, json={"organisation_id": MISSING, "title": "G"}), "organisation_id")
    for project in (MISSING, world.project_b):
        refused(
            admin.post(grants, json={"organisation_id": world.org_a, "project_id": project, "title": "G"}),
            "project_id",
        )
    targets = [{"indicator_id": "people_reached", "target": 10}, {"indicator_id": "nope", "target": 1}]
    body = refused(
        admin.post(
            grants,
            json={
                "organisation_id": world.org_a,
                "project_id": world.project_a,
                "title": "G",
                "targets": targets,
            },
        ),
        "targets[1].indicator_id",
    )
    assert "targets[0].indicator_id" not in [e["location"] for e in body["errors"]]
    assert count(live_server, Grant) == before
    funder = live_server.client(world.tokens["funder_a"])
    grant_id = admin.get(grants).json()[0]["id"]
    refused(funder.put(f"/api/v1/grants/{grant_id}/framework", json={"framework_id": "nope"}), "framework_id")
    refused(
        funder.get(f"/api/v1/funders/{world.funder_a}/portfolio.json", params={"framework_id": "nope"}),
        "query.framework_id",
    )
    refused(
        funder.get(
            f"/api/v1/funders/{world.funder_a}/payments",
            params={"framework_id": "simplified-kpis", "framework_version": "9"},
        ),
        "query.framework_version",
    )


def test_a_user_given_by_id_exists(live_server: LiveServer, world: World) -> None:
    admin = live_server.client(world.tokens["admin"])
    before = (count(live_server, Membership), count(live_server, EvaluatorAccreditation))
    refused(
        admin.post(
            f"/api/v1/organisations/{world.org_a}/members", json={"user_id": MISSING, "role": "viewer"}
        ),
        "user_id",
    )
    refused(admin.post(f"/api/v1/funders/{world.funder_a}/members", json={"user_id": MISSING}), "user_id")
    accreditation = {
        "user_id": MISSING,
        "number": "N",
        "body": "B",
        "valid_from": "2026-01-01",
        "valid_until": "2027-01-01",
    }
    refused(admin.post("/api/v1/accreditations", json=accreditation), "user_id")
    assert (count(live_server, Membership), count(live_server, EvaluatorAccreditation)) == before


def test_a_filter_naming_another_organisations_project_reads_like_a_missing_one(
    live_server: LiveServer, world: World
) -> None:
    owner = live_server.client(world.tokens["owner_a"])
    missing = refused(owner.get("/api/v1/responses", params={"project_id": MISSING}), "query.project_id")
    other = refused(
        owner.get("/api/v1/responses", params={"project_id": world.project_b}), "query.project_id"
    )
    assert missing["errors"][0]["message"].replace(str(MISSING), "N") == other["errors"][0][
        "message"
    ].replace(str(world.project_b), "N")
    refused(
        owner.get(
            "/api/v1/responses/export.csv",
            params={"form_id": "beneficiary_outcomes", "project_id": world.project_b},
        ),
        "query.project_id",
    )
    assert owner.get("/api/v1/responses", params={"project_id": world.project_a}).status_code == 200
