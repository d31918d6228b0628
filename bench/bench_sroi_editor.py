"""Bench: the SROI editor's recomputation of a 50-outcome map over HTTP, and its Monte Carlo, next to
one deterministic compute() of the same map in the same run.

Run: .venv/bin/python bench/bench_sroi_editor.py [--repeats 30]

A fresh migrated SQLite database with the test world (an evaluator, a submitted report), the real
app behind uvicorn on a loopback port (one process, in a thread), the evaluator signed in through
the sign-in page. Then:
  - editor: ``POST /app/evaluator/reports/{id}/sroi/compute`` as htmx sends it while a person
    types (the whole 50-outcome map as form fields, 4 uncertain estimates per outcome): read
    every field in Italian, check the map, compute it, render the result panel. The time is the
    server's time as its access log measures it (request received → last byte of the answer
    sent: form parsing, CSRF, session, the page's work, rendering), the round trip beside it;
  - Monte Carlo: 10,000 draws of the same map and the histogram of the ratio, as the editor's
    Monte Carlo button runs them (in process);
  - baseline: one ``compute()`` of the same map (in process).
Medians of ``repeats`` runs after a warm-up. Goals (issue 19): editor ≤ 50 ms, Monte Carlo ≤ 0.5 s.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_sroi import OUTCOMES, big_map  # noqa: E402
from tests.factories import build_world  # noqa: E402
from tests.integration.pages.web import csrf_of, sign_in  # noqa: E402

from impactkit.api.pages.evaluator._sroi_charts import ratio_histogram  # noqa: E402
from impactkit.api.pages.evaluator._value_map_form import to_form  # noqa: E402
from impactkit.formats import Formats  # noqa: E402
from impactkit.logs import FIELDS  # noqa: E402
from impactkit.settings import Settings  # noqa: E402
from impactkit.sroi import compute  # noqa: E402
from impactkit.sroi._montecarlo import simulate_with_ratios  # noqa: E402
from impactkit.store import migrate, reports  # noqa: E402
from impactkit.store.db import make_engine, session_scope  # noqa: E402
from impactkit.store.tables import User  # noqa: E402


class ServerTimes(logging.Handler):
    """Collects the access log's duration of each request to one path."""

    def __init__(self, path_end: str) -> None:
        super().__init__()
        self.path_end = path_end
        self.times: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        fields = getattr(record, FIELDS, {})
        if str(fields.get("path", "")).endswith(self.path_end):
            self.times.append(float(fields["duration_ms"]))


def timed(function: Any, repeats: int) -> list[float]:
    function()  # warm-up
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        out.append(time.perf_counter() - started)
    return out


def serve(folder: Path) -> tuple[str, int, uvicorn.Server]:
    from impactkit.api.access import load_principal
    from impactkit.api.app import create_app

    url = f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    world = build_world(engine)
    with session_scope(engine) as session:
        editor = session.get(User, world.users["editor_a"])
        assert editor is not None
        principal = load_principal(session, editor)
        report = reports.create_report(session, principal, world.project_a, world.period_a, language="it")
        reports.submit_report(session, principal, report, world.users["evaluator"])
        assert report.id is not None
        report_id = report.id
    settings = Settings(data_dir=folder, database_url=url, secret_key="bench-secret-key")
    app = create_app(settings, engine=engine)
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    return f"http://127.0.0.1:{port}", report_id, server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    value_map = big_map()
    form = to_form(value_map.model_dump(mode="json"), "it")
    fields = {
        **form.values,
        "n_s": str(form.stakeholders),
        "n_i": str(form.inputs),
        "n_o": str(form.outcomes),
    }
    fmt = Formats("it")
    with tempfile.TemporaryDirectory() as folder:
        base, report_id, server = serve(Path(folder))
        try:
            client = httpx.Client(base_url=base, timeout=60)
            sign_in(client, "evaluator@example.org")
            page = client.get(f"/app/evaluator/reports/{report_id}/sroi?start=scratch")
            token = csrf_of(page.text)
            url = f"/app/evaluator/reports/{report_id}/sroi/compute"

            def editor() -> None:
                answer = client.post(
                    url, data={"_csrf_token": token, **fields}, headers={"HX-Request": "true"}
                )
                assert answer.status_code == 200 and 'id="sroi-ratio-exact"' in answer.text, answer.text[:300]

            access = logging.getLogger("impactkit.access")
            access.setLevel(logging.INFO)
            server_times = ServerTimes("/sroi/compute")
            access.addHandler(server_times)
            editor_times = timed(editor, args.repeats)
            access.removeHandler(server_times)
        finally:
            server.should_exit = True

    def monte_carlo() -> None:
        _, ratios = simulate_with_ratios(value_map, 10_000, 1)
        ratio_histogram(ratios, "bench", fmt)

    compute_times = timed(lambda: compute(value_map), args.repeats)
    mc_times = timed(monte_carlo, max(5, args.repeats // 5))
    editor_ms = statistics.median(server_times.times[1:])
    round_trip_ms = statistics.median(editor_times) * 1000
    compute_ms = statistics.median(compute_times) * 1000
    mc_ms = statistics.median(mc_times) * 1000
    met = "met" if editor_ms <= 50 else "NOT met"
    mc_met = "met" if mc_ms <= 500 else "NOT met"
    print(f"value map: {OUTCOMES} outcomes, 10 years, 4 uncertain estimates per outcome")
    print(f"  ({len(fields)} form fields)")
    print(f"compute() once (baseline, in process):    {compute_ms:9.2f} ms  (median of {len(compute_times)})")
    runs = len(server_times.times) - 1
    print(f"editor recomputation, server time:        {editor_ms:9.2f} ms  (median of {runs})")
    print(f"  round trip over loopback:               {round_trip_ms:9.2f} ms")
    print(f"  = {editor_ms / compute_ms:6.1f} × one compute(); goal ≤ 50 ms: {met}")
    print(f"Monte Carlo 10,000 draws + histogram:     {mc_ms:9.2f} ms  (median of {len(mc_times)})")
    print(f"  = {mc_ms / compute_ms:6.1f} × one compute(); goal ≤ 500 ms: {mc_met}")


if __name__ == "__main__":
    main()
