"""The evaluator's automated validation checklist: data quality and the principles of social value.

:func:`run_checklist` looks at a report's content and a few figures about its data
(:class:`ReportStats`) and returns one :class:`CheckItem` per check. ``pass`` means the
evidence is there, ``warn`` that the evaluator should look (every "evaluator to confirm"
is a ``warn`` that says what to look at), ``fail`` that something the report needs is
missing or wrong.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from impactkit.errors import Problem
from impactkit.reports.model import ReportContent, report_sections

Status = Literal["pass", "warn", "fail"]

SAMPLE_KINDS = frozenset({"mean", "proportion", "change"})
"""Kinds of KPI estimated from a sample of answers, which always carry an interval."""

SMALL_N = 30
"""Below this many answers a KPI is flagged as a small sample."""
OUTLIER_Z = 3.5
"""Robust z-score (median and MAD, Iglewicz and Hoaglin) above which a value is an outlier."""

ESTIMATES = ("deadweight", "displacement", "attribution", "drop_off")


class ResponseCount(BaseModel):
    """How many responses one form received in one wave, against how many people it addressed."""

    form_id: str
    wave: str | None = None
    responses: int
    population: int | None = None
    """People the form was meant for; None falls back to the report's stated population."""


class ReportStats(BaseModel):
    """Figures about the report's data that the checklist needs and the content does not hold."""

    model_config = ConfigDict(extra="allow")

    population: int | None = None
    """The population the organisation states it serves in the period (people)."""
    responses: list[ResponseCount] = Field(default_factory=list)
    response_values: dict[str, list[float]] = Field(default_factory=dict)
    """Numeric answers per field, for outlier checks."""
    stakeholder_groups_consulted: list[str] = Field(default_factory=list)
    min_response_rate: float = 0.5
    """Response rate (fraction) below which the checklist warns."""
    small_n: int = SMALL_N


class CheckItem(BaseModel):
    """One line of the checklist."""

    id: str
    title: dict[str, str]
    status: Status
    detail: str
    principle: str | None = None
    """Which principle of social value the check serves, when it is one."""


def _item(
    check_id: str, it: str, en: str, status: Status, detail: str, principle: str | None = None
) -> CheckItem:
    return CheckItem(
        id=check_id, title={"it": it, "en": en}, status=status, detail=detail, principle=principle
    )


def _outcomes(content: ReportContent) -> list[dict[str, Any]]:
    if content.sroi is None:
        return []
    outcomes = content.sroi.value_map.get("outcomes") or []
    return [outcome for outcome in outcomes if isinstance(outcome, dict)]


def _name(outcome: dict[str, Any], index: int) -> str:
    for key in ("id", "name", "outcome", "description"):
        if isinstance(outcome.get(key), str) and outcome[key]:
            return str(outcome[key])
    return f"outcomes[{index}]"


def _find(data: dict[str, Any], *paths: str) -> Any:
    """First non-empty value among dotted paths (``proxy.source``) in a value-map outcome."""
    for path in paths:
        value: Any = data
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value not in (None, "", [], {}):
            return value
    return None


def _robust_outliers(values: Iterable[float]) -> list[float]:
    """Values whose robust z-score (0.6745·|x − median| / MAD) exceeds :data:`OUTLIER_Z`."""
    numbers = [float(v) for v in values if v is not None]
    if len(numbers) < 5:
        return []
    median = statistics.median(numbers)
    mad = statistics.median(abs(v - median) for v in numbers)
    if mad == 0:
        # Fall back on the interquartile rule when more than half the values are equal.
        quartiles = statistics.quantiles(numbers, n=4)
        spread = quartiles[2] - quartiles[0]
        if spread == 0:
            return [v for v in numbers if v != median] if len(set(numbers)) > 1 else []
        low, high = quartiles[0] - 3 * spread, quartiles[2] + 3 * spread
        return [v for v in numbers if v < low or v > high]
    return [v for v in numbers if 0.6745 * abs(v - median) / mad > OUTLIER_Z]


