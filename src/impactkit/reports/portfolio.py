"""The portfolio workbook: every grantee × every KPI of a shared framework, for a funder.

Sheets: an overview (one row per grantee, one column per indicator, with the portfolio
median, totals for count and sum indicators, and targets met per grantee as live formulas),
a targets-met matrix (1 / 0), the long data table (one row per grantee × indicator, with the
difference from the portfolio median) and native charts. :func:`portfolio_rows` gives the
same long table as plain rows for the CSV and JSON twins.

With the funder's grants (:func:`build_portfolio`): targets come from each grant (the
framework's only where a grant sets none, :mod:`impactkit.reports.grants`), and the workbook
adds payment by results per target and per grantee with live formulas, the reports that use
another framework version (shown apart, with the reason, never compared), and the
outcome-fund data in the INDIGO data standard's fields.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Sequence
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, Field
from xlsxwriter.utility import xl_rowcol_to_cell

from impactkit.disclosure import default_threshold, method_statement
from impactkit.errors import ImpactkitError, Problem
from impactkit.reports._layout import Column, load_layout, text_in, utc_text
from impactkit.reports._text import neutralise
from impactkit.reports._xlsx import (
    Formats,
    Formula,
    new_workbook,
    output_path,
    sheet_title,
    write_header,
    write_table,
    write_value,
)
from impactkit.reports.grants import GranteeSummary, GrantLine, GrantTerms, grant_lines, summarise
from impactkit.reports.hashing import content_hash
from impactkit.reports.model import Language, ReportContent, ValidationStamp
from impactkit.reports.protected import protect_content
from impactkit.reports.tabular import to_csv, to_json

SUMMABLE_KINDS = frozenset({"count", "sum"})


class PortfolioIndicator(BaseModel):
    """One indicator of the shared framework, as the portfolio shows it."""

    model_config = ConfigDict(extra="ignore")

    indicator_id: str
    labels: dict[str, str] = Field(default_factory=dict)
    unit: str | None = None
    kind: str | None = None


class PortfolioFramework(BaseModel):
    """The shared framework: id, version and (optionally) its indicators in order."""

    model_config = ConfigDict(extra="ignore")

    id: str
    version: str | None = None
    """None accepts any version of the framework."""
    indicators: list[PortfolioIndicator] = Field(default_factory=list)


class PortfolioEntry(BaseModel):
    """One grantee's validated report, with the funder's grants that cover it."""

    content: ReportContent
    stamp: ValidationStamp | None = None
    grants: list[GrantTerms] = Field(default_factory=list)
    report_id: int | None = None

    def target_lines(self) -> dict[str, GrantLine]:
        """Per indicator, the target that applies: the grant's, else the framework's (via the grant)."""
        found: dict[str, GrantLine] = {}
        for grant in self.grants:
            for line in grant_lines(self.content, grant):
                current = found.get(line.indicator_id)
                if current is None or (current.source == "framework" and line.source == "grant"):
                    found[line.indicator_id] = line
        return found


class ApartEntry(BaseModel):
    """A grantee's report left out of the comparisons, and why."""

    entry: PortfolioEntry
    reason: str


class Portfolio(BaseModel):
    """A funder's portfolio: the reports compared, those shown apart, and every grantee's payments."""

    funder: str = ""
    framework: PortfolioFramework
    compared: list[PortfolioEntry]
    apart: list[ApartEntry] = Field(default_factory=list)
    grantees: list[GranteeSummary] = Field(default_factory=list)
    """Every report, compared ones first, with its targets and payments under the funder's grants."""

    @property
    def targets(self) -> int:
        return sum(g.targets for g in self.grantees)

    @property
    def targets_met(self) -> int:
        return sum(g.targets_met for g in self.grantees)

    @property
    def amount_payable(self) -> float:
        return round(sum(g.amount_payable for g in self.grantees), 2)

    @property
    def amount_capped(self) -> float:
        return round(sum(g.amount_capped for g in self.grantees), 2)

    @property
    def currency(self) -> str:
        return "/".join(sorted({g.currency for g in self.grantees})) or "EUR"


