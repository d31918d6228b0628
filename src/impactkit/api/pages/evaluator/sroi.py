"""The evaluator's SROI editor: build a report's value map in the browser, see it computed as it is typed.

One page per report (``/app/evaluator/reports/{id}/sroi``): start from scratch, from a shipped
template or from a workbook (impactkit's layout or Social Value International's); stakeholders,
inputs, outcomes with their proxies and adjustments; the ratio, present value, NPV and payback
recomputed by htmx while typing; sensitivity (tornado with the 1:1 values) and Monte Carlo
(histogram of the ratio, P(ratio < 1)) on the same page; every saved version kept, two compared;
downloads in both layouts. The map travels whole in the form (see :mod:`._value_map_form`); only
"save" stores it, as a new version, through :func:`impactkit.store.value_maps.save_value_map`.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

import yaml
from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from impactkit._paths import data_dir
from impactkit.api.deps import DB
from impactkit.api.pages import _charts as charts
from impactkit.api.pages._report_summary import kpi_rows
from impactkit.api.pages.evaluator._sroi_charts import ratio_histogram
from impactkit.api.pages.evaluator._value_map_form import (
    DISTRIBUTION_KINDS,
    EditorForm,
    field_of,
    number_text,
    posted_form,
    read_form,
    to_form,
)
from impactkit.api.pages.evaluator.reports import _assigned
from impactkit.api.pages.rendering import (
    Formats,
    Me,
    PageRequest,
    is_htmx,
    language_of,
    message,
    redirect,
    render,
)
from impactkit.errors import ImpactkitError, NotFoundError, Problem, ValueMapError
from impactkit.sroi._model import ESTIMATES, FRACTION_ESTIMATES
from impactkit.store import value_maps
from impactkit.store.tables import Organisation, Project, ReportingPeriod

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_MAX = 2 * 1024 * 1024
MONTE_CARLO_DRAWS = 10_000


def templates() -> dict[str, Path]:
    """Shipped value-map templates by id (``frameworks/value-maps/<id>.yaml``)."""
    folder = data_dir("frameworks") / "value-maps"
    return {path.stem: path for path in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def _template_data(template_id: str) -> dict[str, Any]:
    path = templates().get(template_id)
    if path is None:
        raise NotFoundError(f"no value-map template {template_id!r}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    from impactkit.sroi import parse_value_map

    return parse_value_map(data, source=path.name).model_dump(mode="json")


def _blank() -> dict[str, Any]:
    return {
        "name": "",
        "currency": "EUR",
        "discount_rate": 0.035,
        "stakeholders": [{"name": ""}],
        "inputs": [{"description": "", "amount": None}],
        "outcomes": [{"name": "", "stakeholder": "", "quantity": None, "proxy": {"value": None}}],
    }


def _proxy_bank() -> Any:
    from impactkit.frameworks.proxies import shipped_proxy_bank

    return shipped_proxy_bank()


def _bank_options(language: str) -> list[tuple[str, str]]:
    fmt = Formats(language)
    out = []
    for entry in _proxy_bank().proxies:
        label = getattr(entry.labels, language, entry.labels.it)
        unit = getattr(entry.unit, language, entry.unit.it)
        out.append(
            (entry.id, f"{label} · {fmt.money(entry.value, entry.currency)} / {unit} ({entry.price_year})")
        )
    return out


def _report_kpis(row: Any, fmt: Formats) -> list[dict[str, Any]]:
    """The report's KPIs a quantity may link to, with their value and interval."""
    return [k for k in kpi_rows(row.content, fmt) if not k["hidden"]]


class Evaluation:
    """What the form computes to: the map, its result, and every problem by field."""

    def __init__(self) -> None:
        self.data: dict[str, Any] | None = None
        self.value_map: Any = None
        self.result: Any = None
        self.errors: dict[str, str] = {}
        self.problems: list[str] = []


