"""Cutting batches into chunks, and telling when a batch repeats an instance id."""

from __future__ import annotations

import doctest
import itertools
import uuid

from hypothesis import given
from hypothesis import strategies as st

from impactkit.store import checking
from impactkit.store.checking import CHUNK_MIN, CHUNKS_PER_HELPER, chunk_bounds, repeats_an_id


@given(st.integers(0, 5000), st.integers(0, 8))
def test_chunks_cover_the_batch_in_order_without_gaps(size: int, helpers: int) -> None:
    bounds = chunk_bounds(size, helpers)
    assert bounds[0][0] == 0 and bounds[-1][1] == size
    assert all(stop == start for (_, stop), (start, _) in itertools.pairwise(bounds))
    if len(bounds) > 1:
        assert helpers > 0
        assert len(bounds) <= helpers * CHUNKS_PER_HELPER
        assert all(stop - start >= CHUNK_MIN // 2 for start, stop in bounds)


def test_a_small_batch_or_no_helper_is_one_chunk() -> None:
    assert chunk_bounds(2 * CHUNK_MIN - 1, 4) == [(0, 2 * CHUNK_MIN - 1)]
    assert chunk_bounds(1000, 0) == [(0, 1000)]


def test_ids_spelled_differently_are_the_same_id() -> None:
    some = str(uuid.uuid4())
    assert not repeats_an_id([{"instance_id": str(uuid.uuid4())} for _ in range(50)])
    assert repeats_an_id([{"instance_id": some}, {"instance_id": f"uuid:{some.upper()}"}])
    assert repeats_an_id([{"instance_id": some}, {"instance_id": f"  {some} "}])
    assert repeats_an_id([{"instance_id": "x"}, {"instance_id": "x"}])  # unreadable, yet the same
    assert not repeats_an_id(["x", "x", {"instance_id": 5}, {"instance_id": 5}, {}])


def test_the_docstring_examples_run() -> None:
    result = doctest.testmod(checking)
    assert result.attempted > 0 and result.failed == 0


def test_several_server_processes_share_the_helpers() -> None:
    from impactkit import cli

    assert [cli.helpers_per_worker(4, w) for w in (1, 2, 3, 4, 8)] == [4, 2, 1, 1, 1]
    assert cli.helpers_per_worker(0, 4) == 0
