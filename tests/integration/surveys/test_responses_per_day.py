"""The project page's responses per day, counted by the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine

from impactkit.store.db import session_scope
from impactkit.store.links import responses_per_day
from impactkit.store.surveys import Submission, erase_responses, publish_shipped_forms, store_responses
from impactkit.store.tables import SurveyResponse
from tests.factories import World, build_world
from tests.integration.surveys.test_responses_api import beneficiary_answers

TODAY = date(2026, 12, 7)


def _store(engine: Engine, world: World, moments: list[datetime], project: str = "a") -> list[str]:
    """One response per moment, submitted then (UTC): their instance ids."""
    project_id, period_id = (
        (world.project_a, world.period_a) if project == "a" else (world.project_b, world.period_b)
    )
    ids = [str(uuid.uuid4()) for _ in moments]
    with session_scope(engine) as session:
        results = store_responses(
            session,
            [
                Submission(
                    instance_id=instance_id,
                    form_id="beneficiary_outcomes",
                    form_version="2026.1",
                    project_id=project_id,
                    period_id=period_id,
                    wave="baseline",
                    answers=beneficiary_answers(respondent_code=f"PD-{index}"),
                )
                for index, instance_id in enumerate(ids)
            ],
            allowed_organisations=None,
        )
    assert [r.status for r in results] == ["stored"] * len(moments), results
    with session_scope(engine) as session:
        for instance_id, moment in zip(ids, moments, strict=True):
            session.execute(
                update(SurveyResponse)
                .where(SurveyResponse.instance_id == instance_id)
                .values(submitted_at=moment)  # type: ignore[arg-type]
            )
    return ids


def test_each_day_counts_its_responses_and_nothing_else(engine: Engine) -> None:
    from impactkit.store import migrate

    migrate.upgrade(engine)
    world = build_world(engine)
    with session_scope(engine) as session:
        publish_shipped_forms(session)
    midnight = datetime(2026, 12, 7, tzinfo=UTC)
    _store(
        engine,
        world,
        [
            midnight,  # the first moment of today
            midnight + timedelta(hours=23, minutes=59, seconds=59),  # the last second of today
            midnight - timedelta(microseconds=1),  # yesterday's last moment
            midnight - timedelta(days=29),  # the first day shown
            midnight - timedelta(days=29, seconds=1),  # the day before it: not shown
            midnight + timedelta(days=1),  # tomorrow: not shown
        ],
    )
    _store(engine, world, [midnight + timedelta(hours=5)], project="b")  # another project
    erased = _store(engine, world, [midnight + timedelta(hours=6)])
    with session_scope(engine) as session:
        erase_responses(session, world.org_a, instance_id=erased[0])

    with session_scope(engine) as session:
        days = responses_per_day(session, world.project_a, today=TODAY)
    assert len(days) == 30
    assert days[0] == (TODAY - timedelta(days=29), 1)
    assert days[-1] == (TODAY, 2)
    assert days[-2] == (TODAY - timedelta(days=1), 1)
    assert sum(count for _, count in days) == 4
    with session_scope(engine) as session:
        assert responses_per_day(session, world.project_a, days=1, today=TODAY) == [(TODAY, 2)]
        assert responses_per_day(session, world.project_b, today=TODAY)[-1] == (TODAY, 1)
