"""XLSForm import: an .xlsx or .xls workbook to a checked :class:`~impactkit.surveys.model.Form`.

Every problem is collected, then raised at once as :class:`~impactkit.errors.FormError`,
each located as ``sheet!CellRef column`` (e.g. ``survey!F12 relevant``) with a message in
plain words. pyxform (the reference implementation) guided which checks exist; the
messages are ours.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from impactkit.errors import ExpressionError, FormError, Problem
from impactkit.keyed_texts import MESSAGE_KEY, keyed
from impactkit.surveys._xlsform_sheets import (
    CHOICES_ALIASES,
    MAX_FILE_BYTES,
    SETTINGS_ALIASES,
    SURVEY_ALIASES,
    Row,
    Sheet,
    cell_text,
    column_letter,
    columns_of,
    find_sheet,
    formulas_without_value,
    read_xls_sheets,
    read_xlsx_sheets,
    rows_of,
    snake,
    unstorable_cells,
)
from impactkit.surveys._xlsx_reader import XlsxError
from impactkit.surveys.model import (
    DEFAULT_LANGUAGE,
    FILE_SELECT_TYPES,
    QUESTION_TYPES,
    SELECT_TYPES,
    Choice,
    Field,
    Form,
    Group,
    Repeat,
    compiled,
)
from impactkit.surveys.problem_texts import form_problem

# --- types ---------------------------------------------------------------------------------

_TYPE_ALIASES = {
    "string": "text",
    "add text prompt": "text",
    "q string": "text",
    "int": "integer",
    "add integer prompt": "integer",
    "q int": "integer",
    "percentage": "integer",
    "add decimal prompt": "decimal",
    "q decimal": "decimal",
    "add date prompt": "date",
    "q date": "date",
    "date time": "datetime",
    "add datetime prompt": "datetime",
    "q datetime": "datetime",
    "add note prompt": "note",
    "q note": "note",
    "add calculate prompt": "calculate",
    "q calculate": "calculate",
    "trigger": "acknowledge",
    "add acknowledge prompt": "acknowledge",
    "q acknowledge": "acknowledge",
    "gps": "geopoint",
    "location": "geopoint",
    "add location prompt": "geopoint",
    "q location": "geopoint",
    "q geopoint": "geopoint",
    "q geotrace": "geotrace",
    "q geoshape": "geoshape",
    "photo": "image",
    "add image prompt": "image",
    "add photo prompt": "image",
    "q picture": "image",
    "q image": "image",
    "add audio prompt": "audio",
    "q audio": "audio",
    "add video prompt": "video",
    "q video": "video",
    "add file prompt": "file",
    "add barcode prompt": "barcode",
    "q barcode": "barcode",
    "start time": "start",
    "get start time": "start",
    "end time": "end",
    "get end time": "end",
    "get today": "today",
    "imei": "deviceid",
    "device id": "deviceid",
    "get device id": "deviceid",
    "uri:deviceid": "deviceid",
    "subscriber id": "subscriberid",
    "get subscriber id": "subscriberid",
    "uri:subscriberid": "subscriberid",
    "sim id": "simserial",
    "get sim id": "simserial",
    "uri:simserial": "simserial",
    "phone number": "phonenumber",
    "get phone number": "phonenumber",
    "uri:phonenumber": "phonenumber",
    "uri:username": "username",
    "uri:email": "email",
}

_SELECT_COMMANDS = {
    "select_one": "select_one",
    "select one": "select_one",
    "select1": "select_one",
    "select one from": "select_one",
    "select one using": "select_one",
    "add select one prompt using": "select_one",
    "select_multiple": "select_multiple",
    "select multiple": "select_multiple",
    "select all that apply": "select_multiple",
    "select all that apply from": "select_multiple",
    "select multiple from": "select_multiple",
    "select multiple using": "select_multiple",
    "add select multiple prompt using": "select_multiple",
    "select_one_external": "select_one_external",
    "select one external": "select_one_external",
    "select_one_from_file": "select_one_from_file",
    "select one from file": "select_one_from_file",
    "select_multiple_from_file": "select_multiple_from_file",
    "select multiple from file": "select_multiple_from_file",
    "rank": "rank",
}
_SELECT_RE = re.compile(
    r"^(?P<command>"
    + "|".join(re.escape(c) for c in sorted(_SELECT_COMMANDS, key=len, reverse=True))
    + r")\s+(?P<list>\S+)(?:\s+(?P<other>or_other|or other|or specify other))?$"
)
_CONTROL_RE = re.compile(
    r"^(?P<edge>begin|end)[\s_]+(?P<kind>group|repeat|loop|looped group|lgroup)"
    r"(?:\s+(?:over\s+)?(?P<list>\S+))?$",
    re.IGNORECASE,
)
_NAME_RE = re.compile(r"^[^\W\d][\w.\-]*$")
_REFERENCE_IN_TEXT = re.compile(r"\$\{([^}]*)\}")

_UNSUPPORTED_TYPES = {
    "xml-external": "xlsform_reason_xml_external",
    "csv-external": "xlsform_reason_csv_external",
    "osm": "xlsform_reason_osm",
    "background-audio": "xlsform_reason_background_audio",
    "background-geopoint": "xlsform_reason_background_geopoint",
    "start-geopoint": "xlsform_reason_start_geopoint",
    "entity": "xlsform_reason_entity",
}
"""Types pyxform knows that impactkit refuses: type → the key of the reason's text."""

