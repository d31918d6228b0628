"""Web pages of impactkit, by persona: the respondent page and the pages of organisations,
evaluators, funders, administrators and the public.

    pages/
      rendering.py      layout, render(), language, messages, formats, flash, errors, confirm, htmx
      _i18n.py          the message catalogue API; messages/ holds one module per persona
      _session.py       signed sign-in cookies;  _charts.py  server-drawn SVG charts
      public/           sign-in, invitations (anyone)
      organisation/     owners, editors and viewers of an organisation
      evaluator/        accredited evaluators
      funder/           funders' staff
      admin/            administrators of the instance
      respondent.py, _survey_form.py, _respondent_files.py   the survey page /s/{token} and its files
      templates/        base.html and one folder per persona;  static/  CSS, JS, vendored htmx and Swagger UI

Each persona package exports ``ROUTES`` (its handlers) and ``NAV`` (its entries in the top
navigation). :func:`app_options` gives the app factory what the pages need: their routers, the
Jinja templates, the static files, the navigation and CSRF protection (the token-authenticated API
is left out of it).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from impactkit.settings import Settings

_HERE = Path(__file__).parent
TEMPLATES = _HERE / "templates"
STATIC = _HERE / "static"

PERSONAS = ("public", "home", "organisation", "evaluator", "funder", "admin", "design", "procurement")
"""Packages (or modules) of pages under ``impactkit.api.pages``, each with ``ROUTES`` and ``NAV``."""

CSRF_EXCLUDED = ["^/api/", "^/health$", "^/schema", "^/static/", "^/collect/"]
"""Paths without CSRF checks: the API (token auth, no cookies), health, OpenAPI, static files and
the OpenRosa doors of ODK apps (the secret in the address is the credential, no cookies)."""


def app_options(settings: Settings) -> dict[str, Any]:
    """Route handlers, templates, navigation and CSRF settings for :func:`impactkit.api.app.create_app`."""
    from impactkit.api.pages.links_api import LinkApiController
    from impactkit.api.pages.rendering import page_router
    from impactkit.api.pages.respondent import RespondentController

    handlers: list[Any] = []
    nav: list[Any] = []
    for name in PERSONAS:
        persona = importlib.import_module(f"{__name__}.{name}")
        handlers.extend(persona.ROUTES)
        nav.extend(getattr(persona, "NAV", ()))
    static = create_static_files_router(
        path="/static/pages",
        directories=[STATIC],
        include_in_schema=False,
        cache_control=None,
    )
    return {
        "route_handlers": [RespondentController, page_router("/", handlers), LinkApiController, static],
        "template_config": TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        "state": {"page_nav": nav},
        "csrf_config": CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.cookie_secure,
            cookie_httponly=True,
            cookie_samesite="lax",
            exclude=CSRF_EXCLUDED,
        ),
    }


__all__ = ["app_options"]
