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
