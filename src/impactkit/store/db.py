"""Engines and sessions for SQLite (embedded default, WAL) and PostgreSQL (production)."""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows; SQLite's busy handler still serialises writers
    fcntl = None  # type: ignore[assignment]

SQLITE_SYNCHRONOUS = os.environ.get("IMPACTKIT_SQLITE_SYNCHRONOUS", "NORMAL").upper()
"""NORMAL (default) survives a crash of the process; FULL also survives power loss."""


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class _WriteSlot:
    """One engine's SQLite writer slot: a semaphore for this process's threads and, for a file
    database, a lock file (opened once) for the other processes."""

    def __init__(self, engine: Engine) -> None:
        self.semaphore = threading.Semaphore(1)
        self.lock_fd: int | None = None
        database = engine.url.database or ""
        if fcntl is not None and database and database != ":memory:":
            try:
                self.lock_fd = os.open(f"{database}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a folder we may not write to: SQLite's busy handler still serialises
                self.lock_fd = None

    def __del__(self) -> None:
        if self.lock_fd is not None:
            os.close(self.lock_fd)


_write_slots: weakref.WeakKeyDictionary[Engine, _WriteSlot] = weakref.WeakKeyDictionary()
_slots_lock = threading.Lock()


def _write_slot(engine: Engine) -> _WriteSlot:
    with _slots_lock:
        slot = _write_slots.get(engine)
        if slot is None:
            slot = _write_slots[engine] = _WriteSlot(engine)
    return slot


@contextmanager
def sqlite_write_slot(engine: Engine) -> Iterator[None]:
    """Hold the SQLite writer slot for the block, for writes made on a connection rather than a
    session: this process's slot (see :func:`claim_sqlite_writer`), then an exclusive lock on
    ``<database>.writer-lock`` shared by every process on the file. Waiting on that lock, a
    writer is woken the moment the other process finishes, where SQLite's own busy handler
    would poll in sleeps of up to 100 ms. No-op on PostgreSQL.
    """
    if engine.dialect.name != "sqlite":
        yield
        return
    slot = _write_slot(engine)
    if not slot.semaphore.acquire(timeout=30):
        raise TimeoutError("the database is busy writing; try again")
    try:
        if slot.lock_fd is None:
            yield
            return
        fcntl.flock(slot.lock_fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(slot.lock_fd, fcntl.LOCK_UN)
    finally:
        slot.semaphore.release()


def claim_sqlite_writer(session: Session) -> None:
    """On SQLite, take this process's single writer slot until the session's transaction ends.

    SQLite lets one connection write at a time; the others wait in its busy handler, which
    sleeps in steps of milliseconds. Queueing writers of one process on a semaphore instead
    hands the lock over at once. The slot is released when the transaction commits or rolls
    back (see ``_release_writer``). No-op on PostgreSQL and when already held.
    """
    engine = session.get_bind()
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite" or session.info.get(_SLOT):
        return
    slot = _write_slot(engine).semaphore
    if not slot.acquire(timeout=30):
        raise TimeoutError("the database is busy writing; try again")
    session.info[_SLOT] = slot


_SLOT = "impactkit_sqlite_writer"


@event.listens_for(Session, "after_transaction_end")
def _release_writer(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        slot = session.info.pop(_SLOT, None)
        if slot is not None:
            slot.release()


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
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": 10},
            pool_size=pool_size,
            max_overflow=20,
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    if os.environ.get("IMPACTKIT_DB_NULLPOOL") == "1":
        return create_engine(url, poolclass=NullPool, hide_parameters=True)
    # hide_parameters: an error's message (which a log may keep) never repeats the values written
    return create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True, hide_parameters=True)


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
