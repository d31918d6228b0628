"""What a social-report document says, in the report's language: one view, read by the PDF template
and by the DOCX writer, so the two documents hold the same words and figures.

Every figure is formatted here (:class:`impactkit.formats.Formats`), every code becomes a reader's
word (:mod:`impactkit.reports.vocabulary`); the renderers only lay it out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from impactkit.formats import MISSING, Formats
from impactkit.reports.documents._charts import RangeBar, range_chart
from impactkit.reports.documents._words import word
from impactkit.reports.hashing import frozen_payload
from impactkit.reports.model import ReportContent, ValidationStamp, payment_by_results, report_sections
from impactkit.reports.protected import disclosure_note, protect_content
from impactkit.reports.structured import section_facts
from impactkit.reports.vocabulary import method_text, term, unit_label


@dataclass
class Table:
    """A table with its caption, header and rows of already formatted text."""

    caption: str
    header: list[str]
    rows: list[list[str]]
    note: str = ""
    numeric_from: int = 1
    """Columns from this index on are figures (right-aligned)."""


@dataclass
class Chart:
    """A vector chart (SVG text) and the words that describe it for a screen reader."""

    title: str
    svg: str
    description: str


@dataclass
class Facts:
    """Label → value lines under a caption (figures the organisation entered or impactkit knows)."""

    caption: str
    lines: list[tuple[str, str]]


Block = Table | Chart | Facts


@dataclass
class SectionView:
    key: str
    number: int
    title: str
    text: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    """Label → value lines (figures the organisation entered or impactkit knows)."""
    blocks: list[Block] = field(default_factory=list)
    """Tables, charts and further facts, in reading order."""
    empty: bool = False
    """True when the organisation wrote nothing and entered no figure for this section."""


@dataclass
class StampView:
    validated: bool
    lines: list[tuple[str, str]]
    content_hash: str
    seal: str


@dataclass
class LogoView:
    """The organisation's logo as the documents print it: the stored bytes the content names."""

    data: bytes
    media_type: str
    width: int
    height: int
    sha256: str
    alt: str
    """What a screen reader says for it ("Logo di …"), in the report's language."""

    @property
    def url(self) -> str:
        """The one address the PDF renderer's locked fetcher answers (with exactly these bytes)."""
        return f"impactkit-logo:{self.sha256}"

    @property
    def file_name(self) -> str:
        return "impactkit-logo." + ("png" if self.media_type == "image/png" else "jpg")


@dataclass
class DocumentView:
    language: str
    title: str
    subtitle: str
    organisation: str
    period: str
    cover_facts: list[tuple[str, str]]
    sections: list[SectionView]
    stamp: StampView
    empty_sections: list[str]
    payload: dict[str, Any]
    """The frozen document (content, stamp, seal) that the PDF embeds as its JSON twin."""
    logo: LogoView | None = None

    def word(self, key: str) -> str:
        return word(key, self.language)


def _kpi_table(content: ReportContent, fmt: Formats) -> Table:
    language = content.language
    rows = []
    for kpi in content.kpis:
        unit = kpi.unit or ""
        target = fmt.kpi_bare(kpi.target, unit) if kpi.target is not None else ""
        met = "" if kpi.target_met is None else word("yes" if kpi.target_met else "no", language)
        rows.append(
            [
                kpi.label(language),
                fmt.kpi(kpi.value, unit),
                fmt.interval(kpi.ci_low, kpi.ci_high, unit) if kpi.ci_low is not None else "",
                fmt.integer(kpi.n) if kpi.n is not None else "",
                target,
                met,
            ]
        )
    return Table(
        caption=word("kpi_table", language),
        header=[word(k, language) for k in ("indicator", "value", "interval", "n", "target", "met")],
        rows=rows,
        note=disclosure_note(content, language),
    )


def _method_table(content: ReportContent) -> Table:
    language = content.language
    return Table(
        caption=word("methods_table", language),
        header=[word("indicator", language), word("unit", language), word("method", language)],
        rows=[
            [kpi.label(language), unit_label(kpi.unit, language), method_text(kpi.method, language)]
            for kpi in content.kpis
        ],
        numeric_from=99,
    )


