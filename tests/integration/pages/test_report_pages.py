"""Reports in the browser's pages: the organisation submits, the evaluator validates or returns,
the funder sees only validated reports of its grantees and downloads them as Excel."""

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


def justified(page: str) -> dict[str, str]:
    """A justification for every failing check the validation form asks about."""
    fields = re.findall(r'name="(justification__[a-z0-9_]+)"', page)
    assert fields, "a failing check asks for a justification"
    return {field: "Filed with the annual accounts; checked by the evaluator." for field in fields}


def test_an_editor_creates_a_report_and_submits_it_to_an_evaluator(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    collect_responses(live_server.engine, web)
    client = live_server.client()
    sign_in(client, "editor_a@example.org")
    project = client.get(f"/app/projects/{web.world.project_a}")
    created = client.post(
        f"/app/projects/{web.world.project_a}/reports",
        data={"_csrf_token": csrf_of(project.text), "period_id": str(web.world.period_a), "language": "en"},
    )
    assert created.status_code == 303
    report_url = created.headers["location"].split("?")[0]
    project_after = client.get(f"/app/projects/{web.world.project_a}")
    assert f'data-report-id="{report_url.rsplit("/", 1)[1]}"' in project_after.text
    assert f'action="/app/projects/{web.world.project_a}/reports"' not in project_after.text, (
        "one report per period"
    )
    draft = client.get(report_url)
    assert 'id="report-state">bozza<' in draft.text
    assert 'id="checklist"' in draft.text
    submitted = client.post(
        report_url + "/submit",
        data={"_csrf_token": csrf_of(draft.text), "evaluator_user_id": str(web.world.users["evaluator"])},
    )
    assert submitted.status_code == 303
    assert 'id="report-state">inviato<' in client.get(report_url).text
    again = client.post(
        report_url + "/submit",
        data={"_csrf_token": csrf_of(draft.text), "evaluator_user_id": str(web.world.users["evaluator"])},
    )
    assert again.status_code == 409, "only a draft can be submitted"


def test_the_evaluator_sees_checklist_sroi_and_tornado_then_validates(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    collect_responses(live_server.engine, web)
    store_self_report(live_server.engine, web)
    report_id = submitted_report(live_server.engine, web)
    evaluator = live_server.client()
    sign_in(evaluator, "evaluator@example.org")
    listed = evaluator.get("/app/evaluator?lang=en")
    assert f'data-report-id="{report_id}"' in listed.text
    page = evaluator.get(f"/app/evaluator/reports/{report_id}")
    assert page.status_code == 200
    assert 'id="report-state">submitted<' in page.text
    assert re.search(r'id="sroi-ratio">3\.81 : 1<', page.text), "case A of the SROI guide: 3.8054 : 1"
    assert page.text.count("<rect") >= 2 and 'id="tornado"' in page.text
    assert page.text.count("data-check=") >= 8
    stopped = evaluator.post(
        f"/app/evaluator/reports/{report_id}/validate",
        data={"_csrf_token": csrf_of(page.text), "comments": "Sound."},
    )
    assert stopped.status_code == 409 and "justifications.sections" in stopped.text
    validated = evaluator.post(
        f"/app/evaluator/reports/{report_id}/validate",
        data={"_csrf_token": csrf_of(page.text), "comments": "Sound.", **justified(page.text)},
    )
    assert validated.status_code == 303
    after = evaluator.get(f"/app/evaluator/reports/{report_id}")
    assert 'id="report-state">validated<' in after.text
    assert "Filed with the annual accounts" in after.text
    hashes = re.findall(r"<code class=\"link\">([0-9a-f]{64})</code>", after.text)
    assert len(hashes) == 1
    assert 'id="validate-form"' not in after.text


def test_the_evaluator_returns_a_report_with_comments_only(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    report_id = submitted_report(live_server.engine, web)
    evaluator = live_server.client()
    sign_in(evaluator, "evaluator@example.org")
    page = evaluator.get(f"/app/evaluator/reports/{report_id}")
    empty = evaluator.post(
        f"/app/evaluator/reports/{report_id}/return", data={"_csrf_token": csrf_of(page.text)}
    )
    assert empty.status_code == 409
    returned = evaluator.post(
        f"/app/evaluator/reports/{report_id}/return",
        data={"_csrf_token": csrf_of(page.text), "comments": "State the population you surveyed."},
    )
    assert returned.status_code == 303
    editor = live_server.client()
    sign_in(editor, "editor_a@example.org")
    seen = editor.get(f"/app/reports/{report_id}")
    assert "State the population you surveyed." in seen.text
    assert 'id="report-state">restituito<' in seen.text


def test_another_evaluator_and_other_funders_do_not_see_the_report(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    report_id = submitted_report(live_server.engine, web)
    for email in (
        "evaluator_other@example.org",
        "funder_a@example.org",
        "funder_b@example.org",
        "owner_b@example.org",
    ):
        client = live_server.client()
        sign_in(client, email)
        assert client.get(f"/app/reports/{report_id}").status_code == 404, email
        assert client.get(f"/app/evaluator/reports/{report_id}").status_code == 404, email
        assert client.get(f"/app/funder/reports/{report_id}").status_code == 404, email
        assert client.get(f"/app/reports/{report_id}/report.xlsx").status_code == 404, email


def test_the_funder_downloads_the_validated_report_and_the_portfolio(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    collect_responses(live_server.engine, web)
    store_self_report(live_server.engine, web)
    report_id = submitted_report(live_server.engine, web)
    evaluator = live_server.client()
    sign_in(evaluator, "evaluator@example.org")
    page = evaluator.get(f"/app/evaluator/reports/{report_id}")
    evaluator.post(
        f"/app/evaluator/reports/{report_id}/validate",
        data={"_csrf_token": csrf_of(page.text), **justified(page.text)},
    )

    funder = live_server.client()
    sign_in(funder, "funder_a@example.org")
    home = funder.get("/app/funder?lang=en")
    assert f'data-report-id="{report_id}"' in home.text
    download = funder.get(f"/app/reports/{report_id}/report.xlsx")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(download.content), read_only=True)
    assert len(workbook.sheetnames) >= 4
    texts = " ".join(
        str(cell)
        for row in workbook[workbook.sheetnames[0]].iter_rows(values_only=True)
        for cell in row
        if cell
    )
    stamp_hash = re.findall(
        r'<code class="link">([0-9a-f]{64})</code>', funder.get(f"/app/funder/reports/{report_id}").text
    )
    assert stamp_hash and stamp_hash[0] in texts, "the cover carries the validation hash"
    portfolio = funder.get(f"/app/funder/{web.world.funder_a}/portfolio.xlsx")
    assert portfolio.status_code == 200
    openpyxl.load_workbook(io.BytesIO(portfolio.content), read_only=True)
    assert funder.get(f"/app/funder/{web.world.funder_b}/portfolio.xlsx").status_code == 404

    other = live_server.client()
    sign_in(other, "funder_b@example.org")
    assert f'data-report-id="{report_id}"' not in other.get("/app/funder").text
