"""What the respondent page shows: questions of a form in one language, their state, and answers read back.

The server is the judge of relevance and constraints (:func:`impactkit.surveys.validation.evaluate_form`).
For the page's few lines of JavaScript, simple relevance rules (conjunctions of ``${x} = 'v'``,
``${x} != 'v'``, ``selected(${x}, 'v')``, numeric comparisons) are also given as data; any other
rule is left to the server, which shows the question on the next step.

Inputs are named by their place in the answers: ``age``, ``household/0/age``,
``household/0/visit/1/cost`` (``/`` cannot occur in a field name). A repeat's entries are listed
by hidden ``_ik_entry`` inputs (``household/0``), so an entry left blank still counts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError

from impactkit.api.pages._i18n import FORM_LANGUAGE, LANGUAGES, translate
from impactkit.surveys.model import (
    MULTIPLE_TYPES,
    Field,
    Form,
    Group,
    Repeat,
    language_code,
    pick_translation,
)
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
MEDIA_TYPES = frozenset({"image", "audio", "video", "file"})
"""Questions answered with a file: a file input; the answer is the name the file is kept under."""
_ACCEPT = {"image": "image/*", "audio": "audio/*", "video": "video/*"}
"""What a file input offers by the question's type (a ``file`` question takes any kind impactkit
keeps, so its chooser is not narrowed unless the form says ``accept``)."""
_SAFE_ACCEPT = re.compile(r"^[A-Za-z0-9.*/+_-]+(?:\s*,\s*[A-Za-z0-9.*/+_-]+)*$")
UNRENDERED_TYPES = frozenset({"rank", "select_one_from_file", "select_multiple_from_file"})
"""Questions the page has no input for."""

ENTRY_FIELD = "_ik_entry"
ADD_FIELD = "_ik_add"
REMOVE_FIELD = "_ik_remove"
REMOVE_CONFIRMED_FIELD = "_ik_remove_confirmed"
REFRESH_FIELD = "_ik_refresh"
REPEAT_FIELD = "_ik_repeat"
STRUCTURE_FIELDS = frozenset({ADD_FIELD, REMOVE_FIELD, REMOVE_CONFIRMED_FIELD, REFRESH_FIELD})

_EQUALS = re.compile(r"^\$\{([\w.-]+)\}\s*(=|!=)\s*'([^']*)'$")
_NUMBER = re.compile(r"^\$\{([\w.-]+)\}\s*(>=|<=|>|<|=|!=)\s*(-?\d+(?:\.\d+)?)$")
_SELECTED = re.compile(r"^(not\s*\(\s*)?selected\(\s*\$\{([\w.-]+)\}\s*,\s*'([^']*)'\s*\)(\s*\))?$")
_LOCATION_STEP = re.compile(r"([^.\[]+)(?:\[(\d+)\])?")


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

    None when any rule is beyond the simple forms (the server then decides on submit). Inside a
    repeat entry the script reads a field of the same entry first, then of the page.

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


# --- what the page can show ---------------------------------------------------------------


@dataclass(frozen=True)
class Unrenderable:
    """A question the page cannot take an answer to, and why (a message key)."""

    field: Field
    reason: str


def unrenderable(form: Form) -> Unrenderable | None:
    """The first question the respondent page cannot show, or None when it can show them all."""
    for element in form.fields():
        if element.type in UNRENDERED_TYPES:
            return Unrenderable(element, "needs_other_app")
    return None


def question_name(form: Form, item: Field, language: str) -> str:
    """How the page names a question to a respondent: its label and, in brackets, its name."""
    label = pick_translation(item.label, _form_language(form, language), form.default_language)
    return f"«{label}» ({item.name})" if label else item.name


# --- languages -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PageLanguage:
    """One language the respondent can choose."""

    code: str
    name: str
    """Its own name for itself (``Italiano``, ``English``, ``Deutsch``)."""


def _code_of(language: str) -> str | None:
    code = language_code(language)
    if code is None and language.lower() in ("italiano", "italian"):
        return "it"
    if code is None and language.lower() == "english":
        return "en"
    return code


def form_languages(form: Form) -> list[PageLanguage]:
    """Every language the form is written in (by code), else the page's own (Italian, English)."""
    codes: list[str] = []
    for language in form.languages:
        code = _code_of(language)
        if code and code not in codes:
            codes.append(code)
    if not codes:
        codes = list(LANGUAGES)
    return [PageLanguage(code, _native_name(code)) for code in codes]


def _native_name(code: str) -> str:
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_")) or code
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:]


