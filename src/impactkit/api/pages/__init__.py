"""Web pages of impactkit: the respondent page and the pages of organisations, evaluators and funders.

:func:`app_options` gives the app factory what the pages need: their route handlers, the Jinja
templates, the static files and CSRF protection (the token-authenticated API is left out of it).
"""

from __future__ import annotations

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

CSRF_EXCLUDED = ["^/api/", "^/health$", "^/schema", "^/static/"]
"""Paths without CSRF checks: the API (token auth, no cookies), health, OpenAPI and static files."""


def app_options(settings: Settings) -> dict[str, Any]:
    """Route handlers, templates and CSRF settings for :func:`impactkit.api.app.create_app`."""
    from impactkit.api.pages.auth import AuthController
    from impactkit.api.pages.links_api import LinkApiController
    from impactkit.api.pages.respondent import RespondentController
    from impactkit.api.pages.staff import staff_router

    static = create_static_files_router(
        path="/static/pages",
        directories=[STATIC],
        include_in_schema=False,
        cache_control=None,
    )
    return {
        "route_handlers": [AuthController, RespondentController, staff_router(), LinkApiController, static],
        "template_config": TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        "csrf_config": CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.cookie_secure,
            cookie_httponly=True,
            cookie_samesite="lax",
            exclude=CSRF_EXCLUDED,
        ),
    }


__all__ = ["app_options"]
