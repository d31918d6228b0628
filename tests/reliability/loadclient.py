"""A small load client and server harness: `impactkit serve` as a subprocess, submitters that retry.

Used by the reliability tests (``tests/reliability``) and the ingest bench (``bench/bench_ingest.py``).
Two clients live here:

- :func:`submit_with_retries` — what a careful field client does: httpx, a timeout, and on a
  timeout, a dropped connection or a 5xx it resends the *same* instance id until it gets an answer.
  Every acknowledgement (2xx) is appended to a file at once, so a test can tell which responses
  the server had confirmed at the moment it was killed.
- :func:`post_concurrently` — a minimal keep-alive HTTP/1.1 client on asyncio streams, cheap on
  CPU so that on a 2-core machine the server, not the client, is what the bench measures.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
IMPACTKIT = Path(sys.executable).with_name("impactkit")

RETRYABLE_ERRORS = (httpx.TimeoutException, httpx.TransportError)


def beneficiary_answers(number: int) -> dict[str, Any]:
    """Valid answers to the shipped ``beneficiary_outcomes`` form, varied by ``number``."""
    employed = number % 3 == 0
    answers: dict[str, Any] = {
        "consent": "yes",
        "respondent_code": f"LOAD-{number}",
        "gender": ("female", "male")[number % 2],
        "age": 18 + number % 60,
        "territory_type": ("urban", "rural", "mountain")[number % 3],
        "vulnerable_conditions": ["unemployment", "low_income"],
        "employment_status": "employed" if employed else "unemployed",
        "wellbeing": str(1 + number % 5),
        "autonomy": str(1 + (number // 5) % 5),
        "social_connections": str(1 + (number // 25) % 5),
        "satisfaction": str(1 + number % 4),
        "would_recommend": "yes",
    }
    if not employed:
        answers["months_unemployed"] = number % 24
    return answers


def response_body(instance_id: str, number: int, project_id: int, period_id: int | None) -> dict[str, Any]:
    """One submission for ``POST /api/v1/responses``."""
    return {
        "instance_id": instance_id,
        "form_id": "beneficiary_outcomes",
        "form_version": "2026.1",
        "project_id": project_id,
        "period_id": period_id,
        "wave": "baseline",
        "answers": beneficiary_answers(number),
    }


def instance_ids(count: int, seed: str) -> list[str]:
    """``count`` distinct, reproducible instance ids (UUID 5 of ``seed`` and the index)."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"impactkit-load:{seed}")
    return [str(uuid.uuid5(namespace, str(index))) for index in range(count)]


# --------------------------------------------------------------------------- the server


