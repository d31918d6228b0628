"""The response writer on SQLite and PostgreSQL: groups land together, an id is stored once,
a spoiled group still lands every good request, a cancelled request is not written."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time
import uuid
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from impactkit.store.db import make_engine, session_scope, sqlite_write_slot
from impactkit.store.surveys import (
    Prepared,
    Submission,
    insert_prepared,
    prepare_responses,
    publish_shipped_forms,
)
from impactkit.store.tables import SurveyResponse
from impactkit.store.writer import ResponseWriter
from tests.conftest import LiveServer
from tests.factories import World, build_world
from tests.integration.surveys.test_responses_api import beneficiary_answers, submission

_response = SurveyResponse.__table__  # type: ignore[attr-defined]


def _world(engine: Engine) -> World:
    world = build_world(engine)
    with session_scope(engine) as session:
        publish_shipped_forms(session)
    return world


def _submission(world: World, instance_id: str | None = None, **answers: Any) -> Submission:
    return Submission(
        instance_id=instance_id or str(uuid.uuid4()),
        form_id="beneficiary_outcomes",
        form_version="2026.1",
        project_id=world.project_a,
        period_id=world.period_a,
        wave="baseline",
        answers=beneficiary_answers(**answers),
    )


def _prepare(engine: Engine, *submissions: Submission) -> Prepared:
    with session_scope(engine) as session:
        return prepare_responses(session, engine, list(submissions), allowed_organisations=None)


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(_response)).scalar_one())


class _HeldWriter(ResponseWriter):
    """A writer whose thread waits at a gate before each group, so a test can queue several."""

    def __init__(self, engine: Engine) -> None:
        self.gate = threading.Event()
        self.groups: list[int] = []
        super().__init__(engine)

    def _write(self, jobs: list[Any]) -> None:
        self.gate.wait(timeout=30)
        self.groups.append(len(jobs))
        super()._write(jobs)


def _queue_while_held(writer: _HeldWriter, prepared: list[Prepared]) -> list[Future[None]]:
    # The first job is taken by the thread and waits at the gate; the rest queue up behind it.
    futures = [writer.submit(prepared[0])]
    while writer._queue.qsize():  # until the thread has taken the first one
        time.sleep(0.01)
    futures += [writer.submit(item) for item in prepared[1:]]
    writer.gate.set()
    for future in futures:
        future.exception(timeout=30)
    return futures


def test_waiting_requests_are_written_in_one_transaction(engine: Engine) -> None:
    world = _world(engine)
    writer = _HeldWriter(engine)
    try:
        prepared = [_prepare(engine, _submission(world)) for _ in range(6)]
        futures = _queue_while_held(writer, prepared)
    finally:
        writer.close()
    assert all(f.exception() is None for f in futures)
    assert writer.groups == [1, 5]  # the first alone, the five that waited together
    assert [p.outcome()[0].status for p in prepared] == ["stored"] * 6
    assert _count(engine) == 6


def test_the_same_instance_id_in_two_waiting_requests_is_stored_once(engine: Engine) -> None:
    world = _world(engine)
    shared = str(uuid.uuid4())
    writer = _HeldWriter(engine)
    try:
        prepared = [
            _prepare(engine, _submission(world)),
            _prepare(engine, _submission(world, shared)),
            _prepare(engine, _submission(world, shared)),
            _prepare(engine, _submission(world, shared, age=44)),
        ]
        _queue_while_held(writer, prepared)
    finally:
        writer.close()
    statuses = [p.outcome()[0].status for p in prepared]
    assert statuses == ["stored", "stored", "already_stored", "conflict"]
    assert _count(engine) == 2


def test_ids_stored_meanwhile_are_told_apart_from_the_rows_just_inserted(engine: Engine) -> None:
    world = _world(engine)
    batch = [_submission(world) for _ in range(5)]
    prepared = _prepare(engine, *batch)  # checked while nothing was stored yet
    meanwhile = _prepare(engine, batch[1], _submission(world, batch[3].instance_id, age=50))
    with engine.begin() as connection:
        insert_prepared(connection, [meanwhile])
    with engine.begin() as connection:
        insert_prepared(connection, [prepared])
    statuses = [result.status for result in prepared.outcome()]
    assert statuses == ["stored", "already_stored", "stored", "conflict", "stored"]
    assert _count(engine) == 5


def test_a_request_that_fails_does_not_take_the_others_with_it(engine: Engine) -> None:
    world = _world(engine)
    writer = _HeldWriter(engine)
    broken = _prepare(engine, _submission(world))
    broken.rows[0][1]["project_id"] = 999_999  # no such project: the foreign key refuses it
    good = [_prepare(engine, _submission(world)) for _ in range(3)]
    try:
        futures = _queue_while_held(writer, [good[0], good[1], broken, good[2]])
    finally:
        writer.close()
    assert [f.exception() is None for f in futures] == [True, True, False, True]
    assert [p.outcome()[0].status for p in good] == ["stored"] * 3
    assert _count(engine) == 3


def test_a_request_cancelled_before_its_turn_is_not_written(engine: Engine) -> None:
    world = _world(engine)
    writer = _HeldWriter(engine)
    first, cancelled = _prepare(engine, _submission(world)), _prepare(engine, _submission(world))
    try:
        held = writer.submit(first)
        while writer._queue.qsize():
            time.sleep(0.01)
        later = writer.submit(cancelled)
        assert later.cancel()
        writer.gate.set()
        held.result(timeout=30)
    finally:
        writer.close()
    assert _count(engine) == 1


def test_concurrent_single_posts_are_all_stored_and_answered(live_server: LiveServer) -> None:
    world = _world(live_server.engine)
    bodies = [submission(world) for _ in range(200)]
    bodies += bodies[:40]  # resent while the originals may still be waiting to be written
    token = world.tokens["editor_a"]

    async def send_all() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=32)
        async with httpx.AsyncClient(
            base_url=live_server.base_url,
            headers={"Authorization": f"Bearer {token}"},
            limits=limits,
            timeout=60,
        ) as client:
            return await asyncio.gather(*(client.post("/api/v1/responses", json=body) for body in bodies))

    answers = asyncio.run(send_all())
    assert {a.status_code for a in answers} <= {200, 201}
    assert sum(a.json()["status"] == "stored" for a in answers) == 200
    assert _count(live_server.engine) == 200


def _take_slot_and_report(database_url: str, started: Any, taken: Any) -> None:
    engine = make_engine(database_url)
    started.set()
    with sqlite_write_slot(engine):
        taken.value = time.monotonic()
    engine.dispose()


def test_sqlite_writers_of_two_processes_take_turns_on_the_lock_file(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'turns.db'}"
    engine = make_engine(database_url)
    context = multiprocessing.get_context("spawn")
    started, taken = context.Event(), context.Value("d", 0.0)
    with sqlite_write_slot(engine):
        other = context.Process(target=_take_slot_and_report, args=(database_url, started, taken))
        other.start()
        assert started.wait(120)
        time.sleep(0.5)
        assert taken.value == 0.0  # still waiting for this process to finish writing
        released = time.monotonic()
    other.join(30)
    assert other.exitcode == 0
    assert 0 <= taken.value - released < 0.25  # woken at once, not after a busy handler's sleep
    assert (tmp_path / "turns.db.writer-lock").exists()
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_writer_replaces_a_connection_the_database_dropped(engine: Engine) -> None:
    """Only a database server can drop the writer's connection: PostgreSQL alone."""
    world = _world(engine)
    writer = ResponseWriter(engine)
    try:
        before = _prepare(engine, _submission(world))
        writer.submit(before).result(timeout=30)
        assert writer._connection is not None
        backend = writer._connection.connection.driver_connection.info.backend_pid  # type: ignore[union-attr]
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        after = _prepare(engine, _submission(world))
        writer.submit(after).result(timeout=30)
    finally:
        writer.close()
    assert [before.outcome()[0].status, after.outcome()[0].status] == ["stored", "stored"]
    assert _count(engine) == 2
