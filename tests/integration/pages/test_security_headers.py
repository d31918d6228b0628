"""Security headers on every kind of answer, and templates and scripts that the strict CSP allows.

The browser walk (tests/browser/test_csp_in_chromium.py) proves that the pages as rendered
cause no violation; this module checks the headers on answers a browser never renders (API
errors, unrouted paths, static files, downloads) and reads every template and static script
for what the policy forbids, so a new page breaks a fast test, not only the slow walk.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from impactkit.api.security import SECURITY_HEADERS
from tests.conftest import LiveServer

PAGES = Path(__file__).resolve().parents[3] / "src" / "impactkit" / "api"

INLINE = {
    "inline <script> (use a static file with src=)": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style> block": re.compile(r"<style\b", re.I),
    "style= attribute": re.compile(r"\sstyle\s*=", re.I),
    "on…= event handler attribute": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "external URL (serve it ourselves)": re.compile(r"(src|href)\s*=\s*[\"']?(https?:)?//", re.I),
}


def test_every_kind_of_answer_carries_the_security_headers(live_server: LiveServer) -> None:
    anonymous = live_server.client()
    answers = {
        "health": anonymous.get("/health"),
        "API without a token (401)": anonymous.get("/api/v1/me"),
        "unrouted path (404)": anonymous.get("/no/such/path"),
        "wrong method (405)": anonymous.delete("/health"),
        "malformed JSON (400)": anonymous.post(
            "/api/v1/responses", content=b"{", headers={"content-type": "application/json"}
        ),
        "sign-in page": anonymous.get("/signin"),
        "static script": anonymous.get("/static/pages/staff.js"),
        "OpenAPI document": anonymous.get("/schema/openapi.json"),
        "API documentation page": anonymous.get("/schema/swagger"),
        "unknown survey link (404 page)": anonymous.get("/s/not-a-link"),
    }
    for what, answer in answers.items():
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers.get(name) == value, f"{what} ({answer.status_code}): {name}"
        assert "strict-transport-security" not in answer.headers  # plain HTTP here
    assert answers["API documentation page"].status_code == 200
    docs = answers["API documentation page"].text
    assert "<script>" not in docs and "<style" not in docs and "cdn." not in docs


@pytest.mark.parametrize("folder", ["pages/templates", "pages/static"])
def test_templates_and_static_files_keep_to_the_content_security_policy(folder: str) -> None:
    found = []
    for path in sorted((PAGES / folder).rglob("*")):
        if path.suffix not in {".html", ".js", ".css", ".svg"}:
            continue
        text = path.read_text(encoding="utf-8")
        for what, pattern in INLINE.items():
            if path.suffix != ".html" and what != "external URL (serve it ourselves)":
                continue
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(PAGES)}:{line}: {what}: {match.group(0)[:60]}")
    assert not found, "\n".join(found)


def test_https_instances_add_strict_transport_security_and_routes_keep_their_own_policy() -> None:
    import asyncio

    from impactkit.api.security import HSTS, security_headers_hook

    own = (b"content-security-policy", b"sandbox; default-src 'none'")
    message: dict[str, object] = {"type": "http.response.start", "status": 200, "headers": [own]}
    asyncio.run(security_headers_hook(https=True)(message, {}))  # type: ignore[arg-type]
    headers = dict(message["headers"])  # type: ignore[call-overload]
    assert headers[b"strict-transport-security"] == HSTS.encode()
    assert headers[b"content-security-policy"] == own[1]
    assert headers[b"x-frame-options"] == b"DENY"
