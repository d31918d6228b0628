"""Pages of an organisation's staff (owners, editors, viewers): projects, links, KPIs, reports.

Each module lists its handlers in ``ROUTES``; add a module's routes here.
"""

from __future__ import annotations

from impactkit.api.pages.organisation import (
    collectors,
    duplicates,
    forms,
    imports,
    kpis,
    links,
    members,
    privacy,
    projects,
    report,
    responses,
    settings,
)
from impactkit.api.pages.rendering import NavItem

ROUTES = [
    *projects.ROUTES,
    *settings.ROUTES,
    *members.ROUTES,
    *forms.ROUTES,
    *links.ROUTES,
    *responses.ROUTES,
    *duplicates.ROUTES,
    *kpis.ROUTES,
    *report.ROUTES,
    *privacy.ROUTES,
    *collectors.ROUTES,
    *imports.ROUTES,
]
NAV: list[NavItem] = []
