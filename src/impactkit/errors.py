"""The one exception tree of impactkit.

    ImpactkitError
    ├── ConfigError             bad settings or environment
    ├── FormError               an XLSForm that cannot be imported (carries every problem)
    ├── FileError               a CSV or XLSX data file that cannot be read (carries every problem)
    ├── ExpressionError         an expression that cannot be parsed or evaluated
    ├── ResponseError           a survey response that does not fit its form (carries every problem)
    ├── UnstorableTextError     text no database can store (NUL, a lone surrogate) or over-long (HTTP 422)
    ├── FrameworkError          a framework file that is not valid (carries every problem)
    ├── KpiError                a KPI that cannot be computed from the data given
    ├── ValueMapError           an SROI value map with impossible inputs (carries every problem)
    ├── BidError                a tender, bid or delivery report that does not fit its terms (HTTP 422)
    ├── ReportContentError      a social report's content that does not fit its model (HTTP 422)
    ├── ReportStateError        an illegal move in the report workflow (HTTP 409)
    ├── ConflictError           a write that clashes with stored data (HTTP 409)
    ├── UnknownReferenceError   an id in a request that names nothing the caller may use (HTTP 422)
    ├── NotFoundError           something that does not exist, or is not yours to see (HTTP 404)
    └── PermissionDeniedError   authenticated, but not allowed (HTTP 403)

Errors that describe bad input carry ``problems``: a list of :class:`Problem`,
each naming where (sheet, row, column, field, outcome …) and what was expected.
The API layer maps this tree to RFC 9457 problem+json once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what was expected."""

    message: str
    location: str = ""
    """Where: ``survey!F12``, ``answers.age``, ``outcomes[2].deadweight`` …"""
    code: str = "invalid"
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "location": self.location,
            "message": self.message,
            "code": self.code,
        }
        if self.details:
            out["details"] = self.details
        return out


class ImpactkitError(Exception):
    """Base of every error impactkit raises on purpose."""

    status_code = 400

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems or [])
        self.keyed: dict[str, Any] | None = None
        """The message as a keyed text (:mod:`impactkit.keyed_texts`), for a page to write it in
        its reader's language; None when the message is only in English."""

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"{self.message}\n{lines}"


class ConfigError(ImpactkitError):
    status_code = 500


class FormError(ImpactkitError):
    status_code = 422


class FileError(ImpactkitError):
    """A data file (CSV, XLSX) that cannot be read: each problem names the line, column or sheet."""

    status_code = 422


class ExpressionError(ImpactkitError):
    status_code = 422


class ResponseError(ImpactkitError):
    status_code = 422


class UnstorableTextError(ImpactkitError):
    """Text that no database can store (a NUL character, a lone surrogate), or longer than its
    field allows; see :mod:`impactkit.text`."""

    status_code = 422


class FrameworkError(ImpactkitError):
    status_code = 422


class KpiError(ImpactkitError):
    status_code = 422


class ValueMapError(ImpactkitError):
    status_code = 422


class BidError(ImpactkitError):
    """Social-procurement input that does not fit: each problem names the field or cell."""

    status_code = 422


class ReportContentError(ImpactkitError):
    """A social report's content that does not fit its model (an unknown section, a figure of the
    wrong kind): each problem names the field."""

    status_code = 422


class ReportStateError(ImpactkitError):
    status_code = 409


class ConflictError(ImpactkitError):
    status_code = 409


class UnknownReferenceError(ImpactkitError):
    """An id or reference given in a request body or query (a framework, form version, period,
    evaluator, grant …) that names nothing the caller may use: refused when it is given, naming
    the field, rather than stored and failing later. Another organisation's row reads the same
    as a missing one."""

    status_code = 422


class NotFoundError(ImpactkitError):
    status_code = 404


class PermissionDeniedError(ImpactkitError):
    status_code = 403


__all__ = [
    "BidError",
    "ConfigError",
    "ConflictError",
    "ExpressionError",
    "FileError",
    "FormError",
    "FrameworkError",
    "ImpactkitError",
    "KpiError",
    "NotFoundError",
    "PermissionDeniedError",
    "Problem",
    "ReportContentError",
    "ReportStateError",
    "ResponseError",
    "UnknownReferenceError",
    "UnstorableTextError",
    "ValueMapError",
]
