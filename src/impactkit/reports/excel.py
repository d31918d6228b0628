"""The standard report workbook: one social report as Excel, streamed, in the standard layout.

Sheets (layout v1): cover with the validation stamp and hash; KPIs with intervals, targets
and a chart; disaggregations; targets and payment by results; narrative; SROI value map
(live formulas, by ``impactkit.sroi``) and sensitivity with a tornado chart; responses and
one sheet per repeat group; data dictionary; validation log; and a hidden sheet with the
frozen document that :func:`impactkit.reports.verify_file` checks.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from impactkit.errors import ImpactkitError, Problem
from impactkit.formats import Formats as FigureFormats
from impactkit.reports._layout import Column, Layout, load_layout, text_in, utc_text
from impactkit.reports._text import neutralise
from impactkit.reports._xlsx import (
    Formats,
    add_chart,
    new_workbook,
    output_path,
    sheet_title,
    write_header,
    write_table,
    write_value,
)
from impactkit.reports.checklist import CheckItem, detail_in
from impactkit.reports.hashing import (
    CHUNK_CHARS,
    CONTENT_SHEET,
    canonical_json,
    content_hash,
    frozen_payload,
    seal_zip_file,
)
from impactkit.reports.model import (
    ReportContent,
    ValidationStamp,
    WorkflowEvent,
    load_content,
    payment_by_results,
    report_sections,
)
from impactkit.reports.protected import disclosure_note, protect_content
from impactkit.reports.responses import (
    ColumnSpec,
    SheetPlan,
    Step,
    answers_of,
    compile_plan,
    plan_sheets,
    write_answers,
)
from impactkit.reports.vocabulary import method_text, term, unit_label


def _exclusions_text(kpi: Any, language: str) -> str | None:
    """What the KPI left out and why, in one cell: "2 · duplicati …; 1 · …"."""
    parts = []
    for item in getattr(kpi, "exclusions", None) or []:
        label = (item.get("label") or {}).get(language) or item.get("reason", "")
        count = item.get("count")
        parts.append(f"{count} · {label}" if count is not None else label)
    return "; ".join(parts) or None


def _note_below(worksheet: Any, row: int, text: str, formats: Formats) -> None:
    """The disclosure-control statement under a table (merged over its first columns)."""
    worksheet.merge_range(row, 0, row, 7, text, formats.wrap)
    worksheet.set_row(row, 45)


SHARE_COLUMNS = ("value", "ci_low", "ci_high", "target", "error_plus", "error_minus")


def _share_formats(unit: str | None) -> dict[str, str]:
    """A share's figures as percentages (0.683 reads 68.3 %), other units as the layout says."""
    return dict.fromkeys(SHARE_COLUMNS, "percent") if unit == "share" else {}


def _bar(high: float | None, low: float | None) -> float:
    """One side of an error bar: never below zero (an interval end a rounding step past the value
    would draw a −2e-16 bar), rounded to 12 decimals."""
    if high is None or low is None:
        return 0
    return max(0.0, round(high - low, 12))


def _kpi_rows(content: ReportContent, sheet: dict[str, Any]) -> list[dict[str, Any]]:
    language = content.language
    met_labels = sheet["met_labels"]
    direction_labels = sheet["direction_labels"]
    rows = []
    for kpi in content.kpis:
        plus = _bar(kpi.ci_high, kpi.value)
        minus = _bar(kpi.value, kpi.ci_low)
        rows.append(
            {
                "_formats": _share_formats(kpi.unit),
                "indicator_id": kpi.indicator_id,
                "label": kpi.label(language),
                "unit": unit_label(kpi.unit, language) or None,
                "value": kpi.value,
                "ci_low": kpi.ci_low,
                "ci_high": kpi.ci_high,
                "confidence": kpi.confidence,
                "n": kpi.n,
                "target": kpi.target,
                "direction": text_in(direction_labels.get(kpi.direction or ""), language) or None,
                "target_met": (
                    text_in(met_labels[str(kpi.target_met).lower()], language)
                    if kpi.target_met is not None
                    else None
                ),
                "method": method_text(kpi.method, language) or None,
                "flags": kpi.flags or None,
                "excluded": _exclusions_text(kpi, language),
                "imp_dimensions": kpi.tags.imp_dimensions or None,
                "sdg_targets": kpi.tags.sdg_targets or None,
                "plan_objectives": kpi.tags.plan_objectives or None,
                "error_plus": plus,
                "error_minus": minus,
            }
        )
    return rows


