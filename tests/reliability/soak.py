"""The soak: mixed traffic for many minutes against two ``impactkit serve`` processes on one
PostgreSQL, with one ``kill -9`` of a server and one restart of PostgreSQL in the middle.

What it sends, all the time, spread over both servers (a client whose server is down or answers
5xx resends the same thing to the other one, as a careful client does):

- respondents through the JSON API (one response per POST) and through a survey link's page
  (consent, then the answers, as a browser without script does);
- ODK-like devices: OpenRosa multipart XML submissions through a collector access;
- staff pages (an owner signed in: the workbench, the project, its responses);
- exports: responses as CSV, the project's KPIs;
- report validation: a period is added and given answers, its report drafted, submitted to the
  evaluator, its checklist read and the report validated (failing checks justified).

At 40 % of the time one server is killed with -9 and started again; at 60 % PostgreSQL is
restarted (``pg_ctl restart -m fast``). What must hold, checked at the end:

- nothing acknowledged is lost: every response answered 201/200 (API), 303 (page) or 201/202
  (OpenRosa) is in the database, exactly once;
- no 5xx outside the two windows (from the kill until the server answers again, from the
  PostgreSQL restart until 15 s after it is back);
- each server's memory is flat: RSS at the end within 10 % of its value after warm-up (20 % of
  the time after its start, at least 30 s).

PostgreSQL is a private cluster (``initdb`` + ``pg_ctl``, trust auth, a free port, a temporary
folder, run as the ``postgres`` user when started as root), so restarting it disturbs nobody
else's tests; it is removed at the end.

Run::

    .venv/bin/python -m tests.reliability.soak --minutes 30      # the long soak (not in CI)
    .venv/bin/python -m tests.reliability.soak --minutes 2       # what the test suite runs

It prints the figures and a JSON summary (``--json FILE`` writes it too) and exits 1 if a check
failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.reliability.loadclient import (
    RETRYABLE_ERRORS,
    ServerProcess,
    beneficiary_answers,
    multipart_submission,
)

SECRET = "reliability-secret"  # ServerProcess's IMPACTKIT_SECRET_KEY
RESTART_GRACE = 15.0
"""Seconds after PostgreSQL is back during which a 5xx still counts as the restart's."""


# --------------------------------------------------------------------------- private PostgreSQL


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if found:
        return found[-1].parent
    which = shutil.which("pg_ctl")
    if which:
        return Path(which).parent
    raise RuntimeError("pg_ctl not found: install PostgreSQL's server binaries")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of our own in a temporary folder (so that restarting it harms nobody)."""

    folder: Path
    port: int
    binaries: Path = field(default_factory=_pg_bin)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/soak"

    def _run(self, *command: str, timeout: float = 120) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *command], timeout=timeout, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")

    def _ctl(self, *arguments: str) -> None:
        self._run(
            str(self.binaries / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-l",
            str(self.folder / "postgres.log"),
            "-w",
            "-t",
            "120",
            *arguments,
        )

    def start(self) -> PrivatePostgres:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.parent.chmod(0o755)  # mkdtemp's 0700 would keep the postgres user out
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            str(self.binaries / "initdb"),
            "-D",
            str(self.folder / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        )
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200"
        self._ctl("-o", options, "start")
        self._run(
            str(self.binaries / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "soak"
        )
        return self

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._ctl("-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


# --------------------------------------------------------------------------- what is recorded


@dataclass
class Window:
    name: str
    start: float
    end: float = float("inf")


@dataclass
class Record:
    """Everything the clients saw, shared by the threads (under ``lock``)."""

    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    server_errors: list[tuple[float, str, int, str]] = field(default_factory=list)
    transport_errors: Counter[str] = field(default_factory=Counter)
    acknowledged: dict[str, str] = field(default_factory=dict)
    """instance id -> the door that acknowledged it."""
    unexpected: list[str] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)

    def seen(self, kind: str, answer: httpx.Response) -> None:
        with self.lock:
            self.requests[kind] += 1
            self.statuses[f"{kind} {answer.status_code}"] += 1
            if answer.status_code >= 500:
                self.server_errors.append(
                    (time.monotonic(), kind, answer.status_code, answer.text[:200].replace("\n", " "))
                )

    def failed(self, kind: str, error: Exception) -> None:
        with self.lock:
            self.requests[kind] += 1
            self.transport_errors[f"{kind} {type(error).__name__}"] += 1

    def ack(self, instance_id: str, door: str) -> None:
        with self.lock:
            self.acknowledged[instance_id] = door

    def odd(self, message: str) -> None:
        with self.lock:
            if len(self.unexpected) < 200:
                self.unexpected.append(message)

    def outside_windows(self) -> list[tuple[float, str, int, str]]:
        def inside(moment: float) -> bool:
            return any(w.start <= moment <= w.end for w in self.windows)

        return [error for error in self.server_errors if not inside(error[0])]


# --------------------------------------------------------------------------- the clients


class Servers:
    """Both servers' addresses; a client takes them in turn and moves on when one fails."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self._turn = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            self._turn += 1
            return self.urls[self._turn % len(self.urls)]


