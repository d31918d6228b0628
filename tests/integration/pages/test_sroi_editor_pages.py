"""The evaluator's SROI editor over HTTP: build case A of the reference figures from scratch, see the
ratio, change a proxy, run sensitivity and Monte Carlo, save versions and compare them, download
and open workbooks in both layouts; nobody but the report's evaluator reaches it."""

from __future__ import annotations

import io
import re

import openpyxl

from tests.conftest import LiveServer
from tests.integration.pages.web import (
    build_web_world,
    collect_responses,
    csrf_of,
    sign_in,
    store_self_report,
    submitted_report,
)

CASE_A = {
    "n_s": "1",
    "n_i": "1",
    "n_o": "1",
    "name": "Case A",
    "currency": "EUR",
    "discount_rate": "3,5",
    "c_discounting": "yes",
    "c_discount_first_year": "yes",
    "c_drop_off_from": "second_year",
    "c_inputs_discounted": "no",
    "s0_name": "Giovani",
    "i0_description": "Contributo",
    "i0_kind": "money",
    "i0_amount": "20.000",
    "i0_year": "1",
    "o0_name": "Lavoro stabile",
    "o0_stakeholder": "Giovani",
    "o0_qkind": "number",
    "o0_quantity": "50",
    "o0_proxy": "1000",
    "o0_proxy_source": "Reference case",
    "o0_deadweight": "20",
    "o0_displacement": "0",
    "o0_attribution": "25",
    "o0_drop_off": "10",
    "o0_duration": "3",
    "o0_start_year": "1",
    "o0_negative": "no",
}


def ratio_of(html: str) -> str:
    match = re.search(r'id="sroi-ratio-exact">([^<]+)<', html)
    assert match, "the page shows the ratio"
    return match[1]


