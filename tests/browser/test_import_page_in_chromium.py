"""An editor brings a KoBoToolbox export into a project in real Chromium: from the project page to
the import page, a check that shows the refused row by row, column and answer (axe-core finds no
serious problem), then the import; the page is screenshotted for docs/surveys.md."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import assert_accessible, screenshot, sign_in_page
from tests.conftest import LiveServer
from tests.factories import build_world
from tests.integration.pages.web import PASSWORD
from tests.integration.surveys.test_imports_api import _publish
from tests.unit.surveys.test_imports import kobo_export

pytestmark = pytest.mark.browser


def test_an_editor_checks_and_imports_an_export_in_chromium(
    live_server: LiveServer, new_context: Callable[..., Any], tmp_path: Path
) -> None:
    world = build_world(live_server.engine)
    version_id = _publish(live_server, world.org_a)
    base = live_server.base_url
    page = new_context(phone=False, viewport={"width": 1100, "height": 900}).new_page()
    sign_in_page(page, base, "editor_a@example.org", PASSWORD, "it")
    page.goto(f"{base}/app/projects/{world.project_a}")
    page.click("#import-link a")
    page.wait_for_url(f"**/app/projects/{world.project_a}/imports")
    page.select_option("#f-form_version_id", str(version_id))

    export = tmp_path / "household-kobo.csv"
    export.write_bytes(
        (
            "meta/instanceID,profile/age,profile/services,members\r\n"
            f"uuid:{uuid.uuid4()},41,food housing,0\r\n"
            f"uuid:{uuid.uuid4()},forty,food,0\r\n"
            f"uuid:{uuid.uuid4()},29,,0\r\n"
        ).encode()
    )
    page.set_input_files("#f-files", str(export))
    page.click("#import-check")
    page.wait_for_selector("#import-report[data-dry-run=true]")
    assert "Valore del tipo sbagliato" in page.locator("tr.import-row").inner_text()
    screenshot(page, "import-page-it")
    page.goto(f"{base}/app/projects/{world.project_a}/imports?lang=en&form_version_id={version_id}")
    page.set_input_files("#f-files", str(export))
    page.click("#import-check")
    page.wait_for_selector("#import-report[data-dry-run=true]")
    row = page.locator("tr.import-row")
    assert row.count() == 1
    assert row.get_attribute("data-row") == "2"
    assert "column 'profile/age'" in row.inner_text() and "answers.age" in row.inner_text()
    assert page.locator("[data-status=valid] strong").inner_text() == "2"
    assert_accessible(page, "import page after a check")
    screenshot(page, "import-page-en")

    workbook = tmp_path / "household.xlsx"
    workbook.write_bytes(kobo_export())
    page.select_option("#f-form_version_id", str(version_id))
    page.set_input_files("#f-files", str(workbook))
    page.click("#import-run")
    page.wait_for_selector("#import-report[data-dry-run=false]")
    assert page.locator("[data-status=stored] strong").inner_text() == "2"
    assert_accessible(page, "import page after an import")
