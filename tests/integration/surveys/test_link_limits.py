"""A survey link's maximum holds when respondents answer at the same moment, on every write path.

Each test races real threads (and, for large batches, real helper processes) against one capped
link on SQLite and on PostgreSQL: through the page's own transaction (``store_responses``),
through the group-commit writer, and through chunks checked by helper processes. Exactly the
maximum is stored, the counter agrees with the rows, the others are refused as ``link_closed``,
and a resend of a stored answer is still ``already_stored``. The same race across two server
processes over HTTP is in tests/reliability/test_link_limits.py.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from impactkit.settings import Settings
from impactkit.store import links
from impactkit.store.checking import helpers_for
from impactkit.store.db import session_scope
from impactkit.store.surveys import (
    ItemResult,
    Prepared,
    Submission,
    erase_responses,
    prepare_responses,
    store_responses,
)
from impactkit.store.tables import SurveyLink, SurveyResponse
from impactkit.store.writer import ResponseWriter
from tests.integration.pages.web import WebWorld, build_web_world
from tests.reliability.loadclient import beneficiary_answers, response_body


def _submission(web: WebWorld, number: int, instance_id: str | None = None) -> Submission:
    return Submission(
        instance_id=instance_id or str(uuid.uuid4()),
        form_id="beneficiary_outcomes",
        form_version="2026.1",
        project_id=web.world.project_a,
        period_id=web.world.period_a,
        wave="baseline",
        answers=beneficiary_answers(number),
        source=links.link_source(web.link_id),
    )


def _race(count: int, work: Callable[[int], ItemResult]) -> list[ItemResult]:
    """Run ``work(i)`` for i in range(count) in as many threads, released at the same moment."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(number: int) -> None:
        barrier.wait()
        try:
            results[number] = work(number)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def _stored_through(engine: Engine, link_id: int) -> tuple[int, int]:
    """(rows stored with the link's source, the link's counter)."""
    with Session(engine) as session:
        rows = session.execute(
            select(func.count()).where(
                SurveyResponse.source == links.link_source(link_id),  # type: ignore[arg-type]
                SurveyResponse.erased_at.is_(None),  # type: ignore[union-attr]
            )
        ).scalar_one()
        link = session.get(SurveyLink, link_id)
        assert link is not None
        return int(rows), link.responses


def _store_in_own_transaction(engine: Engine, submission: Submission) -> ItemResult:
    with session_scope(engine) as session:
        [result] = store_responses(session, [submission], allowed_organisations=None)
        return result


def _prepare(engine: Engine, submission: Submission) -> Prepared:
    """Check one submission as a request does (with a short session of its own)."""
    with Session(engine) as session:
        return prepare_responses(session, engine, [submission], allowed_organisations=None)


def test_sixteen_respondents_racing_a_link_of_five_store_exactly_five(
    engine: Engine, settings: Settings
) -> None:
    web = build_web_world(engine, settings, max_responses=5)
    results = _race(16, lambda n: _store_in_own_transaction(engine, _submission(web, n)))
    statuses = Counter(result.status for result in results)
    assert statuses == {"stored": 5, "link_closed": 11}, statuses
    refused = next(result for result in results if result.status == "link_closed")
    assert refused.http_status == 410
    assert refused.errors[0]["location"] == "link" and refused.errors[0]["code"] == "full"
    assert "at most 5" in refused.errors[0]["message"]
    assert _stored_through(engine, web.link_id) == (5, 5)
    # a resend of a stored answer is answered as such, even though the link is full
    stored = next(result for result in results if result.status == "stored")
    number = results.index(stored)
    again = _store_in_own_transaction(engine, _submission(web, number, stored.instance_id))
    assert again.status == "already_stored"
    with Session(engine) as session:
        link = session.get(SurveyLink, web.link_id)
        assert link is not None and links.link_status(session, link) is links.LinkStatus.full


def test_a_once_only_link_takes_one_answer_through_the_group_commit_writer(
    engine: Engine, settings: Settings
) -> None:
    web = build_web_world(engine, settings, max_responses=1)
    writer = ResponseWriter(engine)
    submissions = [_submission(web, n) for n in range(12)]
    # every request checked first (as the API does), then all handed to the writer at once
    prepared = [_prepare(engine, s) for s in submissions]
    try:
        results = _race(12, lambda n: (writer.submit(prepared[n]).result(30), prepared[n].outcome()[0])[1])
        statuses = Counter(result.status for result in results)
        assert statuses == {"stored": 1, "link_closed": 11}, statuses
        assert _stored_through(engine, web.link_id) == (1, 1)
        winner = next(n for n, result in enumerate(results) if result.status == "stored")
        resend = _prepare(engine, submissions[winner])
        writer.submit(resend).result(30)
        assert resend.outcome()[0].status == "already_stored"
    finally:
        writer.close()


def test_a_large_batch_checked_by_helper_processes_and_racing_singles_fill_the_link_exactly(
    engine: Engine, settings: Settings
) -> None:
    web = build_web_world(engine, settings, max_responses=150)
    helpers = helpers_for(engine, 1)
    assert helpers is not None
    writer = ResponseWriter(engine)
    source = links.link_source(web.link_id)
    raw = [response_body(str(uuid.uuid4()), n, web.world.project_a, web.world.period_a) for n in range(300)]
    try:
        chunks = [helpers.check(raw[start : start + 150], start, None, source) for start in (0, 150)]
        checked = [chunk.result(120) for chunk in chunks]
        singles = [_submission(web, 1000 + n) for n in range(20)]
        prepared = [_prepare(engine, s) for s in singles]
        jobs = [*(chunk.prepared for chunk in checked), *prepared]
        _race(len(jobs), lambda n: (writer.submit(jobs[n]).result(60), ItemResult(n, None, "done"))[1])
        outcome = Counter(result.status for chunk in checked for result in chunk.results())
        outcome.update(p.outcome()[0].status for p in prepared)
        assert outcome["stored"] == 150 and outcome["link_closed"] == 170, outcome
        assert _stored_through(engine, web.link_id) == (150, 150)
    finally:
        writer.close()
        helpers.close()


def test_closing_a_link_refuses_an_answer_already_being_written_and_erasure_frees_a_place(
    engine: Engine, settings: Settings
) -> None:
    web = build_web_world(engine, settings, max_responses=2)
    first = _store_in_own_transaction(engine, _submission(web, 1))
    second = _store_in_own_transaction(engine, _submission(web, 2))
    assert (first.status, second.status) == ("stored", "stored")
    assert _store_in_own_transaction(engine, _submission(web, 3)).status == "link_closed"
    with session_scope(engine) as session:
        assert erase_responses(session, web.world.org_a, instance_id=first.instance_id)
    assert _stored_through(engine, web.link_id) == (1, 1)
    # the page checked the link while it was open; staff close it before the answer is written
    late = _submission(web, 4)
    with session_scope(engine) as session:
        links.close_link(session, web.link_id)
    refused = _store_in_own_transaction(engine, late)
    assert refused.status == "link_closed" and refused.errors[0]["code"] == "closed"
    assert _stored_through(engine, web.link_id) == (1, 1)
