"""An organisation's page (its projects, a new project) and a project's dashboard (responses, periods,
links, KPIs, reports)."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from sqlmodel import col, select

from impactkit.api.access import Principal
from impactkit.api.deps import DB
from impactkit.api.pages import _charts as charts
from impactkit.api.pages.organisation._lookup import can_edit, organisation_for, project_for
from impactkit.api.pages.organisation.collectors import collector_rows
from impactkit.api.pages.rendering import (
    Formats,
    Me,
    PageRequest,
    field_errors,
    form_int,
    language_of,
    message,
    redirect,
    render,
    validated,
)
from impactkit.domain import MemberRole
from impactkit.errors import ImpactkitError, Problem
from impactkit.frameworks import shipped_frameworks
from impactkit.frameworks.results import KpiResult
from impactkit.settings import Settings
from impactkit.store import admin as admin_store
from impactkit.store import flags, links
from impactkit.store import reports as report_store
from impactkit.store.kpi_cache import cached_figures, cached_project_kpis
from impactkit.store.schemas import PeriodIn, ProjectIn
from impactkit.store.surveys import list_form_versions
from impactkit.store.tables import Organisation, Project, Report, ReportingPeriod, ReportVersion

INDICATOR_FRAMEWORKS = ("indicators",)


def framework_choices(language: str) -> list[tuple[str, str]]:
    """Frameworks a project can adopt (those with indicators), as (id, title) in ``language``."""
    found = []
    for framework in shipped_frameworks():
        if getattr(framework, "kind", "indicators") not in INDICATOR_FRAMEWORKS or not framework.indicators:
            continue
        title = getattr(framework.title, language, None) or framework.title.it
        found.append((framework.id, f"{title} ({framework.id} {framework.version})"))
    return found


def _organisation_context(db: DB, me: Principal, organisation: Organisation, language: str) -> dict[str, Any]:
    assert organisation.id is not None
    projects = db.exec(
        select(Project).where(Project.organisation_id == organisation.id).order_by(Project.name)
    ).all()
    rows = [(project, links.project_response_count(db, project.id or 0)) for project in projects]
    return {
        "organisation": organisation,
        "projects": rows,
        "can_edit": can_edit(me, organisation.id),
        "frameworks": framework_choices(language),
        "tab": "projects",
    }


@get("/app/organisations/{organisation_id:int}", sync_to_thread=True)
def organisation_page(request: PageRequest, db: DB, me: Me, organisation_id: FromPath[int]) -> Template:
    organisation = organisation_for(db, me, organisation_id)
    return render(
        request,
        "organisation/organisation.html",
        me,
        **_organisation_context(db, me, organisation, language_of(request)),
        errors={},
        values={},
    )


@post("/app/organisations/{organisation_id:int}/projects", sync_to_thread=True, status_code=303)
def create_project(
    request: PageRequest,
    db: DB,
    me: Me,
    organisation_id: FromPath[int],
    data: URLEncodedBody[dict[str, Any]],
) -> Redirect | Template:
    organisation = organisation_for(db, me, organisation_id, MemberRole.editor)
    language = language_of(request)
    values = {
        k: str(v).strip()
        for k, v in data.items()
        if k in ("name", "description", "framework_id", "population")
    }
    try:
        if values.get("framework_id") and values["framework_id"] not in dict(framework_choices(language)):
            raise ImpactkitError("invalid_form", [Problem("unknown framework", "framework_id", "choice")])
        population = form_int(data, "population", minimum=0)
        checked = validated(ProjectIn, {**values, "population": population})
        project = admin_store.create_project(db, organisation_id, checked)
    except ImpactkitError as exc:
        return render(
            request,
            "organisation/organisation.html",
            me,
            422,
            **_organisation_context(db, me, organisation, language),
            errors=field_errors(exc, language),
            values=values,
        )
    admin_store.audit(
        db,
        "project.created",
        actor_user_id=me.user_id,
        organisation_id=organisation_id,
        target=f"project:{project.id}",
    )
    return redirect(f"/app/projects/{project.id}", done="new_project_created")


def kpi_rows(
    results: list[KpiResult], fmt: Formats, project_id: int, period_id: int | None, note: str = ""
) -> list[dict[str, Any]]:
    """KPI results (the whole population) as table rows with their charts, breakdown links, what each
    left out, and the disclosure statement (``note``) to print under the table."""
    rows: list[dict[str, Any]] = []
    for result in results:
        if result.group is not None:
            continue
        label = getattr(result.labels, fmt.language, None) or result.labels.it
        query = f"?period={period_id}" if period_id is not None else ""
        rows.append(
            {
                "indicator_id": result.indicator_id,
                "label": label,
                "value_text": fmt.kpi(result.value, result.unit),
                "interval_text": fmt.interval(result.ci_low, result.ci_high, result.unit),
                "target_text": fmt.kpi(result.target, result.unit),
                "value": result.value,
                "n": result.n,
                "unit": result.unit,
                "target": result.target,
                "target_met": result.target_met,
                "method": result.method,
                "suppressed": result.suppressed,
                "hidden": result.suppressed,
                "table_note": note,
                "excluded_text": "; ".join(
                    (f"{fmt.integer(e.count)} · " if e.count is not None else "")
                    + getattr(e.label, fmt.language)
                    for e in result.exclusions
                ),
                "breakdown_url": f"/app/projects/{project_id}/kpis/{result.indicator_id}{query}",
                "has_breakdown": bool(result.disaggregations) or result.change is not None,
                "chart": charts.interval_chart(
                    charts.IntervalBar(
                        label,
                        result.value,
                        result.ci_low,
                        result.ci_high,
                        result.target,
                        scale_max=1.0 if result.unit == "share" else None,
                    ),
                    fmt,
                ),
            }
        )
    return rows


def project_reports(db: DB, principal: Principal, project: Project) -> list[tuple[Report, ReportVersion]]:
    """The reports of a project the caller may see, with the version they see."""
    return report_store.list_reports(db, principal, project_id=project.id)


def periods_of(db: DB, project_id: int) -> list[ReportingPeriod]:
    return list(
        db.exec(
            select(ReportingPeriod)
            .where(ReportingPeriod.project_id == project_id)
            .order_by(col(ReportingPeriod.starts_on))
        ).all()
    )


def _project_context(
    request: PageRequest, db: DB, me: Principal, project: Project, period: int | None
) -> dict[str, Any]:
    assert project.id is not None
    project_id = project.id
    organisation = organisation_for(db, me, project.organisation_id)
    settings: Settings = request.app.state.settings
    fmt = Formats(language_of(request))
    periods = periods_of(db, project_id)
    editor = can_edit(me, project.organisation_id)
    if period is None and periods:
        period = max(periods, key=lambda p: p.starts_on).id
    member = me.is_admin or me.role_in(project.organisation_id) is not None
    # Counting 100,000 responses costs more than the rest of the page: it waits for the next change too.
    total = cached_figures(db, project_id, "total", lambda: links.project_response_count(db, project_id))
    per_day = cached_figures(db, project_id, "per_day", lambda: links.responses_per_day(db, project_id))
    disclosure = None
    try:
        results = cached_project_kpis(db, project_id, period)
        if results.disclosure is not None:
            method = results.disclosure.method
            disclosure = getattr(method, fmt.language, None) or method.it
        kpis: list[dict[str, Any]] | str = kpi_rows(
            results.results, fmt, project_id, period, disclosure or ""
        )
    except ImpactkitError as exc:
        kpis = exc.message
    return {
        "organisation": organisation,
        "project": project,
        "periods": periods,
        "period_id": period,
        "total": total,
        "chart": charts.responses_per_day_chart(per_day, message("responses_per_day", fmt.language), fmt),
        "links": links.project_links(db, project_id, settings.secret_key) if member else [],
        "base_url": settings.public_base_url.rstrip("/"),
        "forms": list_form_versions(db, [project.organisation_id]) if editor else [],
        "can_edit": editor,
        "kpis": kpis,
        "disclosure": disclosure,
        "reports": project_reports(db, me, project),
        "collectors": collector_rows(db, project_id, settings) if editor else [],
        "open_duplicates": flags.open_set_count(db, project_id) if member else 0,
        "errors": {},
        "values": {},
    }


@get("/app/projects/{project_id:int}", sync_to_thread=True)
def project_page(
    request: PageRequest, db: DB, me: Me, project_id: FromPath[int], period: FromQuery[int | None] = None
) -> Template:
    project = project_for(db, me, project_id)
    return render(
        request, "organisation/project.html", me, **_project_context(request, db, me, project, period)
    )


@post("/app/projects/{project_id:int}/periods", sync_to_thread=True, status_code=303)
def create_period(
    request: PageRequest, db: DB, me: Me, project_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    project = project_for(db, me, project_id, MemberRole.editor)
    values = {k: str(v).strip() for k, v in data.items() if k in ("label", "starts_on", "ends_on")}
    try:
        period = admin_store.create_period(db, project_id, validated(PeriodIn, values))
    except ImpactkitError as exc:
        context = _project_context(request, db, me, project, None)
        context.update(errors=field_errors(exc, language_of(request)), values=values)
        return render(request, "organisation/project.html", me, 422, **context)
    return redirect(f"/app/projects/{project_id}?period={period.id}", done="period_created", anchor="periods")


ROUTES = [organisation_page, create_project, project_page, create_period]
