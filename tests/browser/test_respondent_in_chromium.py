"""A beneficiary answers the shipped survey on a phone in real Chromium: with JavaScript, without it,
and through a dropped connection; the organisation's dashboard counts the response once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, select

from impactkit.store.tables import SurveyResponse
from tests.browser.conftest import screenshot
from tests.conftest import LiveServer
from tests.integration.pages.web import PASSWORD, WebWorld, build_web_world

pytestmark = pytest.mark.browser

PAGE_WEIGHT_LIMIT = 50 * 1024
"""Bytes a respondent may download for the 20-question survey with an empty cache (issue 7)."""


def _stored(live_server: LiveServer) -> list[SurveyResponse]:
    with Session(live_server.engine) as session:
        return list(session.exec(select(SurveyResponse)).all())


def _visible(page: Any, name: str) -> bool:
    return bool(page.locator(f'[data-name="{name}"]').is_visible())


def _fill_first_part(page: Any, age: str) -> None:
    page.check('input[name="consent"][value="yes"]')
    page.fill("#f-respondent_code", "TO-0042")
    page.check('input[name="gender"][value="female"]')
    page.fill("#f-age", age)
    page.check('input[name="territory_type"][value="mountain"]')
    page.check('input[name="vulnerable_conditions"][value="unemployment"]')
    page.check('input[name="vulnerable_conditions"][value="low_income"]')


def _fill_second_part(page: Any) -> None:
    page.check('input[name="employment_status"][value="unemployed"]')
    page.fill("#f-months_unemployed", "8")
    for name, value in (
        ("wellbeing", "4"),
        ("autonomy", "3"),
        ("social_connections", "4"),
        ("satisfaction", "5"),
    ):
        page.check(f'input[name="{name}"][value="{value}"]')
    page.check('input[name="would_recommend"][value="yes"]')


def _check_stored_once(live_server: LiveServer, web: WebWorld) -> SurveyResponse:
    [row] = _stored(live_server)
    assert row.answers is not None
    assert row.answers["age"] == 34
    assert row.answers["months_unemployed"] == 8
    assert row.answers["respondent_code"] == "TO-0042"
    assert sorted(row.answers["vulnerable_conditions"]) == ["low_income", "unemployment"]
    assert row.project_id == web.world.project_a
    return row


def _send_twice(page: Any) -> list[int]:
    """Let the next form post reach the server twice, as a browser retrying it would."""
    statuses: list[int] = []

    def twice(route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        statuses.append(route.fetch(max_redirects=0).status)
        route.continue_()

    page.route("**/s/*", twice)
    return statuses


def _dashboard_counts(
    live_server: LiveServer, web: WebWorld, new_context: Callable[..., Any], name: str
) -> None:
    staff = new_context(phone=False).new_page()
    staff.goto(f"{live_server.base_url}/app/projects/{web.world.project_a}")
    assert "/signin" in staff.url, "the dashboard needs a signed-in user"
    staff.fill("#email", "owner_a@example.org")
    staff.fill("#password", PASSWORD)
    staff.click("button[type=submit]")
    staff.wait_for_url(f"**/app/projects/{web.world.project_a}")
    assert staff.locator("#response-total").inner_text() == "1"
    assert staff.locator('svg.chart rect[data-count="1"]').count() == 1
    screenshot(staff, name)


def test_a_respondent_on_a_phone_answers_with_javascript(
    live_server: LiveServer, new_context: Callable[..., Any]
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    page = new_context().new_page()
    page.goto(f"{live_server.base_url}/s/{web.token}")
    assert page.locator("html").get_attribute("lang") == "it"
    assert _visible(page, "consent") and not _visible(page, "age")
    screenshot(page, "respondent-js-1-consent")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "fits a phone: no sideways scroll"

    _fill_first_part(page, age="7")
    assert _visible(page, "age"), "consenting shows the questions at once"
    assert not _visible(page, "months_unemployed")
    _fill_second_part(page)
    assert _visible(page, "months_unemployed"), "being unemployed opens the question about months"
    screenshot(page, "respondent-js-2-filled")

    page.click("#send")
    page.wait_for_selector("#e-age")
    assert "L'età deve essere compresa tra 14 e 110 anni." in page.locator("#e-age").inner_text()
    assert page.locator("#f-age").get_attribute("aria-invalid") == "true"
    assert _stored(live_server) == []
    screenshot(page, "respondent-js-3-constraint-error")

    page.fill("#f-age", "34")
    statuses = _send_twice(page)
    page.click("#send")
    page.wait_for_url("**/done?**")
    assert statuses == [303], "the first post reached the server and was stored"
    assert "già state registrate" in page.locator("#done").inner_text(), "the second post was told so"
    screenshot(page, "respondent-js-4-thank-you")
    _check_stored_once(live_server, web)
    assert page.evaluate(f"localStorage.getItem('ik-survey:{web.token}')") is None

    _dashboard_counts(live_server, web, new_context, "organisation-project-dashboard")


def test_a_respondent_on_a_phone_answers_without_javascript(
    live_server: LiveServer, new_context: Callable[..., Any]
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    page = new_context(javascript=False).new_page()
    page.goto(f"{live_server.base_url}/s/{web.token}?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert _visible(page, "consent") and not _visible(page, "age")
    screenshot(page, "respondent-nojs-1-consent")

    page.check('input[name="consent"][value="yes"]')
    page.click("#send")
    page.wait_for_selector("#f-age")
    assert _visible(page, "age") and not _visible(page, "months_unemployed")
    assert "There are more questions below" in page.content()
    screenshot(page, "respondent-nojs-2-next-step")

    _fill_first_part(page, age="7")
    page.check('input[name="employment_status"][value="unemployed"]')
    page.click("#send")
    page.wait_for_selector('[data-name="months_unemployed"]:not([hidden])')
    assert _visible(page, "months_unemployed"), "the server opened the branch"
    _fill_second_part(page)
    page.click("#send")
    page.wait_for_selector("#e-age")
    assert page.locator("#e-age").inner_text() == "Age must be between 14 and 110 years."
    screenshot(page, "respondent-nojs-3-constraint-error")

    page.fill("#f-age", "34")
    statuses = _send_twice(page)
    page.click("#send")
    page.wait_for_url("**/done?**")
    assert statuses == [303]
    assert "already been recorded" in page.locator("#done").inner_text()
    screenshot(page, "respondent-nojs-4-thank-you")
    _check_stored_once(live_server, web)

    _dashboard_counts(live_server, web, new_context, "organisation-project-dashboard-nojs")


def test_answers_survive_a_reload_and_a_dropped_connection(
    live_server: LiveServer, new_context: Callable[..., Any]
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    context = new_context()
    page = context.new_page()
    url = f"{live_server.base_url}/s/{web.token}"
    page.goto(url)
    instance_id = page.locator('input[name="_ik_instance"]').input_value()
    _fill_first_part(page, age="34")

    page.reload()
    assert page.locator("#restored").is_visible()
    assert page.locator("#f-respondent_code").input_value() == "TO-0042"
    assert page.locator("#f-age").input_value() == "34"
    assert page.locator('input[name="vulnerable_conditions"][value="low_income"]').is_checked()
    assert page.locator('input[name="_ik_instance"]').input_value() == instance_id, "the same response"
    screenshot(page, "respondent-offline-1-restored")

    context.set_offline(True)
    _fill_second_part(page)
    page.click("#send")
    assert page.locator("#offline").is_visible()
    screenshot(page, "respondent-offline-2-waiting")
    assert _stored(live_server) == []

    context.set_offline(False)
    page.wait_for_url("**/done?**")
    assert "sono state registrate" in page.locator("#done").inner_text()
    row = _check_stored_once(live_server, web)
    assert row.instance_id == instance_id


def test_the_respondent_page_weighs_under_50_kb(
    live_server: LiveServer, new_context: Callable[..., Any]
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    page = new_context().new_page()
    finished: list[Any] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(f"{live_server.base_url}/s/{web.token}", wait_until="networkidle")
    transferred = 0
    for request in finished:
        sizes = request.sizes()
        transferred += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    questions = page.locator(".q[data-name]").count()
    print(
        f"\nrespondent page: {transferred} bytes transferred in {len(finished)} requests "
        f"({questions} questions)"
    )
    assert questions >= 20
    assert transferred <= PAGE_WEIGHT_LIMIT


def test_the_survey_works_with_the_keyboard_and_every_input_has_a_label(
    live_server: LiveServer, new_context: Callable[..., Any]
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    page = new_context(phone=False).new_page()
    page.goto(f"{live_server.base_url}/s/{web.token}")
    unlabelled = page.evaluate(
        """Array.from(document.querySelectorAll('input:not([type=hidden]), textarea, select'))
             .filter(e => e.labels.length === 0).map(e => e.name)"""
    )
    assert unlabelled == []
    choice_groups = page.locator("fieldset.q")
    assert choice_groups.count() == 11, "the 11 select questions of the beneficiary survey are fieldsets"
    assert page.locator("fieldset.q > legend").count() == 11

    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "consent":
            break
    assert page.evaluate("document.activeElement.name") == "consent", "the first question is reached by Tab"
    page.keyboard.press("Space")
    assert page.locator('input[name="consent"][value="yes"]').is_checked()
    assert _visible(page, "respondent_code")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-respondent_code"
    page.keyboard.type("TO-0042")
    assert page.locator("#f-respondent_code").input_value() == "TO-0042"
    screenshot(page, "respondent-keyboard")