def evaluate(db: DB, me: Any, report: Any, form: EditorForm, language: str) -> Evaluation:
    """Read the form, resolve KPI links from the report's project, compute the SROI."""
    from impactkit.sroi import compute
    from impactkit.store.sroi import prepare_value_map

    out = Evaluation()
    data, errors = read_form(form, language, project_id=report.project_id, period_id=report.period_id)
    out.data = data
    if errors:
        for name, code in errors.items():
            out.errors[name] = message(f"field_{code}", language)
            out.problems.append(f"{name}: {out.errors[name]}")
        return out
    try:
        out.value_map = prepare_value_map(db, me, data, report_project_id=report.project_id)
        out.result = compute(out.value_map)
    except ValueMapError as exc:
        for problem in exc.problems:
            name = field_of(problem.location) or "_"
            out.errors.setdefault(name, problem.message)
            out.problems.append(
                f"{problem.location}: {problem.message}" if problem.location else problem.message
            )
    return out


_CONVENTION_PARTS = {
    "discounting on": "conv_used_discounting_on",
    "discounting off": "conv_used_discounting_off",
    "first year discounted": "conv_used_first_year_discounted",
    "first year not discounted": "conv_used_first_year_not_discounted",
    "drop-off from the second year": "conv_used_drop_off_second_year",
    "drop-off from the first year": "conv_used_drop_off_first_year",
    "inputs discounted": "conv_used_inputs_discounted",
    "inputs at face value": "conv_used_inputs_face_value",
}
"""The parts of :meth:`impactkit.sroi.Conventions.describe` by their message."""


def _conventions_text(described: str, language: str) -> str:
    """The conventions a result used (``discounting on; …``) in the page's language."""
    parts = [part.strip() for part in described.split(";") if part.strip()]
    return "; ".join(
        message(_CONVENTION_PARTS[part], language) if part in _CONVENTION_PARTS else part for part in parts
    )


def _result_view(evaluation: Evaluation, fmt: Formats) -> dict[str, Any] | None:
    result = evaluation.result
    if result is None:
        return None
    money = result.currency
    payback = result.payback
    if payback is not None and payback.undiscounted_months is not None:
        payback_text = message("months", fmt.language, n=fmt.number(payback.undiscounted_months, 1))
    else:
        payback_text = message("payback_not_reached", fmt.language)
    return {
        "ratio": result.sroi_ratio,
        "ratio_text": f"{fmt.number(result.sroi_ratio, 2)} : 1",
        "ratio_exact": fmt.number(result.sroi_ratio, 4),
        "net_ratio_text": f"{fmt.number(result.net_sroi_ratio, 2)} : 1",
        "present_value": fmt.money(result.total_present_value, money),
        "net_present_value": fmt.money(result.net_present_value, money),
        "inputs": fmt.money(result.inputs_total, money),
        "payback": payback_text,
        "payback_simple": fmt.number(result.payback_months, 1) if result.payback_months is not None else "—",
        "conventions": _conventions_text(result.conventions_used, fmt.language),
        "outcomes": [
            {
                "name": o.name,
                "stakeholder": o.stakeholder,
                "impact": fmt.money(o.impact, money),
                "present_value": fmt.money(o.present_value, money),
            }
            for o in result.outcomes
        ],
        "warnings": [f"{w.location}: {w.message}" for w in result.warnings],
    }


def _sensitivity_view(value_map: Any, fmt: Formats) -> dict[str, Any]:
    from impactkit.sroi import sensitivity

    found = sensitivity(value_map)
    rows: list[dict[str, Any]] = []
    tornado: list[charts.TornadoRow] = []
    for e in found.estimates:
        label = message(f"estimate_{e.estimate}", fmt.language) + (f" · {e.outcome}" if e.outcome else "")
        percent = e.estimate in FRACTION_ESTIMATES or e.estimate == "discount_rate"
        if e.break_even.reachable and e.break_even.value is not None:
            even = fmt.percent(e.break_even.value, 2) if percent else fmt.number(e.break_even.value, 2)
        else:
            even = message("not_reachable", fmt.language)
        rows.append(
            {
                "label": label,
                "base": fmt.percent(e.base_value, 1) if percent else fmt.number(e.base_value, 2),
                "low": fmt.number(e.low_ratio, 2),
                "high": fmt.number(e.high_ratio, 2),
                "break_even": even,
            }
        )
        tornado.append(charts.TornadoRow(label, e.low_ratio, e.high_ratio))
    chart = charts.tornado_chart(tornado[:15], found.base_ratio, message("sensitivity", fmt.language), fmt)
    return {
        "rows": rows,
        "chart": chart,
        "changes": ", ".join(f"±{fmt.percent(c, 0)}" for c in found.changes),
    }


