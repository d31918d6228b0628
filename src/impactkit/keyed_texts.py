"""Texts the core writes for people (form problems, checklist details), kept by key in Italian and
English, so that a page, a workbook or a document shows them in its reader's language.

A keyed text is a key of a catalogue (``{key: {"it": template, "en": template}}``) and the values
its ``{name}`` placeholders take. A :class:`~impactkit.errors.Problem` made by
:func:`keyed_problem` keeps its English message (what the API and the CLI show) and carries the
key and the values in ``details`` (``details["message_key"]``), so that any reader can write it
again in Italian with :func:`problem_in`. A value may itself be a keyed text (a dict with a
``message_key``), written in the same language first: an expression error inside a form problem;
or text already written in both languages (``{"it": …, "en": …}``, a report section's title).

>>> texts = {"row_problem": {"it": "La riga {row} è vuota", "en": "row {row} is empty"}}
>>> problem = keyed_problem(texts, "row_problem", "survey!A1200", code="empty_row", row=1200)
>>> problem.message, problem.code, problem.details["message_key"]
('row 1200 is empty', 'empty_row', 'row_problem')
>>> problem_in(problem, "it", texts)
'La riga 1.200 è vuota'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from impactkit.errors import Problem
from impactkit.formats import Formats

Catalogue = Mapping[str, Mapping[str, Any]]
"""``key → {"it": template, "en": template}``; a template may be plural forms
(``{"one": …, "other": …}``) picked by the value ``count``, as in the pages' catalogue."""

MESSAGE_KEY = "message_key"
"""The entry of a problem's ``details`` (or of a nested value) that names its text."""


def keyed(key: str, **values: Any) -> dict[str, Any]:
    """A keyed text as plain data: ``{"message_key": key, **values}`` (a value of another text)."""
    return {MESSAGE_KEY: key, **values}


def _plain(value: Any, texts: Catalogue) -> Any:
    if isinstance(value, Mapping) and MESSAGE_KEY in value:
        return text_in(texts, str(value[MESSAGE_KEY]), "en", value, plain=True)
    if isinstance(value, Mapping) and "en" in value:
        return value["en"]
    return value


def _written(value: Any, texts: Catalogue, formats: Formats) -> Any:
    if isinstance(value, Mapping) and MESSAGE_KEY in value:
        return text_in(texts, str(value[MESSAGE_KEY]), formats.language, value)
    if isinstance(value, Mapping) and formats.language in value:
        return value[formats.language]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return formats.number(value)


def text_in(
    texts: Catalogue, key: str, language: str, values: Mapping[str, Any] | None = None, *, plain: bool = False
) -> str:
    """The text ``key`` of ``texts`` in ``language`` (Italian when missing), its values filled.

    Numbers are written in the language (``1.200`` in Italian) unless ``plain`` (the English
    message of a problem keeps them as Python writes them). Raises KeyError for an unknown key.
    """
    entry = texts[key]
    template = entry.get(language) or entry["it"]
    values = {name: value for name, value in (values or {}).items() if name != MESSAGE_KEY}
    if not isinstance(template, str):  # plural forms, picked by the CLDR rule of ``count``
        template = template.get(Formats(language).plural(values.get("count", 0))) or template["other"]
    if plain:
        filled = {name: _plain(value, texts) for name, value in values.items()}
    else:
        formats = Formats(language)
        filled = {name: _written(value, texts, formats) for name, value in values.items()}
    return str(template.format(**filled))


def keyed_problem(texts: Catalogue, key: str, location: str = "", *, code: str, **values: Any) -> Problem:
    """A problem whose message is the English text ``key`` and whose details carry the key and
    values (a keyed problem), so that a reader may write it in another language."""
    return Problem(text_in(texts, key, "en", values, plain=True), location, code, keyed(key, **values))


def problem_in(problem: Problem, language: str, texts: Catalogue) -> str | None:
    """A keyed problem's text in ``language``; None when the problem is not keyed or ``texts``
    does not know its key (the caller then shows the message as it is)."""
    key = problem.details.get(MESSAGE_KEY)
    if not isinstance(key, str) or key not in texts:
        return None
    try:
        return text_in(texts, key, language, problem.details)
    except (KeyError, IndexError, ValueError):
        return None


__all__ = ["MESSAGE_KEY", "Catalogue", "keyed", "keyed_problem", "problem_in", "text_in"]
