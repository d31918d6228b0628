"""The organisation's social report: create it for a period, write its sections (one form per section
of the Decree of 4 July 2019), attach the evaluator's SROI value map, choose an accredited evaluator,
submit, and read the evaluator's comments. The structured bilancio sociale sections extend this
module."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import yaml
from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlmodel import select

from impactkit.api.access import Principal, require_member
from impactkit.api.deps import DB
from impactkit.api.pages._report_summary import report_for, summary_context
from impactkit.api.pages.organisation._lookup import can_edit, project_for
from impactkit.api.pages.organisation._report_figures import FIGURE_SECTIONS, groups, read_figures
from impactkit.api.pages.rendering import (
    Formats,
    Me,
    PageRequest,
    error_text,
    field_errors,
    form_int,
    form_text,
    language_of,
    problem_text,
    redirect,
    render,
)
from impactkit.domain import MemberRole
from impactkit.errors import ImpactkitError, Problem, ReportStateError, ValueMapError
from impactkit.reports.model import ReportContent, report_sections
from impactkit.reports.structured import prefilled
from impactkit.store import observatory
from impactkit.store import reports as store
from impactkit.store.tables import EvaluatorAccreditation, Membership, Report, ReportVersion, User

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SECTION_MAX = 20_000
VALUE_MAP_MAX = 2 * 1024 * 1024


def accredited_evaluators(db: DB, organisation_id: int) -> list[dict[str, Any]]:
    """Evaluators with an accreditation valid today who are not members of the organisation."""
    today = datetime.now(UTC).date()
    members = set(
        db.exec(select(Membership.user_id).where(Membership.organisation_id == organisation_id)).all()
    )
    rows = db.exec(
        select(EvaluatorAccreditation, User).where(
            EvaluatorAccreditation.user_id == User.id,
            EvaluatorAccreditation.valid_from <= today,
            EvaluatorAccreditation.valid_until >= today,
        )
    ).all()
    found: dict[int, dict[str, Any]] = {}
    for accreditation, user in rows:
        if user.id is None or user.id in members:
            continue
        found.setdefault(
            user.id,
            {
                "user_id": user.id,
                "name": user.name,
                "number": accreditation.number,
                "body": accreditation.body,
                "valid_until": accreditation.valid_until,
            },
        )
    return sorted(found.values(), key=lambda e: str(e["name"]).lower())


def _context(
    db: DB, me: Principal, report: Report, row: ReportVersion, fmt: Formats, **extra: Any
) -> dict[str, Any]:
    editable = row.state in ("draft", "returned") and can_edit(me, report.organisation_id)
    sections = row.content.get("sections") or {}
    content = ReportContent.model_validate(row.content)
    figures = content.figures
    known = prefilled(content, fmt)
    entered = figures.lines(fmt) if figures is not None else {}
    shown = [
        {
            "key": section.key,
            "number": section.number,
            "title": section.title.get(fmt.language) or section.title.get("it", section.key),
            "text": sections.get(section.key, ""),
            "groups": groups(section.key, figures, fmt) if section.key in FIGURE_SECTIONS else [],
            "entered": entered.get(section.key, []),
            "known": known.get(section.key, []),
            "empty": not (sections.get(section.key) or "").strip() and not entered.get(section.key),
        }
        for section in report_sections()
    ]
    return {
        **summary_context(db, me, report, row, fmt, with_checklist=True),
        "sections": shown,
        "written": sum(1 for s in shown if not s["empty"]),
        "empty_sections": [f"{s['number']}. {s['title']}" for s in shown if s["empty"]],
        "editable": editable,
        "can_submit": row.state == "draft" and can_edit(me, report.organisation_id),
        "evaluators": accredited_evaluators(db, report.organisation_id),
        "value_map": (row.content.get("sroi") or {}).get("value_map"),
        "errors": {},
        "value_map_problems": [],
        **observatory.publication_state(db, me, report),
        **extra,
    }


@get("/app/reports/{report_id:int}", sync_to_thread=True)
def report_page(request: PageRequest, db: DB, me: Me, report_id: FromPath[int]) -> Template | Redirect:
    report, row = report_for(db, me, report_id)
    member = me.is_admin or report.organisation_id in me.roles
    if not member:
        # The evaluator and the funders read the report in their own area.
        area = "evaluator" if report.evaluator_user_id == me.user_id else "funder"
        return Redirect(f"/app/{area}/reports/{report_id}", status_code=303)
    fmt = Formats(language_of(request))
    return render(request, "organisation/report.html", me, **_context(db, me, report, row, fmt))


@get("/app/reports/{report_id:int}/report.xlsx", sync_to_thread=True)
def report_download(db: DB, me: Me, report_id: FromPath[int]) -> Response[bytes]:
    """The standard-layout workbook, for every party who may read the report."""
    report, row = report_for(db, me, report_id)
    data = store.export_xlsx(db, report, row, actor_user_id=me.user_id)
    name = f"report-{report.id}-v{row.number}-{row.state}.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@get("/app/reports/{report_id:int}/report.pdf", sync_to_thread=True)
def report_pdf(db: DB, me: Me, report_id: FromPath[int]) -> Response[bytes]:
    """The report as a sealed PDF, for every party who may read the report (a draft is marked so)."""
    report, row = report_for(db, me, report_id)
    data = store.export_document(db, report, row, "pdf", actor_user_id=me.user_id)
    name = f"report-{report.id}-v{row.number}-{row.state}.pdf"
    return Response(
        data, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@get("/app/reports/{report_id:int}/report.docx", sync_to_thread=True)
def report_docx(db: DB, me: Me, report_id: FromPath[int]) -> Response[bytes]:
    """The report as an editable Word document, for every party who may read the report."""
    report, row = report_for(db, me, report_id)
    data = store.export_document(db, report, row, "docx", actor_user_id=me.user_id)
    name = f"report-{report.id}-v{row.number}-{row.state}.docx"
    return Response(data, media_type=DOCX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@post("/app/projects/{project_id:int}/reports", sync_to_thread=True, status_code=303)
def create_report_page(
    db: DB, me: Me, project_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect:
    project_for(db, me, project_id, MemberRole.editor)
    period_id = form_int(data, "period_id")
    if period_id is None:
        raise ReportStateError("choose_period", [Problem("choose a period", "period_id", code="required")])
    language = "en" if str(data.get("language") or "it") == "en" else "it"
    report = store.create_report(db, me, project_id, period_id, language=language)
    return redirect(f"/app/reports/{report.id}", done="report_created")


def _editable(db: DB, me: Principal, report_id: int) -> tuple[Report, ReportVersion]:
    report, row = report_for(db, me, report_id)
    require_member(me, report.organisation_id, MemberRole.editor)
    return report, row


@post("/app/reports/{report_id:int}/sections/{key:str}", sync_to_thread=True, status_code=303)
def save_section(
    request: PageRequest,
    db: DB,
    me: Me,
    report_id: FromPath[int],
    key: FromPath[str],
    data: URLEncodedBody[dict[str, Any]],
) -> Redirect | Template:
    """One section's text (a returned report becomes a new draft version; a submitted one waits)."""
    report, row = _editable(db, me, report_id)
    if key not in {section.key for section in report_sections()}:
        raise ImpactkitError("unknown_section", [Problem("unknown section", key, "choice")])
    try:
        text = form_text(data, "text", max_length=SECTION_MAX)
    except ImpactkitError as exc:
        fmt = Formats(language_of(request))
        errors = {key: " ".join(field_errors(exc, fmt.language).values())}
        return render(
            request, "organisation/report.html", me, 422, **_context(db, me, report, row, fmt, errors=errors)
        )
    sections = dict(row.content.get("sections") or {})
    if text:
        sections[key] = text
    else:
        sections.pop(key, None)
    store.update_report(db, me, report, sections=sections)
    return redirect(f"/app/reports/{report_id}", done="section_saved", anchor=f"section-{key}")