def _breakdown_tables(content: ReportContent, fmt: Formats) -> list[Table]:
    """One table per dimension (gender, age band, youth, territory …): a row per KPI, a column per
    category, each cell the value with its interval (or why it is not shown)."""
    language = content.language
    categories: dict[str, list[str]] = {}
    for kpi in content.kpis:
        for cell in kpi.disaggregations:
            found = categories.setdefault(cell.dimension, [])
            if cell.category not in found:
                found.append(cell.category)
    tables = []
    for dimension, names in categories.items():
        rows = []
        for kpi in content.kpis:
            cells = {c.category: c for c in kpi.disaggregations if c.dimension == dimension}
            if not cells:
                continue
            unit = kpi.unit or ""
            row = [kpi.label(language)]
            for name in names:
                found_cell = cells.get(name)
                if found_cell is None:
                    row.append("")
                elif found_cell.suppressed or found_cell.value is None:
                    row.append(word("not_shown", language))
                elif found_cell.ci_low is not None and found_cell.ci_high is not None:
                    interval = fmt.interval(found_cell.ci_low, found_cell.ci_high, unit)
                    row.append(f"{fmt.kpi(found_cell.value, unit)} ({interval})")
                else:
                    row.append(fmt.kpi(found_cell.value, unit))
            rows.append(row)
        tables.append(
            Table(
                caption=f"{word('breakdown_of', language)} {term('dimension', dimension, language)}",
                header=[word("indicator", language), *(term("category", n, language) for n in names)],
                rows=rows,
                note=word("breakdown_note", language),
            )
        )
    return tables


def _share_chart(content: ReportContent, fmt: Formats) -> Chart | None:
    language = content.language
    bars = [
        RangeBar(
            label=kpi.label(language),
            value=kpi.value,
            low=kpi.ci_low,
            high=kpi.ci_high,
            text=fmt.kpi(kpi.value, "share"),
        )
        for kpi in content.kpis
        if kpi.unit == "share" and kpi.value is not None
    ]
    if not bars:
        return None
    title = word("share_chart", language)
    return Chart(
        title=title,
        svg=range_chart(bars, 0.0, 1.0, fmt, percent=True, title=title),
        description="; ".join(f"{b.label}: {b.text}" for b in bars),
    )


def _targets_table(content: ReportContent, fmt: Formats) -> Table | None:
    if not content.targets:
        return None
    language = content.language
    units = {kpi.indicator_id: kpi.unit or "" for kpi in content.kpis}
    labels = {kpi.indicator_id: kpi.label(language) for kpi in content.kpis}
    rows = []
    for line in payment_by_results(content.kpis, content.targets):
        unit = units.get(line.indicator_id, "")
        rows.append(
            [
                labels.get(line.indicator_id, line.indicator_id),
                fmt.kpi(line.achieved, unit),
                word(f"direction_{line.direction}", language) + " " + fmt.kpi_bare(line.target, unit),
                word("yes" if line.met else "no", language),
                fmt.money(line.amount_payable, line.currency, 2) if line.price_per_unit else "",
            ]
        )
    return Table(
        caption=word("targets_table", language),
        header=[word(k, language) for k in ("indicator", "achieved", "target", "met", "payable")],
        rows=rows,
    )


