"""Pages for signed-in staff: home, organisation, project (links, responses per day, KPIs, reports)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from sqlmodel import select

from impactkit.api.access import Principal, require_member, require_reader
from impactkit.api.deps import DB
from impactkit.api.pages import _charts as charts
from impactkit.api.pages._i18n import LANGUAGES, language_cookie, pick_language, translate
from impactkit.api.pages._session import SignInRequired, page_principal
from impactkit.domain import MemberRole
from impactkit.errors import ImpactkitError, NotFoundError, PermissionDeniedError
from impactkit.settings import Settings
from impactkit.store import links
from impactkit.store.surveys import list_form_versions
from impactkit.store.tables import Organisation, Project, ReportingPeriod

Translate = Callable[..., str]


def language_of(request: Request[Any, Any, Any]) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get("lang"))


def render(
    request: Request[Any, Any, Any],
    template: str,
    principal: Principal | None,
    status: int = 200,
    **context: Any,
) -> Template:
    """A staff page in the request's language (a ``lang`` query also sets the language cookie)."""
    language = language_of(request)
    settings: Settings = request.app.state.settings
    chosen = request.query_params.get("lang")
    cookies = [language_cookie(language, settings)] if chosen and chosen.lower() in LANGUAGES else []
    return Template(
        template_name=template,
        context={
            "lang": language,
            "t": lambda key, **v: translate(key, language, **v),
            "user": principal,
            "flash": request.query_params.get("done"),
            **context,
        },
        status_code=status,
        cookies=cookies,
        headers={"Cache-Control": "no-store"},
    )


def _sign_in_redirect(request: Request[Any, Any, Any], _: SignInRequired) -> Response[Any]:
    return Redirect(f"/signin?next={request.url.path}", status_code=303)


def _error_page(request: Request[Any, Any, Any], exc: ImpactkitError) -> Response[Any]:
    language = language_of(request)
    message = {
        NotFoundError: translate("not_found", language),
        PermissionDeniedError: translate("forbidden", language),
    }.get(type(exc), exc.message)
    if type(exc) not in (NotFoundError, PermissionDeniedError):
        details = "; ".join(str(p) for p in exc.problems)
        message = f"{exc.message}{': ' + details if details else ''}"
    return Template(
        template_name="error.html",
        context={
            "lang": language,
            "t": lambda key, **v: translate(key, language, **v),
            "message": message,
            "user": None,
        },
        status_code=exc.status_code,
    )


def _organisations(db: DB, principal: Principal) -> list[Organisation]:
    if principal.is_admin:
        return sorted(db.exec(select(Organisation)).all(), key=lambda o: o.name)
    found = (db.get(Organisation, organisation_id) for organisation_id in principal.roles)
    return sorted((o for o in found if o is not None), key=lambda o: o.name)


@get("/app", sync_to_thread=True)
def home(request: Request[Any, Any, Any], db: DB) -> Template:
    principal = page_principal(request, db)
    from impactkit.api.pages import workflow

    return render(
        request,
        "home.html",
        principal,
        organisations=_organisations(db, principal),
        is_evaluator=principal.is_evaluator,
        is_funder=bool(principal.funder_ids),
        reports_ready=workflow.reports_available(),
    )


@get("/app/organisations/{organisation_id:int}", sync_to_thread=True)
def organisation_page(request: Request[Any, Any, Any], db: DB, organisation_id: FromPath[int]) -> Template:
    principal = page_principal(request, db)
    require_reader(db, principal, organisation_id)
    organisation = db.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFoundError(f"organisation {organisation_id} not found")
    projects = db.exec(
        select(Project).where(Project.organisation_id == organisation_id).order_by(Project.name)
    ).all()
    rows = [(project, links.project_response_count(db, project.id or 0)) for project in projects]
    return render(request, "organisation.html", principal, organisation=organisation, projects=rows)


def figure(value: float | None, unit: str) -> str:
    """A KPI figure as people read it: shares as percentages, others with three significant digits.

    >>> figure(0.8125, "share"), figure(4.25, "score 1–5"), figure(12840.0, "hours"), figure(None, "people")
    ('81.2 %', '4.25', '12,840', '—')
    """
    if value is None:
        return "—"
    if unit == "share":
        return f"{value * 100:.1f} %"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _kpi_rows(db: DB, project: Project, period_id: int | None, language: str) -> list[dict[str, Any]] | None:
    """KPI results as table rows with their charts; None when the KPI store is not there yet."""
    try:
        from impactkit.store.kpis import project_kpis
    except ImportError:
        return None
    assert project.id is not None
    try:
        results = project_kpis(db, project.id, period_id)
    except ImpactkitError as exc:
        return [{"error": exc.message}]
    rows: list[dict[str, Any]] = []
    for result in results.results:
        if result.group is not None:
            continue
        label = getattr(result.labels, language, None) or result.labels.it
        rows.append(
            {
                "indicator_id": result.indicator_id,
                "label": label,
                "value_text": figure(result.value, result.unit),
                "interval_text": (
                    f"{figure(result.ci_low, result.unit)} – {figure(result.ci_high, result.unit)}"
                    if result.ci_low is not None and result.ci_high is not None
                    else "—"
                ),
                "target_text": figure(result.target, result.unit),
                "value": result.value,
                "low": result.ci_low,
                "high": result.ci_high,
                "n": result.n,
                "unit": result.unit,
                "target": result.target,
                "target_met": result.target_met,
                "method": result.method,
                "chart": charts.interval_chart(
                    charts.IntervalBar(
                        label,
                        result.value,
                        result.ci_low,
                        result.ci_high,
                        result.target,
                        scale_max=1.0 if result.unit == "share" else None,
                    )
                ),
            }
        )
    return rows


