"""The server's logs for operators: one format (text or JSON lines), one level, from settings.

``impactkit serve`` hands :func:`logging_config` to uvicorn, so its own messages, impactkit's
and the access log (one line per request, ``impactkit.access``) share the format, in every
server process.

Text::

    2026-12-06T16:10:00.123Z INFO impactkit.access 203.0.113.7 "POST /s/{token}" 200 1843B 12.3ms

JSON (one object a line)::

    {"time": "2026-12-06T16:10:00.123Z", "level": "info", "logger": "impactkit.access",
     "message": "...", "method": "POST", "path": "/s/{token}", "status": 200, ...}

No request body, answer, token or password is ever written. The access log masks secrets in
paths and never writes query strings, headers or bodies (:mod:`impactkit.api.access_log`). A
traceback keeps where it failed (files, lines, functions, the code of each line) but not what
the data was: an exception's message is withheld (:func:`safe_message`), since a database
error repeats the values it was given and a validation error the input it refused, unless
its type is one whose message describes the machine (a lost connection, a timeout, an OS
error without its file name). Database engines hide statement parameters as well
(``hide_parameters``).
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from types import TracebackType
from typing import Any

LEVELS = ("debug", "info", "warning", "error")
FORMATS = ("text", "json")
FIELDS = "impactkit_fields"
"""Name of a log record's attribute holding its structured fields (a dict), for the JSON format."""


_second: list[Any] = [None, ""]


def _utc(record: logging.LogRecord) -> str:
    """``2026-12-06T16:10:00.123Z`` (the second's text is kept: many lines share one)."""
    whole = int(record.created)
    if _second[0] != whole:
        _second[1] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
        _second[0] = whole
    return f"{_second[1]}.{int(record.msecs):03d}Z"


def _machine_errors() -> tuple[type[BaseException], ...]:
    """Exception types whose message describes the machine, not the request's data."""
    kinds: list[type[BaseException]] = [TimeoutError, MemoryError, RecursionError]
    try:
        from sqlalchemy import exc as sa

        kinds += [sa.OperationalError, sa.InterfaceError, sa.TimeoutError, sa.DisconnectionError]
    except ImportError:  # pragma: no cover - sqlalchemy is a dependency
        pass
    import sqlite3

    kinds.append(sqlite3.OperationalError)  # a lock, a lost table or file: never a value
    try:
        import psycopg

        kinds.append(psycopg.OperationalError)  # the connection: refused, terminated, timed out
    except ImportError:  # pragma: no cover - PostgreSQL is optional
        pass
    return tuple(kinds)


_MACHINE: tuple[type[BaseException], ...] | None = None


def safe_message(error: BaseException) -> str:
    """An exception's type and, when it cannot carry request data, its message.

    >>> safe_message(ValueError("secret answer"))
    'ValueError (message withheld: 13 characters)'
    >>> safe_message(FileNotFoundError(2, "No such file or directory", "/tmp/upload-name"))
    'FileNotFoundError: [Errno 2] No such file or directory'
    """
    global _MACHINE
    if _MACHINE is None:
        _MACHINE = _machine_errors()
    name = type(error).__qualname__
    module = type(error).__module__
    if module not in ("builtins", "__main__"):
        name = f"{module}.{name}"
    if isinstance(error, OSError) and not isinstance(error, TimeoutError):
        # the file names of an OSError may be an uploaded file's name: keep the number and reason only
        return f"{name}: [Errno {error.errno}] {error.strerror}" if error.errno else name
    if isinstance(error, _MACHINE):
        return f"{name}: {error}"
    text = str(error)
    return f"{name} (message withheld: {len(text)} characters)" if text else name


def safe_traceback(exc_info: tuple[type[BaseException], BaseException, TracebackType | None]) -> str:
    """A traceback with every frame (file, line, function, code) and each exception of the chain
    by :func:`safe_message`; no local variable and no withheld message is written."""
    chain: list[BaseException] = []
    error: BaseException | None = exc_info[1]
    while error is not None and all(error is not seen for seen in chain):
        chain.append(error)
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    parts: list[str] = []
    for index, item in enumerate(reversed(chain)):
        if index:
            parts.append("\nThe exception above led to this one:\n\n")
        parts.append("Traceback (most recent call last):\n")
        stack = traceback.StackSummary.extract(traceback.walk_tb(item.__traceback__), capture_locals=False)
        parts.extend(stack.format())
        parts.append(safe_message(item) + "\n")
    return "".join(parts).rstrip("\n")


class TextFormatter(logging.Formatter):
    """``<UTC time> <LEVEL> <logger> <message>``, a traceback (if any) on the lines after."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_utc(record)} {record.levelname} {record.name} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line

    def formatException(self, ei: Any) -> str:
        return safe_traceback(ei) if ei and ei[1] is not None else super().formatException(ei)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the record's fields, the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _utc(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

    def formatException(self, ei: Any) -> str:
        return safe_traceback(ei) if ei and ei[1] is not None else super().formatException(ei)


def json_line(logger: str, message: str, **fields: Any) -> str:
    """One line in the JSON format, for what is written before logging is set up."""
    record = logging.LogRecord(logger, logging.INFO, __file__, 0, message, None, None)
    setattr(record, FIELDS, fields)
    return JsonFormatter().format(record)


def logging_config(level: str = "info", fmt: str = "text") -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` for the server: impactkit's and uvicorn's loggers at
    ``level`` in format ``fmt`` (``text`` or ``json``), on standard error."""
    formatter = "impactkit.logs.JsonFormatter" if fmt == "json" else "impactkit.logs.TextFormatter"
    upper = level.upper()
    handler = {"class": "logging.StreamHandler", "formatter": "impactkit", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"impactkit": {"()": formatter}},
        "handlers": {"impactkit": handler},
        "loggers": {
            "impactkit": {"handlers": ["impactkit"], "level": upper, "propagate": False},
            "uvicorn": {"handlers": ["impactkit"], "level": upper, "propagate": False},
            "uvicorn.error": {"level": upper},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
        # every other library's warnings and errors (litestar, asyncio, sqlalchemy …) in the same
        # format, tracebacks as safe as impactkit's own
        "root": {"handlers": ["impactkit"], "level": "WARNING"},
    }


def configure(level: str = "info", fmt: str = "text") -> None:
    """Apply :func:`logging_config` (for a server started without ``impactkit serve``)."""
    import logging.config

    logging.config.dictConfig(logging_config(level, fmt))


__all__ = [
    "FIELDS",
    "FORMATS",
    "LEVELS",
    "JsonFormatter",
    "TextFormatter",
    "configure",
    "json_line",
    "logging_config",
    "safe_message",
    "safe_traceback",
]
