"""The request class of the whole app: bodies holding text no database can store are refused.

Every JSON body and every posted form (URL-encoded or multipart) is read through
:class:`CheckedRequest`, which refuses a NUL character or a lone surrogate anywhere in it —
a field, an answer, a key, a file name — with a 422 naming each place (``body.answers.note``,
``label``), before any handler sees it. So the same input gets the same answer on SQLite and
PostgreSQL, whatever route it reaches. A route whose body holds many independent items (a batch
of responses) sets ``opt={UNSTORABLE_TEXT_PER_ITEM: True}``: its body is then read even with a
lone surrogate in it, and the route refuses the spoiled items one by one (each with its own
result), as :func:`impactkit.store.checking.parse_item` does.

Addresses (path and query string) are checked by :func:`refuse_nul_in_address`, a middleware:
a percent-encoded NUL there is refused the same way (other invalid bytes decode to U+FFFD).

Any one text longer than :data:`~impactkit.text.MAX_TEXT` characters is refused alike (a field
may allow fewer: its own rule then names it).

The class extends litestar-htmx's ``HTMXRequest``, so the pages keep ``request.htmx``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, unquote

from litestar.datastructures import FormMultiDict, UploadFile
from litestar.enums import ScopeType
from litestar.exceptions import SerializationException
from litestar.serialization import decode_json
from litestar.types import ASGIApp, Empty, Receive, Scope, Send
from litestar_htmx.request import HTMXRequest

from impactkit.errors import Problem, UnstorableTextError
from impactkit.text import CODE, MAX_TEXT, shown, text_problem, unstorable_text

UNSTORABLE_TEXT_PER_ITEM = "unstorable_text_per_item"
"""Route ``opt`` key: the route checks the items of its body for unstorable text itself."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _may_hold_unstorable(body: bytes) -> bool:
    """Cheap test of a JSON body: NUL and surrogates can only be written as ``\\u`` escapes."""
    return b"\\u0000" in body or b"\\ud" in body or b"\\uD" in body


def _refusal(problems: list[Problem], what: str) -> UnstorableTextError:
    where = ", ".join(problem.location for problem in problems[:5])
    return UnstorableTextError(f"{what} holds text that cannot be stored, at {where}", problems)


class CheckedRequest(HTMXRequest):
    """A request whose JSON and form bodies never hold text a database cannot store."""

    __slots__ = ("_form_checked",)

    def __init__(self, scope: Scope, *args: Any, **kwargs: Any) -> None:
        super().__init__(scope, *args, **kwargs)
        self._form_checked = False

    def _per_item(self) -> bool:
        return bool(self.route_handler.opt.get(UNSTORABLE_TEXT_PER_ITEM))

    async def json(self) -> Any:
        if self._json is Empty and self._connection_state.json is Empty:
            body = await self.body()
            decoders = self.route_handler.resolve_type_decoders()
            try:
                value = decode_json(body or b"null", type_decoders=decoders)
            except SerializationException as exc:
                # msgspec refuses a lone surrogate without saying where (its message may even be
                # "Input data was truncated"); the standard decoder reads it, so that the place
                # can be named
                if b"\\ud" not in body and b"\\uD" not in body:
                    raise
                try:
                    value = json.loads(body, parse_constant=_refuse_constant)
                except (ValueError, RecursionError):
                    raise exc from None
            # a string longer than MAX_TEXT needs a body longer than that
            if (_may_hold_unstorable(body) or len(body) > MAX_TEXT) and not self._per_item():
                problems = unstorable_text(value, "body", max_length=MAX_TEXT)
                if problems:
                    raise _refusal(problems, "the request body")
            self._json = self._connection_state.json = value
        return await super().json()

    async def form(self) -> FormMultiDict:
        form = await super().form()
        if not self._form_checked and not self._per_item():
            self._form_checked = True
            problems: list[Problem] = []
            for name, value in form.multi_items():
                found = text_problem(name)
                if found is not None:
                    problems.append(Problem(f"a field name {found}", shown(name), CODE))
                if isinstance(value, str):
                    found = text_problem(value, MAX_TEXT)
                    if found is not None:
                        problems.append(Problem(found, shown(name), CODE))
                elif isinstance(value, UploadFile) and value.filename:
                    found = text_problem(value.filename)
                    if found is not None:
                        problems.append(Problem(f"the file name {found}", shown(name), CODE))
            if problems:
                raise _refusal(problems, "the form")
        return form


def upload_filename(
    upload: UploadFile, field: str = "file", *, default: str = "", max_length: int = 300
) -> str:
    """The name a client gave an uploaded file, or a 422 naming ``field`` when no database can
    store it (a NUL, a lone surrogate) or it is longer than ``max_length``.

    Litestar reads a ``MultipartBody`` parameter without :meth:`CheckedRequest.form`, so every
    route that keeps or shows an upload's name reads it through here.
    """
    name = upload.filename or default
    found = text_problem(name, max_length)
    if found is not None:
        raise UnstorableTextError(f"the file name {found}", [Problem(f"the file name {found}", field, CODE)])
    return name


def _address_problems(scope: Scope) -> list[Problem]:
    problems: list[Problem] = []
    if "\x00" in scope.get("path", ""):
        problems.append(Problem("contains a NUL character (U+0000), which cannot be stored", "path", CODE))
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            for text, what in ((unquote(name), "the name"), (value, "")):
                if "\x00" in text:
                    message = "contains a NUL character (U+0000), which cannot be stored"
                    problems.append(
                        Problem(f"{what} {message}".strip(), f"query.{shown(unquote(name))}", CODE)
                    )
        if not problems:
            problems.append(Problem("contains a NUL character (U+0000)", "query", CODE))
    return problems


def refuse_nul_in_address(app: ASGIApp) -> ASGIApp:
    """Middleware: a NUL character in the path or the query string is a 422 naming where."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            query: bytes = scope.get("query_string", b"")
            if "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query:
                problems = _address_problems(scope)
                if problems:
                    raise _refusal(problems, "the address")
        await app(scope, receive, send)

    return middleware


__all__ = ["UNSTORABLE_TEXT_PER_ITEM", "CheckedRequest", "refuse_nul_in_address", "upload_filename"]