@dataclass
class ServerProcess:
    """``impactkit serve`` in its own process group, so that it can be killed with -9 as a whole."""

    database_url: str
    port: int
    data_dir: Path
    workers: int = 1
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 240.0) -> ServerProcess:
        """Start the server and wait until ``/health`` answers 200 (seconds: ``timeout``)."""
        environment = {
            **os.environ,
            "IMPACTKIT_DATA_DIR": str(self.data_dir),
            "IMPACTKIT_SECRET_KEY": "reliability-secret",
            **self.env,
        }
        environment.pop("IMPACTKIT_DATABASE_URL", None)
        # uvicorn's worker processes are spawned and import everything again: let them use
        # compiled bytecode, or each one compiles pandas and scipy from source (tens of seconds)
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.data_dir / f"server-{self.port}.log"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(IMPACTKIT),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--database-url",
                    self.database_url,
                    "--workers",
                    str(self.workers),
                ],
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"impactkit serve exited at start:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"impactkit serve did not answer /health within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def pids(self) -> list[int]:
        """The server process and its children (the uvicorn workers), for profiling."""
        assert self.process is not None
        found = [self.process.pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                if parent == self.process.pid:
                    found.append(int(entry.name))
        return found

    def kill(self) -> None:
        """kill -9 the whole process group, as a power cut of the process would."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """A polite stop (SIGTERM), then -9 if the server does not leave within ten seconds."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


# --------------------------------------------------------------------------- the careful client


@dataclass
class SubmitterReport:
    """What one submitting process saw."""

    sent: int = 0
    retries: int = 0
    server_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    acknowledged: int = 0


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def submit_with_retries(
    base_urls: Sequence[str],
    token: str,
    bodies: Sequence[dict[str, Any]],
    *,
    batch_size: int = 0,
    timeout: float = 5.0,
    acknowledgements: Path | None = None,
    give_up_after: float = 120.0,
    impatient_every: int = 0,
) -> SubmitterReport:
    """Submit ``bodies`` singly (``batch_size`` 0) or in batches, retrying until each is answered.

    A timeout, a refused or dropped connection, or a 5xx is retried with the very same instance
    ids, rotating over ``base_urls``; a 5xx is also recorded as a finding. Any other answer than
    201/200 (or per item stored/already_stored) is recorded in ``unexpected``.

    Args:
        base_urls: servers to spread requests over (round robin).
        acknowledgements: a file to which each acknowledged instance id is appended at once.
        give_up_after: seconds of retrying one request before recording it as unexpected.
        impatient_every: when > 0, the first attempt of every n-th request waits only a
            millisecond for its answer, so it times out after the request went out and is
            retried: the server may well have stored it, and must say already_stored.
    """
    report = SubmitterReport()
    ack_file = acknowledgements.open("a", buffering=1) if acknowledgements else None
    turn = 0
    headers = {"Authorization": f"Bearer {token}"}
    clients = [httpx.Client(base_url=url, headers=headers, timeout=timeout) for url in base_urls]
    try:
        groups: list[Sequence[dict[str, Any]]] = (
            [[body] for body in bodies] if batch_size <= 0 else list(_chunks(bodies, batch_size))
        )
        for number, group in enumerate(groups):
            single = batch_size <= 0
            path = "/api/v1/responses" if single else "/api/v1/responses/batch"
            payload: Any = group[0] if single else {"responses": list(group)}
            started = time.monotonic()
            attempt = 0
            while True:
                client = clients[turn % len(clients)]
                turn += 1
                if attempt:
                    report.retries += 1
                report.sent += 1
                attempt += 1
                impatient = attempt == 1 and impatient_every > 0 and number % impatient_every == 0
                try:
                    answer = client.post(path, json=payload, timeout=0.001 if impatient else timeout)
                except RETRYABLE_ERRORS as exc:
                    if time.monotonic() - started > give_up_after:
                        report.unexpected.append(f"gave up after {attempt} attempts: {exc!r}")
                        break
                    time.sleep(min(0.05 * attempt, 0.5))
                    continue
                if answer.status_code >= 500:
                    report.server_errors.append(f"{answer.status_code} {path}: {answer.text[:500]}")
                    if time.monotonic() - started > give_up_after:
                        break
                    time.sleep(min(0.05 * attempt, 0.5))
                    continue
                _record(report, answer, group, single, ack_file)
                break
    finally:
        for client in clients:
            client.close()
        if ack_file:
            ack_file.close()
    return report


def _record(
    report: SubmitterReport,
    answer: httpx.Response,
    group: Sequence[dict[str, Any]],
    single: bool,
    ack_file: Any,
) -> None:
    if single:
        status = answer.json().get("status") if answer.status_code in (200, 201) else None
        if status in ("stored", "already_stored"):
            report.statuses[status] += 1
            report.acknowledged += 1
            if ack_file:
                ack_file.write(group[0]["instance_id"] + "\n")
        else:
            report.unexpected.append(f"{answer.status_code}: {answer.text[:500]}")
        return
    if answer.status_code != 200:
        report.unexpected.append(f"batch {answer.status_code}: {answer.text[:500]}")
        return
    results = answer.json()["results"]
    if len(results) != len(group):
        report.unexpected.append(f"batch of {len(group)} answered with {len(results)} results")
    for body, result in zip(group, results, strict=False):
        if result["instance_id"] != body["instance_id"]:
            report.unexpected.append(
                f"result for {result['instance_id']} in the place of {body['instance_id']}"
            )
        if result["status"] in ("stored", "already_stored"):
            report.statuses[result["status"]] += 1
            report.acknowledged += 1
            if ack_file:
                ack_file.write(body["instance_id"] + "\n")
        else:
            report.unexpected.append(f"item {result}")


@dataclass(frozen=True)
class ClientSpec:
    """One submitting process's share of a load: its own responses, and some shared with a neighbour.

    The first half of ``own`` goes as single POSTs, the second half in batches of ``batch_size``;
    then every fifth response is sent again (a client that lost the answer), and ``shared`` — the
    same responses another client sends as its own first ones — go first, racing that client.
    """

    base_urls: tuple[str, ...]
    token: str
    own: tuple[dict[str, Any], ...]
    shared: tuple[dict[str, Any], ...] = ()
    batch_size: int = 25
    timeout: float = 5.0
    acknowledgements: Path | None = None
    impatient_every: int = 7


def merge(reports: Sequence[SubmitterReport]) -> SubmitterReport:
    total = SubmitterReport()
    for report in reports:
        total.sent += report.sent
        total.retries += report.retries
        total.server_errors += report.server_errors
        total.unexpected += report.unexpected
        total.statuses += report.statuses
        total.acknowledged += report.acknowledged
    return total


def run_client(spec: ClientSpec) -> SubmitterReport:
    """Everything one client process does (see :class:`ClientSpec`); picklable for multiprocessing."""
    half = len(spec.own) // 2
    common: dict[str, Any] = {
        "timeout": spec.timeout,
        "acknowledgements": spec.acknowledgements,
        "impatient_every": spec.impatient_every,
    }
    parts = [
        submit_with_retries(spec.base_urls, spec.token, spec.shared, **common),
        submit_with_retries(spec.base_urls, spec.token, spec.own[:half], **common),
        submit_with_retries(
            spec.base_urls, spec.token, spec.own[half:], batch_size=spec.batch_size, **common
        ),
        submit_with_retries(spec.base_urls, spec.token, spec.own[::5], **common),
    ]
    return merge(parts)


def plan_clients(
    clients: int,
    per_client: int,
    *,
    base_urls: Sequence[str],
    token: str,
    project_id: int,
    period_id: int | None,
    seed: str,
    shared: int = 20,
    folder: Path | None = None,
) -> tuple[list[ClientSpec], set[str]]:
    """``clients`` specs of ``per_client`` responses each, and the instance ids that must be stored.

    Client k also sends, at the same moment, the first ``shared`` responses of client k+1 (same
    content), so pairs of clients race on the same instance ids.
    """
    ids = instance_ids(clients * per_client, seed)
    bodies = [response_body(i, n, project_id, period_id) for n, i in enumerate(ids)]
    own = [tuple(bodies[k * per_client : (k + 1) * per_client]) for k in range(clients)]
    specs = [
        ClientSpec(
            base_urls=tuple(base_urls[k % len(base_urls) :]) + tuple(base_urls[: k % len(base_urls)]),
            token=token,
            own=own[k],
            shared=own[(k + 1) % clients][:shared],
            acknowledgements=folder / f"acknowledged-{k}.txt" if folder else None,
        )
        for k in range(clients)
    ]
    return specs, set(ids)


# --------------------------------------------------------------------------- the careful ODK client


def multipart_submission(xml: bytes, boundary: str = "impactkit-odk-boundary") -> tuple[bytes, str]:
    """An OpenRosa submission body as ODK Collect writes it (one ``xml_submission_file`` part), and
    its Content-Type."""
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="xml_submission_file"; filename="submission.xml"\r\n'
        "Content-Type: text/xml\r\n\r\n"
    ).encode() + xml + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@dataclass(frozen=True)
