"""The observatory's aggregate page over 5,000 published reports: server time, next to computing the
aggregates from scratch in the same run.

    .venv/bin/python bench/bench_observatory.py                       # SQLite, 5,000 reports
    .venv/bin/python bench/bench_observatory.py --backend postgresql  # IMPACTKIT_TEST_POSTGRES_URL
    .venv/bin/python bench/bench_observatory.py --reports 1000 --rounds 10

The app runs in this process (Litestar's test client, no network): a request's time is the
server's time to answer it. The aggregates are cached when a report is published or withdrawn
and checked against the publications' state on every read; the baseline reads every publication
and computes the protected aggregates again, as a cache miss would.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from impactkit.api.app import create_app  # noqa: E402
from impactkit.settings import load_settings  # noqa: E402
from impactkit.store import migrate, observatory  # noqa: E402
from impactkit.store.db import make_engine, session_scope  # noqa: E402

POSTGRES = os.environ.get("IMPACTKIT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--reports", type=int, default=5000)
    parser.add_argument("--organisations", type=int, default=1200)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-observatory-"))
    schema = None
    if args.backend == "sqlite":
        url = f"sqlite:///{folder / 'impactkit.db'}"
    else:
        schema = f"bench_obs_{uuid.uuid4().hex[:8]}"
        admin = make_engine(POSTGRES)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = f"{POSTGRES}{'&' if '?' in POSTGRES else '?'}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    try:
        started = time.perf_counter()
        with session_scope(engine) as session:
            observatory.synthetic_publications(
                session, organisations=args.organisations, reports=args.reports, seed=5000
            )
            observatory.refresh_aggregates(session)
        seeded = time.perf_counter() - started

        settings = load_settings(database_url=url, data_dir=folder)
        app = create_app(settings, engine=engine)
        from litestar.testing import TestClient

        page_times: list[float] = []
        csv_times: list[float] = []
        scratch_times: list[float] = []
        with TestClient(app) as client:
            first = client.get("/osservatorio/aggregati")
            assert first.status_code == 200, first.text[:300]
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                answer = client.get("/osservatorio/aggregati")
                page_times.append(time.perf_counter() - t0)
                assert answer.status_code == 200
                t0 = time.perf_counter()
                client.get("/osservatorio/dati/aggregati.csv")
                csv_times.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                with session_scope(engine) as session:
                    fresh = observatory.compute_aggregates(session)
                scratch_times.append(time.perf_counter() - t0)
            home = client.get("/osservatorio")
            css = sum(
                len(client.get(path).content)
                for path in ("/static/pages/staff.css", "/static/pages/observatory.css")
            )
        rows = len(fresh.rows)
        hidden = sum(1 for row in fresh.rows if row["hidden"])

        def ms(values: list[float]) -> str:
            low, high = min(values) * 1000, max(values) * 1000
            return f"{statistics.median(values) * 1000:,.1f} ms (min {low:,.1f}, max {high:,.1f})"

        print(
            f"observatory bench · {args.backend} · {args.reports:,} published reports"
            f" of {args.organisations:,} organisations"
        )
        print(
            f"  seeding (not timed below): {seeded:,.1f} s; aggregate rows {rows},"
            f" hidden by disclosure control {hidden}"
        )
        print(f"  GET /osservatorio/aggregati (cached)       median {ms(page_times)}   goal ≤ 200 ms")
        print(f"  GET /osservatorio/dati/aggregati.csv       median {ms(csv_times)}")
        print(f"  baseline: aggregates from scratch          median {ms(scratch_times)}")
        print(
            "  speed-up of the page over from-scratch: "
            f"×{statistics.median(scratch_times) / statistics.median(page_times):,.1f}"
        )
        print(
            f"  first view of /osservatorio: HTML {len(home.content):,} B + CSS {css:,} B,"
            " no script (goal ≤ 100 KB)"
        )
    finally:
        engine.dispose()
        if schema is not None:
            admin = make_engine(POSTGRES)
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