def _cover(
    workbook: Workbook,
    name: str,
    content: ReportContent,
    stamp: ValidationStamp | None,
    digest: str,
    layout: Layout,
    formats: Formats,
) -> None:
    sheet = layout.sheet("cover")
    language = content.language
    worksheet = workbook.add_worksheet(name)
    worksheet.set_column(0, 0, 34)
    worksheet.set_column(1, 1, 90)
    organisation = content.organisation
    values: dict[str, Any] = {
        "title": f"{content.project.name} — {organisation.name}",
        "organisation": organisation.name,
        "legal_form": term("legal_form", organisation.legal_form, language) or None,
        "tax_code": organisation.tax_code,
        "municipality": organisation.municipality,
        "zone": organisation.zone,
        "territory_type": term("territory_type", organisation.territory_type, language) or None,
        "project": content.project.name,
        "period": f"{content.period.start.isoformat()} – {content.period.end.isoformat()}",
        "framework": f"{content.framework.id} ({content.framework.version})",
        "status": text_in(sheet["status"]["validated" if stamp else "draft"], language),
        "evaluator": stamp.evaluator if stamp else None,
        "accreditation": (f"{stamp.accreditation_body}, {stamp.accreditation_number}" if stamp else None),
        "validated_at": utc_text(stamp.validated_at) if stamp else None,
        "content_hash": digest,
        "verify": text_in(sheet["verify_text"], language),
        "layout": layout.name,
    }
    for row, item in enumerate(sheet["rows"]):
        label_format = formats.title if item["key"] == "title" else formats.bold
        worksheet.write_string(row, 0, text_in(item["label"], language), label_format)
        write_value(worksheet, row, 1, values.get(item["key"]), formats.wrap)


