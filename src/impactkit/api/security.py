"""Security headers on every response: a strict Content-Security-Policy and its companions.

Every answer of the app — pages, API, static files, errors, 404s — carries the headers of
:data:`SECURITY_HEADERS`, added by :func:`add_security_headers` (a ``before_send`` hook of the
app, so nothing routed or unrouted escapes it). A route that sets one of these headers itself
keeps its own value: an attachment served to members may, for example, send a stricter
``Content-Security-Policy: sandbox``.

What the policy means for pages (the rules every template and script keeps):

- scripts and styles come only from our own static files: no inline ``<script>``, no
  ``<style>`` block, no ``style="…"`` attribute, no ``on…=`` handler, no ``javascript:`` URL,
  no ``eval``; setting ``element.style`` from a static script is allowed (it is not inline);
- images from our own origin and ``data:`` URLs; nothing from any other origin (no CDN);
- forms post only to our own origin; no page may be framed (``frame-ancestors 'none'`` and
  ``X-Frame-Options: DENY``), no ``<base>``, no plugins;
- the referrer is never sent (survey links carry their token in the address).

    >>> "frame-ancestors 'none'" in SECURITY_HEADERS["content-security-policy"]
    True
"""

from __future__ import annotations

from typing import Any

from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""The policy every page must satisfy (tested in real Chromium: no violation on any page)."""

PERMISSIONS_POLICY = ", ".join(
    [
        "accelerometer=()",
        "autoplay=()",
        "camera=()",
        "display-capture=()",
        "geolocation=(self)",  # geopoint questions on the respondent page
        "gyroscope=()",
        "magnetometer=()",
        "microphone=()",
        "midi=()",
        "payment=()",
        "usb=()",
    ]
)
"""Browser features a page may use: only geolocation, only for our own pages."""

SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "permissions-policy": PERMISSIONS_POLICY,
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
"""Header name (lower case) -> value, sent with every response."""

HSTS = "max-age=31536000; includeSubDomains"
"""Strict-Transport-Security, sent when the instance is served over HTTPS (secure cookies on)."""


def security_headers(*, https: bool) -> dict[str, str]:
    """The headers to send: :data:`SECURITY_HEADERS`, and HSTS when served over HTTPS."""
    headers = dict(SECURITY_HEADERS)
    if https:
        headers["strict-transport-security"] = HSTS
    return headers


def security_headers_hook(*, https: bool) -> Any:
    """A ``before_send`` hook adding :func:`security_headers` to every response that lacks them."""
    wanted = [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, value in security_headers(https=https).items()
    ]

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = list(message.get("headers") or ())
        present = {bytes(name).lower() for name, _ in headers}
        headers.extend(header for header in wanted if header[0] not in present)
        message["headers"] = headers

    return add_security_headers


__all__ = [
    "CONTENT_SECURITY_POLICY",
    "HSTS",
    "PERMISSIONS_POLICY",
    "SECURITY_HEADERS",
    "security_headers",
    "security_headers_hook",
]
