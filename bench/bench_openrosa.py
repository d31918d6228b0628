"""OpenRosa submissions stored per second, next to the JSON single-POST route in the same run.

Run:   .venv/bin/python bench/bench_openrosa.py           (SQLite and PostgreSQL, 5 rounds)
       .venv/bin/python bench/bench_openrosa.py --quick   (3 rounds of 1,000)
       .venv/bin/python bench/bench_openrosa.py --profile (also py-spy the server under OpenRosa)

For each backend: a fresh database, the demo data, a collector access for the demo project,
`impactkit serve` (one process) as a subprocess, a warm-up of both routes, then rounds of two
phases taking turns at going first, over loopback with the same number of keep-alive
connections in flight:
  - JSON: ``POST /api/v1/responses`` with a bearer token, one beneficiary response each;
  - OpenRosa: ``POST /collect/<secret>/submission``, ``multipart/form-data`` with the
    ``xml_submission_file`` part holding the same answers as ODK Collect would send them (the
    primary instance of the form's XForm, filled in).
Both end in the same validation and the same group-committed insert; OpenRosa adds the multipart
parsing, the safe XML parsing and the mapping of the XML onto the answers.
Goal (issue 17): OpenRosa ≥ 0.7× the JSON single-POST rate.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_ingest import fresh_database, prepare, profile, summarise_profile  # noqa: E402
from tests.odk import instance_xml  # noqa: E402
from tests.reliability.loadclient import (  # noqa: E402
    ServerProcess,
    beneficiary_answers,
    dumps,
    instance_ids,
    multipart_submission,
    post_concurrently,
    response_body,
)

from impactkit.store import collectors  # noqa: E402
from impactkit.store.db import make_engine, session_scope  # noqa: E402
from impactkit.store.surveys import find_form_version, form_source  # noqa: E402
from impactkit.store.tables import Project  # noqa: E402

SECRET = "reliability-secret"  # the servers' IMPACTKIT_SECRET_KEY (tests.reliability.loadclient)


@dataclass
class Round:
    json_rate: float
    openrosa_rate: float

    @property
    def ratio(self) -> float:
        return self.openrosa_rate / self.json_rate


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def collector_and_xform(url: str, project_id: int, period_id: int) -> tuple[str, str]:
    """A collector access of the demo project (its secret) and the beneficiary form's XForm."""
    engine = make_engine(url)
    with session_scope(engine) as session:
        project = session.get(Project, project_id)
        assert project is not None
        _, secret = collectors.create_access(
            session, secret_key=SECRET, project_id=project_id, created_by=None, period_id=period_id
        )
        version = find_form_version(session, project.organisation_id, "beneficiary_outcomes", "2026.1")
        source = form_source(session, version.id or 0)
        assert source is not None, "the shipped form has no XForm"
        xform = source.xform
    engine.dispose()
    return secret, xform


def run(
    backend: str, count: int, rounds: int, concurrency: int, folder: Path, profile_to: Path | None
) -> list[Round]:
    url, drop = fresh_database(backend, folder)
    server = None
    try:
        token, project_id, period_id = prepare(url)
        secret, xform = collector_and_xform(url, project_id, period_id)
        path = f"/collect/{secret}/submission"
        server = ServerProcess(url, free_port(), folder / f"data-{backend}").start()
        tag = f"{backend}-{uuid.uuid4().hex[:6]}"

        def json_bodies(seed: str) -> list[bytes]:
            ids = instance_ids(count, f"{tag}-{seed}-json")
            return [dumps(response_body(i, n, project_id, period_id)) for n, i in enumerate(ids)]

        def openrosa_bodies(seed: str) -> tuple[list[bytes], str]:
            ids = instance_ids(count, f"{tag}-{seed}-xml")
            parts = [
                multipart_submission(instance_xml(xform, beneficiary_answers(n), i))
                for n, i in enumerate(ids)
            ]
            return [body for body, _ in parts], parts[0][1]

        warm_json = json_bodies("warm")[:300]
        warm_xml, content_type = openrosa_bodies("warm")
        post_concurrently([server.port], "/api/v1/responses", token, warm_json, concurrency=concurrency)
        post_concurrently(
            [server.port], path, "", warm_xml[:300], concurrency=concurrency, content_type=content_type
        )

        figures: list[Round] = []
        for number in range(rounds):
            bodies = json_bodies(str(number))
            xml_bodies, _ = openrosa_bodies(str(number))

            def json_phase(bodies: list[bytes] = bodies) -> float:
                done = post_concurrently(
                    [server.port], "/api/v1/responses", token, bodies, concurrency=concurrency
                )
                assert done.statuses.get(201) == count, dict(done.statuses)
                return count / done.seconds

            def openrosa_phase(xml_bodies: list[bytes] = xml_bodies, first: bool = number == 0) -> float:
                if profile_to is not None and first:
                    profile(server, 8, profile_to)
                    time.sleep(0.5)
                done = post_concurrently(
                    [server.port], path, "", xml_bodies, concurrency=concurrency, content_type=content_type
                )
                assert done.statuses.get(201) == count, (dict(done.statuses), done.bodies[:1])
                return count / done.seconds

            if number % 2 == 0:
                json_rate = json_phase()
                openrosa_rate = openrosa_phase()
            else:
                openrosa_rate = openrosa_phase()
                json_rate = json_phase()
            figures.append(Round(json_rate, openrosa_rate))
            print(
                f"  {backend} round {number + 1}: JSON {json_rate:,.0f}/s, OpenRosa {openrosa_rate:,.0f}/s "
                f"({figures[-1].ratio:.2f}×)",
                flush=True,
            )
        return figures
    finally:
        if server is not None:
            server.stop()
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="3 rounds of 1,000 requests per route")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight (default 16)")
    parser.add_argument("--profile", action="store_true", help="py-spy the server under OpenRosa submissions")
    args = parser.parse_args()
    count, rounds = (1000, 3) if args.quick else (2000, 5)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    folder = Path(tempfile.mkdtemp(prefix="ik-bench-openrosa-"))
    results: dict[str, list[Round]] = {}
    try:
        for backend in backends:
            profile_to = folder / f"profile-{backend}.txt" if args.profile else None
            results[backend] = run(backend, count, rounds, args.concurrency, folder, profile_to)
            if profile_to is not None:
                time.sleep(1)
                print(f"\n== server profile under OpenRosa submissions, {backend} ==")
                print(summarise_profile(profile_to))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\nmachine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    print(
        f"{'backend':<11}{'JSON POST/s':>13}{'OpenRosa/s':>12}{'ratio':>8}{'(min-max)':>12}"
        "   goal: ratio >= 0.70"
    )
    for backend, figures in results.items():
        ratios = [f.ratio for f in figures]
        print(
            f"{backend:<11}{statistics.median(f.json_rate for f in figures):>13,.0f}"
            f"{statistics.median(f.openrosa_rate for f in figures):>12,.0f}"
            f"{statistics.median(ratios):>8.2f}{f'{min(ratios):.2f}-{max(ratios):.2f}':>12}"
        )
    print(
        f"(medians of {rounds} rounds, each: {count} requests per route, {args.concurrency} keep-alive "
        "connections in flight, the two routes taking turns at going first; one server process)"
    )


if __name__ == "__main__":
    main()
