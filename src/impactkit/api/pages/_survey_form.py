"""What the respondent page shows: questions of a form in one language, their state, and answers read back.

The server is the judge of relevance and constraints (:func:`impactkit.surveys.validation.evaluate_form`).
For the page's few lines of JavaScript, simple relevance rules (conjunctions of ``${x} = 'v'``,
``${x} != 'v'``, ``selected(${x}, 'v')``, numeric comparisons) are also given as data; any other
rule is left to the server, which shows the question on the next step.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from impactkit.api.pages._i18n import FORM_LANGUAGE, translate
from impactkit.surveys.model import MULTIPLE_TYPES, Field, Form, Group, Repeat, pick_translation
from impactkit.surveys.validation import FormState, evaluate_form

SKIPPED_TYPES = frozenset(
    {
        "calculate",
        "hidden",
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
"""Types the respondent never sees (computed by the server or filled by a device)."""

_EQUALS = re.compile(r"^\$\{([\w.-]+)\}\s*(=|!=)\s*'([^']*)'$")
_NUMBER = re.compile(r"^\$\{([\w.-]+)\}\s*(>=|<=|>|<|=|!=)\s*(-?\d+(?:\.\d+)?)$")
_SELECTED = re.compile(r"^(not\s*\(\s*)?selected\(\s*\$\{([\w.-]+)\}\s*,\s*'([^']*)'\s*\)(\s*\))?$")


def _strip_parentheses(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    quoted = False
    for char in text:
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _split_and(text: str) -> list[str]:
    terms: list[str] = []
    depth = 0
    quoted = False
    start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and text.startswith(" and ", index):
            terms.append(text[start:index])
            start = index + 5
            index += 4
        index += 1
    terms.append(text[start:])
    return terms


def client_rule(expressions: list[str]) -> list[list[str]] | None:
    """Relevance rules as data for the page's script: ``[[field, op, value], ...]`` all to hold.

    None when any rule is beyond the simple forms (the server then decides on submit).

    >>> client_rule(["${consent} = 'yes'", "(${employment_status} = 'unemployed')"])
    [['consent', '=', 'yes'], ['employment_status', '=', 'unemployed']]
    """
    terms: list[list[str]] = []
    for expression in expressions:
        for raw in _split_and(_strip_parentheses(expression)):
            term = _strip_parentheses(raw)
            if " or " in term or "${" not in term:
                return None
            if match := _EQUALS.match(term):
                terms.append([match[1], match[2], match[3]])
            elif match := _NUMBER.match(term):
                terms.append([match[1], "n" + match[2], match[3]])
            elif match := _SELECTED.match(term):
                if bool(match[1]) != bool(match[4]):
                    return None
                terms.append([match[2], "nsel" if match[1] else "sel", match[3]])
            else:
                return None
    return terms


@dataclass
class Option:
    name: str
    label: str
    checked: bool = False


@dataclass
class Question:
    """One element of the page: a question, a note, or the start/end of a group."""

    name: str
    kind: str
    """text | multiline | integer | decimal | date | time | one | many | acknowledge | note |
    group_start | group_end"""
    label: str = ""
    hint: str = ""
    options: list[Option] = field(default_factory=list)
    value: str = ""
    required: bool = False
    visible: bool = True
    rule: str | None = None
    """JSON of the client rule, or None when the server alone decides."""
    error: str | None = None

    @property
    def described_by(self) -> str:
        """Ids of the hint and error that describe the input (for ``aria-describedby``)."""
        return " ".join(
            part
            for part, present in ((f"h-{self.name}", self.hint), (f"e-{self.name}", self.error))
            if present
        )


def _input_kind(item: Field) -> str:
    if item.type in ("select_one", "select_one_from_file"):
        return "one"
    if item.type in MULTIPLE_TYPES:
        return "many"
    if item.type == "text" and item.appearance and "multiline" in item.appearance:
        return "multiline"
    if item.type in ("integer", "decimal", "date", "time", "acknowledge", "note", "range"):
        return "integer" if item.type == "range" else item.type
    return "text"


def answer_fields(form: Form) -> list[Field]:
    """The fields a respondent answers on the page (top level and in groups; repeats are left out)."""
    found: list[Field] = []

    def visit(elements: list[Field | Group | Repeat]) -> None:
        for element in elements:
            if isinstance(element, Field):
                if element.type not in SKIPPED_TYPES and element.type != "note":
                    found.append(element)
            elif isinstance(element, Group):
                visit(element.children)

    visit(list(form.children))
    return found


def read_answers(form: Form, posted: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers in a posted page, as text for the validator, and the raw text per field.

    Empty inputs are left out; a select_multiple gives the list of its ticked choices.
    """
    answers: dict[str, Any] = {}
    raw: dict[str, str] = {}
    for item in answer_fields(form):
        value = posted.get(item.name)
        values = (
            [str(v) for v in value] if isinstance(value, list) else ([] if value is None else [str(value)])
        )
        values = [v for v in (v.strip() for v in values) if v]
        if not values:
            continue
        if item.type in MULTIPLE_TYPES:
            answers[item.name] = values
            raw[item.name] = " ".join(values)
        else:
            answers[item.name] = values[0]
            raw[item.name] = values[0]
    return answers, raw