def _until_answered(
    record: Record,
    servers: Servers,
    kind: str,
    send: Callable[[httpx.Client], httpx.Response],
    clients: dict[str, httpx.Client],
    stop: threading.Event,
    limit: float = 180.0,
) -> httpx.Response | None:
    """Send until a server answers below 500 (the same request to the next server each time)."""
    started = time.monotonic()
    attempt = 0
    while time.monotonic() - started < limit:
        client = clients[servers.next()]
        attempt += 1
        try:
            answer = send(client)
        except RETRYABLE_ERRORS as error:
            record.failed(kind, error)
        else:
            record.seen(kind, answer)
            if answer.status_code < 500:
                return answer
        if stop.is_set() and attempt > 20:
            break
        time.sleep(min(0.1 * attempt, 1.0))
    record.odd(f"{kind}: no answer below 500 within {limit:.0f} s")
    return None


_OPEN: list[httpx.Client] = []
"""Every client made, closed when the run ends."""


def _clients(servers: Servers, token: str | None = None) -> dict[str, httpx.Client]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    made = {url: httpx.Client(base_url=url, timeout=10, headers=headers) for url in servers.urls}
    _OPEN.extend(made.values())
    return made


@dataclass
class Setting:
    """What the clients need: ids, tokens, a link, a collector access, the XForm."""

    world: Any
    link_token: str
    collector_secret: str
    xform: str


def api_respondent(
    setting: Setting, servers: Servers, record: Record, stop: threading.Event, seed: int
) -> None:
    world = setting.world
    clients = _clients(servers, world.tokens["editor_a"])
    number = seed
    while not stop.is_set():
        number += 1
        instance_id = str(uuid.uuid4())
        body = {
            "instance_id": instance_id,
            "form_id": "beneficiary_outcomes",
            "form_version": "2026.1",
            "project_id": world.project_a,
            "period_id": world.period_a,
            "wave": "baseline",
            "answers": beneficiary_answers(number),
        }
        answer = _until_answered(
            record, servers, "api response", lambda c: c.post("/api/v1/responses", json=body), clients, stop
        )
        if answer is not None:
            if answer.status_code in (200, 201):
                record.ack(instance_id, "api")
            else:
                record.odd(f"api response {answer.status_code}: {answer.text[:200]}")
        time.sleep(0.05)


def _hidden(html: str, name: str) -> str | None:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return match[1] if match else None


def page_respondent(setting: Setting, servers: Servers, record: Record, stop: threading.Event) -> None:
    """A respondent's browser without script: open the link, consent, answer; 303 acknowledges."""
    number = 10_000
    while not stop.is_set():
        number += 1
        clients = _clients(servers)
        try:
            page = _until_answered(
                record,
                servers,
                "page open",
                lambda c: c.get(f"/s/{setting.link_token}?lang=en"),
                clients,
                stop,
            )
            if page is None or page.status_code != 200:
                continue
            csrf, instance = _hidden(page.text, "_csrf_token"), _hidden(page.text, "_ik_instance")
            shown = _hidden(page.text, "_ik_shown")
            if not (csrf and instance and shown is not None):
                record.odd("page open: no form fields")
                continue
            fields = {"_csrf_token": csrf, "_ik_instance": instance, "_ik_lang": "en"}
            # the cookies of the first answer (the CSRF cookie) go with every later request
            cookies = page.cookies
            for client in clients.values():
                client.cookies.update(cookies)
            first = _until_answered(
                record,
                servers,
                "page consent",
                lambda c: c.post(
                    f"/s/{setting.link_token}", data={**fields, "_ik_shown": shown, "consent": "yes"}
                ),
                clients,
                stop,
            )
            shown_next = _hidden(first.text, "_ik_shown") if first is not None else None
            if shown_next is None:
                record.odd(f"page consent: {first.status_code if first else 'none'}")
                continue
            answers = {
                key: (" ".join(value) if isinstance(value, list) else str(value))
                for key, value in beneficiary_answers(number).items()
            }
            data: dict[str, Any] = {**fields, "_ik_shown": shown_next, **answers}
            data["vulnerable_conditions"] = ["unemployment", "low_income"]
            done = None
            # without script, a question made relevant by the answers (months unemployed, for
            # the unemployed) is shown on the next step: send the same answers with it, as a
            # person would, until the page acknowledges (at most three steps)
            for _ in range(3):
                done = _until_answered(
                    record,
                    servers,
                    "page answer",
                    lambda c: c.post(f"/s/{setting.link_token}", data=data, follow_redirects=False),
                    clients,
                    stop,
                )
                step = _hidden(done.text, "_ik_shown") if done is not None and done.status_code == 200 else None
                if step is None or step == data["_ik_shown"]:
                    break
                data["_ik_shown"] = step
            if done is not None and done.status_code == 303:
                record.ack(instance, "page")
            elif done is not None:
                problem = re.search(r'class="[^"]*error[^"]*"[^>]*>([^<]{0,160})', done.text)
                record.odd(f"page answer {done.status_code}: {problem[1] if problem else done.text[-300:]}")
        finally:
            for client in clients.values():
                client.close()
        time.sleep(0.2)


