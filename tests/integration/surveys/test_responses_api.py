"""Collecting responses over real HTTP on SQLite and PostgreSQL: validated, idempotent, isolated."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from impactkit.store.db import session_scope
from impactkit.store.surveys import publish_shipped_forms
from impactkit.store.tables import SurveyResponse
from tests.conftest import LiveServer
from tests.factories import World, build_world

CORPUS = Path(__file__).resolve().parents[2] / "data" / "xlsform"
SHIPPED = Path(__file__).resolve().parents[3] / "surveys"


def beneficiary_answers(**overrides: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "consent": "yes",
        "respondent_code": "AUR-17",
        "gender": "female",
        "age": 27,
        "territory_type": "mountain",
        "vulnerable_conditions": ["unemployment", "low_income"],
        "employment_status": "unemployed",
        "months_unemployed": 8,
        "wellbeing": "2",
        "autonomy": "3",
        "social_connections": "2",
        "satisfaction": "4",
        "would_recommend": "yes",
    }
    answers.update(overrides)
    return answers


def submission(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "instance_id": str(uuid.uuid4()),
        "form_id": "beneficiary_outcomes",
        "form_version": "2026.1",
        "project_id": world.project_a,
        "period_id": world.period_a,
        "wave": "baseline",
        "answers": beneficiary_answers(),
    }
    body.update(overrides)
    return body


def setup(live_server: LiveServer) -> World:
    world = build_world(live_server.engine)
    with session_scope(live_server.engine) as session:
        publish_shipped_forms(session)
    return world


def stored_count(live_server: LiveServer) -> int:
    with Session(live_server.engine) as session:
        return int(session.execute(select(func.count()).select_from(SurveyResponse)).scalar_one())


def test_resubmitting_the_same_instance_stores_it_once(live_server: LiveServer) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    body = submission(world)
    first = editor.post("/api/v1/responses", json=body)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "stored"
    again = editor.post("/api/v1/responses", json=body)
    assert again.status_code == 200
    assert again.json()["status"] == "already_stored"
    changed = editor.post("/api/v1/responses", json={**body, "answers": beneficiary_answers(age=28)})
    assert changed.status_code == 409
    assert changed.json()["errors"][0]["location"] == "instance_id"
    assert stored_count(live_server) == 1


def test_a_resend_is_answered_by_what_is_stored_even_when_its_answers_now_fail(
    live_server: LiveServer,
) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    body = submission(world)
    assert editor.post("/api/v1/responses", json=body).status_code == 201
    broken = {**body, "answers": beneficiary_answers(age=5)}  # below the form's minimum age
    single = editor.post("/api/v1/responses", json=broken)
    assert single.status_code == 409, single.text
    assert single.json()["errors"][0]["location"] == "instance_id"
    fresh = submission(world, answers=beneficiary_answers(age=5))
    batch = editor.post("/api/v1/responses/batch", json={"responses": [broken, body, fresh]}).json()
    assert [r["status"] for r in batch["results"]] == ["conflict", "already_stored", "invalid"]
    assert batch["results"][2]["errors"][0]["location"] == "answers.age"
    assert stored_count(live_server) == 1


def test_a_submission_without_an_instance_id_is_refused(live_server: LiveServer) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    body = submission(world)
    del body["instance_id"]
    response = editor.post("/api/v1/responses", json=body)
    assert response.status_code == 422
    assert any("instance_id" in e["location"] for e in response.json()["errors"])
    not_uuid = editor.post("/api/v1/responses", json=submission(world, instance_id="42"))
    assert not_uuid.status_code == 422
    assert "UUID" in not_uuid.json()["errors"][0]["message"]
    assert stored_count(live_server) == 0


def test_unknown_form_or_version_is_a_404_that_names_it(live_server: LiveServer) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    unknown_version = editor.post("/api/v1/responses", json=submission(world, form_version="1999.9"))
    assert unknown_version.status_code == 404
    assert "1999.9" in unknown_version.json()["errors"][0]["message"]
    unknown_form = editor.post("/api/v1/responses", json=submission(world, form_id="no_such_form"))
    assert unknown_form.status_code == 404
    assert "no_such_form" in unknown_form.json()["errors"][0]["message"]


def test_bad_answers_are_422_naming_the_field(live_server: LiveServer) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    cases = {
        "answers.age": beneficiary_answers(age="twenty"),  # wrong type
        "answers.gender": beneficiary_answers(gender="unicorn"),  # choice not in list
        "answers.wellbeing": {k: v for k, v in beneficiary_answers().items() if k != "wellbeing"},  # required
    }
    for location, answers in cases.items():
        response = editor.post("/api/v1/responses", json=submission(world, answers=answers))
        assert response.status_code == 422, (location, response.text)
        assert location in [e["location"] for e in response.json()["errors"]], response.json()
    constraint = editor.post("/api/v1/responses", json=submission(world, answers=beneficiary_answers(age=9)))
    assert constraint.status_code == 422
    assert constraint.json()["errors"][0]["location"] == "answers.age"
    assert stored_count(live_server) == 0


def test_answers_to_questions_that_are_not_relevant_are_not_kept(live_server: LiveServer) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    body = submission(world, answers=beneficiary_answers(employment_status="employed", months_unemployed=5))
    assert editor.post("/api/v1/responses", json=body).status_code == 201
    stored = editor.get("/api/v1/responses", params={"project_id": world.project_a}).json()["items"][0]
    assert "months_unemployed" not in stored["answers"]
    assert stored["respondent_code"] == "AUR-17"


def test_a_batch_gives_a_result_per_item_and_stores_duplicates_once(live_server: LiveServer) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    good = [submission(world) for _ in range(3)]
    items = [*good, good[0], submission(world, answers=beneficiary_answers(age=500)), {"form_id": "x"}, 7]
    response = editor.post("/api/v1/responses/batch", json={"responses": items})
    assert response.status_code == 201 or response.status_code == 200, response.text
    body = response.json()
    assert [r["status"] for r in body["results"]] == [
        "stored",
        "stored",
        "stored",
        "already_stored",
        "invalid",
        "invalid",
        "invalid",
    ]
    assert body["stored"] == 3 and body["failed"] == 3
    assert stored_count(live_server) == 3
    again = editor.post("/api/v1/responses/batch", json={"responses": good}).json()
    assert [r["status"] for r in again["results"]] == ["already_stored"] * 3
    assert stored_count(live_server) == 3


def test_an_oversized_batch_is_refused_before_anything_is_stored(live_server: LiveServer) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    items = [submission(world) for _ in range(live_server.settings.max_batch + 1)]
    response = editor.post("/api/v1/responses/batch", json={"responses": items})
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "responses"
    assert stored_count(live_server) == 0


def test_another_organisation_cannot_submit_to_or_read_a_project(live_server: LiveServer) -> None:
    world = setup(live_server)
    editor_a = live_server.client(world.tokens["editor_a"])
    assert editor_a.post("/api/v1/responses", json=submission(world)).status_code == 201
    owner_b = live_server.client(world.tokens["owner_b"])
    refused = owner_b.post("/api/v1/responses", json=submission(world))
    assert refused.status_code == 404
    assert owner_b.get("/api/v1/responses").json()["items"] == []
    viewer = live_server.client(world.tokens["viewer_a"])
    assert viewer.post("/api/v1/responses", json=submission(world)).status_code == 404
    assert len(viewer.get("/api/v1/responses").json()["items"]) == 1


def test_responses_read_back_page_by_page(live_server: LiveServer) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    batch = [submission(world, wave="baseline" if i % 2 else "endline") for i in range(25)]
    editor.post("/api/v1/responses/batch", json={"responses": batch})
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 10, "project_id": world.project_a}
        if cursor:
            params["cursor"] = cursor
        page = editor.get("/api/v1/responses", params=params).json()
        seen += [item["instance_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(item["instance_id"] for item in batch)
    baseline = editor.get("/api/v1/responses", params={"wave": "baseline", "limit": 100}).json()["items"]
    assert len(baseline) == 12
    assert editor.get("/api/v1/responses", params={"cursor": "garbage!"}).status_code == 422


def test_an_organisation_uploads_an_xlsform_and_collects_against_it(live_server: LiveServer) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    path = CORPUS / "tutorial.xlsx"
    uploaded = editor.post(
        f"/api/v1/organisations/{world.org_a}/forms",
        files={
            "file": (
                path.name,
                path.read_bytes(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
    )
    assert uploaded.status_code == 201, uploaded.text
    again = editor.post(
        f"/api/v1/organisations/{world.org_a}/forms", files={"file": (path.name, path.read_bytes())}
    )
    assert again.status_code == 200 and again.json()["created"] is False
    form_ids = {f["form_id"] for f in editor.get("/api/v1/forms").json()}
    assert uploaded.json()["form_id"] in form_ids
    owner_b = live_server.client(world.tokens["owner_b"])
    assert uploaded.json()["form_id"] not in {f["form_id"] for f in owner_b.get("/api/v1/forms").json()}
    assert owner_b.get(f"/api/v1/forms/{uploaded.json()['id']}").status_code == 404


def test_a_broken_upload_lists_every_problem_with_its_cell(live_server: LiveServer) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    not_excel = editor.post(
        f"/api/v1/organisations/{world.org_a}/forms", files={"file": ("form.xlsx", b"hello")}
    )
    assert not_excel.status_code == 422
    assert not_excel.json()["errors"]
    broken = CORPUS / "calculate_without_calculation.xls"
    refused = editor.post(
        f"/api/v1/organisations/{world.org_a}/forms", files={"file": (broken.name, broken.read_bytes())}
    )
    assert refused.status_code == 422
    assert any("34" in e["location"] or "34" in e["message"] for e in refused.json()["errors"]), (
        refused.json()
    )


def test_responses_export_as_csv_with_labels_and_split_choices(live_server: LiveServer) -> None:
    import csv
    import io

    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    editor.post("/api/v1/responses", json=submission(world, answers=beneficiary_answers(comments="=1+1")))
    names = editor.get("/api/v1/responses/export.csv", params={"form_id": "beneficiary_outcomes"})
    assert names.status_code == 200, names.text
    assert names.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(names.text)))
    assert rows[0]["vulnerable_conditions"] == "unemployment low_income"
    assert rows[0]["comments"] == "'=1+1"  # a formula from a respondent never runs in Excel
    split = editor.get(
        "/api/v1/responses/export.csv",
        params={
            "form_id": "beneficiary_outcomes",
            "labels": "true",
            "language": "it",
            "split_multiple": "true",
        },
    )
    header = next(csv.reader(io.StringIO(split.text)))
    assert any("/" in column for column in header), header
    assert "Femmina" in split.text or "Donna" in split.text
    assert editor.get("/api/v1/responses/export.csv", params={"form_id": "nope"}).status_code == 404
