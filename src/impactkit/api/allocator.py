"""How a served process asks the C allocator to keep its memory: few arenas, large blocks apart.

A KPI computation needs memory in proportion to a period's responses for a moment, then frees
it. glibc gives each thread that allocates its own arena (up to eight per core) and, once a large
block is freed, raises the size from which blocks are mapped apart from the heap. A server's
thread pool then keeps the fragments of each peak in several arenas, and peaks grow with the
data: under the soak's KPI reads a server's RSS climbed by about 1.5 KiB per stored response
(docs/reliability.md, R16). With two arenas and blocks of 128 KiB or more always mapped apart
(returned to the system when freed) it climbed by about a third of that.

``serve`` calls :func:`tune_allocator` before the server starts: it sets both for this process
(``mallopt``) and in the environment, which glibc reads when the server processes that
``--workers`` starts begin. An operator's own ``MALLOC_ARENA_MAX`` or ``MALLOC_MMAP_THRESHOLD_``
is left as it is. Elsewhere than glibc (musl, macOS) nothing changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable

ARENAS = 2
MAPPED_FROM = 128 * 1024
"""Blocks from this many bytes are mapped apart from the heap, whatever was freed before."""

# glibc's mallopt parameters (malloc.h) and the environment variables it reads at start
_SETTINGS = {
    "MALLOC_ARENA_MAX": (-8, ARENAS),  # M_ARENA_MAX
    "MALLOC_MMAP_THRESHOLD_": (-3, MAPPED_FROM),  # M_MMAP_THRESHOLD
}


def tune_allocator() -> dict[str, int]:
    """Few arenas and a fixed mapping threshold, here and in processes started from here.

    Returns:
        The settings applied to this process (empty where the C library has no ``mallopt``).
    """
    mallopt = _mallopt()
    applied: dict[str, int] = {}
    for variable, (parameter, value) in _SETTINGS.items():
        if variable in os.environ:  # the operator's choice, read by glibc when this process began
            continue
        os.environ[variable] = str(value)
        if mallopt is not None and mallopt(parameter, value) == 1:
            applied[variable] = value
    return applied


def _mallopt() -> Callable[[int, int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        function = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int]
    function.restype = ctypes.c_int
    return function
