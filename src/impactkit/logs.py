"""The server's logs for operators: one format (text or JSON lines), one level, from settings.

``impactkit serve`` hands :func:`logging_config` to uvicorn, so its own messages, impactkit's
and the access log (one line per request, ``impactkit.access``) share the format, in every
server process.

Text::

    2026-12-06T16:10:00.123Z INFO impactkit.access 203.0.113.7 "POST /s/{token}" 200 1843B 12.3ms

JSON (one object a line)::

    {"time": "2026-12-06T16:10:00.123Z", "level": "info", "logger": "impactkit.access",
     "message": "...", "method": "POST", "path": "/s/{token}", "status": 200, ...}
"""

from __future__ import annotations

import json
import logging
import time
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


class TextFormatter(logging.Formatter):
    """``<UTC time> <LEVEL> <logger> <message>``, a traceback (if any) on the lines after."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_utc(record)} {record.levelname} {record.name} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


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
]