@post("/app/reports/{report_id:int}/figures/{key:str}", sync_to_thread=True, status_code=303)
def save_figures(
    request: PageRequest,
    db: DB,
    me: Me,
    report_id: FromPath[int],
    key: FromPath[str],
    data: URLEncodedBody[dict[str, Any]],
) -> Redirect | Template:
    """The figures the decree asks for in one section (governance, people, economic situation,
    other information, supervisory body); the other sections' figures stay as they were."""
    report, row = _editable(db, me, report_id)
    if key not in FIGURE_SECTIONS:
        raise ImpactkitError("unknown_section", [Problem("unknown section", key, "choice")])
    old = ReportContent.model_validate(row.content).figures
    fmt = Formats(language_of(request))
    try:
        figures = read_figures(key, data, fmt.language, old)
    except ImpactkitError as exc:
        errors = {f"{key}:{name}": text for name, text in field_errors(exc, fmt.language).items()}
        return render(
            request, "organisation/report.html", me, 422, **_context(db, me, report, row, fmt, errors=errors)
        )
    store.update_report(db, me, report, figures=figures.model_dump(mode="json"))
    return redirect(f"/app/reports/{report_id}", done="figures_saved", anchor=f"section-{key}")


def read_value_map(upload: UploadFile) -> Any:
    """A value map from a YAML or JSON file, or from an impactkit value-map workbook (.xlsx)."""
    from impactkit.sroi import import_value_map

    name = (upload.filename or "").lower()
    content = upload.file.read(VALUE_MAP_MAX + 1)
    if len(content) > VALUE_MAP_MAX:
        raise ValueMapError("file_too_large", [Problem("at most 2 MiB", "file", "file_too_large")])
    if name.endswith(".xlsx"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "value-map.xlsx"
            path.write_bytes(content)
            return import_value_map(path).model_dump(mode="json")
    if not name.endswith((".yaml", ".yml", ".json")):
        raise ValueMapError("value_map_type", [Problem("a .yaml, .json or .xlsx file", "file", "file_type")])
    try:
        return yaml.safe_load(content.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueMapError("value_map_unreadable", [Problem(str(exc)[:300], "file", "unreadable")]) from None


@post("/app/reports/{report_id:int}/value-map", sync_to_thread=True, status_code=303)
def attach_value_map(
    request: PageRequest,
    db: DB,
    me: Me,
    report_id: FromPath[int],
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Redirect | Template:
    """Attach the SROI value map the evaluator prepared; the SROI is computed with the report's KPIs."""
    from impactkit.store.sroi import prepare_value_map

    report, row = _editable(db, me, report_id)
    upload = data.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValueMapError("no_file", [Problem("choose a file", "file", "required")])
        value_map = prepare_value_map(db, me, read_value_map(upload))
        store.update_report(db, me, report, sroi_value_map=value_map.model_dump(mode="json"))
    except ImpactkitError as exc:
        fmt = Formats(language_of(request))
        return render(
            request,
            "organisation/report.html",
            me,
            422,
            **_context(
                db,
                me,
                report,
                row,
                fmt,
                value_map_problems=[
                    f"{p.location}: {problem_text(p, fmt.language)}"
                    if p.location
                    else problem_text(p, fmt.language)
                    for p in exc.problems
                ]
                or [error_text(exc, fmt.language)],
            ),
        )
    return redirect(f"/app/reports/{report_id}", done="value_map_attached_flash", anchor="sroi")


@post("/app/reports/{report_id:int}/submit", sync_to_thread=True, status_code=303)
def submit_report_page(
    db: DB, me: Me, report_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect:
    report, _ = _editable(db, me, report_id)
    evaluator_id = form_int(data, "evaluator_user_id")
    if evaluator_id is None or evaluator_id not in {
        e["user_id"] for e in accredited_evaluators(db, report.organisation_id)
    }:
        raise ReportStateError(
            "no_such_evaluator", [Problem("choose an accredited evaluator", "evaluator_user_id", "choice")]
        )
    store.submit_report(db, me, report, evaluator_id)
    return redirect(f"/app/reports/{report_id}", done="report_submitted")


ROUTES = [
    report_page,
    report_download,
    report_pdf,
    report_docx,
    create_report_page,
    save_section,
    save_figures,
    attach_value_map,
    submit_report_page,
]
