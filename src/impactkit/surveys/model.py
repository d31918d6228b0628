"""The form model: a survey as a tree of fields, groups and repeats, plus its choice lists.

Forms are stored as JSON (``form.model_dump_json()``) and read back exactly
(``Form.model_validate_json``). Expressions are kept as text; their parsed form is cached
by text in :func:`compiled`, never serialised.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator
from pydantic import Field as ModelField

from impactkit.errors import Problem
from impactkit.surveys.expressions import Expression, parse_expression

DEFAULT_LANGUAGE = "default"
"""Key of a label written in a column without a language (``label`` rather than ``label::it``)."""

Translations = dict[str, str]
"""Language name (as written after ``::``, or ``default``) -> text."""

QUESTION_TYPES = frozenset(
    {
        "text",
        "integer",
        "decimal",
        "select_one",
        "select_multiple",
        "select_one_from_file",
        "select_multiple_from_file",
        "rank",
        "date",
        "datetime",
        "time",
        "note",
        "calculate",
        "range",
        "acknowledge",
        "geopoint",
        "geotrace",
        "geoshape",
        "image",
        "audio",
        "video",
        "file",
        "barcode",
        "hidden",
        # metadata filled by the collecting device
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
    }
)
"""Canonical question types impactkit understands (aliases are resolved at import)."""

SELECT_TYPES = frozenset({"select_one", "select_multiple", "rank"})
FILE_SELECT_TYPES = frozenset({"select_one_from_file", "select_multiple_from_file"})
MULTIPLE_TYPES = frozenset({"select_multiple", "select_multiple_from_file", "rank"})
METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
    }
)
NO_ANSWER_TYPES = frozenset({"note"})
"""Types that never carry an answer from the respondent."""

_LANGUAGE_CODE = re.compile(r"\(([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\)\s*$")


def language_code(language: str) -> str | None:
    """The code in a language header such as ``Italiano (it)`` -> ``it``; None if absent."""
    match = _LANGUAGE_CODE.search(language)
    return match[1].lower() if match else None


def pick_translation(
    texts: Translations, language: str | None, default_language: str | None = None
) -> str | None:
    """The text in ``language`` (a name like ``Italiano (it)`` or a code like ``it``).

    Falls back to the form's default language, then the language-less column, then the
    first text written.
    """
    if not texts:
        return None
    if language is not None:
        if language in texts:
            return texts[language]
        wanted = language.strip().lower()
        for name, text in texts.items():
            if name.lower() == wanted or language_code(name) == wanted:
                return text
    for fallback in (default_language, DEFAULT_LANGUAGE):
        if fallback is not None and fallback in texts:
            return texts[fallback]
    return next(iter(texts.values()))


@lru_cache(maxsize=20_000)
def compiled(text: str) -> Expression:
    """The parsed expression for ``text``, parsed once per process (raises ExpressionError)."""
    return parse_expression(text)


@lru_cache(maxsize=2_000)
def compiled_predicate(text: str) -> Expression:
    """``text`` parsed as the inside of a predicate (see ``parse_expression``), once per process."""
    return parse_expression(text, predicate=True)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Choice(_Model):
    """One choice of a list: its name (stored in answers), labels, and filter columns."""

    name: str
    label: Translations = ModelField(default_factory=dict)
    columns: dict[str, str] = ModelField(default_factory=dict)
    """Other columns of the choices sheet (read by ``choice_filter``, e.g. ``district``)."""


class Field(_Model):
    """A question (or calculate, note, metadata) that may hold an answer."""

    kind: Literal["field"] = "field"
    name: str
    type: str
    """Canonical type, e.g. ``integer``, ``select_one``, ``calculate`` (see QUESTION_TYPES)."""
    list_name: str | None = None
    """The choice list of a select (or the file name of select_*_from_file)."""
    choices_from: str | None = None
    """``select_one ${name}``: the field (inside a repeat) whose answers are the choices."""
    or_other: bool = False
    """``select_one LIST or_other``: the choice ``other`` is allowed too (its text goes in
    the generated field ``<name>_other``)."""
    label: Translations = ModelField(default_factory=dict)
    hint: Translations = ModelField(default_factory=dict)
    required: str | None = None
    """Expression text; ``true()`` for ``yes``; None when not required."""
    required_message: Translations = ModelField(default_factory=dict)
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Translations = ModelField(default_factory=dict)
    calculation: str | None = None
    default: str | None = None
    choice_filter: str | None = None
    read_only: str | None = None
    appearance: str | None = None
    parameters: dict[str, str] = ModelField(default_factory=dict)
    row: int | None = None
    """Row of the survey sheet it came from (1-based, as Excel shows it)."""


class Group(_Model):
    """A group of questions: transparent in answers (its children sit beside its siblings)."""

    kind: Literal["group"] = "group"
    name: str
    label: Translations = ModelField(default_factory=dict)
    relevant: str | None = None
    appearance: str | None = None
    children: list[Element] = ModelField(default_factory=list)
    row: int | None = None


class Repeat(_Model):
    """A repeated group: its answer is a list of dicts, one per instance."""

    kind: Literal["repeat"] = "repeat"
    name: str
    label: Translations = ModelField(default_factory=dict)
    relevant: str | None = None
    appearance: str | None = None
    repeat_count: str | None = None
    """Expression giving the number of instances, if the form fixes it."""
    loop_over: str | None = None
    """For ``begin loop over LIST``: one instance per choice of that list."""
    children: list[Element] = ModelField(default_factory=list)
    row: int | None = None


Element = Annotated[Field | Group | Repeat, Discriminator("kind")]


class Form(_Model):
    """One version of a survey form.

    Attributes:
        form_id: the form's id (settings ``form_id``/``id_string``, else the file name).
        version: the version string; a published version never changes.
        title: the form title (settings ``form_title``, else the form id).
        default_language: settings ``default_language``, if set.
        languages: the label languages, in the order their columns appear.
        settings: every other settings cell, as text.
        children: the survey tree.
        choices: list name -> choices, in sheet order.
        warnings: notes from the import that did not stop it (e.g. a derived version).
    """

    form_id: str
    version: str
    title: str
    default_language: str | None = None
    languages: list[str] = ModelField(default_factory=list)
    settings: dict[str, str] = ModelField(default_factory=dict)
    children: list[Element] = ModelField(default_factory=list)
    choices: dict[str, list[Choice]] = ModelField(default_factory=dict)
    warnings: list[str] = ModelField(default_factory=list)

    def walk(self) -> Iterator[tuple[Field | Group | Repeat, tuple[Repeat, ...]]]:
        """Every element in form order, with the repeats that enclose it (outermost first)."""

        def visit(
            elements: list[Field | Group | Repeat], repeats: tuple[Repeat, ...]
        ) -> Iterator[tuple[Field | Group | Repeat, tuple[Repeat, ...]]]:
            for element in elements:
                yield element, repeats
                if isinstance(element, Repeat):
                    yield from visit(element.children, (*repeats, element))
                elif isinstance(element, Group):
                    yield from visit(element.children, repeats)

        return visit(list(self.children), ())

    def fields(self) -> Iterator[Field]:
        """Every field in form order (inside groups and repeats too)."""
        for element, _ in self.walk():
            if isinstance(element, Field):
                yield element

    def field_types(self) -> dict[str, str]:
        """Field key -> canonical type, for every field and repeat (repeats are ``repeat``).

        The key is the name, prefixed by the enclosing repeats inside repeats
        (``household/age``), since a name is unique only within its repeat.
        """
        types: dict[str, str] = {}
        for element, repeats in self.walk():
            key = "/".join([*(r.name for r in repeats), element.name])
            if isinstance(element, Field):
                types[key] = element.type
            elif isinstance(element, Repeat):
                types[key] = "repeat"
        return types

    def element(self, name: str) -> Field | Group | Repeat | None:
        """The field, group or repeat called ``name``, or None."""
        for element, _ in self.walk():
            if element.name == name:
                return element
        return None

    def choice_label(self, list_name: str, choice: str, language: str | None = None) -> str | None:
        """The label of ``choice`` in ``list_name`` in ``language``; None if unknown."""
        for item in self.choices.get(list_name, []):
            if item.name == choice:
                return pick_translation(item.label, language, self.default_language)
        return None

    def choices_of(self, field: Field) -> list[Choice]:
        """The choices a select field offers (with ``other`` when it is ``or_other``)."""
        items = list(self.choices.get(field.list_name or "", []))
        if field.or_other and not any(item.name == "other" for item in items):
            items.append(Choice(name="other", label={DEFAULT_LANGUAGE: "Other"}))
        return items


def check_new_version(old: Form, new: Form) -> list[Problem]:
    """What makes ``new`` unacceptable as the next version of ``old`` (empty list: fine).

    A new version must keep the form id, must have a different version string, and may not
    change the type of a field that both versions have (answers already stored would no
    longer mean the same thing). Removing or adding fields is allowed.
    """
    problems: list[Problem] = []
    if old.form_id != new.form_id:
        problems.append(
            Problem(
                f"form id {new.form_id!r} differs from {old.form_id!r}",
                location="settings.form_id",
                code="form_id_changed",
            )
        )
    if old.version == new.version:
        problems.append(
            Problem(
                f"version {new.version!r} is already published; give the new version a new version string",
                location="settings.version",
                code="version_exists",
            )
        )
    old_types = old.field_types()
    for name, new_type in new.field_types().items():
        old_type = old_types.get(name)
        if old_type is not None and old_type != new_type:
            problems.append(
                Problem(
                    f"field {name!r} changes type from {old_type} to {new_type}; a new version "
                    "may not change an existing field's type (use a new name)",
                    location=f"survey.{name}",
                    code="field_type_changed",
                    details={"old_type": old_type, "new_type": new_type},
                )
            )
    return problems


Group.model_rebuild()
Repeat.model_rebuild()
Form.model_rebuild()

__all__ = [
    "DEFAULT_LANGUAGE",
    "QUESTION_TYPES",
    "Choice",
    "Element",
    "Field",
    "Form",
    "Group",
    "Repeat",
    "check_new_version",
    "compiled",
    "language_code",
    "pick_translation",
]
