"""The framework designer's pages over HTTP (SQLite and PostgreSQL): drafts are their owners',
bad input is named by field, a funder requires a framework and the grantee sees its indicators."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import LiveServer
from tests.integration.pages.web import build_web_world, csrf_of, sign_in

OPEN: list[httpx.Client] = []


def _client(live_server: LiveServer, email: str) -> httpx.Client:
    client = httpx.Client(base_url=live_server.base_url, follow_redirects=True, timeout=60)
    OPEN.append(client)
    assert sign_in(client, email).status_code == 200
    return client


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def test_designer_pages_keep_drafts_private_name_mistakes_and_show_grant_requirements(
    live_server: LiveServer,
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    world = web.world
    editor = _client(live_server, "editor_a@example.org")
    hub = editor.get("/app/frameworks?lang=it")
    assert hub.status_code == 200 and "Progetta un nuovo quadro" in hub.text
    token = csrf_of(hub.text)

    taken = editor.post(
        "/app/frameworks",
        data={
            "_csrf_token": token,
            "owner": f"organisation:{world.org_a}",
            "base": "care@2026.1",
            "framework_id": "care",
            "title_it": "",
            "title_en": "",
        },
    )
    assert taken.status_code == 422 and 'id="e-framework_id"' in taken.text

    created = editor.post(
        "/app/frameworks",
        data={
            "_csrf_token": token,
            "owner": f"organisation:{world.org_a}",
            "base": "care@2026.1",
            "framework_id": "cura-val-pellice",
            "title_it": "Cura in Val Pellice",
            "title_en": "Care in Val Pellice",
        },
    )
    assert created.status_code == 200 and "/app/frameworks/designs/" in str(created.url)
    design_url = str(created.url).split("?")[0].removeprefix(live_server.base_url)
    assert "Cura in Val Pellice" in created.text

    # A mistake in a new indicator is named on its field; nothing is saved.
    bad = editor.post(
        design_url + "/indicators/new",
        data={
            "_csrf_token": csrf_of(created.text),
            "indicator_id": "carers_respite_days",
            "label_it": "Giorni di sollievo",
            "label_en": "Respite days",
            "definition_it": "Giorni.",
            "definition_en": "Days.",
            "unit": "days",
            "kind": "mean",
            "form": "care_outcomes",
            "expression": "${respite_dayz}",
            "filter": "",
        },
    )
    assert bad.status_code == 422 and 'id="e-expression"' in bad.text and "respite_dayz" in bad.text
    assert "Domanda sconosciuta: unknown field ${respite_dayz}" in bad.text
    assert 'data-indicator="carers_respite_days"' not in editor.get(design_url).text

    # A draft is not another organisation's business, nor a viewer's to change.
    other = _client(live_server, "owner_b@example.org")
    assert other.get(design_url).status_code == 404
    viewer = _client(live_server, "viewer_a@example.org")
    page = viewer.get(design_url)
    assert page.status_code == 200 and 'id="indicator-choice"' not in page.text
    refused = viewer.post(
        design_url + "/publish", data={"_csrf_token": csrf_of(page.text), "confirmed": "yes"}
    )
    assert refused.status_code == 403

    # Published, it is adopted by an existing project of A, whose KPI page then computes it.
    page = editor.get(design_url)
    published = editor.post(
        design_url + "/publish", data={"_csrf_token": csrf_of(page.text), "confirmed": "yes"}
    )
    assert published.status_code == 200 and 'data-state="published"' in published.text
    adopted = editor.post(
        design_url + "/adopt",
        data={"_csrf_token": csrf_of(published.text), "project_id": str(world.project_a)},
    )
    assert adopted.status_code == 200 and f"/app/projects/{world.project_a}" in str(adopted.url)
    assert "Il progetto ora rendiconta con questo quadro." in adopted.text

    # The funder requires the care framework for A's grant; A's members see what to report.
    funder = _client(live_server, "funder_a@example.org")
    listed = funder.get("/app/frameworks?lang=en")
    grant_id = int(listed.text.split('data-grant="')[1].split('"')[0])
    grant_page = funder.get(f"/app/grants/{grant_id}/framework?lang=en")
    required = funder.post(
        f"/app/grants/{grant_id}/framework",
        data={"_csrf_token": csrf_of(grant_page.text), "framework": "care@2026.1"},
    )
    assert required.status_code == 200 and "carer_relief_hours" in required.text
    seen = viewer.get(f"/app/grants/{grant_id}/framework?lang=en")
    assert "This grant requires reporting with Care for older and disabled people" in seen.text
    assert 'data-indicator="loneliness_reduced"' in seen.text and 'id="require-form"' not in seen.text
    assert other.get(f"/app/grants/{grant_id}/framework").status_code == 404
