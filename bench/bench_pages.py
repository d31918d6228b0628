"""Bench: the project page and a KPI's breakdown on a project with 100,000 responses, served from the
KPI cache, next to the same pages computed afresh (cache emptied before each request) in the same run.

Run: .venv/bin/python bench/bench_pages.py [--responses 100000] [--repeats 20] [--backend sqlite|postgresql]

A fresh migrated database (SQLite file in a temporary folder, or a database of its own on the
PostgreSQL of ``IMPACTKIT_TEST_POSTGRES_URL``, dropped afterwards) with the test world and the shipped
forms; ``--responses`` beneficiary answers (baseline and endline, genders, ages, territories,
respondent codes) stored in project A's period through the store's own bulk path
(:func:`impactkit.store.surveys.store_responses`: validated, inserted by the driver's executemany,
the change counter moved), 5,000 per transaction. The real app behind uvicorn on a loopback port;
the owner signed in through the sign-in page. Then, for each page:

  - cached: the median server time (the access log's ``duration_ms``: request received → last byte
    of the answer) over ``repeats`` requests after one warm-up;
  - uncached: the same request with the process's KPI cache emptied before it (``--uncached``
    requests, 3 by default): what every view would cost without the cache;
  - compute alone: ``project_kpis`` in process, the computation the cache saves.

Then one new response is stored (as a survey link would) and the next view is timed: the change
counter moved, so it computes afresh once, and the view after it is served from the cache again.
Goal (issue 18): project page and breakdown ≤ 300 ms server time (median) with the cache.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.factories import World, build_world  # noqa: E402
from tests.integration.pages.web import sign_in  # noqa: E402

from impactkit.logs import FIELDS  # noqa: E402
from impactkit.settings import Settings  # noqa: E402
from impactkit.store import kpi_cache, migrate  # noqa: E402
from impactkit.store.db import make_engine, session_scope  # noqa: E402
from impactkit.store.kpis import project_kpis  # noqa: E402
from impactkit.store.surveys import Submission, publish_shipped_forms, store_responses  # noqa: E402

POSTGRES = os.environ.get("IMPACTKIT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHUNK = 5_000
INDICATOR = "beneficiary_satisfaction"
GOAL_MS = 300.0


class ServerTimes(logging.Handler):
    """The access log's duration of every request, by path."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[tuple[str, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        fields = getattr(record, FIELDS, {})
        if "duration_ms" in fields:
            self.times.append((str(fields.get("path", "")), float(fields["duration_ms"])))

    def last(self) -> float:
        return self.times[-1][1]


def answers(rng: random.Random, person: int, wave: str) -> dict[str, Any]:
    """One beneficiary's answers, as the shipped form takes them."""
    unemployed = rng.random() < 0.3
    return {
        "consent": "yes",
        "respondent_code": f"BEN-{person:06d}",
        "gender": rng.choice(["female", "male", "female", "male", "nonbinary"]),
        "age": rng.randint(15, 80),
        "territory_type": rng.choice(["urban", "rural", "mountain"]),
        "vulnerable_conditions": ["unemployment"] if unemployed else ["none"],
        "employment_status": "unemployed" if unemployed else "employed",
        **({"months_unemployed": rng.randint(1, 24)} if unemployed else {}),
        "wellbeing": str(rng.randint(1, 5)),
        "autonomy": str(rng.randint(1, 5)),
        "social_connections": str(rng.randint(1, 5)),
        "satisfaction": str(rng.randint(1, 5)),
        "would_recommend": rng.choice(["yes", "no"]),
    }


def submissions(world: World, count: int, seed: int = 18) -> Iterator[list[Submission]]:
    """``count`` responses in chunks: each person answers at baseline, then at endline."""
    rng = random.Random(seed)
    chunk: list[Submission] = []
    for index in range(count):
        chunk.append(
            Submission(
                instance_id=str(uuid.uuid4()),
                form_id="beneficiary_outcomes",
                form_version="2026.1",
                project_id=world.project_a,
                period_id=world.period_a,
                wave="baseline" if index % 2 == 0 else "endline",
                answers=answers(rng, index // 2, "baseline" if index % 2 == 0 else "endline"),
            )
        )
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"bench_pages_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


T = TypeVar("T")


def timed_and_traced(function: Callable[[], T], repeat: int) -> tuple[float, int, T]:
    """Best of ``repeat`` timed runs, then one more with tracemalloc on (tracing slows what it
    traces): seconds, the traced peak of Python allocations in bytes, the traced run's result."""
    seconds = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    gc.collect()
    tracemalloc.start()
    try:
        result = function()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return min(seconds), peak, result


@contextmanager
def seeded(backend: str, count: int) -> Iterator[tuple[Any, World]]:
    """A fresh migrated database (removed afterwards) with the test world, the shipped forms and
    ``count`` beneficiary answers stored through the store's bulk path: its engine and world."""
    with tempfile.TemporaryDirectory() as folder, database(backend, Path(folder)) as url:
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
            world = build_world(engine)
            with session_scope(engine) as session:
                publish_shipped_forms(session)
            for chunk in submissions(world, count):
                with session_scope(engine) as session:
                    store_responses(session, chunk, allowed_organisations=None)
            yield engine, world
        finally:
            engine.dispose()


def serve(settings: Settings, engine: Any) -> uvicorn.Server:
    from impactkit.api.app import create_app

    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, engine=engine),
            host="127.0.0.1",
            port=int(settings.public_base_url.rsplit(":", 1)[1]),
            log_level="warning",
            access_log=False,
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    return server


