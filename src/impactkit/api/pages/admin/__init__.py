"""Pages of the instance's administrators: organisations, users and roles, accreditations, funders
and grants."""

from __future__ import annotations

from impactkit.api.pages.admin import funding, home, organisations, people
from impactkit.api.pages.rendering import NavItem

ROUTES = [*home.ROUTES, *organisations.ROUTES, *people.ROUTES, *funding.ROUTES]
NAV = [NavItem("admin_area", "/app/admin", lambda principal: principal.is_admin, order=40)]
