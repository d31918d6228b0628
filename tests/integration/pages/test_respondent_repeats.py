"""A respondent answers a household survey over real HTTP without JavaScript: entries of a repeat
are added and removed by the server (removing asks first), a repeat_count sets their number, the
answers to one repeat are the choices of a later question, a location is written by hand, every
language of the form can be chosen, and a form the page cannot take is refused naming the question."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from sqlmodel import Session, select

from impactkit.store import links
from impactkit.store.db import session_scope
from impactkit.store.surveys import publish_form
from impactkit.store.tables import SurveyResponse
from impactkit.surveys import load_xlsform
from tests.conftest import LiveServer
from tests.factories import World, build_world
from tests.integration.pages.web import csrf_of, hidden
from tests.unit.surveys.conftest import build_xlsform

HEADER = ["type", "name", "label::Italiano (it)", "label::English (en)", "label::Français (fr)", "relevant",
          "constraint", "required", "repeat_count"]
HOUSEHOLD = [
    HEADER,
    ["begin repeat", "member", "Componente", "Member", "Membre"],
    ["text", "member_name", "Nome", "Name", "Prénom", "", "", "yes"],
    ["integer", "member_age", "Età", "Age", "Âge", "", ". < 120"],
    ["text", "school", "Scuola", "School", "École", "${member_age} < 18"],
    ["end repeat"],
    ["select_one ${member_name}", "head", "Capofamiglia", "Head of household", "Chef de famille", "", "", "yes"],
    ["geopoint", "home", "Casa", "Home", "Maison"],
    ["integer", "n_visits", "Visite", "Visits", "Visites"],
    ["begin repeat", "visit", "Visita", "Visit", "Visite", "", "", "", "${n_visits}"],
    ["date", "visit_day", "Giorno", "Day", "Jour"],
    ["end repeat"],
]
SETTINGS = [["form_id", "version", "default_language"], ["household_visit", "1", "Italiano (it)"]]
RANKED = [
    ["type", "name", "label"],
    ["text", "name", "Your name"],
    ["rank priorities", "order", "Put these in order"],
]
PRIORITIES = [["list_name", "name", "label"], ["priorities", "home", "A home"], ["priorities", "work", "Work"]]


@dataclass
class Link:
    world: World
    token: str


def link_for(
    live_server: LiveServer,
    survey: list[list[Any]],
    settings: list[list[Any]],
    choices: list[list[Any]] | None = None,
) -> Link:
    world = build_world(live_server.engine)
    workbook = build_xlsform(survey, choices, settings)
    form = load_xlsform(workbook, "form.xlsx")
    with session_scope(live_server.engine) as session:
        version, _ = publish_form(session, form, organisation_id=world.org_a, source=workbook)
        assert version.id is not None
        _, token = links.create_link(
            session,
            secret_key=live_server.settings.secret_key,
            project_id=world.project_a,
            form_version_id=version.id,
            created_by=world.users["owner_a"],
        )
    return Link(world, token)


def page_state(html: str) -> dict[str, Any]:
    """What a browser would post back: the hidden fields and every input's current value."""
    data: dict[str, Any] = {"_csrf_token": csrf_of(html)}
    for name in ("_ik_instance", "_ik_shown", "_ik_lang"):
        data[name] = hidden(html, name)
    for name in ("_ik_entry", "_ik_repeat"):
        data[name] = re.findall(rf'name="{name}" value="([^"]*)"', html)
    for name, value in re.findall(r'<input id="f-[^"]*" name="([^"]+)" value="([^"]*)"', html):
        if value:
            data[name] = value
    for name, value in re.findall(r'<input type="(?:radio|checkbox)" name="([^"]+)" value="([^"]*)" checked', html):
        data.setdefault(name, []).append(value)
    return data


def entries(html: str) -> list[str]:
    return re.findall(r'name="_ik_entry" value="([^"]*)"', html)


