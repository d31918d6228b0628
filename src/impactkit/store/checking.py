"""Large batches of responses checked in chunks by helper processes, on every core.

Checking a response (reading its envelope, hashing it, validating its answers against the
form version, building its row) costs a server process about twice what inserting it does,
and the process does all of it on one core: the interpreter lock serialises its threads. A
large batch is therefore cut into chunks (:func:`chunk_bounds`) that helper processes check
(:func:`check_chunk`), while the server process's response writer inserts the chunks already
checked. One process keeps writing: on SQLite a second writer would make each connection
re-read the pages the other changed.

A chunk is checked exactly as the whole batch would be as long as no instance id occurs
twice in the batch; a batch that repeats one (:func:`repeats_an_id`) is checked in one piece,
which answers the later copies as resends of the first.

    >>> chunk_bounds(1000, 2)
    [(0, 250), (250, 500), (500, 750), (750, 1000)]
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import threading
import weakref
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from impactkit.errors import Problem
from impactkit.store.db import make_engine
from impactkit.store.schemas import ResponseIn
from impactkit.store.surveys import (
    ItemResult,
    Prepared,
    Submission,
    json_bytes,
    normalise_instance_id,
    prepare_responses,
)
from impactkit.text import text_problem

log = logging.getLogger("impactkit.checking")

CHUNK_MIN = 100
"""Fewest responses in a chunk sent to a helper: below that the trip costs more than it saves."""

CHUNKS_PER_HELPER = 2
"""A batch is cut into this many chunks per helper, so that inserting the first chunks overlaps
checking the others. More, smaller chunks measured slower: each is its own transaction when
the writer is idle, and SQLite writes more pages per row in small transactions."""


# --- checking one chunk (in a helper process or in the server) --------------------------------


def parse_item(index: int, raw: Any, source: str = "api") -> Submission | ItemResult:
    """One item of a batch read as a submission, or the ``invalid`` result saying what is wrong."""
    if not isinstance(raw, dict):
        return ItemResult(
            index, None, "invalid", [Problem("expected a JSON object", f"responses[{index}]").as_dict()]
        )
    try:
        return ResponseIn.model_validate(raw).submission(source)
    except ValidationError as exc:
        errors = [
            Problem(item["msg"], ".".join(str(p) for p in item["loc"]) or "response").as_dict()
            for item in exc.errors()
        ]
        instance_id = raw.get("instance_id")
        readable = (
            isinstance(instance_id, str) and len(instance_id) <= 100 and text_problem(instance_id) is None
        )
        return ItemResult(index, instance_id if readable else None, "invalid", errors)


@dataclass
class CheckedChunk:
    """A chunk of a batch, checked: nothing is written yet."""

    unread: list[ItemResult]
    """Items that are not a submission at all (``index``: their place in the batch)."""
    positions: list[int]
    """The place in the batch of each submission given to :attr:`prepared`."""
    prepared: Prepared
    """Results and rows of those submissions (their ``index``: a place in :attr:`positions`)."""

    def results(self) -> list[ItemResult]:
        """One result per item, ``index`` its place in the batch, in order (once the rows are
        written: :func:`~impactkit.store.surveys.insert_prepared` settles theirs)."""
        placed = list(self.unread)
        for result in self.prepared.outcome():
            result.index = self.positions[result.index]
            placed.append(result)
        placed.sort(key=lambda result: result.index)
        return placed


def repeats_an_id(raw_items: Sequence[Any]) -> bool:
    """True when two items of a batch carry the same instance id (in any of its spellings)."""
    seen: set[str] = set()
    for raw in raw_items:
        instance_id = raw.get("instance_id") if isinstance(raw, dict) else None
        if not isinstance(instance_id, str):
            continue
        try:
            key = normalise_instance_id(instance_id)
        except ValueError:
            key = instance_id
        if key in seen:
            return True
        seen.add(key)
    return False


def check_chunk(
    engine: Engine,
    raw_items: Sequence[Any],
    start: int,
    allowed: set[int] | None,
    *,
    encode_answers: bool = False,
    source: str = "api",
) -> CheckedChunk:
    """Read, check and build the rows of ``raw_items``, the batch's items from place ``start``.

    Reads the database only where the engine's caches cannot answer (a project, period or form
    version not seen lately, and the stored ids of responses whose answers fail). ``source`` is
    recorded on every response (``link:<id>``: held to that survey link's limits when written).
    With ``encode_answers`` the rows carry their answers as JSON already written (bytes), which
    costs the process that receives them less to take in and nothing to write out.
    """
    unread: list[ItemResult] = []
    positions: list[int] = []
    submissions: list[Submission] = []
    for offset, raw in enumerate(raw_items):
        parsed = parse_item(start + offset, raw, source)
        if isinstance(parsed, Submission):
            positions.append(start + offset)
            submissions.append(parsed)
        else:
            unread.append(parsed)
    if submissions:
        with Session(engine) as session:
            prepared = prepare_responses(session, engine, submissions, allowed_organisations=allowed)
        if encode_answers:
            for _, row in prepared.rows:
                row["answers"] = json_bytes(row["answers"])
    else:
        prepared = Prepared([], [], [])
    return CheckedChunk(unread, positions, prepared)


# --- helper processes ---------------------------------------------------------------------------

_helper_engines: dict[str, Engine] = {}


def _check_in_helper(
    url: str, raw_items: Sequence[Any], start: int, allowed: set[int] | None, source: str = "api"
) -> CheckedChunk:
    """:func:`check_chunk` in a helper process, on an engine of its own for ``url`` (it only reads)."""
    engine = _helper_engines.get(url)
    if engine is None:
        engine = _helper_engines[url] = make_engine(url, pool_size=2)
    return check_chunk(engine, raw_items, start, allowed, encode_answers=True, source=source)


def _ready() -> int:
    return os.getpid()


def _start_helper() -> None:
    """A new helper: what it imported stays for its life, so keep it out of the cyclic
    collector (whose full collections otherwise walk all of pandas several times a batch)."""
    gc.collect()
    gc.freeze()


class Helpers:
    """The helper processes that check chunks of large batches for one database."""

    def __init__(self, url: str, processes: int) -> None:
        self.url = url
        self.processes = processes
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise RuntimeError("the helper processes are closed")
            if self._pool is None:
                # spawn: a clean interpreter, never a fork of a server with threads running
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(
                    self.processes, mp_context=context, initializer=_start_helper
                )
            return self._pool

    def start(self) -> list[Future[int]]:
        """Start every process now (they start on first use otherwise): one task each, since the
        pool starts a process only for a task no idle one can take; each future gives a pid."""
        executor = self._executor()
        return [executor.submit(_ready) for _ in range(self.processes)]

    def check(
        self, raw_items: Sequence[Any], start: int, allowed: set[int] | None, source: str = "api"
    ) -> Future[CheckedChunk]:
        """Check a chunk in a helper (:func:`check_chunk`). If a helper dies, this call or the
        future fails with ``BrokenProcessPool`` and the next call starts new helpers."""
        pool = self._executor()
        try:
            future = pool.submit(_check_in_helper, self.url, list(raw_items), start, allowed, source)
        except BrokenProcessPool:
            self._drop(pool)
            raise
        future.add_done_callback(lambda done: self._drop_if_broken(pool, done))
        return future

    def pids(self) -> list[int]:
        """The process ids of the running helpers (none before the first start)."""
        with self._lock:
            pool = self._pool
        # ProcessPoolExecutor keeps its processes by pid in _processes (no public accessor)
        processes = getattr(pool, "_processes", None) or {}
        return sorted(pid for pid, process in dict(processes).items() if process.is_alive())

    def _drop_if_broken(self, pool: ProcessPoolExecutor, done: Future[CheckedChunk]) -> None:
        if not done.cancelled() and isinstance(done.exception(), BrokenProcessPool):
            self._drop(pool)

    def _drop(self, pool: ProcessPoolExecutor) -> None:
        """Drop ``pool``, whose process died, unless a newer pool has taken its place already
        (every chunk it held fails alike, and must not drop the pool that replaced it)."""
        with self._lock:
            if self._pool is not pool:
                return
            self._pool = None
        log.warning("a helper process died; starting new ones")
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


_helpers: weakref.WeakKeyDictionary[Engine, Helpers] = weakref.WeakKeyDictionary()
_helpers_lock = threading.Lock()


def helpers_for(engine: Engine, processes: int) -> Helpers | None:
    """The helpers of ``engine`` in this process, or None when there are to be none (``processes``
    0, or an in-memory database that another process cannot open)."""
    in_memory = engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "", ":memory:")
    if processes <= 0 or in_memory:
        return None
    helpers = _helpers.get(engine)
    if helpers is None:
        with _helpers_lock:
            helpers = _helpers.get(engine)
            if helpers is None:
                url = engine.url.render_as_string(hide_password=False)
                helpers = _helpers[engine] = Helpers(url, processes)
    return helpers


def close_helpers(engine: Engine) -> None:
    """Stop ``engine``'s helpers (at shutdown)."""
    with _helpers_lock:
        helpers = _helpers.pop(engine, None)
    if helpers is not None:
        helpers.close()


def chunk_bounds(size: int, helpers: int) -> list[tuple[int, int]]:
    """Where to cut a batch of ``size`` items for ``helpers`` helper processes: ``(start, stop)``
    pairs; one chunk when there are no helpers or the batch is small.

    >>> chunk_bounds(1000, 1)
    [(0, 500), (500, 1000)]
    >>> chunk_bounds(150, 2)
    [(0, 150)]
    """
    if helpers <= 0 or size < 2 * CHUNK_MIN:
        return [(0, size)]
    count = min(helpers * CHUNKS_PER_HELPER, size // CHUNK_MIN)
    step = -(-size // count)
    return [(start, min(start + step, size)) for start in range(0, size, step)]


__all__ = [
    "CheckedChunk",
    "Helpers",
    "check_chunk",
    "chunk_bounds",
    "close_helpers",
    "helpers_for",
    "parse_item",
    "repeats_an_id",
]