def evaluate(form: Form, answers: Mapping[str, Any], language: str) -> FormState:
    """Every field's state for these answers, messages in the page language."""
    return evaluate_form(form, answers, language=FORM_LANGUAGE.get(language, language))


def plain_errors(form: Form, state: FormState, language: str) -> dict[str, str]:
    """Field name → the first problem with its answer, in plain words of the page language."""
    types = {item.name: item for item in form.fields()}
    errors: dict[str, str] = {}
    for problem in state.problems:
        location = problem.location or ""
        if not location.startswith("answers.") or "[" in location:
            continue
        name = location[len("answers.") :]
        if name in errors or name not in types:
            continue
        item = types[name]
        code = problem.code
        if code == "required":
            custom = (
                pick_translation(item.required_message, FORM_LANGUAGE[language])
                if item.required_message
                else None
            )
            errors[name] = custom or translate("required_error", language)
        elif code == "wrong_type":
            key = {"integer": "integer_error", "decimal": "decimal_error", "date": "date_error"}.get(
                item.type, "constraint_error"
            )
            errors[name] = translate(key, language)
        elif code == "constraint":
            custom = (
                pick_translation(item.constraint_message, FORM_LANGUAGE[language])
                if item.constraint_message
                else None
            )
            errors[name] = custom or translate("constraint_error", language)
        elif code in ("not_a_choice", "choice_filtered", "duplicate_choice"):
            errors[name] = translate("choice_error", language)
        else:
            errors[name] = problem.message
    return errors


def questions(
    form: Form,
    state: FormState,
    raw: Mapping[str, str],
    language: str,
    errors: Mapping[str, str],
) -> list[Question]:
    """The page's elements in form order, with values typed so far and errors next to fields."""
    form_language = FORM_LANGUAGE.get(language, language)
    relevant = {s.name: s.relevant for s in state.fields if "[" not in s.location}
    required = {s.name: s.required for s in state.fields if "[" not in s.location}
    page: list[Question] = []

    def text(translations: dict[str, str]) -> str:
        return pick_translation(translations, form_language, form.default_language) or ""

    def visit(elements: list[Field | Group | Repeat], inherited: list[str], group_visible: bool) -> None:
        for element in elements:
            own = [*inherited, *([element.relevant] if element.relevant else [])]
            if isinstance(element, Group):
                rule = client_rule(own)
                visible = group_visible and _group_visible(element, relevant)
                page.append(
                    Question(
                        name=element.name,
                        kind="group_start",
                        label=text(element.label),
                        visible=visible,
                        rule=json.dumps(rule) if rule else None,
                    )
                )
                visit(element.children, own, visible)
                page.append(Question(name=element.name, kind="group_end"))
                continue
            if isinstance(element, Repeat) or element.type in SKIPPED_TYPES:
                continue
            kind = _input_kind(element)
            rule = client_rule(own)
            value = raw.get(element.name, "")
            chosen = set(value.split()) if kind == "many" else {value}
            options = [
                Option(choice.name, text(choice.label) or choice.name, choice.name in chosen)
                for choice in (form.choices_of(element) if kind in ("one", "many") else [])
            ]
            page.append(
                Question(
                    name=element.name,
                    kind=kind,
                    label=text(element.label) or element.name,
                    hint=text(element.hint),
                    options=options,
                    value=value,
                    required=required.get(element.name, element.required is not None),
                    visible=relevant.get(element.name, True),
                    rule=json.dumps(rule) if rule else None,
                    error=errors.get(element.name),
                )
            )

    visit(list(form.children), [], True)
    return page


def _group_visible(group: Group, relevant: Mapping[str, bool]) -> bool:
    names = [e.name for e in group.children if isinstance(e, Field)]
    return any(relevant.get(name, False) for name in names) if names else True


def visible_names(state: FormState, form: Form) -> list[str]:
    """Answerable fields that are relevant now (what a no-JavaScript page shows)."""
    wanted = {item.name for item in answer_fields(form)}
    return [s.name for s in state.fields if s.relevant and s.name in wanted and "[" not in s.location]
