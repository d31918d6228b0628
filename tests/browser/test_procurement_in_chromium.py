"""Social procurement in real Chromium, on SQLite and PostgreSQL: the authority creates a tender in
its form, one bidder answers in the browser and another uploads the bid workbook, the authority
sees both scored side by side and awards; the winner reports two periods with evidence and submits
them; an accredited evaluator verifies both; the authority's workbook, recalculated by LibreOffice,
equals the engine. No CSP violation, no serious accessibility problem on the way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from impactkit.procurement import across_contracts, make_terms, score_bids
from impactkit.procurement._workbook import ContractView
from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import LiveServer
from tests.integration.pages.web import PASSWORD
from tests.integration.procurement.helpers import BID_A, BID_B, PDF, TENDER, filled_template, story
from tests.unit.reports.helpers import recalculate, soffice

pytestmark = pytest.mark.browser
__all__ = ["soffice"]

WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""
PERIODS = [
    (
        "2026 H1",
        "2026-01-01",
        "2026-06-30",
        {"local_employment_disadvantaged": "1", "training_hours_youth": "90", "volunteering_hours": "120"},
    ),
    (
        "2026 H2",
        "2026-07-01",
        "2026-12-31",
        {"local_employment_disadvantaged": "1", "training_hours_youth": "120", "volunteering_hours": "60,5"},
    ),
]


def _sign_in(context: Any, base_url: str, email: str) -> Any:
    page = context.new_page()
    page.add_init_script(WATCH_CSP)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base_url}/signin?lang=it")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/app")
    return page


def _no_csp_violation(page: Any, where: str) -> None:
    assert page.evaluate("window.__csp || []") == [], where


def test_tender_to_verified_delivery_in_chromium(
    live_server: LiveServer, new_context: Callable[..., Any], soffice: str, tmp_path: Path
) -> None:
    s = story(live_server)
    base = live_server.base_url

    # the authority creates the tender in its form
    officer = _sign_in(new_context(phone=False), base, "officer@comune.example.org")
    officer.goto(f"{base}/app/procurement")
    officer.click(f"#new-tender-{s.authority_id}")
    officer.fill("#f-title", TENDER["title"])
    for line in TENDER["measures"]:
        measure_id = line["measure_id"]
        officer.check(f"#f-use_{measure_id}")
        officer.fill(f"#f-weight_{measure_id}", str(line["weight"]))
        if "minimum" in line:
            officer.fill(f"#f-minimum_{measure_id}", str(line["minimum"]))
        if "deadweight" in line:
            officer.fill(f"#f-deadweight_{measure_id}", "0,1")
            officer.fill(f"#f-attribution_{measure_id}", "0,2")
    assert_accessible(officer, "new tender")
    screenshot(officer, "procurement-new-tender")
    officer.click("#create-tender")
    officer.wait_for_url("**/app/procurement/tenders/*")
    tender_id = int(officer.url.split("/tenders/")[1].split("?")[0])
    assert officer.locator("#terms-table tbody tr").count() == 3
    _no_csp_violation(officer, "tender created")

    # organisation A answers in the browser: first a commitment below the minimum, named
    bidder_a = _sign_in(new_context(), base, "owner_a@example.org")
    bidder_a.goto(f"{base}/app/procurement/tenders/{tender_id}")
    for measure_id, quantity in BID_A.items():
        bidder_a.fill(f"#f-q_{measure_id}", str(quantity))
    bidder_a.fill("#f-q_local_employment_disadvantaged", "1")
    bidder_a.click("#send-bid")
    assert bidder_a.locator("#e-q_local_employment_disadvantaged").is_visible()
    assert "minimo" in bidder_a.locator("#e-q_local_employment_disadvantaged").inner_text()
    bidder_a.fill("#f-q_local_employment_disadvantaged", str(BID_A["local_employment_disadvantaged"]))
    bidder_a.click("#send-bid")
    bidder_a.wait_for_selector("[data-own-bid]")
    assert_accessible(bidder_a, "tender as a bidder")
    screenshot(bidder_a, "procurement-bid-in-browser")

    # organisation B downloads the template and uploads it filled in
    bidder_b = _sign_in(new_context(phone=False), base, "owner_b@example.org")
    bidder_b.goto(f"{base}/app/procurement/tenders/{tender_id}")
    with bidder_b.expect_download() as download:
        bidder_b.click("#bid-template")
    template = Path(download.value.path()).read_bytes()
    filled = {k: v for k, v in BID_B.items()}
    bidder_b.set_input_files(
        "#f-file",
        files=[
            {
                "name": "offerta.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": filled_template(template, {**filled, "training_hours_youth": -2}),
            }
        ],
    )
    bidder_b.click("#upload-bid")
    assert "Offerta!E6" in bidder_b.locator("#upload-errors").inner_text()
    bidder_b.set_input_files(
        "#f-file",
        files=[
            {
                "name": "offerta.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": filled_template(template, filled),
            }
        ],
    )
    bidder_b.click("#upload-bid")
    bidder_b.wait_for_selector("[data-own-bid]")
    _no_csp_violation(bidder_b, "workbook bid")

    # the authority sees both bids scored side by side and awards the best
    officer.goto(f"{base}/app/procurement/tenders/{tender_id}")
    rows = officer.locator("#scores tbody tr")
    assert rows.count() == 2
    engine = score_bids(
        make_terms(TENDER["title"], TENDER["measures"]), {"Cooperativa A": BID_A, "Associazione B": BID_B}
    )
    shown = [
        (
            rows.nth(i).get_attribute("data-organisation"),
            float(rows.nth(i).locator(".score").get_attribute("data-points") or 0),
        )
        for i in range(2)
    ]
    assert shown == [(e.bidder, pytest.approx(e.points)) for e in engine]
    assert_accessible(officer, "bids side by side")
    screenshot(officer, "procurement-bids-side-by-side")
    winner = rows.nth(0).get_attribute("data-bid-id")
    officer.check(f"#award-{winner}")
    officer.fill("#f-starts_on", "2026-01-01")
    officer.fill("#f-ends_on", "2027-12-31")
    officer.fill("#f-reason", "Il punteggio di valore sociale più alto.")
    officer.click("#award")
    officer.wait_for_selector("#contracts")
    assert officer.locator("#tender-state").inner_text() == "aggiudicata"
    assert "dal 1 gennaio 2026 al 31 dicembre 2027" in officer.locator("#contract-list").inner_text()
    contract_href = officer.locator("#contract-list a").first.get_attribute("href")
    assert contract_href

    # the winner reports two periods with evidence and submits each to the evaluator
    bidder_b.goto(f"{base}{contract_href}")
    for label, starts, ends, delivered in PERIODS:
        bidder_b.goto(f"{base}{contract_href}")
        bidder_b.fill("#f-period_label", label)
        bidder_b.fill("#f-starts_on", starts)
        bidder_b.fill("#f-ends_on", ends)
        for measure_id, quantity in delivered.items():
            bidder_b.fill(f"#f-d_{measure_id}", quantity)
        bidder_b.click("#save-delivery")
        bidder_b.wait_for_url("**/app/procurement/deliveries/*")
        for measure_id in delivered:
            bidder_b.select_option("#f-measure_id", measure_id)
            bidder_b.set_input_files(
                "#f-evidence-file",
                files=[{"name": f"{measure_id}.pdf", "mimeType": "application/pdf", "buffer": PDF}],
            )
            bidder_b.click("#attach")
            bidder_b.wait_for_selector(f'[data-evidence-measure="{measure_id}"]')
        bidder_b.select_option("#f-evaluator_user_id", str(s.world.users["evaluator"]))
        bidder_b.click("#submit-delivery")
        bidder_b.wait_for_selector('#delivery-state[data-state="submitted"]')
    assert_accessible(bidder_b, "delivery report")
    screenshot(bidder_b, "procurement-delivery-submitted")

    # the evaluator verifies both, justifying the commitment not yet met
    evaluator = _sign_in(new_context(phone=False), base, "evaluator@example.org")
    evaluator.goto(f"{base}/app/procurement")
    links = [a.get_attribute("href") for a in evaluator.locator("#to-verify a").all()]
    assert len(links) == 2
    for href in links:
        evaluator.goto(f"{base}{href}")
        for area in evaluator.locator("#verify-form textarea[name^=justify_]").all():
            area.fill("Half-way through the contract: the rest is due in 2027.")
        evaluator.click("#verify")
        evaluator.wait_for_selector('#delivery-state[data-state="verified"]')
        assert len(evaluator.locator("#content-hash").inner_text()) == 64
    assert_accessible(evaluator, "verified delivery")
    screenshot(evaluator, "procurement-delivery-verified")
    _no_csp_violation(evaluator, "verification")

    # committed vs delivered, and the authority's workbook recalculated by LibreOffice
    officer.goto(f"{base}{contract_href}")
    assert officer.locator('#delivery-list [data-state="verified"]').count() == 2
    delivered_shown = {
        row.get_attribute("data-measure"): float(row.get_attribute("data-delivered") or 0)
        for row in officer.locator("#committed-delivered tbody tr").all()
    }
    assert delivered_shown == {
        "local_employment_disadvantaged": 2,
        "training_hours_youth": 210,
        "volunteering_hours": 180.5,
    }
    screenshot(officer, "procurement-committed-vs-delivered")
    officer.goto(f"{base}/app/procurement")
    with officer.expect_download() as download:
        officer.click(f"#authority-workbook-{s.authority_id}")
    source = tmp_path / "appalti.xlsx"
    source.write_bytes(Path(download.value.path()).read_bytes())
    book = openpyxl.load_workbook(recalculate(soffice, source, tmp_path), data_only=True)
    terms = make_terms(TENDER["title"], TENDER["measures"])
    periods = [{k: float(v.replace(",", ".")) for k, v in p[3].items()} for p in PERIODS]
    totals = across_contracts(
        [ContractView("c", "B", terms, BID_B, [(p[0], q) for p, q in zip(PERIODS, periods, strict=True)])]
    )
    summary = book["Riepilogo"]
    for row in range(2, 2 + len(totals)):
        total = totals[summary.cell(row, 1).value]
        assert summary.cell(row, 3).value == pytest.approx(total["committed"], abs=1e-9)
        assert summary.cell(row, 4).value == pytest.approx(total["delivered"], abs=1e-9)
        assert summary.cell(row, 7).value == pytest.approx(total["net_value_delivered"], abs=1e-9)
    assert totals["volunteering_hours"]["net_value_delivered"] == pytest.approx(180.5 * 18.57 * 0.9 * 0.8)
    bids = book["Offerte"]
    recalculated = {str(bids.cell(2, column).value): bids.cell(6, column).value for column in (9, 12)}
    for e in engine:
        [header] = [h for h in recalculated if f"— {e.bidder} (#" in h]
        assert recalculated[header] == pytest.approx(e.points, abs=1e-9)
