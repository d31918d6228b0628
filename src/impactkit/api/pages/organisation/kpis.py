"""One KPI opened: its breakdown by gender, age band (youth 15–35) and territory, with suppressed
cells marked; the baseline→endline change with its tests; how it was computed.

The breakdown comes from the project's cached KPI results (:mod:`impactkit.store.kpi_cache`),
so opening it costs no new computation until the responses change.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from impactkit.api.access import Principal
from impactkit.api.deps import DB
from impactkit.api.pages import _charts as charts
from impactkit.api.pages._i18n import FORM_LANGUAGE
from impactkit.api.pages.organisation._lookup import organisation_for, project_for
from impactkit.api.pages.rendering import Formats, Me, PageRequest, is_htmx, language_of, message, render
from impactkit.errors import NotFoundError
from impactkit.frameworks.model import Disaggregation, Framework
from impactkit.frameworks.results import ChangeStatistics, KpiResult
from impactkit.reports.vocabulary import method_text as method_family
from impactkit.store.frameworks import resolve_framework
from impactkit.store.kpi_cache import cached_project_kpis
from impactkit.store.kpis import DEFAULT_FRAMEWORK
from impactkit.store.surveys import form_of, list_form_versions
from impactkit.store.tables import Project
from impactkit.surveys.model import Field, Form, Group, Repeat, pick_translation


def _field(items: list[Field | Group | Repeat], name: str) -> Field | None:
    for item in items:
        if isinstance(item, Field) and item.name == name:
            return item
        if isinstance(item, Group | Repeat):
            found = _field(list(item.children), name)
            if found is not None:
                return found
    return None


def _choice_labels(forms: list[Form], field_name: str, language: str) -> dict[str, str]:
    """Labels of a field's choices in the project's forms (newest first wins)."""
    labels: dict[str, str] = {}
    for form in forms:
        item = _field(list(form.children), field_name)
        if item is None or not item.list_name:
            continue
        for choice in form.choices.get(item.list_name, []):
            labels.setdefault(choice.name, pick_translation(choice.label, language) or choice.name)
    return labels


def category_label(spec: Disaggregation | None, category: str, choices: dict[str, str], fmt: Formats) -> str:
    """A breakdown's category as people read it: ``15–35 anni``, ``montano``, ``donna`` …"""
    if spec is not None and spec.bands:
        if category in ("yes", "no"):
            return message(f"category_{category}", fmt.language)
        band = next((b for b in spec.bands if b.category == category), None)
        if band is not None:
            if band.min is not None and band.max is not None:
                return message("age_between", fmt.language, low=int(band.min), high=int(band.max))
            if band.max is not None:
                return message("age_up_to", fmt.language, high=int(band.max))
            if band.min is not None:
                return message("age_from", fmt.language, low=int(band.min))
    if category in choices:
        return choices[category]
    key = f"category_{category}"
    translated = message(key, fmt.language)
    return category if translated == key else translated


def _change(change: ChangeStatistics | None, unit: str, fmt: Formats) -> dict[str, Any] | None:
    if change is None:
        return None

    def number(value: float | None) -> str:
        return fmt.number(value, 2) if value is not None else "—"

    return {
        "n_linked": change.n_linked,
        "n_baseline_only": change.n_baseline_only,
        "n_endline_only": change.n_endline_only,
        "mean_baseline": number(change.mean_baseline),
        "mean_endline": number(change.mean_endline),
        "mean_change": number(change.mean_change),
        "mean_change_interval": (
            f"{number(change.mean_change_ci_low)} – {number(change.mean_change_ci_high)}"
            if change.mean_change_ci_low is not None
            else "—"
        ),
        "share_improved": fmt.percent(change.share_improved),
        "share_improved_interval": fmt.interval(
            change.share_improved_ci_low, change.share_improved_ci_high, "share"
        ),
        "share_worsened": fmt.percent(change.share_worsened),
        "t_test": f"t = {number(change.t_statistic)}, {fmt.p_value(change.t_p_value)}",
        "wilcoxon": f"W = {number(change.wilcoxon_statistic)}, {fmt.p_value(change.wilcoxon_p_value)}",
        "cohens_dz": number(change.cohens_dz),
        "significant": change.t_p_value is not None and change.t_p_value < 0.05,
    }


