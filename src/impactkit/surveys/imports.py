"""Responses exported by KoBoToolbox, ODK Central or impactkit itself, read back onto a form version.

:func:`read_responses` takes the export's files (CSV, XLSX, or the ZIP ODK Central gives) and a
form version, and gives one :class:`ImportedResponse` per row of the main table: its instance id,
its answers in impactkit's shape (a repeat is a list of entries, groups are transparent) and what
could not be read, row by row. It stores nothing and judges no answer: the store validates and
stores (:mod:`impactkit.store.imports`), and reports per row.

The columns it understands (``docs/surveys.md`` has the full table):

* **questions** by name (``age``) or by their group path joined by ``/`` (KoBoToolbox:
  ``household/member/age``) or ``-`` (ODK Central: ``household-age``); a repeat's table may name
  them with the repeat's path in front;
* **instance ids** from ``meta/instanceID`` or ``meta-instanceID``, ``KEY`` (ODK Central),
  ``_uuid`` (KoBoToolbox) or ``instance_id`` (impactkit), with or without ``uuid:``;
* **select_multiple** as one column of space-separated choices, or one 0/1 column per choice
  (``services/food``, KoBoToolbox's and ODK Central's split columns); **geopoints** as one column
  or split (``home-Latitude``… in ODK Central, ``_home_latitude``… in KoBoToolbox);
* **repeats** in their own sheet (XLSX) or file (CSV, or inside a ZIP), named after the repeat,
  linked to their parent by ``PARENT_KEY``/``KEY`` (ODK Central), ``_parent_index``/``_index``
  (KoBoToolbox) or ``_parent_key``/``_key`` (impactkit);
* the metadata each tool adds (``_submission_time``, ``SubmissionDate``, ``ReviewState``,
  ``submitted_at``…) is recognised and left aside.

A file whose columns are not the form's (another form, another version, a separator the reader
could not find) is refused with the columns it has and the ones expected, never read as "no data".
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePosixPath
from typing import Any

from impactkit.errors import FileError, Problem
from impactkit.keyed_texts import keyed
from impactkit.surveys.files import Limits, Table, read_table
from impactkit.surveys.model import MULTIPLE_TYPES, Field, Form, Group, Repeat
from impactkit.surveys.table_texts import table_error, table_problem

MAX_ZIP_MEMBERS = 200
"""Most files a ZIP export may hold."""

INSTANCE_ID_COLUMNS = ("meta/instanceID", "meta-instanceID", "instanceID", "KEY", "_uuid", "instance_id")
"""Columns that hold the instance id, the first found is used (main table only)."""

KOBO_COLUMNS = frozenset(
    {
        "_id",
        "_uuid",
        "_submission_time",
        "_validation_status",
        "_notes",
        "_status",
        "_submitted_by",
        "__version__",
        "_version_",
        "_tags",
        "_index",
        "_parent_table_name",
        "_parent_index",
        "_attachments",
        "_geolocation",
        "_xform_id_string",
        "_media_count",
        "_total_media",
        "_media_all_received",
        "formhub/uuid",
        "meta/instanceID",
        "meta/deprecatedID",
        "meta/rootUuid",
        "meta/instanceName",
        "meta/audit",
    }
)
"""Metadata columns of KoBoToolbox's exports (``_submission__…`` ones are recognised too)."""
CENTRAL_COLUMNS = frozenset(
    {
        "SubmissionDate",
        "KEY",
        "PARENT_KEY",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
        "isValidated",
        "instanceID",
        "meta-instanceID",
        "meta-deprecatedID",
        "meta-instanceName",
        "meta-audit",
        "meta-entity",
    }
)
"""Metadata columns of ODK Central's (and ODK Briefcase's) CSV exports (``SET-OF-…`` too)."""
IMPACTKIT_COLUMNS = frozenset(
    {
        "id",
        "instance_id",
        "form_version_id",
        "form_id",
        "form_version",
        "organisation_id",
        "project_id",
        "period_id",
        "wave",
        "respondent_code",
        "weight",
        "content_hash",
        "source",
        "submitted_at",
        "erased_at",
        "version",
        "previous_instance_id",
        "replaced_at",
        "answers_digest",
        "_parent_key",
        "_index",
        "_key",
    }
)
"""Metadata columns of impactkit's own export (the stored response's envelope)."""

