"""Duplicates are flagged when they arrive, the organisation chooses which answer counts, and a person
can set a response aside (test answer, suspected duplicate); KPIs follow and say so."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import LiveServer
from tests.factories import World
from tests.integration.surveys.test_responses_api import beneficiary_answers, setup, submission


def _send(live_server: LiveServer, world: World, wave: str, **answers: Any) -> str:
    editor = live_server.client(world.tokens["editor_a"])
    body = submission(world, wave=wave, instance_id=str(uuid.uuid4()), answers=beneficiary_answers(**answers))
    answer = editor.post("/api/v1/responses", json=body)
    assert answer.status_code == 201, answer.text
    return str(body["instance_id"])


def _kpi(live_server: LiveServer, world: World, indicator_id: str) -> dict[str, Any]:
    viewer = live_server.client(world.tokens["viewer_a"])
    answer = viewer.get(f"/api/v1/projects/{world.project_a}/kpis", params={"period_id": world.period_a})
    assert answer.status_code == 200, answer.text
    return next(r for r in answer.json()["results"] if r["indicator_id"] == indicator_id)


def test_a_code_answering_twice_is_flagged_the_latest_counts_until_the_organisation_chooses(
    live_server: LiveServer,
) -> None:
    world = setup(live_server)
    for number in range(6):
        _send(
            live_server, world, "endline", respondent_code=f"AUR-{number}", satisfaction=str(1 + number % 5), age=20 + number
        )
    first = _send(live_server, world, "endline", respondent_code="AUR-9", satisfaction="1", age=40)
    again = _send(live_server, world, "endline", respondent_code="AUR-9", satisfaction="5", age=40)
    viewer = live_server.client(world.tokens["viewer_a"])
    [duplicate] = viewer.get(f"/api/v1/projects/{world.project_a}/flags", params={"open_only": True}).json()
    assert duplicate["kind"] == "duplicate_code" and duplicate["status"] == "open"
    assert [r["instance_id"] for r in duplicate["responses"]] == [first, again]
    assert {r["status"] for r in duplicate["responses"]} == {"open"}

    # Until a choice, the latest answer counts (satisfaction 5) and the KPI says one was left out.
    satisfaction = _kpi(live_server, world, "beneficiary_satisfaction")
    assert satisfaction["n"] == 7
    assert satisfaction["value"] == (1 + 2 + 3 + 4 + 5 + 1 + 5) / 7
    assert {e["reason"]: e["count"] for e in satisfaction["exclusions"]} == {"duplicate": 1}

    editor = live_server.client(world.tokens["editor_a"])
    refused = editor.post(
        f"/api/v1/projects/{world.project_a}/duplicates/{duplicate['set_key']}/choose",
        json={"keep": [first, again]},
    )
    assert refused.status_code == 422
    assert "exactly one answer can count" in refused.text
    assert (
        viewer.post(
            f"/api/v1/projects/{world.project_a}/duplicates/{duplicate['set_key']}/choose", json={"keep": [first]}
        ).status_code
        == 403
    )
    chosen = editor.post(
        f"/api/v1/projects/{world.project_a}/duplicates/{duplicate['set_key']}/choose", json={"keep": [first]}
    )
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["status"] == "decided"
    assert {r["instance_id"]: r["status"] for r in chosen.json()["responses"]} == {
        first: "counts",
        again: "excluded",
    }
    satisfaction = _kpi(live_server, world, "beneficiary_satisfaction")
    assert satisfaction["value"] == (1 + 2 + 3 + 4 + 5 + 1 + 1) / 7
    assert {e["reason"]: e["count"] for e in satisfaction["exclusions"]} == {"excluded:duplicate": 1}
    assert viewer.get(f"/api/v1/projects/{world.project_a}/flags", params={"open_only": True}).json() == []

    owner = live_server.client(world.tokens["owner_a"])
    events = owner.get(f"/api/v1/organisations/{world.org_a}/audit").json()
    assert any(e["action"] == "responses.duplicates_chosen" for e in events)


def test_identical_answers_under_two_codes_within_minutes_are_a_possible_double_entry(
    live_server: LiveServer,
) -> None:
    world = setup(live_server)
    for number in range(5):
        _send(live_server, world, "endline", respondent_code=f"AUR-{number}", age=20 + number)
    one = _send(live_server, world, "endline", respondent_code="AUR-50", age=61)
    two = _send(live_server, world, "endline", respondent_code="AUR-51", age=61)
    viewer = live_server.client(world.tokens["viewer_a"])
    [entry] = viewer.get(f"/api/v1/projects/{world.project_a}/flags").json()
    assert entry["kind"] == "double_entry" and entry["status"] == "open"
    assert {r["instance_id"] for r in entry["responses"]} == {one, two}
    satisfaction = _kpi(live_server, world, "beneficiary_satisfaction")
    assert satisfaction["n"] == 6
    assert {e["reason"]: e["count"] for e in satisfaction["exclusions"]} == {"excluded:possible_double_entry": 1}
    # Not a double entry after all: both count.
    editor = live_server.client(world.tokens["editor_a"])
    chosen = editor.post(
        f"/api/v1/projects/{world.project_a}/duplicates/{entry['set_key']}/choose", json={"keep": [one, two]}
    )
    assert chosen.status_code == 200, chosen.text
    assert _kpi(live_server, world, "beneficiary_satisfaction")["n"] == 7


def test_a_person_flags_a_test_answer_out_of_the_kpis_and_can_withdraw_it(live_server: LiveServer) -> None:
    world = setup(live_server)
    for number in range(6):
        _send(live_server, world, "endline", respondent_code=f"AUR-{number}", age=30 + number)
    test = _send(live_server, world, "endline", respondent_code="PROVA-1", satisfaction="1", age=99)
    editor = live_server.client(world.tokens["editor_a"])
    flagged = editor.post(f"/api/v1/responses/{test}/flags", json={"kind": "test_answer", "note": "mia prova"})
    assert flagged.status_code == 201, flagged.text
    flag = flagged.json()
    assert (flag["kind"], flag["status"]) == ("test_answer", "excluded")
    again = editor.post(f"/api/v1/responses/{test}/flags", json={"kind": "test_answer"})
    assert again.status_code == 409
    bad = editor.post(f"/api/v1/responses/{test}/flags", json={"kind": "spam"})
    assert bad.status_code in (400, 422) and "kind" in bad.text
    satisfaction = _kpi(live_server, world, "beneficiary_satisfaction")
    assert satisfaction["n"] == 6
    assert {e["reason"]: e["count"] for e in satisfaction["exclusions"]} == {"excluded:test_answer": 1}
    viewer = live_server.client(world.tokens["viewer_a"])
    [listed] = viewer.get(f"/api/v1/responses/{test}/flags").json()
    assert listed["kind"] == "test_answer" and listed["note"] == "mia prova"
    other = live_server.client(world.tokens["owner_b"])
    assert other.get(f"/api/v1/responses/{test}/flags").status_code == 404
    withdrawn = editor.post(f"/api/v1/responses/{test}/flags/{flag['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert _kpi(live_server, world, "beneficiary_satisfaction")["n"] == 7
    owner = live_server.client(world.tokens["owner_a"])
    actions = [e["action"] for e in owner.get(f"/api/v1/organisations/{world.org_a}/audit").json()]
    assert "response.flagged" in actions and "response.flag_withdrawn" in actions
