"""Validated social reports: content, checklist, freezing and verification, Excel/CSV/JSON exports.

Pure core: no web, no database. The report workflow (draft → submitted → validated /
returned → new draft) is built on these functions by the service layer.

    >>> from impactkit.reports import ReportContent, content_hash, write_report_xlsx
"""

from __future__ import annotations

from impactkit.reports._layout import Layout, load_layout
from impactkit.reports._text import neutralise
from impactkit.reports.checklist import (
    MIN_JUSTIFICATION_CHARS,
    CheckItem,
    ReportStats,
    ResponseCount,
    has_kpi_values,
    run_checklist,
    validation_blockers,
)
from impactkit.reports.excel import write_report_xlsx
from impactkit.reports.grants import GranteeSummary, GrantLine, GrantTerms, grant_lines, stage_of
from impactkit.reports.hashing import (
    VerifyResult,
    canonical_json,
    content_hash,
    frozen_document,
    verify_bytes,
    verify_file,
)
from impactkit.reports.indigo import indigo_projects
from impactkit.reports.model import (
    Disaggregation,
    FrameworkRef,
    FrozenCheck,
    KpiResult,
    KpiTags,
    Organisation,
    OutcomeTarget,
    PaymentLine,
    Period,
    Project,
    ReportContent,
    Section,
    SroiSection,
    ValidationStamp,
    WorkflowEvent,
    load_content,
    payment_by_results,
    report_sections,
    target_met,
)
from impactkit.reports.portfolio import (
    ApartEntry,
    Portfolio,
    PortfolioEntry,
    PortfolioFramework,
    PortfolioIndicator,
    build_portfolio,
    portfolio_columns,
    portfolio_csv,
    portfolio_json,
    portfolio_rows,
    write_portfolio_workbook,
    write_portfolio_xlsx,
)
from impactkit.reports.responses import Choice, ColumnSpec, column_specs_from_dictionary
from impactkit.reports.tabular import to_csv, to_json, write_csv

__all__ = [
    "MIN_JUSTIFICATION_CHARS",
    "ApartEntry",
    "CheckItem",
    "Choice",
    "ColumnSpec",
    "Disaggregation",
    "FrameworkRef",
    "FrozenCheck",
    "GrantLine",
    "GrantTerms",
    "GranteeSummary",
    "KpiResult",
    "KpiTags",
    "Layout",
    "Organisation",
    "OutcomeTarget",
    "PaymentLine",
    "Period",
    "Portfolio",
    "PortfolioEntry",
    "PortfolioFramework",
    "PortfolioIndicator",
    "Project",
    "ReportContent",
    "ReportStats",
    "ResponseCount",
    "Section",
    "SroiSection",
    "ValidationStamp",
    "VerifyResult",
    "WorkflowEvent",
    "build_portfolio",
    "canonical_json",
    "column_specs_from_dictionary",
    "content_hash",
    "frozen_document",
    "grant_lines",
    "has_kpi_values",
    "indigo_projects",
    "load_content",
    "load_layout",
    "neutralise",
    "payment_by_results",
    "portfolio_columns",
    "portfolio_csv",
    "portfolio_json",
    "portfolio_rows",
    "report_sections",
    "run_checklist",
    "stage_of",
    "target_met",
    "to_csv",
    "to_json",
    "validation_blockers",
    "verify_bytes",
    "verify_file",
    "write_csv",
    "write_portfolio_workbook",
    "write_portfolio_xlsx",
    "write_report_xlsx",
]