def _version_key(version: str | None) -> tuple[int, ...]:
    parts = [int(p) if p.isdigit() else 0 for p in (version or "").split(".")]
    return tuple(parts)


def build_portfolio(
    entries: Sequence[PortfolioEntry],
    *,
    funder: str = "",
    framework_id: str | None = None,
    framework_version: str | None = None,
) -> Portfolio:
    """Split the reports into those compared and those shown apart, and apply the grants.

    Comparisons are made only between reports of one framework *and version*: the one asked
    for, else the framework and version most reports share (the newest version on a tie).
    Every other report is kept apart with the reason; its payments are computed all the same.

    Example:
        >>> def entry(name, version):
        ...     return PortfolioEntry(content={
        ...         "organisation": {"name": name}, "project": {"name": "P"},
        ...         "period": {"start": "2026-01-01", "end": "2026-12-31"},
        ...         "framework": {"id": "simplified-kpis", "version": version}})
        >>> built = build_portfolio([entry("A", "2026.1"), entry("B", "2025.1"), entry("C", "2026.1")])
        >>> [e.content.organisation.name for e in built.compared], built.apart[0].reason
        (['A', 'C'], 'framework simplified-kpis 2025.1: comparisons need the same version (2026.1)')
    """
    counts: dict[tuple[str, str], int] = {}
    for item in entries:
        key = (item.content.framework.id, item.content.framework.version)
        if framework_id is not None and key[0] != framework_id:
            continue
        if framework_version is not None and key[1] != framework_version:
            continue
        counts[key] = counts.get(key, 0) + 1
    chosen = max(counts, key=lambda k: (counts[k], _version_key(k[1]), k[1])) if counts else None
    wanted_id = chosen[0] if chosen else (framework_id or "simplified-kpis")
    wanted_version = chosen[1] if chosen else framework_version
    compared: list[PortfolioEntry] = []
    apart: list[ApartEntry] = []
    for item in entries:
        ref = item.content.framework
        if chosen is not None and (ref.id, ref.version) == chosen:
            compared.append(item)
        elif ref.id != wanted_id:
            apart.append(
                ApartEntry(
                    entry=item,
                    reason=f"framework {ref.id} {ref.version}: the portfolio compares {wanted_id}"
                    + (f" {wanted_version}" if wanted_version else ""),
                )
            )
        else:
            apart.append(
                ApartEntry(
                    entry=item,
                    reason=f"framework {ref.id} {ref.version}: comparisons need the same version "
                    f"({wanted_version})",
                )
            )
    grantees = [
        summarise(
            number,
            item.content,
            item.grants,
            report_id=item.report_id,
            content_hash=item.stamp.content_hash if item.stamp else None,
        )
        for number, item in enumerate([*compared, *(a.entry for a in apart)], start=1)
    ]
    return Portfolio(
        funder=funder,
        framework=PortfolioFramework(id=wanted_id, version=wanted_version),
        compared=compared,
        apart=apart,
        grantees=grantees,
    )


