"""Pages of social procurement: the contracting authority's tenders, bids side by side, award and
committed vs delivered; bidders' answers in the browser or by workbook; suppliers' delivery per
period with evidence; the evaluator's verification; administrators' authorities and roles."""

from __future__ import annotations

from impactkit.api.pages.procurement import delivery, tenders
from impactkit.api.pages.rendering import NavItem

ROUTES = [*tenders.ROUTES, *delivery.ROUTES]
NAV = [NavItem("proc_area", "/app/procurement", lambda principal: True, order=45)]
