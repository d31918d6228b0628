"""The server killed with -9 in the middle of a load: nothing acknowledged is lost, retries complete the set.

Four client processes submit as in the load test and write down every instance id the server
acknowledged with a 2xx, the moment they read the answer. The server is killed twice (SIGKILL,
no chance to flush anything) once a third and two thirds of the responses are acknowledged;
each time, before it comes back, every acknowledged response must already be in the database.
The server restarts on the same database and port; the clients' retries then complete the set,
each response exactly once.
"""

from __future__ import annotations

import multiprocessing
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from impactkit.store.db import make_engine
from impactkit.store.tables import SurveyResponse
from tests.reliability.conftest import Deployment
from tests.reliability.loadclient import merge, plan_clients, run_client
from tests.reliability.test_load import CLIENTS, PER_CLIENT, assert_clean, assert_exactly_stored

pytestmark = [pytest.mark.slow, pytest.mark.timeout(420)]


def acknowledged(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.glob("acknowledged-*.txt"):
        found.update(line for line in path.read_text().splitlines() if len(line) == 36)
    return found


def stored_ids(database_url: str) -> set[str]:
    """Read with a fresh engine, as a new process after the crash would."""
    engine = make_engine(database_url)
    table = SurveyResponse.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        ids = {row[0] for row in connection.execute(select(table.c.instance_id))}
    engine.dispose()
    return ids


def test_a_server_killed_mid_load_keeps_every_acknowledged_response(
    deployment: Deployment, tmp_path: Path
) -> None:
    server = deployment.start_server()
    world = deployment.world
    folder = tmp_path / "acknowledgements"
    folder.mkdir()
    specs, expected = plan_clients(
        CLIENTS,
        PER_CLIENT,
        base_urls=deployment.base_urls,
        token=world.tokens["editor_a"],
        project_id=world.project_a,
        period_id=world.period_a,
        seed=uuid.uuid4().hex,
        folder=folder,
    )
    context = multiprocessing.get_context("spawn")
    kills = 0
    with context.Pool(len(specs)) as pool:
        pending = pool.map_async(run_client, specs)
        for share in (1 / 3, 2 / 3):
            deadline = time.monotonic() + 180
            while len(acknowledged(folder)) < share * len(expected) and not pending.ready():
                assert time.monotonic() < deadline, "the load made no progress"
                time.sleep(0.05)
            if pending.ready():
                break
            server.kill()
            kills += 1
            time.sleep(0.5)  # answers already in flight when the process died are read by now
            confirmed = acknowledged(folder)
            lost = confirmed - stored_ids(deployment.database_url)
            assert not lost, f"{len(lost)} acknowledged responses lost by the crash, e.g. {sorted(lost)[:3]}"
            time.sleep(1.0)  # clients keep retrying against a closed port meanwhile
            server.start()
        reports = pending.get(timeout=300)
    report = merge(reports)
    assert kills == 2, "the load finished before the server could be killed twice"
    assert_clean(report)
    assert_exactly_stored(deployment.engine, expected, specs)
    assert acknowledged(folder) == expected
    print(f"\ncrash: {kills} kills survived, {report.sent} requests sent, {report.retries} retries")


OPENROSA_CLIENTS = 2
OPENROSA_PER_CLIENT = 120


def test_a_server_killed_mid_openrosa_load_keeps_every_acknowledged_submission(
    deployment: Deployment, tmp_path: Path
) -> None:
    """The same, for ODK clients: multipart XML submissions through a collector access, each one
    resent until answered 201 or 202; two kills; every acknowledged submission stored, once."""
    from impactkit.store import collectors
    from impactkit.store.db import session_scope
    from impactkit.store.surveys import find_form_version, form_source
    from tests.odk import instance_xml
    from tests.reliability.loadclient import (
        OpenRosaClientSpec,
        beneficiary_answers,
        instance_ids,
        run_openrosa_client,
    )

    world = deployment.world
    with session_scope(deployment.engine) as session:
        access, secret = collectors.create_access(
            session,
            secret_key="reliability-secret",  # the servers' IMPACTKIT_SECRET_KEY
            project_id=world.project_a,
            created_by=None,
            period_id=world.period_a,
        )
        version = find_form_version(session, world.org_a, "beneficiary_outcomes", "2026.1")
        source = form_source(session, version.id or 0)
        assert source is not None
        xform = source.xform
        source_name = collectors.collector_source(access.id or 0)
    server = deployment.start_server()
    ids = instance_ids(OPENROSA_CLIENTS * OPENROSA_PER_CLIENT, uuid.uuid4().hex)
    submissions = [(i, instance_xml(xform, beneficiary_answers(n), i)) for n, i in enumerate(ids)]
    folder = tmp_path / "acknowledgements"
    folder.mkdir()
    specs = [
        OpenRosaClientSpec(
            base_urls=tuple(deployment.base_urls),
            collector_path=f"/collect/{secret}",
            submissions=tuple(submissions[k::OPENROSA_CLIENTS]),
            acknowledgements=folder / f"acknowledged-{k}.txt",
        )
        for k in range(OPENROSA_CLIENTS)
    ]
    context = multiprocessing.get_context("spawn")
    kills = 0
    with context.Pool(len(specs)) as pool:
        pending = pool.map_async(run_openrosa_client, specs)
        for share in (1 / 3, 2 / 3):
            deadline = time.monotonic() + 180
            while len(acknowledged(folder)) < share * len(ids) and not pending.ready():
                assert time.monotonic() < deadline, "the load made no progress"
                time.sleep(0.05)
            if pending.ready():
                break
            server.kill()
            kills += 1
            time.sleep(0.5)
            lost = acknowledged(folder) - stored_ids(deployment.database_url)
            assert not lost, (
                f"{len(lost)} acknowledged submissions lost by the crash, e.g. {sorted(lost)[:3]}"
            )
            time.sleep(1.0)
            server.start()
        reports = pending.get(timeout=300)
    report = merge(reports)
    assert kills == 2, "the load finished before the server could be killed twice"
    assert_clean(report)
    assert acknowledged(folder) == set(ids)
    stored = stored_ids(deployment.database_url)
    assert stored >= set(ids)
    with deployment.engine.connect() as connection:
        table = SurveyResponse.__table__  # type: ignore[attr-defined]
        rows = connection.execute(select(table.c.instance_id, table.c.source)).all()
    mine = [row for row in rows if row[0] in set(ids)]
    assert len(mine) == len(ids) and {source for _, source in mine} == {source_name}
    print(
        f"\ncrash (OpenRosa): {kills} kills survived, {report.sent} requests sent, {report.retries} retries"
    )
