"""The organisation's workbench over real HTTP, on SQLite and PostgreSQL: set-up, forms, responses,
a KPI opened, the social report, privacy requests, and the administrators' pages."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid

import openpyxl
import pytest
import yaml

from impactkit.store.db import session_scope
from impactkit.store.surveys import Submission, store_responses
from tests.conftest import LiveServer
from tests.integration.pages.web import (
    PASSWORD,
    VALUE_MAP_FILE,
    WebWorld,
    build_web_world,
    collect_responses,
    csrf_of,
    sign_in,
    small_xlsform,
)


def _invitation_url(html: str) -> str:
    match = re.search(r'id="invitation-url">([^<]+)<', html)
    assert match, "the invitation link is shown to the inviter"
    return match[1]


def test_an_owner_sets_up_a_project_a_period_and_a_colleague(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    owner = live_server.client()
    sign_in(owner, "owner_a@example.org")
    page = owner.get(f"/app/organisations/{web.world.org_a}")
    created = owner.post(
        f"/app/organisations/{web.world.org_a}/projects",
        data={
            "_csrf_token": csrf_of(page.text),
            "name": "Doposcuola",
            "framework_id": "youth-neet",
            "population": "1.200",
        },
    )
    assert created.status_code == 303
    project_url = created.headers["location"].split("?")[0]
    project = owner.get(project_url)
    assert "Doposcuola" in project.text and "Progetto creato." in owner.get(created.headers["location"]).text

    wrong = owner.post(
        project_url + "/periods",
        data={
            "_csrf_token": csrf_of(project.text),
            "label": "2026",
            "starts_on": "2026-12-31",
            "ends_on": "2026-01-01",
        },
    )
    assert wrong.status_code == 422, "an end before the start is refused on the page, next to the field"
    assert 'id="form-errors"' in wrong.text and "2026-12-31" in wrong.text, "what was typed is kept"
    added = owner.post(
        project_url + "/periods",
        data={
            "_csrf_token": csrf_of(project.text),
            "label": "2026",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
        },
    )
    assert added.status_code == 303
    assert "1 gennaio 2026 – 31 dicembre 2026" in owner.get(project_url).text

    members = owner.get(f"/app/organisations/{web.world.org_a}/members")
    with caplog.at_level(logging.INFO, logger="impactkit.invitations"):
        invited = owner.post(
            f"/app/organisations/{web.world.org_a}/invitations",
            data={"_csrf_token": csrf_of(members.text), "email": "Nuova@Example.org", "role": "editor"},
        )
    assert invited.status_code == 200
    url = _invitation_url(invited.text)
    assert url.rsplit("/", 1)[1] not in caplog.text, "a log line never carries the invitation's token"
    assert "invitation" in caplog.text
    path = url[len(live_server.settings.public_base_url) :]
    newcomer = live_server.client()
    form = newcomer.get(path)
    assert form.status_code == 200 and "nuova@example.org" in form.text
    short = newcomer.post(
        path,
        data={
            "_csrf_token": csrf_of(form.text),
            "name": "Nuova",
            "password": "short",
            "password_again": "short",
        },
    )
    assert short.status_code == 422 and 'id="e-password"' in short.text
    accepted = newcomer.post(
        path,
        data={
            "_csrf_token": csrf_of(form.text),
            "name": "Nuova",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert accepted.status_code == 303
    assert newcomer.get(f"/app/organisations/{web.world.org_a}").status_code == 200, "signed in by the link"
    again = live_server.client().get(path)
    assert again.status_code == 410, "the link works once"
    assert sign_in(live_server.client(), "nuova@example.org").status_code == 303, "the password it set works"

    members = owner.get(f"/app/organisations/{web.world.org_a}/members")
    user_id = re.findall(r'<tr data-user-id="(\d+)"><td>Nuova<', members.text)[0]
    remove = f"/app/organisations/{web.world.org_a}/members/{user_id}/remove"
    asked = owner.post(remove, data={"_csrf_token": csrf_of(members.text)})
    assert asked.status_code == 200 and 'id="confirm-question"' in asked.text
    assert "Nuova" in owner.get(f"/app/organisations/{web.world.org_a}/members").text, (
        "nothing done before yes"
    )
    done = owner.post(remove, data={"_csrf_token": csrf_of(asked.text), "confirmed": "yes"})
    assert done.status_code == 303
    assert newcomer.get(f"/app/organisations/{web.world.org_a}").status_code == 404

    viewer = live_server.client()
    sign_in(viewer, "viewer_a@example.org")
    refused = viewer.post(
        f"/app/organisations/{web.world.org_a}/invitations",
        data={"_csrf_token": csrf_of(viewer.get("/app").text), "email": "x@example.org", "role": "owner"},
    )
    assert refused.status_code == 403
    stranger = live_server.client()
    sign_in(stranger, "owner_b@example.org")
    assert stranger.get(f"/app/organisations/{web.world.org_a}/members").status_code == 404

    details = owner.get(f"/app/organisations/{web.world.org_a}/details")
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', details.text))
    bad_tax = owner.post(
        f"/app/organisations/{web.world.org_a}/details",
        data={
            **fields,
            "_csrf_token": csrf_of(details.text),
            "legal_form": "aps",
            "territory_type": "urban",
            "size_class": "micro",
            "tax_code": "123",
        },
    )
    assert bad_tax.status_code == 422 and 'id="e-tax_code"' in bad_tax.text
    saved = owner.post(
        f"/app/organisations/{web.world.org_a}/details",
        data={
            **fields,
            "_csrf_token": csrf_of(details.text),
            "legal_form": "odv",
            "territory_type": "mountain",
            "size_class": "small",
            "zone": "Pinerolese",
            "runts_number": "RUNTS-12345",
        },
    )
    assert saved.status_code == 303
    overview = owner.get(f"/app/organisations/{web.world.org_a}")
    assert (
        "RUNTS RUNTS-12345" in overview.text and "Pinerolese" in overview.text and "montano" in overview.text
    )


def test_an_xlsform_with_a_mistake_shows_its_cell_then_the_fixed_one_publishes_and_previews(
    live_server: LiveServer,
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    editor = live_server.client()
    sign_in(editor, "editor_a@example.org")
    forms = editor.get(f"/app/organisations/{web.world.org_a}/forms")
    upload = f"/app/organisations/{web.world.org_a}/forms"
    files = {"file": ("esiti.xlsx", small_xlsform(mistake=True), "application/octet-stream")}
    refused = editor.post(upload, data={"_csrf_token": csrf_of(forms.text)}, files=files)
    assert refused.status_code == 422
    row = re.search(
        r'<tr class="form-problem"><td>survey</td><td class="num">5</td><td>A \(type\)</td><td>([^<]+)</td>',
        refused.text,
    )
    assert row and "integr" in row[1], "sheet, row, column and what is wrong"
    nothing = editor.post(upload, data={"_csrf_token": csrf_of(forms.text)})
    assert nothing.status_code == 422 and "Scegli un file." in nothing.text

    files = {"file": ("esiti.xlsx", small_xlsform(), "application/octet-stream")}
    published = editor.post(upload, data={"_csrf_token": csrf_of(forms.text)}, files=files)
    assert published.status_code == 303
    form_page = editor.get(published.headers["location"])
    assert 'id="form-version">2026.9<' in form_page.text and "Questionario pubblicato." in form_page.text
    version_id = published.headers["location"].split("?")[0].rsplit("/", 1)[1]
    assert editor.get(f"/app/forms/{version_id}/xlsform").content[:2] == b"PK"

    preview = editor.get(f"/app/forms/{version_id}/preview?lang=en")
    assert (
        "Preview: the answers are not recorded." in preview.text and "Do you agree to answer?" in preview.text
    )
    shown = re.search(r'name="_ik_shown" value="([^"]*)"', preview.text)
    assert shown
    step = editor.post(
        f"/app/forms/{version_id}/preview",
        data={
            "_csrf_token": csrf_of(preview.text),
            "_ik_lang": "en",
            "_ik_shown": shown[1],
            "consent": "yes",
        },
    )
    assert "Participant code" in step.text, "consent opens the questions, as on a real link"
    shown = re.search(r'name="_ik_shown" value="([^"]*)"', step.text)
    assert shown
    base = {"_csrf_token": csrf_of(preview.text), "_ik_lang": "en", "_ik_shown": shown[1], "consent": "yes"}
    wrong = editor.post(f"/app/forms/{version_id}/preview", data={**base, "age": "7"})
    assert wrong.status_code == 422
    valid = editor.post(
        f"/app/forms/{version_id}/preview",
        data={
            **base,
            "respondent_code": "TO-0001",
            "gender": "female",
            "age": "30",
            "territory_type": "rural",
            "satisfaction": "4",
        },
    )
    assert valid.status_code == 200 and 'id="preview-done"' in valid.text
    with session_scope(live_server.engine) as session:
        from impactkit.store.links import project_response_count

        assert project_response_count(session, web.world.project_a) == 0, "a preview stores nothing"


def _linked_responses(web: WebWorld, engine: object) -> None:
    """Baseline and endline answers of the same twelve people (codes TO-0000…): two in the mountains,
    five in the countryside, five in town."""
    submissions = []
    for wave in ("baseline", "endline"):
        for index in range(12):
            submissions.append(
                Submission(
                    instance_id=str(uuid.uuid4()),
                    form_id="beneficiary_outcomes",
                    form_version="2026.1",
                    project_id=web.world.project_a,
                    period_id=web.world.period_a,
                    wave=wave,
                    answers={
                        "consent": "yes",
                        "respondent_code": f"TO-{index:04d}",
                        "gender": "female" if index % 2 else "male",
                        "age": 20 + index,
                        "territory_type": "mountain" if index < 2 else "rural" if index < 7 else "urban",
                        "vulnerable_conditions": ["unemployment"],
                        "employment_status": "employed",
                        "wellbeing": str(2 + index % 3 + (wave == "endline")),
                        "autonomy": "3",
                        "social_connections": "4",
                        "satisfaction": str(3 + index % 3),
                        "would_recommend": "yes",
                    },
                )
            )
    with session_scope(engine) as session:  # type: ignore[arg-type]
        results = store_responses(session, submissions, allowed_organisations=None)
    assert all(result.status == "stored" for result in results)


def test_responses_are_filtered_opened_with_their_labels_and_downloaded(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    _linked_responses(web, live_server.engine)
    viewer = live_server.client()
    sign_in(viewer, "viewer_a@example.org")
    url = f"/app/projects/{web.world.project_a}/responses"
    every = viewer.get(url)
    assert 'data-total="24"' in every.text
    endline = viewer.get(url + "?wave=endline")
    assert 'data-total="12"' in endline.text and "12 risposte" in endline.text
    future = viewer.get(url + "?since=2999-01-01")
    assert 'data-total="0"' in future.text
    assert viewer.get(url + "?since=yesterday").status_code == 400, "a date that is not one is named"
    fragment = viewer.get(url + "?wave=baseline", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<p id="responses-count"'), "htmx gets the table alone"

    response_id = re.findall(r'data-response-id="(\d+)"', every.text)[0]
    opened = viewer.get(f"/app/responses/{response_id}?lang=en")
    assert "Do you agree to answer this questionnaire?" in opened.text.replace("\n", " ")
    assert re.search(
        r'data-field="territory_type"><th scope="row">[^<]+</th><td>(Urban|Mountain)', opened.text
    )

    csv = viewer.get(url.replace("/responses", "/responses.csv") + "?wave=endline")
    assert csv.status_code == 200 and csv.text.count("\n") == 13, "a header and twelve rows"
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.content.startswith(b"\xef\xbb\xbf"), "a BOM, for Excel"
    assert ",Urban," in csv.text and ",urban," not in csv.text, "labels, not codes"
    xlsx = viewer.get(url.replace("/responses", "/responses.xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    assert sheet is not None and sum(1 for _ in sheet.iter_rows()) == 25

    funder = live_server.client()
    sign_in(funder, "funder_a@example.org")
    assert funder.get(url).status_code == 404, "respondents' answers are for the organisation only"
    assert funder.get(f"/app/responses/{response_id}").status_code == 404


def test_a_kpi_opens_by_territory_with_small_groups_marked_and_the_change_tested(
    live_server: LiveServer,
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    _linked_responses(web, live_server.engine)
    owner = live_server.client()
    sign_in(owner, "owner_a@example.org")
    dashboard = owner.get(f"/app/projects/{web.world.project_a}?period={web.world.period_a}")
    link = re.search(
        r'href="(/app/projects/\d+/kpis/beneficiaries_improved\?period=\d+)" hx-get', dashboard.text
    )
    assert link, "each KPI opens on a click (a link without script, in place with htmx)"
    page = owner.get(link[1])
    territory = re.search(
        r'<table class="breakdown" data-dimension="territory_type">.*?</table>', page.text, re.S
    )
    assert territory, "a breakdown by territory"
    assert re.search(
        r'data-category="mountain" class="suppressed"><th scope="row">Montano</th>\s*<td colspan="3" class="suppressed-cell">non mostrato: meno di 5 persone',
        territory[0],
    ), "two people in the mountains: not shown"
    shown = re.findall(
        r'data-category="(rural|urban)"><th scope="row">[^<]+</th>\s*<td class="num">[\d,]+\xa0%</td>',
        territory[0],
    )
    assert len(shown) == 1, "one of the two larger groups is shown"
    assert "altrimenti si ricaverebbe un gruppo" in territory[0], (
        "the other is hidden so the small one cannot be worked out"
    )
    assert 'id="disclosure"' in page.text, "the disclosure statement is printed next to the tables"
    assert 'id="change-facts"' in page.text and "Test t per dati appaiati" in page.text
    assert re.search(r"12\xa0persone", page.text), "people with both answers"
    assert 'id="method"' in page.text and "Wilson" in page.text
    fragment = owner.get(link[1], headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section class="kpi-detail'), "htmx gets the breakdown alone"
    assert 'class="suppressed"' in fragment.text


def test_the_social_report_sections_value_map_and_evaluator_from_the_accredited_list(
    live_server: LiveServer,
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    collect_responses(live_server.engine, web)
    editor = live_server.client()
    sign_in(editor, "editor_a@example.org")
    project = editor.get(f"/app/projects/{web.world.project_a}")
    created = editor.post(
        f"/app/projects/{web.world.project_a}/reports",
        data={"_csrf_token": csrf_of(project.text), "period_id": str(web.world.period_a), "language": "it"},
    )
    report_url = created.headers["location"].split("?")[0]
    page = editor.get(report_url)
    assert page.text.count('class="section-form"') == 8, "one form per section of the Decree of 4 July 2019"
    assert "0 sezioni su 8 scritte" in page.text
    evaluators = re.findall(
        r'<option value="(\d+)">([^<]+)</option>', page.text.split('id="evaluator"')[1].split("</select>")[0]
    )
    assert [name.split(" · ")[0] for _, name in evaluators] == ["evaluator", "evaluator_other"]
    saved = editor.post(
        report_url + "/sections/methodology",
        data={"_csrf_token": csrf_of(page.text), "text": "Questionari a inizio e fine."},
    )
    assert saved.status_code == 303
    page = editor.get(report_url)
    assert "1 sezioni su 8 scritte" in page.text and "Questionari a inizio e fine." in page.text

    bad = editor.post(
        report_url + "/value-map",
        data={"_csrf_token": csrf_of(page.text)},
        files={"file": ("map.yaml", b"stakeholders: 3\n", "application/yaml")},
    )
    assert bad.status_code == 422 and 'id="value-map-problems"' in bad.text
    good = editor.post(
        report_url + "/value-map",
        data={"_csrf_token": csrf_of(page.text)},
        files={"file": ("map.yaml", VALUE_MAP_FILE.read_bytes(), "application/yaml")},
    )
    assert good.status_code == 303
    page = editor.get(report_url)
    assert 'id="value-map-attached"' in page.text and 'id="sroi-ratio"' in page.text

    member = editor.post(
        report_url + "/submit",
        data={"_csrf_token": csrf_of(page.text), "evaluator_user_id": str(web.world.users["owner_a"])},
    )
    assert member.status_code == 409, "only an accredited evaluator from the list"
    submitted = editor.post(
        report_url + "/submit",
        data={"_csrf_token": csrf_of(page.text), "evaluator_user_id": evaluators[0][0]},
    )
    assert submitted.status_code == 303
    page = editor.get(report_url)
    assert 'id="report-state">inviato<' in page.text and 'class="section-form"' not in page.text

    evaluator = live_server.client()
    sign_in(evaluator, "evaluator@example.org")
    report_id = report_url.rsplit("/", 1)[1]
    review = evaluator.get(f"/app/evaluator/reports/{report_id}")
    evaluator.post(
        f"/app/evaluator/reports/{report_id}/return",
        data={"_csrf_token": csrf_of(review.text), "comments": "Descrivete chi ha risposto."},
    )
    page = editor.get(report_url)
    assert 'id="comments"' in page.text and "Descrivete chi ha risposto." in page.text
    assert page.text.count('class="section-form"') == 8, "a returned report can be written again"


def test_a_privacy_request_finds_exports_and_erases_a_respondent_with_the_trail_kept(
    live_server: LiveServer,
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    collect_responses(live_server.engine, web)
    owner = live_server.client()
    sign_in(owner, "owner_a@example.org")
    url = f"/app/organisations/{web.world.org_a}/privacy"
    found = owner.get(url + "?code=TO-0003")
    assert 'id="found-count">1 risposta<' in found.text
    exported = owner.post(url + "/export", data={"_csrf_token": csrf_of(found.text), "code": "TO-0003"})
    body = json.loads(exported.content)
    assert body["respondent_code"] == "TO-0003" and body["responses"][0]["answers"]["age"] == 21
    asked = owner.post(url + "/erase", data={"_csrf_token": csrf_of(found.text), "code": "TO-0003"})
    assert asked.status_code == 200 and "TO-0003" in asked.text and 'id="confirm-form"' in asked.text
    erased = owner.post(
        url + "/erase", data={"_csrf_token": csrf_of(asked.text), "code": "TO-0003", "confirmed": "yes"}
    )
    assert erased.status_code == 303
    after = owner.get(url + "?code=TO-0003")
    assert 'id="nothing-found"' in after.text
    trail = re.search(r'<table id="audit-trail">.*?</table>', after.text, re.S)
    assert (
        trail and "Dati di una persona cancellati" in trail[0] and "Dati di una persona esportati" in trail[0]
    )
    assert "TO-0003" not in trail[0], "the code is not kept in the trail"

    editor = live_server.client()
    sign_in(editor, "editor_a@example.org")
    page = editor.get(url + "?code=TO-0004")
    assert 'id="erase-form"' not in page.text and 'id="audit-trail"' not in page.text, (
        "erasure and trail: owners"
    )
    assert (
        editor.post(
            url + "/erase", data={"_csrf_token": csrf_of(page.text), "code": "TO-0004", "confirmed": "yes"}
        ).status_code
        == 403
    )


def test_administrators_create_an_organisation_with_its_owner_an_evaluator_and_a_funder(
    live_server: LiveServer,
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    admin = live_server.client()
    sign_in(admin, "admin@example.org")
    page = admin.get("/app/admin/organisations")
    organisation = {
        "name": "APS Valle Verde",
        "legal_form": "aps",
        "tax_code": "80012345676",
        "municipality": "Pinerolo",
        "zone": "Pinerolese",
        "territory_type": "mountain",
        "size_class": "micro",
        "runts_number": "12345",
        "owner_name": "Anna",
        "owner_email": "anna@valleverde.example",
    }
    invalid = admin.post(
        "/app/admin/organisations", data={**organisation, "tax_code": "1", "_csrf_token": csrf_of(page.text)}
    )
    assert invalid.status_code == 422 and 'id="e-tax_code"' in invalid.text
    created = admin.post("/app/admin/organisations", data={**organisation, "_csrf_token": csrf_of(page.text)})
    assert created.status_code == 200 and "APS Valle Verde" in created.text
    assert "/invitations/" in _invitation_url(created.text)

    people = admin.get("/app/admin/people")
    made = admin.post(
        "/app/admin/users",
        data={
            "_csrf_token": csrf_of(people.text),
            "name": "Valeria",
            "email": "valeria@eval.example",
            "password": PASSWORD,
        },
    )
    assert made.status_code == 303
    accredited = admin.post(
        "/app/admin/accreditations",
        data={
            "_csrf_token": csrf_of(people.text),
            "evaluator_email": "valeria@eval.example",
            "body": "Social Value Italia",
            "number": "SVI-99",
            "valid_from": "2026-01-01",
            "valid_until": "2030-12-31",
        },
    )
    assert accredited.status_code == 303
    assert "Social Value Italia" in admin.get("/app/admin/people").text

    funders = admin.get("/app/admin/funders")
    admin.post(
        "/app/admin/funders",
        data={"_csrf_token": csrf_of(funders.text), "name": "Fondazione Nord", "kind": "foundation"},
    )
    funders = admin.get("/app/admin/funders")
    funder_id = re.findall(r'id="funder-(\d+)"', funders.text)[-1]
    grant = admin.post(
        f"/app/admin/funders/{funder_id}/grants",
        data={
            "_csrf_token": csrf_of(funders.text),
            "organisation_id": str(web.world.org_a),
            "title": "Doposcuola",
            "amount": "12.500,50",
            "outcome_based": "yes",
        },
    )
    assert grant.status_code == 303
    assert (
        "12.500\xa0€" in admin.get("/app/admin/funders").text
        or "12.501\xa0€" in admin.get("/app/admin/funders").text
    )

    owner = live_server.client()
    sign_in(owner, "owner_a@example.org")
    for path in ("/app/admin", "/app/admin/organisations", "/app/admin/people", "/app/admin/funders"):
        assert owner.get(path).status_code == 403, path
    assert yaml is not None


def test_an_editor_flags_a_response_out_of_the_kpis_and_takes_the_flag_back(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    collect_responses(live_server.engine, web, count=8, wave=None)
    editor = live_server.client()
    sign_in(editor, "editor_a@example.org")
    table = editor.get(f"/app/projects/{web.world.project_a}/responses")
    response_id = re.findall(r'data-response-id="(\d+)"', table.text)[0]
    page = editor.get(f"/app/responses/{response_id}")
    assert 'id="flag-form"' in page.text and "Questa risposta conta negli indicatori." in page.text

    nothing = editor.post(
        f"/app/responses/{response_id}/flags", data={"_csrf_token": csrf_of(page.text), "kind": "spam"}
    )
    assert nothing.status_code == 422 and 'id="e-kind"' in nothing.text, "an unknown kind is named"
    flagged = editor.post(
        f"/app/responses/{response_id}/flags",
        data={"_csrf_token": csrf_of(page.text), "kind": "test_answer", "note": "a trial run"},
    )
    assert flagged.status_code == 303
    page = editor.get(flagged.headers["location"])
    assert "Gli indicatori lasciano fuori questa risposta: risposta di prova." in page.text
    assert "a trial run" in page.text
    again = editor.post(
        f"/app/responses/{response_id}/flags",
        data={"_csrf_token": csrf_of(page.text), "kind": "test_answer"},
    )
    assert again.status_code == 422, "flagged once is enough, and the page says so"
    table = editor.get(f"/app/projects/{web.world.project_a}/responses")
    assert table.text.count('data-left-out="test_answer"') == 1
    kpi = editor.get(f"/app/projects/{web.world.project_a}/kpis/beneficiary_satisfaction")
    assert "1 · escluse dall&#39;organizzazione: risposta di prova" in kpi.text, "the KPI says what it left out"

    viewer = live_server.client()
    sign_in(viewer, "viewer_a@example.org")
    seen = viewer.get(f"/app/responses/{response_id}")
    assert seen.status_code == 200 and 'id="flag-form"' not in seen.text, "a viewer reads, does not flag"
    flag_id = re.findall(r'data-flag-id="(\d+)"', seen.text)[0]
    refused = viewer.post(
        f"/app/responses/{response_id}/flags/{flag_id}/withdraw", data={"_csrf_token": csrf_of(seen.text)}
    )
    assert refused.status_code == 403
    other = live_server.client()
    sign_in(other, "owner_b@example.org")
    hidden = other.post(
        f"/app/responses/{response_id}/flags",
        data={"_csrf_token": csrf_of(other.get("/app").text), "kind": "test_answer"},
    )
    assert hidden.status_code == 404, "another organisation's response does not exist for it"

    withdrawn = editor.post(
        f"/app/responses/{response_id}/flags/{flag_id}/withdraw", data={"_csrf_token": csrf_of(page.text)}
    )
    assert withdrawn.status_code == 303
    assert "Questa risposta conta negli indicatori." in editor.get(withdrawn.headers["location"]).text
