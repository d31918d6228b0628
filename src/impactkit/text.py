"""Text every database can store: one rule for every door, so SQLite and PostgreSQL agree.

PostgreSQL cannot store a NUL character (U+0000) in text or JSON, and no database can store a
lone surrogate (U+D800–U+DFFF outside a pair): it is not Unicode, so it has no UTF-8 form.
SQLite would store the first and fail on the second, so the two engines answered the same input
differently (a 201 on one, a 500 on the other). Every text that enters impactkit — a request's
fields and answers, a form's cells, an imported file's values — is checked here first and
refused with a problem naming where it is.

    >>> text_problem("Bussoleno")
    >>> text_problem("a\\x00b")
    'contains a NUL character (U+0000), which cannot be stored'
    >>> text_problem("x" * 5, max_length=4)
    'is 5 characters long; at most 4'
    >>> [str(p) for p in unstorable_text({"answers": {"note": "\\ud800"}}, "body")]
    ['body.answers.note: contains a lone surrogate (U+D800), which is not valid Unicode']
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from impactkit.errors import Problem, UnstorableTextError

MAX_TEXT = 100_000
"""Characters in any one text of a request at most (an answer, a report section, a name…), unless
its field allows fewer: bounds what one value costs to store, index, export and show."""

MAX_PROBLEMS = 20
"""At most this many places are named in one refusal (a hostile body may have thousands)."""

CODE = "unstorable_text"


def text_problem(value: str, max_length: int | None = None) -> str | None:
    """What is wrong with ``value`` as stored text, or None when it can be stored.

    Args:
        max_length: most characters allowed (None: no limit here).
    """
    if "\x00" in value:
        return "contains a NUL character (U+0000), which cannot be stored"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return f"contains a lone surrogate (U+{ord(value[exc.start]):04X}), which is not valid Unicode"
    if max_length is not None and len(value) > max_length:
        return f"is {len(value):,} characters long; at most {max_length:,}".replace(",", "\u202f")
    return None


def shown(text: str, limit: int = 60) -> str:
    """``text`` safe to show in a message or a location: NUL and lone surrogates written as
    escapes, and cut at ``limit`` characters.

    >>> print(shown("a" + chr(0) + "b" + chr(0xD800)))
    a\\x00b\\ud800
    """
    safe = text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


def _places(data: Any, location: str) -> Iterator[tuple[str, str]]:
    """Every string in JSON-like ``data`` (keys too) with its location, depth first, no recursion."""
    stack: list[tuple[Any, str]] = [(data, location)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            yield value, where
        elif isinstance(value, dict):
            items = list(value.items())
            for key, item in reversed(items):
                key_text = shown(str(key))
                inner = f"{where}.{key_text}" if where else key_text
                if isinstance(key, str):
                    yield key, f"{inner} (the name)"
                stack.append((item, inner))
        elif isinstance(value, list | tuple):
            for index in range(len(value) - 1, -1, -1):
                stack.append((value[index], f"{where}[{index}]"))


def unstorable_text(
    data: Any, location: str = "", *, max_length: int | None = None, limit: int = MAX_PROBLEMS
) -> list[Problem]:
    """A problem for each string in ``data`` (nested dicts, lists, keys) that cannot be stored:
    a NUL character, a lone surrogate, or (with ``max_length``) more characters than that.
    At most ``limit`` problems are returned.
    """
    problems: list[Problem] = []
    for value, where in _places(data, location):
        if "\x00" in value or not value.isascii() or (max_length is not None and len(value) > max_length):
            found = text_problem(value, max_length)
            if found is not None:
                problems.append(Problem(found, where.replace(" (the name)", ""), CODE))
                if len(problems) >= limit:
                    break
    return problems


def check_text(value: str, location: str, *, max_length: int | None = None) -> str:
    """``value`` when it can be stored; else :class:`UnstorableTextError` naming ``location``."""
    found = text_problem(value, max_length)
    if found is not None:
        raise UnstorableTextError(f"{location} {found}", [Problem(found, location, CODE)])
    return value


def check_storable(data: Any, location: str = "", *, what: str = "the input") -> None:
    """Raise :class:`UnstorableTextError` naming every string in ``data`` that cannot be stored."""
    problems = unstorable_text(data, location)
    if problems:
        where = ", ".join(problem.location or "(top)" for problem in problems[:5])
        raise UnstorableTextError(f"{what} holds text that cannot be stored, at {where}", problems)


def storable_str(value: str) -> str:
    """A pydantic ``AfterValidator`` for text fields: NUL and lone surrogates refused.

    >>> from typing import Annotated
    >>> from pydantic import AfterValidator, BaseModel
    >>> class Note(BaseModel):
    ...     text: Annotated[str, AfterValidator(storable_str)]
    >>> Note(text="ok").text
    'ok'
    """
    found = text_problem(value)
    if found is not None:
        raise ValueError(found)
    return value


__all__ = [
    "CODE",
    "MAX_TEXT",
    "UnstorableTextError",
    "check_storable",
    "check_text",
    "shown",
    "storable_str",
    "text_problem",
    "unstorable_text",
]
