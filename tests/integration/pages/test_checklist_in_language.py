"""The report checklist on the evaluator's page, over real HTTP, on SQLite and PostgreSQL: what each
check found reads in Italian by default and in English when the person chose it, and so does what
stops the validation."""

from __future__ import annotations

import html
import re

import httpx

from tests.conftest import LiveServer
from tests.integration.pages.web import (
    build_web_world,
    collect_responses,
    csrf_of,
    sign_in,
    store_self_report,
    submitted_report,
)


def _checks(page: str) -> dict[str, tuple[str, str, str]]:
    """check id -> (title, status, detail) as the page shows them."""
    rows = re.findall(
        r'<tr data-check="([a-z0-9_]+)"><th scope="row">([^<]*)</th><td[^>]*>([^<]*)</td><td>([^<]*)', page
    )
    return {
        check: (html.unescape(title), status, html.unescape(detail)) for check, title, status, detail in rows
    }


def _evaluator_page(client: httpx.Client, report_id: int) -> str:
    page = client.get(f"/app/evaluator/reports/{report_id}")
    assert page.status_code == 200
    return page.text


def test_the_checklist_and_the_validation_gate_speak_the_pages_language(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    collect_responses(live_server.engine, web)
    store_self_report(live_server.engine, web)
    report_id = submitted_report(live_server.engine, web)
    evaluator = live_server.client()
    sign_in(evaluator, "evaluator@example.org")

    page = _evaluator_page(evaluator, report_id)
    italian = _checks(page)
    assert len(italian) >= 8
    title, _, detail = italian["principle_8_be_responsive"]
    assert title == "Essere reattivi"
    assert detail.startswith("da confermare da parte del valutatore: come i risultati orientano le decisioni")
    _, _, sections = italian["sections"]
    assert sections.startswith("sezioni mancanti o vuote: "), sections
    for _, _, text in italian.values():
        for english in ("evaluator to confirm", "missing or empty", "responses", "KPIs have", "no outlier"):
            assert english not in text, text
    stopped = evaluator.post(
        f"/app/evaluator/reports/{report_id}/validate", data={"_csrf_token": csrf_of(page), "comments": "Ok."}
    )
    assert stopped.status_code == 409
    assert "Il rendiconto non si può ancora validare:" in stopped.text
    assert "scrivi perché il bilancio si può validare comunque (almeno 20 caratteri)" in html.unescape(
        stopped.text
    )
    assert "justifications.sections" in stopped.text, "the field the justification goes in"

    evaluator.get("/app/evaluator?lang=en")  # the person chooses English
    evaluator.cookies.set("lang", "en")
    page = _evaluator_page(evaluator, report_id)
    english = _checks(page)
    assert english.keys() == italian.keys()
    title, _, detail = english["principle_8_be_responsive"]
    assert title == "Be responsive"
    assert detail.startswith("evaluator to confirm: how results feed decisions")
    assert english["sections"][2].startswith("missing or empty: ")
    for _, _, text in english.values():
        assert "da confermare" not in text and "sezioni" not in text, text
    stopped = evaluator.post(
        f"/app/evaluator/reports/{report_id}/validate", data={"_csrf_token": csrf_of(page), "comments": "Ok."}
    )
    assert stopped.status_code == 409
    assert "The report cannot be validated yet:" in stopped.text
    assert "write why the report may be validated all the same (at least 20 characters)" in stopped.text