def _completeness(content: ReportContent) -> list[CheckItem]:
    items: list[CheckItem] = []
    missing_values = [kpi.indicator_id for kpi in content.kpis if kpi.value is None]
    if not content.kpis:
        items.append(_item("kpi_values", "Valori degli indicatori", "KPI values", "fail", "no KPI results"))
    elif missing_values:
        items.append(
            _item(
                "kpi_values",
                "Valori degli indicatori",
                "KPI values",
                "fail",
                f"{len(missing_values)} of {len(content.kpis)} KPIs have no value: "
                + ", ".join(missing_values),
            )
        )
    else:
        items.append(
            _item(
                "kpi_values",
                "Valori degli indicatori",
                "KPI values",
                "pass",
                f"all {len(content.kpis)} KPIs have a value",
            )
        )
    missing_sections = [
        section.key for section in report_sections() if not content.sections.get(section.key, "").strip()
    ]
    items.append(
        _item(
            "sections",
            "Sezioni del bilancio sociale (D.M. 4/7/2019)",
            "Social report sections (Decree of 4 July 2019)",
            "fail" if missing_sections else "pass",
            ("missing or empty: " + ", ".join(missing_sections))
            if missing_sections
            else "all eight sections are written",
        )
    )
    return items


def _response_rates(content: ReportContent, stats: ReportStats) -> CheckItem:
    title = ("Tasso di risposta", "Response rate")
    if not stats.responses:
        return _item("response_rate", *title, "warn", "no response counts given")
    lines: list[str] = []
    worst: Status = "pass"
    for count in stats.responses:
        population = count.population or stats.population
        where = count.form_id + (f" ({count.wave})" if count.wave else "")
        if not population:
            lines.append(f"{where}: {count.responses} responses, no stated population")
            worst = "warn" if worst == "pass" else worst
            continue
        rate = count.responses / population
        lines.append(f"{where}: {count.responses}/{population} = {rate:.0%}")
        if rate > 1:
            worst = "fail"
            lines[-1] += " (more responses than the stated population)"
        elif rate < stats.min_response_rate and worst == "pass":
            worst = "warn"
            lines[-1] += f" (below {stats.min_response_rate:.0%})"
    return _item("response_rate", *title, worst, "; ".join(lines))


def _sample_sizes(content: ReportContent, stats: ReportStats) -> list[CheckItem]:
    small = [
        f"{kpi.indicator_id} (n={kpi.n})"
        for kpi in content.kpis
        if kpi.n is not None and kpi.n < stats.small_n
    ]
    flagged = [f"{kpi.indicator_id} ({', '.join(kpi.flags)})" for kpi in content.kpis if kpi.flags]
    suppressed = [
        f"{kpi.indicator_id}: {cell.dimension}={cell.category}"
        for kpi in content.kpis
        for cell in kpi.disaggregations
        if cell.suppressed
    ] + [kpi.indicator_id for kpi in content.kpis if getattr(kpi, "suppressed", False)]
    secondary = sum(
        1
        for kpi in content.kpis
        for item in [kpi, *kpi.disaggregations]
        if getattr(item, "suppression", None) == "secondary"
    )
    return [
        _item(
            "sample_size",
            "Dimensione del campione",
            "Sample size",
            "warn" if small else "pass",
            (f"fewer than {stats.small_n} answers: " + ", ".join(small))
            if small
            else f"every KPI rests on at least {stats.small_n} answers or is a reported figure",
        ),
        _item(
            "kpi_flags",
            "Avvertenze sugli indicatori",
            "KPI flags",
            "warn" if flagged else "pass",
            "; ".join(flagged) if flagged else "no KPI carries a flag",
        ),
        _item(
            "suppressed_cells",
            "Celle soppresse",
            "Suppressed cells",
            "warn" if suppressed else "pass",
            (
                f"{len(suppressed)} figure(s) hidden for privacy ({len(suppressed) - secondary} with "
                f"fewer people than the disclosure threshold, {secondary} so that those cannot be worked "
                "out from the others); comparisons across them are not possible: " + ", ".join(suppressed)
            )
            if suppressed
            else "no figure is hidden",
        ),
    ]


def _outliers(content: ReportContent, stats: ReportStats) -> CheckItem:
    found: list[str] = []
    for kpi in content.kpis:
        by_dimension: dict[str, list[tuple[str, float]]] = {}
        for cell in kpi.disaggregations:
            if cell.value is not None and not cell.suppressed:
                by_dimension.setdefault(cell.dimension, []).append((cell.category, cell.value))
        for dimension, cells in by_dimension.items():
            outlying = set(_robust_outliers(value for _, value in cells))
            found.extend(
                f"{kpi.indicator_id} {dimension}={category} ({value:g})"
                for category, value in cells
                if value in outlying
            )
    for field, values in stats.response_values.items():
        outlying_values = _robust_outliers(values)
        if outlying_values:
            shown = ", ".join(f"{v:g}" for v in sorted(set(outlying_values))[:10])
            found.append(f"answers to {field}: {len(outlying_values)} outlier(s) ({shown})")
    return _item(
        "outliers",
        "Valori anomali",
        "Outliers",
        "warn" if found else "pass",
        ("robust z-score above 3.5 or beyond 3 IQR: " + "; ".join(found))
        if found
        else "no outlier among KPI disaggregations and the numeric answers given",
    )


