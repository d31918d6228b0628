"""Concurrent submitters over real HTTP: every response stored exactly once, no server error.

Four client processes submit 150 responses each (half as single POSTs, half in batches of 25),
send every fifth one again, and race a neighbour on 20 shared instance ids; each client times out
(every seventh request on purpose, after a millisecond) and retries with the same instance ids.
Afterwards the database holds exactly the 600 responses, with the answers that were sent.
"""

from __future__ import annotations

import multiprocessing
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from impactkit.store.tables import SurveyResponse
from tests.reliability.conftest import Deployment
from tests.reliability.loadclient import ClientSpec, SubmitterReport, merge, plan_clients, run_client

CLIENTS = 4
PER_CLIENT = 150

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def run_in_processes(specs: Sequence[ClientSpec]) -> SubmitterReport:
    """Run each client spec in its own process (spawned, so nothing is shared) and merge the reports."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(len(specs)) as pool:
        reports = pool.map(run_client, specs)
    return merge(reports)


def stored_rows(engine: Engine) -> list[tuple[str, Any]]:
    table = SurveyResponse.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(table.c.instance_id, table.c.answers))]


def assert_exactly_stored(engine: Engine, expected: set[str], specs: Sequence[ClientSpec]) -> None:
    """The database holds each expected instance id once, with the answers that were sent."""
    rows = stored_rows(engine)
    ids = [instance_id for instance_id, _ in rows]
    assert len(ids) == len(set(ids)), "an instance id is stored twice"
    missing = expected - set(ids)
    extra = set(ids) - expected
    assert not missing, f"{len(missing)} responses missing, e.g. {sorted(missing)[:3]}"
    assert not extra, f"{len(extra)} responses nobody sent, e.g. {sorted(extra)[:3]}"
    sent = {body["instance_id"]: body["answers"] for spec in specs for body in spec.own}
    for instance_id, answers in rows:
        assert answers["respondent_code"] == sent[instance_id]["respondent_code"]
        assert answers["age"] == sent[instance_id]["age"]
    table = SurveyResponse.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(table)).scalar_one() == len(expected)


def assert_clean(report: SubmitterReport) -> None:
    assert not report.server_errors, f"{len(report.server_errors)} server errors: {report.server_errors[:3]}"
    assert not report.unexpected, f"{len(report.unexpected)} unexpected answers: {report.unexpected[:3]}"


def test_concurrent_clients_store_every_response_exactly_once(deployment: Deployment) -> None:
    deployment.start_server()
    world = deployment.world
    specs, expected = plan_clients(
        CLIENTS,
        PER_CLIENT,
        base_urls=deployment.base_urls,
        token=world.tokens["editor_a"],
        project_id=world.project_a,
        period_id=world.period_a,
        seed=uuid.uuid4().hex,
    )
    report = run_in_processes(specs)
    assert_clean(report)
    assert_exactly_stored(deployment.engine, expected, specs)
    # every submission answered: each own response, every fifth again, each shared one by both
    # racing clients; "stored" said at most once per response (an answer lost to a client
    # timeout is followed by "already_stored" on the retry)
    resent = CLIENTS * len(range(0, PER_CLIENT, 5))
    shared = sum(len(spec.shared) for spec in specs)
    assert report.acknowledged == CLIENTS * PER_CLIENT + resent + shared
    assert report.statuses["stored"] <= CLIENTS * PER_CLIENT
    assert report.retries > 0
    print(
        f"\nload: {report.sent} requests sent, {report.retries} retries, {report.acknowledged} acknowledged"
    )


@pytest.mark.postgres
@pytest.mark.parametrize("deployment", ["postgresql"], indirect=True)
def test_two_api_processes_on_one_postgresql_store_every_response_exactly_once(
    deployment: Deployment,
) -> None:
    deployment.start_server()
    deployment.start_server()
    world = deployment.world
    specs, expected = plan_clients(
        CLIENTS,
        PER_CLIENT,
        base_urls=deployment.base_urls,
        token=world.tokens["owner_a"],
        project_id=world.project_a,
        period_id=world.period_a,
        seed=uuid.uuid4().hex,
    )
    assert {spec.base_urls[0] for spec in specs} == set(deployment.base_urls)
    report = run_in_processes(specs)
    assert_clean(report)
    assert_exactly_stored(deployment.engine, expected, specs)
    assert report.retries > 0
    print(f"\nload, 2 API processes: {report.sent} requests sent, {report.retries} retries")
