"""What every party of a social report reads on its page: KPIs, SROI summary, stamp, checklist.

Used by the organisation's, the evaluator's and the funder's report pages (each in its persona
package); the template part is ``templates/_report_summary.html``.
"""

from __future__ import annotations

from typing import Any

from impactkit.api.access import Principal
from impactkit.api.deps import DB
from impactkit.api.pages import _charts as charts
from impactkit.api.pages._i18n import has_message
from impactkit.api.pages.rendering import Formats, message
from impactkit.reports.checklist import detail_in
from impactkit.reports.model import ReportContent
from impactkit.reports.protected import disclosure_note, protect_content
from impactkit.store import reports as store
from impactkit.store.tables import Organisation, Project, Report, ReportingPeriod, ReportVersion


def kpi_rows(content: dict[str, Any], fmt: Formats) -> list[dict[str, Any]]:
    """The report's KPIs (whole population only) as table rows with their interval charts."""
    rows = []
    # What leaves the organisation goes through disclosure control (legacy content included).
    protected = protect_content(ReportContent.model_validate(content))
    note = disclosure_note(protected, fmt.language)
    content = {**content, "kpis": [k.model_dump(mode="json") for k in protected.kpis]}
    for kpi in content.get("kpis") or []:
        if kpi.get("group") is not None:
            continue
        unit = kpi.get("unit") or ""
        labels = kpi.get("labels") or {}
        label = labels.get(fmt.language) or labels.get("it") or kpi.get("indicator_id", "")
        low, high = kpi.get("ci_low"), kpi.get("ci_high")
        rows.append(
            {
                "hidden": bool(kpi.get("suppressed"))
                or any(str(flag).startswith("suppressed") for flag in kpi.get("flags") or []),
                "table_note": note,
                "excluded_text": "; ".join(
                    (f"{fmt.integer(e['count'])} · " if e.get("count") is not None else "")
                    + str((e.get("label") or {}).get(fmt.language, e.get("reason", "")))
                    for e in kpi.get("exclusions") or []
                ),
                "indicator_id": kpi.get("indicator_id"),
                "label": label,
                "value": kpi.get("value"),
                "unit": unit,
                "value_text": fmt.kpi(kpi.get("value"), unit),
                "interval_text": fmt.interval(low, high, unit),
                "n": kpi.get("n"),
                "target": kpi.get("target"),
                "target_text": fmt.kpi(kpi.get("target"), unit),
                "target_met": kpi.get("target_met"),
                "chart": charts.interval_chart(
                    charts.IntervalBar(
                        label,
                        kpi.get("value"),
                        low,
                        high,
                        kpi.get("target"),
                        scale_max=1.0 if unit == "share" else None,
                    ),
                    fmt,
                ),
            }
        )
    return rows


def _estimate_label(estimate: str, fmt: Formats) -> str:
    """An SROI estimate (``deadweight``, ``drop_off`` …) by its name in the page's language."""
    key = f"estimate_{estimate}"
    return message(key, fmt.language) if has_message(key) else estimate


def sroi_summary(content: dict[str, Any], fmt: Formats) -> dict[str, Any] | None:
    """The SROI figures of the report and its sensitivity (tornado) chart, if it has an analysis."""
    sroi = content.get("sroi")
    if not sroi or not sroi.get("result"):
        return None
    result = sroi["result"]
    sensitivity = sroi.get("sensitivity") or {}
    chart = None
    if isinstance(sensitivity, dict) and sensitivity.get("estimates"):
        rows = [
            charts.TornadoRow(
                _estimate_label(str(item.get("estimate") or ""), fmt)
                + (f" · {item['outcome']}" if item.get("outcome") else ""),
                float(item["low_ratio"]),
                float(item["high_ratio"]),
            )
            for item in sensitivity["estimates"]
        ]
        chart = charts.tornado_chart(
            rows[:12],
            float(sensitivity.get("base_ratio", result["sroi_ratio"])),
            message("sensitivity", fmt.language),
            fmt,
        )
    currency = result.get("currency", "EUR")
    monte_carlo = sroi.get("monte_carlo") or {}
    uncertainty = None
    if isinstance(monte_carlo, dict) and monte_carlo.get("ratio"):
        ratio = monte_carlo["ratio"]
        uncertainty = {
            "interval_text": f"{fmt.number(ratio.get('p5'), 2)} – {fmt.number(ratio.get('p95'), 2)}",
            "below_one_text": fmt.percent(monte_carlo.get("probability_ratio_below_one"), 1),
            "draws_text": fmt.integer(monte_carlo.get("draws")),
        }
    return {
        "uncertainty": uncertainty,
        "ratio": result.get("sroi_ratio"),
        "ratio_text": f"{fmt.number(result.get('sroi_ratio'), 2)} : 1",
        "net_ratio": result.get("net_sroi_ratio"),
        "present_value_text": fmt.money(result.get("total_present_value"), currency),
        "net_present_value_text": fmt.money(result.get("net_present_value"), currency),
        "inputs_text": fmt.money(result.get("inputs_total"), currency),
        "payback_months": result.get("payback_months"),
        "tornado": chart,
    }


def report_for(db: DB, principal: Principal, report_id: int) -> tuple[Report, ReportVersion]:
    """The report and the version this caller sees (404 when they see none)."""
    report = store.get_report(db, principal, report_id)
    return report, store.visible_version(db, principal, report)


def summary_context(
    db: DB, principal: Principal, report: Report, row: ReportVersion, fmt: Formats, *, with_checklist: bool
) -> dict[str, Any]:
    """Template values for ``_report_summary.html``."""
    return {
        "report": report,
        "version": row,
        "organisation": db.get(Organisation, report.organisation_id),
        "project": db.get(Project, report.project_id),
        "period": db.get(ReportingPeriod, report.period_id),
        "kpis": kpi_rows(row.content, fmt),
        "sroi": sroi_summary(row.content, fmt),
        "checklist": [
            {**item.model_dump(), "detail": detail_in(item, fmt.language)}
            for item in (store.checklist(db, report, row) if with_checklist else [])
        ],
        "justifications": store.justifications(row),
        "stamp": row.stamp,
    }


def listed(db: DB, principal: Principal, keep: Any) -> list[dict[str, Any]]:
    """Reports the caller sees, kept by ``keep(report, version)``, with organisation, project, period."""
    rows = []
    for report, row in store.list_reports(db, principal):
        if not keep(report, row):
            continue
        rows.append(
            {
                "report": report,
                "version": row,
                "organisation": db.get(Organisation, report.organisation_id),
                "project": db.get(Project, report.project_id),
                "period": db.get(ReportingPeriod, report.period_id),
            }
        )
    return rows