def _sroi_checks(content: ReportContent) -> list[CheckItem]:
    outcomes = _outcomes(content)
    if content.sroi is None:
        return []
    no_source: list[str] = []
    no_evidence: list[str] = []
    for index, outcome in enumerate(outcomes):
        name = _name(outcome, index)
        if _find(outcome, "proxy.source", "proxy_source", "financial_proxy.source") is None:
            no_source.append(name)
        lacking = [
            estimate
            for estimate in ESTIMATES
            if _find(
                outcome,
                f"{estimate}_evidence",
                f"{estimate}_source",
                f"evidence.{estimate}",
                f"{estimate}.evidence",
                f"{estimate}.source",
            )
            is None
            and _find(outcome, f"{estimate}", f"{estimate}.value") not in (None, 0, 0.0)
        ]
        quantity_evidence = _find(outcome, "quantity_evidence", "quantity.evidence", "evidence.quantity")
        # A quantity linked to a KPI result is evidenced by that KPI.
        quantity_link = _find(outcome, "quantity.kpi", "kpi", "indicator_id", "quantity_kpi")
        if quantity_evidence is None and quantity_link is None:
            lacking.insert(0, "quantity")
        if lacking:
            no_evidence.append(f"{name} ({', '.join(lacking)})")
    return [
        _item(
            "proxy_sources",
            "Fonti delle proxy finanziarie",
            "Financial proxy sources",
            "fail" if no_source else ("pass" if outcomes else "warn"),
            ("proxies without a source: " + ", ".join(no_source))
            if no_source
            else (f"all {len(outcomes)} proxies name a source" if outcomes else "no outcomes found"),
        ),
        _item(
            "sroi_evidence",
            "Evidenze delle stime SROI",
            "Evidence for SROI estimates",
            "warn" if no_evidence else "pass",
            ("estimates without evidence: " + "; ".join(no_evidence))
            if no_evidence
            else "every quantity and non-zero estimate cites evidence",
        ),
    ]


