"""Report pages (organisation, evaluator, funder): they call ``impactkit.store.reports`` once it exists."""

from __future__ import annotations

import importlib.util
from typing import Any

from litestar import Request, get
from litestar.response import Template

from impactkit.api.access import Principal
from impactkit.api.deps import DB
from impactkit.api.pages._session import page_principal
from impactkit.store.tables import Project


def reports_available() -> bool:
    """True when the reports workflow store is installed."""
    return importlib.util.find_spec("impactkit.store.reports") is not None


def project_reports(db: DB, principal: Principal, project: Project) -> list[Any] | None:
    """The reports of a project (None while the reports store is not available)."""
    if not reports_available():
        return None
    return []


@get("/app/evaluator", sync_to_thread=True)
def evaluator_home(request: Request[Any, Any, Any], db: DB) -> Template:
    from impactkit.api.pages.staff import render

    principal = page_principal(request, db)
    return render(request, "evaluator.html", principal, reports=None)


@get("/app/funder", sync_to_thread=True)
def funder_home(request: Request[Any, Any, Any], db: DB) -> Template:
    from impactkit.api.pages.staff import render

    principal = page_principal(request, db)
    return render(request, "funder.html", principal, reports=None)


HANDLERS = [evaluator_home, funder_home]
