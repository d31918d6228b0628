"""Pages of funders' staff: validated reports of their grantees and the portfolio."""

from __future__ import annotations

from impactkit.api.pages.funder import portfolio
from impactkit.api.pages.rendering import NavItem

ROUTES = [*portfolio.ROUTES]
NAV = [NavItem("funder_area", "/app/funder", lambda principal: bool(principal.funder_ids), order=30)]
