"""KPIs computed in a helper process answer exactly as the server computing them itself.

Every test runs on SQLite and on PostgreSQL over real HTTP, with the KPIs computed in helper
processes (as ``impactkit serve`` does) and compared with the same KPIs computed here: the helper
is a way of keeping the server's memory flat, never a change of meaning. It is replaced after
its tasks, survives a kill, computes with the disclosure threshold set now, and its errors reach
the caller as the server's own would.
"""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from impactkit.disclosure import THRESHOLD_VARIABLE
from impactkit.errors import NotFoundError
from impactkit.settings import Settings
from impactkit.store.kpi_helpers import KpiHelpers, kpi_helpers
from impactkit.store.kpis import project_kpis
from tests.conftest import LiveServer
from tests.factories import World
from tests.integration.surveys.test_responses_api import beneficiary_answers, setup

TASKS = 3
"""Computations a helper makes before it is replaced (small, so that the tests see it happen)."""


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    base = Settings(data_dir=tmp_path, database_url=database_url, secret_key="test-secret-key")
    return dataclasses.replace(base, kpi_processes=1, kpi_tasks=TASKS)


def _collect(live_server: LiveServer, world: World, people: int, seed: int) -> None:
    """``people`` beneficiaries at baseline and most at endline, in small groups by gender."""
    rng = random.Random(seed)
    items = []
    for index in range(people):
        person = beneficiary_answers(
            respondent_code=f"P{seed}-{index}",
            gender=rng.choice(["female", "male", "nonbinary"]),
            age=rng.randint(15, 80),
            territory_type=rng.choice(["urban", "rural", "mountain"]),
            wellbeing=str(rng.randint(1, 5)),
            satisfaction=str(rng.randint(1, 5)),
        )
        for wave in ("baseline", "endline"):
            if wave == "endline" and index % 5 == 0:
                continue
            answers = {**person, "wellbeing": str(rng.randint(1, 5))} if wave == "endline" else person
            items.append(
                {
                    "instance_id": str(uuid.uuid4()),
                    "form_id": "beneficiary_outcomes",
                    "form_version": "2026.1",
                    "project_id": world.project_a,
                    "period_id": world.period_a,
                    "wave": wave,
                    "answers": answers,
                }
            )
    editor = live_server.client(world.tokens["editor_a"])
    answer = editor.post("/api/v1/responses/batch", json={"responses": items})
    assert answer.status_code == 200, answer.text
    assert answer.json()["stored"] == len(items)


def _here(live_server: LiveServer, project_id: int, period_id: int | None) -> dict[str, Any]:
    with Session(live_server.engine) as session:
        return project_kpis(session, project_id, period_id).model_dump(mode="json")


def _helpers(live_server: LiveServer) -> KpiHelpers:
    with Session(live_server.engine) as session:
        helpers = kpi_helpers(session)
    assert helpers is not None, "the app should compute KPIs in helpers with kpi_processes=1"
    return helpers


def _replaced(helpers: KpiHelpers, before: list[int], timeout: float = 120) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = helpers.pids()
        if now and not set(now) & set(before):
            return now
        time.sleep(0.2)
    raise AssertionError(f"helper {before} not replaced within {timeout} s (now {helpers.pids()})")