_GEO_PARTS = {
    "latitude": 0,
    "longitude": 1,
    "altitude": 2,
    "accuracy": 3,
    "precision": 3,
}
_COMMA_DECIMAL = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$|^-?\d+,\d+$")
_TRUE = frozenset({"1", "1.0", "true", "True", "TRUE", "yes"})
_FALSE = frozenset({"0", "0.0", "false", "False", "FALSE", "no"})
_NEUTRALISED = ("'=", "'+", "'-", "'@", "'\t", "'\r")
_NUMERIC_TYPES = frozenset({"integer", "decimal", "range"})


@dataclass
class ImportedResponse:
    """One row of the main table, read onto the form."""

    row: int
    """The row's number under the header (1 = the first row of answers)."""
    where: str
    """For people: ``export.csv row 12`` or ``Households row 12``."""
    instance_id: str | None
    answers: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    """What could not be read (a split column that is not 0/1, an orphan repeat row...)."""
    columns: dict[str, str] = field(default_factory=dict)
    """Answer location (``answers.household[0].age``) -> the table and column it came from."""


@dataclass
class TableReport:
    """One table of the export: which it is, how it was read, what its columns became."""

    name: str
    """The file, or ``file: sheet``."""
    scope: str
    """``main`` or the repeat's name."""
    dialect: str
    rows: int
    columns: dict[str, str]
    """Column -> what it fills (a field name, ``field/choice``, ``id``, ``metadata``...)."""


@dataclass
class ResponseImport:
    """What an export holds for a form version."""

    form_id: str
    form_version: str
    source: str
    """``KoBoToolbox``, ``ODK Central`` or ``impactkit`` (from its columns)."""
    responses: list[ImportedResponse]
    tables: list[TableReport]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Target:
    """What a column fills in one scope."""

    kind: str
    """``field``, ``choice`` (a split select_multiple column), ``geo`` (a geopoint part)."""
    field: Field
    part: str = ""
    """The choice name, or the geopoint part's index."""


@dataclass
class _Scope:
    """The fields of the form or of one repeat (groups flattened), and how columns name them."""

    name: str
    """``main`` or the repeat's name."""
    repeat: Repeat | None
    path: tuple[str, ...]
    """Element names from the root to the repeat (groups included)."""
    fields: dict[str, Field] = field(default_factory=dict)
    headers: dict[str, list[_Target]] = field(default_factory=dict)
    children: list[_Scope] = field(default_factory=list)
    parent: _Scope | None = None


def _scopes(form: Form) -> _Scope:
    root = _Scope("main", None, ())

    def visit(elements: Sequence[Field | Group | Repeat], scope: _Scope, inside: tuple[str, ...]) -> None:
        for element in elements:
            if isinstance(element, Group):
                visit(element.children, scope, (*inside, element.name))
            elif isinstance(element, Repeat):
                path = (*scope.path, *inside, element.name)
                child = _Scope(element.name, element, path, parent=scope)
                scope.children.append(child)
                visit(element.children, child, ())
            else:
                scope.fields[element.name] = element
                _name_columns(form, scope, element, (*scope.path, *inside, element.name))

    visit(form.children, root, ())
    return root


