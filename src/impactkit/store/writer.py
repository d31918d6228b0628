"""Group commit of survey responses: one writer thread per database in each server process.

Requests check their responses themselves (see :func:`~impactkit.store.surveys.prepare_responses`)
and hand the rows to the writer, which inserts whatever has queued up meanwhile in one statement
and one transaction, then answers every request of the group. Under load this turns many small
transactions (a commit each, an fsync each on PostgreSQL) into few larger ones; alone, a request
is written at once. A request is answered only after its transaction committed, so an
acknowledged response is stored.

    >>> from impactkit.store.db import make_engine
    >>> writer = ResponseWriter(make_engine("sqlite://"))
    >>> writer.close()
"""

from __future__ import annotations

import logging
import queue
import threading
import weakref
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from impactkit.logs import safe_message
from impactkit.store.db import sqlite_write_slot
from impactkit.store.surveys import Prepared, insert_prepared

log = logging.getLogger("impactkit.writer")

MAX_GROUP_ROWS = 5_000
"""Most rows one transaction of the writer takes (a request's own rows are never split)."""


@dataclass(frozen=True)
class _Job:
    prepared: Prepared
    future: Future[None]


class ResponseWriter:
    """A thread that inserts prepared responses, grouping those that wait into one transaction."""

    def __init__(self, engine: Engine, *, max_group_rows: int = MAX_GROUP_ROWS) -> None:
        self.engine = engine
        self.max_group_rows = max_group_rows
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._closed = False
        self._lock = threading.Lock()
        self._connection: Connection | None = None
        self._thread = threading.Thread(target=self._run, name="impactkit-response-writer", daemon=True)
        self._thread.start()

    def submit(self, prepared: Prepared) -> Future[None]:
        """Queue ``prepared``'s rows; the future completes once they are committed (its results
        are then settled) or fails with the database's error. Cancelling the future before the
        writer took it leaves the rows unwritten."""
        future: Future[None] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the response writer is closed")
            self._queue.put(_Job(prepared, future))
        return future

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop the thread (waiting at most ``timeout`` seconds)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            self._serve()
        finally:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _serve(self) -> None:
        stop = False
        while not stop:
            job = self._queue.get()
            if job is None:
                return
            jobs = [job]
            rows = len(job.prepared.rows)
            while rows < self.max_group_rows:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                jobs.append(more)
                rows += len(more.prepared.rows)
            self._write(jobs)

    def _write(self, jobs: list[_Job]) -> None:
        live = [job for job in jobs if job.future.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            self._commit([job.prepared for job in live])
        except Exception as error:
            if len(live) == 1:
                live[0].future.set_exception(error)
                return
            # One request's rows spoiled the group: write each on its own so the others land.
            log.warning(
                "a group of %d writes failed (%s); writing them one by one", len(live), safe_message(error)
            )
            for job in live:
                try:
                    self._commit([job.prepared])
                except Exception as own_error:
                    job.future.set_exception(own_error)
                else:
                    job.future.set_result(None)
            return
        for job in live:
            job.future.set_result(None)

    def _commit(self, groups: list[Prepared]) -> None:
        """One transaction on the writer's own connection, kept open between groups (no pool
        check-out and liveness ping per group); a connection found dead is replaced once."""
        with sqlite_write_slot(self.engine):
            try:
                self._transaction(groups)
            except DBAPIError as error:
                if not error.connection_invalidated:
                    raise
                self._transaction(groups)

    def _transaction(self, groups: list[Prepared]) -> None:
        if self._connection is None:
            self._connection = self.engine.connect()
        connection = self._connection
        try:
            with connection.begin():
                insert_prepared(connection, groups)
        except BaseException:
            self._connection = None
            connection.close()
            raise


_writers: weakref.WeakKeyDictionary[Engine, ResponseWriter] = weakref.WeakKeyDictionary()
_writers_lock = threading.Lock()


def writer_for(engine: Engine) -> ResponseWriter:
    """The writer of ``engine`` in this process (started on first use)."""
    writer = _writers.get(engine)
    if writer is None:
        with _writers_lock:
            writer = _writers.get(engine)
            if writer is None:
                writer = _writers[engine] = ResponseWriter(engine)
    return writer


def close_writer(engine: Engine) -> None:
    """Write what is queued for ``engine`` and stop its writer (at shutdown)."""
    with _writers_lock:
        writer = _writers.pop(engine, None)
    if writer is not None:
        writer.close()


__all__ = ["MAX_GROUP_ROWS", "ResponseWriter", "close_writer", "writer_for"]
