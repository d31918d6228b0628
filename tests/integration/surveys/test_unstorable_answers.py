"""Text no database can store in answers, batches, pages, files and addresses: a 4xx naming where.

On SQLite and on PostgreSQL alike: a NUL character (PostgreSQL cannot store it; SQLite could),
a lone surrogate (not Unicode: no database can) and an over-long text are refused with a 422
that names the field; a batch answers per item, the clean items stored, the spoiled ones
``invalid`` with their field named — also when helper processes check its chunks; the
respondent page shows the problem at its question; a staff page, a file name, a path and a
query parameter are refused the same way. Nothing spoiled is stored, and nothing is a 500.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from impactkit.settings import Settings
from impactkit.store.tables import SurveyLink, SurveyResponse
from tests.conftest import LiveServer
from tests.factories import World
from tests.integration.pages.web import build_web_world, csrf_of, hidden, sign_in
from tests.integration.surveys.test_responses_api import beneficiary_answers, setup, submission

NUL = "\x00"
SURROGATE = "\ud800"
TOO_LONG = "x" * 100_001


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """One helper process, so that a large batch is checked in chunks as in production."""
    return Settings(
        data_dir=tmp_path, database_url=database_url, secret_key="test-secret-key", check_processes=1
    )


def _post_json(client: httpx.Client, path: str, body: Any) -> httpx.Response:
    """JSON written with escapes, as a client would send a lone surrogate (``\\ud800``)."""
    content = json.dumps(body, ensure_ascii=True).encode("ascii")
    return client.post(path, content=content, headers={"content-type": "application/json"})


def _locations(answer: httpx.Response) -> list[str]:
    return [str(error.get("location")) for error in answer.json().get("errors", [])]


def _stored(live_server: LiveServer) -> int:
    with Session(live_server.engine) as session:
        return int(session.execute(select(func.count()).select_from(SurveyResponse)).scalar_one())


@pytest.mark.parametrize(
    ("spoiled", "words"),
    [(f"Vivo a Susa{NUL}", "NUL"), (f"Vivo a Susa{SURROGATE}", "surrogate"), (TOO_LONG, "100")],
    ids=["NUL", "lone surrogate", "over-long"],
)
def test_a_single_response_with_unstorable_text_is_a_422_naming_the_answer(
    live_server: LiveServer, spoiled: str, words: str
) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    answer = _post_json(
        editor, "/api/v1/responses", submission(world, answers=beneficiary_answers(comments=spoiled))
    )
    assert answer.status_code == 422, answer.text[:300]
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert any(location.endswith("answers.comments") for location in _locations(answer)), answer.text[:300]
    assert words in answer.text
    assert _stored(live_server) == 0


def _spoiled_items(world: World) -> dict[str, tuple[dict[str, Any], str]]:
    """Batch items, each spoiled in one place: item -> (body, the location its result names)."""
    return {
        "NUL in a text answer": (
            submission(world, answers=beneficiary_answers(comments=f"a{NUL}b")),
            "answers.comments",
        ),
        "lone surrogate in a text answer": (
            submission(world, answers=beneficiary_answers(comments=f"a{SURROGATE}")),
            "answers.comments",
        ),
        "lone surrogate in an answer's name": (
            submission(world, answers={**beneficiary_answers(), f"x{SURROGATE}": "1"}),
            "answers.x\\ud800",
        ),
        "NUL in the respondent code": (submission(world, respondent_code=f"AUR{NUL}17"), "respondent_code"),
        "NUL in the form id": (submission(world, form_id=f"beneficiary{NUL}"), "form_id"),
        "over-long text answer": (
            submission(world, answers=beneficiary_answers(comments=TOO_LONG)),
            "answers.comments",
        ),
        "lone surrogate in the instance id": (
            submission(world, instance_id=f"{uuid.uuid4()}{SURROGATE}"),
            "instance_id",
        ),
    }


def _check_batch(live_server: LiveServer, world: World, clean_count: int) -> None:
    editor = live_server.client(world.tokens["editor_a"])
    spoiled = _spoiled_items(world)
    items: list[Any] = [submission(world) for _ in range(clean_count)]
    places: dict[int, tuple[str, str]] = {}
    for offset, (what, (body, location)) in enumerate(spoiled.items()):
        index = 3 + offset * (clean_count // len(spoiled))
        items.insert(index, body)
        places[index] = (what, location)
    answer = _post_json(editor, "/api/v1/responses/batch", {"responses": items})
    assert answer.status_code == 200, answer.text[:500]
    results = answer.json()["results"]
    assert len(results) == len(items)
    for result in results:
        index = result["index"]
        if index in places:
            what, location = places[index]
            assert result["status"] == "invalid", (what, result)
            assert any(error["location"] == location for error in result["errors"]), (what, result)
        else:
            assert result["status"] == "stored", result
    assert answer.json()["stored"] == clean_count
    assert _stored(live_server) == clean_count


def test_a_batch_answers_per_item_when_some_items_hold_unstorable_text(live_server: LiveServer) -> None:
    world = setup(live_server)
    _check_batch(live_server, world, clean_count=20)


def test_a_large_batch_checked_by_a_helper_process_answers_per_item_too(live_server: LiveServer) -> None:
    world = setup(live_server)
    _check_batch(live_server, world, clean_count=260)


def test_the_respondent_page_shows_the_problem_at_its_question(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    page = client.get(f"/s/{web.token}").text
    shown = (
        "consent respondent_code gender age territory_type municipality vulnerable_conditions "
        "education_level employment_status months_unemployed months_in_programme wellbeing autonomy "
        "social_connections satisfaction would_recommend comments"
    )
    data = {
        "_csrf_token": csrf_of(page),
        "_ik_instance": hidden(page, "_ik_instance"),
        "_ik_shown": shown,
        "_ik_lang": "en",
        **{
            key: str(value)
            for key, value in beneficiary_answers(comments=f"Susa{NUL}").items()
            if key != "vulnerable_conditions"
        },
        "vulnerable_conditions": ["unemployment", "low_income"],
    }
    answer = client.post(f"/s/{web.token}", data=data)
    assert answer.status_code == 422, answer.text[:300]
    assert 'id="f-comments"' in answer.text
    assert "cannot be saved (an invisible control character)" in answer.text
    assert _stored(live_server) == 0


def test_a_staff_form_a_file_name_a_path_and_a_query_refuse_a_nul_naming_where(
    live_server: LiveServer,
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    owner = live_server.client()
    sign_in(owner, "owner_a@example.org")
    page = owner.get(f"/app/projects/{web.world.project_a}").text
    created = owner.post(
        f"/app/projects/{web.world.project_a}/links",
        data={
            "_csrf_token": csrf_of(page),
            "form_version_id": str(web.form_version_id),
            "label": f"Valle{NUL}",
        },
    )
    assert created.status_code == 422 and "label" in created.text, created.text[:300]
    with Session(live_server.engine) as session:
        assert session.execute(select(func.count()).select_from(SurveyLink)).scalar_one() == 1

    editor = live_server.client(web.world.tokens["editor_a"])
    boundary = "ikboundary"
    multipart = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="form\x00.xlsx"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\nPK\x03\x04\r\n--{boundary}--\r\n"
    ).encode("latin-1")
    upload = editor.post(
        f"/api/v1/organisations/{web.world.org_a}/forms",
        content=multipart,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert upload.status_code == 422 and _locations(upload) == ["file"], upload.text[:300]

    query = editor.get("/api/v1/responses", params={"form_id": f"a{NUL}b"})
    assert query.status_code == 422 and _locations(query) == ["query.form_id"], query.text[:300]
    path = editor.get(f"/api/v1/organisations/{web.world.org_a}/respondents/AUR%0017")
    assert path.status_code == 422 and _locations(path) == ["path"], path.text[:300]
