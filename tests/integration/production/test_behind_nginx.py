"""The production set-up of docs/administrators.md, tried: PostgreSQL, two `impactkit serve`
processes, nginx in front (docs/examples/nginx-impactkit.conf) ending TLS with a certificate made
here, forwarded headers believed only from nginx; a respondent, a staff member and a download go
through it; a pg_dump taken while responses keep arriving restores every acknowledged one."""

from __future__ import annotations

import io
import os
import pwd
import re
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from impactkit.demo import DEMO_PASSWORD
from impactkit.store import migrate
from impactkit.store.db import make_engine
from tests.conftest import free_port, missing_system_part
from tests.integration.production.conftest import SECRET, create_postgres_database, start_servers
from tests.reliability.loadclient import ServerProcess, response_body

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "docs" / "examples" / "nginx-impactkit.conf"
IMPACTKIT = Path(sys.executable).with_name("impactkit")
COMPLETE = {
    "consent": "yes",
    "respondent_code": "NGINX-1",
    "gender": "female",
    "age": "34",
    "territory_type": "mountain",
    "vulnerable_conditions": ["unemployment", "low_income"],
    "employment_status": "unemployed",
    "months_unemployed": "8",
    "wellbeing": "4",
    "autonomy": "3",
    "social_connections": "4",
    "satisfaction": "5",
    "would_recommend": "yes",
}


def _tool(name: str) -> str:
    found = shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None)
    if found is None:
        missing_system_part(f"{name} is not installed (apt-get install {name})")
    return str(found)


@dataclass
class Site:
    base_url: str
    plain_url: str
    certificate: Path
    database_url: str
    servers: list[ServerProcess]
    tokens: dict[str, str]
    link: str
    folder: Path
    nginx_log: Path
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def tls(self) -> ssl.SSLContext:
        """Trusts the certificate made for this test, and nothing else."""
        return ssl.create_default_context(cafile=str(self.certificate))

    def client(self, **kwargs: object) -> httpx.Client:
        client = httpx.Client(base_url=self.base_url, verify=self.tls, timeout=60, **kwargs)  # type: ignore[arg-type]
        self.clients.append(client)
        return client


