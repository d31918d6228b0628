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
    for item in portfolios:
        item["payments"] = _payments(db, item["funder"].id, fmt)
    indicators: list[tuple[str, str]] = []
    for item in portfolios:
        for entry in item["entries"]:
            for key, kpi in entry["kpis"].items():
                if kpi["value"] is not None and (key, kpi["label"]) not in indicators:
                    indicators.append((key, kpi["label"]))
    return render(
        request, "funder/home.html", me, reports=rows, portfolios=portfolios, indicators=indicators[:6]
    )


def _payments(db: DB, funder_id: int, fmt: Formats) -> dict[str, Any]:
    """Targets met and amounts payable and capped under the funder's grants, per grantee and in total."""
    built = store.funder_portfolio(db, funder_id)
    currency = built.currency if "/" not in built.currency else "EUR"
    grantees = []
    for g in built.grantees:
        grantees.append(
            {
                "number": g.number,
                "organisation": g.organisation,
                "project": g.project,
                "report_id": g.report_id,
                "targets": f"{fmt.integer(g.targets_met)} / {fmt.integer(g.targets)}",
                "payable": fmt.money(g.amount_payable, g.currency, 2),
                "capped": fmt.money(g.amount_capped, g.currency, 2),
                "lines": [
                    {
                        "grant": line.grant,
                        "indicator": line.indicator,
                        "source": line.source,
                        "stage": line.stage,
                        "achieved": fmt.kpi(line.achieved, line.unit or ""),
                        "target": fmt.kpi(line.target, line.unit or ""),
                        "met": line.met,
                        "price": fmt.money(line.price_per_unit, line.currency, 2)
                        if line.price_per_unit is not None
                        else "—",
                        "payable": fmt.money(line.amount_payable, line.currency, 2),
                        "capped": fmt.money(line.amount_capped, line.currency, 2),
                    }
                    for line in g.lines
                ],
            }
        )
    return {
        "targets": f"{fmt.integer(built.targets_met)} / {fmt.integer(built.targets)}",
        "payable": fmt.money(built.amount_payable, currency, 2),
        "capped": fmt.money(built.amount_capped, currency, 2),
        "grantees": grantees,
        "apart": [
            {
                "organisation": a.entry.content.organisation.name,
                "project": a.entry.content.project.name,
                "reason": a.reason,
            }
            for a in built.apart
        ],
    }


@get("/app/funder/reports/{report_id:int}", sync_to_thread=True)
def funder_report(request: PageRequest, db: DB, me: Me, report_id: FromPath[int]) -> Template:
    report, row = report_for(db, me, report_id)
    if report.organisation_id not in funded_organisations(db, me) and not me.is_admin:
        raise NotFoundError(f"report {report_id} not found")
    fmt = Formats(language_of(request))
    return render(
        request, "funder/report.html", me, **summary_context(db, me, report, row, fmt, with_checklist=True)
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
