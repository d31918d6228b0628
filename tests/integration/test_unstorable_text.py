"""Text no database can store, in every text field of every API request: a 422 naming the field.

Every route of the access table that takes a JSON body is called with a valid body (the table's
own, as a role the route allows), then again once per text value in that body with the value
spoiled four ways: a NUL character (PostgreSQL cannot store it), a lone surrogate (no database
can: it is not Unicode), 300,000 characters (more than any text may hold) and 1,001 characters
(more than most columns hold). The first three must be refused with a 422 whose problems name
that field; the fourth may be taken or refused (a changed name can break a reference elsewhere),
but SQLite and PostgreSQL must give the very same answer to each spoiled call (compared when both
run in one session). None may be a server error. Batches answer per item (tested in test_hostile and
the surveys tests); posted forms and addresses are checked at the end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer
from tests.integration.test_access_matrix import CASES, Case, Ctx, _prepare

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

LONG = 300_000
PREFERRED_ROLES = ["admin", "owner_a", "editor_a", "funder_a", "evaluator"]
SPOILERS = {
    "NUL": lambda text: text[:1] + "\x00" + text[1:],
    "lone surrogate": lambda text: text + "\ud800",
    "over-long": lambda text: (text or "x") * (LONG // max(1, len(text)) + 1),
    "1,001 characters": lambda text: ((text or "x") * 1001)[:1001],
}
ONLY_COMPARED = {"1,001 characters"}
"""Spoilers a field may take, or a route refuse for another reason first: then the answer must
only be no server error, and the same on both databases."""
ANSWERS: dict[str, dict[str, int]] = {}
"""Database -> "route field spoiler" -> status, to compare the two databases."""


def _texts(value: Any, where: str) -> Iterator[tuple[str, list[Any]]]:
    """Each string value in ``value`` with its location and its path of keys and indexes."""
    stack: list[tuple[Any, str, list[Any]]] = [(value, where, [])]
    while stack:
        item, location, path = stack.pop()
        if isinstance(item, str):
            yield location, path
        elif isinstance(item, dict):
            for key, inner in item.items():
                stack.append((inner, f"{location}.{key}", [*path, key]))
        elif isinstance(item, list):
            for index, inner in enumerate(item):
                stack.append((inner, f"{location}[{index}]", [*path, index]))


def _spoiled(body: Any, path: list[Any], spoil: Any) -> bytes:
    copy = json.loads(json.dumps(body))
    holder = copy
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = spoil(holder[path[-1]])
    return json.dumps(copy, ensure_ascii=True).encode("ascii")  # a surrogate travels as \ud800


def _role(case: Case) -> str:
    return next((role for role in PREFERRED_ROLES if role in case.allowed), sorted(case.allowed)[0])


def _plain(location: str) -> str:
    """A location without ``body.``, a label in brackets, or the index or id of a list item
    (``outcomes[0].drop_off (Into stable work)`` and ``outcomes[2].drop_off`` both read
    ``outcomes[].drop_off``)."""
    return re.sub(r"\[[^\]]*\]", "[]", re.sub(r" \(.*?\)", "", location)).removeprefix("body.")


def _named(response: httpx.Response, location: str) -> bool:
    try:
        problem = response.json()
    except ValueError:
        return False
    spoiled = _plain(location)
    for error in problem.get("errors", []):
        named = _plain(str(error.get("location") or ""))
        # the field itself, the list it is an item of, or the field inside a nested document
        if named and (spoiled == named or spoiled.startswith(named + "[") or spoiled.endswith("." + named)):
            return True
    return False


def _json_cases() -> list[Case]:
    return [
        case
        for case in CASES
        if case.body is not None
        and case.method in ("POST", "PUT", "PATCH")
        and not case.route.endswith("/batch")
    ]


def test_every_text_field_of_every_request_refuses_what_no_database_can_store(
    live_server: LiveServer,
) -> None:
    ctx: Ctx = _prepare(live_server)
    database = live_server.engine.dialect.name
    answers = ANSWERS.setdefault(database, {})
    wrong: list[str] = []
    checked = 0
    for case in _json_cases():
        role = _role(case)
        client = live_server.client(ctx.world.tokens.get(role))
        body = case.body(ctx, role) if case.body else None
        for location, path in _texts(body, "body"):
            for what, spoil in SPOILERS.items():
                fresh = case.body(ctx, role) if case.body else None  # e.g. a new instance id each time
                content = _spoiled(fresh, path, spoil)
                answer = client.request(
                    case.method,
                    case.path(ctx, role),
                    content=content,
                    headers={"content-type": "application/json"},
                )
                checked += 1
                answers[f"{case.method} {case.route} {location} ({what})"] = answer.status_code
                if what in ONLY_COMPARED and answer.status_code < 500:
                    continue
                if answer.status_code != 422 or not _named(answer, location):
                    wrong.append(
                        f"{case.method} {case.route} {location} ({what}): "
                        f"{answer.status_code} {answer.text[:700]}"
                    )
    print(f"\nunstorable text: {checked} spoiled requests over {len(_json_cases())} routes on {database}")
    if len(ANSWERS) == 2:
        sqlite, postgresql = ANSWERS["sqlite"], ANSWERS["postgresql"]
        for key in sorted(sqlite.keys() & postgresql.keys()):
            if sqlite[key] != postgresql[key]:
                wrong.append(f"{key}: SQLite {sqlite[key]}, PostgreSQL {postgresql[key]}")
    assert not wrong, "\n".join(wrong)
