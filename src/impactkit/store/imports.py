"""Importing an export (KoBoToolbox, ODK Central, impactkit) into a project: every row validated,
stored once, and a report of what became of each row.

The files are read by :func:`impactkit.surveys.imports.read_responses` (pure); each row is then a
submission like any other (:func:`impactkit.store.surveys.store_responses`): validated against the
form version, stored once by its instance id (importing the same file again stores nothing new),
in chunks that are each committed, so a large file's accepted rows are durable as they go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from impactkit.errors import NotFoundError, Problem, ResponseError
from impactkit.store.surveys import Submission, form_of, normalise_instance_id, store_responses
from impactkit.store.tables import FormVersion, Project, SurveyResponse
from impactkit.surveys.files import Limits
from impactkit.surveys.imports import ImportedResponse, TableReport, read_responses
from impactkit.surveys.validation import validate_response

CHUNK = 1_000
"""Rows stored (and committed) together."""
IMPORT_SOURCE = "import"
"""The ``source`` of an imported response."""


@dataclass
class RowOutcome:
    """What became of one row of the main table."""

    row: int
    where: str
    instance_id: str | None
    status: str
    """stored | already_stored | conflict | erased | refused (answers or the row itself) |
    valid (a dry run found nothing wrong)"""
    problems: list[dict[str, Any]] = field(default_factory=list)
    """Each with ``location`` (the answer), ``column`` (where it came from), ``message``, ``code``."""


@dataclass
class ImportReport:
    """The import of one export into one project."""

    form_id: str
    form_version: str
    source: str
    tables: list[TableReport]
    rows: list[RowOutcome]
    notes: list[str]
    dry_run: bool

    @property
    def counts(self) -> dict[str, int]:
        """Rows per status."""
        found: dict[str, int] = {}
        for row in self.rows:
            found[row.status] = found.get(row.status, 0) + 1
        return found


def _problems(response: ImportedResponse, problems: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for problem in problems:
        location = str(problem.get("location") or "")
        item = dict(problem)
        column = response.columns.get(location)
        if column is None and location.startswith("answers."):
            column = next(
                (where for answer, where in response.columns.items() if location.startswith(answer)), None
            )
        item["column"] = column
        out.append(item)
    return out


def import_responses(
    session: Session,
    *,
    form_version_id: int,
    project_id: int,
    files: Sequence[tuple[str, bytes]],
    allowed_organisations: set[int] | None,
    period_id: int | None = None,
    wave: str | None = None,
    dry_run: bool = False,
    limits: Limits | None = None,
) -> ImportReport:
    """Read an export and store its rows as responses of ``form_version_id`` in ``project_id``.

    Args:
        files: ``(file name, bytes)``, the main table first (see ``read_responses``).
        allowed_organisations: organisations the caller may write to (None: any).
        dry_run: check every row and store nothing.

    Returns:
        The report: each row's fate, with its problems located at the answer and the column.

    Raises:
        NotFoundError: the form version or the project is not the caller's.
        FileError: the files cannot be read as an export of that form version.
    """
    version = session.get(FormVersion, form_version_id)
    project = session.get(Project, project_id)
    if project is None or (
        allowed_organisations is not None and project.organisation_id not in allowed_organisations
    ):
        raise NotFoundError(f"project {project_id} not found")
    if version is None or version.organisation_id not in (None, project.organisation_id):
        raise NotFoundError(f"form version {form_version_id} not found")
    form = form_of(version)
    imported = read_responses(form, files, known_columns=SurveyResponse.model_fields.keys(), limits=limits)
    outcomes: list[RowOutcome] = []
    batch: list[tuple[ImportedResponse, RowOutcome, Submission]] = []

    def flush() -> None:
        if not batch:
            return
        results = store_responses(
            session, [submission for _, _, submission in batch], allowed_organisations=allowed_organisations
        )
        session.commit()
        for (response, outcome, _), result in zip(batch, results, strict=True):
            outcome.status = "refused" if result.status in ("invalid", "not_found") else result.status
            outcome.problems = _problems(response, result.errors)
        batch.clear()

    for response in imported.responses:
        outcome = RowOutcome(response.row, response.where, response.instance_id, "refused")
        outcomes.append(outcome)
        problems = [problem.as_dict() for problem in response.problems]
        instance_id: str | None = None
        if response.instance_id is not None:
            try:
                instance_id = normalise_instance_id(response.instance_id)
            except ValueError:
                problems.append(
                    Problem(
                        f"the instance id {response.instance_id!r} is not a UUID",
                        location="instance_id",
                        code="bad_instance_id",
                    ).as_dict()
                )
        outcome.instance_id = instance_id or response.instance_id
        if problems or instance_id is None:
            outcome.problems = _problems(response, problems)
            continue
        if dry_run:
            try:
                validate_response(form, response.answers)
                outcome.status = "valid"
            except ResponseError as error:
                outcome.problems = _problems(response, [p.as_dict() for p in error.problems])
            continue
        submission = Submission(
            instance_id=instance_id,
            form_id=version.form_id,
            form_version=version.version,
            project_id=project_id,
            answers=response.answers,
            period_id=period_id,
            wave=wave,
            source=IMPORT_SOURCE,
        )
        batch.append((response, outcome, submission))
        if len(batch) >= CHUNK:
            flush()
    flush()
    return ImportReport(
        imported.form_id,
        imported.form_version,
        imported.source,
        imported.tables,
        outcomes,
        imported.notes,
        dry_run,
    )
