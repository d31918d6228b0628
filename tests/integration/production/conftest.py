"""Fixtures for the production set-up: a PostgreSQL database of its own, several server processes."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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

REDIS_URL = os.environ.get("IMPACTKIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "reliability-secret"
"""The secret key :class:`ServerProcess` gives its servers."""


def redis_or_skip() -> str:
    """The test Redis, or a skip (a failure in CI) saying it is missing."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        missing_system_part(f"Redis unreachable at {REDIS_URL}: {type(error).__name__}")
    return REDIS_URL


def create_postgres_database(prefix: str) -> tuple[str, Callable[[], None]]:
    """A new, empty PostgreSQL database (never the shared ``test`` one) and how to drop it."""
    problem = _postgres_available()
    if problem:
        missing_system_part(problem)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    base = POSTGRES_URL.split("?", 1)[0].rsplit("/", 1)[0]
    return f"{base}/{name}", drop


@dataclass
class Instance:
    """A migrated PostgreSQL database with a world of users and the shipped forms."""

    database_url: str
    engine: Engine
    world: World
    data_dir: Path


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    url, drop = create_postgres_database("ik_prod")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        world = build_world(engine)
        with session_scope(engine) as session:
            publish_shipped_forms(session)
        yield Instance(url, engine, world, tmp_path_factory.mktemp("production"))
    finally:
        engine.dispose()
        drop()


def start_servers(
    database_url: str, data_dir: Path, environments: Sequence[dict[str, str]]
) -> list[ServerProcess]:
    """One ``impactkit serve`` per environment, started at the same time (each one imports the
    whole application: in turn they would take minutes on a busy machine)."""
    servers = [
        ServerProcess(database_url, free_port(), data_dir, env={"IMPACTKIT_CHECK_PROCESSES": "0", **env})
        for env in environments
    ]
    with ThreadPoolExecutor(len(servers)) as pool:
        futures = [pool.submit(server.start) for server in servers]
        try:
            for future in futures:
                future.result()
        except BaseException:
            for server in servers:
                server.kill()
            raise
    return servers
