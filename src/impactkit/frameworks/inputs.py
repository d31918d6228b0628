"""Response files as KPI input: impactkit's own export mapped to the columns compute_kpis reads.

``impactkit kpis compute`` reads files with :func:`impactkit.surveys.files.read_table` (any
separator, encoding and decimal mark), then :func:`kpi_frame` renames the metadata columns of
impactkit's export (``wave``, ``submitted_at``, ``organisation_id`` …) to the underscored names
:func:`impactkit.frameworks.compute_kpis` expects (``_wave``, ``_submitted_at`` …), and
:func:`missing_columns` says which fields a framework reads that a file lacks.
"""

from __future__ import annotations

import re

import pandas as pd

from impactkit.frameworks.model import Framework

EXPORT_METADATA = {
    "instance_id": "_instance_id",
    "organisation_id": "_organisation_id",
    "project_id": "_project_id",
    "period_id": "_period_id",
    "wave": "_wave",
    "submitted_at": "_submitted_at",
    "weight": "_weight",
    "territory_type_of_organisation": "_territory_type",
}
"""Column of impactkit's response export → the column compute_kpis reads."""

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}")


def kpi_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The frame with export metadata renamed for compute_kpis, and a note of what was renamed.

    A column is renamed only when the underscored one is not there already, so a file written
    for compute_kpis directly reads the same.
    """
    renames = {
        column: target
        for column, target in EXPORT_METADATA.items()
        if column in frame.columns and target not in frame.columns
    }
    notes = []
    if renames:
        frame = frame.rename(columns=renames)
        notes.append(
            "impactkit export columns read as " + ", ".join(f"{a} → {b}" for a, b in renames.items())
        )
    if "_submitted_at" in frame.columns and frame["_submitted_at"].dtype == object:
        parsed = pd.to_datetime(frame["_submitted_at"], errors="coerce", utc=True, format="mixed")
        if parsed.notna().sum() == frame["_submitted_at"].notna().sum():
            frame = frame.assign(_submitted_at=parsed)
    return frame, notes


def read_fields(framework: Framework, form_id: str) -> set[str]:
    """Every field a framework reads from one form (values, filters, links, breakdowns)."""
    fields: set[str] = set()
    used_dimensions: set[str] = set()
    for indicator in framework.indicators:
        for source in (indicator.source, indicator.denominator):
            if source is None or source.form != form_id:
                continue
            for text in (source.value_expression, source.filter):
                fields.update(_REFERENCE.findall(text or ""))
            if indicator.change is not None and source is indicator.source:
                fields.add(indicator.change.link_by)
            if source is indicator.source:
                used_dimensions.update(indicator.disaggregations)
    for spec in framework.disaggregations:
        if spec.id in used_dimensions:
            fields.add(spec.field)
    return fields


def missing_columns(framework: Framework, form_id: str, frame: pd.DataFrame) -> tuple[set[str], set[str]]:
    """(fields the framework reads from the form, those the frame lacks)."""
    wanted = read_fields(framework, form_id)
    return wanted, {name for name in wanted if name not in frame.columns}


__all__ = ["EXPORT_METADATA", "kpi_frame", "missing_columns", "read_fields"]
