"""The funder's pages: validated reports of their grantees, a report, the portfolio table and workbook."""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.params import FromPath
from litestar.response import Template

from impactkit.api.access import funded_organisations, require_funder
from impactkit.api.deps import DB
from impactkit.api.pages._report_summary import kpi_rows, listed, report_for, summary_context
from impactkit.api.pages.rendering import Formats, Me, PageRequest, language_of, render
from impactkit.errors import NotFoundError
from impactkit.store import reports as store
from impactkit.store.tables import Funder

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@get("/app/funder", sync_to_thread=True)
def funder_home(request: PageRequest, db: DB, me: Me) -> Template:
    rows = listed(
        db, me, lambda report, row: row.state == "validated" and report.organisation_id not in me.roles
    )
    fmt = Formats(language_of(request))
    portfolios = []
    for funder_id in sorted(me.funder_ids):
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
                            k["indicator_id"]: k for k in kpi_rows(entry.content.model_dump(mode="json"), fmt)
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
    return render(
        request, "funder/home.html", me, reports=rows, portfolios=portfolios, indicators=indicators[:6]
    )


@get("/app/funder/reports/{report_id:int}", sync_to_thread=True)
def funder_report(request: PageRequest, db: DB, me: Me, report_id: FromPath[int]) -> Template:
    report, row = report_for(db, me, report_id)
    if report.organisation_id not in funded_organisations(db, me) and not me.is_admin:
        raise NotFoundError(f"report {report_id} not found")
    fmt = Formats(language_of(request))
    return render(
        request, "funder/report.html", me, **summary_context(db, me, report, row, fmt, with_checklist=False)
    )


@get("/app/funder/{funder_id:int}/portfolio.xlsx", sync_to_thread=True)
def portfolio_download(request: PageRequest, db: DB, me: Me, funder_id: FromPath[int]) -> Response[bytes]:
    require_funder(me, funder_id)
    data: Any = store.portfolio_export(
        db, funder_id, "xlsx", None, language_of(request), actor_user_id=me.user_id
    )
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="portfolio-{funder_id}.xlsx"'},
    )


ROUTES = [funder_home, funder_report, portfolio_download]
