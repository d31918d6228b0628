"""An organisation's page (its projects) and a project's dashboard (responses, links, KPIs, reports)."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlmodel import select

from impactkit.api.access import Principal
from impactkit.api.deps import DB
from impactkit.api.pages import _charts as charts
from impactkit.api.pages.organisation._lookup import can_edit, organisation_for, project_for
from impactkit.api.pages.rendering import Formats, Me, PageRequest, language_of, message, render
from impactkit.errors import ImpactkitError
from impactkit.settings import Settings
from impactkit.store import links
from impactkit.store import reports as report_store
from impactkit.store.surveys import list_form_versions
from impactkit.store.tables import Project, Report, ReportingPeriod, ReportVersion


@get("/app/organisations/{organisation_id:int}", sync_to_thread=True)
def organisation_page(request: PageRequest, db: DB, me: Me, organisation_id: FromPath[int]) -> Template:
    organisation = organisation_for(db, me, organisation_id)
    projects = db.exec(
        select(Project).where(Project.organisation_id == organisation_id).order_by(Project.name)
    ).all()
    rows = [(project, links.project_response_count(db, project.id or 0)) for project in projects]
    return render(request, "organisation/organisation.html", me, organisation=organisation, projects=rows)


def kpi_rows(db: DB, project: Project, period_id: int | None, fmt: Formats) -> list[dict[str, Any]] | None:
    """KPI results as table rows with their charts."""
    from impactkit.store.kpis import project_kpis

    assert project.id is not None
    try:
        results = project_kpis(db, project.id, period_id)
    except ImpactkitError as exc:
        return [{"error": exc.message}]
    rows: list[dict[str, Any]] = []
    # Disclosure control: the statement under the table, and what each KPI left out (why).
    note = getattr(results.disclosure.method, fmt.language) if results.disclosure else ""
    for result in results.results:
        if result.group is not None:
            continue
        label = getattr(result.labels, fmt.language, None) or result.labels.it
        rows.append(
            {
                "hidden": result.suppressed,
                "table_note": note,
                "excluded_text": "; ".join(
                    (f"{fmt.integer(e.count)} · " if e.count is not None else "")
                    + getattr(e.label, fmt.language)
                    for e in result.exclusions
                ),
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
    return [(r, v) for r, v in report_store.list_reports(db, principal) if r.project_id == project.id]


@get("/app/projects/{project_id:int}", sync_to_thread=True)
def project_page(
    request: PageRequest, db: DB, me: Me, project_id: FromPath[int], period: FromQuery[int | None] = None
) -> Template:
    project = project_for(db, me, project_id)
    organisation = organisation_for(db, me, project.organisation_id)
    settings: Settings = request.app.state.settings
    fmt = Formats(language_of(request))
    periods = db.exec(select(ReportingPeriod).where(ReportingPeriod.project_id == project_id)).all()
    editor = can_edit(me, project.organisation_id)
    per_day = links.responses_per_day(db, project_id)
    if period is None and periods:
        period = max(periods, key=lambda p: p.starts_on).id
    member = me.is_admin or me.role_in(project.organisation_id) is not None
    return render(
        request,
        "organisation/project.html",
        me,
        organisation=organisation,
        project=project,
        periods=periods,
        period_id=period,
        total=links.project_response_count(db, project_id),
        chart=charts.responses_per_day_chart(per_day, message("responses_per_day", fmt.language), fmt),
        links=links.project_links(db, project_id, settings.secret_key) if member else [],
        base_url=settings.public_base_url.rstrip("/"),
        forms=list_form_versions(db, [project.organisation_id]) if editor else [],
        can_edit=editor,
        kpis=kpi_rows(db, project, period, fmt),
        reports=project_reports(db, me, project),
    )


ROUTES = [organisation_page, project_page]