def openrosa_device(setting: Setting, servers: Servers, record: Record, stop: threading.Event) -> None:
    from tests.odk import instance_xml

    clients = _clients(servers)
    headers = {"X-OpenRosa-Version": "1.0"}
    number = 20_000
    while not stop.is_set():
        number += 1
        instance_id = str(uuid.uuid4())
        body, content_type = multipart_submission(
            instance_xml(setting.xform, beneficiary_answers(number), instance_id)
        )
        answer = _until_answered(
            record,
            servers,
            "openrosa",
            lambda c: c.post(
                f"/collect/{setting.collector_secret}/submission",
                content=body,
                headers={**headers, "Content-Type": content_type},
            ),
            clients,
            stop,
        )
        if answer is not None:
            if answer.status_code in (201, 202):
                record.ack(instance_id, "openrosa")
            else:
                record.odd(f"openrosa {answer.status_code}: {answer.text[:200]}")
        time.sleep(0.1)


def staff_pages(setting: Setting, servers: Servers, record: Record, stop: threading.Event) -> None:
    world = setting.world
    pages = ["/app", f"/app/projects/{world.project_a}", f"/app/projects/{world.project_a}/responses"]
    clients = _clients(servers)
    signed: set[str] = set()
    while not stop.is_set():
        url = servers.next()
        client = clients[url]
        try:
            if url not in signed:
                form = client.get("/signin")
                record.seen("staff sign-in", form)
                csrf = _hidden(form.text, "_csrf_token")
                answer = client.post(
                    "/signin",
                    data={
                        "email": "owner_a@example.org",
                        "password": "correct horse battery",
                        "_csrf_token": csrf or "",
                        "next": "/app",
                    },
                )
                record.seen("staff sign-in", answer)
                if answer.status_code < 400:
                    signed.add(url)
                continue
            for page in pages:
                answer = client.get(page, follow_redirects=False)
                record.seen("staff page", answer)
                if answer.status_code in (302, 303) and "/signin" in answer.headers.get("location", ""):
                    signed.discard(url)
        except RETRYABLE_ERRORS as error:
            record.failed("staff page", error)
            time.sleep(0.5)
        time.sleep(0.3)


def exports(setting: Setting, servers: Servers, record: Record, stop: threading.Event) -> None:
    world = setting.world
    clients = _clients(servers, world.tokens["owner_a"])
    while not stop.is_set():
        client = clients[servers.next()]
        try:
            csv = client.get(
                "/api/v1/responses/export.csv",
                params={"form_id": "beneficiary_outcomes", "project_id": world.project_a, "labels": "true"},
            )
            record.seen("export csv", csv)
            kpis = client.get(
                f"/api/v1/projects/{world.project_a}/kpis", params={"period_id": world.period_a}
            )
            record.seen("kpis", kpis)
        except RETRYABLE_ERRORS as error:
            record.failed("export", error)
        time.sleep(2.0)


