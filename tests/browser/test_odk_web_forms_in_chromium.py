"""A real ODK client nobody here wrote fills in impactkit's XForm and submits it over OpenRosa.

ODK Web Forms (npm ``@getodk/web-forms``, the web client of ODK Central, pinned in
package-lock.json) runs in headless Debian Chromium, in a small page the test builds and serves on
impactkit's own address (Playwright answers the page's files; everything else — the XForm, the
submission — goes to the real server). The page loads the XForm of a household form with a repeat
and relevance rules through a collector access, the test fills it in like a field worker (consent,
two people, school only for the child, two services, a photo) and presses Send: Web Forms posts
its multipart submission to impactkit's OpenRosa endpoint, which stores it. Then the same XML is
posted as ODK Collect would (HEAD first, multipart, with a photo): resent, it stores nothing new;
as another device's, it is stored with the same answers; as an edit, it becomes version 2.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from impactkit.store.collectors import collector_url
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.conftest import LiveServer, missing_system_part
from tests.integration.surveys.test_openrosa import collect_as_odk
from tests.integration.surveys.test_responses_api import setup
from tests.odk import TINY_JPEG, household_form_xlsx

pytestmark = pytest.mark.browser

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
WEB_FORMS = NODE_MODULES / "@getodk" / "web-forms" / "dist"
VUE = NODE_MODULES / "vue" / "dist" / "vue.esm-browser.prod.js"
PAGE = "/__odk_web_forms__/"

INDEX = """<!doctype html><html lang="it"><head><meta charset="utf-8"><title>ODK Web Forms</title>
<script type="importmap">{"imports": {"vue": "/__odk_web_forms__/vue.js"}}</script></head>
<body><div id="app"></div><script type="module" src="/__odk_web_forms__/app.js"></script></body></html>"""

APP = """
import { createApp, h } from 'vue';
import { OdkWebForm, webFormsPlugin, POST_SUBMIT__NEW_INSTANCE } from '/__odk_web_forms__/web-forms/index.js';

const collect = COLLECT_PATH;
window.sent = [];
// as an OpenRosa client does: the form list, then the XForm it names
const list = new DOMParser().parseFromString(await (await fetch(collect + '/formList')).text(), 'text/xml');
const entry = [...list.getElementsByTagName('xform')].find(
  (x) => x.getElementsByTagName('formID')[0].textContent === 'household_visit');
const download = new URL(entry.getElementsByTagName('downloadUrl')[0].textContent);
const formXml = await (await fetch(download.pathname)).text();

const app = createApp({ render: () => h(OdkWebForm, {
  formXml,
  fetchFormAttachment: (url) => fetch(url),
  onSubmit: async (payload, callback) => {
    const data = payload.data[0];
    const xml = await data.get('xml_submission_file').text();
    const answer = await fetch(collect + '/submission', { method: 'POST', body: data });
    window.sent.push({ status: answer.status, message: await answer.text(), xml,
                       files: [...data.keys()].filter((k) => k !== 'xml_submission_file') });
    callback({ next: POST_SUBMIT__NEW_INSTANCE });
  },
}) });
app.use(webFormsPlugin);
app.mount('#app');
"""


def serve_web_forms(page: Any, collect_path: str) -> None:
    """Answer the test page's own files (the page, its script, Vue, Web Forms) from node_modules."""
    if not (WEB_FORMS / "index.js").exists() or not VUE.exists():
        missing_system_part("node_modules/@getodk/web-forms is not installed: run ./scripts/install")
    app = APP.replace("COLLECT_PATH", json.dumps(collect_path))

    def answer(route: Any) -> None:
        name = route.request.url.split(PAGE, 1)[1].split("?", 1)[0]
        if name == "index.html":
            route.fulfill(body=INDEX, content_type="text/html; charset=utf-8")
        elif name == "app.js":
            route.fulfill(body=app, content_type="text/javascript")
        elif name == "vue.js":
            route.fulfill(path=str(VUE), content_type="text/javascript")
        elif name.startswith("web-forms/") and re.fullmatch(r"web-forms/[\w.-]+\.js", name):
            route.fulfill(path=str(WEB_FORMS / name.split("/", 1)[1]), content_type="text/javascript")
        else:
            route.fulfill(status=404, body="")

    page.route(f"**{PAGE}**", answer)