def test_a_household_is_answered_entry_by_entry_without_javascript(live_server: LiveServer) -> None:
    link = link_for(live_server, HOUSEHOLD, SETTINGS)
    client = live_server.client()
    page = client.get(f"/s/{link.token}").text
    assert '<html lang="it">' in page
    assert entries(page) == ["member/0"], "a repeat starts with one entry"
    assert "visit/0" not in page, "the number of visits is not known yet: none"
    assert 'name="_ik_add" value="member"' in page
    assert 'name="_ik_add" value="visit"' not in page, "repeat_count fixes the number of visits"

    def post(html: str, **answers: Any) -> httpx.Response:
        return client.post(f"/s/{link.token}", data={**page_state(html), **answers})

    added = post(page, **{"member/0/member_name": "Ana", "member/0/member_age": "34", "_ik_add": "member"})
    assert added.status_code == 200
    assert entries(added.text) == ["member/0", "member/1"]
    assert 'value="Ana"' in added.text, "what was written stays"
    assert re.search(r'id="f-member-1-member_name"[^>]*autofocus', added.text)

    filled = post(added.text, **{"member/1/member_name": "Bia", "member/1/member_age": "7", "_ik_add": "member"})
    assert entries(filled.text) == ["member/0", "member/1", "member/2"]
    asking = post(filled.text, **{"member/2/member_name": "Zoe", "_ik_remove": "member/2"})
    assert "Vuoi togliere «Componente 3»?" in asking.text, "removing asks first"
    assert entries(asking.text) == ["member/0", "member/1", "member/2"]
    removed = post(asking.text, _ik_remove_confirmed="member/2")
    assert entries(removed.text) == ["member/0", "member/1"]
    assert "Zoe" not in removed.text

    step = post(removed.text, n_visits="2", home="45.0703 7.6869")
    assert step.status_code == 200, "two visits appear: questions not seen yet"
    assert entries(step.text) == ["member/0", "member/1", "visit/0", "visit/1"]
    head = re.search(r'<fieldset class="q[^"]*" data-name="head".*?</fieldset>', step.text, re.S)
    assert head and 'value="Ana"' in head[0] and 'value="Bia"' in head[0], "the members are the choices"
    assert re.search(r'data-name="member/1/school"(?![^>]*hidden)', step.text), "a child is asked for a school"
    assert re.search(r'data-name="member/0/school"[^>]*hidden', step.text)

    wrong = post(step.text, head="Ana", **{"member/0/member_age": "150", "visit/0/visit_day": "2026-03-01",
                                          "visit/1/visit_day": "2026-03-08", "member/1/school": "Rodari"})
    assert wrong.status_code == 422
    assert re.search(r'id="f-member-0-member_age"[^>]*aria-invalid="true"', wrong.text)
    assert 'id="e-member-0-member_age"' in wrong.text

    done = post(wrong.text, **{"member/0/member_age": "34"})
    assert done.status_code == 303, done.text[:2000]
    with Session(live_server.engine) as session:
        [row] = session.exec(select(SurveyResponse)).all()
    assert row.answers == {
        "member": [
            {"member_name": "Ana", "member_age": 34},
            {"member_name": "Bia", "member_age": 7, "school": "Rodari"},
        ],
        "head": "Ana",
        "home": "45.0703 7.6869 0 0",
        "n_visits": 2,
        "visit": [{"visit_day": "2026-03-01"}, {"visit_day": "2026-03-08"}],
    }


def test_every_language_of_the_form_can_be_chosen(live_server: LiveServer) -> None:
    link = link_for(live_server, HOUSEHOLD, SETTINGS)
    client = live_server.client()
    italian = client.get(f"/s/{link.token}").text
    assert 'hreflang="en"' in italian and 'hreflang="fr"' in italian and 'hreflang="it"' not in italian
    assert ">Français</a>" in italian and ">English</a>" in italian
    english = client.get(f"/s/{link.token}?lang=en").text
    assert '<html lang="en">' in english and 'class="questions" lang=' not in english
    assert ">Head of household <abbr" in english
    french = client.get(f"/s/{link.token}?lang=fr").text
    assert '<html lang="en">' in french, "impactkit's own words are in English for a language it does not speak"
    assert '<div class="questions" lang="fr">' in french
    assert ">Chef de famille <abbr" in french
    assert hidden(french, "_ik_lang") == "fr"


def test_a_form_with_a_question_the_page_cannot_take_is_refused_naming_it(live_server: LiveServer) -> None:
    link = link_for(live_server, RANKED, [["form_id", "version"], ["ranked", "1"]], PRIORITIES)
    page = live_server.client().get(f"/s/{link.token}?lang=en")
    assert page.status_code == 501, page.text[:3000]
    assert "the question «Put these in order» (order) needs a data collection app" in page.text
