"""Messages of disclosure control and of what a KPI leaves out, on every page that shows KPIs."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str | dict[str, str]]] = {
    "kpi_hidden": {"it": "nascosto", "en": "hidden"},
    "kpi_hidden_why": {
        "it": "Nascosto per riservatezza: vedi la nota sotto la tabella.",
        "en": "Hidden for privacy: see the note under the table.",
    },
    "kpi_left_out": {"it": "Escluse", "en": "Left out"},
}