def _entries(
    reports: Sequence[PortfolioEntry | tuple[Any, Any] | dict[str, Any]],
    framework: PortfolioFramework,
    require_validated: bool,
) -> list[PortfolioEntry]:
    entries: list[PortfolioEntry] = []
    problems: list[Problem] = []
    for index, item in enumerate(reports):
        if isinstance(item, tuple):
            entry = PortfolioEntry(content=item[0], stamp=item[1])
        else:
            entry = PortfolioEntry.model_validate(item)
        where = f"reports[{index}]"
        name = entry.content.organisation.name
        if entry.content.framework.id != framework.id:
            problems.append(
                Problem(
                    f"{name}: framework {entry.content.framework.id}, expected {framework.id}",
                    f"{where}.content.framework.id",
                )
            )
        elif framework.version and entry.content.framework.version != framework.version:
            problems.append(
                Problem(
                    f"{name}: framework version {entry.content.framework.version}, "
                    f"expected {framework.version}",
                    f"{where}.content.framework.version",
                )
            )
        if entry.stamp is None:
            if require_validated:
                problems.append(Problem(f"{name}: not validated (no stamp)", f"{where}.stamp"))
        elif entry.stamp.content_hash != content_hash(entry.content):
            problems.append(Problem(f"{name}: the stamp is for other content", f"{where}.stamp.content_hash"))
        entries.append(entry)
    if problems:
        raise ImpactkitError("these reports cannot form one portfolio", problems)
    # What a funder sees of each grantee is what disclosure control lets out (reports frozen
    # before it are protected here; their stamps were checked against the content as frozen).
    return [PortfolioEntry(content=protect_content(e.content), stamp=e.stamp) for e in entries]


def _indicators(framework: PortfolioFramework, entries: list[PortfolioEntry]) -> list[PortfolioIndicator]:
    if framework.indicators:
        return framework.indicators
    seen: dict[str, PortfolioIndicator] = {}
    for entry in entries:
        for kpi in entry.content.kpis:
            if kpi.indicator_id not in seen:
                seen[kpi.indicator_id] = PortfolioIndicator(
                    indicator_id=kpi.indicator_id, labels=kpi.labels, unit=kpi.unit, kind=kpi.kind
                )
    return list(seen.values())


def _label(indicator: PortfolioIndicator, language: str) -> str:
    return text_in(indicator.labels, language) or indicator.indicator_id


def _sroi_ratio(content: ReportContent) -> float | None:
    if content.sroi is None or not content.sroi.result:
        return None
    ratio = content.sroi.result.get("sroi_ratio")
    return float(ratio) if isinstance(ratio, int | float) else None


def _target_of(entry: PortfolioEntry, indicator_id: str) -> tuple[float | None, bool | None]:
    """The target that applies to one indicator of one report, and whether it was met."""
    if entry.grants:
        line = entry.target_lines().get(indicator_id)
        return (line.target, line.met) if line is not None else (None, None)
    kpi = next((k for k in entry.content.kpis if k.indicator_id == indicator_id), None)
    if kpi is None:
        return None, None
    return kpi.target, kpi.target_met


def _met(entry: PortfolioEntry, indicator_id: str) -> int | None:
    _, met = _target_of(entry, indicator_id)
    if met is None:
        return None
    return 1 if met else 0


def _medians(entries: list[PortfolioEntry], indicators: list[PortfolioIndicator]) -> dict[str, float | None]:
    medians: dict[str, float | None] = {}
    for indicator in indicators:
        values = [
            kpi.value
            for entry in entries
            for kpi in entry.content.kpis
            if kpi.indicator_id == indicator.indicator_id and kpi.value is not None
        ]
        medians[indicator.indicator_id] = statistics.median(values) if values else None
    return medians


