"""A new organisation's first season, walked in real Chromium from an empty instance, in Italian and
in English: the administrator registers the organisation and its owner; the owner accepts the
invitation, sets up a project and a period, uploads an XLSForm with a mistake, sees the cell, fixes
it, previews and publishes a link; respondents answer on their phones; the owner reads the answers,
flags a test answer, opens a KPI by territory, writes the social report and submits it to an
accredited evaluator picked from the list. Every step is photographed (test-artifacts/walk/) and
checked with axe-core."""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from impactkit.settings import Settings
from impactkit.store.tables import ResponseFlag, SurveyResponse
from tests.browser.conftest import assert_accessible
from tests.conftest import LiveServer, free_port
from tests.integration.pages.web import small_xlsform

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "walk"
PASSWORD = "una password lunga e sicura"

RESPONDENTS = [
    # code, gender, age, territory, satisfaction
    ("P-01", "female", "19", "mountain", "4"),
    ("P-02", "male", "24", "mountain", "5"),
    ("P-03", "female", "31", "mountain", "3"),
    ("P-04", "female", "45", "mountain", "4"),
    ("P-05", "male", "52", "mountain", "5"),
    ("P-06", "female", "28", "mountain", "4"),
    ("P-07", "male", "33", "urban", "2"),
    ("P-08", "female", "17", "urban", "4"),
    ("P-09", "female", "61", "urban", "5"),
    ("P-10", "male", "40", "urban", "3"),
    ("P-11", "female", "22", "urban", "4"),
    ("P-12", "male", "36", "urban", "4"),
]
"""Twelve people: six in the mountains, six in town, so the territory breakdown shows both."""

TEXT = {
    "it": {
        "project": "Doposcuola in valle",
        "period": "Anno 2026",
        "link": "Fine anno",
        "organisation": "APS Sentieri",
        "section": "Testo della sezione {n}, scritto dall'associazione.",
    },
    "en": {
        "project": "After-school club",
        "period": "Year 2026",
        "link": "End of year",
        "organisation": "APS Sentieri",
        "section": "Text of section {n}, written by the association.",
    },
}


@pytest.fixture
def instance(settings: Settings, engine: Engine) -> Iterator[LiveServer]:
    """The real app behind uvicorn, configured with the address it really answers on, so the
    invitation and survey links it prints are the ones people open."""
    from impactkit.api.app import create_app

    port = free_port()
    settings = dataclasses.replace(settings, public_base_url=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, engine=engine),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    yield LiveServer(base_url=settings.public_base_url, engine=engine, settings=settings)
    server.should_exit = True
    thread.join(timeout=10)


@dataclass
class Walk:
    """What one walk needs along the way: the server, the language, the screenshots taken."""

    live: LiveServer
    language: str
    new_context: Callable[..., Any]
    shots: list[Path] = field(default_factory=list)
    pages: list[Any] = field(default_factory=list)
    step: int = 0

    @property
    def base(self) -> str:
        return self.live.base_url

    @property
    def text(self) -> dict[str, str]:
        return TEXT[self.language]

    def shot(self, page: Any, name: str, *, check: bool = True) -> None:
        """Photograph the page as it is (test-artifacts/walk/<language>/NN-name.png) and run axe-core."""
        self.step += 1
        folder = ARTEFACTS / self.language
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.step:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)
        if check:
            assert_accessible(page, f"{self.language} {name}")

    def desktop(self) -> Any:
        page = self.new_context(phone=False, viewport={"width": 1280, "height": 900}).new_page()
        self.pages.append(page)
        return page

    def keep_failure(self) -> None:
        """Photograph every page still open when the walk fails, with its HTML, for the artefacts."""
        folder = ARTEFACTS / self.language / "failure"
        folder.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(self.pages):
            if page.is_closed():
                continue
            page.screenshot(path=str(folder / f"page-{number}.png"), full_page=True)
            (folder / f"page-{number}.html").write_text(page.content())

    def choose_language(self, page: Any) -> None:
        """The language switch in the header, as a person would use it."""
        page.click(f'nav.langs a[hreflang="{self.language}"]')
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == self.language