def _kpis(workbook: Workbook, name: str, content: ReportContent, layout: Layout, formats: Formats) -> None:
    sheet = layout.sheet("kpis")
    columns = layout.columns(sheet)
    worksheet = workbook.add_worksheet(name)
    worksheet.freeze_panes(1, 2)
    rows = _kpi_rows(content, sheet)
    count = write_table(worksheet, 0, columns, rows, content.language, formats)
    _note_below(worksheet, count + 1, disclosure_note(content, content.language), formats)
    for spec in sheet.get("charts", []) if count else []:
        if not spec.get("one_per_row"):
            anchor = xl_rowcol_to_cell(count + 3, 0)
            add_chart(workbook, worksheet, name, spec, columns, 1, count, anchor, content.language)
            continue
        # One chart per KPI: units differ from one indicator to the next.
        per_line = int(spec.get("charts_per_line", 2))
        width_in_columns = int(spec.get("columns_per_chart", 4))
        height_in_rows = int(spec.get("rows_per_chart", 16))
        for index, data in enumerate(rows):
            anchor = xl_rowcol_to_cell(
                count + 3 + height_in_rows * (index // per_line),
                width_in_columns * (index % per_line),
            )
            unit = f" ({data['unit']})" if data.get("unit") else ""
            add_chart(
                workbook,
                worksheet,
                name,
                spec,
                columns,
                1 + index,
                1 + index,
                anchor,
                content.language,
                title=f"{data['label']}{unit}",
                value_range=_shown_range(data),
            )


def _shown_range(row: dict[str, Any]) -> tuple[float, float] | None:
    """Lowest and highest figure a KPI's chart shows: value, interval and target."""
    shown = [
        float(row[key])
        for key in ("value", "ci_low", "ci_high", "target")
        if isinstance(row.get(key), int | float)
    ]
    return (min(shown), max(shown)) if shown else None


def _disaggregations(
    workbook: Workbook, name: str, content: ReportContent, layout: Layout, formats: Formats
) -> None:
    sheet = layout.sheet("disaggregations")
    reasons = sheet.get("suppression_labels", {})
    rows = (
        {
            "_formats": _share_formats(kpi.unit),
            "indicator_id": kpi.indicator_id,
            "dimension": term("dimension", cell.dimension, content.language),
            "category": term("category", cell.category, content.language),
            "value": cell.value,
            "ci_low": cell.ci_low,
            "ci_high": cell.ci_high,
            "n": cell.n,
            "suppressed": (
                text_in(reasons.get(getattr(cell, "suppression", None) or "primary"), content.language) or "✔"
                if cell.suppressed
                else None
            ),
        }
        for kpi in content.kpis
        for cell in kpi.disaggregations
    )
    worksheet = workbook.add_worksheet(name)
    worksheet.freeze_panes(1, 0)
    count = write_table(worksheet, 0, layout.columns(sheet), rows, content.language, formats)
    _note_below(worksheet, count + 1, disclosure_note(content, content.language), formats)


def _targets(workbook: Workbook, name: str, content: ReportContent, layout: Layout, formats: Formats) -> None:
    sheet = layout.sheet("targets")
    columns = layout.columns(sheet)
    language = content.language
    met = layout.sheet("kpis")["met_labels"]
    directions = layout.sheet("kpis")["direction_labels"]
    rows = []
    for line in payment_by_results(content.kpis, content.targets):
        row = line.model_dump()
        row["met"] = text_in(met[str(line.met).lower()], language)
        row["direction"] = text_in(directions[line.direction], language)
        rows.append(row)
    worksheet = workbook.add_worksheet(name)
    worksheet.freeze_panes(1, 1)
    count = write_table(worksheet, 0, columns, rows, language, formats)
    payable = next(i for i, c in enumerate(columns) if c.key == "amount_payable")
    total_row = count + 1
    worksheet.write_string(total_row, payable - 1, text_in(sheet["total_label"], language))
    first = xl_rowcol_to_cell(1, payable)
    last = xl_rowcol_to_cell(max(count, 1), payable)
    worksheet.write_formula(
        total_row,
        payable,
        f"=SUM({first}:{last})",
        formats.total_money,
        round(sum(r["amount_payable"] for r in rows), 2),
    )


def _sections(
    workbook: Workbook, name: str, content: ReportContent, layout: Layout, formats: Formats
) -> None:
    sheet = layout.sheet("sections")
    language = content.language
    figures = content.figures.lines(FigureFormats(language)) if content.figures is not None else {}

    def text_of(key: str) -> str | None:
        # The narrative, then the figures the organisation entered, one per line.
        parts = [content.sections.get(key) or ""]
        parts += [f"{label}: {value}" for label, value in figures.get(key, [])]
        return "\n".join(part for part in parts if part) or None

    rows = (
        {
            "number": section.number,
            "title": text_in(section.title, language),
            "text": text_of(section.key),
        }
        for section in report_sections()
    )
    worksheet = workbook.add_worksheet(name)
    columns = layout.columns(sheet)
    write_header(worksheet, 0, columns, language, formats)
    worksheet.set_column(2, 2, columns[2].width, formats.wrap)
    for row, data in enumerate(rows, start=1):
        worksheet.write_number(row, 0, data["number"])
        worksheet.write_string(row, 1, data["title"], formats.wrap)
        write_value(worksheet, row, 2, data["text"], formats.wrap)


def _sensitivity_rows(sensitivity: Any) -> list[dict[str, Any]]:
    """Tornado rows from the SROI engine's sensitivity output, whatever its exact key names."""
    items: list[Any]
    if isinstance(sensitivity, dict):
        items = next(
            (sensitivity[k] for k in ("lines", "rows", "items", "estimates") if k in sensitivity),
            [],
        )
    else:
        items = sensitivity or []

    def first(item: dict[str, Any], *keys: str) -> Any:
        return next((item[k] for k in keys if item.get(k) is not None), None)

    rows = []
    for item in items:
        if not isinstance(item, dict):
            continue
        parameter = first(item, "parameter", "estimate", "label", "name", "field") or "?"
        outcome = first(item, "outcome", "outcome_id")
        low, high = first(item, "low", "low_value"), first(item, "high", "high_value")
        steps = [s for s in item.get("steps") or [] if isinstance(s, dict) and "change" in s]
        if steps and low is None and high is None:
            # impactkit.sroi: the value at the largest cut and at the largest rise.
            low = min(steps, key=lambda s: s["change"]).get("value")
            high = max(steps, key=lambda s: s["change"]).get("value")
        break_even = first(item, "break_even", "break_even_value", "value_for_one_to_one", "one_to_one")
        if isinstance(break_even, dict):
            break_even = (
                break_even.get("value")
                if break_even.get("reachable", True)
                else (break_even.get("note") or "not reachable")
            )
        rows.append(
            {
                "parameter": f"{outcome}: {parameter}" if outcome else str(parameter),
                "low": low,
                "high": high,
                "ratio_low": first(item, "ratio_low", "low_ratio"),
                "ratio_high": first(item, "ratio_high", "high_ratio"),
                "break_even": break_even,
            }
        )

    def swing(row: dict[str, Any]) -> float:
        low, high = row["ratio_low"], row["ratio_high"]
        if isinstance(low, int | float) and isinstance(high, int | float):
            return abs(high - low)
        return 0.0

    rows.sort(key=swing)
    return rows


def _base_ratio(content: ReportContent) -> float | None:
    assert content.sroi is not None
    sources: list[Any] = [content.sroi.sensitivity, content.sroi.result]
    for source in sources:
        if isinstance(source, dict):
            for key in ("base_ratio", "sroi_ratio", "ratio"):
                if isinstance(source.get(key), int | float):
                    return float(source[key])
    return None


def _sroi_value_map(
    workbook: Workbook, name: str, content: ReportContent, layout: Layout, formats: Formats
) -> None:
    """The value map with live formulas, by the SROI part; a plain listing when it is absent."""
    assert content.sroi is not None
    from impactkit import sroi  # the SROI part writes its own sheets when it can

    writer = getattr(sroi, "write_value_map", None)
    if writer is not None:
        value_map = sroi.ValueMap.model_validate(content.sroi.value_map)
        writer(workbook, value_map, sroi.compute(value_map), language=content.language)
        return
    # Without the SROI engine: list the stored figures, values only.
    worksheet = workbook.add_worksheet(name)
    worksheet.set_column(0, 0, 40)
    worksheet.set_column(1, 1, 60)
    row = 0
    for section, data in (("result", content.sroi.result), ("value_map", content.sroi.value_map)):
        for key, value in _flatten(data or {}, section):
            worksheet.write_string(row, 0, neutralise(key))
            if isinstance(value, int | float) and not isinstance(value, bool):
                worksheet.write_number(row, 1, value)
            elif value is not None:
                worksheet.write_string(row, 1, neutralise(str(value)))
            row += 1


def _flatten(data: Any, prefix: str) -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [item for k, v in data.items() for item in _flatten(v, f"{prefix}.{k}")]
    if isinstance(data, list):
        return [item for i, v in enumerate(data) for item in _flatten(v, f"{prefix}[{i}]")]
    return [(prefix, data)]


def _sroi_sensitivity(
    workbook: Workbook, name: str, content: ReportContent, layout: Layout, formats: Formats
) -> None:
    assert content.sroi is not None
    sheet = layout.sheet("sroi_sensitivity")
    columns = layout.columns(sheet)
    language = content.language
    rows = _sensitivity_rows(content.sroi.sensitivity)
    base = _base_ratio(content)
    worksheet = workbook.add_worksheet(name)
    worksheet.write_string(0, 0, text_in(sheet["base_label"], language), formats.bold)
    if base is not None:
        worksheet.write_number(0, 1, base, formats.of("ratio"))
    base_ref = "$B$1"
    for row in rows:
        for side in ("low", "high"):
            ratio = row[f"ratio_{side}"]
            row[f"change_{side}"] = ratio - base if isinstance(ratio, int | float) and base is not None else 0
    count = write_table(worksheet, 2, columns, rows, language, formats, extra_refs={"@base": base_ref})
    if count:
        for spec in sheet.get("charts", []):
            add_chart(
                workbook,
                worksheet,
                name,
                spec,
                columns,
                3,
                2 + count,
                xl_rowcol_to_cell(count + 5, 0),
                language,
            )


@dataclass
class _RepeatSheet:
    """One repeat group's sheet while the responses stream through."""

    plan: SheetPlan
    worksheet: Worksheet
    name: str
    steps: list[Step]
    last_row: int = 0


def _write_repeats(repeats: dict[str, _RepeatSheet], answers: dict[str, Any], key: str) -> None:
    """Rows of every repeat group found in ``answers``, nested ones included.

    Keys follow the survey part's tables: an instance of ``household`` in response
    ``uuid:1`` is ``uuid:1/household[2]``, and its nested instances point at that key.
    """
    for name, repeat in repeats.items():
        instances = answers.get(name)
        if not isinstance(instances, list):
            continue
        sheet = repeat.worksheet
        for position, instance in enumerate(instances, start=1):
            if not isinstance(instance, dict):
                continue
            repeat.last_row += 1
            child_key = f"{key}/{name}[{position}]"
            sheet.write_string(repeat.last_row, 0, neutralise(key))
            sheet.write_number(repeat.last_row, 1, position)
            sheet.write_string(repeat.last_row, 2, neutralise(child_key))
            write_answers(sheet, repeat.last_row, instance, repeat.steps)
            _write_repeats(repeats, instance, child_key)


def _responses(
    workbook: Workbook,
    names: set[str],
    content: ReportContent,
    responses: Iterable[dict[str, Any]],
    columns: list[ColumnSpec],
    layout: Layout,
    formats: Formats,
) -> list[tuple[str, str, Any]]:
    """Responses and repeat sheets, streamed; returns (sheet, header, column) for the dictionary."""
    sheet = layout.sheet("responses")
    language = content.language
    plans = plan_sheets(columns, language)
    fixed = [Column.model_validate(c) for c in sheet["fixed_columns"]]
    parent = Column.model_validate({**sheet["parent_column"], "width": 38})
    index = Column.model_validate({**sheet["index_column"], "width": 8})
    key_column = Column.model_validate({**sheet["key_column"], "width": 44})
    main_plan, repeat_plans = plans[0], plans[1:]
    main_name = sheet_title(text_in(sheet["title"], language), names)
    main = workbook.add_worksheet(main_name)
    main.freeze_panes(1, 1)
    write_header(main, 0, fixed, language, formats)
    for offset, planned in enumerate(main_plan.columns):
        main.write_string(0, len(fixed) + offset, planned.header, formats.header)
    main.set_column(len(fixed), len(fixed) + max(len(main_plan.columns) - 1, 0), 16)
    prefix = text_in(sheet["repeat_title_prefix"], language)
    repeats: dict[str, _RepeatSheet] = {}
    for plan in repeat_plans:
        assert plan.key is not None
        repeat_name = sheet_title(f"{prefix} {plan.title}", names)
        repeat_sheet = workbook.add_worksheet(repeat_name)
        write_header(repeat_sheet, 0, [parent, index, key_column], language, formats)
        for offset, planned in enumerate(plan.columns):
            repeat_sheet.write_string(0, 3 + offset, planned.header, formats.header)
        repeats[plan.key] = _RepeatSheet(plan, repeat_sheet, repeat_name, compile_plan(plan.columns, 3))
    main_steps = compile_plan(main_plan.columns, len(fixed))
    write_string = main.write_string
    row = 0
    for row, response in enumerate(responses, start=1):
        instance_id = response.get("instance_id")
        write_string(row, 0, neutralise(str(instance_id)) if instance_id is not None else "")
        submitted = response.get("submitted_at")
        if submitted is not None:
            write_string(
                row,
                1,
                submitted.isoformat()
                if isinstance(submitted, datetime | date)
                else neutralise(str(submitted)),
            )
        for col, key in ((2, "form_version"), (3, "wave")):
            value = response.get(key)
            if value is not None:
                write_string(row, col, neutralise(str(value)))
        answers = answers_of(response)
        write_answers(main, row, answers, main_steps)
        if repeats:
            _write_repeats(repeats, answers, "" if instance_id is None else str(instance_id))
    if row:
        main.autofilter(0, 0, row, len(fixed) + len(main_plan.columns) - 1)
    entries: list[tuple[str, str, Any]] = [(main_name, text_in(c.label, language), c) for c in fixed]
    entries += [(main_name, p.header, p) for p in main_plan.columns]
    for repeat in repeats.values():
        entries += [(repeat.name, p.header, p) for p in repeat.plan.columns]
    return entries


def _dictionary(
    workbook: Workbook,
    name: str,
    entries: list[tuple[str, str, Any]],
    language: str,
    layout: Layout,
    formats: Formats,
) -> None:
    sheet = layout.sheet("dictionary")
    rows: list[dict[str, Any]] = []
    for sheet_name, header, planned in entries:
        if isinstance(planned, Column):
            rows.append({"column": header, "sheet": sheet_name, "name": planned.key, "label": header})
        else:
            rows.append(
                {
                    "column": header,
                    "sheet": sheet_name,
                    "name": planned.field,
                    "label": planned.label,
                    "type": planned.type,
                    "choices": planned.choices or None,
                }
            )
    worksheet = workbook.add_worksheet(name)
    worksheet.freeze_panes(1, 0)
    write_table(worksheet, 0, layout.columns(sheet), rows, language, formats)


def _validation_log(
    workbook: Workbook,
    name: str,
    language: str,
    checklist: list[CheckItem],
    events: list[WorkflowEvent],
    layout: Layout,
    formats: Formats,
    justifications: dict[str, str],
) -> None:
    sheet = layout.sheet("validation_log")
    worksheet = workbook.add_worksheet(name)
    worksheet.write_string(0, 0, text_in(sheet["checklist_heading"], language), formats.title)
    labels = sheet["status_labels"]
    check_rows = [
        {
            "id": item.id,
            "title": text_in(item.title, language),
            "status": text_in(labels[item.status], language),
            "detail": detail_in(item, language),
            "justification": justifications.get(item.id),
        }
        for item in checklist
    ]
    count = write_table(
        worksheet, 1, layout.columns(sheet, "checklist_columns"), check_rows, language, formats
    )
    start = count + 4
    worksheet.write_string(start - 1, 0, text_in(sheet["events_heading"], language), formats.title)
    event_rows = [
        {**event.model_dump(), "at": utc_text(event.at)} for event in sorted(events, key=lambda e: e.at)
    ]
    write_table(worksheet, start, layout.columns(sheet, "event_columns"), event_rows, language, formats)


def _content_sheet(workbook: Workbook, document: bytes) -> None:
    """The hidden sheet holding the frozen document, in chunks of column A."""
    worksheet = workbook.add_worksheet(CONTENT_SHEET)
    text = document.decode("utf-8")
    for row, start in enumerate(range(0, len(text), CHUNK_CHARS)):
        worksheet.write_string(row, 0, text[start : start + CHUNK_CHARS])
    worksheet.hide()


def _infer_columns(
    responses: Iterable[dict[str, Any]],
) -> tuple[list[ColumnSpec], Iterable[dict[str, Any]]]:
    """Text columns named after the first response's answers, when no specs are given."""
    iterator = iter(responses)
    first = next(iterator, None)
    if first is None:
        return [], []
    fixed = {"instance_id", "submitted_at", "form_version", "wave", "answers"}
    specs = [
        ColumnSpec(name=key, label={"it": key, "en": key}) for key in answers_of(first) if key not in fixed
    ]
    return specs, itertools.chain([first], iterator)


def write_report_xlsx(
    content: ReportContent | dict[str, Any],
    path_or_stream: str | os.PathLike[str] | IO[bytes],
    *,
    responses: Iterable[dict[str, Any]] | None = None,
    columns: list[ColumnSpec] | list[dict[str, Any]] | None = None,
    stamp: ValidationStamp | dict[str, Any] | None = None,
    checklist: list[CheckItem] | list[dict[str, Any]] | None = None,
    events: list[WorkflowEvent] | list[dict[str, Any]] | None = None,
) -> str:
    """Write one social report as a standard-layout Excel workbook, streaming.

    Memory stays flat whatever the number of responses: rows go to disk as they are written
    (XlsxWriter's constant-memory mode), and ``responses`` is consumed once, as an iterator.

    Args:
        content: the report content (or plain data for it).
        path_or_stream: a file path, or a binary stream the finished file is copied to.
        responses: the responses, one dict each (``instance_id``, ``submitted_at``,
            ``form_version``, ``wave`` and the answers, flat or under ``answers``).
        columns: the column specs of the survey fields (needed with ``responses``).
        stamp: the validation stamp; None exports an unvalidated draft.
        checklist: the checklist items for the validation log.
        events: the workflow events for the validation log.

    Returns:
        The content hash (SHA-256 hex) embedded in the workbook.

    Raises:
        ImpactkitError: when the content is not valid, or the stamp is for other content.
    """
    frozen = load_content(content)
    validation = ValidationStamp.model_validate(stamp) if stamp is not None else None
    digest = content_hash(frozen)
    if validation is not None and validation.content_hash != digest:
        raise ImpactkitError(
            "the validation stamp is for other content",
            [
                Problem(
                    f"stamp hash {validation.content_hash} is not the content hash {digest}",
                    "stamp.content_hash",
                )
            ],
        )
    specs = [ColumnSpec.model_validate(c) for c in columns or []]
    items = [CheckItem.model_validate(c) for c in checklist or []]
    if validation is not None and validation.checklist:
        # A validated report shows the checklist frozen with its stamp, not one run later.
        items = [CheckItem.model_validate(c.model_dump()) for c in validation.checklist]
    reasons = validation.justifications if validation is not None else {}
    log = [WorkflowEvent.model_validate(e) for e in events or []]
    layout = load_layout()
    language = frozen.language
    document = canonical_json(frozen_payload(frozen, validation))
    # Every sheet a person reads shows the content as disclosure control allows (legacy content
    # frozen before it is protected here); the hidden sheet keeps the frozen document as sealed.
    report = protect_content(frozen)
    with output_path(path_or_stream) as path:
        workbook = new_workbook(path)
        formats = Formats(workbook, layout)
        names: set[str] = {CONTENT_SHEET.lower()}

        def title(sheet_id: str) -> str:
            return sheet_title(text_in(layout.sheet(sheet_id)["title"], language), names)

        _cover(workbook, title("cover"), report, validation, digest, layout, formats)
        _kpis(workbook, title("kpis"), report, layout, formats)
        if any(kpi.disaggregations for kpi in report.kpis):
            _disaggregations(workbook, title("disaggregations"), report, layout, formats)
        if report.targets:
            _targets(workbook, title("targets"), report, layout, formats)
        _sections(workbook, title("sections"), report, layout, formats)
        if report.sroi is not None:
            _sroi_value_map(workbook, title("sroi_value_map"), report, layout, formats)
            names.update(sheet.get_name().lower() for sheet in workbook.worksheets())
            if report.sroi.sensitivity:
                _sroi_sensitivity(workbook, title("sroi_sensitivity"), report, layout, formats)
        entries: list[tuple[str, str, Any]] = []
        if responses is not None and not specs:
            specs, responses = _infer_columns(responses)
        if responses is not None or specs:
            entries = _responses(workbook, names, report, responses or [], specs, layout, formats)
            _dictionary(workbook, title("dictionary"), entries, language, layout, formats)
        _validation_log(workbook, title("validation_log"), language, items, log, layout, formats, reasons)
        _content_sheet(workbook, document)
        workbook.set_properties(
            {
                "title": f"{report.project.name} — {report.organisation.name}",
                "company": report.organisation.name,
                "comments": f"impactkit {layout.name}; content sha256 {digest}",
            }
        )
        workbook.set_custom_property("impactkit_content_sha256", digest)
        workbook.set_custom_property("impactkit_layout", layout.name)
        workbook.set_custom_property("impactkit_validated", validation is not None)
        workbook.close()
        seal_zip_file(path)
    return digest


__all__ = ["write_report_xlsx"]