def report_validation(setting: Setting, servers: Servers, record: Record, stop: threading.Event) -> None:
    """Period, answers, report, submission, checklist, validation: over and over."""
    world = setting.world
    owner = _clients(servers, world.tokens["owner_a"])
    editor = _clients(servers, world.tokens["editor_a"])
    evaluator = _clients(servers, world.tokens["evaluator"])
    cycle = 0
    while not stop.is_set():
        cycle += 1
        day = date(2030, 1, 1) + timedelta(days=cycle)
        period_body = {
            "label": f"soak {cycle} {uuid.uuid4().hex[:6]}",
            "starts_on": str(day),
            "ends_on": str(day),
        }
        period = _until_answered(
            record,
            servers,
            "report",
            lambda c: c.post(f"/api/v1/projects/{world.project_a}/periods", json=period_body),
            owner,
            stop,
        )
        if period is None or period.status_code != 201:
            record.odd(f"period: {period.status_code if period else 'none'}")
            continue
        period_id = period.json()["id"]
        batch = [
            {
                "instance_id": str(uuid.uuid4()),
                "form_id": "beneficiary_outcomes",
                "form_version": "2026.1",
                "project_id": world.project_a,
                "period_id": period_id,
                "wave": "baseline",
                "answers": beneficiary_answers(cycle * 10 + k),
            }
            for k in range(10)
        ]
        stored = _until_answered(
            record,
            servers,
            "report answers",
            lambda c: c.post("/api/v1/responses/batch", json={"responses": batch}),
            editor,
            stop,
        )
        if stored is not None and stored.status_code == 200:
            for item in stored.json()["results"]:
                if item["status"] in ("stored", "already_stored"):
                    record.ack(item["instance_id"], "batch")
        draft = _until_answered(
            record,
            servers,
            "report",
            lambda c: c.post(f"/api/v1/projects/{world.project_a}/reports", json={"period_id": period_id}),
            owner,
            stop,
        )
        if draft is None or draft.status_code not in (200, 201):
            record.odd(
                f"report draft: {draft.status_code if draft else 'none'} {draft.text[:200] if draft else ''}"
            )
            continue
        report_id = draft.json()["id"]
        submitted = _until_answered(
            record,
            servers,
            "report",
            lambda c: c.post(
                f"/api/v1/reports/{report_id}/submit", json={"evaluator_user_id": world.users["evaluator"]}
            ),
            owner,
            stop,
        )
        if submitted is None or submitted.status_code >= 400:
            record.odd(f"report submit: {submitted.status_code if submitted else 'none'}")
            continue
        checklist = _until_answered(
            record,
            servers,
            "report",
            lambda c: c.get(f"/api/v1/reports/{report_id}/checklist"),
            evaluator,
            stop,
        )
        failing = (
            [c["id"] for c in checklist.json() if c["status"] == "fail"]
            if checklist is not None and checklist.status_code == 200
            else []
        )
        decision = {
            "comments": "Soak: data checked.",
            "justifications": {check: "Accepted for the soak run, checked by hand." for check in failing},
        }
        validated = _until_answered(
            record,
            servers,
            "report",
            lambda c: c.post(f"/api/v1/reports/{report_id}/validate", json=decision),
            evaluator,
            stop,
        )
        if validated is None or validated.status_code >= 400:
            # a validation whose first try committed and whose answer was lost is a 409 on resend
            if validated is None or validated.status_code != 409:
                record.odd(
                    f"report validate: {validated.status_code if validated else 'none'} {validated.text[:200] if validated else ''}"
                )
        else:
            with record.lock:
                record.statuses["report validated"] += 1
        time.sleep(3.0)


