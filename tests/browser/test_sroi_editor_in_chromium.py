"""The evaluator's SROI editor in real Chromium: case A of the reference figures built from scratch,
a proxy changed, sensitivity and Monte Carlo, the value map saved; validation stopped by a failing
check until it is justified; the funder then sees the grant's target met and the amount payable in
the portfolio page and workbook. Screenshots go to docs/images/ when IMPACTKIT_DOC_SCREENSHOTS is set."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from impactkit.store import admin as svc
from impactkit.store import reports
from impactkit.store import schemas as s
from impactkit.store.db import session_scope
from impactkit.store.tables import User
from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import LiveServer
from tests.integration.pages.web import PASSWORD, build_web_world, collect_responses, store_self_report

pytestmark = pytest.mark.browser
DOC_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def _picture(page: Any, name: str) -> None:
    screenshot(page, name)
    if os.environ.get("IMPACTKIT_DOC_SCREENSHOTS"):
        page.screenshot(path=str(DOC_IMAGES / f"{name}.png"), full_page=True)


def _sign_in(page: Any, base_url: str, email: str, lang: str = "it") -> None:
    page.goto(f"{base_url}/signin?lang={lang}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/app")


def _report_without_a_map(live_server: LiveServer) -> tuple[int, int]:
    """Project A's report with KPIs and no value map, submitted to the evaluator; a grant paying
    1,500 € per work placement beyond none (target 5, cap 6,000 €) from funder A."""
    web = build_web_world(live_server.engine, live_server.settings)
    collect_responses(live_server.engine, web)
    store_self_report(live_server.engine, web)  # states 6 work placements
    world = web.world
    with session_scope(live_server.engine) as session:
        svc.create_grant(
            session,
            world.funder_a,
            s.GrantIn(
                organisation_id=world.org_a,
                project_id=world.project_a,
                title="Lavoro e autonomia",
                amount=60000,
                outcome_based=True,
                targets=[
                    s.GrantTarget(
                        indicator_id="work_placements_disadvantaged",
                        target=5,
                        price_per_unit=1500,
                        cap=6000,
                        validation_method="Placement contracts checked by the evaluator",
                    )
                ],
            ),
        )
        from impactkit.api.access import load_principal

        editor = session.get(User, world.users["editor_a"])
        assert editor is not None
        principal = load_principal(session, editor)
        report = reports.create_report(session, principal, world.project_a, world.period_a, language="it")
        reports.submit_report(session, principal, report, world.users["evaluator"])
        assert report.id is not None
        return report.id, world.funder_a


def _ratio(page: Any, expected: str) -> None:
    page.wait_for_function(
        "(text) => document.querySelector('#sroi-ratio-exact') && "
        "document.querySelector('#sroi-ratio-exact').textContent.trim() === text",
        arg=expected,
    )


def test_an_evaluator_builds_case_a_validates_and_the_funder_sees_the_payment(
    live_server: LiveServer, new_context: Callable[..., Any]
) -> None:
    report_id, funder_id = _report_without_a_map(live_server)
    base = live_server.base_url
    page = new_context(phone=False).new_page()
    _sign_in(page, base, "evaluator@example.org")
    page.goto(f"{base}/app/evaluator/reports/{report_id}")
    page.click("#open-sroi-editor")
    page.wait_for_url(f"**/app/evaluator/reports/{report_id}/sroi")
    assert page.locator("#sroi-start").is_visible()
    _picture(page, "sroi-editor-start")
    page.click("#start-scratch")
    page.wait_for_selector("#sroi-editor")

    # Case A, typed as an Italian evaluator types it
    page.fill("#f-name", "Caso A")
    page.fill("#f-s0_name", "Giovani")
    page.fill("#f-i0_description", "Contributo del programma")
    page.fill("#f-i0_amount", "20.000")
    page.fill("#f-o0_name", "Lavoro stabile")
    page.fill("#f-o0_stakeholder", "Giovani")
    page.fill("#f-o0_indicator", "Partecipanti con un lavoro a 6 mesi")
    page.fill("#f-o0_quantity", "50")
    page.fill("#f-o0_proxy", "1000")
    page.fill("#f-o0_proxy_source", "Proxy illustrativo del caso di riferimento")
    page.fill("#f-o0_deadweight", "20")
    page.fill("#f-o0_attribution", "25")
    page.fill("#f-o0_drop_off", "10")
    page.fill("#f-o0_duration", "3")
    _ratio(page, "3,8054 : 1")  # the published ratio of case A, computed as it was typed
    assert page.locator("#sroi-payback").inner_text().startswith("8,0 mesi")
    assert "76.108" in page.locator("#sroi-present-value").inner_text()

    # a proxy changed: the ratio moves while typing
    page.fill("#f-o0_proxy", "1200")
    _ratio(page, "4,5665 : 1")
    page.fill("#f-o0_proxy", "1000")
    _ratio(page, "3,8054 : 1")
    # a convention changed: without discounting of the first year the ratio rises
    page.select_option("#f-c_discount_first_year", "no")
    page.wait_for_function(
        "() => document.querySelector('#sroi-ratio-exact').textContent.trim() !== '3,8054 : 1'"
    )
    page.select_option("#f-c_discount_first_year", "yes")
    _ratio(page, "3,8054 : 1")

    # sensitivity: the tornado and the proxy that brings the ratio to 1:1
    page.click("#run-sensitivity")
    page.wait_for_selector("#sensitivity-table")
    assert page.locator("#sensitivity svg rect").count() >= 4
    assert "262,79" in page.locator("#sensitivity-table").inner_text()
    # Monte Carlo: a triangular proxy, 10,000 draws, the ratio's histogram and P(ratio < 1)
    page.click("#uncertainty-0 summary")
    page.select_option("#f-o0_d_proxy_kind", "triangular")
    page.fill("#f-o0_d_proxy_low", "200")
    page.fill("#f-o0_d_proxy_mode", "1000")
    page.fill("#f-o0_d_proxy_high", "1300")
    page.click("#run-montecarlo")
    page.wait_for_selector("#montecarlo-histogram")
    assert page.locator("#sensitivity-table").is_visible(), "the tornado stays on the page"
    assert page.locator("#montecarlo-histogram rect").count() >= 10
    below = float(page.locator("#mc-below-one").inner_text().replace("%", "").replace(",", ".").strip())
    assert 0 < below < 20, "a proxy as low as 200 takes some draws below 1:1"
    _ratio(page, "3,8054 : 1")
    _picture(page, "sroi-editor")
    assert_accessible(page, "SROI editor")
    page.fill("#f-note", "Caso A con incertezza sul proxy")
    page.click("#save-version")
    page.wait_for_url("**done=value_map_saved**")
    assert page.locator("#versions-table tbody tr").count() == 1

    # validation: a failing check stops it until it is justified
    page.goto(f"{base}/app/evaluator/reports/{report_id}")
    assert page.locator("#sroi-ratio").inner_text() == "3,81 : 1"
    page.fill("#validate-comments", "Dati completi; proxy con fonte.")
    page.click("#validate-form button[type=submit]")
    page.wait_for_load_state()
    assert "/validate" in page.url and page.locator("#report-state").count() == 0, "stopped"
    _picture(page, "evaluator-validation-stopped")
    page.goto(f"{base}/app/evaluator/reports/{report_id}")
    areas = page.locator("#validate-form textarea[name^=justification__]").all()
    assert areas, "the failing checks ask for a justification"
    for area in areas:
        area.fill("Le sezioni mancanti sono depositate con il bilancio della cooperativa.")
    page.fill("#validate-comments", "Dati completi; proxy con fonte.")
    page.click("#validate-form button[type=submit]")
    page.wait_for_url("**done=report_validated**")
    assert page.locator("#report-state").inner_text() == "validato"
    assert "depositate con il bilancio" in page.locator(".justification").first.inner_text()
    _picture(page, "evaluator-report-validated")

    # the funder: the grant's target met, 6,000 € payable (9,000 before the cap), in page and workbook
    funder = new_context(phone=False, accept_downloads=True).new_page()
    _sign_in(funder, base, "funder_a@example.org")
    funder.goto(f"{base}/app/funder")
    total = funder.locator(f"#payments-total-{funder_id}").inner_text()
    assert "6.000,00" in total and "3.000,00" in total, total
    grantee = funder.locator(f"#payments-table-{funder_id} tr[data-grantee]").first.inner_text()
    assert "6.000,00" in grantee, grantee
    funder.click(".grant-lines summary")
    line = funder.locator(".grant-lines tr[data-source=grant]").first.inner_text()
    assert "Lavoro e autonomia" in line and "sì" in line and "1.500,00" in line, line
    _picture(funder, "funder-portfolio")
    assert_accessible(funder, "funder portfolio")
    with funder.expect_download() as info:
        funder.click(f"#portfolio-{funder_id}")
    path = info.value.path()
    assert path is not None
    sheet = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes()), data_only=True)["Pagamenti per ente"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "Totale del portafoglio")
    assert row[7:9] == (6000, 3000)
    # the validated report in the browser: KPIs, SROI with its uncertainty, checklist with justifications
    funder.goto(f"{base}/app/funder/reports/{report_id}")
    assert funder.locator("#sroi-ratio").inner_text() == "3,81 : 1"
    assert funder.locator("#sroi-uncertainty").is_visible()
    assert "depositate con il bilancio" in funder.locator(".justification").first.inner_text()
    assert funder.locator("[data-check]").count() >= 8
    _picture(funder, "funder-report")
