"""The interactive API documentation page (Swagger UI), served by us and within the strict CSP.

Litestar's own Swagger page writes its start-up code and a style block inline and loads a
favicon from a CDN; this one loads the bundled Swagger UI and a small static start-up script
(``/static/pages/api-docs.js``), which reads the document's address from the page.
"""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request, Router
from litestar.openapi.plugins import SwaggerRenderPlugin


class ApiDocsPage(SwaggerRenderPlugin):
    """Swagger UI from our own static files, started by a static script (no inline code)."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema.get("info", {}).get("title", "API")))
        spec_url = escape(self.get_openapi_json_route(request))
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}</title>\n"
            '<link rel="icon" href="data:,">\n'
            f'<link rel="stylesheet" href="{escape(self.css_url)}">\n'
            '<link rel="stylesheet" href="/static/pages/api-docs.css">\n'
            "</head>\n<body>\n"
            f'<div id="swagger-container" data-spec-url="{spec_url}"></div>\n'
            f'<script src="{escape(self.js_url)}"></script>\n'
            f'<script src="{escape(self.standalone_preset_js_url)}"></script>\n'
            '<script src="/static/pages/api-docs.js"></script>\n'
            "</body>\n</html>\n"
        ).encode()

    def receive_router(self, router: Router) -> None:
        """No OAuth2 redirect page: the API authenticates with bearer tokens only."""
        return


__all__ = ["ApiDocsPage"]