@get("/app/projects/{project_id:int}", sync_to_thread=True)
def project_page(
    request: Request[Any, Any, Any],
    db: DB,
    project_id: FromPath[int],
    period: FromQuery[int | None] = None,
) -> Template:
    principal = page_principal(request, db)
    project = db.get(Project, project_id)
    if project is None:
        raise NotFoundError(f"project {project_id} not found")
    require_reader(db, principal, project.organisation_id)
    organisation = db.get(Organisation, project.organisation_id)
    settings: Settings = request.app.state.settings
    language = language_of(request)
    periods = db.exec(select(ReportingPeriod).where(ReportingPeriod.project_id == project_id)).all()
    role = principal.role_in(project.organisation_id)
    can_edit = principal.is_admin or role in (MemberRole.editor, MemberRole.owner)
    per_day = links.responses_per_day(db, project_id)
    if period is None and periods:
        period = max(periods, key=lambda p: p.starts_on).id
    from impactkit.api.pages import workflow

    return render(
        request,
        "project.html",
        principal,
        organisation=organisation,
        project=project,
        periods=periods,
        period_id=period,
        total=links.project_response_count(db, project_id),
        chart=charts.responses_per_day_chart(per_day, translate("responses_per_day", language)),
        links=links.project_links(db, project_id, settings.secret_key)
        if (role or principal.is_admin)
        else [],
        base_url=settings.public_base_url.rstrip("/"),
        forms=list_form_versions(db, [project.organisation_id]) if can_edit else [],
        can_edit=can_edit,
        kpis=_kpi_rows(db, project, period, language),
        reports=workflow.project_reports(db, principal, project),
    )


def _closing_moment(text: str) -> datetime | None:
    if not text.strip():
        return None
    day = date.fromisoformat(text.strip())
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


@post("/app/projects/{project_id:int}/links", sync_to_thread=True, status_code=303)
def create_link_page(
    request: Request[Any, Any, Any],
    db: DB,
    project_id: FromPath[int],
    data: URLEncodedBody[dict[str, Any]],
) -> Redirect:
    principal = page_principal(request, db)
    project = db.get(Project, project_id)
    if project is None:
        raise NotFoundError(f"project {project_id} not found")
    require_member(principal, project.organisation_id, MemberRole.editor)
    settings: Settings = request.app.state.settings
    try:
        closes_at = _closing_moment(str(data.get("closes_on") or ""))
        most = str(data.get("max_responses") or "").strip()
        max_responses = int(most) if most else None
        form_version_id = int(str(data.get("form_version_id") or "0"))
        period_text = str(data.get("period_id") or "").strip()
        period_id = int(period_text) if period_text else None
    except ValueError as exc:
        raise ImpactkitError(f"the link cannot be created: {exc}") from None
    links.create_link(
        db,
        secret_key=settings.secret_key,
        project_id=project_id,
        form_version_id=form_version_id,
        created_by=principal.user_id,
        period_id=period_id,
        wave=str(data.get("wave") or "").strip() or None,
        label=str(data.get("label") or "").strip(),
        closes_at=closes_at,
        max_responses=max_responses,
    )
    return Redirect(f"/app/projects/{project_id}?done=link_created#links", status_code=303)


@post("/app/links/{link_id:int}/close", sync_to_thread=True, status_code=303)
def close_link_page(request: Request[Any, Any, Any], db: DB, link_id: FromPath[int]) -> Redirect:
    principal = page_principal(request, db)
    link = links.get_link(db, link_id)
    require_member(principal, link.organisation_id, MemberRole.editor)
    links.close_link(db, link_id)
    return Redirect(f"/app/projects/{link.project_id}?done=link_closed#links", status_code=303)


def staff_router() -> Router:
    """Every signed-in page, with HTML answers for sign-in redirects and errors."""
    from impactkit.api.pages import workflow

    return Router(
        path="/",
        route_handlers=[
            home,
            organisation_page,
            project_page,
            create_link_page,
            close_link_page,
            *workflow.HANDLERS,
        ],
        exception_handlers={SignInRequired: _sign_in_redirect, ImpactkitError: _error_page},
        include_in_schema=False,
    )


__all__ = ["render", "staff_router"]
