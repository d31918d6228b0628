"""Designing a framework over real HTTP, on SQLite and PostgreSQL: from a shipped one to a
published version a project adopts and a grant requires, with KPIs of the new indicator."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pypdf

from impactkit._paths import data_dir
from impactkit.frameworks.design import add_indicator, keep_indicators, set_target
from impactkit.frameworks.model import Framework
from impactkit.frameworks.synthetic import form_responses
from impactkit.surveys import load_xlsform
from tests.conftest import LiveServer
from tests.integration.surveys.test_responses_api import setup

COURSE_STARTED = {
    "id": "course_started_share",
    "labels": {"it": "Giovani che hanno iniziato un corso", "en": "Young people who started a course"},
    "definition": {
        "it": "Quota dei giovani che alla fine hanno iniziato un corso negli ultimi 6 mesi.",
        "en": "Share of the young people who, at the end, started a course in the last 6 months.",
    },
    "unit": "share",
    "kind": "proportion",
    "source": {
        "form": "youth_pathways",
        "expression": "${course_started} = 'yes'",
        "filter": "${consent} = 'yes'",
        "exclude_baseline": True,
    },
}


def _youth_responses(world: Any, count: int) -> list[dict[str, Any]]:
    form = load_xlsform(data_dir("surveys") / "youth_pathways.xlsx")
    frame = form_responses(form, count, seed=7)
    out = []
    for record in frame.to_dict("records"):
        answers = {k: v for k, v in record.items() if not k.startswith("_") and v is not None and v == v}
        out.append(
            {
                "instance_id": str(uuid.uuid4()),
                "form_id": "youth_pathways",
                "form_version": "2026.1",
                "project_id": world.project_a,
                "period_id": world.period_a,
                "wave": record["_wave"],
                "answers": answers,
            }
        )
    return out


def test_an_organisation_designs_publishes_and_adopts_a_framework_a_funder_requires(
    live_server: LiveServer,
) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    viewer = live_server.client(world.tokens["viewer_a"])
    other = live_server.client(world.tokens["owner_b"])

    started = editor.post(
        "/api/v1/designs",
        json={"base": "youth-neet", "framework_id": "giovani-torino", "organisation_id": world.org_a},
    )
    assert started.status_code == 201, started.text
    draft = started.json()
    assert draft["state"] == "draft" and draft["framework"]["based_on"] == "youth-neet@2026.1"
    assert draft["problems"] == []
    # A draft is the owner's: another organisation does not see it.
    assert other.get(f"/api/v1/designs/{draft['id']}").status_code == 404
    assert (
        viewer.put(f"/api/v1/designs/{draft['id']}", json={"framework": draft["framework"]}).status_code
        == 403
    )

    # A changed definition under a shipped id is refused at publication, naming indicator and field.
    framework = Framework.model_validate(draft["framework"])
    changed = framework.model_dump(mode="json")
    next(i for i in changed["indicators"] if i["id"] == "in_work_end")["unit"] = "people"
    saved = editor.put(f"/api/v1/designs/{draft['id']}", json={"framework": changed})
    assert (
        saved.status_code == 200 and saved.json()["problems"][0]["location"] == "indicators[in_work_end].unit"
    )
    refused = editor.post(f"/api/v1/designs/{draft['id']}/publish")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["location"] == "indicators[in_work_end].unit"

    # Pick indicators, add one of its own, set a target, publish.
    designed = keep_indicators(framework, ["neet_share_end", "left_neet", "who5_change"])
    designed = set_target(add_indicator(designed, COURSE_STARTED), "course_started_share", 0.5)
    saved = editor.put(f"/api/v1/designs/{draft['id']}", json={"framework": designed.model_dump(mode="json")})
    assert saved.status_code == 200 and saved.json()["problems"] == []
    published = editor.post(f"/api/v1/designs/{draft['id']}/publish")
    assert published.status_code == 200, published.text
    assert published.json()["state"] == "published" and len(published.json()["content_hash"]) == 64
    # Frozen: a published version never changes; anyone signed in reads it.
    again = editor.put(f"/api/v1/designs/{draft['id']}", json={"framework": designed.model_dump(mode="json")})
    assert again.status_code == 409
    assert other.get(f"/api/v1/designs/{draft['id']}").status_code == 200
    assert (
        other.get("/api/v1/frameworks/giovani-torino").json()["indicators"][-1]["id"]
        == "course_started_share"
    )

    pdf = viewer.get(f"/api/v1/designs/{draft['id']}/theory-of-change.pdf", params={"lang": "en"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Theory of change" in text and "Young people who started a course" in text
    # Each indicator says how it is valued: a sourced proxy, or counted and not monetised.
    assert "Counted, not monetised" in text

    # A funder designs one for its call too; its draft is its own.
    funder = live_server.client(world.tokens["funder_a"])
    call = funder.post(
        "/api/v1/designs", json={"base": "care", "framework_id": "bando-cura", "funder_id": world.funder_a}
    )
    assert call.status_code == 201 and call.json()["funder_id"] == world.funder_a
    assert editor.get(f"/api/v1/designs/{call.json()['id']}").status_code == 404
    assert (
        funder.post(
            "/api/v1/designs",
            json={"base": "care", "framework_id": "bando-altro", "funder_id": world.funder_b},
        ).status_code
        == 404
    )

    # A funder requires it for the grant; the grantee sees what it will have to report.
    grant_id = funder.get(f"/api/v1/funders/{world.funder_a}/grants").json()[0]["id"]
    required = funder.put(f"/api/v1/grants/{grant_id}/framework", json={"framework_id": "giovani-torino"})
    assert required.status_code == 200, required.text
    seen = viewer.get(f"/api/v1/grants/{grant_id}/framework").json()
    assert seen["framework_id"] == "giovani-torino" and seen["version"] == "1"
    assert [i["id"] for i in seen["indicators"]] == [
        "neet_share_end",
        "left_neet",
        "who5_change",
        "course_started_share",
    ]
    assert other.get(f"/api/v1/grants/{grant_id}/framework").status_code == 404

    # The project adopts it; responses come in; the new indicator has its value.
    adopted = editor.put(
        f"/api/v1/projects/{world.project_a}/framework", json={"framework_id": "giovani-torino"}
    )
    assert adopted.status_code == 200 and adopted.json()["version"] == "1"
    batch = editor.post("/api/v1/responses/batch", json={"responses": _youth_responses(world, 40)})
    assert batch.status_code == 200 and {r["status"] for r in batch.json()["results"]} == {"stored"}
    kpis = viewer.get(f"/api/v1/projects/{world.project_a}/kpis", params={"period_id": world.period_a}).json()
    by_id = {r["indicator_id"]: r for r in kpis["results"]}
    assert kpis["framework_id"] == "giovani-torino"
    assert set(by_id) == {"neet_share_end", "left_neet", "who5_change", "course_started_share"}
    course = by_id["course_started_share"]
    assert course["n"] == 40 and course["ci_low"] <= course["value"] <= course["ci_high"]
    assert course["target"] == 0.5

    # The next version starts as a draft; a changed definition under a published id is refused.
    following = editor.post(f"/api/v1/designs/{draft['id']}/next").json()
    assert following["version"] == "2" and following["state"] == "draft"
    content = following["framework"]
    next(i for i in content["indicators"] if i["id"] == "course_started_share")["source"][
        "exclude_baseline"
    ] = False
    checked = editor.put(f"/api/v1/designs/{following['id']}", json={"framework": content}).json()
    assert [(p["location"], p["code"]) for p in checked["problems"]] == [
        ("indicators[course_started_share].source", "definition_changed")
    ]


def test_the_proxy_bank_is_served_with_values_at_the_analysis_year(live_server: LiveServer) -> None:
    world = setup(live_server)
    viewer = live_server.client(world.tokens["viewer_a"])
    bank = viewer.get("/api/v1/proxies", params={"analysis_year": 2024}).json()
    assert bank["reference"] == "impactkit-proxies@2026.1" and bank["price_index"]["latest_year"] == 2024
    by_id = {p["id"]: p for p in bank["proxies"]}
    assert by_id["social_coop_hour_level_a1_2019"]["adjusted_value"] == 19.95
    assert by_id["wellby_uk_2019"]["adjusted_value"] is None
    assert "GBP" in by_id["wellby_uk_2019"]["not_adjusted"]
    later = viewer.get("/api/v1/proxies", params={"analysis_year": 2026}).json()
    assert all(
        p["adjusted_value"] is None and "2025" in p["not_adjusted"]
        for p in later["proxies"]
        if p["currency"] == "EUR"
    )
    suggested = viewer.get("/api/v1/proxies", params={"indicator": "carer_relief_hours"}).json()
    assert {p["id"] for p in suggested["proxies"]} == {
        "social_coop_hour_lowest_level_2024",
        "social_coop_hour_level_a1_2019",
    }
    assert viewer.get("/api/v1/proxies", params={"analysis_year": 99999}).status_code == 422
    assert live_server.client(None).get("/api/v1/proxies").status_code == 401
