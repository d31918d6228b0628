"""A respondent answers a survey link over real HTTP, without JavaScript: the server judges each step."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import Session, select

from impactkit.store.tables import SurveyResponse
from tests.conftest import LiveServer
from tests.integration.pages.web import build_web_world, csrf_of, hidden

COMPLETE = {
    "consent": "yes",
    "respondent_code": "TO-0042",
    "gender": "female",
    "age": "34",
    "territory_type": "mountain",
    "vulnerable_conditions": ["unemployment", "low_income"],
    "employment_status": "unemployed",
    "months_unemployed": "8",
    "wellbeing": "4",
    "autonomy": "3",
    "social_connections": "4",
    "satisfaction": "5",
    "would_recommend": "yes",
}


def _block(html: str, name: str) -> str:
    match = re.search(rf'<(div|fieldset|p) class="q[^"]*" data-name="{name}"[^>]*>', html)
    assert match, f"no question {name} on the page"
    return match[0]


def _visible(html: str, name: str) -> bool:
    return " hidden" not in _block(html, name)


def _post(client: httpx.Client, token: str, page: str, answers: dict[str, object]) -> httpx.Response:
    data: dict[str, object] = {
        "_csrf_token": csrf_of(page),
        "_ik_instance": hidden(page, "_ik_instance"),
        "_ik_shown": hidden(page, "_ik_shown"),
        "_ik_lang": hidden(page, "_ik_lang"),
        **answers,
    }
    return client.post(f"/s/{token}", data=data)


def _stored(live_server: LiveServer) -> list[SurveyResponse]:
    with Session(live_server.engine) as session:
        return list(session.exec(select(SurveyResponse)).all())


def test_a_fresh_link_asks_for_consent_first_in_italian(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    page = live_server.client().get(f"/s/{web.token}")
    assert page.status_code == 200
    assert '<html lang="it">' in page.text
    assert "Acconsenti a rispondere" in page.text
    assert _visible(page.text, "consent")
    for later in ("respondent_code", "age", "months_unemployed"):
        assert not _visible(page.text, later)
    assert hidden(page.text, "_ik_shown") == "consent"


def test_english_is_chosen_by_query_and_kept_in_a_cookie(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    english = client.get(f"/s/{web.token}?lang=en")
    assert '<html lang="en">' in english.text
    assert "Do you agree to answer this questionnaire?" in english.text
    assert client.cookies.get("lang") == "en"
    again = client.get(f"/s/{web.token}")
    assert '<html lang="en">' in again.text


def test_without_javascript_the_server_shows_each_step_and_stores_once(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    page = client.get(f"/s/{web.token}").text

    step = _post(client, web.token, page, {"consent": "yes"})
    assert step.status_code == 200
    assert "Ci sono altre domande" in step.text
    assert _visible(step.text, "age") and _visible(step.text, "respondent_code")
    assert not _visible(step.text, "months_unemployed")
    assert 'class="error"' not in step.text, "questions not yet seen are not marked as errors"

    answers = {**COMPLETE, "age": "7"}
    del answers["months_unemployed"]
    opened = _post(client, web.token, step.text, answers)
    assert opened.status_code == 200, "being unemployed opens a question the respondent has not seen yet"
    assert _visible(opened.text, "months_unemployed")

    wrong = _post(client, web.token, opened.text, {**COMPLETE, "age": "7"})
    assert wrong.status_code == 422
    assert "L&#39;età deve essere compresa tra 14 e 110 anni." in wrong.text
    assert 'aria-invalid="true"' in _age_input(wrong.text)
    assert _stored(live_server) == []

    done = _post(client, web.token, wrong.text, COMPLETE)
    assert done.status_code == 303
    assert "status=stored" in done.headers["location"]
    twice = _post(client, web.token, wrong.text, COMPLETE)
    assert twice.status_code == 303
    assert "status=already_stored" in twice.headers["location"]

    [row] = _stored(live_server)
    assert row.instance_id == hidden(page, "_ik_instance")
    assert row.answers is not None
    assert row.answers["age"] == 34
    assert row.answers["months_unemployed"] == 8
    assert sorted(row.answers["vulnerable_conditions"]) == ["low_income", "unemployment"]
    assert (row.project_id, row.period_id, row.wave) == (web.world.project_a, web.world.period_a, "baseline")
    assert row.source == f"link:{web.link_id}"
    thanks = client.get(done.headers["location"])
    assert "Grazie!" in thanks.text


def _age_input(html: str) -> str:
    match = re.search(r'<input id="f-age"[^>]*>', html)
    assert match
    return match[0]


def test_answers_to_questions_that_are_not_relevant_are_not_kept(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    page = client.get(f"/s/{web.token}").text
    answers = {**COMPLETE, "employment_status": "employed"}
    seen = [
        "consent",
        "respondent_code",
        "gender",
        "age",
        "territory_type",
        "municipality",
        "vulnerable_conditions",
        "education_level",
        "employment_status",
        "months_in_programme",
        "wellbeing",
        "autonomy",
        "social_connections",
        "satisfaction",
        "would_recommend",
        "comments",
    ]
    shown = " ".join(seen)
    response = client.post(
        f"/s/{web.token}",
        data={
            "_csrf_token": csrf_of(page),
            "_ik_instance": hidden(page, "_ik_instance"),
            "_ik_shown": shown,
            **answers,
        },
    )
    assert response.status_code == 303
    [row] = _stored(live_server)
    assert row.answers is not None
    assert "months_unemployed" not in row.answers


def test_a_post_without_the_csrf_token_is_refused(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    page = client.get(f"/s/{web.token}").text
    response = client.post(f"/s/{web.token}", data={"_ik_instance": hidden(page, "_ik_instance"), **COMPLETE})
    assert response.status_code == 403
    assert "La pagina è scaduta. Ricaricala" in response.text
    assert _stored(live_server) == []


def test_a_closed_link_shows_a_friendly_page_with_410(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    page = client.get(f"/s/{web.token}").text
    from impactkit.store import links
    from impactkit.store.db import session_scope

    with session_scope(live_server.engine) as session:
        links.close_link(session, web.link_id)
    closed = client.get(f"/s/{web.token}")
    assert closed.status_code == 410
    assert "Questo questionario è chiuso" in closed.text
    late = _post(client, web.token, page, COMPLETE)
    assert late.status_code == 410
    assert _stored(live_server) == []


def test_an_expired_link_shows_a_friendly_page_with_410(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    from impactkit.store.db import session_scope
    from impactkit.store.tables import SurveyLink

    with session_scope(live_server.engine) as session:
        link = session.get(SurveyLink, web.link_id)
        assert link is not None
        link.closes_at = datetime.now(UTC) - timedelta(minutes=1)
        session.add(link)
    response = live_server.client().get(f"/s/{web.token}?lang=en")
    assert response.status_code == 410
    assert "The time to answer this survey is over" in response.text


def test_a_full_link_takes_no_more_answers(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings, max_responses=1)
    first = live_server.client()
    page = first.get(f"/s/{web.token}").text
    shown_all = _post(first, web.token, page, {"consent": "yes"}).text
    opened = _post(first, web.token, shown_all, COMPLETE).text
    assert _post(first, web.token, opened, COMPLETE).status_code == 303
    second = live_server.client().get(f"/s/{web.token}")
    assert second.status_code == 410
    assert "ha raccolto tutte le risposte previste" in second.text


def test_an_unknown_token_is_a_friendly_404(live_server: LiveServer) -> None:
    build_web_world(live_server.engine, live_server.settings)
    response = live_server.client().get("/s/not-a-real-token")
    assert response.status_code == 404
    assert "Questo link non è valido" in response.text


def test_the_same_page_sent_again_with_changed_answers_keeps_the_first_ones(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    page = client.get(f"/s/{web.token}").text
    step = _post(client, web.token, page, {"consent": "yes"}).text
    opened = _post(client, web.token, step, COMPLETE).text
    assert _post(client, web.token, opened, COMPLETE).status_code == 303
    changed = _post(client, web.token, opened, {**COMPLETE, "age": "35"})
    assert changed.status_code == 303
    assert "status=already_stored" in changed.headers["location"]
    [row] = _stored(live_server)
    assert row.answers is not None and row.answers["age"] == 34
