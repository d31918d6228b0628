"""The figures of the social report's sections (Decree of 4 July 2019): what impactkit already knows
from the report's KPIs, and (with :class:`SectionFigures`) what the organisation enters.

Pure: takes report content, returns label → formatted value lines per section key.
"""

from __future__ import annotations

from typing import Any

from impactkit.formats import Formats
from impactkit.reports.model import ReportContent

# KPI → (section, unit of the figure) of the figures impactkit fills in from the KPIs.
PREFILLED: dict[str, str] = {
    "people_reached": "objectives_and_activities",
    "young_people_reached": "objectives_and_activities",
    "vulnerable_people_reached": "objectives_and_activities",
    "work_placements_disadvantaged": "objectives_and_activities",
    "volunteers": "people",
    "volunteer_hours": "people",
    "disadvantaged_workers_share": "people",
    "members_in_governance_share": "structure_governance_administration",
    "women_in_governing_body_share": "structure_governance_administration",
    "surplus_reinvested_share": "economic_financial_situation",
}


def prefilled(content: ReportContent, fmt: Formats) -> dict[str, list[tuple[str, str]]]:
    """Figures impactkit knows from the KPIs, per section: ``{section: [(label, value), …]}``."""
    out: dict[str, list[tuple[str, str]]] = {}
    for kpi in content.kpis:
        section = PREFILLED.get(kpi.indicator_id)
        if section is None or kpi.value is None:
            continue
        out.setdefault(section, []).append((kpi.label(content.language), fmt.kpi(kpi.value, kpi.unit or "")))
    return out


def section_facts(content: ReportContent, fmt: Formats) -> dict[str, list[tuple[str, str]]]:
    """Every figure of every section: what the organisation entered, then what impactkit knows."""
    out: dict[str, list[tuple[str, str]]] = {}
    figures: Any = getattr(content, "figures", None)
    if figures is not None:
        for key, lines in figures.lines(fmt).items():
            out.setdefault(key, []).extend(lines)
    for key, lines in prefilled(content, fmt).items():
        out.setdefault(key, []).extend(lines)
    return out


__all__ = ["PREFILLED", "prefilled", "section_facts"]