def _principles(content: ReportContent, stats: ReportStats) -> list[CheckItem]:
    outcomes = _outcomes(content)
    has_sroi = content.sroi is not None
    sections = content.sections
    items: list[CheckItem] = []

    def principle(number: int, key: str, it: str, en: str, status: Status, detail: str) -> None:
        items.append(_item(f"principle_{number}_{key}", it, en, status, detail, principle=key))

    # 1. Involve stakeholders.
    stakeholders = [s for s in content.sroi.value_map.get("stakeholders") or []] if content.sroi else []
    total_responses = sum(count.responses for count in stats.responses)
    if total_responses and stats.stakeholder_groups_consulted:
        principle(
            1,
            "involve_stakeholders",
            "Coinvolgere gli stakeholder",
            "Involve stakeholders",
            "pass",
            f"{total_responses} responses from " + ", ".join(stats.stakeholder_groups_consulted),
        )
    else:
        principle(
            1,
            "involve_stakeholders",
            "Coinvolgere gli stakeholder",
            "Involve stakeholders",
            "warn",
            "evaluator to confirm: which stakeholder groups were consulted and how "
            f"({total_responses} survey responses; {len(stakeholders)} stakeholder groups in "
            "the value map); look at the methodology section",
        )
    # 2. Understand what changes.
    change_kpis = [kpi.indicator_id for kpi in content.kpis if (kpi.kind or "") == "change"]
    waves = {count.wave for count in stats.responses if count.wave}
    if change_kpis or len(waves) >= 2:
        principle(
            2,
            "understand_what_changes",
            "Comprendere il cambiamento",
            "Understand what changes",
            "pass",
            "change measured: " + ", ".join(change_kpis or [f"waves {', '.join(sorted(waves))}"]),
        )
    else:
        principle(
            2,
            "understand_what_changes",
            "Comprendere il cambiamento",
            "Understand what changes",
            "warn",
            "evaluator to confirm: no change KPI and no baseline/endline waves; look at the "
            "theory of change in 'objectives and activities' and whether outcomes (not outputs) "
            "are measured",
        )
    # 3. Value what matters.
    if has_sroi:
        sourced = sum(
            1 for o in outcomes if _find(o, "proxy.source", "proxy_source", "financial_proxy.source")
        )
        principle(
            3,
            "value_what_matters",
            "Valorizzare ciò che conta",
            "Value what matters",
            "pass" if outcomes and sourced == len(outcomes) else "warn",
            f"{sourced} of {len(outcomes)} outcomes have a sourced financial proxy; evaluator to "
            "confirm that proxies reflect the value stakeholders place on the outcomes",
        )
    else:
        principle(
            3,
            "value_what_matters",
            "Valorizzare ciò che conta",
            "Value what matters",
            "warn",
            "evaluator to confirm: no SROI analysis; look at whether the KPIs cover the "
            "outcomes stakeholders say matter most",
        )
    # 4. Include only what is material.
    material = [o for o in outcomes if _find(o, "materiality", "material") is not None]
    principle(
        4,
        "include_only_what_is_material",
        "Includere solo ciò che è rilevante",
        "Include only what is material",
        "warn",
        (f"{len(material)} of {len(outcomes)} outcomes state a materiality judgement; " if has_sroi else "")
        + "evaluator to confirm: the reasons for including and excluding outcomes "
        "(methodology section) and that no material outcome, including negative ones, is left out",
    )
    # 5. Do not over-claim.
    unadjusted = [
        _name(o, i)
        for i, o in enumerate(outcomes)
        if all(_find(o, e, f"{e}.value") in (None, 0, 0.0) for e in ESTIMATES[:3])
    ]
    # Sample estimates need an interval; an organisation's own figures (counts it reports, and
    # ratios of them) are not samples, and totals and medians of a few answers may have none.
    no_interval = [
        kpi.indicator_id
        for kpi in content.kpis
        if kpi.kind in SAMPLE_KINDS
        and not (kpi.method or "").startswith(("reported figure", "ratio of reported"))
        and kpi.value is not None
        and kpi.n is not None
        and kpi.n > 1
        and kpi.ci_low is None
    ]
    problems = []
    if unadjusted:
        problems.append("outcomes with no deadweight, displacement or attribution: " + ", ".join(unadjusted))
    if no_interval:
        problems.append(
            "sample estimates (survey means, shares, changes) without a confidence interval: "
            + ", ".join(no_interval)
        )
    principle(
        5,
        "do_not_over_claim",
        "Non sovrastimare",
        "Do not over-claim",
        "warn" if problems else "pass",
        "; ".join(problems)
        if problems
        else "every outcome is adjusted for what would have happened anyway and for others' "
        "contribution; every sample estimate carries a confidence interval (organisation-reported "
        "figures are counts, not samples, and need none)",
    )
    # 6. Be transparent.
    no_method = [kpi.indicator_id for kpi in content.kpis if not kpi.method]
    methodology = bool(sections.get("methodology", "").strip())
    principle(
        6,
        "be_transparent",
        "Essere trasparenti",
        "Be transparent",
        "pass" if methodology and not no_method else "warn",
        ("methodology section written" if methodology else "methodology section missing")
        + ("; KPIs without a method: " + ", ".join(no_method) if no_method else "")
        + "; evaluator to confirm that choices and their reasons are reported",
    )
    # 7. Verify the result.
    has_sensitivity = bool(content.sroi and content.sroi.sensitivity)
    principle(
        7,
        "verify_the_result",
        "Verificare il risultato",
        "Verify the result",
        "pass" if has_sensitivity or not has_sroi else "warn",
        ("sensitivity analysis present" if has_sensitivity else "no sensitivity analysis")
        + "; evaluator to confirm: the independent check of the figures is this validation; "
        "look at the checklist above and the data behind outlying KPIs",
    )
    # 8. Be responsive.
    principle(
        8,
        "be_responsive",
        "Essere reattivi",
        "Be responsive",
        "warn",
        "evaluator to confirm: how results feed decisions; look at 'other information' and "
        "'objectives and activities' for actions taken on previous findings"
        + ("" if sections.get("other_information", "").strip() else " (other information is empty)"),
    )
    return items


