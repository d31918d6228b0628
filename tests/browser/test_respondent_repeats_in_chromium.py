"""A family answers a household survey on a phone in real Chromium: entries added and removed (the
page asks before removing), a child's question appears as the age is typed, the phone's location
fills the location question, opening the link again brings back the entries added and their
answers, and the response is stored once, with the answers of every entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from impactkit.store.tables import SurveyResponse
from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import LiveServer
from tests.integration.pages.test_respondent_repeats import HOUSEHOLD, SETTINGS, link_for

pytestmark = pytest.mark.browser


def _visible(page: Any, name: str) -> bool:
    return bool(page.locator(f'[data-name="{name}"]').is_visible())


def test_a_household_is_answered_on_a_phone_with_javascript(
    live_server: LiveServer, new_context: Callable[..., Any]
) -> None:
    link = link_for(live_server, HOUSEHOLD, SETTINGS)
    context = new_context(permissions=["geolocation"], geolocation={"latitude": 45.0703, "longitude": 7.6869})
    page = context.new_page()
    page.goto(f"{live_server.base_url}/s/{link.token}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "fits a phone"
    assert page.locator("fieldset.entry").count() == 1

    page.fill('[name="member/0/member_name"]', "Ana")
    page.fill('[name="member/0/member_age"]', "34")
    page.press('[name="member/0/member_age"]', "Enter")  # the keyboard's Go: sends, never adds an entry
    page.wait_for_selector("#e-head")  # the head of household is required
    assert page.locator("fieldset.entry").count() == 1
    page.click('button[name="_ik_add"][value="member"]')
    page.wait_for_selector('[name="member/1/member_name"]')
    assert page.evaluate("document.activeElement.name") == "member/1/member_name"
    page.fill('[name="member/1/member_name"]', "Bia")
    page.fill('[name="member/1/member_age"]', "7")
    assert _visible(page, "member/1/school"), "a child's school is asked at once"
    assert not _visible(page, "member/0/school")
    page.fill('[name="member/1/school"]', "Rodari")
    page.click('button[name="_ik_add"][value="member"]')
    page.wait_for_selector('[name="member/2/member_name"]')
    page.fill('[name="member/2/member_name"]', "Zoe")
    screenshot(page, "respondent-repeat-1-entries")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click('button[name="_ik_remove"][value="member/2"]')
    page.wait_for_selector("#notice")
    assert page.locator("fieldset.entry").count() == 2
    assert page.locator('[name="member/1/school"]').input_value() == "Rodari"

    page.click("button.locate")
    expect(page.locator("#f-home")).not_to_have_value("")
    assert page.locator("#f-home").input_value().startswith("45.0703 7.6869")
    page.fill("#f-n_visits", "1")

    page.goto(f"{live_server.base_url}/s/{link.token}")  # opened again: entries and answers come back
    page.wait_for_selector('[name="member/1/school"]')
    assert page.locator('[name="member/1/member_name"]').input_value() == "Bia"
    assert page.locator("#f-n_visits").input_value() == "1"

    page.click("#send")
    page.wait_for_selector('[name="visit/0/visit_day"]')  # the count of visits gave one entry
    page.check('input[name="head"][value="Ana"]')
    page.fill('[name="visit/0/visit_day"]', "2026-03-01")
    screenshot(page, "respondent-repeat-2-visits")
    assert_accessible(page, "household survey")
    page.click("#send")
    page.wait_for_url("**/done?**")
    with Session(live_server.engine) as session:
        [row] = session.exec(select(SurveyResponse)).all()
    assert row.answers is not None
    assert row.answers["member"] == [
        {"member_name": "Ana", "member_age": 34},
        {"member_name": "Bia", "member_age": 7, "school": "Rodari"},
    ]
    assert row.answers["head"] == "Ana"
    assert row.answers["home"].startswith("45.0703 7.6869 ")
    assert row.answers["visit"] == [{"visit_day": "2026-03-01"}]
