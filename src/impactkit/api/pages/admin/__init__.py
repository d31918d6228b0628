"""Pages of the instance's administrators: organisations, users and roles, accreditations, funders."""

from __future__ import annotations

from impactkit.api.pages.admin import home
from impactkit.api.pages.rendering import NavItem

ROUTES = [*home.ROUTES]
NAV = [NavItem("admin_area", "/app/admin", lambda principal: principal.is_admin, order=40)]
