"""An editor resolves a possible duplicate in real Chromium, in Italian, with the keyboard only: from
the project page to the possible-duplicates page, the answers side by side (axe-core finds no
serious problem), a radio chosen with the space bar, the question asked in place, confirmed with
Enter; the set shows as decided. The page is screenshotted for docs/organisations.md."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import assert_accessible, screenshot, sign_in_page
from tests.conftest import LiveServer
from tests.integration.pages.test_duplicates_page import project_with_a_duplicate
from tests.integration.pages.web import PASSWORD

pytestmark = pytest.mark.browser


def _tab_to(page: Any, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element with ``element_id`` has the focus (as a keyboard user does)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def test_an_editor_chooses_among_duplicates_with_the_keyboard_in_chromium(
    live_server: LiveServer, new_context: Callable[..., Any]
) -> None:
    web, first, _ = project_with_a_duplicate(live_server)
    base = live_server.base_url
    page = new_context(phone=False, viewport={"width": 1100, "height": 900}).new_page()
    sign_in_page(page, base, "editor_a@example.org", PASSWORD, "it")
    page.goto(f"{base}/app/projects/{web.world.project_a}")
    _tab_to(page, "duplicates-tab")
    assert "1 da scegliere" in page.locator("#duplicates-tab").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/app/projects/{web.world.project_a}/duplicates")

    section = page.locator("section.dup-set[data-status=open]")
    assert section.count() == 1
    assert section.locator("tr.differs[data-field=satisfaction]").count() == 1
    assert section.locator("tr.same[data-field=gender]").count() == 1
    assert "diversa" in section.locator("tr.differs[data-field=satisfaction] th").inner_text()
    assert_accessible(page, "possible duplicates, one set open")
    screenshot(page, "duplicates-page-it")

    _tab_to(page, "keep-1-1")
    page.keyboard.press("Space")
    assert page.locator("#keep-1-1").is_checked()
    assert page.locator("#keep-1-1").get_attribute("value") == first
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")

    # htmx brings the question in place and gives it the focus
    page.wait_for_selector("#confirm-question")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'confirm-question'")
    question = page.locator("#confirm-question").inner_text()
    assert question.startswith("Contare questa risposta e lasciare fuori dagli indicatori l'altra?")
    assert page.locator("section.dup-set table.compare").count() == 1, "the answers stay in sight"
    assert_accessible(page, "possible duplicates, the choice asked in place")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "Scelta registrata" in page.locator("#flash").inner_text()
    decided = page.locator("section.dup-set[data-status=decided]")
    assert decided.count() == 1
    assert "Scelto da editor_a il" in decided.locator("p.decided").inner_text()
    assert decided.locator(f"input[value='{first}']").is_checked()
    assert decided.locator("td[data-counts=yes]").count() == 1
    assert page.locator("#none-waiting").count() == 1
    assert_accessible(page, "possible duplicates, decided")