_METHODS = {
    "Wilson score interval (statsmodels proportion_confint)": "method_wilson",
    "t interval (statsmodels DescrStatsW)": "method_t_interval",
    "median with distribution-free order-statistic interval (binomial ranks)": "method_median",
    "weighted median (no interval)": "method_weighted_median",
    "count of responses": "method_count",
    "weighted count (sum of sampling weights)": "method_weighted_count",
    "sum of answers": "method_sum",
    "weighted sum of answers": "method_weighted_sum",
    "ratio of sums over responses (no interval)": "method_ratio",
}
_FPC = re.compile(r"^(?P<base>.*), finite-population correction N=(?P<population>\d+)$")
_FLAG = re.compile(r"^(?P<code>[a-z_]+): (?P<detail>.*)$")
_SMALL_N = re.compile(r"n=(?P<n>\d+) < (?P<min>\d+)")


def method_text(method: str, fmt: Formats) -> str:
    """How a KPI was computed, in the page's language where the method is a known one (the
    library's own words otherwise): ``intervallo t …, correzione per popolazione finita N = 40``."""
    base, population = method, None
    match = _FPC.match(method)
    if match is not None:
        base, population = match["base"], int(match["population"])
    weighted = ""
    for suffix in (
        ", weighted: Kish effective sample size",
        ", weighted: weights scaled to Kish effective sample size",
    ):
        if base.endswith(suffix):
            base, weighted = base.removesuffix(suffix), message("method_weighted_kish", fmt.language)
    key = _METHODS.get(base)
    if key is None:
        return method_family(method, fmt.language)  # the family of the method, or its own words
    text = message(key, fmt.language) + weighted
    if population is not None:
        text += message("method_fpc", fmt.language, population=fmt.integer(population))
    return text


def left_out_texts(result: KpiResult, fmt: Formats) -> list[str]:
    """What the KPI left out and why (responses the organisation set aside, baseline answers …) and
    what it could not say (no data, small groups), in the page's language."""
    texts = [
        (f"{fmt.integer(e.count)} · " if e.count is not None else "")
        + (getattr(e.label, fmt.language, None) or e.label.it)
        for e in result.exclusions
    ]
    for flag in result.flags:
        match = _FLAG.match(flag)
        code = match["code"] if match else ""
        if code == "small_n" and match is not None and (n := _SMALL_N.search(match["detail"])):
            texts.append(message("flag_small_n", fmt.language, n=int(n["n"]), min=int(n["min"])))
        elif code in ("no_data", "suppressed", "undefined"):
            texts.append(message(f"flag_{code}", fmt.language))
        else:
            texts.append(flag)
    return texts