class OpenRosaClientSpec:
    """One ODK device's share of a load: submissions (instance id, XML) sent to a collector address."""

    base_urls: tuple[str, ...]
    collector_path: str
    """``/collect/<secret>``."""
    submissions: tuple[tuple[str, bytes], ...]
    timeout: float = 5.0
    acknowledgements: Path | None = None


def run_openrosa_client(spec: OpenRosaClientSpec) -> SubmitterReport:
    """Send each submission as ODK Collect does, resending the same one after a timeout, a dropped
    connection or a 5xx until it is answered; 201 and 202 acknowledge it (written down at once)."""
    report = SubmitterReport()
    ack_file = spec.acknowledgements.open("a", buffering=1) if spec.acknowledgements else None
    clients = [httpx.Client(base_url=url, timeout=spec.timeout) for url in spec.base_urls]
    turn = 0
    try:
        for instance_id, xml in spec.submissions:
            body, content_type = multipart_submission(xml)
            started = time.monotonic()
            attempt = 0
            while True:
                client = clients[turn % len(clients)]
                turn += 1
                report.sent += 1
                if attempt:
                    report.retries += 1
                attempt += 1
                try:
                    answer = client.post(
                        f"{spec.collector_path}/submission",
                        content=body,
                        headers={"Content-Type": content_type, "X-OpenRosa-Version": "1.0"},
                    )
                except RETRYABLE_ERRORS as exc:
                    if time.monotonic() - started > 120:
                        report.unexpected.append(f"gave up after {attempt} attempts: {exc!r}")
                        break
                    time.sleep(min(0.05 * attempt, 0.5))
                    continue
                if answer.status_code >= 500:
                    report.server_errors.append(f"{answer.status_code}: {answer.text[:300]}")
                    time.sleep(min(0.05 * attempt, 0.5))
                    continue
                if answer.status_code in (201, 202):
                    report.statuses["stored" if answer.status_code == 201 else "already_stored"] += 1
                    report.acknowledged += 1
                    if ack_file:
                        ack_file.write(instance_id + "\n")
                else:
                    report.unexpected.append(f"{answer.status_code}: {answer.text[:300]}")
                break
    finally:
        for client in clients:
            client.close()
        if ack_file:
            ack_file.close()
    return report