def _sroi(content: ReportContent, fmt: Formats) -> tuple[list[tuple[str, str]], list[Table], list[Chart]]:
    """The SROI summary: ratio, values, payback, and how uncertain the ratio is."""
    if content.sroi is None or not content.sroi.result:
        return [], [], []
    language = content.language
    result = content.sroi.result
    currency = str(result.get("currency") or "EUR")
    facts = [
        (word("sroi_ratio", language), f"{fmt.number(result.get('sroi_ratio'), 2)} : 1"),
        (word("present_value", language), fmt.money(result.get("total_present_value"), currency)),
        (word("inputs_value", language), fmt.money(result.get("inputs_total"), currency)),
        (word("net_present_value", language), fmt.money(result.get("net_present_value"), currency)),
        (word("discount_rate", language), fmt.percent(result.get("discount_rate"))),
    ]
    payback = result.get("payback") or {}
    if payback.get("undiscounted_month"):
        facts.append((word("payback", language), fmt.count(payback["undiscounted_month"], "months")))
    tables: list[Table] = []
    charts: list[Chart] = []
    simulated = _monte_carlo(content)
    if simulated is not None:
        facts.append(
            (
                word("ratio_interval_mc", language),
                f"{fmt.number(simulated['p5'], 2)} – {fmt.number(simulated['p95'], 2)}",
            )
        )
        facts.append((word("ratio_below_one", language), fmt.percent(simulated["below_one"])))
    sensitivity = content.sroi.sensitivity
    estimates = sensitivity.get("estimates", []) if isinstance(sensitivity, dict) else []
    ranked = sorted(
        (e for e in estimates if isinstance(e, dict) and e.get("low_ratio") is not None),
        key=lambda e: -float(e.get("swing") or 0),
    )
    if ranked:
        lows = [float(e["low_ratio"]) for e in ranked]
        highs = [float(e["high_ratio"]) for e in ranked]
        largest = max(float(c) for c in sensitivity.get("changes", [0.25]))  # type: ignore[union-attr]
        facts.append(
            (
                word("ratio_range", language).format(change=fmt.percent(largest, 0)),
                f"{fmt.number(min(lows), 2)} – {fmt.number(max(highs), 2)}",
            )
        )
        rows = []
        bars = []
        for estimate in ranked[:8]:
            name = f"{estimate.get('outcome') or word('all_outcomes', language)}: " + word(
                f"estimate_{estimate.get('estimate')}", language
            )
            even = estimate.get("break_even") or {}
            rows.append(
                [
                    name,
                    fmt.number(estimate["low_ratio"], 2),
                    fmt.number(estimate["high_ratio"], 2),
                    fmt.number(even.get("value"), 2)
                    if even.get("reachable") and even.get("value") is not None
                    else word("not_reachable", language),
                ]
            )
            bars.append(
                RangeBar(
                    label=name,
                    value=float(sensitivity.get("base_ratio") or result.get("sroi_ratio") or 0),  # type: ignore[union-attr]
                    low=float(estimate["low_ratio"]),
                    high=float(estimate["high_ratio"]),
                    text=f"{fmt.number(estimate['low_ratio'], 2)} – {fmt.number(estimate['high_ratio'], 2)}",
                )
            )
        tables.append(
            Table(
                caption=word("sensitivity_table", language),
                header=[word(k, language) for k in ("estimate", "ratio_low", "ratio_high", "break_even")],
                rows=rows,
            )
        )
        top = max(max(highs), float(result.get("sroi_ratio") or 0)) * 1.1
        title = word("sensitivity_chart", language)
        charts.append(
            Chart(
                title=title,
                svg=range_chart(bars, 0.0, top, fmt, percent=False, title=title, reference=1.0),
                description="; ".join(f"{b.label}: {b.text}" for b in bars),
            )
        )
    return facts, tables, charts


def _monte_carlo(content: ReportContent) -> dict[str, float] | None:
    """Monte Carlo of the value map when it carries distributions (fixed seed: same document twice)."""
    if content.sroi is None:
        return None
    outcomes = content.sroi.value_map.get("outcomes") or []
    if not any(isinstance(o, dict) and o.get("distributions") for o in outcomes):
        return None
    from impactkit.sroi import ValueMap, simulate

    try:
        result = simulate(ValueMap.model_validate(content.sroi.value_map), draws=10_000, seed=20190704)
    except (ValueError, TypeError):
        return None
    return {
        "p5": result.ratio.p5,
        "p95": result.ratio.p95,
        "below_one": result.probability_ratio_below_one,
    }


def _general_facts(content: ReportContent) -> list[tuple[str, str]]:
    language = content.language
    organisation = content.organisation
    facts = [
        (word("organisation", language), organisation.name),
        (word("legal_form", language), term("legal_form", organisation.legal_form, language)),
        (word("tax_code", language), organisation.tax_code or ""),
        (word("runts_number", language), str(getattr(organisation, "runts_number", None) or "")),
        (word("municipality", language), organisation.municipality or ""),
        (word("zone", language), organisation.zone or ""),
        (word("territory_type", language), term("territory_type", organisation.territory_type, language)),
    ]
    return [(label, value) for label, value in facts if value]


def _stamp(
    content: ReportContent, stamp: ValidationStamp | None, fmt: Formats, payload: dict[str, Any]
) -> StampView:
    language = content.language
    if stamp is None:
        return StampView(
            validated=False,
            lines=[(word("status", language), word("draft", language))],
            content_hash=str(payload["content"] and _hash(content)),
            seal=str(payload["seal"]),
        )
    return StampView(
        validated=True,
        lines=[
            (word("status", language), word("validated", language)),
            (word("evaluator", language), stamp.evaluator),
            (word("accreditation", language), f"{stamp.accreditation_body}, {stamp.accreditation_number}"),
            (word("validated_on", language), fmt.datetime(stamp.validated_at)),
        ],
        content_hash=stamp.content_hash,
        seal=str(payload["seal"]),
    )


