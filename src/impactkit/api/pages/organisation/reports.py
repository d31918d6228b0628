"""The organisation's social report: create it for a period, read it, download it, submit it."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from impactkit.api.access import require_member
from impactkit.api.deps import DB
from impactkit.api.pages._report_summary import report_for, summary_context
from impactkit.api.pages.organisation._lookup import can_edit, project_for
from impactkit.api.pages.rendering import Formats, Me, PageRequest, form_int, language_of, redirect, render
from impactkit.domain import MemberRole
from impactkit.errors import Problem, ReportStateError
from impactkit.store import reports as store
from impactkit.store.admin import find_user_by_email

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@get("/app/reports/{report_id:int}", sync_to_thread=True)
def report_page(request: PageRequest, db: DB, me: Me, report_id: FromPath[int]) -> Template | Redirect:
    report, row = report_for(db, me, report_id)
    member = me.is_admin or report.organisation_id in me.roles
    if not member:
        # The evaluator and the funders read the report in their own area.
        area = "evaluator" if report.evaluator_user_id == me.user_id else "funder"
        return Redirect(f"/app/{area}/reports/{report_id}", status_code=303)
    fmt = Formats(language_of(request))
    return render(
        request,
        "organisation/report.html",
        me,
        **summary_context(db, me, report, row, fmt, with_checklist=True),
        can_submit=row.state == "draft" and can_edit(me, report.organisation_id),
    )


@get("/app/reports/{report_id:int}/report.xlsx", sync_to_thread=True)
def report_download(db: DB, me: Me, report_id: FromPath[int]) -> Response[bytes]:
    """The standard-layout workbook, for every party who may read the report."""
    report, row = report_for(db, me, report_id)
    data = store.export_xlsx(db, report, row, actor_user_id=me.user_id)
    name = f"report-{report.id}-v{row.number}-{row.state}.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


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
    return redirect(f"/app/reports/{report.id}")


@post("/app/reports/{report_id:int}/submit", sync_to_thread=True, status_code=303)
def submit_report_page(
    db: DB, me: Me, report_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect:
    report, _ = report_for(db, me, report_id)
    require_member(me, report.organisation_id, MemberRole.editor)
    evaluator = find_user_by_email(db, str(data.get("evaluator_email") or "").strip())
    if evaluator is None or evaluator.id is None:
        raise ReportStateError(
            "no_such_evaluator",
            [Problem("write the e-mail of an accredited evaluator", "evaluator_email")],
        )
    store.submit_report(db, me, report, evaluator.id)
    return redirect(f"/app/reports/{report_id}", done="report_submitted")


ROUTES = [report_page, report_download, create_report_page, submit_report_page]