def _montecarlo_view(value_map: Any, fmt: Formats, seed: int) -> dict[str, Any]:
    from impactkit.sroi._montecarlo import simulate_with_ratios

    result, ratios = simulate_with_ratios(value_map, MONTE_CARLO_DRAWS, seed)
    r = result.ratio
    return {
        "draws": fmt.integer(result.draws),
        "seed": seed,
        "uncertain": result.uncertain,
        "mean": fmt.number(r.mean, 2),
        "median": fmt.number(r.median, 2),
        "p5": fmt.number(r.p5, 2),
        "p95": fmt.number(r.p95, 2),
        "below_one": fmt.percent(result.probability_ratio_below_one, 1),
        "chart": ratio_histogram(ratios, message("montecarlo_histogram", fmt.language), fmt),
    }


def _versions_view(db: DB, me: Any, report: Any, fmt: Formats) -> list[dict[str, Any]]:
    from impactkit.store.tables import User

    out = []
    for row in value_maps.versions(db, me, report):
        author = db.get(User, row.author_user_id) if row.author_user_id else None
        out.append(
            {
                "number": row.number,
                "ratio": fmt.number(row.sroi_ratio, 4),
                "source": row.source,
                "note": row.note,
                "author": getattr(author, "name", "") if author else "",
                "at": fmt.datetime(row.created_at) if getattr(row, "created_at", None) else "",
            }
        )
    return out


def _diff_view(db: DB, me: Any, report: Any, first: int, second: int) -> list[dict[str, str]]:
    return [
        {"path": c.path, "change": c.kind, "before": _plain(c.before), "after": _plain(c.after)}
        for c in value_maps.diff(db, me, report, first, second)
    ]


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)[:300]
    return str(value)


def _page(
    request: PageRequest,
    db: DB,
    me: Any,
    report: Any,
    row: Any,
    form: EditorForm | None,
    *,
    status: int = 200,
    evaluation: Evaluation | None = None,
    sensitivity_view: dict[str, Any] | None = None,
    montecarlo_view: dict[str, Any] | None = None,
    deadweight_view: dict[str, Any] | None = None,
    notice: str | None = None,
    diff: tuple[int, int] | None = None,
) -> Template:
    language = language_of(request)
    fmt = Formats(language)
    if form is not None and evaluation is None:
        evaluation = evaluate(db, me, report, form, language)
    if form is not None and evaluation is not None:
        form.errors = evaluation.errors
    versions = _versions_view(db, me, report, fmt)
    columns = _response_columns(db, report) if form is not None else {}
    stakeholder_names = (
        [form.get(f"s{i}_name") for i in range(form.stakeholders) if form.get(f"s{i}_name")] if form else []
    )
    return render(
        request,
        "evaluator/sroi.html",
        me,
        status,
        report=report,
        organisation=db.get(Organisation, report.organisation_id),
        project=db.get(Project, report.project_id),
        period=db.get(ReportingPeriod, report.period_id),
        form=form,
        stakeholder_names=stakeholder_names,
        result=_result_view(evaluation, fmt) if evaluation else None,
        problems=evaluation.problems if evaluation else [],
        kpis=_report_kpis(row, fmt),
        bank=_bank_options(language),
        templates=list(templates()),
        versions=versions,
        can_save=value_maps.can_edit(db, me, report),
        sensitivity=sensitivity_view,
        montecarlo=montecarlo_view,
        deadweight=deadweight_view,
        response_columns=columns,
        response_forms=[(form_id, form_id) for form_id in columns],
        outcome_choices=[(str(i), f"{i + 1}. {form.get(f'o{i}_name')}") for i in range(form.outcomes)]
        if form is not None
        else [],
        notice=notice,
        diff=_diff_view(db, me, report, *diff) if diff else None,
        diff_pair=diff,
        estimates=ESTIMATES,
        fraction_estimates=FRACTION_ESTIMATES,
        distribution_kinds=DISTRIBUTION_KINDS,
    )


