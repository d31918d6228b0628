"""KPIs computed in a helper process that a fresh one replaces after a number of computations.

A project's KPIs read every response of the period at once (medians, paired tests, intervals
need the values, not only their sums), so a computation's peak grows with the data. In the
server process that peak stays: the allocator keeps the pages it once needed, and a server
that answers for months climbs with its projects (R16 in docs/reliability.md). Here the
computation runs in a helper process of its own, started with the computing libraries already
imported, and replaced after :attr:`KpiHelpers.tasks` computations — the server process never
holds a period's responses, and what a helper's peaks left behind goes back to the system when
it is replaced.

The helper reads the database through an engine of its own: it sees what is committed, as any
other request would. A database held only in this process's memory (in-memory SQLite, in
tests) cannot be opened by another process: its KPIs are computed in the server, as they are
with ``IMPACTKIT_KPI_PROCESSES=0``.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import threading
import weakref
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from sqlalchemy.engine import Engine
from sqlmodel import Session

from impactkit.disclosure import THRESHOLD_VARIABLE
from impactkit.frameworks.results import KpiResults
from impactkit.store.db import make_engine

__all__ = ["KpiHelpers", "close_kpi_helpers", "kpi_helpers", "register_kpi_helpers"]

log = logging.getLogger("impactkit.kpis")

# --- in the helper process ----------------------------------------------------------------------

_engines: dict[str, Engine] = {}


def _start_helper() -> None:
    """A new helper: the computing libraries are imported before its first task (seconds), then
    kept out of the cyclic collector for the helper's life."""
    import impactkit.frameworks.compute
    import impactkit.store.kpis  # noqa: F401

    gc.collect()
    gc.freeze()


def _ready() -> int:
    return os.getpid()


def _compute(url: str, project_id: int, period_id: int | None, threshold: str | None) -> KpiResults:
    """:func:`impactkit.store.kpis.project_kpis` on an engine of this helper's own for ``url``."""
    from impactkit.store.kpis import project_kpis

    # the server's disclosure threshold as it is now (the helper began with the environment of
    # its start, and a helper outlives many requests)
    if threshold is None:
        os.environ.pop(THRESHOLD_VARIABLE, None)
    else:
        os.environ[THRESHOLD_VARIABLE] = threshold
    engine = _engines.get(url)
    if engine is None:
        engine = _engines[url] = make_engine(url, pool_size=1)
    with Session(engine) as session:
        return project_kpis(session, project_id, period_id)


# --- in the server process ----------------------------------------------------------------------


class KpiHelpers:
    """The helper processes that compute KPIs for one database.

    The helpers are replaced together, as one pool: after ``tasks`` computations per helper the
    pool takes no more work, finishes what it was given and ends, and a fresh pool (started at
    once, so that the next request rarely waits for its imports) takes the next computations.
    (Python's own ``max_tasks_per_child`` is not used: on Python 3.11 to 3.13 a pool that replaces
    a worker while work is queued can stop and leave the queued work waiting for ever,
    python/cpython#115634.)

    Attributes:
        processes: how many helpers compute at once.
        tasks: computations a helper makes before a fresh one takes its place.
        computed: computations made; ``replaced``: pools replaced after their tasks;
            ``restarts``: pools replaced because a helper died.
    """

    def __init__(self, url: str, processes: int, tasks: int) -> None:
        self.url = url
        self.processes = processes
        self.tasks = tasks
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._given = 0
        """Computations given to the current pool."""
        self._closed = False
        self.computed = 0
        self.replaced = 0
        self.restarts = 0

    def _current(self) -> ProcessPoolExecutor:
        """The pool taking work, a new one if there is none (call with the lock held)."""
        if self._closed:
            raise RuntimeError("the KPI helpers are closed")
        if self._pool is None:
            # spawn: a clean interpreter, never a fork of a server with threads running
            self._pool = ProcessPoolExecutor(
                self.processes, mp_context=multiprocessing.get_context("spawn"), initializer=_start_helper
            )
            self._given = 0
            for _ in range(self.processes):
                self._pool.submit(_ready)  # every helper starts now, and imports
        return self._pool

    def start(self) -> None:
        """Start the helpers now, in the background (they start on first use otherwise)."""
        with self._lock:
            self._current()

    def _submit(
        self, project_id: int, period_id: int | None
    ) -> tuple[ProcessPoolExecutor, Future[KpiResults]]:
        threshold = os.environ.get(THRESHOLD_VARIABLE)
        retired = None
        with self._lock:
            pool = self._current()
            future = pool.submit(_compute, self.url, project_id, period_id, threshold)
            self._given += 1
            if self._given >= self.tasks * self.processes:
                retired, self._pool = pool, None
                self.replaced += 1
        if retired is not None:
            # the work it was given still runs; its processes end once it is done
            retired.shutdown(wait=False)
            self.start()  # the next helpers' imports begin now, not with the next request
        return pool, future

    def compute(self, project_id: int, period_id: int | None) -> KpiResults:
        """The project's KPIs for the period (all periods with None), computed in a helper.

        Errors raised there (a project or period not found, a framework that cannot be read)
        are raised here as they are. A helper that dies (killed, out of memory) is replaced and
        the computation tried once more in the new one.
        """
        for attempt in (1, 2):
            pool = None
            try:
                pool, future = self._submit(project_id, period_id)
                result = future.result()
            except BrokenProcessPool:
                if pool is not None:
                    self._drop(pool)
                else:
                    with self._lock:
                        broken, self._pool = self._pool, None
                    if broken is not None:
                        self._drop(broken, current=False)
                if attempt == 2:
                    raise
                continue
            with self._lock:
                self.computed += 1
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    def pids(self) -> list[int]:
        """The process ids of the running helpers of the pool taking work."""
        with self._lock:
            pool = self._pool
        # ProcessPoolExecutor keeps its processes by pid in _processes (no public accessor)
        processes = getattr(pool, "_processes", None) or {}
        return sorted(pid for pid, process in dict(processes).items() if process.is_alive())

    def _drop(self, pool: ProcessPoolExecutor, *, current: bool = True) -> None:
        """Forget ``pool``, one of whose helpers died (a newer pool that took its place stays)."""
        with self._lock:
            if current:
                if self._pool is not pool:
                    return
                self._pool = None
            self.restarts += 1
        log.warning("a KPI helper process died; starting a new one")
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


_helpers: weakref.WeakKeyDictionary[Engine, KpiHelpers] = weakref.WeakKeyDictionary()
_helpers_lock = threading.Lock()


def register_kpi_helpers(engine: Engine, processes: int, tasks: int) -> KpiHelpers | None:
    """Compute ``engine``'s KPIs in ``processes`` helpers from now on (none: in this process, as
    with ``processes`` 0 or an in-memory database that another process cannot open)."""
    in_memory = engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "", ":memory:")
    if processes <= 0 or in_memory:
        return None
    with _helpers_lock:
        helpers = _helpers.get(engine)
        if helpers is None:
            url = engine.url.render_as_string(hide_password=False)
            helpers = _helpers[engine] = KpiHelpers(url, processes, max(1, tasks))
    return helpers


def kpi_helpers(session: Session) -> KpiHelpers | None:
    """The KPI helpers of the session's database, if it has any."""
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    return _helpers.get(engine)  # type: ignore[arg-type]


def close_kpi_helpers(engine: Engine) -> None:
    """Stop ``engine``'s KPI helpers (at shutdown)."""
    with _helpers_lock:
        helpers = _helpers.pop(engine, None)
    if helpers is not None:
        helpers.close()