_YES = {"yes", "true", "true()", "1"}
_NO = {"no", "false", "false()", "0", ""}


@dataclass(frozen=True)
class _ParsedType:
    edge: str | None = None  # "begin" / "end" for groups and repeats
    kind: str = ""  # group / repeat / loop, or the canonical question type
    list_name: str | None = None
    or_other: bool = False


def _parse_type(text: str, location: str) -> _ParsedType | Problem:
    """A type cell -> parsed type, or the problem with it (located at ``location``)."""
    spaced = " ".join(text.split())
    control = _CONTROL_RE.match(spaced)
    if control:
        kind = control["kind"].lower()
        kind = {"looped group": "repeat", "lgroup": "repeat"}.get(kind, kind)
        return _ParsedType(control["edge"].lower(), kind, control["list"])
    select = _SELECT_RE.match(spaced)
    if select:
        command = _SELECT_COMMANDS[select["command"]]
        return _ParsedType(None, command, select["list"], or_other=bool(select["other"]))
    lowered = spaced.lower()
    if _SELECT_RE.match(lowered):
        return form_problem("xlsform_problem_type_case", location, code="bad_type", type=spaced)
    if lowered.split(" ")[0] in _UNSUPPORTED_TYPES:
        reason = keyed(_UNSUPPORTED_TYPES[lowered.split(" ")[0]])
        return form_problem(
            "xlsform_problem_type_not_supported", location, code="not_supported", type=spaced, reason=reason
        )
    canonical = _TYPE_ALIASES.get(lowered, lowered)
    if canonical in QUESTION_TYPES and canonical not in SELECT_TYPES | FILE_SELECT_TYPES:
        return _ParsedType(None, canonical, None)
    if lowered in {"select_one", "select_multiple", "rank", "select one"}:
        return form_problem("xlsform_problem_select_needs_list", location, code="bad_type", type=spaced)
    return form_problem("xlsform_problem_unknown_type", location, code="bad_type", type=spaced)


def _boolean_or_expression(text: str) -> str | None:
    lowered = text.strip().lower()
    if lowered in _YES:
        return "true()"
    if lowered in _NO:
        return None
    return text.strip()


def _parameters(text: str) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for part in re.split(r"[\s;,]+", text.strip()):
        if "=" in part:
            key, _, value = part.partition("=")
            parameters[key.strip()] = value.strip()
    return parameters


# --- the import ----------------------------------------------------------------------------


