"""Responses as tables (pandas): one row per response, one table per repeat, and a data dictionary.

Columns cover the fields of every version given, in form order. A select_multiple is one
column of space-separated choices and, with ``split_multiple``, one 0/1 column per choice
named ``field/choice``. Repeat instances go to their own table, linked to their parent by
``_parent_key`` (the response's ``instance_id``, or the parent instance's ``_key``) and
numbered by ``_index`` (from 1, as in ODK).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING, Any, TextIO

from impactkit.surveys.model import (
    MULTIPLE_TYPES,
    NO_ANSWER_TYPES,
    Field,
    Form,
    Group,
    Repeat,
    pick_translation,
)

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported by the functions that build tables: importing this module (the API does,
# for MAIN_TABLE) costs nothing until a table is asked for.

MAIN_TABLE = "main"
"""Key of the table with one row per response."""
METADATA_COLUMNS = ("instance_id", "form_version", "submitted_at")


@dataclass
class _Column:
    question: Field
    versions: list[str] = field(default_factory=list)


@dataclass
class _Table:
    """The merged layout of one answers scope (the form, or one repeat) over all versions."""

    name: str
    columns: dict[str, _Column] = field(default_factory=dict)
    repeats: dict[str, _Table] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    """Field and repeat names in merged form order."""
    labels: dict[str, dict[str, str]] = field(default_factory=dict)


def _merge(table: _Table, elements: Sequence[Field | Group | Repeat], version: str, form: Form) -> None:
    previous: str | None = None

    def place(name: str) -> None:
        nonlocal previous
        if name not in table.order:
            at = table.order.index(previous) + 1 if previous in table.order else len(table.order)
            table.order.insert(at, name)
        previous = name

    def visit(items: Sequence[Field | Group | Repeat]) -> None:
        for element in items:
            if isinstance(element, Group):
                visit(element.children)
            elif isinstance(element, Repeat):
                inner = table.repeats.setdefault(element.name, _Table(element.name))
                inner.labels.setdefault(element.name, dict(element.label))
                _merge(inner, element.children, version, form)
                place(element.name)
            elif element.type not in NO_ANSWER_TYPES:
                column = table.columns.setdefault(element.name, _Column(element))
                column.question = element  # the latest version's wording wins
                column.versions.append(version)
                place(element.name)

    visit(elements)


def _layout(forms: Sequence[Form]) -> tuple[_Table, dict[str, dict[str, Any]]]:
    """Merged table layout, and list name -> choice name -> labels (union over versions)."""
    root = _Table(MAIN_TABLE)
    choices: dict[str, dict[str, Any]] = {}
    for form in forms:
        _merge(root, form.children, form.version, form)
        for list_name, items in form.choices.items():
            merged = choices.setdefault(list_name, {})
            for item in items:
                merged[item.name] = item.label
    for form in forms:
        for element in form.fields():
            if element.or_other and element.list_name:
                choices.setdefault(element.list_name, {}).setdefault("other", {"default": "Other"})
    return root, choices


def _choice_names(column: _Column, forms: Sequence[Form], choices: Mapping[str, Any]) -> list[str]:
    list_name = column.question.list_name or ""
    return list(choices.get(list_name, {}))


class _Builder:
    def __init__(
        self,
        forms: Sequence[Form],
        language: str | None,
        labels: bool,
        split_multiple: bool,
    ) -> None:
        self.forms = forms
        self.language = language
        self.labels = labels
        self.split_multiple = split_multiple
        self.default_language = forms[-1].default_language if forms else None
        self.root, self.choices = _layout(forms)
        self.rows: dict[str, list[dict[str, Any]]] = {}
        # the same header and choice texts are asked for on every row: look each up once
        self._headers: dict[int, str] = {}
        self._choice_texts: dict[tuple[str, str], str] = {}

    def text(self, texts: Mapping[str, str], fallback: str) -> str:
        return pick_translation(dict(texts), self.language, self.default_language) or fallback

    def header(self, column: _Column) -> str:
        if not self.labels:
            return column.question.name
        question = column.question
        found = self._headers.get(id(question))
        if found is None:
            found = self._headers[id(question)] = self.text(question.label, question.name)
        return found

    def choice_text(self, column: _Column, choice: str) -> str:
        if not self.labels:
            return choice
        key = (column.question.list_name or "", choice)
        found = self._choice_texts.get(key)
        if found is None:
            labels = self.choices.get(key[0], {}).get(choice)
            found = self._choice_texts[key] = self.text(labels or {}, choice)
        return found

    def fill(self, table: _Table, answers: Mapping[str, Any], out: dict[str, Any], key: str) -> None:
        for name in table.order:
            if name in table.repeats:
                inner = table.repeats[name]
                instances = answers.get(name) or []
                if not isinstance(instances, list):
                    continue
                for index, instance in enumerate(instances, start=1):
                    if not isinstance(instance, Mapping):
                        continue
                    child_key = f"{key}/{name}[{index}]"
                    row: dict[str, Any] = {"_parent_key": key, "_index": index, "_key": child_key}
                    self.fill(inner, instance, row, child_key)
                    self.rows.setdefault(name, []).append(row)
                continue
            column = table.columns[name]
            value = answers.get(name)
            header = self.header(column)
            kind = column.question.type
            if kind in MULTIPLE_TYPES:
                selected = value.split() if isinstance(value, str) else list(value or [])
                out[header] = " ".join(self.choice_text(column, str(c)) for c in selected) if value else None
                if self.split_multiple:
                    for choice in _choice_names(column, self.forms, self.choices):
                        split_header = f"{header}/{self.choice_text(column, choice)}"
                        out[split_header] = None if value is None else int(choice in selected)
            elif column.question.list_name and kind.startswith("select") and value is not None:
                out[header] = self.choice_text(column, str(value))
            else:
                out[header] = value

    def columns_of(self, table: _Table) -> list[str]:
        headers: list[str] = []
        for name in table.order:
            if name in table.repeats:
                continue
            column = table.columns[name]
            header = self.header(column)
            headers.append(header)
            if column.question.type in MULTIPLE_TYPES and self.split_multiple:
                for choice in _choice_names(column, self.forms, self.choices):
                    headers.append(f"{header}/{self.choice_text(column, choice)}")
        return headers

    def kinds_of(self, table: _Table) -> dict[str, type[int] | type[float]]:
        """Header -> ``int`` or ``float`` for the columns whose values are numbers."""
        kinds: dict[str, type[int] | type[float]] = {}
        for column in table.columns.values():
            header = self.header(column)
            if column.question.type == "integer":
                kinds[header] = int
            elif column.question.type == "decimal":
                kinds[header] = float
            if column.question.type in MULTIPLE_TYPES and self.split_multiple:
                for choice in _choice_names(column, self.forms, self.choices):
                    kinds[f"{header}/{self.choice_text(column, choice)}"] = int
        return kinds

    def dtypes_of(self, table: _Table) -> dict[str, Any]:
        import pandas as pd

        nullable = {int: pd.Int64Dtype(), float: pd.Float64Dtype()}
        return {header: nullable[kind] for header, kind in self.kinds_of(table).items()}


def _frame(rows: list[dict[str, Any]], columns: list[str], dtypes: Mapping[str, Any]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame.from_records(rows, columns=columns) if rows else pd.DataFrame(columns=columns)
    for header, dtype in dtypes.items():
        if header in frame.columns:
            frame[header] = frame[header].astype(dtype)
    return frame


def _all_tables(table: _Table) -> Iterable[_Table]:
    for inner in table.repeats.values():
        yield inner
        yield from _all_tables(inner)


def responses_to_tables(
    forms: Sequence[Form],
    rows: Iterable[Mapping[str, Any]],
    *,
    language: str | None = None,
    labels: bool = False,
    split_multiple: bool = False,
) -> dict[str, pd.DataFrame]:
    """Responses of one form (any of its versions) as tables.

    Args:
        forms: the form's versions, oldest first (columns follow form order; a field of an
            older version only keeps its place next to the fields around it).
        rows: stored responses: dicts with ``instance_id``, ``form_version``,
            ``submitted_at``, ``answers`` and any other metadata (kept as columns).
        language: language name or code for labels (default: the latest version's default).
        labels: True writes field labels as headers and choice labels as values; False
            writes names.
        split_multiple: also write one 0/1 column per choice of each select_multiple,
            headed ``field/choice`` (empty when the question was not answered).

    Returns:
        ``{"main": one row per response, "<repeat name>": one row per instance, ...}``.
        Repeat tables carry ``_parent_key``, ``_index`` (from 1) and ``_key``.
    """
    builder = _Builder(forms, language, labels, split_multiple)
    main_rows: list[dict[str, Any]] = []
    metadata: list[str] = list(METADATA_COLUMNS)
    for row in rows:
        out: dict[str, Any] = {}
        for key, value in row.items():
            if key == "answers":
                continue
            if key not in metadata:
                metadata.append(key)
            out[key] = value
        key = str(row.get("instance_id", len(main_rows)))
        builder.fill(builder.root, row.get("answers") or {}, out, key)
        main_rows.append(out)
    fields = builder.columns_of(builder.root)
    # A metadata column that is also a field (respondent_code) is written once, as the answer.
    tables = {
        MAIN_TABLE: _frame(
            main_rows,
            [name for name in metadata if name not in fields] + fields,
            builder.dtypes_of(builder.root),
        )
    }
    for inner in _all_tables(builder.root):
        tables[_table_key(inner)] = _frame(
            builder.rows.get(inner.name, []),
            ["_parent_key", "_index", "_key", *builder.columns_of(inner)],
            builder.dtypes_of(inner),
        )
    return tables


def table_names(forms: Sequence[Form]) -> list[str]:
    """The tables :func:`responses_to_tables` and :func:`stream_table` make of these versions."""
    root, _ = _layout(forms)
    return [MAIN_TABLE] + [_table_key(inner) for inner in _all_tables(root)]


def _table_key(table: _Table) -> str:
    return table.name if table.name != MAIN_TABLE else f"{MAIN_TABLE}_repeat"


@dataclass
class TableStream:
    """One table of the responses, a row at a time: ``header``, then ``rows`` (lists of values).

    Values are what :func:`responses_to_tables` would hold (integer and 0/1 columns as ``int``,
    decimals as ``float``, no answer as ``None``), read while ``rows`` is iterated: memory holds
    one response at a time, whatever the number of responses.
    """

    header: list[str]
    rows: Iterator[list[Any]]


def stream_table(
    forms: Sequence[Form],
    rows: Iterable[Mapping[str, Any]],
    *,
    table: str = MAIN_TABLE,
    language: str | None = None,
    labels: bool = False,
    split_multiple: bool = False,
) -> TableStream:
    """One table of :func:`responses_to_tables`, row by row (for exports of any size).

    Same arguments; ``table`` names the table (see :func:`table_names`), a ``KeyError`` if
    there is none by that name. The main table's metadata columns are those of the first row.
    """
    builder = _Builder(forms, language, labels, split_multiple)
    tables = {MAIN_TABLE: builder.root, **{_table_key(inner): inner for inner in _all_tables(builder.root)}}
    if table not in tables:
        raise KeyError(table)
    target = tables[table]
    source = iter(rows)
    first = next(source, None)
    stored = source if first is None else chain([first], source)
    fields = builder.columns_of(builder.root)
    if target is builder.root:
        metadata = list(METADATA_COLUMNS)
        for key in first or {}:
            if key != "answers" and key not in metadata:
                metadata.append(key)
        header = [name for name in metadata if name not in fields] + fields
    else:
        header = ["_parent_key", "_index", "_key", *builder.columns_of(target)]
    casts = builder.kinds_of(target)

    def values(record: Mapping[str, Any]) -> list[Any]:
        return [_cast(casts.get(name), record.get(name)) for name in header]

    def produce() -> Iterator[list[Any]]:
        for number, row in enumerate(stored):
            out = {key: value for key, value in row.items() if key != "answers"}
            key = str(row.get("instance_id", number))
            builder.fill(builder.root, row.get("answers") or {}, out, key)
            if target is builder.root:
                yield values(out)
            else:
                yield from (values(inner) for inner in builder.rows.get(target.name, ()))
            builder.rows.clear()

    return TableStream(header, produce())


def _cast(kind: type[int] | type[float] | None, value: Any) -> Any:
    if kind is None or value is None or isinstance(value, bool):
        return value
    if kind is int and isinstance(value, float) and not value.is_integer():
        return value  # not a whole number: written as stored
    try:
        return kind(value)
    except (TypeError, ValueError, OverflowError):
        return value  # written as it was stored, as the data frame would hold it


def write_csv(stream: TableStream, out: TextIO, *, cell: Callable[[str], str] | None = None) -> int:
    """Write a :class:`TableStream` as CSV (comma, minimal quoting, ``\\n``); returns its rows.

    ``cell`` rewrites every text value (e.g. neutralising spreadsheet formulas); floats are
    written as Python writes them, missing values as empty fields, as pandas' ``to_csv`` does.
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(stream.header)
    count = 0
    for row in stream.rows:
        if cell is not None:
            row = [cell(value) if isinstance(value, str) else value for value in row]
        writer.writerow(row)
        count += 1
    return count


def data_dictionary(forms: Sequence[Form], language: str | None = None) -> pd.DataFrame:
    """What each exported column means: table, name, label, type, choices, versions.

    Args:
        forms: the form's versions, oldest first.
        language: language name or code for labels (default: the latest version's default).

    Returns:
        One row per field, in the order of the export's columns; ``choices`` reads
        ``name=label; name=label`` for selects.
    """
    builder = _Builder(forms, language, labels=False, split_multiple=False)
    records: list[dict[str, Any]] = []

    def describe(table: _Table) -> None:
        for name in table.order:
            if name in table.repeats:
                describe(table.repeats[name])
                continue
            column = table.columns[name]
            choices = ""
            if column.question.list_name and column.question.type in ("select_one", *MULTIPLE_TYPES):
                labels = builder.choices.get(column.question.list_name, {})
                choices = "; ".join(
                    f"{choice}={builder.text(text or {}, choice)}" for choice, text in labels.items()
                )
            records.append(
                {
                    "table": table.name,
                    "name": name,
                    "label": builder.text(column.question.label, name),
                    "type": column.question.type,
                    "choices": choices,
                    "versions": " ".join(column.versions),
                }
            )

    describe(builder.root)
    import pandas as pd

    return pd.DataFrame.from_records(
        records, columns=["table", "name", "label", "type", "choices", "versions"]
    )


__all__ = [
    "MAIN_TABLE",
    "TableStream",
    "data_dictionary",
    "responses_to_tables",
    "stream_table",
    "table_names",
    "write_csv",
]