def _install_empty_instance(live: LiveServer) -> None:
    """What an installer does on an empty instance: migrations (shipped forms), one administrator."""
    from impactkit.cli import main

    url = live.settings.database_url
    runner = CliRunner()
    upgraded = runner.invoke(main, ["db", "upgrade", "--database-url", url])
    assert upgraded.exit_code == 0, upgraded.output
    created = runner.invoke(
        main,
        [
            "admin",
            "create-user",
            "--database-url",
            url,
            "--email",
            "admin@example.org",
            "--name",
            "Ada Amministratrice",
            "--password",
            PASSWORD,
            "--admin",
        ],
    )
    assert created.exit_code == 0, created.output


def _sign_in(walk: Walk, page: Any, email: str) -> None:
    page.goto(f"{walk.base}/signin")
    walk.choose_language(page)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/app")


def administrator_registers_the_organisation(walk: Walk) -> str:
    """The administrator's part: the organisation with its owner, an accredited evaluator. Returns
    the owner's invitation link."""
    page = walk.desktop()
    page.goto(f"{walk.base}/signin")
    walk.choose_language(page)
    walk.shot(page, "admin-signin")
    page.fill("#email", "admin@example.org")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/app")
    walk.shot(page, "admin-home")
    page.click('a[href="/app/admin"]')
    page.wait_for_url("**/app/admin")
    page.click('nav.tabs a[href="/app/admin/organisations"]')
    page.wait_for_url("**/app/admin/organisations")
    walk.shot(page, "admin-organisations-empty")
    page.fill("#f-name", walk.text["organisation"])
    page.select_option("#f-legal_form", "aps")
    page.fill("#f-tax_code", "97000010018")  # one digit mistyped
    page.fill("#f-runts_number", "12345")
    page.fill("#f-municipality", "Pinerolo")
    page.select_option("#f-territory_type", "mountain")
    page.fill("#f-owner_name", "Olga Rossi")
    page.fill("#f-owner_email", "olga@example.org")
    page.click("#new-organisation-form button[type=submit]")
    page.wait_for_selector("#e-tax_code")
    assert "3" in page.locator("#e-tax_code").inner_text(), "the page says which check digit was expected"
    assert page.locator("#f-owner_email").input_value() == "olga@example.org", "what was typed is kept"
    walk.shot(page, "admin-organisation-tax-code-mistake")
    page.fill("#f-tax_code", "97000010013")
    page.click("#new-organisation-form button[type=submit]")
    page.wait_for_selector("#created")
    url = page.locator("#invitation-url").inner_text().strip()
    walk.shot(page, "admin-organisation-created")

    page.click('nav.tabs a[href="/app/admin/people"]')
    page.wait_for_url("**/app/admin/people")
    page.fill("#u-name", "Elena Valutatrice")
    page.fill("#u-email", "elena@example.org")
    page.fill("#u-password", PASSWORD)
    page.click("#new-user-form button[type=submit]")
    page.wait_for_url("**/app/admin/people**")
    page.fill("#f-evaluator_email", "elena@example.org")
    page.fill("#f-body", "Registro valutatori VIS Piemonte")
    page.fill("#f-number", "VIS-042")
    page.fill("#f-valid_from", "2026-01-01")
    page.fill("#f-valid_until", "2028-12-31")
    page.click("#accreditation-form button[type=submit]")
    page.wait_for_url("**/app/admin/people**")
    assert page.locator("#accreditations-table").inner_text().count("VIS-042") == 1
    walk.shot(page, "admin-evaluator-accredited")
    return url


