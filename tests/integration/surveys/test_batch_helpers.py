"""Large batches checked by helper processes answer exactly as the server checking them itself.

Every test runs on SQLite and on PostgreSQL, over real HTTP, once with helper processes and once
without, and expects the very same results: the helpers are a way of using every core, never a
change of meaning.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from impactkit.settings import Settings
from impactkit.store.checking import CHUNK_MIN, helpers_for
from impactkit.store.db import session_scope
from impactkit.store.surveys import erase_responses
from impactkit.store.tables import SurveyResponse
from tests.conftest import LiveServer
from tests.integration.surveys.test_responses_api import (
    beneficiary_answers,
    setup,
    stored_count,
    submission,
)

SIZE = 4 * CHUNK_MIN + 37
"""Items per batch: several chunks, the last one short."""


@pytest.fixture(params=[0, 2], ids=["checked-by-the-server", "checked-by-helpers"])
def settings(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Settings:
    base = Settings(data_dir=tmp_path, database_url=database_url, secret_key="test-secret-key")
    return dataclasses.replace(base, check_processes=request.param)


def stored_answers(live_server: LiveServer, instance_id: str) -> dict[str, Any] | None:
    with Session(live_server.engine) as session:
        row = session.execute(
            select(SurveyResponse.answers).where(SurveyResponse.instance_id == instance_id)  # type: ignore[arg-type]
        ).first()
    return None if row is None else row[0]


def test_a_large_mixed_batch_gets_the_same_result_per_item_either_way(live_server: LiveServer) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    resent = submission(world)
    changed = submission(world)
    erased = submission(world)
    for body in (resent, changed, erased):
        assert editor.post("/api/v1/responses", json=body).status_code == 201
    with session_scope(live_server.engine) as session:
        erase_responses(session, world.org_a, instance_id=erased["instance_id"])

    items: list[Any] = [submission(world, answers=beneficiary_answers(age=20 + i % 60)) for i in range(SIZE)]
    expected = ["stored"] * SIZE
    locations: dict[int, str] = {}

    def put(index: int, item: Any, status: str, location: str | None = None) -> None:
        items[index] = item
        expected[index] = status
        if location is not None:
            locations[index] = location

    put(3, submission(world, answers=beneficiary_answers(age=200)), "invalid", "answers.age")
    put(CHUNK_MIN + 1, submission(world, project_id=world.project_b), "not_found", "project_id")
    put(CHUNK_MIN + 2, submission(world, form_version="1999.9"), "not_found", "form_version")
    put(2 * CHUNK_MIN, "not an object", "invalid", f"responses[{2 * CHUNK_MIN}]")
    put(2 * CHUNK_MIN + 5, {k: v for k, v in submission(world).items() if k != "answers"}, "invalid", "answers")
    put(3 * CHUNK_MIN, resent, "already_stored")
    put(3 * CHUNK_MIN + 1, {**changed, "answers": beneficiary_answers(age=61)}, "conflict", "instance_id")
    put(SIZE - 1, erased, "erased", "instance_id")
    put(SIZE - 2, {**submission(world), "instance_id": "not-a-uuid"}, "invalid", "instance_id")

    response = editor.post("/api/v1/responses/batch", json={"responses": items})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["index"] for r in body["results"]] == list(range(SIZE))
    assert [r["status"] for r in body["results"]] == expected
    for index, location in locations.items():
        assert body["results"][index]["errors"][0]["location"] == location, index
    assert body["stored"] == expected.count("stored")
    assert body["already_stored"] == 1
    assert body["failed"] == SIZE - body["stored"] - 1
    assert stored_count(live_server) == 3 + expected.count("stored")
    # a stored answer is the validated one, written as JSON: read back equal
    assert stored_answers(live_server, items[7]["instance_id"]) == beneficiary_answers(age=27)

    helpers = helpers_for(live_server.engine, live_server.settings.check_processes)
    if live_server.settings.check_processes:
        assert helpers is not None and helpers.pids(), "the batch should have started the helpers"
        assert os.getpid() not in helpers.pids()
    else:
        assert helpers is None


def test_an_id_repeated_across_chunks_is_a_resend_of_its_first_copy(live_server: LiveServer) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    items = [submission(world) for _ in range(SIZE)]
    first = items[5]
    items[SIZE - 3] = dict(first)  # the same content in a later chunk
    items[SIZE - 2] = {**first, "instance_id": first["instance_id"].upper()}  # another spelling
    items[SIZE - 1] = {**first, "answers": beneficiary_answers(age=70)}  # a changed copy
    results = editor.post("/api/v1/responses/batch", json={"responses": items}).json()["results"]
    assert results[5]["status"] == "stored"
    assert [r["status"] for r in results[-3:]] == ["already_stored", "already_stored", "conflict"]
    assert stored_count(live_server) == SIZE - 3


@pytest.mark.parametrize("settings", [2], ids=["checked-by-helpers"], indirect=True)
def test_a_helper_that_dies_costs_no_response(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    helpers = helpers_for(live_server.engine, live_server.settings.check_processes)
    assert helpers is not None
    for future in helpers.start():
        future.result(timeout=120)
    assert len(helpers.pids()) == 2, "start() should bring up every helper"
    for pid in helpers.pids():
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while helpers.pids() and time.monotonic() < deadline:
        time.sleep(0.05)

    items = [submission(world) for _ in range(SIZE)]
    response = editor.post("/api/v1/responses/batch", json={"responses": items})
    assert response.status_code == 200, response.text
    assert response.json()["stored"] == SIZE
    assert "a helper process died" in caplog.text  # its chunks were checked by the server
    again = [submission(world) for _ in range(SIZE)]
    assert editor.post("/api/v1/responses/batch", json={"responses": again}).json()["stored"] == SIZE
    assert helpers.pids(), "new helpers should have started"

    # killed again while three batches arrive together: each one's chunks fail or get checked
    # here, and none of the failures may take down the helpers that replace the dead ones
    for pid in helpers.pids():
        os.kill(pid, signal.SIGKILL)
    batches = [[submission(world) for _ in range(SIZE)] for _ in range(3)]
    clients = [live_server.client(world.tokens["editor_a"]) for _ in batches]
    with ThreadPoolExecutor(3) as pool:
        answers = list(
            pool.map(lambda c, b: c.post("/api/v1/responses/batch", json={"responses": b}), clients, batches)
        )
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text[:300] for a in answers]
    assert [a.json()["stored"] for a in answers] == [SIZE] * 3
    last = [submission(world) for _ in range(SIZE)]
    assert editor.post("/api/v1/responses/batch", json={"responses": last}).json()["stored"] == SIZE
    assert helpers.pids(), "new helpers should have started again"
    assert stored_count(live_server) == 6 * SIZE
