"""Every page in real Chromium under the strict Content-Security-Policy: not one violation.

A real ``impactkit serve`` with the demo data. Chromium signs in as each demo persona and walks
every page it can reach by following same-origin links from the start page (downloads and
sign-out aside), plus the pages no link leads to: the respondent page with its answers sent,
the thank-you page, an unknown link, a 404 and the API documentation. On every page it records
the ``securitypolicyviolation`` events and the console's CSP messages; the test fails on any,
naming the page and the blocked directive. Pages added later are walked without a change here,
as long as a link leads to them.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from impactkit.demo import DEMO_PASSWORD, load_demo, load_demo_link, load_demo_report, load_demo_responses
from impactkit.store import migrate
from impactkit.store.db import make_engine, session_scope
from impactkit.store.surveys import publish_shipped_forms
from tests.conftest import free_port
from tests.reliability.loadclient import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

PERSONAS = [
    "owner@coop-aurora.demo",
    "evaluator@demo.impactkit.org",
    "funder@fondazione.demo",
    "admin@demo.impactkit.org",
]
MAX_PAGES_PER_PERSONA = 40
SKIPPED = re.compile(r"(\.xlsx|\.csv|\.json|\.pdf|\.docx|\.zip)(\?|$)|/signout|/export|/download")

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + (event.sourceFile || "?") + ":" + event.lineNumber + " " + (event.sample || "")
  );
});
"""


@dataclass
class Served:
    server: ServerProcess
    survey_token: str


@dataclass
class Walk:
    visited: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    missing_headers: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("csp")
    url = f"sqlite:///{folder / 'impactkit.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_scope(engine) as session:
        publish_shipped_forms(session)
    load_demo(engine, "reliability-secret")
    load_demo_responses(engine)
    load_demo_report(engine)
    token = load_demo_link(engine, "reliability-secret")
    engine.dispose()
    server = ServerProcess(url, free_port(), folder / "data").start()
    try:
        yield Served(server, token)
    finally:
        server.kill()


def _watch(context: Any, walk: Walk) -> Any:
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            walk.violations.append(f"{page.url}: console: {message.text[:300]}")

    page.on("console", on_console)
    return page


def _visit(page: Any, url: str, walk: Walk) -> None:
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    walk.visited.append(url)
    if response is not None and "content-security-policy" not in response.headers:
        walk.missing_headers.append(url)
    _collect(page, walk)


def _collect(page: Any, walk: Walk) -> None:
    for violation in page.evaluate("window.__cspViolations || []"):
        walk.violations.append(f"{page.url}: {violation}")
    page.evaluate("window.__cspViolations = []")


def _crawl(page: Any, start: str, base: str, walk: Walk) -> None:
    queue: deque[str] = deque([start])
    seen: set[str] = {start}
    count = 0
    while queue and count < MAX_PAGES_PER_PERSONA:
        url = queue.popleft()
        _visit(page, url, walk)
        count += 1
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urljoin(page.url, href).split("#")[0]
            parts = urlsplit(target)
            if f"{parts.scheme}://{parts.netloc}" != base or SKIPPED.search(target) or target in seen:
                continue
            seen.add(target)
            queue.append(target)


def test_no_page_violates_the_content_security_policy(
    served: Served, new_context: Callable[..., Any]
) -> None:
    base = served.server.base_url
    walk = Walk()

    visitor = _watch(new_context(phone=True), walk)
    for path in ["/", "/signin", "/signin?lang=en", "/s/unknown-link", "/no-such-page", "/schema/swagger"]:
        _visit(visitor, base + path, walk)
    assert visitor.locator(".swagger-ui").count() == 1, "the API documentation did not start"

    # the respondent: open the survey, send it empty (errors shown), then the thank-you page
    _visit(visitor, f"{base}/s/{served.survey_token}", walk)
    visitor.click("form#survey #send")
    visitor.wait_for_load_state("networkidle")
    _collect(visitor, walk)
    _visit(visitor, f"{base}/s/{served.survey_token}/done?status=stored", walk)

    for email in PERSONAS:
        page = _watch(new_context(phone=False), walk)
        page.goto(f"{base}/signin?lang=en")
        page.fill("#email", email)
        page.fill("#password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        _collect(page, walk)
        _crawl(page, f"{base}/app", base, walk)

    print(f"\nCSP walk: {len(walk.visited)} page loads, {len(set(walk.visited))} distinct pages")
    assert len(set(walk.visited)) >= 15, walk.visited
    assert not walk.missing_headers, walk.missing_headers
    assert not walk.violations, "\n".join(walk.violations)