def test_an_evaluator_builds_case_a_from_scratch_changes_a_proxy_and_compares_versions(
    live_server: LiveServer,
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    collect_responses(live_server.engine, web)
    report_id = submitted_report(live_server.engine, web)
    url = f"/app/evaluator/reports/{report_id}/sroi"
    client = live_server.client()
    sign_in(client, "evaluator@example.org")
    report_page = client.get(f"/app/evaluator/reports/{report_id}")
    assert f'href="{url}"' in report_page.text
    scratch = client.get(url + "?start=scratch")
    assert scratch.status_code == 200 and 'id="sroi-editor"' in scratch.text
    token = csrf_of(scratch.text)
    computed = client.post(url, data={"_csrf_token": token, "action": "compute", **CASE_A})
    assert computed.status_code == 200
    assert ratio_of(computed.text) == "3,8054 : 1", "case A: 3.8054 : 1"
    assert "76.108" in computed.text and "8,0" in computed.text  # PV in euros; payback 8 months
    live = client.post(
        url + "/compute", data={"_csrf_token": token, **CASE_A}, headers={"HX-Request": "true"}
    )
    assert live.status_code == 200 and live.text.lstrip().startswith('<section id="sroi-result"')
    saved = client.post(url, data={"_csrf_token": token, "action": "save", "note": "v1", **CASE_A})
    assert saved.status_code == 303
    changed = {**CASE_A, "o0_proxy": "1200"}
    moved = client.post(
        url + "/compute", data={"_csrf_token": token, **changed}, headers={"HX-Request": "true"}
    )
    assert ratio_of(moved.text) == "4,5665 : 1", "the ratio moves with the proxy (× 1.2)"
    client.post(url, data={"_csrf_token": token, "action": "save", "note": "v2", **changed})
    page = client.get(url + "?first=1&second=2&lang=en")
    assert 'id="versions-table"' in page.text
    diff = page.text.split('id="diff-table"')[1]
    assert "proxy.value" in diff and "1000" in diff and "1200" in diff
    sensitivity = client.post(
        url + "?lang=it", data={"_csrf_token": token, "action": "sensitivity", **CASE_A}
    )
    assert 'id="sensitivity-table"' in sensitivity.text and "262,79" in sensitivity.text, (
        "1:1 at a proxy of 262.79"
    )
    with_uncertainty = {
        **CASE_A,
        "o0_d_proxy_kind": "triangular",
        "o0_d_proxy_low": "200",
        "o0_d_proxy_mode": "1000",
        "o0_d_proxy_high": "1200",
    }
    montecarlo = client.post(
        url + "?lang=it", data={"_csrf_token": token, "action": "montecarlo", "seed": "7", **with_uncertainty}
    )
    assert 'id="montecarlo-histogram"' in montecarlo.text
    assert re.search(r'id="mc-below-one">[0-9,]+\xa0?%<', montecarlo.text)
    for layout in ("impactkit", "svi"):
        workbook = client.get(url + f"/value-map.xlsx?layout={layout}")
        assert workbook.status_code == 200
        assert openpyxl.load_workbook(io.BytesIO(workbook.content)).sheetnames
        opened = client.post(
            url + "/upload",
            data={"_csrf_token": token},
            files={"file": ("map.xlsx", workbook.content)},
        )
        assert opened.status_code == 200, opened.text[:500]
        assert ratio_of(opened.text) == "4,5665 : 1", layout
    wrong = client.post(
        url, data={"_csrf_token": token, "action": "save", **{**CASE_A, "o0_deadweight": "120"}}
    )
    assert wrong.status_code == 422 and 'id="sroi-problems"' in wrong.text


def test_only_the_reports_evaluator_reaches_the_editor(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    report_id = submitted_report(live_server.engine, web)
    for email in ("evaluator_other@example.org", "owner_a@example.org", "funder_a@example.org"):
        client = live_server.client()
        sign_in(client, email)
        assert client.get(f"/app/evaluator/reports/{report_id}/sroi").status_code == 404, email


def test_deadweight_from_a_comparison_group_of_stored_responses_is_chosen_in_the_page(
    live_server: LiveServer,
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    collect_responses(live_server.engine, web)  # 12 answers; the 6 men rated satisfaction 3, 5, 4, 3, 5, 4
    report_id = submitted_report(live_server.engine, web)
    url = f"/app/evaluator/reports/{report_id}/sroi"
    client = live_server.client()
    sign_in(client, "evaluator@example.org")
    page = client.get(url + "?start=scratch&lang=it")
    assert 'id="deadweight-fields"' in page.text and "beneficiary_outcomes" in page.text
    tool = {
        "dw_outcome": "0",
        "dw_method": "comparison",
        "dw_form": "beneficiary_outcomes",
        "dw_outcome_col": "satisfaction",
        "dw_success": "5",
        "dw_group_col": "gender",
        "dw_comparison": "male",
        "dw_treated": "female",
    }
    found = client.post(
        url, data={"_csrf_token": csrf_of(page.text), "action": "deadweight", **CASE_A, **tool}
    )
    assert found.status_code == 200, found.text[:500]
    assert re.search(r'id="deadweight-share">33,3\xa0?%<', found.text), "2 of the 6 men"
    assert 'name="o0_deadweight" value="33,3333333333"' in found.text
    assert 'name="o0_d_deadweight_kind"' in found.text and '<option value="normal" selected>' in found.text
    assert "2 of 6 reached satisfaction anyway" in found.text.replace("&#39;", "'")
    # the ratio follows the new deadweight: 3.8054 × (1 − 1/3) / (1 − 0.2)
    assert ratio_of(found.text) == "3,1711 : 1"
    missing = client.post(
        url,
        data={
            "_csrf_token": csrf_of(page.text),
            "action": "deadweight",
            **CASE_A,
            **tool,
            "dw_method": "did",
            "dw_period_col": "round",
        },
    )
    assert missing.status_code == 422 and "dw_period_col: no column" in missing.text.replace("&#39;", "'")


def test_a_quantity_linked_to_a_kpi_of_the_report_shows_its_interval_and_is_resolved(
    live_server: LiveServer,
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    collect_responses(live_server.engine, web)
    store_self_report(live_server.engine, web)  # 6 work placements
    report_id = submitted_report(live_server.engine, web)
    url = f"/app/evaluator/reports/{report_id}/sroi"
    client = live_server.client()
    sign_in(client, "evaluator@example.org")
    page = client.get(url + "?start=scratch&lang=it")
    assert '<option value="work_placements_disadvantaged">' in page.text
    linked = {**CASE_A, "o0_qkind": "kpi", "o0_kpi": "work_placements_disadvantaged", "o0_quantity": ""}
    computed = client.post(url, data={"_csrf_token": csrf_of(page.text), "action": "compute", **linked})
    assert computed.status_code == 200, computed.text[:300]
    # 6 placements in place of 50: the ratio scales by 6/50
    assert ratio_of(computed.text) == "0,4566 : 1"
    saved = client.post(url, data={"_csrf_token": csrf_of(page.text), "action": "save", **linked})
    assert saved.status_code == 303
    reopened = client.get(url)
    assert (
        'name="o0_kpi"' in reopened.text
        and '<option value="work_placements_disadvantaged" selected>' in reopened.text
    )
    unknown = {**linked, "o0_kpi": "no_such_kpi"}
    refused = client.post(url, data={"_csrf_token": csrf_of(page.text), "action": "compute", **unknown})
    assert 'id="sroi-problems"' in refused.text and "no_such_kpi" in refused.text