def _nginx_conf(
    folder: Path, http_port: int, https_port: int, backends: list[int], cert: Path, key: Path
) -> Path:
    """The documented site file, with this test's ports and paths, inside a standalone nginx.conf."""
    site = EXAMPLE.read_text("utf-8")
    site = site.replace("server 127.0.0.1:8001", f"server 127.0.0.1:{backends[0]}")
    site = site.replace("server 127.0.0.1:8002", f"server 127.0.0.1:{backends[1]}")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;")
    site = site.replace("https://$host$request_uri", f"https://$host:{https_port}$request_uri")
    site = site.replace("/etc/ssl/certs/impact.example.org.pem", str(cert))
    site = site.replace("/etc/ssl/private/impact.example.org.key", str(key))
    assert str(backends[1]) in site and str(https_port) in site and str(cert) in site
    (folder / "site.conf").write_text(site, "utf-8")
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / sub).mkdir(exist_ok=True)
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""{user}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
""",
        "utf-8",
    )
    return conf


def _run_cli(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([str(IMPACTKIT), *args], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"impactkit {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    nginx, openssl = _tool("nginx"), _tool("openssl")
    folder = tmp_path_factory.mktemp("nginx")
    database_url, drop = create_postgres_database("ik_nginx")
    http_port, https_port = free_port(), free_port()
    public = f"https://127.0.0.1:{https_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPACTKIT_")}
    env.update(
        IMPACTKIT_DATABASE_URL=database_url,
        IMPACTKIT_DATA_DIR=str(folder / "data"),
        IMPACTKIT_SECRET_KEY=SECRET,
        IMPACTKIT_PUBLIC_URL=public,
    )
    servers: list[ServerProcess] = []
    process: subprocess.Popen[bytes] | None = None
    try:
        # The administrator's steps, as documented: migrate, (demo data), start the processes.
        _run_cli(["db", "upgrade"], env)
        demo = _run_cli(["demo"], env)
        link = re.search(r"/s/(\S+)$", demo, re.M)
        tokens = dict(re.findall(r"^\s+(\S+@\S+)\s+(ik_\S+)$", demo, re.M))
        assert link and tokens, demo
        key, cert = folder / "site.key", folder / "site.pem"
        subprocess.run(
            [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
             "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        servers = start_servers(
            database_url,
            folder / "data",
            [
                {
                    "IMPACTKIT_TRUSTED_PROXIES": "127.0.0.1",
                    "IMPACTKIT_COOKIE_SECURE": "1",
                    "IMPACTKIT_PUBLIC_URL": public,
                }
            ]
            * 2,
        )
        conf = _nginx_conf(folder, http_port, https_port, [s.port for s in servers], cert, key)
        checked = subprocess.run([nginx, "-t", "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
                                 capture_output=True, text=True, timeout=60)  # fmt: skip
        assert checked.returncode == 0, checked.stderr
        process = subprocess.Popen(
            [nginx, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if (
                    httpx.get(
                        f"{public}/health", verify=ssl.create_default_context(cafile=str(cert)), timeout=5
                    ).status_code
                    == 200
                ):
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, (folder / "error.log").read_text()
            assert time.monotonic() < deadline, "nginx did not answer"
            time.sleep(0.1)
        found = Site(
            base_url=public,
            plain_url=f"http://127.0.0.1:{http_port}",
            certificate=cert,
            database_url=database_url,
            servers=servers,
            tokens=tokens,
            link=link[1],
            folder=folder,
            nginx_log=folder / "access.log",
        )
        yield found
        for client in found.clients:
            client.close()
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGQUIT)  # graceful: workers finish, then leave
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)
        for server in servers:
            server.kill()
        drop()


def _access_lines(server: ServerProcess) -> list[str]:
    return [line for line in server.log().splitlines() if " impactkit.access " in line]


def test_only_https_is_served_and_both_processes_answer(site: Site) -> None:
    redirect = httpx.get(f"{site.plain_url}/health", timeout=30)
    assert redirect.status_code == 301
    assert redirect.headers["location"] == f"{site.base_url}/health"
    client = site.client()
    before = [len(_access_lines(server)) for server in site.servers]
    answers = [client.get("/health") for _ in range(8)]
    assert {answer.status_code for answer in answers} == {200}
    assert answers[0].json()["database"]["backend"] == "postgresql"
    assert "max-age=" in answers[0].headers.get("strict-transport-security", "")
    after = [len(_access_lines(server)) for server in site.servers]
    assert all(now > then for now, then in zip(after, before, strict=True)), "nginx used one process only"


def test_forwarded_headers_are_believed_from_nginx_only(site: Site) -> None:
    through = f"/probe.nginx.{uuid.uuid4().hex[:8]}"
    site.client().get(through, headers={"X-Forwarded-For": "203.0.113.9"})
    direct = f"/probe.direct.{uuid.uuid4().hex[:8]}"
    # Another local address than nginx's: not a trusted proxy, its X-Forwarded-For is ignored.
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(transport=transport, timeout=30) as stranger:
        stranger.get(f"{site.servers[0].base_url}{direct}", headers={"X-Forwarded-For": "198.51.100.7"})
    time.sleep(0.3)
    lines = [line for server in site.servers for line in _access_lines(server)]
    [via_nginx] = [line for line in lines if through in line]
    [from_stranger] = [line for line in lines if direct in line]
    assert ' 127.0.0.1 "GET ' in via_nginx, via_nginx  # nginx replaced the client's header
    assert ' 127.0.0.2 "GET ' in from_stranger, from_stranger


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match[1]


def _post_step(client: httpx.Client, link: str, page: str, answers: dict[str, object]) -> httpx.Response:
    data: dict[str, object] = {
        name: _hidden(page, name) for name in ("_csrf_token", "_ik_instance", "_ik_shown", "_ik_lang")
    }
    return client.post(f"/s/{link}", data={**data, **answers})


def _stored_codes(site: Site) -> list[str]:
    engine = make_engine(site.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT answers FROM survey_response")).scalars().all()
    finally:
        engine.dispose()
    return [row.get("respondent_code") for row in rows if isinstance(row, dict)]


def test_a_respondent_answers_a_survey_link_through_the_proxy(site: Site) -> None:
    client = site.client()
    page = client.get(f"/s/{site.link}")
    assert page.status_code == 200
    assert all("Secure" in cookie for cookie in page.headers.get_list("set-cookie"))
    step = _post_step(client, site.link, page.text, {"consent": "yes"})
    assert step.status_code == 200, step.text[:500]
    done = _post_step(client, site.link, step.text, COMPLETE)
    if done.status_code == 200:  # being unemployed opened a question the page had not shown yet
        done = _post_step(client, site.link, done.text, COMPLETE)
    assert done.status_code == 303, done.text[:500]
    assert "status=stored" in done.headers["location"]
    assert _stored_codes(site).count("NGINX-1") == 1


def test_a_funder_signs_in_and_downloads_the_validated_report(site: Site) -> None:
    client = site.client()
    form = client.get("/signin")
    signed = client.post(
        "/signin",
        data={
            "email": "funder@fondazione.demo",
            "password": DEMO_PASSWORD,
            "_csrf_token": _hidden(form.text, "_csrf_token"),
            "next": "/app",
        },
    )
    assert signed.status_code == 303, signed.text[:500]
    session_cookie = next(c for c in signed.headers.get_list("set-cookie") if c.startswith("ik_session="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie
    home = client.get("/app")
    assert home.status_code == 200
    # As a person would: from the home page, through its links, to the report's download.
    pages = [home.text] + [
        client.get(href).text for href in re.findall(r'href="(/app/[^"?#]+)"', home.text)[:10]
    ]
    found = next(
        (m for page in pages if (m := re.search(r'href="(/app/reports/\d+/report\.xlsx)"', page))), None
    )
    assert found, "no page of the funder links a report download"
    download = client.get(found[1])
    assert download.status_code == 200
    assert download.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(download.content), read_only=True)
    assert len(workbook.sheetnames) >= 2
    workbook.close()


def _demo_project(site: Site) -> tuple[int, int]:
    engine = make_engine(site.database_url)
    try:
        with engine.connect() as connection:
            project_id, period_id = connection.execute(
                text(
                    "SELECT p.id, r.id FROM project p JOIN organisation o ON o.id = p.organisation_id "
                    "JOIN reporting_period r ON r.project_id = p.id WHERE o.tax_code = '97000010013' "
                    "ORDER BY p.id, r.id LIMIT 1"
                )
            ).one()
    finally:
        engine.dispose()
    return int(project_id), int(period_id)


def test_a_dump_taken_mid_load_restores_every_acknowledged_response(site: Site, tmp_path: Path) -> None:
    pg_dump, pg_restore = _tool("pg_dump"), _tool("pg_restore")
    project_id, period_id = _demo_project(site)
    token = site.tokens["owner@coop-aurora.demo"]
    acknowledged: list[tuple[float, str]] = []
    failures: list[str] = []
    stop = threading.Event()

    def submit(worker: int) -> None:
        with httpx.Client(
            base_url=site.base_url, verify=site.tls, timeout=60,
            headers={"Authorization": f"Bearer {token}"},
        ) as client:  # fmt: skip
            number = 0
            while not stop.is_set():
                instance_id = str(uuid.uuid4())
                body = response_body(instance_id, worker * 100_000 + number, project_id, period_id)
                answer = client.post("/api/v1/responses", json=body)
                if answer.status_code == 201:
                    acknowledged.append((time.monotonic(), instance_id))
                else:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")
                number += 1

    workers = [threading.Thread(target=submit, args=(n,)) for n in range(3)]
    for worker in workers:
        worker.start()
    try:
        while len(acknowledged) < 30 and not failures:
            time.sleep(0.05)
        dump_started = time.monotonic()
        dump = tmp_path / "impactkit.dump"
        libpq_url = site.database_url.replace("postgresql+psycopg://", "postgresql://")
        subprocess.run(
            [pg_dump, "--format=custom", f"--file={dump}", libpq_url],
            check=True,
            capture_output=True,
            timeout=300,
        )
        dumped_at = len(acknowledged)
        while len(acknowledged) < dumped_at + 20 and not failures:  # the load goes on after the dump
            time.sleep(0.05)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
    assert failures == []
    before_dump = {instance_id for at, instance_id in acknowledged if at < dump_started}
    assert len(before_dump) >= 30

    # The drill: a fresh database, the dump restored into it, impactkit pointed at it.
    restored_url, drop = create_postgres_database("ik_restore")
    try:
        subprocess.run(
            [pg_restore, "--no-owner", f"--dbname={restored_url.replace('postgresql+psycopg://', 'postgresql://')}",
             str(dump)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        engine = make_engine(restored_url)
        try:
            assert not migrate.pending(engine)
            with engine.connect() as connection:
                restored = set(
                    connection.execute(text("SELECT instance_id FROM survey_response")).scalars().all()
                )
        finally:
            engine.dispose()
        total = len(_stored_ids(site))
        print(
            f"\nrestore drill: {len(before_dump)} acknowledged before pg_dump started, {len(restored)} in the "
            f"restored copy (the demo's included), {total} in the live database when the load stopped"
        )
        missing = before_dump - {str(value) for value in restored}
        assert missing == set(), f"{len(missing)} acknowledged responses are not in the restored copy"
        assert len(restored) < total, "the load went on after the dump"
        env = {k: v for k, v in os.environ.items() if not k.startswith("IMPACTKIT_")}
        listed = subprocess.run(
            [str(IMPACTKIT), "forms", "list", "--database-url", restored_url],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert listed.returncode == 0 and "beneficiary_outcomes" in listed.stdout, listed.stderr
    finally:
        drop()


def _stored_ids(site: Site) -> set[str]:
    engine = make_engine(site.database_url)
    try:
        with engine.connect() as connection:
            return {
                str(v) for v in connection.execute(text("SELECT instance_id FROM survey_response")).scalars()
            }
    finally:
        engine.dispose()