def _int_query(request: PageRequest, name: str) -> int | None:
    text = request.query_params.get(name)
    if text is None or text == "":
        return None
    if not text.isdigit():
        raise ImpactkitError("not_a_number", [Problem("integer", name, code="integer")])
    return int(text)


@get("/app/evaluator/reports/{report_id:int}/sroi", sync_to_thread=True)
def sroi_editor(request: PageRequest, db: DB, me: Me, report_id: FromPath[int]) -> Template:
    """The editor: the newest saved map, a version, a template, a blank map, or the ways to start."""
    report, row = _assigned(db, me, report_id)
    language = language_of(request)
    number = _int_query(request, "version")
    first, second = _int_query(request, "first"), _int_query(request, "second")
    diff = (first, second) if first is not None and second is not None else None
    template_id = request.query_params.get("template")
    data: dict[str, Any] | None = None
    notice = None
    if number is not None:
        data = value_maps.get_version(db, me, report, number).value_map
        notice = "value_map_version_loaded"
    elif template_id:
        data = _template_data(template_id)
        notice = "value_map_template_loaded"
    elif request.query_params.get("start") == "scratch":
        data = _blank()
    else:
        saved = value_maps.versions(db, me, report)
        if saved:
            data = saved[-1].value_map
        else:
            sroi = row.content.get("sroi") or {}
            data = sroi.get("value_map")
    form = to_form(data, language) if data is not None else None
    return _page(request, db, me, report, row, form, notice=notice, diff=diff)


