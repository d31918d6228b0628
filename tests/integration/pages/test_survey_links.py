"""Staff create, copy and close survey links, in the pages and through the JSON API (editors and owners)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from impactkit.formats import Formats
from tests.conftest import LiveServer
from tests.integration.pages.web import build_web_world, csrf_of, sign_in


def _links_in(html: str) -> list[str]:
    return re.findall(r'data-copy="([^"]+/s/[^"]+)"', html)


def test_an_editor_creates_a_link_that_opens_the_survey_and_closes_it(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    sign_in(client, "editor_a@example.org")
    project = client.get(f"/app/projects/{web.world.project_a}")
    assert len(_links_in(project.text)) == 1
    closes_on = (date.today() + timedelta(days=10)).isoformat()
    created = client.post(
        f"/app/projects/{web.world.project_a}/links",
        data={
            "_csrf_token": csrf_of(project.text),
            "form_version_id": str(web.form_version_id),
            "period_id": str(web.world.period_a),
            "wave": "endline",
            "label": "Endline 2026",
            "closes_on": closes_on,
            "max_responses": "50",
        },
    )
    assert created.status_code == 303
    page = client.get(created.headers["location"])
    assert "Link creato." in page.text
    urls = _links_in(page.text)
    assert len(urls) == 2
    newest = urls[0]
    assert newest.startswith(live_server.settings.public_base_url + "/s/")
    shown_day = Formats("it").date(date.today() + timedelta(days=10))
    assert "Endline 2026" in page.text and shown_day in page.text and "0 / 50" in page.text
    path = newest[len(live_server.settings.public_base_url) :]
    respondent = live_server.client()
    assert respondent.get(path).status_code == 200

    link_id = re.findall(r'data-link-id="(\d+)"', page.text)[0]
    asked = client.post(f"/app/links/{link_id}/close", data={"_csrf_token": csrf_of(page.text)})
    assert asked.status_code == 200, "closing asks first"
    assert 'id="confirm-question"' in asked.text and "Endline 2026" in asked.text
    assert respondent.get(path).status_code == 200, "nothing closed before the answer"
    closed = client.post(
        f"/app/links/{link_id}/close", data={"_csrf_token": csrf_of(asked.text), "confirmed": "yes"}
    )
    assert closed.status_code == 303
    assert respondent.get(path).status_code == 410
    again = client.get(f"/app/projects/{web.world.project_a}")
    assert _links_in(again.text)[0] == newest, "a closed link can still be copied: the same token"


def test_a_viewer_sees_links_but_cannot_create_or_close_them(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    sign_in(client, "viewer_a@example.org")
    page = client.get(f"/app/projects/{web.world.project_a}")
    assert page.status_code == 200
    assert f'action="/app/projects/{web.world.project_a}/links"' not in page.text
    refused = client.post(
        f"/app/projects/{web.world.project_a}/links",
        data={"_csrf_token": csrf_of(page.text), "form_version_id": str(web.form_version_id)},
    )
    assert refused.status_code == 403
    refused_close = client.post(f"/app/links/{web.link_id}/close", data={"_csrf_token": csrf_of(page.text)})
    assert refused_close.status_code == 403


def test_another_organisation_does_not_see_the_project(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    sign_in(client, "owner_b@example.org")
    page = client.get(f"/app/projects/{web.world.project_a}")
    assert page.status_code == 404
    assert web.token not in page.text
    assert client.get(f"/app/organisations/{web.world.org_a}").status_code == 404


def test_the_links_api_lists_creates_and_closes_with_a_token(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    editor = live_server.client(web.world.tokens["editor_a"])
    listed = editor.get(f"/api/v1/projects/{web.world.project_a}/links")
    assert listed.status_code == 200
    [existing] = listed.json()
    assert existing["id"] == web.link_id
    assert existing["url"].endswith(f"/s/{web.token}")
    assert (existing["status"], existing["responses"], existing["wave"]) == ("open", 0, "baseline")

    closes_at = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    created = editor.post(
        f"/api/v1/projects/{web.world.project_a}/links",
        json={
            "form_version_id": web.form_version_id,
            "wave": "endline",
            "max_responses": 2,
            "closes_at": closes_at.isoformat(),
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["form_id"] == "beneficiary_outcomes"
    assert body["max_responses"] == 2
    assert datetime.fromisoformat(body["closes_at"]) == closes_at
    assert live_server.client().get(f"/s/{body['token']}").status_code == 200

    closed = editor.post(f"/api/v1/links/{body['id']}/close")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert live_server.client().get(f"/s/{body['token']}").status_code == 410


def test_the_links_api_refuses_bad_input_naming_each_field(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    editor = live_server.client(web.world.tokens["editor_a"])
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    response = editor.post(
        f"/api/v1/projects/{web.world.project_a}/links",
        json={"form_version_id": 999_999, "period_id": web.world.period_b, "closes_at": past},
    )
    assert response.status_code == 422
    locations = {error["location"] for error in response.json()["errors"]}
    assert locations == {"form_version_id", "period_id", "closes_at"}


def test_the_links_api_is_for_editors_of_the_organisation(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    url = f"/api/v1/projects/{web.world.project_a}/links"
    assert live_server.client().get(url).status_code == 401
    assert live_server.client(web.world.tokens["viewer_a"]).get(url).status_code == 403
    assert live_server.client(web.world.tokens["owner_b"]).get(url).status_code == 404
    assert live_server.client(web.world.tokens["funder_a"]).get(url).status_code == 404
    assert (
        live_server.client(web.world.tokens["owner_b"]).post(f"/api/v1/links/{web.link_id}/close").status_code
        == 404
    )
    assert live_server.client(web.world.tokens["owner_a"]).get(url).status_code == 200


def test_the_confirmation_page_posts_back_every_value_of_a_name_sent_several_times(
    live_server: LiveServer,
) -> None:
    """Without JavaScript, "are you sure?" re-posts the form as it came: several ticked boxes
    under one name go back as several values, not as one (or as the text of a list)."""
    web = build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    sign_in(client, "editor_a@example.org")
    project = client.get(f"/app/projects/{web.world.project_a}")
    asked = client.post(
        f"/app/links/{web.link_id}/close",
        data={"_csrf_token": csrf_of(project.text), "reason": ["ended", "moved", "duplicate"], "note": "x"},
    )
    assert asked.status_code == 200 and 'id="confirm-question"' in asked.text
    form = re.search(r'<form[^>]*id="confirm-form".*?</form>', asked.text, re.S)
    assert form is not None
    posted_back = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form[0])
    assert [value for name, value in posted_back if name == "reason"] == ["ended", "moved", "duplicate"]
    assert [value for name, value in posted_back if name == "note"] == ["x"]
    # the re-posted form does what it asked
    fields = [(name, value) for name, value in posted_back if name != "_csrf_token"]
    closed = client.post(
        f"/app/links/{web.link_id}/close",
        content=urlencode([("_csrf_token", csrf_of(asked.text)), *fields]),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert closed.status_code == 303
    assert live_server.client().get(f"/s/{web.token}").status_code == 410
