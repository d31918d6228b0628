"""A respondent on a phone answers a photo question in real Chromium, with JavaScript and without:
a file that is not a photo is refused next to its question, a photo is sent and kept once, and the
page raises no content-security-policy violation on the way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from impactkit.store.tables import ResponseAttachment, SurveyResponse
from tests.browser.conftest import screenshot
from tests.conftest import LiveServer
from tests.integration.pages.test_respondent_files import SETTINGS, VISIT, YES_NO
from tests.integration.pages.test_respondent_repeats import link_for
from tests.odk import TINY_JPEG

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline"));
});
"""


def _watched_page(context: Any) -> tuple[Any, list[str]]:
    violations: list[str] = []
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page, violations


def _violations(page: Any, seen: list[str]) -> list[str]:
    return seen + list(page.evaluate("window.__cspViolations || []"))


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_respondent_sends_a_photo_from_a_phone(
    live_server: LiveServer, new_context: Callable[..., Any], tmp_path: Path, javascript: bool
) -> None:
    link = link_for(live_server, VISIT, SETTINGS, YES_NO)
    page, violations = _watched_page(new_context(javascript=javascript))
    page.goto(f"{live_server.base_url}/s/{link.token}")
    assert page.locator("#f-portrait").get_attribute("type") == "file"
    assert page.locator("#f-portrait").get_attribute("accept") == "image/*"
    assert page.locator("#survey").get_attribute("enctype") == "multipart/form-data"

    not_a_photo = tmp_path / "foto.jpg"
    not_a_photo.write_bytes(b"MZ\x90\x00 a program renamed as a photo")
    page.fill("#f-visitor", "Ada")
    page.set_input_files("#f-portrait", str(not_a_photo))
    page.click("#send")
    page.wait_for_selector("#e-portrait")
    assert "Il file «foto.jpg» non è una foto" in page.locator("#e-portrait").inner_text()
    assert page.locator("#f-portrait").get_attribute("aria-invalid") == "true"
    assert page.input_value("#f-visitor") == "Ada", "the other answers are kept"
    screenshot(page, f"respondent-file-refused-{'js' if javascript else 'nojs'}")

    photo = tmp_path / "casa.jpg"
    photo.write_bytes(TINY_JPEG)
    page.set_input_files("#f-portrait", str(photo))
    page.click("#send")
    page.wait_for_url("**/done?**")
    assert "Grazie" in page.locator("main").inner_text()
    with Session(live_server.engine) as session:
        [row] = session.execute(select(SurveyResponse)).scalars().all()
        [attachment] = session.execute(select(ResponseAttachment)).scalars().all()
    assert row.answers is not None and row.answers["portrait"] == attachment.filename
    assert (attachment.field, attachment.content_type, attachment.size) == (
        "portrait",
        "image/jpeg",
        len(TINY_JPEG),
    )
    assert _violations(page, violations) == []