def _read_settings(
    sheets: dict[str, Sheet], problems: list[Problem]
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """-> (settings text by key, cell reference by key, formulas by key)."""
    settings: dict[str, str] = {}
    where: dict[str, str] = {}
    formulas: dict[str, str] = {}
    sheet = find_sheet(sheets, "settings")
    if sheet is None or not sheet.rows:
        return settings, where, formulas
    number, values = sheet.rows[0]
    for index, raw in sheet.headers:
        key = snake(raw)
        key = SETTINGS_ALIASES.get(key, key)
        value = values[index] if index < len(values) else None
        text = cell_text(value)
        where[key] = f"{sheet.name}!{column_letter(index)}{number}"
        formula = sheet.formulas.get((number, index))
        if formula is not None:
            formulas[key] = formula
            if key == "version":
                continue
        if text:
            settings[key] = text
    return settings, where, formulas


def _read_choices(
    sheet: Sheet, problems: list[Problem], allow_duplicates: bool, column_names: set[str]
) -> dict[str, list[Choice]]:
    lists: dict[str, list[Choice]] = {}
    columns = columns_of(sheet, CHOICES_ALIASES, problems)
    column_names.update(c.name for c in columns if c.language is None)
    names = {c.name for c in columns}
    if sheet.rows and ("list_name" not in names or "name" not in names):
        missing = [c for c in ("list_name", "name") if c not in names]
        problems.append(
            form_problem(
                "xlsform_problem_choices_columns_missing",
                f"{sheet.name}!A1",
                code="missing_column",
                sheet=sheet.name,
                columns=", ".join(missing),
            )
        )
        return lists
    seen: dict[tuple[str, str], int] = {}
    for row in rows_of(sheet, columns):
        if row.is_empty():
            continue
        list_name = row.get("list_name")
        name = row.get("name")
        if not list_name and not name:
            continue
        if not list_name:
            problems.append(
                form_problem(
                    "xlsform_problem_missing_list_name",
                    row.where("list_name"),
                    code="missing_list_name",
                    name=name,
                )
            )
            continue
        if not name:
            problems.append(
                form_problem(
                    "xlsform_problem_missing_choice_name",
                    row.where("name"),
                    code="missing_choice_name",
                    list_name=list_name,
                )
            )
            continue
        key = (list_name, name)
        if key in seen and not allow_duplicates:
            problems.append(
                form_problem(
                    "xlsform_problem_duplicate_choice",
                    row.where("name"),
                    code="duplicate_choice",
                    name=name,
                    list_name=list_name,
                    row=seen[key],
                )
            )
            continue
        seen[key] = row.number
        extra = {
            column: text
            for (column, language), (text, _) in row.cells.items()
            if language is None and column not in ("list_name", "name", "label") and text
        }
        lists.setdefault(list_name, []).append(
            Choice(name=name, label=row.translations("label"), columns=extra)
        )
    return lists


@dataclass
class _Context:
    form_root: str
    problems: list[Problem]
    choices: dict[str, list[Choice]]
    external_lists: set[str]
    warnings: list[str]
    expressions: list[tuple[Row, str, str, Field | Group | Repeat]] = field(default_factory=list)
    """(row, column, text, element) of every expression, checked once all names are known."""
    names: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    """field or repeat name -> [(row, scope)]: a name is unique within its scope (the form
    outside repeats, or one repeat), and may recur in another scope."""
    label_references: list[tuple[Row, str, str]] = field(default_factory=list)
    choice_columns: set[str] = field(default_factory=set)
    group_names: set[str] = field(default_factory=set)
    """Names of groups, which paths may step through (``/data/group/field``)."""
    repeat_selects: list[tuple[Row, str]] = field(default_factory=list)
    """``select_one ${name}`` rows and the name whose answers are the choices."""


def _element_common(row: Row, context: _Context, element: Field | Group | Repeat) -> None:
    for column in ("relevant",):
        text = row.get(column)
        if text:
            context.expressions.append((row, column, text, element))


def _build_field(row: Row, parsed: _ParsedType, name: str, context: _Context) -> Field:
    question_type = parsed.kind
    list_name = parsed.list_name
    choices_from = _repeat_choices(list_name)
    if choices_from is not None:
        list_name = None
        context.repeat_selects.append((row, choices_from))
    if question_type == "select_one_external":
        question_type = "select_one"
    required = _boolean_or_expression(row.get("required"))
    read_only = _boolean_or_expression(row.get("read_only"))
    default = row.get("default") or None
    field_ = Field(
        name=name,
        type=question_type,
        list_name=list_name,
        choices_from=choices_from,
        or_other=parsed.or_other,
        label=row.translations("label"),
        hint=row.translations("hint"),
        required=required,
        required_message=row.translations("required_message"),
        relevant=row.get("relevant") or None,
        constraint=row.get("constraint") or None,
        constraint_message=row.translations("constraint_message"),
        calculation=row.get("calculation") or None,
        default=default,
        choice_filter=row.get("choice_filter") or None,
        read_only=read_only,
        appearance=row.get("appearance") or None,
        parameters=_parameters(row.get("parameters")),
        row=row.number,
    )
    for column, text in (
        ("relevant", field_.relevant),
        ("constraint", field_.constraint),
        ("calculation", field_.calculation),
        ("choice_filter", field_.choice_filter),
        ("required", required if required != "true()" else None),
        ("read_only", read_only if read_only != "true()" else None),
        ("default", default if default and ("${" in default or "(" in default) else None),
    ):
        if text:
            context.expressions.append((row, column, text, field_))
    for column in ("label", "hint"):
        for _language, text in row.translations(column).items():
            if "${" in text:
                context.label_references.append((row, column, text))
    if question_type == "calculate" and not field_.calculation and not field_.default:
        context.problems.append(
            form_problem(
                "xlsform_problem_missing_calculation",
                row.where("calculation"),
                code="missing_calculation",
                name=name,
            )
        )
    if question_type in SELECT_TYPES and list_name is not None and list_name not in context.choices:
        where = "external_choices" if parsed.kind == "select_one_external" else "choices"
        context.problems.append(
            form_problem(
                "xlsform_problem_missing_choice_list",
                row.where("type"),
                code="missing_choice_list",
                list_name=list_name,
                sheet=where,
            )
        )
    if question_type in FILE_SELECT_TYPES:
        context.problems.append(_not_supported_file_select(row, question_type, list_name))
    if question_type == "range":
        for key, value in field_.parameters.items():
            try:
                float(value)
            except ValueError:
                context.problems.append(
                    form_problem(
                        "xlsform_problem_bad_range_parameter",
                        row.where("parameters"),
                        code="bad_parameter",
                        parameter=key,
                        value=value,
                    )
                )
    return field_


def _build_tree(rows: list[Row], context: _Context) -> list[Field | Group | Repeat]:
    root: list[Field | Group | Repeat] = []
    stack: list[tuple[Group | Repeat, Row, str]] = []

    def children() -> list[Field | Group | Repeat]:
        return stack[-1][0].children if stack else root

    def scope() -> str:
        for element, _, kind in reversed(stack):
            if kind == "repeat":
                return element.name
        return ""

    for row in rows:
        if row.is_empty():
            continue
        type_text = row.get("type")
        name = row.get("name")
        if not type_text:
            if name or row.translations("label"):
                context.problems.append(
                    form_problem(
                        "xlsform_problem_named_row_without_type",
                        row.where("type"),
                        code="missing_type",
                        name=name,
                    )
                    if name
                    else form_problem(
                        "xlsform_problem_row_without_type", row.where("type"), code="missing_type"
                    )
                )
            continue
        parsed = _parse_type(type_text, row.where("type"))
        if isinstance(parsed, Problem):
            context.problems.append(parsed)
            continue
        if parsed.edge == "end":
            kind = "repeat" if parsed.kind == "loop" else parsed.kind
            if not stack:
                context.problems.append(
                    form_problem(
                        "xlsform_problem_end_without_begin",
                        row.where("type"),
                        code="unmatched_end",
                        kind=parsed.kind,
                    )
                )
                continue
            open_element, open_row, open_kind = stack[-1]
            if open_kind != kind:
                context.problems.append(
                    form_problem(
                        "xlsform_problem_end_closes_other",
                        row.where("type"),
                        code="unmatched_end",
                        kind=parsed.kind,
                        open_kind=keyed(f"xlsform_kind_{open_kind}"),
                        name=open_element.name,
                        row=open_row.number,
                    )
                )
            stack.pop()
            continue
        if not name:
            if parsed.kind == "note":
                name = f"note_row_{row.number}"
            else:
                context.problems.append(
                    form_problem("xlsform_problem_missing_name", row.where("name"), code="missing_name")
                )
                continue
        if not _NAME_RE.match(name):
            context.problems.append(
                form_problem("xlsform_problem_bad_name", row.where("name"), code="bad_name", name=name)
            )
        element: Field | Group | Repeat
        if parsed.edge == "begin":
            if parsed.kind == "group":
                context.group_names.add(name)
                element = Group(
                    name=name,
                    label=row.translations("label"),
                    relevant=row.get("relevant") or None,
                    appearance=row.get("appearance") or None,
                    row=row.number,
                )
                _element_common(row, context, element)
                children().append(element)
                stack.append((element, row, "group"))
                continue
            loop_over = parsed.list_name if parsed.kind == "loop" else None
            if loop_over is not None and loop_over not in context.choices:
                context.problems.append(
                    form_problem(
                        "xlsform_problem_loop_list_missing",
                        row.where("type"),
                        code="missing_choice_list",
                        list_name=loop_over,
                    )
                )
            element = Repeat(
                name=name,
                label=row.translations("label"),
                relevant=row.get("relevant") or None,
                appearance=row.get("appearance") or None,
                repeat_count=row.get("repeat_count") or None,
                loop_over=loop_over,
                row=row.number,
            )
            if name == context.form_root:
                context.problems.append(
                    form_problem(
                        "xlsform_problem_repeat_named_root",
                        row.where("name"),
                        code="repeat_named_root",
                        name=name,
                    )
                )
            _element_common(row, context, element)
            if element.repeat_count:
                context.expressions.append((row, "repeat_count", element.repeat_count, element))
            _register(name, row, scope(), context)
            children().append(element)
            stack.append((element, row, "repeat"))
            continue
        element = _build_field(row, parsed, name, context)
        _register(name, row, scope(), context)
        children().append(element)
        if parsed.or_other:
            if element.choice_filter:
                context.problems.append(
                    form_problem(
                        "xlsform_problem_or_other_with_choice_filter",
                        row.where("choice_filter"),
                        code="or_other_with_choice_filter",
                    )
                )
            other = Field(
                name=f"{name}_other",
                type="text",
                label={DEFAULT_LANGUAGE: "Specify other."},
                relevant=f"selected(${{{name}}}, 'other')",
                row=row.number,
            )
            _register(other.name, row, scope(), context)
            children().append(other)
    for open_element, open_row, open_kind in stack:
        context.problems.append(
            form_problem(
                f"xlsform_problem_unclosed_{open_kind}",
                open_row.where("type"),
                code="unclosed_" + open_kind,
                name=open_element.name,
            )
        )
    return root


def _register(name: str, row: Row, scope: str, context: _Context) -> None:
    entries = context.names.setdefault(name, [])
    for earlier_row, earlier_scope in entries:
        if earlier_scope == scope:
            context.problems.append(
                form_problem(
                    "xlsform_problem_duplicate_name_in_repeat" if scope else "xlsform_problem_duplicate_name",
                    row.where("name"),
                    code="duplicate_name",
                    name=name,
                    row=earlier_row,
                    **({"repeat": scope} if scope else {}),
                )
            )
            return
    entries.append((row.number, scope))


_REPEAT_CHOICES = re.compile(r"^\$\{\s*([^}\s]+)\s*\}$")


def _repeat_choices(list_name: str | None) -> str | None:
    """``${name}`` in the list column of a select: the field whose answers are the choices."""
    match = _REPEAT_CHOICES.match(list_name or "")
    return match[1] if match else None


def _check_dialect(context: _Context) -> None:
    """What ODK's dialect adds to plain references: choices from a repeat's answers, choice
    lists read with instance(), ``${last-saved#name}``, predicates."""
    for row, name in context.repeat_selects:
        places = context.names.get(name)
        if not places:
            context.problems.append(
                form_problem(
                    "xlsform_problem_unknown_field",
                    row.where("type"),
                    code="unknown_field",
                    field=f"${{{name}}}",
                )
            )
        elif all(scope == "" for _, scope in places):
            context.problems.append(
                form_problem(
                    "xlsform_problem_choices_not_in_repeat",
                    row.where("type"),
                    code="choices_not_in_repeat",
                    name=name,
                )
            )
    known = set(context.names)
    warned_last_saved = False
    for row, column, text, _element in context.expressions:
        try:
            expression = compiled(text)
        except ExpressionError:
            continue  # reported by _check_expressions
        for list_name in sorted(expression.instances - set(context.choices)):
            context.problems.append(
                form_problem(
                    "xlsform_problem_instance_not_supported",
                    row.where(column),
                    code="unsupported",
                    list_name=list_name,
                )
            )
        for name in sorted(expression.last_saved - known):
            context.problems.append(
                form_problem(
                    "xlsform_problem_unknown_field",
                    row.where(column),
                    code="unknown_field",
                    field=f"${{last-saved#{name}}}",
                )
            )
        if expression.last_saved and not warned_last_saved:
            warned_last_saved = True
            context.warnings.append(
                f"{row.where(column)}: ${{last-saved#...}} reads the form saved last on the collecting "
                "device; impactkit keeps the value a device sends for a calculation, and otherwise "
                "reads it as on a device with no saved form (empty)"
            )
        if _NUMBERED_PREDICATE.search(text):
            context.warnings.append(
                f"{row.where(column)}: a predicate of a bare number such as [2] selects nothing in ODK "
                "Collect (it does in Enketo); write [position() = 2] or use indexed-repeat()"
            )


_NUMBERED_PREDICATE = re.compile(r"\[\s*\d+\s*\]")


def _check_expressions(context: _Context) -> None:
    known = set(context.names)
    ambiguous = {name: rows for name, rows in context.names.items() if len(rows) > 1}
    choice_columns = {"name", "label", *context.choice_columns}
    for row, column, text, element in context.expressions:
        try:
            expression = compiled(text)
        except ExpressionError as error:
            problem = error.problems[0] if error.problems else None
            reason: Any = problem.message if problem else error.message
            if problem is not None and MESSAGE_KEY in problem.details:
                reason = {k: v for k, v in problem.details.items() if k not in ("position", "expression")}
            position = problem.details.get("position") if problem else None
            context.problems.append(
                form_problem(
                    "xlsform_problem_bad_expression_at" if position else "xlsform_problem_bad_expression",
                    row.where(column),
                    code="bad_expression",
                    reason=reason,
                    expression=text,
                    **({"position": position} if position else {}),
                )
            )
            continue
        unknown = [f"${{{name}}}" for name in sorted(expression.references - known)]
        steps = known | context.group_names | {context.form_root}
        if column != "choice_filter":
            unknown += [repr(name) for name in sorted(expression.path_references - steps)]
        elif isinstance(element, Field) and element.list_name in context.choices:
            unknown += [
                repr(name)
                for name in sorted(expression.path_references - expression.relative_references - steps)
            ]
            for name in sorted(expression.relative_references - choice_columns):
                # ODK accepts it and reads it as empty (a child the choice does not have).
                context.warnings.append(
                    f"{row.where(column)}: {name!r} is not a column of the choices sheet, so ODK "
                    f"reads it as empty; if you meant the text, write '{name}' in quotes"
                )
        for written in unknown:
            context.problems.append(
                form_problem(
                    "xlsform_problem_unknown_field", row.where(column), code="unknown_field", field=written
                )
            )
        for name in sorted(expression.references & set(ambiguous)):
            rows = ", ".join(str(number) for number, _ in ambiguous[name])
            context.problems.append(
                form_problem(
                    "xlsform_problem_ambiguous_field",
                    row.where(column),
                    code="ambiguous_field",
                    name=name,
                    rows=rows,
                )
            )
    for row, column, text in context.label_references:
        for name in _REFERENCE_IN_TEXT.findall(text):
            if name.strip() not in known:
                context.problems.append(
                    form_problem(
                        "xlsform_problem_unknown_field",
                        row.where(column),
                        code="unknown_field",
                        field=f"${{{name}}}",
                    )
                )


def _derived_version(sheets: dict[str, Sheet]) -> str:
    """A version from what the form's sheets hold (the settings version cell left out)."""
    digest = hashlib.sha256()
    for title in sorted(sheets):
        sheet = sheets[title]
        if title.strip().lower() not in ("survey", "choices", "external_choices", "settings") and (
            _only_sheet(sheets) is None
        ):
            continue
        skip = {index for index, raw in sheet.headers if snake(raw) == "version"}
        digest.update(f"[{title}]".encode())
        digest.update(repr([raw for _, raw in sheet.headers]).encode())
        for _, values in sheet.rows:
            cells = [cell_text(v) for index, v in enumerate(values) if index not in skip]
            digest.update(repr(cells).encode())
    return "content-" + digest.hexdigest()[:12]


def load_xlsform(
    source: Path | str | bytes, filename: str | None = None, *, check_with_pyxform: bool = True
) -> Form:
    """Read and check an XLSForm workbook.

    Args:
        source: a path to an ``.xlsx``/``.xls`` file, or the file's bytes.
        filename: the original file name when ``source`` is bytes (gives the format, and the
            form id when the settings sheet has none).

    Returns:
        The checked :class:`Form`. When the settings ``version`` is missing or an Excel
        formula (such as ``=NOW()``, which would change on every save), the version is
        derived from the cells of the survey, choices and settings sheets
        (``content-<12 hex digits>``): the same form gives the same version, a changed
        form a new one; ``form.warnings`` says so.

        With ``check_with_pyxform`` (the default) a form impactkit accepts is then given to
        pyxform, the reference XLSForm converter, which has the last word (see
        :mod:`impactkit.surveys.xform`).

    Raises:
        FormError: the workbook cannot be read, or has problems; ``problems`` lists every
            one, located as ``sheet!CellRef column`` (e.g. ``survey!F12 relevant``). When
            impactkit finds none but pyxform refuses the form, its message, made readable.
    """
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        data = path.read_bytes()
        filename = filename or path.name
    if len(data) > MAX_FILE_BYTES:
        raise FormError(
            "the file is too large for a form",
            problems=[
                form_problem(
                    "xlsform_problem_file_too_large", code="file_too_large", max_bytes=MAX_FILE_BYTES
                )
            ],
        )
    problems: list[Problem] = []
    is_xlsx = data[:4] == b"PK\x03\x04"
    is_xls = data[:8] == bytes.fromhex("d0cf11e0a1b11ae1")
    try:
        if is_xlsx:
            sheets = read_xlsx_sheets(data, problems)
        elif is_xls:
            sheets = read_xls_sheets(data, problems)
        else:
            raise FormError(
                "not an Excel workbook",
                problems=[
                    form_problem(
                        "xlsform_problem_not_a_workbook",
                        filename or "",
                        code="not_a_workbook",
                        file=filename or "the file",
                    )
                ],
            )
    except FormError:
        raise
    except (XlsxError, Exception) as error:  # any reader failure is a bad upload, not a crash
        raise FormError(
            "the workbook cannot be read",
            problems=[
                form_problem(
                    "xlsform_problem_unreadable_workbook",
                    filename or "",
                    code="unreadable_workbook",
                    file=filename or "the file",
                    error=str(error),
                )
            ],
        ) from None
    unstorable = unstorable_cells(sheets)
    if unstorable:
        raise FormError("the form holds text that cannot be stored", problems=unstorable)
    uncomputed = formulas_without_value(sheets)
    if uncomputed:
        raise FormError("the form holds formulas without a value", problems=uncomputed)
    form = _build_form(sheets, filename, problems)
    if check_with_pyxform:
        _check_with_pyxform(data, form, sheets)
    return form


def _build_form(sheets: dict[str, Sheet], filename: str | None, problems: list[Problem]) -> Form:
    settings, settings_where, formulas = _read_settings(sheets, problems)
    form_warnings: list[str] = []
    choices: dict[str, list[Choice]] = {}
    choice_columns: set[str] = set()
    allow_duplicates = settings.get("allow_choice_duplicates", "").lower() in _YES
    choices_sheet = find_sheet(sheets, "choices")
    if choices_sheet is not None:
        choices.update(_read_choices(choices_sheet, problems, allow_duplicates, choice_columns))
    external_lists: set[str] = set()
    external_sheet = find_sheet(sheets, "external_choices")
    if external_sheet is not None:
        external = _read_choices(external_sheet, problems, allow_duplicates, choice_columns)
        external_lists = set(external)
        for list_name, items in external.items():
            choices.setdefault(list_name, items)
    survey = find_sheet(sheets, "survey") or _only_sheet(sheets)
    if survey is None:
        problems.append(
            form_problem(
                "xlsform_problem_missing_survey_sheet", filename or "workbook", code="missing_survey_sheet"
            )
        )
        raise FormError("the form cannot be imported", problems=problems)
    columns = columns_of(survey, SURVEY_ALIASES, problems)
    for needed in ("type", "name"):
        if needed not in {c.name for c in columns}:
            problems.append(
                form_problem(
                    "xlsform_problem_survey_column_missing",
                    f"{survey.name}!A1",
                    code="missing_column",
                    column=needed,
                )
            )
    rows = rows_of(survey, columns)
    context = _Context(
        form_root=settings.get("name", "data"),
        problems=problems,
        choices=choices,
        external_lists=external_lists,
        warnings=form_warnings,
        choice_columns=choice_columns,
    )
    children = _build_tree(rows, context)
    _check_expressions(context)
    _check_dialect(context)
    _refuse_what_impactkit_cannot_hold(sheets, rows, settings, settings_where, problems)

    form_id = settings.get("form_id") or (Path(filename).stem if filename else "")
    if not form_id:
        problems.append(
            form_problem("xlsform_problem_missing_form_id", "settings!A1 form_id", code="missing_form_id")
        )
    languages: list[str] = []
    for column in columns:
        if column.language and column.name in ("label", "hint") and column.language not in languages:
            languages.append(column.language)
    if problems:
        raise FormError(
            f"the form has {len(problems)} problem(s)" if len(problems) > 1 else "the form has a problem",
            problems=problems,
        )
    title = settings.get("form_title") or form_id
    extra_settings = {
        key: value
        for key, value in settings.items()
        if key not in ("form_id", "form_title", "version", "default_language")
    }
    form = Form(
        form_id=form_id,
        version=settings.get("version", ""),
        title=title,
        default_language=settings.get("default_language"),
        languages=languages,
        settings=extra_settings,
        children=children,
        choices=choices,
        warnings=form_warnings,
    )
    if "version" in formulas or not form.version:
        derived = _derived_version(sheets)
        if "version" in formulas:
            form_warnings.append(
                f"{settings_where['version']} version: the formula {formulas['version']} "
                f"changes on every save; the version is derived from the content: {derived}"
            )
        else:
            form_warnings.append(
                f"settings has no version; the version is derived from the content: {derived}"
            )
        form = form.model_copy(update={"version": derived, "warnings": form_warnings})
    return form


# --- pyxform's verdict, and what pyxform accepts but impactkit cannot hold --------------------

_NOT_SUPPORTED_SETTINGS = {
    "public_key": "xlsform_problem_public_key",
    "submission_url": "xlsform_problem_submission_url",
}
"""Settings pyxform honours that impactkit refuses: setting → the key of the problem's text."""
_FORM_SHEETS = frozenset({"survey", "choices", "settings", "external_choices", "entities", "osm"})


def _only_sheet(sheets: dict[str, Sheet]) -> Sheet | None:
    """A workbook with a single sheet not named like an XLSForm sheet: that sheet is the survey
    (as pyxform reads it)."""
    if len(sheets) == 1:
        ((title, sheet),) = sheets.items()
        if title.strip().lower() not in _FORM_SHEETS:
            return sheet
    return None


def _not_supported_file_select(row: Row, question_type: str, file_name: str | None) -> Problem:
    return form_problem(
        "xlsform_problem_file_select",
        row.where("type"),
        code="not_supported",
        type=question_type,
        file=file_name or "",
    )


def _refuse_what_impactkit_cannot_hold(
    sheets: dict[str, Sheet],
    rows: list[Row],
    settings: dict[str, str],
    settings_where: dict[str, str],
    problems: list[Problem],
) -> None:
    """Features pyxform accepts that impactkit cannot keep, each refused on its cell: entities,
    encryption, another submission server, searches in external CSV files. (select_*_from_file
    and external instance types are refused where the type is read; pulldata() and external
    instance() where the expression is parsed.)"""
    entities = find_sheet(sheets, "entities")
    if entities is not None and entities.rows:
        number = entities.rows[0][0]
        problems.append(
            form_problem("xlsform_problem_entities_sheet", f"{entities.name}!A{number}", code="not_supported")
        )
    for row in rows:
        if row.get("save_to"):
            problems.append(
                form_problem("xlsform_problem_save_to", row.where("save_to"), code="not_supported")
            )
        if row.get("type").split(" ")[0] in ("select_one_external", "select_one external") and not row.get(
            "choice_filter"
        ):
            problems.append(
                form_problem(
                    "xlsform_problem_external_needs_filter",
                    row.where("choice_filter"),
                    code="missing_choice_filter",
                )
            )
        appearance = row.get("appearance")
        if "search(" in appearance.replace(" ", ""):
            problems.append(
                form_problem(
                    "xlsform_problem_search_appearance", row.where("appearance"), code="not_supported"
                )
            )
    for key, text_key in _NOT_SUPPORTED_SETTINGS.items():
        if settings.get(key):
            problems.append(
                form_problem(
                    text_key, f"{settings_where.get(key, 'settings!A2')} {key}", code="not_supported"
                )
            )


def _check_with_pyxform(data: bytes, form: Form, sheets: dict[str, Sheet]) -> None:
    from impactkit.surveys.xform import columns_by_sheet, pyxform_problems

    headers = {
        title: [(column_letter(index), raw) for index, raw in sheet.headers]
        for title, sheet in sheets.items()
    }
    problems = pyxform_problems(
        data, form_id=form.form_id, version=form.version, columns=columns_by_sheet(headers)
    )
    if problems:
        raise FormError("pyxform, the reference XLSForm converter, refuses the form", problems)


__all__ = ["column_letter", "load_xlsform"]
