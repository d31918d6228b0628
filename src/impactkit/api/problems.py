"""One error format for the whole API: RFC 9457 problem+json, naming the failing field."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.exc import DataError

from impactkit.api.access_log import loggable_path
from impactkit.errors import ImpactkitError

log = logging.getLogger("impactkit.api")

PROBLEM_JSON = "application/problem+json"

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service busy",
}


def problem(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    kind: str | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": f"urn:impactkit:problem:{kind or status}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_errors(extra: Any) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    if isinstance(extra, list):
        for item in extra:
            if isinstance(item, dict):
                key = str(item.get("key") or "")
                source = str(item.get("source") or "")
                location = f"{source}.{key}" if source and key else key or source
                errors.append({"location": location, "message": str(item.get("message", ""))})
    return errors


def handle_impactkit_error(request: Request[Any, Any, Any], exc: ImpactkitError) -> Response[dict[str, Any]]:
    errors = [p.as_dict() for p in exc.problems]
    return problem(request, exc.status_code, exc.message, errors, kind=type(exc).__name__)


def handle_validation_error(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    errors = _field_errors(exc.extra)
    if not errors:
        return problem(request, 400, str(exc.detail))
    where = ", ".join(e["location"] for e in errors[:5])
    return problem(request, 422, f"invalid input at {where}", errors, kind="ValidationError")


def handle_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    headers = dict(exc.headers or {})
    if isinstance(exc, NotAuthorizedException):
        headers.setdefault("WWW-Authenticate", 'Bearer realm="impactkit"')
    status = exc.status_code
    detail = str(exc.detail)
    if (status == 400 and "Malformed" in detail) or "decode" in detail.lower():
        detail = f"the request body is not valid JSON: {detail}"
    if status == HTTP_500_INTERNAL_SERVER_ERROR:
        log.error("internal error on %s %s", request.method, loggable_path(request.scope))
        detail = "the server could not complete the request"
    return problem(request, status, detail, _field_errors(exc.extra), headers=headers or None)


def handle_pydantic_error(
    request: Request[Any, Any, Any], exc: PydanticValidationError
) -> Response[dict[str, Any]]:
    """Content checked by a model inside a service (not the request body itself)."""
    errors = [
        {"location": ".".join(str(part) for part in item["loc"]) or "body", "message": item["msg"]}
        for item in exc.errors()
    ]
    where = ", ".join(e["location"] for e in errors[:5])
    return problem(request, 422, f"invalid input at {where}", errors, kind="ValidationError")


def handle_recursion(request: Request[Any, Any, Any], exc: RecursionError) -> Response[dict[str, Any]]:
    """A body nested so deeply that decoding it exhausts the stack (e.g. 100,000 nested arrays)."""
    return problem(request, 400, "the request body is nested too deeply to be read; flatten it")


def handle_busy(request: Request[Any, Any, Any], exc: TimeoutError) -> Response[dict[str, Any]]:
    """The database stayed busy past its wait: the client may resend the same request."""
    # A large batch is written chunk by chunk: some chunks may be stored already, and a resend
    # answers them already_stored, so resending is always safe.
    detail = f"{exc}; resend the same request (responses already stored are answered as such)"
    return problem(request, 503, detail, headers={"Retry-After": "2"})


def handle_out_of_range(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """A number too large for the database (an id beyond 64 bits) or a value too long for its column."""
    return problem(
        request, 422, "a value in the request is out of range for the database (too large or too long)"
    )


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unexpected error on %s %s", request.method, loggable_path(request.scope))
    return problem(request, 500, "the server could not complete the request; it has been logged")


exception_handlers: dict[Any, Any] = {
    ImpactkitError: handle_impactkit_error,
    ValidationException: handle_validation_error,
    PydanticValidationError: handle_pydantic_error,
    RecursionError: handle_recursion,
    TimeoutError: handle_busy,
    OverflowError: handle_out_of_range,
    DataError: handle_out_of_range,
    HTTPException: handle_http_error,
    Exception: handle_unexpected,
}
