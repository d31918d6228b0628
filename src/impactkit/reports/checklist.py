"""The evaluator's automated validation checklist: data quality and the principles of social value.

:func:`run_checklist` looks at a report's content and a few figures about its data
(:class:`ReportStats`) and returns one :class:`CheckItem` per check. ``pass`` means the
evidence is there, ``warn`` that the evaluator should look (every "evaluator to confirm"
is a ``warn`` that says what to look at), ``fail`` that something the report needs is
missing or wrong.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from impactkit.errors import Problem
from impactkit.keyed_texts import MESSAGE_KEY, keyed, keyed_problem, text_in
from impactkit.reports.checklist_texts import CHECKLIST_TEXTS, KPI_FLAGS_IN_ITALIAN
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
    """What the check found, in English (as the API has always given it)."""
    principle: str | None = None
    """Which principle of social value the check serves, when it is one."""
    texts: list[dict[str, Any]] = Field(default_factory=list)
    """The detail as keyed texts (:mod:`impactkit.keyed_texts`, keys in
    :mod:`impactkit.reports.checklist_texts`), for :func:`detail_in`; empty on lines frozen before
    they were kept."""


def _say(key: str, **values: Any) -> dict[str, Any]:
    return keyed(key, **values)


def _item(
    check_id: str,
    it: str,
    en: str,
    status: Status,
    texts: list[dict[str, Any]],
    principle: str | None = None,
) -> CheckItem:
    detail = "; ".join(text_in(CHECKLIST_TEXTS, text[MESSAGE_KEY], "en", text, plain=True) for text in texts)
    return CheckItem(
        id=check_id,
        title={"it": it, "en": en},
        status=status,
        detail=detail,
        principle=principle,
        texts=texts,
    )


def detail_in(item: CheckItem | dict[str, Any], language: str) -> str:
    """What a checklist line found, in ``language`` (``it`` or ``en``).

    A line frozen before its texts were kept has only its English ``detail``, shown as it is.

    Example:
        >>> [item] = [i for i in run_checklist(_EXAMPLE) if i.id == "kpi_values"]
        >>> item.detail, detail_in(item, "it")
        ('all 1 KPIs have a value', "l'unico indicatore ha un valore")
    """
    check = CheckItem.model_validate(item)
    if not check.texts:
        return check.detail
    return "; ".join(text_in(CHECKLIST_TEXTS, text[MESSAGE_KEY], language, text) for text in check.texts)


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


def _section_titles(keys: list[str]) -> dict[str, str]:
    """Sections named in both languages: their titles in Italian, their keys in English."""
    titles = {section.key: section.title for section in report_sections()}
    italian = [titles[key].get("it", key) if key in titles else key for key in keys]
    return {"it": ", ".join(italian), "en": ", ".join(keys)}


def _completeness(content: ReportContent) -> list[CheckItem]:
    items: list[CheckItem] = []
    missing_values = [kpi.indicator_id for kpi in content.kpis if kpi.value is None]
    title = ("Valori degli indicatori", "KPI values")
    if not content.kpis:
        items.append(_item("kpi_values", *title, "fail", [_say("check_no_kpi_results")]))
    elif missing_values:
        found = _say(
            "check_kpis_without_value",
            count=len(missing_values),
            total=len(content.kpis),
            indicators=", ".join(missing_values),
        )
        items.append(_item("kpi_values", *title, "fail", [found]))
    else:
        found = _say("check_every_kpi_has_value", count=len(content.kpis))
        items.append(_item("kpi_values", *title, "pass", [found]))
    missing_sections = [
        section.key for section in report_sections() if not content.sections.get(section.key, "").strip()
    ]
    items.append(
        _item(
            "sections",
            "Sezioni del bilancio sociale (D.M. 4/7/2019)",
            "Social report sections (Decree of 4 July 2019)",
            "fail" if missing_sections else "pass",
            [_say("check_sections_missing", sections=_section_titles(missing_sections))]
            if missing_sections
            else [_say("check_sections_written")],
        )
    )
    return items


def _percent(fraction: float) -> int:
    return round(fraction * 100)


def _response_rates(content: ReportContent, stats: ReportStats) -> CheckItem:
    title = ("Tasso di risposta", "Response rate")
    if not stats.responses:
        return _item("response_rate", *title, "warn", [_say("check_no_response_counts")])
    lines: list[dict[str, Any]] = []
    worst: Status = "pass"
    for count in stats.responses:
        population = count.population or stats.population
        where = count.form_id + (f" ({count.wave})" if count.wave else "")
        if not population:
            lines.append(_say("check_responses_no_population", where=where, responses=count.responses))
            worst = "warn" if worst == "pass" else worst
            continue
        rate = count.responses / population
        figures = {
            "where": where,
            "responses": count.responses,
            "population": population,
            "rate": _percent(rate),
        }
        if rate > 1:
            worst = "fail"
            lines.append(_say("check_response_rate_over", **figures))
        elif rate < stats.min_response_rate and worst == "pass":
            worst = "warn"
            lines.append(
                _say("check_response_rate_below", **figures, minimum=_percent(stats.min_response_rate))
            )
        else:
            lines.append(_say("check_response_rate", **figures))
    return _item("response_rate", *title, worst, lines)


def _sample_sizes(content: ReportContent, stats: ReportStats) -> list[CheckItem]:
    small = [
        f"{kpi.indicator_id} (n={kpi.n})"
        for kpi in content.kpis
        if kpi.n is not None and kpi.n < stats.small_n
    ]
    flagged = [f"{kpi.indicator_id} ({', '.join(kpi.flags)})" for kpi in content.kpis if kpi.flags]
    flagged_italian = [
        f"{kpi.indicator_id} ({', '.join(_flag_in_italian(flag) for flag in kpi.flags)})"
        for kpi in content.kpis
        if kpi.flags
    ]
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
            [_say("check_small_samples", small_n=stats.small_n, indicators=", ".join(small))]
            if small
            else [_say("check_samples_large_enough", small_n=stats.small_n)],
        ),
        _item(
            "kpi_flags",
            "Avvertenze sugli indicatori",
            "KPI flags",
            "warn" if flagged else "pass",
            [_say("check_kpi_flags", flags={"it": "; ".join(flagged_italian), "en": "; ".join(flagged)})]
            if flagged
            else [_say("check_no_kpi_flags")],
        ),
        _item(
            "suppressed_cells",
            "Celle soppresse",
            "Suppressed cells",
            "warn" if suppressed else "pass",
            [
                _say(
                    "check_suppressed",
                    count=len(suppressed),
                    primary=len(suppressed) - secondary,
                    secondary=secondary,
                    cells=", ".join(suppressed),
                )
            ]
            if suppressed
            else [_say("check_nothing_suppressed")],
        ),
    ]


_FLAG = re.compile(r"^(?P<code>[a-z_]+): (?P<detail>.*)$")


def _flag_in_italian(flag: str) -> str:
    """A KPI flag (``small_n: n=12 < 30``) in Italian, by its code; an unknown one as written."""
    match = _FLAG.match(flag)
    if match is None or match["code"] not in KPI_FLAGS_IN_ITALIAN:
        return flag
    detail = match["detail"].replace(" < ", ", sotto ")
    return KPI_FLAGS_IN_ITALIAN[match["code"]].format(detail=detail)


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
    answers: list[dict[str, Any]] = []
    for field, values in stats.response_values.items():
        outlying_values = _robust_outliers(values)
        if outlying_values:
            shown = ", ".join(f"{v:g}" for v in sorted(set(outlying_values))[:10])
            answers.append(
                _say("check_answer_outliers", field=field, count=len(outlying_values), values=shown)
            )
    listed = [_say("check_outlier_cell", cell=cell) for cell in found] + answers
    texts = [_say("check_outliers", first=listed[0]), *listed[1:]] if listed else []
    return _item(
        "outliers",
        "Valori anomali",
        "Outliers",
        "warn" if texts else "pass",
        texts or [_say("check_no_outliers")],
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
    if no_source:
        sources = [_say("check_proxies_without_source", outcomes=", ".join(no_source))]
    elif outcomes:
        sources = [_say("check_proxies_sourced", count=len(outcomes))]
    else:
        sources = [_say("check_no_outcomes")]
    return [
        _item(
            "proxy_sources",
            "Fonti delle proxy finanziarie",
            "Financial proxy sources",
            "fail" if no_source else ("pass" if outcomes else "warn"),
            sources,
        ),
        _item(
            "sroi_evidence",
            "Evidenze delle stime SROI",
            "Evidence for SROI estimates",
            "warn" if no_evidence else "pass",
            [_say("check_estimates_without_evidence", outcomes="; ".join(no_evidence))]
            if no_evidence
            else [_say("check_estimates_evidenced")],
        ),
    ]


def _principles(content: ReportContent, stats: ReportStats) -> list[CheckItem]:
    outcomes = _outcomes(content)
    has_sroi = content.sroi is not None
    sections = content.sections
    items: list[CheckItem] = []

    def principle(
        number: int, key: str, it: str, en: str, status: Status, texts: list[dict[str, Any]]
    ) -> None:
        items.append(_item(f"principle_{number}_{key}", it, en, status, texts, principle=key))

    # 1. Involve stakeholders.
    stakeholders = [s for s in content.sroi.value_map.get("stakeholders") or []] if content.sroi else []
    total_responses = sum(count.responses for count in stats.responses)
    involve = ("involve_stakeholders", "Coinvolgere gli stakeholder", "Involve stakeholders")
    if total_responses and stats.stakeholder_groups_consulted:
        groups = ", ".join(stats.stakeholder_groups_consulted)
        principle(
            1,
            *involve,
            "pass",
            [_say("check_stakeholders_consulted", responses=total_responses, groups=groups)],
        )
    else:
        principle(
            1,
            *involve,
            "warn",
            [_say("check_stakeholders_to_confirm", responses=total_responses, groups=len(stakeholders))],
        )
    # 2. Understand what changes.
    change_kpis = [kpi.indicator_id for kpi in content.kpis if (kpi.kind or "") == "change"]
    waves = {count.wave for count in stats.responses if count.wave}
    change = ("understand_what_changes", "Comprendere il cambiamento", "Understand what changes")
    if change_kpis or len(waves) >= 2:
        measures: Any = (
            ", ".join(change_kpis)
            if change_kpis
            else _say("check_change_waves", waves=", ".join(sorted(waves)))
        )
        principle(2, *change, "pass", [_say("check_change_measured", measures=measures)])
    else:
        principle(2, *change, "warn", [_say("check_change_to_confirm")])
    # 3. Value what matters.
    value = ("value_what_matters", "Valorizzare ciò che conta", "Value what matters")
    if has_sroi:
        sourced = sum(
            1 for o in outcomes if _find(o, "proxy.source", "proxy_source", "financial_proxy.source")
        )
        principle(
            3,
            *value,
            "pass" if outcomes and sourced == len(outcomes) else "warn",
            [_say("check_proxies_valued", sourced=sourced, total=len(outcomes))],
        )
    else:
        principle(3, *value, "warn", [_say("check_value_to_confirm")])
    # 4. Include only what is material.
    material = [o for o in outcomes if _find(o, "materiality", "material") is not None]
    principle(
        4,
        "include_only_what_is_material",
        "Includere solo ciò che è rilevante",
        "Include only what is material",
        "warn",
        ([_say("check_materiality_stated", material=len(material), total=len(outcomes))] if has_sroi else [])
        + [_say("check_materiality_to_confirm")],
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
        problems.append(_say("check_unadjusted_outcomes", outcomes=", ".join(unadjusted)))
    if no_interval:
        problems.append(_say("check_no_interval", indicators=", ".join(no_interval)))
    principle(
        5,
        "do_not_over_claim",
        "Non sovrastimare",
        "Do not over-claim",
        "warn" if problems else "pass",
        problems or [_say("check_not_over_claimed")],
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
        [_say("check_methodology_written" if methodology else "check_methodology_missing")]
        + ([_say("check_kpis_without_method", indicators=", ".join(no_method))] if no_method else [])
        + [_say("check_choices_to_confirm")],
    )
    # 7. Verify the result.
    has_sensitivity = bool(content.sroi and content.sroi.sensitivity)
    principle(
        7,
        "verify_the_result",
        "Verificare il risultato",
        "Verify the result",
        "pass" if has_sensitivity or not has_sroi else "warn",
        [
            _say("check_sensitivity_present" if has_sensitivity else "check_no_sensitivity"),
            _say("check_verification_to_confirm"),
        ],
    )
    # 8. Be responsive.
    principle(
        8,
        "be_responsive",
        "Essere reattivi",
        "Be responsive",
        "warn",
        [_say("check_responsiveness_to_confirm")]
        + ([] if sections.get("other_information", "").strip() else [_say("check_other_information_empty")]),
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
        problems.append(_blocker("check_blocker_no_kpi_values", "kpis", "no_kpi_values"))
    by_id = {item.id: item for item in items}
    for item in items:
        if item.status != "fail":
            continue
        text = given.get(item.id, "")
        if len(text) < MIN_JUSTIFICATION_CHARS:
            title = {"it": item.title.get("it") or item.id, "en": item.title.get("en") or item.id}
            where = f"justifications.{item.id}"
            if not text:
                detail = {"it": detail_in(item, "it"), "en": item.detail}
                found = _blocker(
                    "check_blocker_justify",
                    where,
                    "justification_required",
                    title=title,
                    detail=detail,
                    minimum=MIN_JUSTIFICATION_CHARS,
                )
            else:
                found = _blocker(
                    "check_blocker_too_short",
                    where,
                    "justification_required",
                    title=title,
                    length=len(text),
                    minimum=MIN_JUSTIFICATION_CHARS,
                )
            problems.append(found)
    for key, text in given.items():
        found_item = by_id.get(key)
        where = f"justifications.{key}"
        if found_item is None:
            problems.append(
                _blocker(
                    "check_blocker_unknown_check",
                    where,
                    "unknown_check",
                    check=key,
                    expected=", ".join(sorted(by_id)),
                )
            )
        elif found_item.status == "pass" and text:
            problems.append(_blocker("check_blocker_passed", where, "check_passed", check=key))
        elif len(text) > MAX_JUSTIFICATION_CHARS:
            problems.append(
                _blocker(
                    "check_blocker_too_long",
                    where,
                    "too_long",
                    length=len(text),
                    maximum=MAX_JUSTIFICATION_CHARS,
                )
            )
    return problems


def _blocker(key: str, location: str, code: str, **values: Any) -> Problem:
    return keyed_problem(CHECKLIST_TEXTS, key, location, code=code, **values)


_EXAMPLE: dict[str, Any] = {
    "organisation": {"name": "A"},
    "project": {"name": "P"},
    "period": {"start": "2026-01-01", "end": "2026-12-31"},
    "framework": {"id": "f", "version": "1"},
    "kpis": [{"indicator_id": "k", "value": 3}],
}