def portfolio_rows(
    reports: Sequence[PortfolioEntry | tuple[Any, Any] | dict[str, Any]],
    framework: PortfolioFramework | dict[str, Any],
    *,
    language: Language = "en",
    require_validated: bool = True,
) -> list[dict[str, Any]]:
    """The portfolio's long table: one row per grantee × indicator of the shared framework.

    Args:
        reports: the grantees' reports, each with its validation stamp.
        framework: the shared framework (id, version, optionally the indicators in order).
        language: language of the indicator labels.
        require_validated: refuse reports without a stamp (a funder never sees drafts).

    Raises:
        ImpactkitError: listing every report that is from another framework or version,
            not validated, or whose stamp is for other content.
    """
    shared = PortfolioFramework.model_validate(framework)
    entries = _entries(reports, shared, require_validated)
    indicators = _indicators(shared, entries)
    medians = _medians(entries, indicators)
    rows: list[dict[str, Any]] = []
    for entry in entries:
        content, stamp = entry.content, entry.stamp
        by_id = {kpi.indicator_id: kpi for kpi in content.kpis}
        for indicator in indicators:
            kpi = by_id.get(indicator.indicator_id)
            value = kpi.value if kpi else None
            median = medians[indicator.indicator_id]
            rows.append(
                {
                    "organisation": content.organisation.name,
                    "tax_code": content.organisation.tax_code,
                    "project": content.project.name,
                    "period_start": content.period.start.isoformat(),
                    "period_end": content.period.end.isoformat(),
                    "framework_version": content.framework.version,
                    "indicator_id": indicator.indicator_id,
                    "indicator": _label(indicator, language),
                    "unit": indicator.unit or (kpi.unit if kpi else None),
                    "value": value,
                    "ci_low": kpi.ci_low if kpi else None,
                    "ci_high": kpi.ci_high if kpi else None,
                    "n": kpi.n if kpi else None,
                    "target": _target_of(entry, indicator.indicator_id)[0],
                    "target_met": _target_of(entry, indicator.indicator_id)[1],
                    "portfolio_median": median,
                    "difference_from_median": (
                        value - median if value is not None and median is not None else None
                    ),
                    "content_hash": stamp.content_hash if stamp else content_hash(content),
                    "evaluator": stamp.evaluator if stamp else None,
                    "validated_at": utc_text(stamp.validated_at) if stamp else None,
                }
            )
    return rows


def portfolio_columns() -> list[str]:
    """Column keys of the long table, in order (the CSV header)."""
    layout = load_layout()
    return [column["key"] for column in layout.portfolio["sheets"]["long"]["columns"]]


def portfolio_csv(
    reports: Sequence[PortfolioEntry | tuple[Any, Any] | dict[str, Any]],
    framework: PortfolioFramework | dict[str, Any],
    *,
    language: Language = "en",
) -> str:
    """The long table as CSV, text neutralised against formula injection."""
    return to_csv(portfolio_rows(reports, framework, language=language), portfolio_columns())


def portfolio_json(
    reports: Sequence[PortfolioEntry | tuple[Any, Any] | dict[str, Any]],
    framework: PortfolioFramework | dict[str, Any],
    *,
    language: Language = "en",
) -> str:
    """The long table as a JSON array of objects."""
    return to_json(portfolio_rows(reports, framework, language=language), portfolio_columns())


