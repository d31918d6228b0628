"""The portfolio workbook: every grantee × every KPI of a shared framework, for a funder.

Sheets: an overview (one row per grantee, one column per indicator, with the portfolio
median, totals for count and sum indicators, and targets met per grantee as live formulas),
a targets-met matrix (1 / 0), the long data table (one row per grantee × indicator, with the
difference from the portfolio median) and native charts. :func:`portfolio_rows` gives the
same long table as plain rows for the CSV and JSON twins.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Sequence
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, Field
from xlsxwriter.utility import xl_rowcol_to_cell

from impactkit.errors import ImpactkitError, Problem
from impactkit.reports._layout import Column, load_layout, text_in, utc_text
from impactkit.reports._text import neutralise
from impactkit.reports._xlsx import (
    Formats,
    new_workbook,
    output_path,
    sheet_title,
    write_header,
    write_table,
    write_value,
)
from impactkit.reports.hashing import content_hash
from impactkit.reports.model import KpiResult, Language, ReportContent, ValidationStamp
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
    """One grantee's validated report."""

    content: ReportContent
    stamp: ValidationStamp | None = None


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
    return entries


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


def _met(kpi: KpiResult | None) -> int | None:
    if kpi is None or kpi.target_met is None:
        return None
    return 1 if kpi.target_met else 0


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
                    "target": kpi.target if kpi else None,
                    "target_met": kpi.target_met if kpi else None,
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
) -> None:
    """Write the portfolio workbook: every grantee × every KPI, totals, comparisons, charts.

    Args:
        reports: the grantees' validated reports (``PortfolioEntry``, ``(content, stamp)``
            tuples or dicts with ``content`` and ``stamp``).
        framework: the shared framework (id, version, optionally its indicators in order).
        path_or_stream: a file path or a binary stream.
        language: language of the labels.
        require_validated: refuse reports without a stamp.

    Raises:
        ImpactkitError: see :func:`portfolio_rows`.
    """
    shared = PortfolioFramework.model_validate(framework)
    entries = _entries(reports, shared, require_validated)
    indicators = _indicators(shared, entries)
    rows = portfolio_rows(entries, shared, language=language, require_validated=require_validated)
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
            met_values = [_met(by_id.get(i.indicator_id)) for i in indicators]
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
            met_cells.append((col, 1 + index, sum(1 for kpi in kpis if kpi.target_met)))
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
        workbook.set_properties({"title": f"Portfolio — {shared.id} {shared.version or ''}"})
        workbook.set_custom_property("impactkit_layout", layout.name)
        workbook.close()
