"""Pages of the framework designer, for organisations (and consortia) and funders.

Each module lists its handlers in ``ROUTES``; add a module's routes here.
"""

from __future__ import annotations

from impactkit.api.pages.design import frameworks
from impactkit.api.pages.rendering import NavItem

ROUTES = [*frameworks.ROUTES]
NAV: list[NavItem] = [
    NavItem(
        "frameworks",
        "/app/frameworks",
        lambda p: p.is_admin or bool(p.funder_ids) or bool(p.roles),
        order=35,
    )
]
