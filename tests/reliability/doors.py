"""A running server and the means to send it hostile requests, each one measured: its answer, its
time and how much the server's peak memory grew; the server must still answer /health after it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from tests.reliability.loadclient import ServerProcess

MEMORY_BOUND_MIB = 300


class Door:
    """One server; ``figures`` collects a line per request for the suite to print."""

    def __init__(
        self, server: ServerProcess, name: str, figures: list[str], *, refuse_server_errors: bool = False
    ) -> None:
        self.server = server
        self.name = name
        self.figures = figures
        self.refuse_server_errors = refuse_server_errors

    def kib(self, key: str) -> int:
        status = Path(f"/proc/{self.server.pids()[0]}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith(f"{key}:")))

    def send(self, what: str, client: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
        peak = self.kib("VmHWM")
        started = time.perf_counter()
        answer = client.request(method, path, **kwargs)
        seconds = time.perf_counter() - started
        growth = (self.kib("VmHWM") - peak) / 1024
        self.figures.append(
            f"{self.name:<10} {what:<64} {answer.status_code}  {seconds:6.2f} s  peak {growth:+6.1f} MiB"
        )
        if self.refuse_server_errors:
            assert answer.status_code < 500, (what, answer.status_code, answer.text[:600])
        assert httpx.get(f"{self.server.base_url}/health", timeout=30).status_code == 200, (
            f"/health after {what}"
        )
        assert growth < MEMORY_BOUND_MIB, f"{what}: peak memory grew {growth:.0f} MiB"
        return answer