def write_portfolio_xlsx(
    reports: Sequence[PortfolioEntry | tuple[Any, Any] | dict[str, Any]],
    framework: PortfolioFramework | dict[str, Any],
    path_or_stream: str | os.PathLike[str] | IO[bytes],
    *,
    language: Language = "en",
    require_validated: bool = True,
    payments: Sequence[GranteeSummary] | None = None,
    apart: Sequence[ApartEntry] = (),
) -> None:
    """Write the portfolio workbook: every grantee × every KPI, totals, comparisons, charts.

    Args:
        reports: the grantees' validated reports (``PortfolioEntry``, ``(content, stamp)``
            tuples or dicts with ``content`` and ``stamp``).
        framework: the shared framework (id, version, optionally its indicators in order).
        path_or_stream: a file path or a binary stream.
        language: language of the labels.
        require_validated: refuse reports without a stamp.
        payments: every grantee's targets and payments (:attr:`Portfolio.grantees`): adds the
            payment-by-results sheets (live formulas) and the INDIGO sheet.
        apart: reports of another framework version, listed with the reason on their own sheet.

    Raises:
        ImpactkitError: see :func:`portfolio_rows`.
    """
    shared = PortfolioFramework.model_validate(framework)
    entries = _entries(reports, shared, require_validated)
    indicators = _indicators(shared, entries)
    rows = portfolio_rows(reports, shared, language=language, require_validated=require_validated)
    layout = load_layout()
    settings = layout.portfolio["sheets"]
    chart_settings = layout.portfolio["charts"]
    with output_path(path_or_stream) as path:
        workbook = new_workbook(path)
        formats = Formats(workbook, layout)
        names: set[str] = set()
        overview_name = sheet_title(text_in(settings["overview"]["title"], language), names)
        met_name = sheet_title(text_in(settings["met"]["title"], language), names)
        charts_name = sheet_title(text_in(settings["charts_sheet"]["title"], language), names)
        long_name = sheet_title(text_in(settings["long"]["title"], language), names)

        grantees = len(entries)
        first, last = 1, grantees  # data rows (0-based) on the overview and met sheets

        # Overview: grantee rows, indicator columns, then median / total / met-count rows.
        overview = workbook.add_worksheet(overview_name)
        met_sheet = workbook.add_worksheet(met_name)
        charts = workbook.add_worksheet(charts_name)
        fixed = [Column.model_validate(c) for c in settings["overview"]["fixed_columns"]]
        indicator_columns = [
            Column(
                key=i.indicator_id,
                label={"it": _label(i, "it"), "en": _label(i, "en")},
                format="value",
                width=14,
            )
            for i in indicators
        ]
        write_header(overview, 0, fixed + indicator_columns, language, formats)
        overview.freeze_panes(1, 1)
        met_header = [fixed[0], *indicator_columns]
        write_header(met_sheet, 0, met_header, language, formats)
        value_format = formats.of("value")
        targets_col = next(i for i, c in enumerate(fixed) if c.key == "targets_met")
        for offset, entry in enumerate(entries):
            row = first + offset
            content = entry.content
            by_id = {kpi.indicator_id: kpi for kpi in content.kpis}
            overview.write_string(row, 0, neutralise(content.organisation.name))
            write_value(overview, row, 1, content.project.name, None)
            write_value(
                overview,
                row,
                2,
                f"{content.period.start.isoformat()} – {content.period.end.isoformat()}",
                None,
            )
            met_values = [_met(entry, i.indicator_id) for i in indicators]
            met_row_first = xl_rowcol_to_cell(row, 1)
            met_row_last = xl_rowcol_to_cell(row, max(len(indicators), 1))
            overview.write_formula(
                row,
                targets_col,
                f"=SUM('{met_name}'!{met_row_first}:{met_row_last})",
                formats.of("integer"),
                sum(v for v in met_values if v is not None),
            )
            write_value(overview, row, targets_col + 1, _sroi_ratio(content), formats.of("ratio"))
            met_sheet.write_string(row, 0, neutralise(content.organisation.name))
            for index, indicator in enumerate(indicators):
                kpi = by_id.get(indicator.indicator_id)
                write_value(overview, row, len(fixed) + index, kpi.value if kpi else None, value_format)
                write_value(met_sheet, row, 1 + index, met_values[index], None)
        # Constant-memory mode writes rows in order: each summary row is written whole.
        summary = last + 2
        overview_labels = settings["overview"]
        medians = _medians(entries, indicators)
        median_cells: list[tuple[int, str, float]] = []
        total_cells: list[tuple[int, str, float]] = []
        met_cells: list[tuple[int, int, int]] = []
        for index, indicator in enumerate(indicators):
            col = len(fixed) + index
            top, bottom = xl_rowcol_to_cell(first, col), xl_rowcol_to_cell(last, col)
            kpis = [
                kpi
                for entry in entries
                for kpi in entry.content.kpis
                if kpi.indicator_id == indicator.indicator_id
            ]
            median = medians[indicator.indicator_id]
            if median is not None:
                median_cells.append((col, f"=MEDIAN({top}:{bottom})", median))
            if (indicator.kind or "") in SUMMABLE_KINDS:
                total = sum(kpi.value for kpi in kpis if kpi.value is not None)
                total_cells.append((col, f"=SUM({top}:{bottom})", total))
            met_cells.append(
                (col, 1 + index, sum(1 for entry in entries if _met(entry, indicator.indicator_id) == 1))
            )
        overview.write_string(summary, 0, text_in(overview_labels["median_label"], language))
        for col, formula, cached in median_cells:
            overview.write_formula(summary, col, formula, value_format, cached)
        overview.write_string(summary + 1, 0, text_in(overview_labels["total_label"], language))
        for col, formula, cached in total_cells:
            overview.write_formula(summary + 1, col, formula, value_format, cached)
        overview.write_string(summary + 2, 0, text_in(overview_labels["met_count_label"], language))
        met_sheet.write_string(summary, 0, text_in(settings["met"]["total_label"], language))
        for col, met_col, met_count in met_cells:
            met_top = xl_rowcol_to_cell(first, met_col)
            met_bottom = xl_rowcol_to_cell(last, met_col)
            met_sheet.write_formula(
                summary, met_col, f"=SUM({met_top}:{met_bottom})", formats.bold, met_count
            )
            overview.write_formula(
                summary + 2,
                col,
                f"='{met_name}'!{xl_rowcol_to_cell(summary, met_col)}",
                formats.bold,
                met_count,
            )
        met_sheet.write_string(summary + 2, 0, text_in(settings["met"]["note"], language))
        # Totals and medians are over the figures shown: a grantee's hidden figure (fewer people
        # than the disclosure threshold) is in no total, so no total gives it away.
        hidden = sum(
            1
            for entry in entries
            for kpi in entry.content.kpis
            if kpi.value is None and any(f.startswith("suppressed") for f in kpi.flags)
        )
        note = method_statement(default_threshold(), hidden, 0)[language]
        shown_only = {
            "it": f"Totali e mediane sono calcolati sui soli valori mostrati ({hidden} nascosti). ",
            "en": f"Totals and medians are over the figures shown ({hidden} hidden). ",
        }[language]
        overview.write_string(summary + 3, 0, shown_only + note)

        # Charts: targets met per grantee, then one comparison chart per indicator.
        chart = workbook.add_chart({"type": "bar"})
        assert chart is not None
        chart.add_series(
            {
                "name": text_in(fixed[targets_col].label, language),
                "categories": [overview_name, first, 0, last, 0],
                "values": [overview_name, first, targets_col, last, targets_col],
            }
        )
        chart.set_title({"name": text_in(chart_settings["targets_met"]["title"], language)})
        chart.set_legend({"none": True})
        # Horizontal bars: XlsxWriter's x axis is the value axis; targets are whole numbers.
        chart.set_x_axis({"min": 0, "max": max(len(indicators), 1), "major_unit": 1})
        charts.insert_chart(0, 0, chart)
        comparison_title = text_in(chart_settings["per_indicator"]["title"], language)
        for index, indicator in enumerate(indicators):
            col = len(fixed) + index
            column_chart = workbook.add_chart({"type": "column"})
            assert column_chart is not None
            column_chart.add_series(
                {
                    "name": _label(indicator, language),
                    "categories": [overview_name, first, 0, last, 0],
                    "values": [overview_name, first, col, last, col],
                }
            )
            column_chart.set_title({"name": f"{comparison_title}: {_label(indicator, language)}"})
            column_chart.set_legend({"none": True})
            chart_row = 20 * ((index + 1) // 2)
            chart_col = 9 * ((index + 1) % 2)
            charts.insert_chart(chart_row, chart_col, column_chart)

        long_sheet = workbook.add_worksheet(long_name)
        long_sheet.freeze_panes(1, 1)
        long_columns = [Column.model_validate(c) for c in settings["long"]["columns"]]
        met_labels = layout.sheet("kpis")["met_labels"]
        display_rows = (
            {
                **row,
                "target_met": (
                    text_in(met_labels[str(row["target_met"]).lower()], language)
                    if row["target_met"] is not None
                    else None
                ),
            }
            for row in rows
        )
        count = write_table(long_sheet, 0, long_columns, display_rows, language, formats)
        if count:
            long_sheet.autofilter(0, 0, count, len(long_columns) - 1)
        if payments is not None:
            _payment_sheets(workbook, names, list(payments), list(apart), language, layout, formats)
        workbook.set_properties({"title": f"Portfolio — {shared.id} {shared.version or ''}"})
        workbook.set_custom_property("impactkit_layout", layout.name)
        workbook.close()


def write_portfolio_workbook(
    portfolio: Portfolio, path_or_stream: str | os.PathLike[str] | IO[bytes], *, language: Language = "en"
) -> None:
    """The whole portfolio of :func:`build_portfolio` as one workbook (see :func:`write_portfolio_xlsx`)."""
    write_portfolio_xlsx(
        portfolio.compared,
        portfolio.framework,
        path_or_stream,
        language=language,
        payments=portfolio.grantees,
        apart=portfolio.apart,
    )


def _period(start: Any, end: Any) -> str:
    return f"{start.isoformat()} – {end.isoformat()}"


def _payment_sheets(
    workbook: Any,
    names: set[str],
    grantees: list[GranteeSummary],
    apart: list[ApartEntry],
    language: str,
    layout: Any,
    formats: Formats,
) -> None:
    """Payment by results (one row per target), payments per grantee, reports apart, INDIGO."""
    from impactkit.reports.indigo import indigo_rows

    settings = layout.portfolio["sheets"]
    spec = settings["payments"]
    columns = [Column.model_validate(c) for c in spec["columns"]]
    position = {column.key: index for index, column in enumerate(columns)}
    payments_name = sheet_title(text_in(spec["title"], language), names)
    per_grantee_name = sheet_title(text_in(settings["grantee_payments"]["title"], language), names)
    apart_name = sheet_title(text_in(settings["apart"]["title"], language), names) if apart else None
    indigo_name = sheet_title(text_in(settings["indigo"]["title"], language), names)
    source_labels = {k: text_in(v, language) for k, v in spec["source_labels"].items()}
    stage_labels = {k: text_in(v, language) for k, v in spec["stage_labels"].items()}
    basis_labels = {k: text_in(v, language) for k, v in spec["basis_labels"].items()}

    rows: list[dict[str, Any]] = []
    payable_cell: dict[int, str] = {}  # id() of a grant line → its amount payable cell
    for grantee in grantees:
        for line in grantee.lines:
            excel_row = len(rows) + 1  # 0-based row under the header
            payable_cell[id(line)] = (
                f"'{payments_name}'!{xl_rowcol_to_cell(excel_row, position['amount_payable'])}"
            )
            rows.append(
                {
                    "number": grantee.number,
                    "organisation": grantee.organisation,
                    "project": grantee.project,
                    "period": _period(grantee.period_start, grantee.period_end),
                    "grant": line.grant,
                    "stage": stage_labels[line.stage],
                    "indicator_id": line.indicator_id,
                    "indicator": line.indicator,
                    "source": source_labels[line.source],
                    "achieved": line.achieved,
                    "target": line.target,
                    "direction": "≥" if line.direction == "at_least" else "≤",
                    "met": 1 if line.met else 0,
                    "basis": basis_labels[line.basis],
                    "units_paid": line.units_paid,
                    "price_per_unit": line.price_per_unit,
                    "amount_before_cap": line.amount_before_cap,
                    "cap": line.cap,
                    "amount_payable": line.amount_payable,
                    "amount_capped": line.amount_capped,
                    "currency": line.currency,
                    "validation_method": line.validation_method or None,
                    "note": line.note or None,
                }
            )
    sheet = workbook.add_worksheet(payments_name)
    sheet.freeze_panes(1, 2)
    literal = {
        "@framework": '"' + source_labels["framework"].replace('"', '""') + '"',
        "@beyond": '"' + basis_labels["units_beyond_target"].replace('"', '""') + '"',
    }
    count = write_table(sheet, 0, columns, rows, language, formats, extra_refs=literal)
    sheet.write_string(count + 2, 0, text_in(spec["note"], language))

    # Payments per grantee: counts and sums over the rows above, by grantee number.
    last = max(count, 1)

    def column_range(key: str) -> str:
        col = position[key]
        top, bottom = xl_rowcol_to_cell(1, col, True, True), xl_rowcol_to_cell(last, col, True, True)
        return f"'{payments_name}'!{top}:{bottom}"

    refs = {
        "@numbers": column_range("number"),
        "@met": column_range("met"),
        "@payable": column_range("amount_payable"),
        "@capped": column_range("amount_capped"),
    }
    per_spec = settings["grantee_payments"]
    per_columns = [Column.model_validate(c) for c in per_spec["columns"]]
    compared_yes = text_in(per_spec["compared_yes"], language)
    # build_portfolio numbers the compared reports first, then those apart, in order.
    apart_reason = {
        g.number: a.reason for g, a in zip(grantees[len(grantees) - len(apart) :], apart, strict=True)
    }
    per_rows = [
        {
            "number": g.number,
            "organisation": g.organisation,
            "project": g.project,
            "period": _period(g.period_start, g.period_end),
            "framework": g.framework,
            "targets": g.targets,
            "targets_met": g.targets_met,
            "amount_payable": g.amount_payable,
            "amount_capped": g.amount_capped,
            "currency": g.currency,
            "compared": apart_reason.get(g.number, compared_yes),
        }
        for g in grantees
    ]
    per_sheet = workbook.add_worksheet(per_grantee_name)
    per_sheet.freeze_panes(1, 2)
    written = write_table(per_sheet, 0, per_columns, per_rows, language, formats, extra_refs=refs)
    total_row = written + 1
    per_position = {column.key: index for index, column in enumerate(per_columns)}
    per_sheet.write_string(total_row, 1, text_in(per_spec["total_label"], language), formats.bold)
    totals = {
        "targets": sum(g.targets for g in grantees),
        "targets_met": sum(g.targets_met for g in grantees),
        "amount_payable": round(sum(g.amount_payable for g in grantees), 2),
        "amount_capped": round(sum(g.amount_capped for g in grantees), 2),
    }
    for key, cached in totals.items():
        col = per_position[key]
        top, bottom = xl_rowcol_to_cell(1, col), xl_rowcol_to_cell(max(written, 1), col)
        fmt = formats.total_money if key.startswith("amount") else formats.bold
        per_sheet.write_formula(total_row, col, f"=SUM({top}:{bottom})", fmt, cached)

    if apart_name is not None:
        apart_spec = settings["apart"]
        apart_sheet = workbook.add_worksheet(apart_name)
        apart_rows = [
            {
                "organisation": a.entry.content.organisation.name,
                "project": a.entry.content.project.name,
                "period": _period(a.entry.content.period.start, a.entry.content.period.end),
                "framework": f"{a.entry.content.framework.id} {a.entry.content.framework.version}",
                "reason": a.reason,
            }
            for a in apart
        ]
        shown = write_table(
            apart_sheet,
            0,
            [Column.model_validate(c) for c in apart_spec["columns"]],
            apart_rows,
            language,
            formats,
        )
        apart_sheet.write_string(shown + 2, 0, text_in(apart_spec["note"], language))

    indigo_spec = settings["indigo"]
    indigo_sheet = workbook.add_worksheet(indigo_name)
    indigo = [
        {**row, "actual": Formula(f"={payable_cell[id(line)]}", line.amount_payable)}
        for row, line in indigo_rows(grantees, language)
    ]
    shown = write_table(
        indigo_sheet, 0, [Column.model_validate(c) for c in indigo_spec["columns"]], indigo, language, formats
    )
    indigo_sheet.write_string(shown + 2, 0, text_in(indigo_spec["note"], language))