def owner_sets_up(walk: Walk, invitation_url: str) -> tuple[Any, int, str]:
    """The owner accepts the invitation and sets up a project, a period, a form and a link.
    Returns the owner's page, the project id and the survey link."""
    page = walk.desktop()
    page.goto(invitation_url)
    walk.choose_language(page)
    walk.shot(page, "owner-invitation")
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_again", PASSWORD)
    page.click("#accept-form button[type=submit]")
    page.wait_for_url("**/app/organisations/*")
    walk.shot(page, "owner-organisation-empty")

    page.fill("#f-name", walk.text["project"])
    page.fill("#f-population", "40")
    page.click("#new-project-form button[type=submit]")
    page.wait_for_url("**/app/projects/*")
    project_id = int(re.findall(r"/app/projects/(\d+)", page.url)[0])
    page.fill("#f-label", walk.text["period"])
    page.fill("#f-starts_on", "2026-01-01")
    page.fill("#f-ends_on", "2026-12-31")
    page.click("#new-period button[type=submit]")
    page.wait_for_url(f"**/app/projects/{project_id}**")
    assert page.locator("ul.periods li").count() == 1
    walk.shot(page, "owner-project-with-period")

    page.click(f'a[href="/app/organisations/{_organisation_of(page)}"]')
    page.click('nav.tabs a[href$="/forms"]')
    page.wait_for_url("**/forms")
    walk.shot(page, "owner-forms")
    wrong = walk.live.settings.data_dir / "esiti-breve.xlsx"
    wrong.write_bytes(small_xlsform(mistake=True))
    page.set_input_files("#f-file", str(wrong))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#form-problems")
    problem = page.locator("tr.form-problem").first
    cells = [c.strip() for c in problem.locator("td").all_inner_texts()]
    assert cells[0] == "survey" and cells[1] == "5" and cells[2].startswith("A"), cells
    assert "integr" in cells[3]
    walk.shot(page, "owner-form-mistake")
    right = walk.live.settings.data_dir / "esiti-breve-corretto.xlsx"
    right.write_bytes(small_xlsform())
    page.set_input_files("#f-file", str(right))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/app/forms/*")
    assert page.locator("#form-version").inner_text() == "2026.9"
    walk.shot(page, "owner-form-published")

    page.click("#preview-link")
    page.wait_for_url("**/preview**")
    walk.shot(page, "owner-form-preview")
    page.go_back()

    page.goto(f"{walk.base}/app/projects/{project_id}")
    _choose(page, "#form_version_id", "beneficiary_outcomes 2026.9")
    page.select_option("#period_id", label=walk.text["period"])
    page.select_option("#wave", "endline")
    page.fill("#label", walk.text["link"])
    page.click("#new-link button[type=submit]")
    page.wait_for_url("**done=link_created**")
    link = page.locator("#links ~ div table code.link").first.inner_text().strip()
    walk.shot(page, "owner-link-created")
    return page, project_id, link


def _choose(page: Any, select: str, text: str) -> None:
    """Pick the option of ``select`` whose text holds ``text``."""
    value = page.locator(f"{select} option", has_text=text).get_attribute("value")
    page.select_option(select, value)


def _organisation_of(page: Any) -> int:
    crumbs = page.locator("nav.crumbs a[href^='/app/organisations/']").first.get_attribute("href")
    return int(crumbs.rsplit("/", 1)[1])


def respondents_answer(walk: Walk, link: str) -> None:
    """Twelve people answer on their phones, in the walk's language."""
    for index, (code, gender, age, territory, satisfaction) in enumerate(RESPONDENTS):
        page = walk.new_context(locale="en-GB" if walk.language == "en" else "it-IT").new_page()
        page.goto(f"{link}?lang={walk.language}")
        if index == 0:
            walk.shot(page, "respondent-phone-start")
        page.check('input[name="consent"][value="yes"]')
        page.fill("#f-respondent_code", code)
        page.check(f'input[name="gender"][value="{gender}"]')
        page.fill("#f-age", age)
        page.check(f'input[name="territory_type"][value="{territory}"]')
        page.check(f'input[name="satisfaction"][value="{satisfaction}"]')
        if index == 0:
            walk.shot(page, "respondent-phone-filled")
        page.click("#send")
        page.wait_for_selector("#thanks, .done, main h1")
        if index == 0:
            walk.shot(page, "respondent-phone-thanks")
        page.context.close()


