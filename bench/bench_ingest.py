"""Ingest speed: validated responses stored per second through real HTTP, next to a raw insert.

Run:   .venv/bin/python bench/bench_ingest.py            (full: SQLite and PostgreSQL, 1 and 2 workers)
       .venv/bin/python bench/bench_ingest.py --quick    (short run)
       .venv/bin/python bench/bench_ingest.py --profile  (also py-spy the server under single POSTs)

For each backend and worker count: a fresh database (a SQLite file; a PostgreSQL database created
for the run and dropped after), `impactkit serve` started as a subprocess, the demo data loaded,
a warm-up (single POSTs and one batch), then rounds of four phases, one right after the other,
so that each round's ratio compares figures taken on the same machine state (on a shared
machine the speed of a core moves by half from minute to minute); batches and the raw insert
take turns at going first, since inserting slows as the table grows. Over loopback:
  - single POSTs of one response each, many keep-alive connections in flight;
  - batches of 1,000 responses per POST;
  - the baseline: SQLAlchemy Core ``executemany`` of the same row dicts (validated answers,
    content hash, envelope) into ``survey_response`` of the same database, 1,000 rows per
    transaction, in the same run;
  - for reference, the service's own insert (``insert_prepared``: driver-level statements,
    ON CONFLICT, RETURNING) of such rows alone, 1,000 per transaction: what storing costs
    without HTTP and validation.
The table gives the medians over the rounds, and the lowest and highest batch/raw ratio.
Goals (DESIGN §6, issue 3): single POSTs ≥ 1,500/s; batches ≥ half the raw insert rate.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402
from tests.reliability.loadclient import (  # noqa: E402
    ServerProcess,
    dumps,
    instance_ids,
    post_concurrently,
    response_body,
)

from impactkit.demo import load_demo  # noqa: E402
from impactkit.settings import load_settings  # noqa: E402
from impactkit.store import migrate  # noqa: E402
from impactkit.store.db import make_engine, session_scope  # noqa: E402
from impactkit.store.surveys import (  # noqa: E402
    Prepared,
    Submission,
    find_form_version,
    form_of,
    insert_prepared,
    publish_shipped_forms,
)
from impactkit.store.tables import Project, ReportingPeriod, SurveyResponse  # noqa: E402
from impactkit.store.types import utcnow  # noqa: E402
from impactkit.surveys.validation import validate_response  # noqa: E402

POSTGRES_SERVER = os.environ.get(
    "IMPACTKIT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SECRET = "reliability-secret"
BATCH = 1000


@dataclass
class Round:
    """One round's figures: each phase runs right after the other, on the same machine state."""

    single_rate: float
    batch_rate: float
    raw_rate: float
    own_insert_rate: float

    @property
    def batch_to_raw(self) -> float:
        return self.batch_rate / self.raw_rate


@dataclass
class Row:
    backend: str
    workers: int
    rounds: list[Round]
    non_2xx: int

    def median(self, figure: str) -> float:
        return statistics.median(getattr(r, figure) for r in self.rounds)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_database(backend: str, folder: Path) -> tuple[str, Any]:
    """A new empty database URL and a function that removes it."""
    if backend == "sqlite":
        path = folder / f"ingest-{uuid.uuid4().hex[:8]}.db"
        return f"sqlite:///{path}", lambda: None
    name = f"ik_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_SERVER).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_SERVER.rsplit("/", 1)[0]

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{base}/{name}", drop