def median_ms(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--uncached", type=int, default=3, help="uncached requests per page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder_name, database(args.backend, Path(folder_name)) as url:
        folder = Path(folder_name)
        engine = make_engine(url)
        migrate.upgrade(engine)
        world = build_world(engine)
        with session_scope(engine) as session:
            publish_shipped_forms(session)
        started = time.perf_counter()
        for chunk in submissions(world, args.responses):
            with session_scope(engine) as session:
                results = store_responses(session, chunk, allowed_organisations=None)
            assert all(result.status == "stored" for result in results), results[0]
        stored_s = time.perf_counter() - started
        print(
            f"{args.backend}: {args.responses:,} responses stored in {stored_s:.1f} s "
            f"({args.responses / stored_s:,.0f}/s through the store's bulk path)"
        )

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        settings = Settings(
            data_dir=folder,
            database_url=url,
            secret_key="bench-secret-key",
            public_base_url=f"http://127.0.0.1:{port}",
        )
        server = serve(settings, engine)
        access = logging.getLogger("impactkit.access")
        access.setLevel(logging.INFO)
        times = ServerTimes()
        access.addHandler(times)
        try:
            client = httpx.Client(base_url=settings.public_base_url, timeout=300)
            assert sign_in(client, "owner_a@example.org").status_code == 303
            kpi = f"/app/projects/{world.project_a}/kpis/{INDICATOR}?period={world.period_a}"
            pages = {
                "project page": f"/app/projects/{world.project_a}?period={world.period_a}",
                "KPI breakdown": kpi,
                "KPI breakdown (htmx)": kpi,
            }

            def get(path: str, htmx: bool = False) -> float:
                headers = {"HX-Request": "true"} if htmx else {}
                answer = client.get(path, headers=headers)
                assert answer.status_code == 200, answer.text[:300]
                return times.last()

            rows = []
            for name, path in pages.items():
                htmx = "htmx" in name
                get(path, htmx)  # warm-up
                cached = [get(path, htmx) for _ in range(args.repeats)]
                uncached = []
                for _ in range(args.uncached):
                    kpi_cache.clear()
                    uncached.append(get(path, htmx))
                rows.append((name, median_ms(cached), median_ms(uncached), len(cached), len(uncached)))

            compute_s = []
            for _ in range(1):
                with session_scope(engine) as session:
                    started = time.perf_counter()
                    project_kpis(session, world.project_a, world.period_a)
                    compute_s.append(time.perf_counter() - started)

            # A new response arrives: the next view computes afresh once, the one after is cached.
            get(pages["project page"])
            with session_scope(engine) as session:
                [result] = store_responses(
                    session, next(submissions(world, 1, seed=99)), allowed_organisations=None
                )
            assert result.status == "stored"
            after_change = get(pages["project page"])
            cached_again = get(pages["project page"])
        finally:
            access.removeHandler(times)
            server.should_exit = True
            engine.dispose()

    print(f"responses in the project: {args.responses + 1:,}; server time = access log duration, median")
    print(f"{'page':24} {'cached':>12} {'uncached':>12} {'ratio':>8}  goal ≤ {GOAL_MS:.0f} ms (cached)")
    for name, cached_ms, uncached_ms, n_cached, n_uncached in rows:
        met = "met" if cached_ms <= GOAL_MS else "NOT met"
        print(
            f"{name:24} {cached_ms:9.1f} ms {uncached_ms:9.1f} ms {uncached_ms / cached_ms:7.1f}×  {met}"
            f"  (n = {n_cached}, {n_uncached})"
        )
    print(f"project_kpis() alone, in process:  {median_ms(compute_s) * 1000:9.1f} ms (one run)")
    print(
        f"project page after one new response: {after_change:9.1f} ms (computed afresh), "
        f"then {cached_again:.1f} ms (cached again)"
    )


if __name__ == "__main__":
    main()
