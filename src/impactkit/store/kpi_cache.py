"""A project's KPIs (and other figures read from all its responses) computed once per change.

Computing the KPIs of a project with 100,000 responses reads every response; the pages ask for
them on every view and for every breakdown. Here each server process keeps the last results per
project and period, tagged with the project's revision (:mod:`impactkit.store.changes`), and
computes again only when the revision moved — whichever process wrote the change.

>>> cache = RevisionCache(max_entries=2)
>>> cache.get(("db", 1), Revision("a", 1), lambda: "computed")
'computed'
>>> cache.get(("db", 1), Revision("a", 1), lambda: "again")
'computed'
>>> cache.get(("db", 1), Revision("a", 2), lambda: "after the change")
'after the change'
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlmodel import Session

from impactkit.frameworks.results import KpiResults
from impactkit.store.changes import Revision, project_revision
from impactkit.store.tables import Project

__all__ = ["RevisionCache", "cached_figures", "cached_project_kpis", "clear", "computed_project_kpis"]

T = TypeVar("T")


class RevisionCache:
    """The newest value per key, kept while its revision is current (least recently used dropped).

    One computation per key and revision at a time: a request that arrives while the same value is
    being computed waits for it instead of computing it again beside it (a project's KPIs read
    every response of the period, so two at once hold them twice).
    """

    def __init__(self, max_entries: int = 64) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[Revision, Any]] = OrderedDict()
        self._running: dict[Hashable, _Running] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.waits = 0

    def get(self, key: Hashable, revision: Revision, compute: Callable[[], T]) -> T:
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] == revision:
                self._entries.move_to_end(key)
                self.hits += 1
                return found[1]  # type: ignore[no-any-return]
            running = self._running.get(key)
            leader = running is None or running.revision != revision
            if leader:
                running = self._running[key] = _Running(revision)
            else:
                self.waits += 1
        assert running is not None
        if not leader:
            running.done.wait()
            if running.computed:
                return running.value  # type: ignore[no-any-return]
            return compute()  # it failed there: fail (or not) here, with this request's own error
        self.misses += 1
        try:
            value = compute()  # outside the lock: other projects are served meanwhile
            running.value, running.computed = value, True
        finally:
            with self._lock:
                # kept only while no computation of a newer revision started meanwhile
                current = self._running.get(key) is running
                if current:
                    del self._running[key]
                if running.computed and current:
                    self._entries[key] = (revision, running.value)
                    self._entries.move_to_end(key)
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
            running.done.set()
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class _Running:
    """A computation under way: its revision, and its value once it is done."""

    __slots__ = ("computed", "done", "revision", "value")

    def __init__(self, revision: Revision) -> None:
        self.revision = revision
        self.done = threading.Event()
        self.computed = False
        self.value: Any = None


_kpis = RevisionCache(max_entries=64)
_figures = RevisionCache(max_entries=256)


def clear() -> None:
    """Forget every cached result of this process (the next view computes afresh)."""
    _kpis.clear()
    _figures.clear()


def _database(session: Session) -> str:
    return str(session.get_bind().engine.url)


def cached_project_kpis(session: Session, project_id: int, period_id: int | None) -> KpiResults:
    """:func:`impactkit.store.kpis.project_kpis`, computed again only after the project changed.

    The revision is read before the responses: a write that commits meanwhile moves it, so the
    next view computes again rather than keeping a result older than the data.
    """
    project = session.get(Project, project_id)
    revision = project_revision(session, project_id) if project is not None else None
    if project is None or revision is None:
        return computed_project_kpis(session, project_id, period_id)
    key = (
        _database(session),
        project_id,
        period_id,
        project.framework_id,
        project.framework_version,
        project.population,
    )
    return _kpis.get(key, revision, lambda: computed_project_kpis(session, project_id, period_id))


def computed_project_kpis(session: Session, project_id: int, period_id: int | None) -> KpiResults:
    """:func:`impactkit.store.kpis.project_kpis`, in a KPI helper process when the database has
    them (:mod:`impactkit.store.kpi_helpers`: ``impactkit serve`` starts them), else here."""
    from impactkit.store.kpi_helpers import kpi_helpers

    helpers = kpi_helpers(session)
    if helpers is not None:
        return helpers.compute(project_id, period_id)
    from impactkit.store.kpis import project_kpis

    return project_kpis(session, project_id, period_id)


def cached_figures(session: Session, project_id: int, name: str, compute: Callable[[], T]) -> T:
    """Any figure read from all of a project's responses (counts per day, per link …), cached
    like the KPIs; ``name`` tells figures apart and includes whatever else they depend on."""
    revision = project_revision(session, project_id)
    if revision is None:
        return compute()
    today: date = datetime.now(UTC).date()
    return _figures.get((_database(session), project_id, name, today), revision, compute)