def prepare(url: str) -> tuple[str, int, int]:
    """Migrate, publish the shipped forms, load the demo; the owner's token, project and period."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_scope(engine) as session:
        publish_shipped_forms(session)
    result = load_demo(engine, SECRET)
    token = result.tokens["owner@coop-aurora.demo"]
    with session_scope(engine) as session:
        project = session.execute(
            select(Project).where(Project.organisation_id == result.organisation_ids[0])
        ).scalar_one()
        period = session.execute(
            select(ReportingPeriod).where(ReportingPeriod.project_id == project.id)
        ).scalar_one()
        assert project.id is not None and period.id is not None
        ids = (project.id, period.id)
    engine.dispose()
    return token, ids[0], ids[1]


def raw_rows(url: str, bodies: list[dict[str, Any]], organisation_id: int) -> list[dict[str, Any]]:
    """The rows the service would insert for ``bodies``: validated answers, hash, envelope."""
    engine = make_engine(url)
    with session_scope(engine) as session:
        version = find_form_version(session, organisation_id, "beneficiary_outcomes", "2026.1")
        form = form_of(version)
        rows = []
        for body in bodies:
            submission = Submission(
                instance_id=body["instance_id"],
                form_id=body["form_id"],
                form_version=body["form_version"],
                project_id=body["project_id"],
                period_id=body["period_id"],
                wave=body["wave"],
                answers=body["answers"],
            )
            clean = validate_response(form, submission.answers)
            rows.append(
                {
                    "instance_id": submission.instance_id,
                    "form_version_id": version.id,
                    "form_id": submission.form_id,
                    "form_version": submission.form_version,
                    "organisation_id": organisation_id,
                    "project_id": submission.project_id,
                    "period_id": submission.period_id,
                    "wave": submission.wave,
                    "respondent_code": clean.get("respondent_code"),
                    "weight": None,
                    "answers": clean,
                    "content_hash": submission.content_hash(),
                    "source": "api",
                    "submitted_at": utcnow(),
                }
            )
    engine.dispose()
    return rows


def raw_insert(url: str, rows: list[dict[str, Any]]) -> float:
    """Seconds to insert ``rows`` with Core executemany, 1,000 rows per transaction."""
    engine = make_engine(url)
    table = SurveyResponse.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:  # warm the pool and the statement cache
        connection.execute(select(func.count()).select_from(table))
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        with engine.begin() as connection:
            connection.execute(insert(table), rows[start : start + BATCH])
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def own_insert(url: str, rows: list[dict[str, Any]]) -> float:
    """Seconds for the service's own insert path to store ``rows``, 1,000 per transaction."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(select(func.count()).select_from(SurveyResponse.__table__))  # type: ignore[attr-defined]
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        group = Prepared([None] * len(chunk), list(enumerate(chunk)), [row["content_hash"] for row in chunk])
        with engine.begin() as connection:
            insert_prepared(connection, [group])
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def stored(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(SurveyResponse.__table__)).scalar_one()  # type: ignore[attr-defined]
    engine.dispose()
    return int(count)


