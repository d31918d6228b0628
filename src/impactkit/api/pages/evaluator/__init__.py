"""Pages of accredited evaluators: the reports submitted to them and the decision on each."""

from __future__ import annotations

from impactkit.api.pages.evaluator import reports, sroi
from impactkit.api.pages.rendering import NavItem

ROUTES = [*reports.ROUTES, *sroi.ROUTES]
NAV = [NavItem("evaluator_area", "/app/evaluator", lambda principal: principal.is_evaluator, order=20)]