def _form_language(form: Form, language: str) -> str:
    """The form's language (as written in its headers) for a language code."""
    for written in form.languages:
        if _code_of(written) == language:
            return written
    return FORM_LANGUAGE.get(language, language)


def page_text_language(language: str) -> str:
    """The language of the page's own texts: the chosen one when impactkit speaks it, else English."""
    return language if language in LANGUAGES else "en"


# --- answers read back ----------------------------------------------------------------------


def _entries(posted: Mapping[str, Any]) -> dict[str, list[int]]:
    """Repeat path (``household``, ``household/0/visit``) -> the entry indexes on the page."""
    found: dict[str, set[int]] = {}
    raw = posted.get(ENTRY_FIELD)
    values = raw if isinstance(raw, list) else ([] if raw is None else [raw])
    for value in values:
        path, _, index = str(value).rpartition("/")
        if path and index.isdigit() and len(index) <= 4:
            found.setdefault(path, set()).add(int(index))
    return {path: sorted(indexes) for path, indexes in found.items()}


def read_answers(
    form: Form, posted: Mapping[str, Any], files: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The answers in a posted page, as text for the validator (a repeat a list of entries).

    Empty inputs are left out; a select_multiple gives the list of its ticked choices. A media
    question is answered only by ``files`` (input name -> the name its file is kept under), never
    by text posted under its name.
    """
    entries = _entries(posted)

    def read(elements: list[Field | Group | Repeat], prefix: str, into: dict[str, Any]) -> None:
        for element in elements:
            if isinstance(element, Group):
                read(element.children, prefix, into)
            elif isinstance(element, Repeat):
                path = prefix + element.name
                rows: list[dict[str, Any]] = []
                for index in entries.get(path, []):
                    row: dict[str, Any] = {}
                    read(element.children, f"{path}/{index}/", row)
                    rows.append(row)
                if rows:
                    into[element.name] = rows
            elif element.type in MEDIA_TYPES:
                kept = (files or {}).get(prefix + element.name)
                if kept:
                    into[element.name] = kept
            elif element.type not in SKIPPED_TYPES and element.type != "note":
                value = posted.get(prefix + element.name)
                values = (
                    [str(v) for v in value]
                    if isinstance(value, list)
                    else ([] if value is None else [str(value)])
                )
                values = [v for v in (v.strip() for v in values) if v]
                if not values:
                    continue
                into[element.name] = values if element.type in MULTIPLE_TYPES else values[0]

    answers: dict[str, Any] = {}
    read(list(form.children), "", answers)
    return answers


def change_entries(form: Form, answers: dict[str, Any], add: str | None, remove: str | None) -> str | None:
    """Add an empty entry to the repeat at path ``add``, or remove the entry at path ``remove``
    (``household/1``); returns the path of the entry added, if any."""
    if add:
        rows = _rows_at(form, answers, add)
        if rows is not None:
            rows.append({})
            return f"{add}/{len(rows) - 1}"
    if remove:
        path, _, index = remove.rpartition("/")
        rows = _rows_at(form, answers, path)
        if rows is not None and index.isdigit() and int(index) < len(rows):
            del rows[int(index)]
    return None


def _rows_at(form: Form, answers: dict[str, Any], path: str) -> list[dict[str, Any]] | None:
    """The list of entries of the repeat at ``path`` (created when missing), or None."""
    steps = path.split("/")
    holder = answers
    elements: list[Field | Group | Repeat] = list(form.children)
    while steps:
        name = steps.pop(0)
        repeat = _find_repeat(elements, name)
        if repeat is None:
            return None
        rows = holder.setdefault(name, [])
        if not isinstance(rows, list):
            return None
        if not steps:
            return rows
        index = steps.pop(0)
        if not index.isdigit() or int(index) >= len(rows):
            return None
        holder = rows[int(index)]
        elements = list(repeat.children)
    return None


def _find_repeat(elements: list[Field | Group | Repeat], name: str) -> Repeat | None:
    for element in elements:
        if isinstance(element, Repeat) and element.name == name:
            return element
        if isinstance(element, Group):
            found = _find_repeat(element.children, name)
            if found is not None:
                return found
    return None


def repeats_on_page(posted: Mapping[str, Any]) -> set[str]:
    """The repeats the posted page showed (``household``, ``household/0/visit``)."""
    raw = posted.get(REPEAT_FIELD)
    values = raw if isinstance(raw, list) else ([] if raw is None else [raw])
    return {str(value) for value in values}


def fit_entries(form: Form, answers: dict[str, Any], state: FormState, seen: set[str]) -> bool:
    """Give each repeat the number of entries the form asks for (repeat_count, one per choice of a
    loop), and one empty entry to a repeat the page has not shown yet (``seen``: the repeats it
    showed, whose entries the respondent may have removed); True when any changed."""
    changed = False

    def fit(
        elements: list[Field | Group | Repeat], holder: dict[str, Any], location: str, prefix: str
    ) -> None:
        nonlocal changed
        for element in elements:
            if isinstance(element, Group):
                fit(element.children, holder, location, prefix)
                continue
            if not isinstance(element, Repeat):
                continue
            repeat_state = state.repeats.get(location + element.name)
            if repeat_state is None or not repeat_state.relevant:
                continue
            rows = holder.get(element.name)
            if not isinstance(rows, list):
                rows = []
            wanted = repeat_state.count
            if wanted is None and not rows and prefix + element.name not in seen:
                wanted = 1
            if wanted is not None and len(rows) != wanted:
                rows = (rows + [{} for _ in range(wanted - len(rows))])[:wanted]
                changed = True
            holder[element.name] = rows
            for index, row in enumerate(rows):
                fit(
                    element.children,
                    row,
                    f"{location}{element.name}[{index}].",
                    f"{prefix}{element.name}/{index}/",
                )

    fit(list(form.children), answers, "answers.", "")
    return changed


def evaluate(form: Form, answers: Mapping[str, Any], language: str) -> FormState:
    """Every field's state for these answers, messages in the page language."""
    return evaluate_form(form, answers, language=_form_language(form, language))


def answer_location(name: str) -> str:
    """``household/0/photo`` -> ``household[0].photo`` (where an attachment's answer is).

    >>> answer_location("household/0/visit/1/photo")
    'household[0].visit[1].photo'
    """
    parts = name.split("/")
    text = parts[0]
    for step in parts[1:]:
        text += f"[{step}]" if step.isdigit() else f".{step}"
    return text


def media_types(form: Form) -> dict[str, str]:
    """Field name -> question type, for the questions answered with a file."""
    return {item.name: item.type for item in form.fields() if item.type in MEDIA_TYPES}


def input_name(location: str) -> str:
    """``answers.household[0].age`` -> ``household/0/age``."""
    parts: list[str] = []
    for name, index in _LOCATION_STEP.findall(location.removeprefix("answers.")):
        parts.append(name)
        if index:
            parts.append(index)
    return "/".join(parts)


def plain_errors(form: Form, state: FormState, language: str) -> dict[str, str]:
    """Input name → the first problem with its answer, in plain words of the page language."""
    types = {item.name: item for item in form.fields()}
    form_language = _form_language(form, language)
    text_language = page_text_language(language)
    errors: dict[str, str] = {}
    for problem in state.problems:
        location = problem.location or ""
        if not location.startswith("answers."):
            continue
        name = input_name(location)
        item = types.get(name.rsplit("/", 1)[-1])
        if name in errors or item is None:
            continue
        code = problem.code
        if code == "required":
            custom = pick_translation(item.required_message, form_language) if item.required_message else None
            errors[name] = custom or translate("required_error", text_language)
        elif code == "wrong_type":
            key = {
                "integer": "integer_error",
                "decimal": "decimal_error",
                "date": "date_error",
                "geopoint": "geopoint_error",
                "text": "text_error",  # a NUL, a lone surrogate, over-long: see impactkit.text
            }.get(item.type, "constraint_error")
            errors[name] = translate(key, text_language)
        elif code == "constraint":
            custom = (
                pick_translation(item.constraint_message, form_language) if item.constraint_message else None
            )
            errors[name] = custom or translate("constraint_error", text_language)
        elif code in ("not_a_choice", "choice_filtered", "duplicate_choice"):
            errors[name] = translate("choice_error", text_language)
        else:
            errors[name] = problem.message
    return errors


# --- the page's elements ---------------------------------------------------------------------


@dataclass
class Option:
    name: str
    label: str
    checked: bool = False


@dataclass
class Question:
    """One element of the page: a question, a note, a group's or a repeat's start or end, an entry."""

    name: str
    """The input name (``age``, ``household/0/age``); for a repeat its path, for an entry its path."""
    kind: str
    """text | multiline | integer | decimal | range | date | time | datetime | geopoint | geotrace |
    one | many | acknowledge | file | note | group_start | group_end | repeat_start | repeat_end |
    entry_start | entry_end"""
    label: str = ""
    hint: str = ""
    options: list[Option] = field(default_factory=list)
    value: str = ""
    required: bool = False
    visible: bool = True
    rule: str | None = None
    """JSON of the client rule, or None when the server alone decides."""
    error: str | None = None
    prefix: str = ""
    """The entry this element is in (``household/0/``), for the script's rules."""
    field_name: str = ""
    """The field's own name (``age``), what client rules name."""
    attributes: dict[str, str] = field(default_factory=dict)
    """Extra input attributes (min, max, step of a range; accept, capture of a file)."""
    can_add: bool = False
    can_remove: bool = False
    focus: bool = False

    @property
    def dom_id(self) -> str:
        return "f-" + self.name.replace("/", "-")

    @property
    def described_by(self) -> str:
        """Ids of the hint and error that describe the input (for ``aria-describedby``)."""
        base = self.name.replace("/", "-")
        return " ".join(
            part for part, present in ((f"h-{base}", self.hint), (f"e-{base}", self.error)) if present
        )


def _input_kind(item: Field) -> str:
    if item.type in MEDIA_TYPES:
        return "file"
    if item.type in ("select_one", "select_one_from_file"):
        return "one"
    if item.type in MULTIPLE_TYPES:
        return "many"
    if item.type == "text" and item.appearance and "multiline" in item.appearance:
        return "multiline"
    if item.type in ("geotrace", "geoshape"):
        return "geotrace"
    if item.type in (
        "integer",
        "decimal",
        "date",
        "time",
        "datetime",
        "acknowledge",
        "note",
        "range",
        "geopoint",
    ):
        return item.type
    return "text"


def _range_attributes(item: Field) -> dict[str, str]:
    parameters = item.parameters
    return {
        "min": parameters.get("start", "0"),
        "max": parameters.get("end", "10"),
        "step": parameters.get("step", "1"),
    }


def _file_attributes(item: Field) -> dict[str, str]:
    """``accept`` from the form's ``accept`` parameter when it is a plain list of types or
    extensions, else from the question type; ``capture`` where ODK takes a new recording only
    (appearance ``new``, ``selfie`` or ``new-front``): elsewhere a phone's chooser offers the
    camera and the gallery alike, as ODK Collect does."""
    attributes: dict[str, str] = {}
    wanted = item.parameters.get("accept", "").strip()
    accept = wanted if wanted and _SAFE_ACCEPT.match(wanted) else _ACCEPT.get(item.type)
    if accept:
        attributes["accept"] = accept
    appearance = set((item.appearance or "").split())
    if item.type in ("image", "video", "audio") and appearance & {"new", "selfie", "new-front"}:
        attributes["capture"] = "user" if appearance & {"selfie", "new-front"} else "environment"
    return attributes


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def questions(
    form: Form,
    state: FormState,
    answers: Mapping[str, Any],
    language: str,
    errors: Mapping[str, str],
    focus: str | None = None,
) -> list[Question]:
    """The page's elements in form order, with values typed so far and errors next to fields.

    ``focus``: the entry just added (its first input gets the focus)."""
    form_language = _form_language(form, language)
    relevant: dict[str, bool] = {}
    required: dict[str, bool] = {}
    for field_state in state.fields:
        name = input_name(field_state.location)
        relevant[name] = field_state.relevant
        required[name] = field_state.required
    page: list[Question] = []
    focus_pending = focus

    def text(translations: dict[str, str]) -> str:
        return pick_translation(translations, form_language, form.default_language) or ""

    def visit(
        elements: list[Field | Group | Repeat],
        values: Mapping[str, Any],
        prefix: str,
        location: str,
        inherited: list[str],
        shown: bool,
    ) -> None:
        nonlocal focus_pending
        for element in elements:
            own = [*inherited, *([element.relevant] if element.relevant else [])]
            if isinstance(element, Group):
                rule = client_rule(own)
                visible = shown and _group_visible(element, prefix, relevant)
                page.append(
                    Question(
                        name=prefix + element.name,
                        kind="group_start",
                        label=text(element.label),
                        visible=visible,
                        rule=json.dumps(rule) if rule else None,
                        prefix=prefix,
                        field_name=element.name,
                    )
                )
                visit(element.children, values, prefix, location, own, visible)
                page.append(Question(name=prefix + element.name, kind="group_end"))
                continue
            if isinstance(element, Repeat):
                path = prefix + element.name
                repeat_state = state.repeats.get(location + element.name)
                visible = shown and (repeat_state is None or repeat_state.relevant)
                fixed = repeat_state is not None and repeat_state.count is not None
                rows = values.get(element.name)
                rows = rows if isinstance(rows, list) else []
                rule = client_rule(own)
                page.append(
                    Question(
                        name=path,
                        kind="repeat_start",
                        label=text(element.label) or element.name,
                        visible=visible,
                        rule=json.dumps(rule) if rule else None,
                        prefix=prefix,
                        field_name=element.name,
                        can_add=not fixed and visible,
                    )
                )
                loop = form.choices.get(element.loop_over or "", [])
                for index, row in enumerate(rows):
                    entry = f"{path}/{index}"
                    heading = text(loop[index].label) if index < len(loop) else ""
                    page.append(
                        Question(
                            name=entry,
                            kind="entry_start",
                            label=heading or f"{text(element.label) or element.name} {index + 1}",
                            visible=visible,
                            prefix=prefix,
                            can_remove=not fixed and visible,
                        )
                    )
                    if focus_pending == entry:
                        focus_pending = f"{entry}/"
                    visit(
                        element.children,
                        row if isinstance(row, Mapping) else {},
                        f"{entry}/",
                        f"{location}{element.name}[{index}].",
                        [],
                        visible,
                    )
                    page.append(Question(name=entry, kind="entry_end"))
                page.append(
                    Question(
                        name=path,
                        kind="repeat_end",
                        label=text(element.label) or element.name,
                        can_add=not fixed and visible,
                    )
                )
                continue
            if element.type in SKIPPED_TYPES:
                continue
            name = prefix + element.name
            kind = _input_kind(element)
            rule = client_rule(own)
            value = _text_of(values.get(element.name))
            chosen = set(value.split()) if kind == "many" else {value}
            options = [
                Option(choice.name, text(choice.label) or choice.name, choice.name in chosen)
                for choice in (form.choices_of(element) if kind in ("one", "many") else [])
            ]
            if kind in ("one", "many") and element.choices_from:
                options = [Option(v, v, v in chosen) for v in _repeat_answers(state, element.choices_from)]
            question = Question(
                name=name,
                kind=kind,
                label=text(element.label) or element.name,
                hint=text(element.hint),
                options=options,
                value=value,
                required=required.get(name, element.required is not None),
                visible=shown and relevant.get(name, True),
                rule=json.dumps(rule) if rule else None,
                error=errors.get(name),
                prefix=prefix,
                field_name=element.name,
                attributes=(
                    _range_attributes(element)
                    if kind == "range"
                    else _file_attributes(element)
                    if kind == "file"
                    else {}
                ),
            )
            if focus_pending is not None and focus_pending.endswith("/") and name.startswith(focus_pending):
                question.focus = kind not in ("note", "one", "many", "file")
                focus_pending = None if question.focus else focus_pending
            page.append(question)

    visit(list(form.children), answers, "", "answers.", [], True)
    return page


def _repeat_answers(state: FormState, name: str) -> list[str]:
    """The answers to ``name`` across its repeat's entries (the choices of ``select_one ${name}``)."""
    found: list[str] = []
    for field_state in state.fields:
        if field_state.name == name and field_state.relevant and field_state.value not in (None, ""):
            text = _text_of(field_state.value)
            if text not in found:
                found.append(text)
    return found


def _group_visible(group: Group, prefix: str, relevant: Mapping[str, bool]) -> bool:
    names = [prefix + e.name for e in group.children if isinstance(e, Field)]
    return any(relevant.get(name, False) for name in names) if names else True


def visible_names(state: FormState, form: Form) -> list[str]:
    """Input names of the answerable fields that are relevant now (what a no-JavaScript page shows)."""
    wanted = {item.name for item in form.fields() if item.type not in SKIPPED_TYPES and item.type != "note"}
    return [input_name(s.location) for s in state.fields if s.relevant and s.name in wanted]


def entry_paths(questions_: list[Question]) -> list[str]:
    """The entries on the page (``household/0``...), for their hidden markers."""
    return [q.name for q in questions_ if q.kind == "entry_start"]


def repeat_paths(questions_: list[Question]) -> list[str]:
    """The repeats on the page (``household``, ``household/0/visit``), for their hidden markers."""
    return [q.name for q in questions_ if q.kind == "repeat_start"]


def content_language(form: Form, language: str) -> str | None:
    """The code of the language the form's texts are shown in for ``language`` (the form's own
    default when it lacks that one); None when its texts carry no language."""
    codes = [_code_of(written) for written in form.languages]
    if language in codes:
        return language
    default = _code_of(form.default_language) if form.default_language else None
    if default:
        return default
    return next((code for code in codes if code), None)