def breakdown(
    result: KpiResult, framework: Framework, forms: list[Form], fmt: Formats
) -> list[dict[str, Any]]:
    """The result's cells by dimension, in the framework's order, with a chart for each dimension."""
    share = result.unit == "share"
    specs = {spec.id: spec for spec in framework.disaggregations}
    by_dimension: dict[str, list[Any]] = {}
    for cell in result.disaggregations:
        by_dimension.setdefault(cell.dimension, []).append(cell)
    order = [spec.id for spec in framework.disaggregations if spec.id in by_dimension]
    order += [d for d in by_dimension if d not in order]
    tables = []
    for dimension in order:
        spec = specs.get(dimension)
        choices = _choice_labels(forms, spec.field, FORM_LANGUAGE[fmt.language]) if spec else {}
        title = (getattr(spec.labels, fmt.language, None) or spec.labels.it) if spec else dimension
        rows = []
        for cell in by_dimension[dimension]:
            label = category_label(spec, cell.category, choices, fmt)
            rows.append(
                {
                    "label": label,
                    "category": cell.category,
                    "suppressed": cell.suppressed,
                    "suppression": cell.suppression or ("primary" if cell.suppressed else None),
                    "value_text": fmt.kpi(cell.value, result.unit) if not cell.suppressed else None,
                    "interval_text": fmt.interval(cell.ci_low, cell.ci_high, result.unit),
                    "n": cell.n,
                    "chart_row": charts.BreakdownRow(
                        label, cell.value, cell.ci_low, cell.ci_high, cell.n, cell.suppressed
                    ),
                }
            )
        tables.append(
            {
                "dimension": dimension,
                "title": title,
                "rows": rows,
                "chart": charts.breakdown_chart(
                    [row["chart_row"] for row in rows],
                    title,
                    fmt,
                    share=share,
                    suppressed_text=message("suppressed_short", fmt.language),
                    target=result.target,
                ),
            }
        )
    return tables


def _project_forms(db: DB, project: Project) -> list[Form]:
    rows = list_form_versions(db, [project.organisation_id])
    return [form_of(row) for row in sorted(rows, key=lambda r: r.id or 0, reverse=True)]


def kpi_context(
    db: DB, me: Principal, project: Project, indicator_id: str, period: int | None, fmt: Formats
) -> dict[str, Any]:
    assert project.id is not None
    results = cached_project_kpis(db, project.id, period)
    try:
        result = results.get(indicator_id)
    except KeyError:
        raise NotFoundError(f"indicator {indicator_id!r} not found") from None
    framework = resolve_framework(
        db,
        project.framework_id or DEFAULT_FRAMEWORK,
        project.framework_version if project.framework_id else None,
    )
    indicator = next((i for i in framework.indicators if i.id == indicator_id), None)
    label = getattr(result.labels, fmt.language, None) or result.labels.it
    definition = ""
    if indicator is not None and getattr(indicator, "definition", None) is not None:
        definition = getattr(indicator.definition, fmt.language, None) or indicator.definition.it
    threshold = results.disclosure.threshold if results.disclosure is not None else results.suppress_below
    statement = None
    if result.disclosure is not None:
        statement = getattr(result.disclosure, fmt.language, None) or result.disclosure.it
    return {
        "organisation": organisation_for(db, me, project.organisation_id),
        "project": project,
        "period_id": period,
        "result": result,
        "threshold": threshold,
        "disclosure": statement,
        "label": label,
        "definition": definition,
        "value_text": fmt.kpi(result.value, result.unit),
        "interval_text": fmt.interval(result.ci_low, result.ci_high, result.unit),
        "target_text": fmt.kpi(result.target, result.unit) if result.target is not None else None,
        "confidence_text": fmt.percent(result.confidence, 0),
        "tables": breakdown(result, framework, _project_forms(db, project), fmt),
        "change": _change(result.change, result.unit, fmt),
        "min_n": results.min_n,
        "suppress_below": results.suppress_below,
        "framework": framework,
        "method_text": method_text(result.method, fmt),
        "left_out": left_out_texts(result, fmt),
    }


@get("/app/projects/{project_id:int}/kpis/{indicator_id:str}", sync_to_thread=True)
def kpi_page(
    request: PageRequest,
    db: DB,
    me: Me,
    project_id: FromPath[int],
    indicator_id: FromPath[str],
    period: FromQuery[int | None] = None,
) -> Template:
    """The whole page without JavaScript; the breakdown alone when htmx opens it in the dashboard."""
    project = project_for(db, me, project_id)
    fmt = Formats(language_of(request))
    return render(
        request,
        "organisation/kpi.html",
        me,
        fragment="organisation/_kpi_breakdown.html",
        standalone=not is_htmx(request),
        **kpi_context(db, me, project, indicator_id, period, fmt),
    )


ROUTES = [kpi_page]