def test_odk_web_forms_fills_in_and_submits_impactkits_xform(
    live_server: LiveServer, new_context: Any, tmp_path: Path
) -> None:
    world = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    assert (
        editor.post(
            f"/api/v1/organisations/{world.org_a}/forms",
            files={"file": ("household.xlsx", household_form_xlsx())},
        ).status_code
        == 201
    )
    access = editor.post(f"/api/v1/projects/{world.project_a}/collectors", json={"label": "Web Forms"}).json()
    secret = access["url"].rsplit("/collect/", 1)[1]
    url = collector_url(live_server.base_url, secret)

    page = new_context(phone=False, viewport={"width": 900, "height": 1400}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    serve_web_forms(page, f"/collect/{secret}")
    page.goto(f"{live_server.base_url}{PAGE}index.html")

    def question(text: str, number: int = 0) -> Any:
        return page.locator(".question-container", has_text=text).nth(number)

    page.get_by_label("Codice della famiglia").fill("FAM-42")
    assert page.locator(".question-container", has_text="Quante persone?").count() == 0  # not yet relevant
    page.get_by_text("Sì", exact=True).first.click()
    question("Quante persone?").locator("input").press_sequentially("2")
    question("Nome").locator("input").fill("Ada")
    question("Età").locator("input").press_sequentially("34")
    page.get_by_role("button", name="Add Persona").click()
    question("Nome", 1).locator("input").fill("Bruno")
    question("Età", 1).locator("input").press_sequentially("9")
    question("Età", 1).locator("input").press("Tab")
    assert page.locator(".question-container", has_text="Va a scuola?").count() == 1  # only for the child
    question("Va a scuola?").get_by_text("Sì", exact=True).click()
    page.get_by_text("Casa", exact=True).click()
    page.get_by_text("Cibo", exact=True).click()
    photo = tmp_path / "casa.jpg"
    photo.write_bytes(TINY_JPEG)
    page.locator("input[type=file]").first.set_input_files(str(photo))
    page.wait_for_timeout(300)
    screenshot(page, "odk-web-forms-household")
    page.get_by_role("button", name="Send").click()
    page.wait_for_function("window.sent.length > 0")
    [sent] = page.evaluate("window.sent")
    assert sent["status"] == 201, sent["message"]
    assert not errors, errors

    [stored] = editor.get("/api/v1/responses", params={"form_id": "household_visit"}).json()["items"]
    answers = stored["answers"]
    assert answers["respondent_code"] == "FAM-42" and answers["consent"] == "yes"
    assert answers["member"] == [
        {"name": "Ada", "age": 34},
        {"name": "Bruno", "age": 9, "attends_school": "yes"},
    ]
    assert answers["services"] == ["housing", "food"]
    assert stored["source"] == f"collect:{access['id']}" and stored["period_id"] == world.period_a
    [photo_name] = sent["files"]
    assert answers["photo"] == photo_name
    [attachment] = editor.get(f"/api/v1/responses/{stored['instance_id']}/attachments").json()
    assert attachment["received"] and attachment["content_type"] == "image/jpeg"
    kept = editor.get(f"/api/v1/responses/{stored['instance_id']}/attachments/{photo_name}").content

    # the very XML Web Forms sent, posted as ODK Collect would: a resend stores nothing new
    device = live_server.client()
    xml = sent["xml"].encode()
    again = collect_as_odk(device, url, xml, {photo_name: kept})
    assert again.status_code == 202, again.text
    assert len(editor.get("/api/v1/responses", params={"form_id": "household_visit"}).json()["items"]) == 1
    # the same answers from another device (a new instance id): stored alike
    other_id = str(uuid.uuid4())
    other = re.sub(
        rb"<instanceID>[^<]+</instanceID>", f"<instanceID>uuid:{other_id}</instanceID>".encode(), xml
    )
    assert collect_as_odk(device, url, other, {photo_name: kept}).status_code == 201
    items = {
        item["instance_id"]: item
        for item in editor.get("/api/v1/responses", params={"form_id": "household_visit"}).json()["items"]
    }
    assert items[other_id]["answers"] == answers
    # an edit of Web Forms' submission (meta/deprecatedID): version 2, still one response of it
    edit_id = str(uuid.uuid4())
    edit = re.sub(
        rb"<instanceID>[^<]+</instanceID>",
        f"<instanceID>uuid:{edit_id}</instanceID><deprecatedID>uuid:{stored['instance_id']}</deprecatedID>".encode(),
        xml.replace(b"<name>Ada</name>", b"<name>Adele</name>"),
    )
    assert collect_as_odk(device, url, edit, {photo_name: kept}).status_code == 201
    items = {
        item["instance_id"]: item
        for item in editor.get("/api/v1/responses", params={"form_id": "household_visit"}).json()["items"]
    }
    assert set(items) == {other_id, edit_id}
    assert items[edit_id]["version"] == 2 and items[edit_id]["answers"]["member"][0]["name"] == "Adele"


def test_the_project_page_gives_a_qr_code_odk_collect_scans(
    live_server: LiveServer, new_context: Any
) -> None:
    from tests.browser.conftest import assert_accessible, sign_in_page
    from tests.integration.pages.web import PASSWORD, build_web_world

    web = build_web_world(live_server.engine, live_server.settings)
    page = new_context(phone=False, viewport={"width": 1100, "height": 900}).new_page()
    sign_in_page(page, live_server.base_url, "editor_a@example.org", PASSWORD, "it")
    page.goto(f"{live_server.base_url}/app/projects/{web.world.project_a}#collect")
    page.fill("#collector-label", "Tablet educatori Val Susa")
    page.select_option("#collector-wave", "baseline")
    page.click("#new-collector button[type=submit]")
    page.wait_for_url("**#collector-*")
    card = page.locator(".collector").first
    card.locator("img.qr").wait_for()
    assert page.evaluate("document.querySelector('.collector img.qr').naturalWidth") > 0  # the SVG loaded
    assert "/collect/" in card.locator("code.link").inner_text()
    assert_accessible(page, "project page, field collection")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("section.collect").screenshot(path=str(SCREENSHOTS / "collect-qr-page-it.png"))
    page.goto(f"{live_server.base_url}/app/projects/{web.world.project_a}?lang=en#collect")
    page.locator("section.collect").screenshot(path=str(SCREENSHOTS / "collect-qr-page-en.png"))
    # revoking asks in place first
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(".collector").first.get_by_role("button", name="Revoke").click()
    page.wait_for_url("**done=collect_revoked**")
    assert page.locator(".collector.revoked").count() == 1