def run_checklist(
    content: ReportContent | dict[str, Any], stats: ReportStats | dict[str, Any] | None = None
) -> list[CheckItem]:
    """Run every automated check on a report.

    Args:
        content: the report content.
        stats: figures about the data (response counts per form and wave, stated
            population, numeric answers for outlier checks); None means none given.

    Returns:
        The checklist, data-quality checks first, then SROI checks (when the report has an
        SROI analysis), then the eight principles of social value.
    """
    content = ReportContent.model_validate(content)
    stats = ReportStats.model_validate(stats or {})
    items = _completeness(content)
    items.append(_response_rates(content, stats))
    items.extend(_sample_sizes(content, stats))
    items.append(_outliers(content, stats))
    items.extend(_sroi_checks(content))
    items.extend(_principles(content, stats))
    return items


MIN_JUSTIFICATION_CHARS = 20
"""Fewest characters of a written justification (a sentence, not a tick)."""
MAX_JUSTIFICATION_CHARS = 4000


def has_kpi_values(content: ReportContent | dict[str, Any]) -> bool:
    """Whether at least one KPI of the report has a value (a report without any cannot be validated)."""
    report = ReportContent.model_validate(content)
    return any(kpi.value is not None for kpi in report.kpis)


def validation_blockers(
    content: ReportContent | dict[str, Any],
    items: list[CheckItem],
    justifications: dict[str, str] | None = None,
) -> list[Problem]:
    """What stops a report from being validated: the gate in front of the stamp.

    * A report with no KPI value cannot be validated at all (no justification lifts this).
    * Every check that failed needs a written justification of at least
      :data:`MIN_JUSTIFICATION_CHARS` characters, keyed by the check's id.
    * A justification may also explain a warning; one for a check that passed, or for a check
      that does not exist, is refused so that nothing is stamped under a wrong id.

    Args:
        content: the content being validated.
        items: the checklist computed on that content.
        justifications: check id → the evaluator's text.

    Returns:
        One problem per obstacle, located ``kpis`` or ``justifications.<check id>``; empty
        when the report may be validated.

    Example:
        >>> items = [CheckItem(id="sections", title={"it": "Sezioni", "en": "Sections"},
        ...                    status="fail", detail="missing: people")]
        >>> content = {"organisation": {"name": "A"}, "project": {"name": "P"},
        ...            "period": {"start": "2026-01-01", "end": "2026-12-31"},
        ...            "framework": {"id": "f", "version": "1"},
        ...            "kpis": [{"indicator_id": "k", "value": 3}]}
        >>> [p.location for p in validation_blockers(content, items)]
        ['justifications.sections']
        >>> validation_blockers(content, items, {"sections": "The people section is in the annex."})
        []
    """
    problems: list[Problem] = []
    given = {key: (text or "").strip() for key, text in (justifications or {}).items()}
    if not has_kpi_values(content):
        problems.append(
            Problem(
                "no KPI of this report has a value: there is nothing to validate; the organisation "
                "must collect data (or refresh the KPIs) and submit again",
                "kpis",
                "no_kpi_values",
            )
        )
    by_id = {item.id: item for item in items}
    for item in items:
        if item.status != "fail":
            continue
        text = given.get(item.id, "")
        if len(text) < MIN_JUSTIFICATION_CHARS:
            title = item.title.get("en") or item.id
            problems.append(
                Problem(
                    f"the check '{title}' failed ({item.detail}); write why the report may be "
                    f"validated all the same (at least {MIN_JUSTIFICATION_CHARS} characters)"
                    if not text
                    else f"the justification of '{title}' is too short: {len(text)} characters, "
                    f"at least {MIN_JUSTIFICATION_CHARS}",
                    f"justifications.{item.id}",
                    "justification_required",
                )
            )
    for key, text in given.items():
        found = by_id.get(key)
        where = f"justifications.{key}"
        if found is None:
            problems.append(
                Problem(f"no check {key!r}; expected one of {sorted(by_id)}", where, "unknown_check")
            )
        elif found.status == "pass" and text:
            problems.append(Problem(f"the check {key!r} passed: nothing to justify", where, "check_passed"))
        elif len(text) > MAX_JUSTIFICATION_CHARS:
            problems.append(
                Problem(f"{len(text)} characters; at most {MAX_JUSTIFICATION_CHARS}", where, "too_long")
            )
    return problems
