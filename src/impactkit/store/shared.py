"""State every server process shares: rate-limit windows and the authentication epoch.

Rate limits count the hits of one key (``door|client address``) in a sliding window. Where the
hits are kept decides whether a limit holds across server processes:

- :class:`MemoryHits`: in this process (SQLite instances: one machine, usually one process);
- :class:`DatabaseHits`: in PostgreSQL (one function call per hit, an advisory lock per key);
- :class:`RedisHits`: in Redis, when ``IMPACTKIT_REDIS_URL`` is set (one script call per hit).

All three answer the same: 0 when the hit is allowed (and counted), else the seconds until the
oldest hit leaves the window; refused hits are not counted. PostgreSQL and Redis use their own
clock, the same for every process on every machine.

The authentication epoch (:func:`read_auth_epoch`, :func:`raise_auth_epoch`) is a counter in the
database, raised in the same transaction as any change of who may do what; see
:mod:`impactkit.store.principals`.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session


class HitStore(Protocol):
    """Where a rate limiter keeps its hits."""

    name: str
    """``memory``, ``postgresql`` or ``redis``: printed by ``impactkit info``."""
    blocking: bool
    """True when :meth:`hit` waits on the network (call it off the event loop)."""

    def hit(self, key: str, limit: int, window: float) -> float:
        """Count a hit of ``key`` if fewer than ``limit`` were counted in the last ``window``
        seconds: 0.0, else the seconds until one leaves the window (nothing counted)."""
        ...


class MemoryHits:
    """Hits kept in this process: each server process counts on its own."""

    name = "memory"
    blocking = False

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window: float, now: float | None = None) -> float:
        moment = self._clock() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= moment - window:
                hits.popleft()
            if len(hits) >= limit:
                return max(hits[0] + window - moment, 0.001)
            hits.append(moment)
            if len(self._hits) > 100_000:  # bound memory under a flood of addresses
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > moment - window}
            return 0.0


class DatabaseHits:
    """Hits kept in PostgreSQL (``rate_limit_hit``, through ``impactkit_rate_limit_hit()``)."""

    name = "postgresql"
    blocking = True

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def hit(self, key: str, limit: int, window: float) -> float:
        with self.engine.begin() as connection:
            wait = connection.execute(
                text("SELECT impactkit_rate_limit_hit(:key, :limit, :window)"),
                {"key": key, "limit": limit, "window": window},
            ).scalar_one()
        return float(wait)


# KEYS[1]: the key's sorted set of hits (score = time). ARGV: limit, window (seconds), a unique
# member. Redis's own clock (TIME) is the clock of every process.
_REDIS_HIT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return tostring(math.max(tonumber(oldest[2]) + window - now, 0.001))
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('EXPIRE', KEYS[1], math.ceil(window) + 1)
return '0'
"""


class RedisHits:
    """Hits kept in Redis: a sorted set per key, changed by one atomic script per hit."""

    name = "redis"
    blocking = True

    def __init__(self, url: str, prefix: str = "impactkit:") -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix
        self._script = self.client.register_script(_REDIS_HIT)
        self._counter = 0
        self._counter_lock = threading.Lock()
        self._member_prefix = f"{time.time_ns()}-{threading.get_native_id()}-{id(self)}"

    def hit(self, key: str, limit: int, window: float) -> float:
        with self._counter_lock:
            self._counter += 1
            member = f"{self._member_prefix}-{self._counter}"
        answer = self._script(keys=[f"{self.prefix}rate:{key}"], args=[limit, window, member])
        return float(answer)

    def close(self) -> None:
        self.client.close()


def hit_store_for(engine: Engine, redis_url: str = "", redis_prefix: str = "impactkit:") -> HitStore:
    """Redis when configured, else PostgreSQL for a PostgreSQL database, else this process."""
    if redis_url:
        return RedisHits(redis_url, redis_prefix)
    if engine.dialect.name == "postgresql":
        return DatabaseHits(engine)
    return MemoryHits()


def read_auth_epoch(session: Session) -> int:
    """The authentication epoch as the database holds it now (0 if never raised)."""
    value = session.execute(text("SELECT value FROM auth_epoch WHERE id = 1")).scalar_one_or_none()
    return int(value or 0)


def raise_auth_epoch(session: Session) -> None:
    """Raise the epoch in the session's transaction: when it commits, every server process drops
    the principals it cached (within ``IMPACTKIT_AUTH_REFRESH_SECONDS``)."""
    session.execute(
        text(
            "INSERT INTO auth_epoch (id, value) VALUES (1, 1) "
            "ON CONFLICT (id) DO UPDATE SET value = auth_epoch.value + 1"
        )
    )


__all__ = [
    "DatabaseHits",
    "HitStore",
    "MemoryHits",
    "RedisHits",
    "hit_store_for",
    "raise_auth_epoch",
    "read_auth_epoch",
]