def _name_columns(form: Form, scope: _Scope, item: Field, path: tuple[str, ...]) -> None:
    """Every header a tool may give ``item``: each tail of its path, joined by ``/`` or ``-``."""
    spellings: set[str] = set()
    for start in range(len(path)):
        tail = path[start:]
        spellings.update({"/".join(tail), "-".join(tail), ".".join(tail)})
    for spelling in spellings:
        scope.headers.setdefault(spelling, []).append(_Target("field", item))
        if item.type in MULTIPLE_TYPES:
            for choice in form.choices_of(item):
                for joiner in ("/", "-", "."):
                    scope.headers.setdefault(f"{spelling}{joiner}{choice.name}", []).append(
                        _Target("choice", item, choice.name)
                    )
        if item.type == "geopoint":
            for part, index in _GEO_PARTS.items():
                for header in (f"{spelling}-{part.capitalize()}", f"{spelling}/{part}"):
                    scope.headers.setdefault(header, []).append(_Target("geo", item, str(index)))
            head, _, last = spelling.rpartition("/")
            for part, index in _GEO_PARTS.items():
                kobo = f"_{last}_{part}" if not head else f"{head}/_{last}_{part}"
                scope.headers.setdefault(kobo, []).append(_Target("geo", item, str(index)))


def _all_scopes(scope: _Scope) -> Iterable[_Scope]:
    yield scope
    for child in scope.children:
        yield from _all_scopes(child)


# --- reading the files ----------------------------------------------------------------------


@dataclass
class _Table:
    label: str
    stem: str
    """The file's name without extension, or the sheet's name."""
    table: Table
    first_sheet: bool = True


def _tables(files: Sequence[tuple[str, bytes]], limits: Limits) -> list[_Table]:
    """Every table the files hold: CSV files, each sheet of an XLSX workbook, a ZIP's members."""
    found: list[_Table] = []
    for name, data in files:
        if name.lower().endswith(".zip") or (data[:4] == b"PK\x03\x04" and _is_plain_zip(data)):
            found.extend(_tables(_zip_members(name, data, limits), limits))
            continue
        table = read_table(data, name=name, limits=limits, numbers=False)
        stem = PurePosixPath(name).stem
        if table.dialect.kind == "xlsx":
            first = table.dialect.sheet or ""
            found.append(_Table(f"{name}: {first}", first, table, True))
            for sheet in _other_sheets(data, first):
                try:
                    other = read_table(data, name=name, sheet=sheet, limits=limits, numbers=False)
                except FileError as error:
                    if "has a header but no rows" in error.message or "is empty" in error.message:
                        continue  # a repeat nobody answered: an empty sheet
                    raise
                found.append(_Table(f"{name}: {sheet}", sheet, other, False))
        else:
            found.append(_Table(name, stem, table))
    return found


def _is_plain_zip(data: bytes) -> bool:
    """True for a ZIP that is not a workbook (no ``[Content_Types].xml``)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "[Content_Types].xml" not in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _zip_members(name: str, data: bytes, limits: Limits) -> list[tuple[str, bytes]]:
    """The CSV and XLSX files inside an export ZIP (ODK Central's), within the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise table_error(
            "import_error_not_zip", [table_problem("import_problem_zip", name, code="zip")], file=name
        ) from None
    with archive:
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and info.filename.lower().endswith((".csv", ".xlsx"))
            and "/media/" not in f"/{info.filename}"
        ]
        if len(members) > MAX_ZIP_MEMBERS:
            raise table_error(
                "import_error_too_many_files",
                [
                    table_problem(
                        "import_problem_files",
                        name,
                        code="zip",
                        count=len(members),
                        max_files=MAX_ZIP_MEMBERS,
                    )
                ],
                file=name,
            )
        total = sum(info.file_size for info in members)
        if total > limits.max_unzipped_bytes:
            raise table_error(
                "import_error_too_large_unpacked",
                [
                    table_problem(
                        "table_problem_bytes",
                        name,
                        code="zip",
                        size=total,
                        max_bytes=limits.max_unzipped_bytes,
                    )
                ],
                file=name,
            )
        if not members:
            raise table_error(
                "import_error_no_tables", [table_problem("import_problem_export_files", name)], file=name
            )
        out: list[tuple[str, bytes]] = []
        for info in members:
            if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
                raise table_error(
                    "table_error_zip_bomb",
                    [
                        table_problem(
                            "import_problem_inflates",
                            name,
                            member=info.filename,
                            ratio=round(info.file_size / info.compress_size),
                        )
                    ],
                    file=name,
                )
            with archive.open(info) as member:
                content = member.read(info.file_size + 1)
            if len(content) > info.file_size:
                raise table_error(
                    "table_error_damaged",
                    [table_problem("import_problem_longer", name, member=info.filename)],
                    file=name,
                )
            out.append((PurePosixPath(info.filename).name, content))
        return out


