"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright; never a downloaded browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import missing_system_part

CHROMIUM = os.environ.get("IMPACTKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium per test module (Playwright's sync API, its own event loop)."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing_system_part(f"Chromium not installed at {CHROMIUM}: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_system_part("the playwright package is not installed in the venv")
    manager = sync_playwright().start()
    browser = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()
    manager.stop()


@pytest.fixture
def new_context(chromium: Any) -> Iterator[Callable[..., Any]]:
    """Make browser contexts (phone-sized unless told otherwise); all closed when the test ends."""
    contexts: list[Any] = []

    def make(*, phone: bool = True, javascript: bool = True, **options: Any) -> Any:
        settings: dict[str, Any] = {"java_script_enabled": javascript, "locale": "it-IT"}
        if phone:
            settings.update(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        settings.update(options)
        context = chromium.new_context(**settings)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ (git ignores it)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
"""axe-core (npm, pinned in package-lock.json), injected into the page under test."""


def assert_accessible(page: Any, where: str) -> None:
    """axe-core on the page as it is now: no serious or critical violation (each one listed).

    The script is evaluated by the browser's DevTools (not added as a tag), so the pages' content
    security policy stays as it is.
    """
    if not AXE.exists():
        missing_system_part("node_modules/axe-core is not installed: run ./scripts/install")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    found = page.evaluate(
        """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`))"""
    )
    assert not found, f"{where}: " + "\n".join(found)


def sign_in_page(page: Any, base_url: str, email: str, password: str, language: str = "it") -> None:
    """Sign in through the sign-in page in ``language``; lands on the home page."""
    page.goto(f"{base_url}/signin?lang={language}")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/app")