@post("/app/evaluator/reports/{report_id:int}/sroi/compute", sync_to_thread=True, status_code=200)
def sroi_compute(
    request: PageRequest, db: DB, me: Me, report_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Template:
    """The result panel for the map as typed so far (htmx swaps it in while the person types)."""
    report, row = _assigned(db, me, report_id)
    language = language_of(request)
    form = posted_form(data)
    evaluation = evaluate(db, me, report, form, language)
    if not is_htmx(request):
        return _page(request, db, me, report, row, form, evaluation=evaluation)
    fmt = Formats(language)
    return render(
        request,
        "evaluator/sroi.html",
        me,
        fragment="evaluator/_sroi_result.html",
        result=_result_view(evaluation, fmt),
        problems=evaluation.problems,
        report=report,
        form=form,
    )


def _structural(form: EditorForm, action: str, language: str) -> str | None:
    """Add or remove a row, or take a proxy from the bank; the notice to show, if any."""
    v = form.values
    if action == "add_stakeholder":
        v[f"s{form.stakeholders}_name"] = ""
        form.stakeholders += 1
    elif action == "add_input":
        v[f"i{form.inputs}_kind"] = "money"
        v[f"i{form.inputs}_year"] = "1"
        form.inputs += 1
    elif action == "add_outcome":
        p = f"o{form.outcomes}_"
        v.update({p + "duration": "1", p + "start_year": "1", p + "qkind": "number"})
        form.outcomes += 1
    elif action.startswith("remove_"):
        kind, _, index_text = action.removeprefix("remove_").partition("_")
        letter = {"stakeholder": "s", "input": "i", "outcome": "o"}.get(kind)
        if letter is None or not index_text.isdigit():
            return None
        index = int(index_text)
        count = {"s": form.stakeholders, "i": form.inputs, "o": form.outcomes}[letter]
        if index >= count:
            return None
        shifted: dict[str, str] = {}
        for key, value in v.items():
            head, sep, rest = key.partition("_")
            if sep and head[:1] == letter and head[1:].isdigit():
                n = int(head[1:])
                if n == index:
                    continue
                shifted[f"{letter}{n - 1 if n > index else n}_{rest}"] = value
            else:
                shifted[key] = value
        form.values = shifted
        if letter == "s":
            form.stakeholders -= 1
        elif letter == "i":
            form.inputs -= 1
        else:
            form.outcomes -= 1
        return "row_removed"
    elif action.startswith("bank_"):
        index_text = action.removeprefix("bank_")
        pick = v.get(f"o{index_text}_bank_pick", "")
        if not index_text.isdigit() or not pick:
            return None
        from impactkit.frameworks.proxies import financial_proxy

        bank = _proxy_bank()
        proxy = financial_proxy(bank, pick)
        entry = bank.proxy(pick)
        p = f"o{index_text}_"
        v[p + "proxy"] = number_text(proxy.value, language)
        v[p + "proxy_source"] = proxy.source
        v[p + "proxy_bank"] = proxy.bank or ""
        v[p + "proxy_year"] = str(proxy.year or "")
        v[p + "proxy_currency"] = proxy.currency or ""
        v[p + "proxy_description"] = getattr(entry.labels, language, entry.labels.it)
        v["proxy_bank"] = bank.reference
        return "proxy_taken_from_bank"
    return None


def _response_frames(db: DB, report: Any) -> dict[str, Any]:
    """The report's stored responses, one frame per form (answers by question, metadata columns)."""
    from impactkit.store.kpis import response_frames

    return response_frames(db, [report.organisation_id], report.project_id, report.period_id)


def _response_columns(db: DB, report: Any) -> dict[str, list[str]]:
    return {
        form_id: [str(c) for c in frame.columns] for form_id, frame in _response_frames(db, report).items()
    }


def _deadweight(db: DB, report: Any, form: EditorForm, language: str) -> dict[str, Any]:
    """Deadweight of one outcome from the stored responses (comparison group or difference in
    differences), written into the form: the share, its evidence, and a Normal for the Monte Carlo."""
    import pandas as pd

    from impactkit.sroi import deadweight_from_comparison, deadweight_from_did

    fmt = Formats(language)
    v = form.values
    index_text = v.get("dw_outcome", "0")
    if not index_text.isdigit() or int(index_text) >= form.outcomes:
        raise ValueMapError("deadweight", [Problem("choose an outcome of the map", "dw_outcome", "choice")])
    index = int(index_text)
    frames = _response_frames(db, report)
    form_id = v.get("dw_form", "")
    if form_id not in frames:
        raise ValueMapError(
            "deadweight",
            [Problem(f"choose a form with stored responses: {sorted(frames)}", "dw_form", "choice")],
        )
    frame = frames[form_id].copy()
    outcome_col, group_col = v.get("dw_outcome_col", "").strip(), v.get("dw_group_col", "").strip()
    for name, column in (("dw_outcome_col", outcome_col), ("dw_group_col", group_col)):
        if column not in frame.columns:
            raise ValueMapError(
                "deadweight",
                [
                    Problem(
                        f"no column {column!r} in {form_id}; it has {sorted(map(str, frame.columns))}", name
                    )
                ],
            )
    success = v.get("dw_success", "").strip()
    if success:
        answered = frame[outcome_col].notna()
        frame[outcome_col] = (frame[outcome_col].astype(str) == success).astype(int).where(answered)
    frame[group_col] = frame[group_col].astype(str)
    method = v.get("dw_method", "comparison")
    comparison, treated = v.get("dw_comparison", "").strip(), v.get("dw_treated", "").strip()
    p = f"o{index}_"
    if method == "did":
        period_col = v.get("dw_period_col", "").strip() or "_wave"
        respondent_col = v.get("dw_respondent_col", "").strip() or "_respondent_code"
        endline = v.get("dw_endline", "").strip() or "endline"
        for name, column in (("dw_period_col", period_col), ("dw_respondent_col", respondent_col)):
            if column not in frame.columns:
                raise ValueMapError("deadweight", [Problem(f"no column {column!r} in {form_id}", name)])
        frame[period_col] = frame[period_col].astype(str)
        found = deadweight_from_did(
            pd.DataFrame(frame),
            outcome_col,
            group_col,
            period_col,
            respondent_col,
            treated=treated,
            endline=endline,
        )
        if found.deadweight is None or found.distribution is None:
            return {"method": "did", "note": found.note, "applied": False}
        share, low, high = found.deadweight, found.deadweight_low, found.deadweight_high
        evidence = (
            f"Difference in differences on {form_id} ({found.observations} answers, {found.respondents} "
            f"respondents): effect {found.effect:.4g} [{found.effect_low:.4g}, {found.effect_high:.4g}], "
            f"p = {found.p_value:.3g}; comparison change {found.comparison_change:.4g}, treated change "
            f"{found.treated_change:.4g}; {found.note}"
        )
        distribution = found.distribution
        extra = {"p_value": fmt.p_value(found.p_value), "respondents": fmt.integer(found.respondents)}
    else:
        found_c = deadweight_from_comparison(
            pd.DataFrame(frame), outcome_col, group_col, comparison=comparison, treated=treated or None
        )
        share, low, high = found_c.deadweight, found_c.interval_low, found_c.interval_high
        evidence = (
            f"Comparison group {group_col} = {comparison} in {form_id}: {found_c.successes} of "
            f"{found_c.respondents} reached {outcome_col} anyway (Wilson 95 % interval "
            f"{low:.1%} – {high:.1%})"
        )
        distribution = found_c.distribution
        extra = {"respondents": fmt.integer(found_c.respondents)}
    v[p + "deadweight"] = number_text(share, language, percent=True)
    evidence_map: dict[str, str] = {}
    if v.get(p + "evidence"):
        try:
            loaded = json.loads(v[p + "evidence"])
            evidence_map = {str(k): str(x) for k, x in loaded.items()} if isinstance(loaded, dict) else {}
        except json.JSONDecodeError:
            evidence_map = {}
    evidence_map["deadweight"] = evidence[:1000]
    v[p + "evidence"] = json.dumps(evidence_map, ensure_ascii=False)
    d = f"{p}d_deadweight_"
    v[d + "kind"] = "normal"
    v[d + "mode"] = number_text(distribution.mean, language, percent=True)
    v[d + "sd"] = number_text(distribution.sd, language, percent=True)
    return {
        "method": method,
        "applied": True,
        "outcome": v.get(p + "name", ""),
        "share": fmt.percent(share, 1),
        "interval": f"{fmt.percent(low, 1)} – {fmt.percent(high, 1)}"
        if low is not None and high is not None
        else "",
        "evidence": evidence,
        **extra,
    }


@post("/app/evaluator/reports/{report_id:int}/sroi", sync_to_thread=True, status_code=200)
def sroi_post(
    request: PageRequest, db: DB, me: Me, report_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Template | Redirect:
    """Every button of the editor: recalculate, add/remove rows, proxy from the bank, sensitivity,
    Monte Carlo, save as a new version. Nothing but "save" stores anything."""
    report, row = _assigned(db, me, report_id)
    language = language_of(request)
    fmt = Formats(language)
    form = posted_form(data)
    action = str(data.get("action") or "compute")
    notice = _structural(form, action, language)
    evaluation = evaluate(db, me, report, form, language)
    sensitivity_view = montecarlo_view = None
    deadweight_view: dict[str, Any] | None = None
    status = 200
    if action in ("sensitivity", "montecarlo", "save", "deadweight") and evaluation.value_map is None:
        status = 422
        notice = "value_map_has_problems"
    elif action == "sensitivity":
        sensitivity_view = _sensitivity_view(evaluation.value_map, fmt)
    elif action == "deadweight":
        try:
            deadweight_view = _deadweight(db, report, form, language)
        except ValueMapError as exc:
            status = 422
            deadweight_view = {"problems": [f"{p.location}: {p.message}" for p in exc.problems]}
        evaluation = evaluate(db, me, report, form, language)
    elif action == "montecarlo":
        seed_text = str(data.get("seed") or "1").strip()
        seed = int(seed_text) if seed_text.isdigit() else 1
        montecarlo_view = _montecarlo_view(evaluation.value_map, fmt, seed)
    elif action == "save":
        note = str(data.get("note") or "")[:500]
        value_maps.save_value_map(db, me, report, evaluation.data, source="editor", note=note)
        return redirect(f"/app/evaluator/reports/{report_id}/sroi", done="value_map_saved")
    if evaluation.value_map is not None:
        # Panels already open stay open (and follow the map) when another button is pressed.
        if sensitivity_view is None and data.get("keep_sensitivity") == "yes":
            sensitivity_view = _sensitivity_view(evaluation.value_map, fmt)
        if montecarlo_view is None and data.get("keep_montecarlo") == "yes":
            seed_text = str(data.get("seed") or "1").strip()
            montecarlo_view = _montecarlo_view(
                evaluation.value_map, fmt, int(seed_text) if seed_text.isdigit() else 1
            )
    return _page(
        request,
        db,
        me,
        report,
        row,
        form,
        status=status,
        evaluation=evaluation,
        sensitivity_view=sensitivity_view,
        montecarlo_view=montecarlo_view,
        deadweight_view=deadweight_view,
        notice=notice,
    )


@post("/app/evaluator/reports/{report_id:int}/sroi/upload", sync_to_thread=True, status_code=200)
def sroi_upload(
    request: PageRequest,
    db: DB,
    me: Me,
    report_id: FromPath[int],
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Template:
    """A workbook (impactkit's layout or SVI's), YAML or JSON opened in the editor; saved only by "save"."""
    from impactkit.sroi import import_value_map

    report, row = _assigned(db, me, report_id)
    language = language_of(request)
    upload = data.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValueMapError("no_file", [Problem("choose a file", "file", "required")])
    name = upload.filename.lower()
    content = upload.file.read(UPLOAD_MAX + 1)
    if len(content) > UPLOAD_MAX:
        raise ValueMapError("file_too_large", [Problem("at most 2 MiB", "file", "file_too_large")])
    if name.endswith(".xlsx"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "value-map.xlsx"
            path.write_bytes(content)
            loaded = import_value_map(path).model_dump(mode="json")
    elif name.endswith((".yaml", ".yml", ".json")):
        from impactkit.sroi import parse_value_map

        try:
            raw = yaml.safe_load(content.decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ValueMapError(
                "value_map_unreadable", [Problem(str(exc)[:300], "file", "unreadable")]
            ) from None
        loaded = parse_value_map(raw, source=upload.filename).model_dump(mode="json")
    else:
        raise ValueMapError("value_map_type", [Problem("a .xlsx, .yaml or .json file", "file", "file_type")])
    return _page(request, db, me, report, row, to_form(loaded, language), notice="value_map_file_loaded")


@get("/app/evaluator/reports/{report_id:int}/sroi/value-map.xlsx", sync_to_thread=True)
def sroi_download(request: PageRequest, db: DB, me: Me, report_id: FromPath[int]) -> Response[bytes]:
    """A saved version (the newest by default) as a workbook: ``layout=impactkit`` or ``layout=svi``."""
    from impactkit.sroi import ValueMap, export_value_map

    report, _ = _assigned(db, me, report_id)
    layout = request.query_params.get("layout") or "impactkit"
    if layout not in ("impactkit", "svi"):
        raise ImpactkitError("invalid_form", [Problem("expected impactkit or svi", "layout", "choice")])
    number = _int_query(request, "version")
    saved = value_maps.versions(db, me, report)
    if not saved:
        raise NotFoundError(f"report {report_id} has no saved value map")
    chosen = value_maps.get_version(db, me, report, number) if number is not None else saved[-1]
    value_map = ValueMap.model_validate(chosen.value_map)
    from impactkit.sroi import kpi_links

    if kpi_links(value_map):
        from impactkit.store.sroi import prepare_value_map

        value_map = prepare_value_map(db, me, chosen.value_map, report_project_id=report.project_id)
    with tempfile.TemporaryDirectory() as folder:
        path = export_value_map(
            value_map, Path(folder) / "value-map.xlsx", language=language_of(request), layout=layout
        )
        content = path.read_bytes()
    filename = f"value-map-{report_id}-v{chosen.number}{'-svi' if layout == 'svi' else ''}.xlsx"
    return Response(
        content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


ROUTES = [sroi_editor, sroi_compute, sroi_post, sroi_upload, sroi_download]
