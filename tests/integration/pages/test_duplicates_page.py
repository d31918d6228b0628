"""The possible-duplicates page over real HTTP, on SQLite and PostgreSQL: a project where one
participant answered twice (once by the survey link, once in an imported file) lists the set with
the answers that differ marked; the editor chooses one after a confirmation, and the KPI moves as
a count made here from the answers says; viewers read but cannot choose; nobody else sees it."""

from __future__ import annotations

import re
import uuid
from statistics import mean
from typing import Any

import httpx

from impactkit.store import links
from impactkit.store.db import session_scope
from impactkit.store.imports import IMPORT_SOURCE
from impactkit.store.surveys import Submission, store_responses
from tests.conftest import LiveServer
from tests.integration.pages.web import WebWorld, build_web_world, collect_responses, csrf_of, sign_in
from tests.integration.surveys.test_responses_api import beneficiary_answers

TWICE = "TO-0100"


def _store(live_server: LiveServer, web: WebWorld, answers: dict[str, Any], source: str) -> str:
    instance_id = str(uuid.uuid4())
    with session_scope(live_server.engine) as session:
        [result] = store_responses(
            session,
            [
                Submission(
                    instance_id=instance_id,
                    form_id="beneficiary_outcomes",
                    form_version="2026.1",
                    project_id=web.world.project_a,
                    period_id=web.world.period_a,
                    wave="endline",
                    answers=answers,
                    source=source,
                )
            ],
            allowed_organisations=None,
        )
    assert result.status == "stored", result.errors
    return instance_id


def project_with_a_duplicate(live_server: LiveServer) -> tuple[WebWorld, str, str]:
    """Eight endline answers (satisfaction 3, 4, 5, 3 …), then one participant twice: by the survey
    link (satisfaction 1) and, later, in an imported file (satisfaction 5, other wellbeing)."""
    web = build_web_world(live_server.engine, live_server.settings, label="Centro diurno")
    collect_responses(live_server.engine, web, count=8, wave="endline")
    first = _store(
        live_server,
        web,
        beneficiary_answers(respondent_code=TWICE, satisfaction="1", wellbeing="2"),
        links.link_source(web.link_id),
    )
    second = _store(
        live_server,
        web,
        beneficiary_answers(respondent_code=TWICE, satisfaction="5", wellbeing="4"),
        IMPORT_SOURCE,
    )
    return web, first, second


OTHERS = [3 + index % 3 for index in range(8)]
"""The satisfaction of the eight other participants, as collect_responses writes it."""


def _satisfaction(live_server: LiveServer, web: WebWorld) -> dict[str, Any]:
    viewer = live_server.client(web.world.tokens["viewer_a"])
    answer = viewer.get(
        f"/api/v1/projects/{web.world.project_a}/kpis", params={"period_id": web.world.period_a}
    )
    assert answer.status_code == 200, answer.text
    return next(r for r in answer.json()["results"] if r["indicator_id"] == "beneficiary_satisfaction")


def _signed_in(live_server: LiveServer, email: str) -> httpx.Client:
    client = live_server.client()
    assert sign_in(client, email).status_code == 303
    return client


