"""Report pages: organisations create and submit, evaluators validate or return, funders download.

Every move calls :mod:`impactkit.store.reports`, which holds the rules (states, accreditation,
independence, who sees which version); these pages only show and ask.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from impactkit.api.access import Principal, require_funder, require_member
from impactkit.api.deps import DB
from impactkit.api.pages import _charts as charts
from impactkit.api.pages._i18n import translate
from impactkit.api.pages._session import page_principal
from impactkit.domain import MemberRole
from impactkit.errors import NotFoundError, Problem, ReportStateError
from impactkit.store import reports as store
from impactkit.store.admin import find_user_by_email
from impactkit.store.tables import Funder, Organisation, Project, Report, ReportingPeriod, ReportVersion

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def reports_available() -> bool:
    """True: the reports workflow store is part of impactkit."""
    return True


def project_reports(db: DB, principal: Principal, project: Project) -> list[tuple[Report, ReportVersion]]:
    """The reports of a project the caller may see, with the version they see."""
    return [(r, v) for r, v in store.list_reports(db, principal) if r.project_id == project.id]


def _render(request: Request[Any, Any, Any], template: str, principal: Principal, **context: Any) -> Template:
    from impactkit.api.pages.staff import render

    return render(request, template, principal, **context)


def _kpi_rows(content: dict[str, Any], language: str) -> list[dict[str, Any]]:
    from impactkit.api.pages.staff import figure

    rows = []
    for kpi in content.get("kpis") or []:
        if kpi.get("group") is not None:
            continue
        unit = kpi.get("unit") or ""
        labels = kpi.get("labels") or {}
        label = labels.get(language) or labels.get("it") or kpi.get("indicator_id", "")
        low, high = kpi.get("ci_low"), kpi.get("ci_high")
        rows.append(
            {
                "indicator_id": kpi.get("indicator_id"),
                "label": label,
                "value": kpi.get("value"),
                "unit": unit,
                "value_text": figure(kpi.get("value"), unit),
                "interval_text": f"{figure(low, unit)} – {figure(high, unit)}" if low is not None else "—",
                "n": kpi.get("n"),
                "target": kpi.get("target"),
                "target_text": figure(kpi.get("target"), unit),
                "target_met": kpi.get("target_met"),
                "chart": charts.interval_chart(
                    charts.IntervalBar(
                        label,
                        kpi.get("value"),
                        low,
                        high,
                        kpi.get("target"),
                        scale_max=1.0 if unit == "share" else None,
                    )
                ),
            }
        )
    return rows


def _sroi_summary(content: dict[str, Any], language: str) -> dict[str, Any] | None:
    sroi = content.get("sroi")
    if not sroi or not sroi.get("result"):
        return None
    result = sroi["result"]
    sensitivity = sroi.get("sensitivity") or {}
    chart = None
    if isinstance(sensitivity, dict) and sensitivity.get("estimates"):
        rows = [
            charts.TornadoRow(
                f"{item.get('estimate')}" + (f" · {item['outcome']}" if item.get("outcome") else ""),
                float(item["low_ratio"]),
                float(item["high_ratio"]),
            )
            for item in sensitivity["estimates"]
        ]
        chart = charts.tornado_chart(
            rows[:12],
            float(sensitivity.get("base_ratio", result["sroi_ratio"])),
            translate("sensitivity", language),
        )
    return {
        "ratio": result.get("sroi_ratio"),
        "net_ratio": result.get("net_sroi_ratio"),
        "present_value": result.get("total_present_value"),
        "net_present_value": result.get("net_present_value"),
        "inputs": result.get("inputs_total"),
        "currency": result.get("currency", "EUR"),
        "payback_months": result.get("payback_months"),
        "tornado": chart,
    }


def _report_or_404(db: DB, principal: Principal, report_id: int) -> tuple[Report, ReportVersion]:
    report = store.get_report(db, principal, report_id)
    return report, store.visible_version(db, principal, report)


@get("/app/reports/{report_id:int}", sync_to_thread=True)
def report_page(request: Request[Any, Any, Any], db: DB, report_id: FromPath[int]) -> Template:
    principal = page_principal(request, db)
    report, row = _report_or_404(db, principal, report_id)
    from impactkit.api.pages.staff import language_of

    language = language_of(request)
    organisation = db.get(Organisation, report.organisation_id)
    project = db.get(Project, report.project_id)
    period = db.get(ReportingPeriod, report.period_id)
    is_member = principal.is_admin or report.organisation_id in principal.roles
    is_evaluator = report.evaluator_user_id == principal.user_id
    role = principal.role_in(report.organisation_id)
    return _render(
        request,
        "report.html",
        principal,
        report=report,
        version=row,
        organisation=organisation,
        project=project,
        period=period,
        kpis=_kpi_rows(row.content, language),
        sroi=_sroi_summary(row.content, language),
        checklist=store.checklist(db, report, row) if (is_member or is_evaluator) else [],
        can_decide=is_evaluator and row.state == "submitted",
        can_submit=row.state == "draft"
        and (principal.is_admin or role in (MemberRole.editor, MemberRole.owner)),
        stamp=row.stamp,
    )


@get("/app/reports/{report_id:int}/report.xlsx", sync_to_thread=True)
def report_download(request: Request[Any, Any, Any], db: DB, report_id: FromPath[int]) -> Response[bytes]:
    principal = page_principal(request, db)
    report, row = _report_or_404(db, principal, report_id)
    data = store.export_xlsx(db, report, row, actor_user_id=principal.user_id)
    name = f"report-{report.id}-v{row.number}-{row.state}.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@post("/app/projects/{project_id:int}/reports", sync_to_thread=True, status_code=303)
def create_report_page(
    request: Request[Any, Any, Any], db: DB, project_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect:
    principal = page_principal(request, db)
    project = db.get(Project, project_id)
    if project is None:
        raise NotFoundError(f"project {project_id} not found")
    require_member(principal, project.organisation_id, MemberRole.editor)
    try:
        period_id = int(str(data.get("period_id") or ""))
    except ValueError:
        raise ReportStateError(
            "choose the period of the report", [Problem("choose a period", "period_id")]
        ) from None
    language = str(data.get("language") or "it")
    report = store.create_report(
        db, principal, project_id, period_id, language="en" if language == "en" else "it"
    )
    return Redirect(f"/app/reports/{report.id}", status_code=303)


@post("/app/reports/{report_id:int}/submit", sync_to_thread=True, status_code=303)
def submit_report_page(
    request: Request[Any, Any, Any], db: DB, report_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect:
    principal = page_principal(request, db)
    report, _ = _report_or_404(db, principal, report_id)
    require_member(principal, report.organisation_id, MemberRole.editor)
    evaluator = find_user_by_email(db, str(data.get("evaluator_email") or "").strip())
    if evaluator is None or evaluator.id is None:
        raise ReportStateError(
            "no evaluator with that e-mail",
            [Problem("write the e-mail of an accredited evaluator", "evaluator_email")],
        )
    store.submit_report(db, principal, report, evaluator.id)
    return Redirect(f"/app/reports/{report_id}?done=report_submitted", status_code=303)


@post("/app/reports/{report_id:int}/validate", sync_to_thread=True, status_code=303)
def validate_report_page(
    request: Request[Any, Any, Any], db: DB, report_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect:
    principal = page_principal(request, db)
    report, _ = _report_or_404(db, principal, report_id)
    store.validate_report(db, principal, report, str(data.get("comments") or "").strip())
    return Redirect(f"/app/reports/{report_id}?done=report_validated", status_code=303)


@post("/app/reports/{report_id:int}/return", sync_to_thread=True, status_code=303)
def return_report_page(
    request: Request[Any, Any, Any], db: DB, report_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect:
    principal = page_principal(request, db)
    report, _ = _report_or_404(db, principal, report_id)
    comments = str(data.get("comments") or "").strip()
    if not comments:
        raise ReportStateError(
            "a returned report needs comments",
            [Problem("say what the organisation should change", "comments")],
        )
    store.return_report(db, principal, report, comments)
    return Redirect(f"/app/reports/{report_id}?done=report_returned", status_code=303)


def _listed(db: DB, principal: Principal, keep: Any) -> list[dict[str, Any]]:
    rows = []
    for report, row in store.list_reports(db, principal):
        if not keep(report, row):
            continue
        organisation = db.get(Organisation, report.organisation_id)
        project = db.get(Project, report.project_id)
        period = db.get(ReportingPeriod, report.period_id)
        rows.append(
            {
                "report": report,
                "version": row,
                "organisation": organisation,
                "project": project,
                "period": period,
            }
        )
    return rows


@get("/app/evaluator", sync_to_thread=True)
def evaluator_home(request: Request[Any, Any, Any], db: DB) -> Template:
    principal = page_principal(request, db)
    rows = _listed(db, principal, lambda report, _: report.evaluator_user_id == principal.user_id)
    return _render(request, "evaluator.html", principal, reports=rows)


@get("/app/funder", sync_to_thread=True)
def funder_home(request: Request[Any, Any, Any], db: DB) -> Template:
    principal = page_principal(request, db)
    rows = _listed(
        db,
        principal,
        lambda report, row: row.state == "validated" and report.organisation_id not in principal.roles,
    )
    from impactkit.api.pages.staff import language_of

    language = language_of(request)
    portfolios = []
    for funder_id in sorted(principal.funder_ids):
        funder = db.get(Funder, funder_id)
        entries, framework = store.portfolio(db, funder_id)
        portfolios.append(
            {
                "funder": funder,
                "framework": framework["id"],
                "entries": [
                    {
                        "organisation": entry.content.organisation.name,
                        "project": entry.content.project.name,
                        "kpis": {
                            k["indicator_id"]: k
                            for k in _kpi_rows(entry.content.model_dump(mode="json"), language)
                        },
                    }
                    for entry in entries
                ],
            }
        )
    indicators: list[tuple[str, str]] = []
    for item in portfolios:
        for entry in item["entries"]:
            for key, kpi in entry["kpis"].items():
                if kpi["value"] is not None and (key, kpi["label"]) not in indicators:
                    indicators.append((key, kpi["label"]))
    return _render(
        request, "funder.html", principal, reports=rows, portfolios=portfolios, indicators=indicators[:6]
    )


@get("/app/funder/{funder_id:int}/portfolio.xlsx", sync_to_thread=True)
def portfolio_download(request: Request[Any, Any, Any], db: DB, funder_id: FromPath[int]) -> Response[bytes]:
    principal = page_principal(request, db)
    require_funder(principal, funder_id)
    from impactkit.api.pages.staff import language_of

    data = store.portfolio_export(
        db, funder_id, "xlsx", None, language_of(request), actor_user_id=principal.user_id
    )
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="portfolio-{funder_id}.xlsx"'},
    )


HANDLERS = [
    report_page,
    report_download,
    create_report_page,
    submit_report_page,
    validate_report_page,
    return_report_page,
    evaluator_home,
    funder_home,
    portfolio_download,
]
