"""The revision cache computes a value once for requests that arrive while it is being computed."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from impactkit.store.changes import Revision
from impactkit.store.kpi_cache import RevisionCache


def _slow(started: threading.Event, release: threading.Event, calls: list[str], value: object):
    def compute() -> object:
        calls.append("computed")
        started.set()
        assert release.wait(10)
        return value

    return compute


def test_requests_arriving_together_share_one_computation() -> None:
    cache = RevisionCache()
    started, release, calls = threading.Event(), threading.Event(), []
    value = object()
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(cache.get, "k", Revision("a", 1), _slow(started, release, calls, value))
        assert started.wait(10)
        others = [
            pool.submit(cache.get, "k", Revision("a", 1), lambda: calls.append("again")) for _ in range(3)
        ]
        while cache.waits < 3:  # the three are waiting for the first, not computing
            threading.Event().wait(0.01)
        release.set()
        assert first.result() is value and all(o.result() is value for o in others)
    assert calls == ["computed"]
    assert (cache.misses, cache.waits) == (1, 3)


def test_another_revision_does_not_wait_for_an_older_computation() -> None:
    cache = RevisionCache()
    started, release, calls = threading.Event(), threading.Event(), []
    with ThreadPoolExecutor(2) as pool:
        old = pool.submit(cache.get, "k", Revision("a", 1), _slow(started, release, calls, "old"))
        assert started.wait(10)
        assert cache.get("k", Revision("a", 2), lambda: "new") == "new"
        release.set()
        assert old.result() == "old"
    assert cache.get("k", Revision("a", 2), lambda: "computed again") == "new"


def test_a_failed_computation_is_not_shared_and_the_waiter_computes_its_own() -> None:
    cache = RevisionCache()
    started, release = threading.Event(), threading.Event()

    def failing() -> str:
        started.set()
        assert release.wait(10)
        raise RuntimeError("the database went away")

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(cache.get, "k", Revision("a", 1), failing)
        assert started.wait(10)
        second = pool.submit(cache.get, "k", Revision("a", 1), lambda: "computed here")
        while cache.waits < 1:
            threading.Event().wait(0.01)
        release.set()
        with pytest.raises(RuntimeError, match="went away"):
            first.result()
        assert second.result() == "computed here"
    assert cache.get("k", Revision("a", 1), lambda: "third") == "third", "no failed value was kept"
