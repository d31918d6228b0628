"""Responses as spreadsheet rows: labels rather than codes, select_multiple split, repeats apart.

Takes its own small column model (:class:`ColumnSpec`), so that the writer does not depend
on the survey part; ``impactkit.surveys.tabular.data_dictionary`` produces the same shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from impactkit.reports._layout import text_in
from impactkit.reports._text import neutralise

NUMERIC_TYPES = frozenset({"integer", "int", "decimal", "range", "number", "calculate_number"})
MULTIPLE_TYPES = frozenset({"select_multiple", "select_all_that_apply", "rank"})
SINGLE_TYPES = frozenset({"select_one", "select1"})
REPEAT_TYPES = frozenset({"repeat", "begin_repeat", "begin repeat"})


class Choice(BaseModel):
    """One choice of a select question: its code and its labels."""

    model_config = ConfigDict(extra="ignore")

    name: str
    label: dict[str, str] = Field(default_factory=dict)

    @field_validator("name", mode="before")
    @classmethod
    def _code_as_text(cls, value: Any) -> str:
        return str(value)

    @field_validator("label", mode="before")
    @classmethod
    def _label_as_dict(cls, value: Any) -> dict[str, str]:
        if value is None:
            return {}
        return {"en": value} if isinstance(value, str) else value


class ColumnSpec(BaseModel):
    """One survey field as it goes into the responses sheets.

    ``repeat`` names the repeat group the field belongs to (None for the main sheet); a
    spec whose ``type`` is ``repeat`` names a repeat group itself, for its sheet title.
    """

    model_config = ConfigDict(extra="ignore")

    name: str
    label: dict[str, str] = Field(default_factory=dict)
    type: str = "text"
    choices: list[Choice] = Field(default_factory=list)
    repeat: str | None = None

    @field_validator("label", mode="before")
    @classmethod
    def _label_as_dict(cls, value: Any) -> dict[str, str]:
        if value is None:
            return {}
        return {"en": value} if isinstance(value, str) else value

    @property
    def base_type(self) -> str:
        """The question type without its list name (``select_one yes_no`` → ``select_one``)."""
        return self.type.split(" ")[0].strip().lower()


Writer = Callable[[Any, int, int, Any], None]


@dataclass(frozen=True)
class PlannedColumn:
    """One output column: header, dictionary entry, and how to get and write its value."""

    header: str
    field: str
    label: str
    type: str
    choices: str
    kind: str
    """``text``, ``number``, ``label`` (select_one) or ``flag`` (a select_multiple choice)."""
    lookup: dict[str, str] | None = None
    choice: str | None = None


@dataclass
class SheetPlan:
    """The columns of one responses sheet (the main one, or one per repeat group)."""

    key: str | None
    title: str
    columns: list[PlannedColumn]


def _choices_text(spec: ColumnSpec, language: str) -> str:
    return "; ".join(f"{c.name} = {text_in(c.label, language) or c.name}" for c in spec.choices)


def plan_sheets(columns: list[ColumnSpec], language: str) -> list[SheetPlan]:
    """Work out the responses sheets and their columns from the column specs."""
    repeat_titles: dict[str, str] = {}
    by_sheet: dict[str | None, list[PlannedColumn]] = {None: []}
    for spec in columns:
        if spec.base_type in REPEAT_TYPES:
            repeat_titles[spec.name] = text_in(spec.label, language) or spec.name
            by_sheet.setdefault(spec.name, [])
            continue
        label = text_in(spec.label, language) or spec.name
        planned = by_sheet.setdefault(spec.repeat, [])
        choices_text = _choices_text(spec, language)
        if spec.base_type in MULTIPLE_TYPES and spec.choices:
            for choice in spec.choices:
                choice_label = text_in(choice.label, language) or choice.name
                planned.append(
                    PlannedColumn(
                        header=f"{label}: {choice_label}",
                        field=spec.name,
                        label=f"{label}: {choice_label} (1 = selected, 0 = not selected)",
                        type=spec.type,
                        choices=f"{choice.name} = {choice_label}",
                        kind="flag",
                        choice=choice.name,
                    )
                )
        elif spec.base_type in SINGLE_TYPES and spec.choices:
            lookup = {c.name: text_in(c.label, language) or c.name for c in spec.choices}
            planned.append(PlannedColumn(label, spec.name, label, spec.type, choices_text, "label", lookup))
        else:
            kind = "number" if spec.base_type in NUMERIC_TYPES else "text"
            planned.append(PlannedColumn(label, spec.name, label, spec.type, choices_text, kind))
    plans = [SheetPlan(None, "", by_sheet.pop(None))]
    for key, planned_columns in by_sheet.items():
        assert key is not None
        plans.append(SheetPlan(key, repeat_titles.get(key, key), planned_columns))
    return plans


def answers_of(response: dict[str, Any]) -> dict[str, Any]:
    """The answers of a response: its ``answers`` dict, or the response itself when flat."""
    answers = response.get("answers")
    return answers if isinstance(answers, dict) else response


def _as_text(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    if isinstance(value, dict):
        return str(value)
    return str(value)


Step = tuple[str, str, int, Any]
"""One compiled step of a sheet plan: (field, kind, column, lookup or choice columns)."""


def compile_plan(columns: list[PlannedColumn], first_col: int) -> list[Step]:
    """Turn planned columns into the steps of the inner loop, once per sheet.

    The choices of a select_multiple become one step that writes all its 0/1 columns.
    """
    steps: list[Step] = []
    flags: dict[str, list[tuple[str, int]]] = {}
    for offset, column in enumerate(columns):
        col = first_col + offset
        if column.kind == "flag":
            assert column.choice is not None
            if column.field not in flags:
                flags[column.field] = []
                steps.append((column.field, "flag", col, flags[column.field]))
            flags[column.field].append((column.choice, col))
        else:
            steps.append((column.field, column.kind, col, column.lookup))
    return steps


def _cell_writers(worksheet: Any) -> tuple[Callable[..., Any], Callable[..., Any]]:
    # XlsxWriter's public write_string/write_number only add "A1"-notation parsing on top of
    # these; the export calls them millions of times with integer coordinates.
    return (
        getattr(worksheet, "_write_string", worksheet.write_string),
        getattr(worksheet, "_write_number", worksheet.write_number),
    )


def write_answers(worksheet: Any, row: int, answers: dict[str, Any], steps: list[Step]) -> None:
    """Write one response's answers following the compiled ``steps`` (the export's inner loop)."""
    write_string, write_number = _cell_writers(worksheet)
    for field, kind, col, extra in steps:
        value = answers.get(field)
        if value is None or value == "":
            continue
        if kind == "flag":
            items = value.split() if isinstance(value, str) else value
            selected = {str(item) for item in items}
            for choice, choice_col in extra:
                write_number(row, choice_col, 1 if choice in selected else 0)
        elif kind == "label":
            code = value if isinstance(value, str) else str(value)
            write_string(row, col, neutralise(extra.get(code, code)))
        elif isinstance(value, str):
            if kind == "number":
                try:
                    write_number(row, col, float(value))
                    continue
                except ValueError:
                    pass
            write_string(row, col, neutralise(value))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            write_number(row, col, value)
        else:
            write_string(row, col, neutralise(_as_text(value)))


def column_specs_from_dictionary(
    records: Iterable[Mapping[str, Any]], language: str = "en"
) -> list[ColumnSpec]:
    """Column specs from the rows of a survey data dictionary.

    Takes the records of ``impactkit.surveys.tabular.data_dictionary(forms, language)``
    (``.to_dict("records")``: table, name, label, type, choices as ``code=label; …``): the
    ``main`` table's fields go to the responses sheet, every other table is a repeat group.

    Args:
        records: the data dictionary rows.
        language: the language the labels are in (``it`` or ``en``).
    """
    specs: list[ColumnSpec] = []
    repeats: set[str] = set()
    for record in records:
        table = str(record.get("table") or "main")
        repeat = None if table == "main" else table
        if repeat is not None and repeat not in repeats:
            repeats.add(repeat)
            specs.append(ColumnSpec(name=repeat, label={language: repeat}, type="repeat"))
        choices = []
        for item in str(record.get("choices") or "").split("; "):
            code, separator, label = item.partition("=")
            if separator and code:
                choices.append(Choice(name=code, label={language: label}))
        field_label = record.get("label")
        specs.append(
            ColumnSpec(
                name=str(record["name"]),
                label={language: str(field_label)} if field_label else {},
                type=str(record.get("type") or "text"),
                choices=choices,
                repeat=repeat,
            )
        )
    return specs