def _other_sheets(data: bytes, first: str) -> list[str]:
    """The workbook's sheet names after the first (read once the workbook passed read_table's
    checks, which bound what it inflates)."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [name for name in workbook.sheetnames if name != first]
    finally:
        workbook.close()


# --- the columns ----------------------------------------------------------------------------


def _is_metadata(header: str, known: frozenset[str]) -> bool:
    return (
        header in known
        or header in KOBO_COLUMNS
        or header in CENTRAL_COLUMNS
        or header in IMPACTKIT_COLUMNS
        or header.startswith(("_submission_", "SET-OF-", "meta/", "meta-"))
    )


def _source_of(headers: Iterable[str]) -> str:
    names = set(headers)
    if names & {"_uuid", "_submission_time", "_index", "_parent_index", "_id"}:
        return "KoBoToolbox"
    if names & {"KEY", "SubmissionDate", "PARENT_KEY", "ReviewState"}:
        return "ODK Central"
    if names & {"instance_id", "_parent_key", "_key", "submitted_at"}:
        return "impactkit"
    return "a table"


def _map_columns(
    scope: _Scope, table: _Table, known: frozenset[str]
) -> tuple[dict[str, _Target], dict[str, str], list[Problem]]:
    """Column -> what it fills, the table's report, and the columns that fit nothing."""
    mapping: dict[str, _Target] = {}
    report: dict[str, str] = {}
    problems: list[Problem] = []
    unknown: list[str] = []
    for header in table.table.frame.columns:
        header = str(header)
        targets = scope.headers.get(header)
        if targets:
            distinct = {(t.kind, t.field.name, t.part) for t in targets}
            if len(distinct) > 1:
                problems.append(
                    table_problem(
                        "import_problem_ambiguous_column",
                        f"{table.label}: column {header!r}",
                        code="ambiguous_column",
                        column=header,
                        fields=", ".join(sorted({t.field.name for t in targets})),
                    )
                )
                continue
            target = targets[0]
            mapping[header] = target
            report[header] = (
                target.field.name
                if target.kind == "field"
                else f"{target.field.name}/{target.part}"
                if target.kind == "choice"
                else f"{target.field.name} ({_part_name(target.part)})"
            )
        elif header in INSTANCE_ID_COLUMNS and scope.repeat is None:
            report[header] = "instance id"
        elif _is_metadata(header, known):
            report[header] = "metadata"
        else:
            unknown.append(header)
    if unknown:
        expected = sorted(scope.fields)[:40]
        problem = table_problem(
            "import_problem_unknown_columns",
            f"{table.label}: columns",
            code="unknown_columns",
            count=len(unknown),
            scope=_scope_words(scope),
            names=", ".join(repr(h) for h in unknown[:20]) + ("…" if len(unknown) > 20 else ""),
            questions=", ".join(expected) + ("…" if len(scope.fields) > 40 else ""),
        )
        problem.details["columns"] = unknown  # the API gives them as a list too
        problems.append(problem)
    return mapping, report, problems


def _part_name(index: str) -> str:
    return ("latitude", "longitude", "altitude", "accuracy")[int(index)]