def test_the_kpis_from_a_helper_are_the_kpis_computed_here(live_server: LiveServer) -> None:
    world = setup(live_server)
    owner = live_server.client(world.tokens["owner_a"])
    helpers = _helpers(live_server)
    seen_pids: set[int] = set()
    for round_ in range(TASKS + 1):  # past the helper's tasks: the last ones are a new helper's
        _collect(live_server, world, people=12, seed=round_)
        for period in (world.period_a, None):
            params = {"period_id": period} if period is not None else {}
            answer = owner.get(f"/api/v1/projects/{world.project_a}/kpis", params=params)
            assert answer.status_code == 200, answer.text
            assert answer.json() == _here(live_server, world.project_a, period), (round_, period)
            seen_pids.update(helpers.pids())
    assert helpers.computed == 2 * (TASKS + 1)
    assert os.getpid() not in seen_pids
    assert len(seen_pids) >= 2, f"a helper should be replaced after {TASKS} computations: {seen_pids}"

    # a report seals the KPIs computed there too
    report = owner.post(f"/api/v1/projects/{world.project_a}/reports", json={"period_id": world.period_a})
    assert report.status_code == 201, report.text
    sealed = {kpi["indicator_id"]: kpi["value"] for kpi in report.json()["content"]["kpis"]}
    here = _here(live_server, world.project_a, world.period_a)
    assert sealed == {r["indicator_id"]: r["value"] for r in here["results"] if r["group"] is None}


def test_a_helper_is_replaced_after_its_tasks_and_after_a_kill(live_server: LiveServer) -> None:
    world = setup(live_server)
    _collect(live_server, world, people=8, seed=1)
    helpers = _helpers(live_server)
    first = helpers.compute(world.project_a, world.period_a)
    pids = helpers.pids()
    assert len(pids) == 1
    for _ in range(TASKS - 1):
        assert helpers.compute(world.project_a, world.period_a) == first
    # its last task done, the helper leaves and a fresh one starts without being asked
    fresh = _replaced(helpers, pids)

    os.kill(fresh[0], signal.SIGKILL)
    deadline = time.monotonic() + 30
    while fresh[0] in helpers.pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    # the computation after the kill is made by a new helper, and gives the same KPIs
    assert helpers.compute(world.project_a, world.period_a) == first
    assert helpers.restarts == 1
    assert not set(helpers.pids()) & set(fresh)


def test_errors_in_a_helper_reach_the_caller_as_they_are(live_server: LiveServer) -> None:
    world = setup(live_server)
    helpers = _helpers(live_server)
    with pytest.raises(
        NotFoundError, match=f"period {world.period_b} not found in project {world.project_a}"
    ):
        helpers.compute(world.project_a, world.period_b)
    with pytest.raises(NotFoundError, match=f"project {world.project_b + 1000} not found"):
        helpers.compute(world.project_b + 1000, None)
    assert helpers.restarts == 0  # an error is an answer, not a broken helper


def test_a_helper_computes_with_the_threshold_set_now(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = setup(live_server)
    _collect(live_server, world, people=15, seed=7)
    helpers = _helpers(live_server)
    helpers.compute(world.project_a, world.period_a)  # the helper is up, with the environment of then
    found = {}
    for threshold in ("2", "10"):
        monkeypatch.setenv(THRESHOLD_VARIABLE, threshold)
        found[threshold] = helpers.compute(world.project_a, world.period_a).model_dump(mode="json")
        assert found[threshold] == _here(live_server, world.project_a, world.period_a), threshold
    assert found["2"] != found["10"], "groups of 3 to 9 people: the threshold should change what is shown"


def test_computations_queued_while_a_helper_is_replaced_all_finish(live_server: LiveServer) -> None:
    """Many requests at once, more than a helper's tasks: the helper is replaced with work queued
    behind it, and every computation still ends (Python's own max_tasks_per_child could leave
    queued work waiting for ever, python/cpython#115634)."""
    world = setup(live_server)
    _collect(live_server, world, people=6, seed=3)
    helpers = _helpers(live_server)
    expected = _here(live_server, world.project_a, world.period_a)
    rounds = 4 * TASKS
    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [
            pool.submit(lambda: helpers.compute(world.project_a, world.period_a)) for _ in range(rounds)
        ]
        results = [future.result(timeout=600) for future in futures]
    assert all(result.model_dump(mode="json") == expected for result in results)
    assert helpers.computed == rounds
    assert helpers.replaced >= rounds // TASKS - 1
    assert helpers.restarts == 0