# --------------------------------------------------------------------------- the fast client


@dataclass
class RunFigures:
    """Requests sent by :func:`post_concurrently`, their status codes and the wall time (seconds)."""

    requests: int
    seconds: float
    statuses: Counter[int]
    bodies: list[bytes] = field(default_factory=list)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if not chunked:
        return status, await reader.readexactly(length)
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        data = await reader.readexactly(size + 2)
        if size == 0:
            return status, b"".join(parts)
        parts.append(data[:-2])


def _request_bytes(
    path: str, token: str, body: bytes, port: int, content_type: str = "application/json"
) -> bytes:
    authorization = f"Authorization: Bearer {token}\r\n" if token else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{authorization}"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def _post_all(
    ports: Sequence[int],
    path: str,
    token: str,
    bodies: Sequence[bytes],
    concurrency: int,
    keep: bool,
    deadline: float,
    content_type: str = "application/json",
) -> RunFigures:
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    statuses: Counter[int] = Counter()
    kept: list[bytes] = []

    async def connection(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while True:
                try:
                    body = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                writer.write(_request_bytes(path, token, body, port, content_type))
                status, answer = await _read_response(reader)
                statuses[status] += 1
                if keep or status >= 300:
                    kept.append(answer)
        finally:
            writer.close()

    started = time.perf_counter()
    try:
        await asyncio.wait_for(
            asyncio.gather(*(connection(ports[i % len(ports)]) for i in range(concurrency))), deadline
        )
    except TimeoutError:
        done = sum(statuses.values())
        raise RuntimeError(
            f"the server stalled: {done} of {len(bodies)} answered in {deadline:.0f} s"
        ) from None
    return RunFigures(len(bodies), time.perf_counter() - started, statuses, kept)


def post_concurrently(
    ports: Sequence[int],
    path: str,
    token: str,
    bodies: Sequence[bytes],
    *,
    concurrency: int = 32,
    keep_bodies: bool = False,
    deadline: float = 300.0,
    content_type: str = "application/json",
) -> RunFigures:
    """POST each of ``bodies`` (JSON bytes) to ``path`` over ``concurrency`` keep-alive connections.

    Raises:
        RuntimeError: not every request was answered within ``deadline`` seconds.
    """
    return asyncio.run(_post_all(ports, path, token, bodies, concurrency, keep_bodies, deadline, content_type))


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
