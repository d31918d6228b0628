"""An organisation designs its framework in real Chromium: from the youth/NEET one, with an indicator
of its own, published, used by a new project whose KPI page shows the new indicator once
responses come in; the theory of change prints to PDF (read back with pypdf)."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable
from typing import Any

import pypdf
import pytest
from sqlmodel import Session, select

from impactkit._paths import data_dir
from impactkit.frameworks.synthetic import form_responses
from impactkit.store.tables import ReportingPeriod
from impactkit.surveys import load_xlsform
from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import LiveServer
from tests.integration.pages.web import PASSWORD, build_web_world

pytestmark = pytest.mark.browser


def _youth_batch(project_id: int, period_id: int, people: int) -> list[dict[str, Any]]:
    frame = form_responses(load_xlsform(data_dir("surveys") / "youth_pathways.xlsx"), people, seed=11)
    batch = []
    for record in frame.to_dict("records"):
        batch.append(
            {
                "instance_id": str(uuid.uuid4()),
                "form_id": "youth_pathways",
                "form_version": "2026.1",
                "project_id": project_id,
                "period_id": period_id,
                "wave": record["_wave"],
                "answers": {
                    k: v for k, v in record.items() if not k.startswith("_") and v is not None and v == v
                },
            }
        )
    return batch


def test_an_organisation_designs_publishes_and_uses_a_framework(
    live_server: LiveServer, new_context: Callable[..., Any]
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    world = web.world
    base = live_server.base_url
    page = new_context(phone=False).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/signin?lang=en")
    page.fill("#email", "editor_a@example.org")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/app")

    page.click("nav.menu >> text=Frameworks")
    page.wait_for_url("**/app/frameworks")
    page.select_option("#f-owner", f"organisation:{world.org_a}")
    page.select_option("#f-base", "youth-neet@2026.1")
    page.fill("#f-framework_id", "giovani-pinerolo")
    page.fill("#f-title_it", "Giovani al lavoro nel Pinerolese")
    page.fill("#f-title_en", "Young people into work around Pinerolo")
    page.click("#new-design button[type=submit]")
    page.wait_for_url("**/app/frameworks/designs/*?done=design_started")
    design_url = page.url.split("?")[0]
    assert page.locator("#design-state").get_attribute("data-state") == "draft"
    assert page.locator("#ready").is_visible()

    # Pick: drop one indicator, set a target.
    page.uncheck("#keep-life_satisfaction_change")
    page.fill("#target-in_work_end", "0.4")
    page.click("#indicator-choice button[type=submit]")
    page.wait_for_url("**done=indicators_saved**")
    assert not page.locator("#keep-life_satisfaction_change").is_checked()

    # Its own indicator, over a question of the youth form.
    page.fill("#f-indicator_id", "course_started_share")
    page.fill("#f-label_it", "Giovani che hanno iniziato un corso")
    page.fill("#f-label_en", "Young people who started a course")
    page.fill("#f-unit", "share")
    page.select_option("#f-kind", "proportion")
    page.select_option("#f-form", "youth_pathways")
    page.fill("#f-expression", "${course_started} = 'yes'")
    page.check("input[name=exclude_baseline]")
    page.fill("#f-target", "0.5")
    page.fill("#f-definition_it", "Quota dei giovani che alla fine hanno iniziato un corso.")
    page.fill("#f-definition_en", "Share of the young people who, at the end, started a course.")
    page.click("#new-indicator button[type=submit]")
    page.wait_for_url("**done=indicator_added**")
    assert page.locator('tr[data-indicator="course_started_share"]').count() == 1

    # The theory of change: one more outcome, measured by the new indicator.
    outcomes = page.locator("#f-outcomes").input_value()
    page.fill(
        "#f-outcomes", outcomes + "\nlearning | Tornano a imparare | Back to learning | course_started_share"
    )
    page.fill(
        "#f-outputs",
        page.locator("#f-outputs").input_value().replace("skills_recognised", "skills_recognised, learning"),
    )
    page.click("#toc-form button[type=submit]")
    page.wait_for_url("**done=toc_saved**")
    assert page.locator("#ready").is_visible(), page.locator("main").inner_text()[:800]
    screenshot(page, "framework-designer-draft")
    assert_accessible(page, "framework designer")

    page.click("#publish-form button[type=submit]")
    page.wait_for_url("**done=published_done**")
    assert page.locator("#design-state").get_attribute("data-state") == "published"

    page.fill("#f-project_name", "Orientamento giovani 2026")
    page.click("#use-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/app/projects/\d+\?done=project_created"))
    project_id = int(re.search(r"/app/projects/(\d+)", page.url)[1])  # type: ignore[index]
    with Session(live_server.engine) as session:
        period = session.exec(select(ReportingPeriod).where(ReportingPeriod.project_id == project_id)).one()

    # Responses come in (through the API, as a collector would send them).
    api = live_server.client(world.tokens["editor_a"])
    stored = api.post(
        "/api/v1/responses/batch", json={"responses": _youth_batch(project_id, period.id or 0, 30)}
    )
    assert stored.status_code == 200 and {r["status"] for r in stored.json()["results"]} == {"stored"}
    page.goto(f"{base}/app/projects/{project_id}?lang=en")
    kpis = page.locator("#kpis ~ *").first
    assert kpis is not None
    body = page.locator("main").inner_text()
    assert "Young people who started a course" in body
    assert "Life satisfaction" not in body
    screenshot(page, "framework-designer-project-kpis")

    # The theory of change prints to PDF (Chromium's print, with the page's print styles).
    page.goto(design_url.replace("/designs/", "/designs/") + "/theory-of-change?lang=en")
    assert page.locator("#box-learning").is_visible()
    assert_accessible(page, "theory of change")
    screenshot(page, "framework-designer-theory-of-change")
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Theory of change" in text and "Back to learning" in text
    assert "Young people who started a course" in text
    assert "Counted, not monetised" in text  # no proxy named for the new indicator: it says so
    assert "Sign out" not in text  # the navigation is not printed
    # The server's own PDF (WeasyPrint) is there too.
    download = page.request.get(design_url + "/theory-of-change.pdf?lang=it")
    assert download.ok and download.headers["content-type"] == "application/pdf"
    served = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(download.body())).pages)
    assert "Teoria del cambiamento" in served and "Giovani che hanno iniziato un corso" in served
