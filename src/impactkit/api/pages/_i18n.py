"""The message catalogue of the web pages, in Italian (the default) and English.

Messages live in :mod:`impactkit.api.pages.messages`, one module per persona (``common``,
``public``, ``respondent``, ``organisation``, ``evaluator``, ``funder``, ``admin`` …), each with a
``MESSAGES`` dict ``key → {"it": …, "en": …}``. Every module of that package is read once; a key
defined twice is an error at start-up, so two modules cannot silently disagree.

A text may count something: ``{"it": {"one": "{count} risposta", "other": "{count} risposte"}, …}``
is picked by the CLDR plural rule of ``count``. Numbers and dates given as values are written in the
page's language (``{count}`` of 1200 reads ``1.200`` in Italian).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any

from litestar.datastructures import Cookie

from impactkit.formats import LANGUAGES, Formats
from impactkit.settings import Settings

DEFAULT_LANGUAGE = "it"

FORM_LANGUAGE = {"it": "Italiano (it)", "en": "English (en)"}
"""Page language code → the language header the shipped forms use."""

Text = str | Mapping[str, str]
"""A message in one language: plain, or plural forms (``one``, ``other``) to pick by ``count``."""
Catalogue = Mapping[str, Mapping[str, Text]]


class CatalogueError(Exception):
    """Two message modules define the same key (raised when the catalogue is first read)."""


@cache
def catalogue() -> dict[str, Mapping[str, Text]]:
    """Every message of every module of :mod:`impactkit.api.pages.messages`, read once."""
    from impactkit.api.pages import messages

    merged: dict[str, Mapping[str, Text]] = {}
    origin: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(messages.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{messages.__name__}.{info.name}")
        entries: Catalogue = getattr(module, "MESSAGES", {})
        for key, texts in entries.items():
            if key in merged:
                raise CatalogueError(
                    f"message {key!r} is defined in messages/{origin[key]}.py and messages/{info.name}.py"
                )
            merged[key] = texts
            origin[key] = info.name
    return merged


def _written(value: Any, formats: Formats) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | date):
        return value
    if isinstance(value, date):
        return formats.date(value)
    return formats.number(value)


def translate(key: str, language: str, **values: Any) -> str:
    """The message ``key`` in ``language`` (Italian when missing), with ``{name}`` values filled.

    An unknown key reads as itself, so a missing message shows up on the page instead of failing it.
    """
    texts = catalogue().get(key)
    if texts is None:
        return key
    text = texts.get(language) or texts[DEFAULT_LANGUAGE]
    formats = Formats(language)
    if not isinstance(text, str):
        count = values.get("count", 0)
        text = text.get(formats.plural(count)) or text["other"]
    if not values:
        return text
    return text.format(**{name: _written(value, formats) for name, value in values.items()})


def has_message(key: str) -> bool:
    """True when ``key`` is in the catalogue (pages show only known keys from a query string)."""
    return key in catalogue()


def pick_language(query_value: str | None, cookie_value: str | None) -> str:
    """The page language: the ``lang`` query first, then the ``lang`` cookie, then Italian."""
    for candidate in (query_value, cookie_value):
        if candidate and candidate.lower() in LANGUAGES:
            return candidate.lower()
    return DEFAULT_LANGUAGE


def language_cookie(language: str, settings: Settings) -> Cookie:
    """The ``lang`` cookie that keeps a chosen language for a year."""
    return Cookie(
        key="lang",
        value=language,
        max_age=365 * 86400,
        path="/",
        samesite="lax",
        secure=settings.cookie_secure,
    )


__all__ = [
    "DEFAULT_LANGUAGE",
    "FORM_LANGUAGE",
    "LANGUAGES",
    "CatalogueError",
    "catalogue",
    "has_message",
    "language_cookie",
    "pick_language",
    "translate",
]
