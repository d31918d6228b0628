"""Importing a 100,000-row CSV export, next to the batch API storing the same number of responses.

Run:   .venv/bin/python bench/bench_import.py                 (SQLite and PostgreSQL, 100,000 rows, 2 rounds)
       .venv/bin/python bench/bench_import.py --quick         (20,000 rows, 1 round)
       .venv/bin/python bench/bench_import.py --rows 50000 --backend sqlite --rounds 3

For each backend: a fresh database, the demo data, ``impactkit serve`` (one process) as a
subprocess, a warm-up of both routes, then rounds of two phases that take turns at going first
(the table grows as it goes, and inserting slows with it), over loopback:
  - import: one ``POST /api/v1/responses/import`` (multipart) of a CSV with ``rows`` beneficiary
    responses, written as impactkit's own export writes them (``instance_id``, the answers by
    question name, select_multiple as one column of space-separated choices): read, mapped onto
    the form version, each row validated and stored in committed chunks of 1,000;
  - baseline: the batch API, ``POST /api/v1/responses/batch`` with 1,000 responses per request,
    2 requests in flight, the same number of responses with the same answers (other instance
    ids).
The import runs in the request (one core: reading and mapping, then validation and storing);
the batch API checks large batches in helper processes on every core while it inserts.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_ingest import BATCH, fresh_database, prepare, stored  # noqa: E402
from tests.reliability.loadclient import (  # noqa: E402
    ServerProcess,
    beneficiary_answers,
    dumps,
    instance_ids,
    post_concurrently,
    response_body,
)

from impactkit.store.db import make_engine, session_scope  # noqa: E402
from impactkit.store.surveys import find_form_version  # noqa: E402
from impactkit.store.tables import Project  # noqa: E402


@dataclass
class Round:
    import_rate: float
    batch_rate: float
    import_seconds: float
    batch_seconds: float

    @property
    def ratio(self) -> float:
        return self.import_rate / self.batch_rate


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def export_csv(ids: list[str]) -> bytes:
    """A CSV as impactkit's export writes it: instance id, then the answers by question name."""
    first = beneficiary_answers(0)
    columns = ["instance_id", *first]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for number, instance_id in enumerate(ids):
        answers = beneficiary_answers(number)
        writer.writerow(
            [instance_id]
            + [
                " ".join(value) if isinstance(value, list) else "" if value is None else str(value)
                for value in (answers.get(name) for name in columns[1:])
            ]
        )
    return out.getvalue().encode()


def form_version_id(url: str, project_id: int) -> int:
    engine = make_engine(url)
    with session_scope(engine) as session:
        project = session.get(Project, project_id)
        assert project is not None
        version = find_form_version(session, project.organisation_id, "beneficiary_outcomes", "2026.1")
        assert version.id is not None
        found = version.id
    engine.dispose()
    return found


def run(backend: str, rows: int, rounds: int, folder: Path) -> list[Round]:
    url, drop = fresh_database(backend, folder)
    server = None
    try:
        token, project_id, period_id = prepare(url)
        version_id = form_version_id(url, project_id)
        server = ServerProcess(url, free_port(), folder / f"data-{backend}").start()
        client = httpx.Client(
            base_url=f"http://127.0.0.1:{server.port}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=3600,
        )
        tag = f"{backend}-{os.getpid()}"

        def import_phase(seed: str, count: int) -> float:
            data = export_csv(instance_ids(count, f"{tag}-{seed}-import"))
            started = time.perf_counter()
            answer = client.post(
                "/api/v1/responses/import",
                files=[
                    ("form_version_id", (None, str(version_id))),
                    ("project_id", (None, str(project_id))),
                    ("period_id", (None, str(period_id))),
                    ("wave", (None, "baseline")),
                    ("files", ("export.csv", data, "text/csv")),
                ],
            )
            seconds = time.perf_counter() - started
            print(f"    {backend} import of {count:,} rows: {seconds:.1f} s", flush=True)
            assert answer.status_code == 200, answer.text[:500]
            assert answer.json()["counts"] == {"stored": count}, answer.json()["counts"]
            return seconds

        def batch_phase(seed: str, count: int) -> float:
            ids = instance_ids(count, f"{tag}-{seed}-batch")
            items = [response_body(i, n, project_id, period_id) for n, i in enumerate(ids)]
            bodies = [dumps({"responses": items[s : s + BATCH]}) for s in range(0, count, BATCH)]
            done = post_concurrently(
                [server.port],
                "/api/v1/responses/batch",
                token,
                bodies,
                concurrency=2,
                keep_bodies=True,
                deadline=3600,
            )
            saved = sum(json.loads(body)["stored"] for body in done.bodies)
            assert saved == count, (saved, dict(done.statuses))
            print(f"    {backend} batch API, {count:,} responses: {done.seconds:.1f} s", flush=True)
            return done.seconds

        import_phase("warm", 2000)
        batch_phase("warm", 2000)
        figures: list[Round] = []
        for number in range(rounds):
            if number % 2 == 0:
                imported = import_phase(str(number), rows)
                batched = batch_phase(str(number), rows)
            else:
                batched = batch_phase(str(number), rows)
                imported = import_phase(str(number), rows)
            figures.append(Round(rows / imported, rows / batched, imported, batched))
            last = figures[-1]
            print(
                f"  {backend} round {number + 1}: import {imported:.1f} s ({last.import_rate:,.0f} rows/s), "
                f"batch API {batched:.1f} s ({last.batch_rate:,.0f}/s), import/batch {last.ratio:.2f}",
                flush=True,
            )
        client.close()
        expected = 4000 + 2 * rows * rounds
        total = stored(url)
        assert total >= expected, (total, expected)
        return figures
    finally:
        if server is not None:
            server.stop()
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="20,000 rows, one round")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the CSV (default 100,000)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per backend (default 2)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    rows, rounds = (20_000, 1) if args.quick else (args.rows, args.rounds)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    folder = Path(tempfile.mkdtemp(prefix="ik-bench-import-"))
    results: dict[str, list[Round]] = {}
    try:
        for backend in backends:
            results[backend] = run(backend, rows, rounds, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\nmachine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    print(
        f"{'backend':<11}{'rows':>9}{'import s':>10}{'import rows/s':>15}{'batch API s':>13}"
        f"{'batch resp/s':>14}{'import/batch':>14}"
    )
    for backend, figures in results.items():
        print(
            f"{backend:<11}{rows:>9,}{statistics.median(f.import_seconds for f in figures):>10.1f}"
            f"{statistics.median(f.import_rate for f in figures):>15,.0f}"
            f"{statistics.median(f.batch_seconds for f in figures):>13.1f}"
            f"{statistics.median(f.batch_rate for f in figures):>14,.0f}"
            f"{statistics.median(f.ratio for f in figures):>14.2f}"
        )
    print(
        f"(medians of {rounds} round(s); each: one CSV of {rows:,} rows imported in one request, and the "
        f"same number of responses in batches of {BATCH:,}, 2 in flight, the two taking turns at going "
        "first; one server process)"
    )


if __name__ == "__main__":
    main()
