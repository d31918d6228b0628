"""Pages of an organisation's staff (owners, editors, viewers): projects, links, KPIs, reports.

Each module lists its handlers in ``ROUTES``; add a module's routes here.
"""

from __future__ import annotations

from impactkit.api.pages.organisation import links, projects, reports
from impactkit.api.pages.rendering import NavItem

ROUTES = [*projects.ROUTES, *links.ROUTES, *reports.ROUTES]
NAV: list[NavItem] = []
