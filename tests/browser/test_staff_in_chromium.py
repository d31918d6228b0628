"""Staff in real Chromium: an evaluator validates a report, a funder downloads it; every page photographed."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import LiveServer
from tests.integration.pages.web import (
    PASSWORD,
    build_web_world,
    collect_responses,
    store_self_report,
    submitted_report,
)

pytestmark = pytest.mark.browser


def _sign_in(page: Any, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/signin?lang=en")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/app")


def test_an_evaluator_validates_a_report_and_the_funder_downloads_it(
    live_server: LiveServer, new_context: Callable[..., Any]
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    collect_responses(live_server.engine, web)
    store_self_report(live_server.engine, web)
    report_id = submitted_report(live_server.engine, web)
    base = live_server.base_url

    evaluator = new_context(phone=False).new_page()
    _sign_in(evaluator, base, "evaluator@example.org")
    screenshot(evaluator, "evaluator-home")
    evaluator.click("text=Evaluator area")
    evaluator.wait_for_url("**/app/evaluator")
    screenshot(evaluator, "evaluator-reports")
    evaluator.click(f'tr[data-report-id="{report_id}"] a')
    evaluator.wait_for_url(f"**/app/evaluator/reports/{report_id}")
    assert evaluator.locator("#report-state").inner_text() == "submitted"
    assert evaluator.locator("#sroi-ratio").inner_text() == "3.81 : 1"
    assert evaluator.locator("#tornado svg rect").count() >= 2
    assert evaluator.locator("[data-check]").count() >= 8
    screenshot(evaluator, "evaluator-report-submitted")
    assert_accessible(evaluator, "evaluator report")
    for area in evaluator.locator("#validate-form textarea[name^=justification__]").all():
        area.fill("The missing sections are filed with the annual accounts.")
    evaluator.fill("#validate-comments", "Data complete; proxies sourced.")
    evaluator.click("#validate-form button[type=submit]")
    evaluator.wait_for_url("**done=report_validated**")
    assert evaluator.locator("#report-state").inner_text() == "validated"
    assert evaluator.locator("#stamp").is_visible()
    screenshot(evaluator, "evaluator-report-validated")

    funder = new_context(phone=False, accept_downloads=True).new_page()
    _sign_in(funder, base, "funder_a@example.org")
    funder.click("text=Funder area")
    funder.wait_for_url("**/app/funder")
    screenshot(funder, "funder-home")
    assert_accessible(funder, "funder home")
    with funder.expect_download() as info:
        funder.click(f'tr[data-report-id="{report_id}"] a.download')
    download = info.value
    assert download.suggested_filename.endswith("-validated.xlsx")
    path = download.path()
    assert path is not None
    workbook = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes()), read_only=True)
    assert len(workbook.sheetnames) >= 4
    workbook.close()
    with funder.expect_download() as portfolio:
        funder.click(f"#portfolio-{web.world.funder_a}")
    assert portfolio.value.suggested_filename == f"portfolio-{web.world.funder_a}.xlsx"
    funder.click(f'tr[data-report-id="{report_id}"] td a >> nth=0')
    funder.wait_for_url(f"**/app/funder/reports/{report_id}")
    screenshot(funder, "funder-report")


def test_every_organisation_page_in_a_phone_and_a_desktop_browser(
    live_server: LiveServer, new_context: Callable[..., Any]
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    collect_responses(live_server.engine, web)
    base = live_server.base_url
    for device, phone in (("desktop", False), ("phone", True)):
        page = new_context(phone=phone).new_page()
        page.goto(f"{base}/signin")
        screenshot(page, f"{device}-signin")
        assert_accessible(page, f"{device} sign-in")
        page.fill("#email", "owner_a@example.org")
        page.fill("#password", "wrong password")
        page.click("button[type=submit]")
        assert page.locator("#signin-error").is_visible()
        screenshot(page, f"{device}-signin-error")
        _sign_in(page, base, "owner_a@example.org")
        screenshot(page, f"{device}-home")
        assert_accessible(page, f"{device} home")
        page.click("text=Cooperativa A")
        screenshot(page, f"{device}-organisation")
        assert_accessible(page, f"{device} organisation")
        page.click("text=Project a")
        page.wait_for_url(f"**/app/projects/{web.world.project_a}")
        assert page.locator("#response-total").inner_text() == "12"
        if not phone:
            page.fill("#label", "Endline autumn")
            page.select_option("#wave", "endline")
            page.click("#new-link button[type=submit]")
            page.wait_for_url("**done=link_created**")
            assert page.locator("td:text-is(\"Endline autumn\")").is_visible()
        screenshot(page, f"{device}-project")
        assert_accessible(page, f"{device} project")
        width = 390 if phone else 1280
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (
            "no sideways scroll of the page"
        )

    closed = new_context().new_page()
    closed.goto(f"{base}/s/not-a-token")
    screenshot(closed, "respondent-unknown-link")