def _hash(content: ReportContent) -> str:
    from impactkit.reports.hashing import content_hash

    return content_hash(content)


def logo_view(content: ReportContent, logo: bytes | None) -> LogoView | None:
    """The logo the content names, with its bytes checked against the SHA-256 the content holds.

    Raises:
        ValueError: the content names a logo and ``logo`` is missing or is another image (a
            document never prints an image its sealed content does not name).
    """
    ref = content.organisation.logo
    if ref is None:
        return None
    if logo is None:
        raise ValueError(f"the report names the logo sha256:{ref.sha256}; pass its bytes (logo=)")
    actual = hashlib.sha256(logo).hexdigest()
    if actual != ref.sha256:
        raise ValueError(f"the logo given has sha256:{actual}; the report names sha256:{ref.sha256}")
    return LogoView(
        data=logo,
        media_type=ref.media_type,
        width=ref.width,
        height=ref.height,
        sha256=ref.sha256,
        alt=word("logo_alt", content.language).format(organisation=content.organisation.name),
    )


def build_view(
    content: ReportContent, stamp: ValidationStamp | None, logo: bytes | None = None
) -> DocumentView:
    """The document's words and figures for ``content`` (validated with ``stamp``, or a draft).

    ``logo``: the bytes of the image ``content.organisation.logo`` names (required when it names one).
    """
    payload = frozen_payload(content, stamp)
    shown = protect_content(content)
    language = content.language
    fmt = Formats(language)
    facts_by_section = section_facts(shown, fmt)
    sections: list[SectionView] = []
    for section in report_sections():
        text = (content.sections.get(section.key) or "").strip()
        view = SectionView(
            key=section.key,
            number=section.number,
            title=section.title.get(language) or section.title["it"],
            text=text,
            facts=list(facts_by_section.get(section.key, [])),
        )
        if section.key == "methodology":
            view.facts += [
                (word("framework", language), f"{content.framework.id} {content.framework.version}"),
                (word("period", language), _period(content, fmt)),
                (word("kpi_count", language), fmt.integer(len(content.kpis))),
            ]
            view.blocks.append(_method_table(shown))
        elif section.key == "general_information":
            view.facts = _general_facts(content) + view.facts
        elif section.key == "objectives_and_activities":
            view.facts.insert(0, (word("project", language), content.project.name))
            view.blocks.append(_kpi_table(shown, fmt))
            chart = _share_chart(shown, fmt)
            if chart is not None:
                view.blocks.append(chart)
            targets = _targets_table(shown, fmt)
            if targets is not None:
                view.blocks.append(targets)
            sroi_facts, sroi_tables, sroi_charts = _sroi(shown, fmt)
            if sroi_facts:
                view.blocks.append(Facts(word("sroi_heading", language), sroi_facts))
            view.blocks.extend(sroi_tables)
            view.blocks.extend(sroi_charts)
            view.blocks.extend(_breakdown_tables(shown, fmt))
        view.empty = not text and not _entered(content, section.key)
        sections.append(view)
    title = word("title", language)
    return DocumentView(
        language=language,
        title=f"{title} — {content.organisation.name}",
        subtitle=content.project.name,
        organisation=content.organisation.name,
        period=_period(content, fmt),
        cover_facts=[
            (word("organisation", language), content.organisation.name),
            (word("project", language), content.project.name),
            (word("period", language), _period(content, fmt)),
        ],
        sections=sections,
        stamp=_stamp(content, stamp, fmt, payload),
        empty_sections=[s.title for s in sections if s.empty],
        payload=payload,
        logo=logo_view(content, logo),
    )


def _entered(content: ReportContent, key: str) -> bool:
    """Whether the organisation entered figures of its own for this section."""
    figures: Any = getattr(content, "figures", None)
    return figures is not None and bool(figures.entered(key))


def _period(content: ReportContent, fmt: Formats) -> str:
    return f"{fmt.date(content.period.start)} – {fmt.date(content.period.end)}"


__all__ = [
    "MISSING",
    "Block",
    "Chart",
    "DocumentView",
    "Facts",
    "LogoView",
    "SectionView",
    "StampView",
    "Table",
    "build_view",
]
