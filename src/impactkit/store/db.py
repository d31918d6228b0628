"""Engines and sessions for SQLite (embedded default, WAL) and PostgreSQL (production)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

SQLITE_SYNCHRONOUS = os.environ.get("IMPACTKIT_SQLITE_SYNCHRONOUS", "NORMAL").upper()
"""NORMAL (default) survives a crash of the process; FULL also survives power loss."""


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create an engine with impactkit's settings for the URL's backend.

    SQLite files get WAL mode, ``synchronous`` from ``IMPACTKIT_SQLITE_SYNCHRONOUS``,
    foreign keys and a busy timeout; their folder is created. PostgreSQL gets a pool
    that checks connections before use.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 10},
            pool_size=pool_size,
            max_overflow=20,
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    if os.environ.get("IMPACTKIT_DB_NULLPOOL") == "1":
        return create_engine(url, poolclass=NullPool)
    return create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def describe(engine: Engine) -> dict[str, str]:
    """What ``/health`` says about the database: backend and a password-free URL."""
    url = engine.url
    return {
        "backend": url.get_backend_name(),
        "url": url.render_as_string(hide_password=True),
    }
