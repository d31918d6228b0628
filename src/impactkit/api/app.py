"""The Litestar application factory: routes, dependencies, error format and OpenAPI in one place."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from litestar import Litestar, MediaType, get
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from sqlalchemy.engine import Engine

from impactkit import __version__
from impactkit.api.access_log import access_log
from impactkit.api.admin import ADMIN_CONTROLLERS
from impactkit.api.deps import provide_db, provide_principal
from impactkit.api.openapi_page import ApiDocsPage
from impactkit.api.problems import exception_handlers
from impactkit.api.ratelimit import RateLimiter, rate_limit_middleware
from impactkit.api.requests import CheckedRequest, refuse_nul_in_address
from impactkit.api.security import security_headers_hook
from impactkit.settings import Settings, load_settings
from impactkit.store import migrate
from impactkit.store.checking import close_helpers, helpers_for
from impactkit.store.db import describe, make_engine
from impactkit.store.kpi_helpers import close_kpi_helpers, register_kpi_helpers
from impactkit.store.shared import hit_store_for
from impactkit.store.writer import close_writer

log = logging.getLogger("impactkit")

SWAGGER_UI = Path(__file__).parent / "static" / "swagger"
"""swagger-ui-dist (pinned in package.json, copied with its licence): reads OpenAPI 3.1."""


@get(
    "/health",
    summary="Liveness: version and database in use (anyone)",
    tags=["service"],
    sync_to_thread=True,
)
def health(state: State) -> dict[str, Any]:
    engine: Engine = state.engine
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    return {"status": "ok", "version": __version__, "database": describe(engine)}


def _route_handlers() -> list[Any]:
    handlers: list[Any] = [health, *ADMIN_CONTROLLERS]
    # Later capabilities register their controllers here; imported lazily to keep start-up small.
    from impactkit.api import extensions

    handlers.extend(extensions.route_handlers())
    handlers.append(
        create_static_files_router(path="/static/swagger", directories=[SWAGGER_UI], include_in_schema=False)
    )
    return handlers


def _pages_options(settings: Settings) -> dict[str, Any]:
    """Web pages (templates, sessions, CSRF) plug in here when the pages package is present."""
    try:
        pages = importlib.import_module("impactkit.api.pages")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("impactkit.api.pages"):
            return {}
        raise
    app_options = getattr(pages, "app_options", None)
    if app_options is None:
        return {}
    options: dict[str, Any] = app_options(settings)
    return options


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="impactkit API",
        version=__version__,
        description=(
            "Survey collection, simplified KPIs, SROI and validated social reports. "
            "Authenticate with `Authorization: Bearer <token>`; errors are RFC 9457 problem+json."
        ),
        path="/schema",
        render_plugins=[
            ApiDocsPage(
                path="/swagger",
                js_url="/static/swagger/swagger-ui-bundle.js",
                css_url="/static/swagger/swagger-ui.css",
                standalone_preset_js_url="/static/swagger/swagger-ui-standalone-preset.js",
            )
        ],
        components=Components(
            security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", description="API token")}
        ),
        security=[{"bearer": []}],
    )


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    migrate_on_start: bool = False,
    extra_handlers: Sequence[Any] = (),
    start_helpers: bool = False,
) -> Litestar:
    """Build the app for ``settings`` (read from the environment when omitted).

    The database must be at the newest migration: with ``migrate_on_start`` the app
    migrates it on purpose, otherwise it refuses to start and says which command to run.
    With ``start_helpers`` the processes that check large batches start with the app (as
    ``impactkit serve`` does); otherwise they start with the first large batch.
    """
    settings = settings or load_settings()
    if engine is None:
        if not migrate_on_start:
            migrate.require_database_file(settings.database_url)
        engine = make_engine(settings.database_url)
    if migrate_on_start:
        migrate.upgrade(engine)
    else:
        migrate.require_current(engine)

    # KPIs in helper processes replaced now and then: the server never holds a period's answers
    kpi_helpers = register_kpi_helpers(engine, settings.kpi_processes, settings.kpi_tasks)

    def _start() -> None:
        helpers = helpers_for(engine, settings.check_processes) if start_helpers else None
        if helpers is not None:
            helpers.start()  # in the background: the app answers meanwhile
        if kpi_helpers is not None and start_helpers:
            kpi_helpers.start()

    rate_limiter = RateLimiter(hit_store_for(engine, settings.redis_url, settings.redis_prefix))

    def _dispose() -> None:
        close = getattr(rate_limiter.store, "close", None)
        if close is not None:
            close()
        close_writer(engine)
        close_helpers(engine)
        close_kpi_helpers(engine)
        engine.dispose()

    pages = _pages_options(settings)
    app = Litestar(
        route_handlers=[*_route_handlers(), *pages.get("route_handlers", []), *extra_handlers],
        middleware=[refuse_nul_in_address, rate_limit_middleware, *pages.get("middleware", [])],
        request_class=CheckedRequest,
        template_config=pages.get("template_config"),
        csrf_config=pages.get("csrf_config"),
        dependencies={
            "db": Provide(provide_db),
            "principal": Provide(provide_principal),
        },
        exception_handlers=exception_handlers,
        openapi_config=openapi_config(),
        state=State(
            {**pages.get("state", {}), "engine": engine, "settings": settings, "rate_limiter": rate_limiter}
        ),
        request_max_body_size=settings.max_body_bytes,
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024, gzip_compress_level=6),
        on_startup=[_start],
        on_shutdown=[_dispose],
        before_send=[security_headers_hook(https=settings.cookie_secure)],
        response_headers=None,
        debug=False,
        logging_config=None,
    )
    if settings.access_log:
        # Around the whole application, so that a request no route matched is logged too.
        app.asgi_handler = access_log(app.asgi_handler)
    return app


__all__ = ["MediaType", "create_app"]
