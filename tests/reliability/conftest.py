"""Fixtures for the reliability tests: a fresh database with a world of users, servers as subprocesses."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from impactkit.store import migrate
from impactkit.store.db import make_engine, session_scope
from impactkit.store.surveys import publish_shipped_forms
from tests.conftest import POSTGRES_URL, _postgres_available, free_port, missing_system_part
from tests.factories import World, build_world
from tests.reliability.loadclient import ServerProcess


@dataclass
class Deployment:
    """A migrated database with a world of users, and the ``impactkit serve`` processes on it."""

    database_url: str
    engine: Engine
    world: World
    data_dir: Path
    servers: list[ServerProcess] = field(default_factory=list)

    def start_server(
        self, port: int | None = None, workers: int = 1, env: dict[str, str] | None = None
    ) -> ServerProcess:
        server = ServerProcess(
            self.database_url, port or free_port(), self.data_dir, workers=workers, env=dict(env or {})
        ).start()
        self.servers.append(server)
        return server

    @property
    def base_urls(self) -> list[str]:
        return [server.base_url for server in self.servers]


def _postgres_database() -> tuple[str, Callable[[], None]]:
    problem = _postgres_available()
    if problem:
        missing_system_part(problem)
    name = f"ik_rel_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    base = POSTGRES_URL.split("?", 1)[0].rsplit("/", 1)[0]
    return f"{base}/{name}", drop


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    """A fresh database of its own (SQLite file, or a PostgreSQL database created for the test)."""
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'impactkit.db'}", (lambda: None)
    else:
        url, drop = _postgres_database()
    engine = make_engine(url)
    migrate.upgrade(engine)
    world = build_world(engine)
    with session_scope(engine) as session:
        publish_shipped_forms(session)
    found = Deployment(url, engine, world, tmp_path / "data")
    try:
        yield found
    finally:
        for server in found.servers:
            server.kill()
        engine.dispose()
        drop()