def profile(server: ServerProcess, seconds: float, output: Path) -> None:
    """Sample the server processes with py-spy for ``seconds`` into a collapsed-stack file."""
    py_spy = Path(sys.executable).with_name("py-spy")
    if not py_spy.exists():
        print("py-spy not installed: .venv/bin/uv pip install --python .venv/bin/python py-spy")
        return
    subprocess.Popen(
        [
            str(py_spy),
            "record",
            "--pid",
            str(server.pids()[0]),
            "--subprocesses",
            "--duration",
            str(int(seconds)),
            "--rate",
            "200",
            "--format",
            "raw",
            "--nonblocking",
            "--output",
            str(output),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def summarise_profile(path: Path, top: int = 25) -> str:
    """Self and inclusive shares of the sampled server time, by function (collapsed stacks)."""
    if not path.exists():
        return "(no profile written)"
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        own[_short(frames[-1])] += count
        for frame in {_short(f) for f in frames}:
            inclusive[frame] += count
    if not total:
        return "(empty profile)"
    lines = [f"samples: {total}", "self time:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    lines.append("inclusive time:")
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top + 15)]
    return "\n".join(lines)


def _short(frame: str) -> str:
    # "function (path/to/module.py:123)" → "function (module path:…)" without the line number
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/src/", "lib/python3.11/"):
        if marker in where:
            where = where.split(marker, 1)[1]
            break
    return f"{name} ({where})"


def run(
    backend: str,
    workers: int,
    singles: int,
    batches: int,
    rounds: int,
    folder: Path,
    profile_to: Path | None,
    concurrency: int,
    verbose: bool = False,
) -> Row:
    url, drop = fresh_database(backend, folder)
    server = None
    try:
        token, project_id, period_id = prepare(url)
        engine = make_engine(url)
        with engine.connect() as connection:
            organisation_id = connection.execute(
                select(Project.organisation_id).where(Project.id == project_id)
            ).scalar_one()
        engine.dispose()
        server = ServerProcess(
            url, free_port(), folder / f"data-{backend}-{workers}", workers=workers
        ).start()
        tag = f"{backend}-{workers}-{uuid.uuid4().hex[:6]}"
        # warm up as a server that has run a while: single POSTs, and one batch, which also
        # waits for the helper processes that check large batches to finish starting
        warm_ids = instance_ids(200 + BATCH, f"{tag}-warm")
        warm = [dumps(response_body(i, n, project_id, period_id)) for n, i in enumerate(warm_ids[:200])]
        post_concurrently([server.port], "/api/v1/responses", token, warm, concurrency=16)
        warm_batch = [response_body(i, n, project_id, period_id) for n, i in enumerate(warm_ids[200:])]
        post_concurrently(
            [server.port], "/api/v1/responses/batch", token, [dumps({"responses": warm_batch})], concurrency=1
        )
        expected = len(warm_ids)
        figures: list[Round] = []
        non_2xx = 0
        for number in range(rounds):
            seed = f"{tag}-{number}"
            single_ids = instance_ids(singles, f"{seed}-single")
            single_bodies = [
                dumps(response_body(i, n, project_id, period_id)) for n, i in enumerate(single_ids)
            ]
            if profile_to is not None and number == 0:
                profile(server, 10, profile_to)
                time.sleep(0.5)
            single = post_concurrently(
                [server.port], "/api/v1/responses", token, single_bodies, concurrency=concurrency
            )

            batch_ids = instance_ids(batches * BATCH, f"{seed}-batch")
            batch_items = [response_body(i, n, project_id, period_id) for n, i in enumerate(batch_ids)]
            batch_bodies = [
                dumps({"responses": batch_items[s : s + BATCH]}) for s in range(0, len(batch_items), BATCH)
            ]
            raw_ids = instance_ids(batches * BATCH, f"{seed}-raw")
            raw_bodies = [response_body(i, n, project_id, period_id) for n, i in enumerate(raw_ids)]
            rows = raw_rows(url, raw_bodies, organisation_id)

            def post_batches(batch_bodies: list[bytes] = batch_bodies) -> Any:
                return post_concurrently(
                    [server.port],
                    "/api/v1/responses/batch",
                    token,
                    batch_bodies,
                    concurrency=2,
                    keep_bodies=True,
                )

            # the table grows as it goes, and inserting gets slower with it: batches and the raw
            # insert take turns at going first
            if number % 2 == 0:
                batch = post_batches()
                raw_seconds = raw_insert(url, rows)
            else:
                raw_seconds = raw_insert(url, rows)
                batch = post_batches()
            batch_stored = sum(json.loads(body)["stored"] for body in batch.bodies)
            own_ids = instance_ids(batches * BATCH, f"{seed}-own")
            own_bodies = [response_body(i, n, project_id, period_id) for n, i in enumerate(own_ids)]
            own_rows = raw_rows(url, own_bodies, organisation_id)
            own_seconds = own_insert(url, own_rows)

            expected += singles + batches * BATCH + len(rows) + len(own_rows)
            if single.statuses.get(201, 0) != singles or batch_stored != batches * BATCH:
                statuses = dict(single.statuses)
                print(f"  !! {backend}/{workers}: singles {statuses}, batches stored {batch_stored}")
            non_2xx += sum(n for code, n in (single.statuses + batch.statuses).items() if code >= 300)
            figures.append(
                Round(
                    singles / single.seconds,
                    batches * BATCH / batch.seconds,
                    len(rows) / raw_seconds,
                    len(own_rows) / own_seconds,
                )
            )
            if verbose:
                last = figures[-1]
                print(
                    f"  round {number + 1}: single {last.single_rate:,.0f}/s, "
                    f"batch {last.batch_rate:,.0f}/s, raw {last.raw_rate:,.0f}/s "
                    f"({last.batch_to_raw:.2f}), own {last.own_insert_rate:,.0f}/s",
                    flush=True,
                )
        count = stored(url)
        if count != expected:
            print(f"  !! {backend}/{workers}: stored {count} of {expected}")
        return Row(backend, workers, figures, non_2xx)
    finally:
        if server is not None:
            server.stop()
        drop()


HEADER = (
    f"{'backend':<11}{'workers':>8}{'single POST/s':>15}{'batch resp/s':>14}"
    f"{'raw insert/s':>14}{'batch/raw':>10}{'(min-max)':>12}{'own insert/s':>14}{'non-2xx':>9}"
    "   goals: single >= 1500/s, batch/raw >= 0.50"
)


def print_row(row: Row) -> None:
    """Medians over the rounds; batch/raw is the median of each round's own ratio."""
    ratios = [r.batch_to_raw for r in row.rounds]
    spread = f"{min(ratios):.2f}-{max(ratios):.2f}"
    print(
        f"{row.backend:<11}{row.workers:>8}{row.median('single_rate'):>15,.0f}"
        f"{row.median('batch_rate'):>14,.0f}{row.median('raw_rate'):>14,.0f}"
        f"{statistics.median(ratios):>10.2f}{spread:>12}{row.median('own_insert_rate'):>14,.0f}"
        f"{row.non_2xx:>9}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short run (fewer requests)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    parser.add_argument("--profile", action="store_true", help="py-spy the server during single POSTs")
    parser.add_argument("--concurrency", type=int, default=16, help="single POSTs in flight (default 16)")
    parser.add_argument("--rounds", type=int, help="rounds per line (default 5; 3 with --quick)")
    parser.add_argument("--verbose", action="store_true", help="print every round's figures")
    args = parser.parse_args()
    singles, batches, rounds = (1000, 4, 3) if args.quick else (2000, 8, 5)
    rounds = args.rounds or rounds
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    worker_counts = [int(w) for w in args.workers.split(",")]
    rows: list[Row] = []
    folder = Path(tempfile.mkdtemp(prefix="ik-bench-ingest-"))
    try:
        for backend in backends:
            for workers in worker_counts:
                profile_to = folder / f"profile-{backend}-{workers}.txt" if args.profile else None
                try:
                    rows.append(
                        run(
                            backend,
                            workers,
                            singles,
                            batches,
                            rounds,
                            folder,
                            profile_to,
                            args.concurrency,
                            args.verbose,
                        )
                    )
                except RuntimeError as exc:
                    print(f"!! {backend} with {workers} worker(s) failed: {str(exc)[:2000]}")
                    continue
                print_row(rows[-1])
                if profile_to is not None:
                    time.sleep(1)
                    print(f"\n== server profile under single POSTs, {backend}, {workers} worker(s) ==")
                    print(summarise_profile(profile_to))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\nmachine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    print(HEADER)
    for row in rows:
        print_row(row)
    print(
        f"(medians of {rounds} rounds, each: {singles} single POSTs, {args.concurrency} connections in "
        f"flight; {batches * BATCH} responses in batches of {BATCH}, 2 in flight; raw: {batches * BATCH} "
        f"rows, {BATCH} per transaction; own insert: the same count through the service's insert. "
        f"Helpers checking batches: {load_settings().check_processes} per server process, shared "
        "among the processes when there are several)"
    )


if __name__ == "__main__":
    main()