def _scope_words(scope: _Scope) -> dict[str, Any]:
    """The form or one of its repeats, as a keyed text (written in the reader's language)."""
    return (
        keyed("import_scope_form") if scope.repeat is None else keyed("import_scope_repeat", name=scope.name)
    )


def _which_scope(root: _Scope, table: _Table) -> _Scope | None:
    """The repeat a non-first table holds: by sheet or file name, or by a SET-OF column."""
    repeats = [scope for scope in _all_scopes(root) if scope.repeat is not None]
    stem = table.stem
    for scope in repeats:
        name = scope.name
        if stem in (name, name[:31]) or stem.endswith((f"-{name}", f"_{name}", f".{name}")):
            return scope
    columns = {str(c) for c in table.table.frame.columns}
    for scope in repeats:
        if f"SET-OF-{scope.name}" in columns:
            return scope
    return None


# --- values ---------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    """A cell as the text an answer is read from (None when empty)."""
    if type(value) is str:  # the usual cell: a CSV's text
        text = value.strip()
        if not text:
            return None
        return text[1:] if text.startswith(_NEUTRALISED) else text
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    text = str(value).strip()
    if not text:
        return None
    if text.startswith(_NEUTRALISED):
        text = text[1:]  # impactkit's exports guard text a spreadsheet would run as a formula
    return text


def _answer(item: Field, text: str, comma_decimals: bool) -> Any:
    if item.type in _NUMERIC_TYPES and comma_decimals and _COMMA_DECIMAL.match(text):
        return text.replace(".", "").replace(",", ".")
    if item.type in MULTIPLE_TYPES:
        return text.split()
    return text


# --- rows -----------------------------------------------------------------------------------


@dataclass
class _Row:
    index: int
    key: str | None
    parent: str | None
    answers: dict[str, Any]
    columns: dict[str, str]
    problems: list[Problem]
    where: str


def _read_rows(scope: _Scope, table: _Table, mapping: Mapping[str, _Target], root_name: str) -> list[_Row]:
    frame = table.table.frame
    comma_decimals = table.table.dialect.kind == "csv" and table.table.dialect.separator != ","
    headers = [str(c) for c in frame.columns]
    link = _link_columns(headers, scope.repeat is not None)
    rows: list[_Row] = []
    label = table.label
    position = {header: number for number, header in enumerate(headers)}
    plan = [(position[header], header, target, target.field.name) for header, target in mapping.items()]
    linked = link.style != "none"
    for index, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        where = f"{label} row {index}"
        answers: dict[str, Any] = {}
        columns: dict[str, str] = {}
        problems: list[Problem] = []
        split: dict[str, dict[str, bool]] = {}
        geo: dict[str, list[str | None]] = {}
        for column, header, target, name in plan:
            text = _text(values[column])
            if target.kind == "field":
                if text is not None:
                    answers[name] = _answer(target.field, text, comma_decimals)
                    columns[name] = header
            elif target.kind == "choice":
                if text is None:
                    continue
                if text in _TRUE or text in _FALSE:
                    split.setdefault(name, {})[target.part] = text in _TRUE
                    columns.setdefault(name, header)
                else:
                    problems.append(
                        table_problem(
                            "import_problem_not_a_flag",
                            f"{where}, column {header!r}",
                            code="not_a_flag",
                            text=text,
                        )
                    )
            elif text is not None:
                parts = geo.setdefault(name, [None] * 4)
                if comma_decimals and _COMMA_DECIMAL.match(text):
                    text = text.replace(".", "").replace(",", ".")
                parts[int(target.part)] = text
                columns.setdefault(name, header)
        for name, chosen in split.items():
            if name not in answers:  # the one column, when the export has it too, wins
                answers[name] = [choice for choice, on in chosen.items() if on]
        for name, parts in geo.items():
            if name not in answers and parts[0] is not None and parts[1] is not None:
                answers[name] = " ".join(p for p in parts if p is not None)
        key, parent = (
            _keys(link, dict(zip(headers, values, strict=True)), table, index, root_name)
            if linked
            else (None, None)
        )
        rows.append(_Row(index, key, parent, answers, columns, problems, where))
    return rows


