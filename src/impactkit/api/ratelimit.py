"""Rate limits on the doors strangers can knock on: sign-in and public survey links (429 + Retry-After).

Counted per client address and door in this process (a sliding one-minute window); several
API processes each count on their own, so the effective limit scales with the processes.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import deque
from dataclasses import dataclass
from threading import Lock
from typing import cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPResponseBodyEvent, HTTPResponseStartEvent, Receive, Scope, Send


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
    """Sliding-window counters per (door, client address)."""

    def __init__(self, window_seconds: float = 60.0) -> None:
        self.window = window_seconds
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = Lock()

    def retry_after(self, key: tuple[str, str], limit: int, now: float | None = None) -> int:
        """0 when this hit is allowed (and counted), else the seconds to wait."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= moment - self.window:
                hits.popleft()
            if len(hits) >= limit:
                return max(1, int(hits[0] + self.window - moment) + 1)
            hits.append(moment)
            if len(self._hits) > 100_000:  # bound memory under a flood of addresses
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > moment - self.window}
            return 0


def rate_limit_middleware(app: ASGIApp) -> ASGIApp:
    limiter = RateLimiter()
    watched = doors()

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            path = scope.get("path", "")
            for door in watched:
                if scope.get("method") in door.methods and door.pattern.match(path):
                    client = (scope.get("client") or ("unknown", 0))[0]
                    wait = limiter.retry_after((door.name, str(client)), door.per_minute)
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
