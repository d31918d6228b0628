"""Import route: an export of KoBoToolbox, ODK Central or impactkit, stored as responses of a form version.

``POST /api/v1/responses/import`` (multipart: ``files`` — the main table first, then repeat
tables, or ODK Central's ZIP — with ``form_version_id``, ``project_id``, optional ``period_id``,
``wave``, ``dry_run``) for the owners and editors of the project's organisation. The rows are
read by :mod:`impactkit.surveys.imports` and stored by :mod:`impactkit.store.imports`; the answer
counts each status and lists every row that was not stored, with its problems located at the
answer and at the file's column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Controller, post
from litestar.datastructures import UploadFile
from litestar.params import MultipartBody
from pydantic import BaseModel

from impactkit.api.deps import DB, Caller
from impactkit.api.surveys import writable_organisations
from impactkit.errors import FileError, Problem
from impactkit.store.admin import audit
from impactkit.store.imports import import_responses
from impactkit.surveys.files import Limits

MAX_IMPORT_BYTES = 64 * 1024 * 1024
"""Largest request this route takes (the files together): a 100,000-row export fits."""
HTTP_IMPORT_LIMITS = Limits(max_rows=100_000)
"""Rows an import over HTTP (this route and the import page) reads from one file. The import
reads and checks a whole file in memory (about 3.6 KiB per row of a 36-column export): 100,000
rows keep a server's peak near 370 MiB; larger exports go through ``impactkit responses import``
(1,000,000 rows)."""


@dataclass
class ImportUpload:
    """The form fields of an import."""

    form_version_id: int
    project_id: int
    files: list[UploadFile] = field(default_factory=list)
    period_id: int | None = None
    wave: str | None = None
    dry_run: bool = False


class ImportedTableOut(BaseModel):
    name: str
    scope: str
    dialect: str
    rows: int
    columns: dict[str, str]


class ImportedRowOut(BaseModel):
    row: int
    where: str
    instance_id: str | None
    status: str
    problems: list[dict[str, Any]]


class ImportOut(BaseModel):
    """What became of an export: counts per status, the tables read, the rows not stored."""

    form_id: str
    form_version: str
    source: str
    dry_run: bool
    rows: int
    counts: dict[str, int]
    tables: list[ImportedTableOut]
    notes: list[str]
    not_stored: list[ImportedRowOut]
    """Rows refused (with why), in conflict with what is stored, or erased."""


class ImportController(Controller):
    tags = ["responses"]

    @post(
        "/api/v1/responses/import",
        summary="Import a KoBoToolbox, ODK Central or impactkit export as responses (owner, editor)",
        sync_to_thread=True,
        status_code=200,
        request_max_body_size=MAX_IMPORT_BYTES,
    )
    def import_(self, data: MultipartBody[ImportUpload], principal: Caller, db: DB) -> ImportOut:
        files = [
            (upload.filename or f"file-{index + 1}", upload.file.read())
            for index, upload in enumerate(data.files)
        ]
        if not files:
            raise FileError(
                "no file was sent",
                [Problem("expected the export's files in the form field 'files'", "files", code="no_file")],
            )
        report = import_responses(
            db,
            form_version_id=data.form_version_id,
            project_id=data.project_id,
            period_id=data.period_id,
            wave=data.wave or None,
            files=files,
            allowed_organisations=writable_organisations(principal),
            dry_run=data.dry_run,
            limits=HTTP_IMPORT_LIMITS,
        )
        counts = report.counts
        if not data.dry_run:
            audit(
                db,
                "responses.imported",
                actor_user_id=principal.user_id,
                target=f"project:{data.project_id}",
                details={
                    "form": f"{report.form_id}@{report.form_version}",
                    "source": report.source,
                    **counts,
                },
            )
        return ImportOut(
            form_id=report.form_id,
            form_version=report.form_version,
            source=report.source,
            dry_run=report.dry_run,
            rows=len(report.rows),
            counts=counts,
            tables=[ImportedTableOut(**vars(table)) for table in report.tables],
            notes=report.notes,
            not_stored=[
                ImportedRowOut(**vars(row))
                for row in report.rows
                if row.status not in ("stored", "already_stored", "valid")
            ],
        )


IMPORT_CONTROLLERS = [ImportController]