def owner_reads_and_reports(walk: Walk, page: Any, project_id: int) -> None:
    page.goto(f"{walk.base}/app/projects/{project_id}")
    assert page.locator("#response-total").inner_text() == "12"
    walk.shot(page, "owner-project-with-answers")
    page.click("#see-responses")
    page.wait_for_url("**/responses**")
    assert page.locator("#responses tbody tr").count() == 12
    walk.shot(page, "owner-responses")
    page.click('#responses tr:has(td:text-is("P-12")) a')
    page.wait_for_url("**/app/responses/*")
    walk.shot(page, "owner-response")
    page.check("#flag-test_answer")
    page.fill("#f-note", "P-12 ero io: una prova" if walk.language == "it" else "P-12 was me, trying it")
    page.click("#flag-form button[type=submit]")
    page.wait_for_url("**done=response_flagged**")
    assert page.locator('#flag-list li[data-kind="test_answer"][data-status="excluded"]').count() == 1
    walk.shot(page, "owner-response-flagged")
    page.click("nav.crumbs a[href$='/responses']")
    page.wait_for_url("**/responses")
    assert page.locator('#responses td[data-left-out="test_answer"]').count() == 1
    page.goto(f"{walk.base}/app/projects/{project_id}")
    page.click('tr[data-indicator="beneficiary_satisfaction"] a.kpi-open')
    territory = page.locator('table.breakdown[data-dimension="territory_type"]')
    territory.wait_for()
    assert territory.locator('tr[data-category="mountain"] td.num').last.inner_text() == "6"
    assert territory.locator('tr[data-category="urban"] td.num').last.inner_text() == "5", (
        "the flagged test answer is left out"
    )
    walk.shot(page, "owner-kpi-breakdown")

    page.select_option("#report-period", label=walk.text["period"])
    page.select_option("#report-language", walk.language)
    page.click("#new-report button[type=submit]")
    page.wait_for_url("**/app/reports/*")
    walk.shot(page, "owner-report-new")
    sections = page.locator("section.report-section")
    count = sections.count()
    assert count >= 8, "the DM 4 luglio 2019 structure"
    for number in range(count):
        section = page.locator("section.report-section").nth(number)
        section.locator("textarea").fill(walk.text["section"].format(n=number + 1))
        section.locator("button[type=submit]").click()
        page.wait_for_url("**done=section_saved**")
    assert page.locator("#sections-written").inner_text().startswith(f"{count}")
    walk.shot(page, "owner-report-written")
    _choose(page, "#evaluator", "Elena Valutatrice")
    page.click("#submit-form button[type=submit]")
    page.wait_for_url("**done=report_submitted**")
    assert page.locator("#with-evaluator").is_visible()
    walk.shot(page, "owner-report-submitted")


@pytest.mark.parametrize("language", ["it", "en"])
def test_a_new_organisation_walks_its_first_season_in_the_browser(
    instance: LiveServer, new_context: Callable[..., Any], language: str
) -> None:
    _install_empty_instance(instance)
    walk = Walk(instance, language, new_context)
    try:
        invitation = administrator_registers_the_organisation(walk)
        owner, project_id, link = owner_sets_up(walk, invitation)
        respondents_answer(walk, link)
        owner_reads_and_reports(walk, owner, project_id)
    except Exception:
        walk.keep_failure()
        raise
    with Session(instance.engine) as session:
        assert len(session.exec(select(SurveyResponse)).all()) == 12
        assert session.exec(select(ResponseFlag)).all() is not None
