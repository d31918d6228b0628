"""The observatory in headless Chromium: an owner publishes, an anonymous visitor on a phone finds the
report by zona omogenea and by Plan objective, opens it and downloads its CSV; withdrawn, it is gone
from every public page and file. axe-core on every public page; the first view weighs ≤ 100 KB."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tests.browser.conftest import assert_accessible, screenshot, sign_in_page
from tests.conftest import LiveServer
from tests.integration.pages.test_observatory import PUBLIC_ADDRESSES, validated_report
from tests.integration.pages.web import PASSWORD, build_web_world

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def first_view_bytes(context: Any, url: str) -> int:
    """Bytes the browser fetched for the page's first view, with an empty cache."""
    page = context.new_page()
    sizes: list[int] = []
    page.on("response", lambda response: sizes.append(len(response.body())))
    page.goto(url, wait_until="networkidle")
    page.close()
    return sum(sizes)


def test_publish_find_open_download_then_withdraw_in_chromium(
    live_server: LiveServer, new_context: Any, tmp_path: Path
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    report_id = validated_report(live_server.engine, web)
    base = live_server.base_url

    staff = new_context(phone=False).new_page()
    sign_in_page(staff, base, "owner_a@example.org", PASSWORD)
    staff.goto(f"{base}/app/reports/{report_id}")
    staff.click("#obs-publish")
    staff.wait_for_selector("#obs-public-link")
    address = staff.get_attribute("#obs-public-link", "href")
    assert address and address.startswith("/osservatorio/rapporti/")
    slug = address.rsplit("/", 1)[1]

    visitor_context = new_context(javascript=False)
    assert first_view_bytes(visitor_context, f"{base}/osservatorio") <= 100 * 1024
    visitor = visitor_context.new_page()
    visitor.goto(f"{base}/osservatorio")
    visitor.select_option("#f-zona", "Torino")
    visitor.click("#filter-button")
    assert visitor.locator(f'a[href="{address}"]').count() == 1, "found by zona omogenea"
    visitor.select_option("#f-zona", "")
    visitor.select_option("#f-obiettivo", "6.1")
    visitor.click("#filter-button")
    assert "obiettivo=6.1" in visitor.url
    assert visitor.locator(f'a[href="{address}"]').count() == 1, "found by Plan objective"
    visitor.click(f'a[href="{address}"]')
    visitor.wait_for_selector("#seal")
    assert visitor.locator("#kpis tbody tr").count() > 0
    with visitor.expect_download() as download_info:
        visitor.click("#download-csv")
    saved = tmp_path / "kpis.csv"
    download_info.value.save_as(saved)
    assert saved.read_text(encoding="utf-8").splitlines()[0].startswith("publication,indicator_id")

    checker = new_context().new_page()
    for path in (
        "/osservatorio",
        address,
        "/osservatorio/buone-pratiche",
        "/osservatorio/aggregati",
        "/osservatorio/dati",
    ):
        for language in ("it", "en"):
            checker.goto(f"{base}{path}?lang={language}")
            assert_accessible(checker, f"{path} ({language})")
    checker.goto(f"{base}{address}")
    shot = screenshot(checker, "observatory-report")
    DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
    if live_server.settings.backend == "sqlite":
        shutil.copy(shot, DOCS_IMAGES / "observatory-report.png")

    staff.goto(f"{base}/app/reports/{report_id}")
    staff.once("dialog", lambda dialog: dialog.accept())
    staff.click("#obs-withdraw")
    staff.wait_for_selector("#obs-publish")

    for path in (*PUBLIC_ADDRESSES, address, f"/osservatorio/dati/rapporti/{slug}.csv"):
        answer = visitor.request.get(f"{base}{path}")
        if path.endswith(slug) or path.endswith(f"{slug}.csv"):
            assert answer.status == 404, path
        else:
            assert answer.status == 200 and slug not in answer.text(), path
    visitor.goto(f"{base}/osservatorio?zona=Torino")
    assert visitor.locator(f'a[href="{address}"]').count() == 0
    assert visitor.locator("#no-results").count() == 1