@dataclass(frozen=True)
class _Link:
    key: str | None
    parent: str | None
    style: str
    """``central`` (KEY/PARENT_KEY), ``impactkit`` (_key/_parent_key), ``kobo`` (_index/_parent_index)."""


def _link_columns(headers: list[str], repeat: bool) -> _Link:
    names = set(headers)
    if "PARENT_KEY" in names or ("KEY" in names and not repeat):
        return _Link("KEY" if "KEY" in names else None, "PARENT_KEY" if repeat else None, "central")
    if "_parent_key" in names or "_key" in names:
        return _Link("_key" if "_key" in names else None, "_parent_key" if repeat else None, "impactkit")
    if "_parent_index" in names or "_index" in names:
        return _Link("_index" if "_index" in names else None, "_parent_index" if repeat else None, "kobo")
    return _Link(None, None, "none")


def _keys(
    link: _Link, cells: Mapping[str, Any], table: _Table, index: int, root: str
) -> tuple[str | None, str | None]:
    key = _text(cells.get(link.key)) if link.key else None
    parent = _text(cells.get(link.parent)) if link.parent else None
    if link.style == "kobo":
        # KoBoToolbox numbers the rows of each sheet; a repeat row names its parent sheet and row.
        key = f"{table.stem}#{key or index}"
        if parent is not None:
            parent_table = _text(cells.get("_parent_table_name")) or root
            parent = f"{parent_table}#{parent}"
    return key, parent


# --- the import -----------------------------------------------------------------------------


