"""Rate limits on the doors strangers can knock on: sign-in and public survey links (429 + Retry-After).

Counted per client address and door in a sliding one-minute window. Where the hits are kept
(:mod:`impactkit.store.shared`) decides whether a limit holds across server processes: in Redis
when ``IMPACTKIT_REDIS_URL`` is set, else in PostgreSQL for a PostgreSQL database (every process on
every machine counts together), else in each process (SQLite: with ``--workers N`` the
effective limit is N times the setting). If the shared store cannot be reached the request is
let through and a warning logged (at most once a minute): a limit must not take the service down.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import re
import time
from dataclasses import dataclass
from typing import cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPResponseBodyEvent, HTTPResponseStartEvent, Receive, Scope, Send

from impactkit.logs import safe_message
from impactkit.store.shared import HitStore, MemoryHits

log = logging.getLogger("impactkit.ratelimit")


@dataclass(frozen=True)
class Door:
    name: str
    pattern: re.Pattern[str]
    methods: frozenset[str]
    per_minute: int


def _limit(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.isdigit() else default


def doors() -> list[Door]:
    return [
        Door(
            "sign-in",
            re.compile(r"^/(login|signin|sign-in)/?$"),
            frozenset({"POST"}),
            _limit("IMPACTKIT_RATE_SIGNIN_PER_MINUTE", 10),
        ),
        Door(
            "survey link",
            re.compile(r"^/s/[^/]+"),
            frozenset({"POST"}),
            _limit("IMPACTKIT_RATE_SURVEY_PER_MINUTE", 120),
        ),
    ]


class RateLimiter:
    """Sliding-window limits per (door, client address), kept in a :class:`HitStore`."""

    def __init__(self, store: HitStore | None = None, window_seconds: float = 60.0) -> None:
        self.store: HitStore = store or MemoryHits()
        self.window = window_seconds
        self._warned_at = -math.inf

    def retry_after(self, key: tuple[str, str], limit: int, now: float | None = None) -> int:
        """0 when this hit is allowed (and counted), else the whole seconds to wait.

        ``now`` (seconds) is for an in-process store only; shared stores use their own clock.
        """
        joined = "|".join(key)
        try:
            if now is not None and isinstance(self.store, MemoryHits):
                wait = self.store.hit(joined, limit, self.window, now=now)
            else:
                wait = self.store.hit(joined, limit, self.window)
        except Exception as error:  # the store is down: let the request through, say so
            moment = time.monotonic()
            if moment - self._warned_at >= 60:
                self._warned_at = moment
                log.warning(
                    "rate limits not applied: the %s store failed (%s)", self.store.name, safe_message(error)
                )
            return 0
        return 0 if wait <= 0 else max(1, math.ceil(wait))

    async def check(self, key: tuple[str, str], limit: int) -> int:
        """:meth:`retry_after`, off the event loop when the store waits on the network."""
        if not self.store.blocking:
            return self.retry_after(key, limit)
        return await asyncio.get_running_loop().run_in_executor(None, self.retry_after, key, limit)


def rate_limit_middleware(app: ASGIApp) -> ASGIApp:
    """Limit the watched doors with the application's limiter (``app.state.rate_limiter``)."""
    watched = doors()
    fallback = RateLimiter()

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            path = scope.get("path", "")
            for door in watched:
                if scope.get("method") in door.methods and door.pattern.match(path):
                    limiter = getattr(scope["app"].state, "rate_limiter", None) or fallback
                    client = (scope.get("client") or ("unknown", 0))[0]
                    wait = await limiter.check((door.name, str(client)), door.per_minute)
                    if wait:
                        await _too_many(send, path, door, wait)
                        return
                    break
        await app(scope, receive, send)

    return middleware


async def _too_many(send: Send, path: str, door: Door, wait: int) -> None:
    body = json.dumps(
        {
            "type": "urn:impactkit:problem:429",
            "title": "Too many requests",
            "status": 429,
            "detail": f"too many {door.name} attempts from your address: at most {door.per_minute} a minute; "
            f"try again in {wait} seconds",
            "instance": path,
        }
    ).encode()
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 429,
        "headers": [
            (b"content-type", b"application/problem+json"),
            (b"retry-after", str(wait).encode()),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    await send(start)
    await send(cast("HTTPResponseBodyEvent", {"type": "http.response.body", "body": body}))
