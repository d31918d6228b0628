"""Shared fixtures: every storage test runs on SQLite and on PostgreSQL; API tests speak real HTTP.

PostgreSQL is taken from IMPACTKIT_TEST_POSTGRES_URL (default: the local server's ``test``
database). When it is unreachable its tests are skipped with the reason, unless
IMPACTKIT_REQUIRE_SYSTEM_PARTS=1 (as in CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from impactkit.settings import Settings
from impactkit.store import migrate
from impactkit.store.db import make_engine

# In CI, property tests draw the same examples every run and have no per-example deadline, so a
# busy machine cannot fail them and a failure can be replayed.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

POSTGRES_URL = os.environ.get(
    "IMPACTKIT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_SYSTEM_PARTS = os.environ.get("IMPACTKIT_REQUIRE_SYSTEM_PARTS") == "1"


def missing_system_part(reason: str) -> None:
    """Skip with the reason, or fail when CI requires every system part."""
    if REQUIRE_SYSTEM_PARTS:
        pytest.fail(f"required system part missing: {reason}")
    pytest.skip(reason)


_postgres_problem: str | None = None
_postgres_checked = False


def _postgres_available() -> str | None:
    global _postgres_checked, _postgres_problem
    if not _postgres_checked:
        _postgres_checked = True
        try:
            probe = make_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"))
            with probe.connect() as connection:
                connection.execute(text("SELECT 1"))
            probe.dispose()
        except Exception as exc:
            _postgres_problem = f"PostgreSQL unreachable at {POSTGRES_URL}: {type(exc).__name__}"
    return _postgres_problem


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A private, migrated schema in the PostgreSQL test database for this test process."""
    problem = _postgres_available()
    if problem:
        missing_system_part(problem)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    schema = f"ik_test_{worker}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _truncate_all(engine: Engine) -> None:
    names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "impactkit.db"
        shutil.copy(template, target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("postgres_schema_url")
    engine = make_engine(url)
    _truncate_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url, secret_key="test-secret-key")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    base_url: str
    engine: Engine
    settings: Settings
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, token: str | None = None, **kwargs: Any) -> httpx.Client:
        """An HTTP client for this server (closed when the test ends), with a token if given."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client = httpx.Client(base_url=self.base_url, headers=headers, timeout=30, **kwargs)
        self.clients.append(client)
        return client


@pytest.fixture
def live_server(settings: Settings, engine: Engine) -> Iterator[LiveServer]:
    """The real app behind a real uvicorn on a loopback port, in a background thread."""
    from impactkit.api.app import create_app

    app = create_app(settings, engine=engine)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    live = LiveServer(base_url=f"http://127.0.0.1:{port}", engine=engine, settings=settings)
    yield live
    for client in live.clients:
        client.close()
    server.should_exit = True
    thread.join(timeout=10)
