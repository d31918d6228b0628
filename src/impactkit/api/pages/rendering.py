"""What every staff page shares: layout, language, messages, formats, flash, errors, confirmations, htmx.

Page modules import from here; this module imports no page module. A page handler looks like::

    @get("/app/projects/{project_id:int}/things", sync_to_thread=True)
    def things(request: PageRequest, db: DB, me: Me, project_id: int) -> Template:
        project = project_for(db, me, project_id)            # 404 when not yours
        return render(request, "organisation/things.html", me, project=project)

and is listed in its persona package's ``ROUTES`` (see ``organisation/__init__.py``). Templates get
``t`` (messages), ``fmt`` (:class:`impactkit.formats.Formats` for the page's language), ``lang``,
``user``, ``nav``, ``flash`` and ``csrf_input``; see ``templates/base.html`` and ``templates/_ui.html``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeAlias, TypeVar
from urllib.parse import urlencode

from litestar import Request, Response, Router
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.plugins.htmx import HTMXRequest, HTMXTemplate
from litestar.response import Redirect, Template
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlmodel import Session

from impactkit import __version__
from impactkit.api.access import Principal
from impactkit.api.access_log import loggable_path
from impactkit.api.pages._i18n import (
    LANGUAGES,
    catalogue,
    has_message,
    language_cookie,
    pick_language,
    translate,
)
from impactkit.api.pages._session import SignInRequired, page_principal
from impactkit.api.requests import CheckedRequest
from impactkit.errors import ImpactkitError, NotFoundError, PermissionDeniedError, Problem
from impactkit.formats import Formats
from impactkit.keyed_texts import MESSAGE_KEY, problem_in, text_in
from impactkit.settings import Settings

__all__ = [
    "EXCEPTION_HANDLERS",
    "Formats",
    "Me",
    "NavItem",
    "PageRequest",
    "confirm",
    "field_errors",
    "form_date",
    "form_decimal",
    "form_int",
    "form_text",
    "is_htmx",
    "language_of",
    "message",
    "page_router",
    "redirect",
    "render",
    "safe_back",
    "validated",
]

M = TypeVar("M", bound=BaseModel)
log = logging.getLogger("impactkit.pages")

PageRequest: TypeAlias = HTMXRequest
"""The request of a page: ``request.htmx`` is truthy when htmx sent it (Litestar's HTMX support)."""

Me = NamedDependency[Principal]
"""A page handler parameter ``me: Me`` receives the signed-in user; nobody signed in → sign-in page."""


def provide_me(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Principal:
    return page_principal(request, db)


# ---------------------------------------------------------------------------------------------
# Language and messages


def language_of(request: Request[Any, Any, Any]) -> str:
    """The page language: ``?lang=`` first, then the ``lang`` cookie, then Italian."""
    return pick_language(request.query_params.get("lang"), request.cookies.get("lang"))


def message(key: str, language: str, **values: Any) -> str:
    """A message of the catalogue (``messages/``) in ``language``, values written in its formats."""
    return translate(key, language, **values)


# ---------------------------------------------------------------------------------------------
# Navigation by role


@dataclass(frozen=True)
class NavItem:
    """One entry of the top navigation, shown to those for whom ``visible(principal)`` holds."""

    label: str
    """A message key."""
    href: str
    visible: Callable[[Principal], bool]
    order: int = 50


def _nav(request: Request[Any, Any, Any], principal: Principal | None) -> list[dict[str, Any]]:
    if principal is None:
        return []
    items: Sequence[NavItem] = getattr(request.app.state, "page_nav", ())
    path = request.url.path
    shown = []
    for item in sorted(items, key=lambda i: i.order):
        if not item.visible(principal):
            continue
        current = path == item.href or (item.href != "/app" and path.startswith(item.href + "/"))
        shown.append({"label": item.label, "href": item.href, "current": current})
    return shown


def _language_links(request: Request[Any, Any, Any]) -> dict[str, str]:
    query = {k: v for k, v in request.query_params.items() if k not in ("lang", "done")}
    return {code: f"{request.url.path}?{urlencode({**query, 'lang': code})}" for code in LANGUAGES}


# ---------------------------------------------------------------------------------------------
# Rendering


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """True when htmx asked for this (only a part of the page is to be sent back)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not bool(getattr(htmx, "boosted", False))


def page_context(
    request: Request[Any, Any, Any], principal: Principal | None, **context: Any
) -> dict[str, Any]:
    """What every template sees, plus ``context``."""
    language = language_of(request)
    flash = request.query_params.get("done")
    return {
        "lang": language,
        "t": lambda key, **values: translate(key, language, **values),
        "fmt": Formats(language),
        "user": principal,
        "nav": _nav(request, principal),
        "flash": flash if flash and has_message(flash) else None,
        "language_links": _language_links(request),
        "impactkit_version": __version__,
        "path": request.url.path,
        **context,
    }


def render(
    request: Request[Any, Any, Any],
    template: str,
    principal: Principal | None,
    status: int = 200,
    *,
    fragment: str | None = None,
    push_url: str | bool | None = None,
    **context: Any,
) -> Template:
    """A page in the request's language (a ``lang`` query also sets the language cookie).

    With ``fragment`` (a template holding only a part of the page), an htmx request gets that part
    alone; a plain request (no JavaScript, a bookmark, a reload) gets the whole ``template``.
    """
    settings: Settings = request.app.state.settings
    chosen = request.query_params.get("lang")
    language = language_of(request)
    cookies = [language_cookie(language, settings)] if chosen and chosen.lower() in LANGUAGES else []
    full = page_context(request, principal, **context)
    headers = {"Cache-Control": "no-store", "Vary": "HX-Request"}
    if fragment is not None and is_htmx(request):
        return HTMXTemplate(
            template_name=fragment,
            context=full,
            status_code=status,
            headers=headers,
            push_url=push_url if push_url is not None else False,
        )
    return Template(
        template_name=template, context=full, status_code=status, cookies=cookies, headers=headers
    )


def redirect(path: str, done: str | None = None, anchor: str | None = None) -> Redirect:
    """303 to ``path`` after a form post; ``done`` names the message shown there (a flash)."""
    target = path
    if done is not None:
        target += ("&" if "?" in path else "?") + urlencode({"done": done})
    if anchor:
        target += f"#{anchor}"
    return Redirect(target, status_code=303)


def safe_back(request: Request[Any, Any, Any], fallback: str = "/app") -> str:
    """Where "back" goes from an error: the page a form was posted from, else ``fallback``.

    Browsers send no Referer here (``Referrer-Policy: no-referrer``), so a post's page is taken to
    be its path without the action (``/app/projects/3/links`` → ``/app/projects/3``); the page's
    script makes the link go back in the history when there is one.
    """
    path = request.url.path
    if request.method != "GET" and path.startswith("/app/"):
        parent = path.rsplit("/", 1)[0]
        if parent.count("/") >= 2:
            return parent
    return fallback


# ---------------------------------------------------------------------------------------------
# Confirmation of destructive actions


def confirm(
    request: Request[Any, Any, Any],
    principal: Principal,
    data: Mapping[str, Any],
    *,
    question: str,
    back: str,
    action: str | None = None,
    details: Iterable[str] = (),
    button: str = "confirm_yes",
    fragment: str | None = None,
    **values: Any,
) -> Template | None:
    """Ask before a destructive action; None once the person has said yes.

    Call it first in the handler of the destructive post::

        if (asking := confirm(request, me, data, question="close_link_question", back=url)) is not None:
            return asking

    Without JavaScript the post answers a page that repeats the question (message ``question``
    with ``values``) and a form posting the same fields again (every value of a name posted
    several times) with ``confirmed=yes``; "no" goes
    ``back``. The page's script asks in place instead and sends ``confirmed=yes`` directly.
    """
    if str(data.get("confirmed") or "") == "yes":
        return None
    # a name posted several times (checkboxes) comes as a list: every value goes back, in order
    fields = [
        (name, str(value))
        for name, posted in data.items()
        if name not in ("_csrf_token", "confirmed")
        for value in (posted if isinstance(posted, list) else [posted])
    ]
    return render(
        request,
        "confirm.html",
        principal,
        fragment=fragment,
        question=question,
        question_values=values,
        details=list(details),
        action=action or request.url.path,
        fields=fields,
        back=back,
        button=button,
    )


# ---------------------------------------------------------------------------------------------
# Reading posted forms: every mistake names its field


def form_text(data: Mapping[str, Any], name: str, *, max_length: int = 200, required: bool = False) -> str:
    """A posted text field, trimmed; an error naming the field when too long or missing."""
    value = data.get(name)
    text = (value if isinstance(value, str) else "" if value is None else str(value)).strip()
    if required and not text:
        raise ImpactkitError("missing_field", [Problem("required", name, code="required")])
    if len(text) > max_length:
        raise ImpactkitError(
            "too_long", [Problem("too_long", name, code="too_long", details={"max": max_length})]
        )
    return text


def form_int(
    data: Mapping[str, Any], name: str, *, required: bool = False, minimum: int | None = None
) -> int | None:
    """A posted whole number (``1.200`` and ``1 200`` read as 1200); None when empty and not required."""
    text = form_text(data, name, max_length=30, required=required).replace(".", "").replace(" ", "")
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        raise ImpactkitError("not_a_number", [Problem("integer", name, code="integer")]) from None
    if minimum is not None and number < minimum:
        raise ImpactkitError(
            "too_small", [Problem("minimum", name, code="minimum", details={"min": minimum})]
        )
    return number


def form_decimal(
    data: Mapping[str, Any], name: str, language: str, *, required: bool = False
) -> float | None:
    """A posted number written as the page's language writes it (``1.200,50`` in Italian)."""
    from babel.numbers import NumberFormatError, parse_decimal

    text = form_text(data, name, max_length=40, required=required).replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    try:
        return float(parse_decimal(text, locale=Formats(language).locale, strict=True))
    except NumberFormatError:
        raise ImpactkitError("not_a_number", [Problem("number", name, code="number")]) from None


def form_date(data: Mapping[str, Any], name: str, *, required: bool = False) -> date | None:
    """A posted day (``2026-12-06`` from a date input, or ``6/12/2026`` typed)."""
    text = form_text(data, name, max_length=20, required=required)
    if not text:
        return None
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise ImpactkitError("not_a_date", [Problem("date", name, code="date")]) from None


_PYDANTIC_CODES = {
    "missing": "required",
    "string_too_short": "required",
    "string_too_long": "too_long",
    "int_parsing": "integer",
    "int_type": "integer",
    "int_from_float": "integer",
    "float_parsing": "number",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
    "greater_than_equal": "minimum",
    "greater_than": "minimum",
    "enum": "choice",
    "literal_error": "choice",
    "value_error": "invalid",
}


def validated(model: type[M], values: Mapping[str, Any]) -> M:
    """``values`` read by a pydantic ``model``; its mistakes become problems named by field.

    Empty texts are left out, so an optional field left blank takes its default.
    """
    try:
        return model.model_validate({k: v for k, v in values.items() if v not in ("", None)})
    except PydanticValidationError as exc:
        problems = []
        for item in exc.errors():
            where = ".".join(str(part) for part in item["loc"]) or "_"
            code = _PYDANTIC_CODES.get(item["type"], "invalid")
            message = str(item["msg"]).removeprefix("Value error, ")
            details = {k: v for k, v in (item.get("ctx") or {}).items() if isinstance(v, int | str)}
            if "min_length" in details or "ge" in details or "gt" in details:
                details["min"] = details.get("ge", details.get("gt", details.get("min_length", 0)))
            if "max_length" in details:
                details["max"] = details["max_length"]
            problems.append(Problem(message, where, code, details))
        raise ImpactkitError("invalid_form", problems) from None


def problem_text(problem: Problem, language: str) -> str:
    """A problem in the page's language: by the key it carries (``details["message_key"]``, see
    :mod:`impactkit.keyed_texts`), else by its code (``field_<code>``), else its message."""
    keyed = problem_in(problem, language, catalogue())
    if keyed is not None:
        return keyed
    key = f"field_{problem.code}"
    if not has_message(key):
        return problem.message
    values = {k: v for k, v in problem.details.items() if isinstance(v, int | str)}
    try:
        return translate(key, language, **values)
    except (KeyError, IndexError):
        return problem.message


def error_text(exc: ImpactkitError, language: str) -> str:
    """An error's headline in the page's language: its keyed text (:mod:`impactkit.keyed_texts`),
    else the catalogue's message when the error's message is a key, else its message."""
    if exc.keyed is not None:
        key = str(exc.keyed.get(MESSAGE_KEY, ""))
        if key in catalogue():
            try:
                return text_in(catalogue(), key, language, exc.keyed)
            except (KeyError, IndexError, ValueError):
                return exc.message
    return translate(exc.message, language) if has_message(exc.message) else exc.message


def field_errors(exc: ImpactkitError, language: str) -> dict[str, str]:
    """The problems of an error by field name, in the page's language where the catalogue knows them."""
    errors: dict[str, str] = {}
    for problem in exc.problems:
        errors.setdefault(problem.location or "_", problem_text(problem, language))
    return errors


# ---------------------------------------------------------------------------------------------
# Errors: every error page offers the way back


def _error(request: Request[Any, Any, Any], status: int, text: str, problems: Sequence[str] = ()) -> Template:
    return render(
        request,
        "error.html",
        None,
        status,
        fragment="_error_fragment.html",
        message=text,
        problems=list(problems),
        back=safe_back(request),
    )


def error_page(request: Request[Any, Any, Any], exc: ImpactkitError) -> Response[Any]:
    """An :class:`ImpactkitError` as a page: not found and forbidden in plain words, others with
    each problem (where and what)."""
    language = language_of(request)
    if isinstance(exc, NotFoundError):
        return _error(request, 404, translate("not_found", language))
    if isinstance(exc, PermissionDeniedError):
        return _error(request, 403, translate("forbidden", language))
    text = error_text(exc, language)
    problems = [
        f"{problem.location}: {problem_text(problem, language)}"
        if problem.location
        else problem_text(problem, language)
        for problem in exc.problems
    ]
    return _error(request, exc.status_code, text, problems)


def http_error_page(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Litestar's own errors on a page (a malformed path, a missing CSRF token, a wrong method)."""
    language = language_of(request)
    if isinstance(exc, NotFoundException):
        return _error(request, 404, translate("not_found", language))
    if isinstance(exc, PermissionDeniedException):
        return _error(request, 403, translate("page_expired_staff", language))
    if exc.status_code >= 500:
        return _error(request, 500, translate("server_error", language))
    return _error(request, exc.status_code, translate("bad_request", language))


def unexpected_error_page(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Anything else: logged with its traceback for the operator; the person gets a page with a way back."""
    log.exception("unexpected error on %s %s", request.method, loggable_path(request.scope), exc_info=exc)
    return _error(request, 500, translate("server_error", language_of(request)))


def sign_in_redirect(request: Request[Any, Any, Any], _: SignInRequired) -> Response[Any]:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/signin?{urlencode({'next': target}, safe='/')}", status_code=303)


EXCEPTION_HANDLERS: dict[int | type[Exception], Callable[[Request[Any, Any, Any], Any], Response[Any]]] = {
    SignInRequired: sign_in_redirect,
    ImpactkitError: error_page,
    HTTPException: http_error_page,
    Exception: unexpected_error_page,
}


def page_router(path: str, route_handlers: Sequence[Any]) -> Router:
    """A router of pages: HTML errors, sign-in redirects, ``me``, htmx requests, out of the OpenAPI."""
    return Router(
        path=path,
        route_handlers=list(route_handlers),
        exception_handlers=EXCEPTION_HANDLERS,
        dependencies={"me": Provide(provide_me, sync_to_thread=True)},
        request_class=CheckedRequest,  # an HTMXRequest that refuses text no database can store
        include_in_schema=False,
    )
