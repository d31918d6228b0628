"""Give freed memory back to the system, now and then, in a served process.

A computation over many responses (KPIs, an import, a document) needs memory in proportion to
them for a moment; Python frees it afterwards, but glibc's allocator keeps most freed pages in
its arenas, so a process's RSS follows the highest peak it ever had, not what it holds
(docs/reliability.md, R16: no Python allocation survives the traffic). ``malloc_trim(0)``
returns the free pages of every arena; a daemon thread calls it every ``interval`` seconds
(a few milliseconds each time). Elsewhere than glibc (musl, macOS) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 30.0


def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Return free heap pages to the system now; False where the C library cannot."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


class Trimmer:
    """A daemon thread that calls :func:`release_free_memory` every ``interval`` seconds."""

    def __init__(self, interval: float = DEFAULT_INTERVAL) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Start the thread; False (and no thread) where memory cannot be trimmed."""
        if self.interval <= 0 or _malloc_trim() is None:
            return False
        self._thread = threading.Thread(target=self._run, name="impactkit-malloc-trim", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                release_free_memory()
            except Exception:  # never let housekeeping take a server down
                log.warning("could not return free memory to the system", exc_info=False)