# --------------------------------------------------------------------------- memory


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    """The process ids of ``pid``'s children (its helper processes)."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found.extend(int(child) for child in (task / "children").read_text().split())
    except OSError:
        return found
    return found


@dataclass
class MemoryTrack:
    """RSS samples of one server process (a restarted server is a new track), and the largest
    RSS seen of each of its helper processes (KPIs, batch checks), which are replaced now and
    then: reported, not held to the flat-memory check."""

    name: str
    pid: int
    started: float
    samples: list[tuple[float, int]] = field(default_factory=list)
    helper_peaks: dict[int, int] = field(default_factory=dict)

    def sample(self, now: float) -> None:
        kib = rss_kib(self.pid)
        if kib is not None:
            self.samples.append((now, kib))
        for child in children(self.pid):
            child_kib = rss_kib(child)
            if child_kib is not None:
                self.helper_peaks[child] = max(child_kib, self.helper_peaks.get(child, 0))

    def figures(self, warm_up: float) -> dict[str, Any]:
        after = [kib for moment, kib in self.samples if moment >= self.started + warm_up]
        if len(after) < 6:
            return {"name": self.name, "samples": len(self.samples), "checked": False}
        baseline = statistics.median(after[:3])
        end = statistics.median(after[-3:])
        return {
            "name": self.name,
            "samples": len(self.samples),
            "checked": True,
            "after_warm_up_mib": round(baseline / 1024, 1),
            "end_mib": round(end / 1024, 1),
            "peak_mib": round(max(after) / 1024, 1),
            "change": round(end / baseline - 1, 4),
            "helper_processes_seen": len(self.helper_peaks),
            "helper_peak_mib": round(max(self.helper_peaks.values(), default=0) / 1024, 1),
            # the curve, a sample every 30 s: seconds since this process started, MiB
            "series_mib": [
                [round(moment - self.started), round(kib / 1024, 1)]
                for index, (moment, kib) in enumerate(self.samples)
                if index % 6 == 0 or index == len(self.samples) - 1
            ],
        }


# --------------------------------------------------------------------------- the run


@contextlib.contextmanager
def deployment(folder: Path, database_url: str | None) -> Iterator[tuple[str, PrivatePostgres | None]]:
    if database_url:
        yield database_url, None
        return
    # its own folder under the system's temporary one, which the postgres user can reach
    cluster = PrivatePostgres(Path(tempfile.mkdtemp(prefix="impactkit-soak-pg-")) / "postgres", _free_port())
    cluster.start()
    try:
        yield cluster.url, cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.folder.parent, ignore_errors=True)


def prepare(database_url: str) -> Setting:
    from impactkit.store import collectors, links, migrate
    from impactkit.store.db import make_engine, session_scope
    from impactkit.store.surveys import find_form_version, form_source, publish_shipped_forms
    from tests.factories import build_world

    engine = make_engine(database_url)
    migrate.upgrade(engine)
    world = build_world(engine)
    with session_scope(engine) as session:
        publish_shipped_forms(session)
    with session_scope(engine) as session:
        version = find_form_version(session, world.org_a, "beneficiary_outcomes", "2026.1")
        _, link_token = links.create_link(
            session,
            secret_key=SECRET,
            project_id=world.project_a,
            form_version_id=version.id or 0,
            created_by=None,
            period_id=world.period_a,
            wave="baseline",
        )
        _, secret = collectors.create_access(
            session, secret_key=SECRET, project_id=world.project_a, created_by=None, period_id=world.period_a
        )
        source = form_source(session, version.id or 0)
        assert source is not None
        xform = source.xform
    engine.dispose()
    return Setting(world=world, link_token=link_token, collector_secret=secret, xform=xform)


def check_storage(database_url: str, acknowledged: dict[str, str]) -> dict[str, int]:
    from sqlalchemy import text

    from impactkit.store.db import make_engine

    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT instance_id, count(*) FROM survey_response WHERE replaced_at IS NULL GROUP BY instance_id"
            )
        ).all()
    engine.dispose()
    stored = {str(instance_id): int(count) for instance_id, count in rows}
    return {
        "acknowledged": len(acknowledged),
        "stored": len(stored),
        "lost": sum(1 for instance_id in acknowledged if instance_id not in stored),
        "doubled": sum(1 for count in stored.values() if count > 1),
    }


def run(
    minutes: float, database_url: str | None = None, folder: Path | None = None, quiet: bool = False
) -> dict[str, Any]:
    """The soak for ``minutes``; returns the summary (``ok`` says whether every check held)."""
    say: Callable[[str], None] = (lambda _: None) if quiet else (lambda line: print(line, flush=True))
    total = minutes * 60.0
    warm_up = max(30.0, 0.2 * total)
    work = Path(folder or tempfile.mkdtemp(prefix="impactkit-soak-"))
    with deployment(work, database_url) as (url, cluster):
        say(f"database {url.split('@')[-1]}; preparing")
        setting = prepare(url)
        env = {"IMPACTKIT_RATE_SURVEY_PER_MINUTE": "100000", "IMPACTKIT_RATE_SIGNIN_PER_MINUTE": "1000"}
        servers = [ServerProcess(url, _free_port(), work / "data", env=env).start() for _ in range(2)]
        addresses = Servers([server.base_url for server in servers])
        record = Record()
        stop = threading.Event()
        tracks = [
            MemoryTrack(f"server {i + 1}", s.process.pid, time.monotonic())
            for i, s in enumerate(servers)
            if s.process
        ]
        live = list(tracks)
        workers = [
            threading.Thread(target=api_respondent, args=(setting, addresses, record, stop, 0)),
            threading.Thread(target=api_respondent, args=(setting, addresses, record, stop, 5000)),
            threading.Thread(target=page_respondent, args=(setting, addresses, record, stop)),
            threading.Thread(target=openrosa_device, args=(setting, addresses, record, stop)),
            threading.Thread(target=staff_pages, args=(setting, addresses, record, stop)),
            threading.Thread(target=exports, args=(setting, addresses, record, stop)),
            threading.Thread(target=report_validation, args=(setting, addresses, record, stop)),
        ]
        started = time.monotonic()
        record.started = started
        for worker in workers:
            worker.start()
        say(f"{len(workers)} clients on {', '.join(addresses.urls)} for {minutes:g} min")
        killed = restarted = False
        try:
            while (now := time.monotonic()) - started < total:
                for track in live:
                    track.sample(now)
                elapsed = now - started
                if not killed and elapsed >= 0.4 * total:
                    killed = True
                    window = Window("kill -9 of server 1", time.monotonic())
                    record.windows.append(window)
                    servers[0].kill()
                    say(f"{elapsed:6.0f} s  kill -9 server 1")
                    servers[0].start()
                    window.end = time.monotonic() + 5
                    assert servers[0].process is not None
                    fresh = MemoryTrack("server 1 (restarted)", servers[0].process.pid, time.monotonic())
                    tracks.append(fresh)
                    live = [fresh, *live[1:]]
                    say(f"{time.monotonic() - started:6.0f} s  server 1 answers again")
                if not restarted and elapsed >= 0.6 * total:
                    restarted = True
                    window = Window("PostgreSQL restart", time.monotonic())
                    record.windows.append(window)
                    if cluster is not None:
                        say(f"{elapsed:6.0f} s  PostgreSQL restart")
                        cluster.restart()
                        say(f"{time.monotonic() - started:6.0f} s  PostgreSQL back")
                    else:
                        say(f"{elapsed:6.0f} s  (no PostgreSQL restart: --database-url given)")
                    window.end = time.monotonic() + RESTART_GRACE
                if not quiet and int(elapsed) % 60 < 5:
                    with record.lock:
                        say(
                            f"{elapsed:6.0f} s  requests {sum(record.requests.values())}, acknowledged {len(record.acknowledged)}, 5xx {len(record.server_errors)}"
                        )
                time.sleep(5.0)
        finally:
            stop.set()
            for worker in workers:
                worker.join(timeout=240)
            while _OPEN:
                _OPEN.pop().close()
            for server in servers:
                server.stop()
        storage = check_storage(url, record.acknowledged)
        outside = record.outside_windows()
        memory = [track.figures(warm_up) for track in tracks]
        # a server killed mid-run is measured on its second life only
        checked = [m for m in memory if m["checked"] and m["name"] != "server 1"]
        flat = all(abs(m["change"]) <= 0.10 for m in checked) and bool(checked)
        summary: dict[str, Any] = {
            "minutes": minutes,
            "requests": dict(sorted(record.requests.items())),
            "requests_total": sum(record.requests.values()),
            "statuses": dict(sorted(record.statuses.items())),
            "transport_errors": dict(sorted(record.transport_errors.items())),
            "acknowledged_by_door": dict(Counter(record.acknowledged.values())),
            "storage": storage,
            "server_errors": len(record.server_errors),
            "server_errors_outside_windows": [list(error[1:]) for error in outside[:20]],
            "windows": [
                {"name": w.name, "at_s": round(w.start - started, 1), "seconds": round(w.end - w.start, 1)}
                for w in record.windows
            ],
            "memory": memory,
            "unexpected": record.unexpected[:20],
        }
        summary["ok"] = storage["lost"] == 0 and storage["doubled"] == 0 and not outside and flat
        summary["checks"] = {
            "nothing_lost": storage["lost"] == 0,
            "nothing_doubled": storage["doubled"] == 0,
            "no_5xx_outside_windows": not outside,
            "memory_flat": flat,
        }
        return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument(
        "--database-url", help="an existing PostgreSQL database instead of a private cluster (no restart)"
    )
    parser.add_argument("--json", type=Path, help="write the summary here too")
    arguments = parser.parse_args(argv)
    summary = run(arguments.minutes, arguments.database_url)
    text = json.dumps(summary, indent=2)
    print(text)
    if arguments.json:
        arguments.json.write_text(text + "\n")
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