def test_an_editor_compares_a_duplicate_set_and_chooses_the_answer_that_counts(
    live_server: LiveServer,
) -> None:
    web, first, second = project_with_a_duplicate(live_server)
    project = web.world.project_a
    url = f"/app/projects/{project}/duplicates"
    editor = _signed_in(live_server, "editor_a@example.org")

    # The way in: from the project and from the responses table, with how many wait.
    assert (
        f'href="{url}" id="duplicates-tab">Possibili duplicati: 1 da scegliere'
        in editor.get(f"/app/projects/{project}").text
    )
    assert (
        f'<a href="{url}">Possibili duplicati: 1 da scegliere'
        in editor.get(f"/app/projects/{project}/responses").text
    )

    page = editor.get(url)
    assert page.status_code == 200
    [section] = re.findall(r'<section class="dup-set".*?</section>', page.text, re.S)
    assert 'data-kind="duplicate_code"' in section and 'data-status="open"' in section
    assert section.index(first) < section.index(second), "side by side in the order they arrived"
    assert "link «Centro diurno»" in section and "importata da file" in section
    assert re.search(r'<tr class="differs" data-field="satisfaction">', section)
    assert re.search(r'<tr class="differs" data-field="wellbeing">', section)
    assert re.search(r'<tr class="same" data-field="gender">', section)
    assert '<tr class="same" data-field="respondent_code">' in section
    assert "2 risposte diverse su" in section
    assert section.count('data-counts="yes"') == 1, "until a choice the latest counts"
    assert section.count('name="keep"') == 2, "one code: one answer counts, no 'keep all'"

    # Until a choice the latest (satisfaction 5) counts, as the page says.
    before = _satisfaction(live_server, web)
    assert before["n"] == 9 and abs(before["value"] - mean([*OTHERS, 5])) < 1e-9

    set_key = re.findall(r'data-set-key="([^"]+)"', section)[0]
    choose = f"{url}/{set_key}/choose"
    token = csrf_of(page.text)
    nothing = editor.post(choose, data={"_csrf_token": token})
    assert nothing.status_code == 422 and "Scegli quale risposta conta." in nothing.text
    nothing = editor.post(choose, data={"_csrf_token": token}, headers={"HX-Request": "true"})
    assert nothing.status_code == 200 and 'id="choice-error"' in nothing.text, "htmx: the mistake in place"
    response_id = re.findall(r'href="/app/responses/(\d+)"', section)[0]
    opened = editor.get(f"/app/responses/{response_id}")
    link = f"/app/projects/{project}/duplicates?set={set_key}"
    assert f'href="{link}#set-{set_key}">Confronta e scegli' in opened.text
    alone = editor.get(link)
    assert alone.text.count('class="dup-set"') == 1 and 'id="one-set"' in alone.text
    assert editor.get(f"/app/projects/{project}/duplicates?set=code-unknown").status_code == 404
    asked = editor.post(choose, data={"_csrf_token": token, "keep": first})
    assert asked.status_code == 200 and 'id="confirm-question"' in asked.text, "asked before anything changes"
    assert "Conta: risposta del" in asked.text and "Lasciata fuori dai KPI: risposta del" in asked.text
    assert _satisfaction(live_server, web)["value"] == before["value"]
    in_place = editor.post(choose, data={"_csrf_token": token, "keep": first}, headers={"HX-Request": "true"})
    assert in_place.status_code == 200 and "<html" not in in_place.text and "data-autofocus" in in_place.text

    done = editor.post(choose, data={"_csrf_token": token, "keep": first, "confirmed": "yes"})
    assert done.status_code == 303 and done.headers["location"].endswith(f"#set-{set_key}")
    page = editor.get(done.headers["location"])
    assert "Scelta registrata: gli indicatori sono ricalcolati." in page.text
    [section] = re.findall(r'<section class="dup-set".*?</section>', page.text, re.S)
    assert 'data-status="decided"' in section and "Scelto da editor_a il" in section
    assert re.search(rf'value="{first}" required checked', section), "the choice shows, to change it"
    assert 'id="none-waiting"' in page.text

    # The KPI follows, as counted here: the first answer (satisfaction 1) instead of the latest.
    after = _satisfaction(live_server, web)
    assert after["n"] == 9 and abs(after["value"] - mean([*OTHERS, 1])) < 1e-9
    assert {e["reason"]: e["count"] for e in after["exclusions"]} == {"excluded:duplicate": 1}

    owner = live_server.client(web.world.tokens["owner_a"])
    [event] = [
        e
        for e in owner.get(f"/api/v1/organisations/{web.world.org_a}/audit").json()
        if e["action"] == "responses.duplicates_chosen"
    ]
    assert event["details"]["counts"] == [first] and event["details"]["excluded"] == [second]

    # Changed again: the other answer counts, and the KPI is back.
    token = csrf_of(page.text)
    again = editor.post(choose, data={"_csrf_token": token, "keep": second, "confirmed": "yes"})
    assert again.status_code == 303
    assert abs(_satisfaction(live_server, web)["value"] - mean([*OTHERS, 5])) < 1e-9


def test_viewers_read_the_duplicates_but_cannot_choose_and_others_do_not_see_them(
    live_server: LiveServer,
) -> None:
    web, first, _ = project_with_a_duplicate(live_server)
    url = f"/app/projects/{web.world.project_a}/duplicates"
    viewer = _signed_in(live_server, "viewer_a@example.org")
    page = viewer.get(url + "?lang=en")
    assert page.status_code == 200 and 'id="read-only"' in page.text
    assert "Possible duplicates" in page.text and 'name="keep"' not in page.text
    set_key = re.findall(r'data-set-key="([^"]+)"', page.text)[0]
    refused = viewer.post(
        f"{url}/{set_key}/choose", data={"_csrf_token": csrf_of(page.text), "keep": first, "confirmed": "yes"}
    )
    assert refused.status_code == 403
    for email in ("owner_b@example.org", "funder_a@example.org", "evaluator@example.org"):
        other = _signed_in(live_server, email)
        assert other.get(url).status_code == 404, email
        posted = other.post(
            f"{url}/{set_key}/choose",
            data={"_csrf_token": csrf_of(other.get("/app").text), "keep": first, "confirmed": "yes"},
        )
        assert posted.status_code == 404, email
    exclusions = _satisfaction(live_server, web)["exclusions"]
    assert {e["reason"]: e["count"] for e in exclusions} == {"duplicate": 1}, "nothing was chosen"


def test_identical_answers_under_two_codes_can_all_be_kept_as_different_people(
    live_server: LiveServer,
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    collect_responses(live_server.engine, web, count=8, wave="endline")
    one = _store(live_server, web, beneficiary_answers(respondent_code="TO-0201", age=61), "api")
    two = _store(live_server, web, beneficiary_answers(respondent_code="TO-0202", age=61), "api")
    assert _satisfaction(live_server, web)["n"] == 9, "until a choice the latest of the two counts"
    editor = _signed_in(live_server, "editor_a@example.org")
    url = f"/app/projects/{web.world.project_a}/duplicates?lang=en"
    page = editor.get(url)
    [section] = re.findall(r'<section class="dup-set".*?</section>', page.text, re.S)
    assert 'data-kind="double_entry"' in section
    assert '<tr class="differs" data-field="respondent_code">' in section
    assert "They are different people: all count" in section
    set_key = re.findall(r'data-set-key="([^"]+)"', section)[0]
    done = editor.post(
        f"/app/projects/{web.world.project_a}/duplicates/{set_key}/choose?lang=en",
        data={"_csrf_token": csrf_of(page.text), "keep": "all", "confirmed": "yes"},
    )
    assert done.status_code == 303
    assert _satisfaction(live_server, web)["n"] == 10
    decided = editor.get(url)
    assert re.search(r'value="all" required checked', decided.text)
    assert one in decided.text and two in decided.text
