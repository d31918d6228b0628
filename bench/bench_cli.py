"""Bench: how long the CLI and the server take to start, each next to a floor measured in the same run.

Run: .venv/bin/python bench/bench_cli.py [--rounds 7] [--server-rounds 3]

- CLI: wall time of ``impactkit --help``, ``--version``, ``info`` and ``forms list`` (on a migrated
  SQLite instance of its own), next to ``python -c pass`` with the same interpreter; the rounds
  interleave every command with the baseline and the table gives medians.
  Goal (issue 21): ``impactkit --help`` at most 0.5 s more than bare Python.
- Server: seconds from starting ``impactkit serve`` (SQLite) to the first ``/health`` answered
  with 200, next to a minimal Litestar app with a ``/health`` route under the same uvicorn, and
  the first KPI request after that (the computing libraries are imported in the background once
  the server answers).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import free_port  # noqa: E402

PYTHON = sys.executable
IMPACTKIT = str(Path(sys.executable).with_name("impactkit"))

MINIMAL_APP = """
from litestar import Litestar, get

@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}

app = Litestar([health])
"""


def wall(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, timeout=300)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def until_healthy(
    command: list[str], env: dict[str, str], port: int, cwd: Path
) -> tuple[float, subprocess.Popen[bytes]]:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return time.perf_counter() - started, process
        except httpx.HTTPError:
            pass
        time.sleep(0.02)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--server-rounds", type=int, default=3)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="impactkit-bench-cli-") as folder:
        base = Path(folder)
        env = {k: v for k, v in os.environ.items() if not k.startswith("IMPACTKIT_")}
        env.update(IMPACTKIT_DATA_DIR=str(base / "data"), IMPACTKIT_SECRET_KEY="bench")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        wall([IMPACTKIT, "db", "upgrade"], env)
        wall([IMPACTKIT, "demo"], env)

        commands = {
            "python -c pass": [PYTHON, "-c", "pass"],
            "impactkit --help": [IMPACTKIT, "--help"],
            "impactkit --version": [IMPACTKIT, "--version"],
            "impactkit info": [IMPACTKIT, "info"],
            "impactkit forms list": [IMPACTKIT, "forms", "list"],
        }
        for command in commands.values():  # warm the file cache and the bytecode
            wall(command, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(options.rounds):
            for name, command in commands.items():
                times[name].append(wall(command, env))
        baseline = statistics.median(times["python -c pass"])
        print(f"CLI start-up, medians of {options.rounds} interleaved rounds (wall seconds)")
        print(f"{'command':24} {'median':>8} {'min':>8} {'max':>8} {'minus bare Python':>18}")
        for name, values in times.items():
            median = statistics.median(values)
            extra = "" if name.startswith("python") else f"{median - baseline:+.3f}"
            print(f"{name:24} {median:8.3f} {min(values):8.3f} {max(values):8.3f} {extra:>18}")
        help_extra = statistics.median(times["impactkit --help"]) - baseline
        verdict = "met" if help_extra <= 0.5 else "NOT met"
        print(f"goal: impactkit --help at most 0.5 s more than bare Python: {help_extra:+.3f} s, {verdict}")

        (base / "minimal_app.py").write_text(MINIMAL_APP, "utf-8")
        project = env.get("IMPACTKIT_BENCH_PROJECT", "1")
        from impactkit.demo import demo_token

        token = demo_token("bench", "owner@coop-aurora.demo")
        server: dict[str, list[float]] = {
            "minimal Litestar app": [],
            "impactkit serve": [],
            "first KPI request": [],
        }
        for _ in range(options.server_rounds):
            port = free_port()
            seconds, process = until_healthy(
                [PYTHON, "-m", "uvicorn", "minimal_app:app", "--port", str(port), "--log-level", "warning"],
                env, port, base,
            )  # fmt: skip
            server["minimal Litestar app"].append(seconds)
            stop(process)
            port = free_port()
            seconds, process = until_healthy(
                [IMPACTKIT, "serve", "--port", str(port)], {**env, "IMPACTKIT_ACCESS_LOG": "0"}, port, base
            )
            server["impactkit serve"].append(seconds)
            started = time.perf_counter()
            answer = httpx.get(
                f"http://127.0.0.1:{port}/api/v1/projects/{project}/kpis",
                headers={"Authorization": f"Bearer {token}"},
                timeout=120,
            )
            server["first KPI request"].append(time.perf_counter() - started)
            if answer.status_code != 200:
                raise RuntimeError(f"KPI request: {answer.status_code} {answer.text[:300]}")
            stop(process)
        print()
        rounds = options.server_rounds
        print(f"Server start-up to the first /health answered, medians of {rounds} rounds (seconds)")
        print(f"{'what':24} {'median':>8} {'min':>8} {'max':>8}")
        for name, values in server.items():
            print(f"{name:24} {statistics.median(values):8.3f} {min(values):8.3f} {max(values):8.3f}")


if __name__ == "__main__":
    main()
