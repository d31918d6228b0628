"""The access log: one line per request with method, path (secrets masked), status, size, time.

A path is logged by its route's template: a path parameter whose name says it is a secret or a
respondent's data (``token``, ``secret``, ``key``, ``password``, ``code`` — a respondent's code —,
``filename`` — an answer's file —, or ending in ``_token``, ``_secret``, ``_key``, ``_code``)
is written as ``{name}``, e.g. ``/s/{token}`` for a survey link; the other parameters keep their
values (``/api/v1/projects/12/kpis``). A path no route matched is logged with every segment that
looks like a token (20 or more letters, digits, ``-`` and ``_``) written as ``{masked}``. The query
string, headers and bodies are never logged.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any
from urllib.parse import quote

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from impactkit.logs import FIELDS

log = logging.getLogger("impactkit.access")

_SECRET_NAME = re.compile(r"(^|_)(token|secret|key|password|code|filename)$", re.IGNORECASE)
_PARAMETER = re.compile(r"\{(\w+)(?::[^}]*)?\}")
_TOKEN_LIKE = re.compile(r"^[A-Za-z0-9_-]{20,}$")


def is_secret_parameter(name: str) -> bool:
    """True for a path parameter that carries a secret and must never be logged.

    >>> [is_secret_parameter(n) for n in ("token", "collector_secret", "code", "project_id", "keyword")]
    [True, True, True, False, False]
    """
    return bool(_SECRET_NAME.search(name))


def loggable_path(scope: Scope | dict[str, Any]) -> str:
    """The request's path as it may be logged: secrets masked by route template (see the module).

    >>> loggable_path({"path": "/s/abc", "path_template": "/s/{token:str}", "path_params": {"token": "abc"}})
    '/s/{token}'
    >>> loggable_path({"path": "/s/Zk3J9qHc0VbR2mXw7LpA1TeY/x"})
    '/s/{masked}/x'
    """
    template = scope.get("path_template")
    if template:
        params = scope.get("path_params") or {}

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if is_secret_parameter(name) or name not in params:
                return "{" + name + "}"
            return quote(str(params[name]), safe="/")

        return _PARAMETER.sub(value, str(template))
    path = str(scope.get("path", ""))
    return "/".join("{masked}" if _TOKEN_LIKE.match(part) else quote(part) for part in path.split("/"))


def client_address(scope: Scope | dict[str, Any]) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "-"


def access_log(app: ASGIApp) -> ASGIApp:
    """Wrap ``app`` (the whole application, so that unrouted requests are logged too)."""

    async def logged(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not log.isEnabledFor(logging.INFO):
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        size = 0

        async def counting_send(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await app(scope, receive, counting_send)
        except asyncio.CancelledError:
            status = status or 499  # the client went away before an answer
            raise
        except BaseException:
            status = status or 500
            raise
        finally:
            _write(scope, status or 499, size, time.perf_counter() - started)

    return logged


def _write(scope: Scope, status: int, size: int, seconds: float) -> None:
    method = scope.get("method", "-")
    path = loggable_path(scope)
    client = client_address(scope)
    milliseconds = round(seconds * 1000, 1)
    fields = {
        "client": client,
        "method": method,
        "path": path,
        "status": status,
        "bytes": size,
        "duration_ms": milliseconds,
    }
    # makeRecord + handle: log.info() would also walk the stack to find its caller, which cost
    # more than everything else here (one line per request adds up).
    record = log.makeRecord(
        log.name,
        logging.INFO,
        __file__,
        0,
        '%s "%s %s" %d %dB %.1fms',
        (client, method, path, status, size, milliseconds),
        None,
        extra={FIELDS: fields},
    )
    log.handle(record)


__all__ = ["access_log", "client_address", "is_secret_parameter", "loggable_path"]