def read_responses(
    form: Form,
    files: Sequence[tuple[str, bytes]],
    *,
    known_columns: Iterable[str] = (),
    limits: Limits | None = None,
) -> ResponseImport:
    """Read an export's files onto ``form``.

    Args:
        form: the form version the answers are for.
        files: ``(file name, bytes)``: the main table first (a CSV, an XLSX whose first sheet
            is the main table and whose other sheets are repeats, or ODK Central's ZIP), then
            any repeat tables (files named after their repeat: ``household.csv``,
            ``form-household.csv``).
        known_columns: more columns to leave aside as metadata.
        limits: bounds on each file (default :class:`Limits`, raised rows for large exports).

    Returns:
        One :class:`ImportedResponse` per row of the main table, with what each table held.

    Raises:
        FileError: a file cannot be read, a table is not the form's (unknown columns, named
            with the expected ones), the main table has no instance ids, a repeat table has no
            link to its parent, or a table belongs to no repeat of the form.
    """
    if not files:
        raise table_error("import_error_no_file", [table_problem("import_problem_main_file", "files")])
    limits = limits or Limits()
    known = frozenset(known_columns)
    tables = _tables(files, limits)
    root = _scopes(form)
    main = tables[0]
    others = tables[1:]
    problems: list[Problem] = []
    reports: list[TableReport] = []

    main_mapping, main_report, main_problems = _map_columns(root, main, known)
    problems += main_problems
    headers = [str(c) for c in main.table.frame.columns]
    id_column = next((c for c in INSTANCE_ID_COLUMNS if c in headers), None)
    if id_column is None:
        problems.append(
            table_problem(
                "import_problem_no_instance_ids",
                f"{main.label}: columns",
                code="no_instance_ids",
                columns=", ".join(INSTANCE_ID_COLUMNS),
            )
        )
    if not main_mapping and len(headers) == 1 and re.search(r"[,;\t|]", headers[0]):
        problems.append(
            table_problem(
                "import_problem_separator", f"{main.label}: line 1", code="separator", header=headers[0][:60]
            )
        )
    assigned: list[tuple[_Scope, _Table, dict[str, _Target]]] = []
    for table in others:
        scope = _which_scope(root, table)
        if scope is None:
            repeats = [s.name for s in _all_scopes(root) if s.repeat is not None]
            problems.append(
                table_problem(
                    "import_problem_table_of_repeat",
                    table.label,
                    code="unknown_table",
                    repeats=", ".join(repeats),
                )
                if repeats
                else table_problem("import_problem_no_repeats", table.label, code="unknown_table")
            )
            continue
        mapping, report, table_problems = _map_columns(scope, table, known)
        problems += table_problems
        link = _link_columns([str(c) for c in table.table.frame.columns], True)
        if link.parent is None:
            problems.append(
                table_problem(
                    "import_problem_no_parent_column", f"{table.label}: columns", code="no_parent_column"
                )
            )
        assigned.append((scope, table, mapping))
        reports.append(
            TableReport(table.label, scope.name, table.table.dialect.describe(), table.table.rows, report)
        )
    if problems:
        raise table_error("import_error_does_not_fit", problems, form=form.form_id, version=form.version)

    reports.insert(
        0, TableReport(main.label, "main", main.table.dialect.describe(), main.table.rows, main_report)
    )
    root_name = main.stem
    main_rows = _read_rows(root, main, main_mapping, root_name)
    responses: list[ImportedResponse] = []
    parents: dict[str, _Parent] = {}
    assert id_column is not None  # refused above otherwise
    id_position = headers.index(id_column)
    answer_of = {name: f"answers.{name}" for name in {t.field.name for t in main_mapping.values()}}
    column_of = {header: f"{main.label}, column {header!r}" for header in main_mapping}
    for row, cells in zip(main_rows, main.table.frame.itertuples(index=False, name=None), strict=True):
        raw_id = _text(cells[id_position])
        instance_id = raw_id[5:] if raw_id is not None and raw_id[:5].lower() == "uuid:" else raw_id
        response = ImportedResponse(row.index, row.where, instance_id, row.answers, row.problems)
        response.columns = {answer_of[name]: column_of[header] for name, header in row.columns.items()}
        if instance_id is None:
            response.problems.append(
                table_problem(
                    "import_problem_no_instance_id", row.where, code="no_instance_id", column=id_column
                )
            )
        responses.append(response)
        for key in {row.key, raw_id, instance_id, f"uuid:{instance_id}" if instance_id else None}:
            if key:
                parents[key] = _Parent(row.answers, "answers.", response)
    orphans = _attach(sorted(assigned, key=lambda item: len(item[0].path)), parents, root_name)
    if orphans:
        raise table_error("import_error_orphans", orphans[:20], count=len(orphans))
    notes = [f"{table.label}: {note}" for table in tables for note in table.table.notes]
    return ResponseImport(form.form_id, form.version, _source_of(headers), responses, reports, notes)


@dataclass
class _Parent:
    """A row repeat rows may hang from: its answers, their location, the response it is in."""

    answers: dict[str, Any]
    location: str
    response: ImportedResponse


def _attach(
    assigned: Sequence[tuple[_Scope, _Table, dict[str, _Target]]], parents: dict[str, _Parent], root_name: str
) -> list[Problem]:
    """Hang each repeat row under its parent row, in the order of its table; -> orphan rows."""
    orphans: list[Problem] = []
    for scope, table, mapping in assigned:
        for row in _read_rows(scope, table, mapping, root_name):
            parent = parents.get(row.parent or "")
            if parent is None:
                orphans.append(
                    table_problem(
                        "import_problem_orphan_row", row.where, code="orphan_row", parent=row.parent
                    )
                )
                continue
            entries = parent.answers.setdefault(scope.name, [])
            location = f"{parent.location}{scope.name}[{len(entries)}]."
            entries.append(row.answers)
            response = parent.response
            response.problems.extend(row.problems)
            for name, header in row.columns.items():
                response.columns[f"{location}{name}"] = f"{table.label}, column {header!r}"
            if row.key:
                parents[row.key] = _Parent(row.answers, location, response)
    return orphans
