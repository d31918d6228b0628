"""Importing answers collected elsewhere (KoBoToolbox, ODK Central, impactkit's own export) from a
project's page: choose the form version and the files, check them first (a dry run stores nothing
and shows every row's problems by row and column), then import.

The files are read and stored by :func:`impactkit.store.imports.import_responses`, exactly as the
CLI and ``POST /api/v1/responses/import`` do; editors and owners of the project's organisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Template

from impactkit.api.access import Principal
from impactkit.api.deps import DB
from impactkit.api.imports import HTTP_IMPORT_LIMITS, MAX_IMPORT_BYTES
from impactkit.api.pages._i18n import has_message, translate
from impactkit.api.pages.organisation._lookup import organisation_for, period_for, project_for
from impactkit.api.pages.organisation.projects import periods_of
from impactkit.api.pages.rendering import (
    Me,
    PageRequest,
    error_text,
    form_int,
    form_text,
    language_of,
    message,
    problem_text,
    render,
)
from impactkit.api.surveys import writable_organisations
from impactkit.domain import MemberRole
from impactkit.errors import FileError, ImpactkitError, Problem
from impactkit.store.admin import audit
from impactkit.store.imports import ImportReport, import_responses
from impactkit.store.surveys import list_form_versions
from impactkit.store.tables import Project

SHOWN_ROWS = 500
"""Rows not stored listed on the page (the counts cover them all; the API lists every one)."""
_STATUSES = ("valid", "stored", "already_stored", "conflict", "erased", "refused")


def _uploads(data: dict[str, Any]) -> list[UploadFile]:
    value = data.get("files")
    items: Sequence[Any] = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, UploadFile) and item.filename]


def _report_rows(report: ImportReport, language: str) -> list[dict[str, Any]]:
    """One line per problem of each row not stored (a row without problems gets one line too)."""
    lines: list[dict[str, Any]] = []
    for row in report.rows:
        if row.status in ("stored", "already_stored", "valid"):
            continue
        problems = row.problems or [{"location": "", "column": None, "message": "", "code": row.status}]
        for problem in problems:
            code = str(problem.get("code") or "invalid")
            text = problem_text(
                Problem(
                    str(problem.get("message") or ""),
                    str(problem.get("location") or ""),
                    str(problem.get("code") or "invalid"),
                    {k: v for k, v in (problem.get("details") or {}).items()},
                ),
                language,
            )
            if language != "en" and has_message(f"import_code_{code}"):
                plain = translate(f"import_code_{code}", language)
                text = f"{plain} ({text})" if text else plain
            lines.append(
                {
                    "row": row.row,
                    "where": row.where,
                    "instance_id": row.instance_id or "",
                    "status": row.status,
                    "answer": str(problem.get("location") or ""),
                    "column": str(problem.get("column") or ""),
                    "message": text or message(f"import_why_{row.status}", language),
                }
            )
    return lines


def _context(db: DB, me: Principal, project: Project, **extra: Any) -> dict[str, Any]:
    return {
        "organisation": organisation_for(db, me, project.organisation_id),
        "project": project,
        "periods": periods_of(db, project.id or 0),
        "forms": list_form_versions(db, [project.organisation_id]),
        "values": {},
        "report": None,
        "counts": [],
        "lines": [],
        "hidden_lines": 0,
        "error": None,
        "problems": [],
        **extra,
    }


@get("/app/projects/{project_id:int}/imports", sync_to_thread=True)
def imports_page(
    request: PageRequest,
    db: DB,
    me: Me,
    project_id: FromPath[int],
    form_version_id: FromQuery[int | None] = None,
) -> Template:
    """The import form: form version, period, wave, the export's files."""
    project = project_for(db, me, project_id, MemberRole.editor)
    values = {"form_version_id": form_version_id} if form_version_id is not None else {}
    return render(request, "organisation/imports.html", me, **_context(db, me, project, values=values))


@post(
    "/app/projects/{project_id:int}/imports",
    sync_to_thread=True,
    status_code=200,
    request_max_body_size=MAX_IMPORT_BYTES,
)
def import_files(
    request: PageRequest,
    db: DB,
    me: Me,
    project_id: FromPath[int],
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Template:
    """Check (``action=check``: a dry run) or import the files; the page shows what became of each row."""
    project = project_for(db, me, project_id, MemberRole.editor)
    language = language_of(request)
    dry_run = str(data.get("action") or "check") != "import"
    values: dict[str, Any] = {}
    try:
        form_version_id = form_int(data, "form_version_id", required=True)
        period_id = form_int(data, "period_id")
        wave = form_text(data, "wave", max_length=20) or None
        values = {"form_version_id": form_version_id, "period_id": period_id, "wave": wave or ""}
        if period_id is not None:
            period_for(db, project, period_id)
        uploads = _uploads(data)
        if not uploads:
            raise FileError("import_no_file", [Problem("choose the export's files", "files", "required")])
        files: list[tuple[str, bytes]] = [(upload.filename, upload.file.read()) for upload in uploads]
        assert form_version_id is not None
        report = import_responses(
            db,
            form_version_id=form_version_id,
            project_id=project_id,
            period_id=period_id,
            wave=wave,
            files=files,
            allowed_organisations=writable_organisations(me),
            dry_run=dry_run,
            limits=HTTP_IMPORT_LIMITS,
        )
    except ImpactkitError as exc:
        text = error_text(exc, language)
        return render(
            request,
            "organisation/imports.html",
            me,
            exc.status_code if 400 <= exc.status_code < 500 else 422,
            **_context(
                db,
                me,
                project,
                values=values,
                error=text,
                problems=[{"where": p.location, "message": problem_text(p, language)} for p in exc.problems],
            ),
        )
    if not dry_run:
        audit(
            db,
            "responses.imported",
            actor_user_id=me.user_id,
            organisation_id=project.organisation_id,
            target=f"project:{project_id}",
            details={
                "form": f"{report.form_id}@{report.form_version}",
                "source": report.source,
                "files": [name for name, _ in files],
                **report.counts,
            },
        )
    counts = report.counts
    lines = _report_rows(report, language)
    return render(
        request,
        "organisation/imports.html",
        me,
        **_context(
            db,
            me,
            project,
            values=values,
            report=report,
            counts=[(status, counts[status]) for status in _STATUSES if counts.get(status)],
            lines=lines[:SHOWN_ROWS],
            hidden_lines=max(0, len(lines) - SHOWN_ROWS),
            files=[name for name, _ in files],
        ),
    )


ROUTES = [imports_page, import_files]
