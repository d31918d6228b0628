"""The project page's field collection part: an editor creates an ODK Collect access, sees its QR
code and address, and revokes it with confirmation; viewers and other organisations never see it."""

from __future__ import annotations

import html
import re
import uuid

from tests.conftest import LiveServer
from tests.integration.pages.web import build_web_world, csrf_of, sign_in
from tests.integration.surveys.test_openrosa import collect_as_odk
from tests.odk import instance_xml
from tests.reliability.loadclient import beneficiary_answers


def test_an_editor_gives_field_workers_a_qr_code_and_takes_it_back(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    world = web.world
    editor = live_server.client(follow_redirects=True)
    assert sign_in(editor, "editor_a@example.org").status_code == 200
    page = editor.get(f"/app/projects/{world.project_a}")
    assert "Raccolta sul campo con ODK Collect o KoBoCollect" in page.text
    created = editor.post(
        f"/app/projects/{world.project_a}/collectors",
        data={
            "label": "Tablet Val Susa",
            "period_id": "",
            "wave": "baseline",
            "_csrf_token": csrf_of(page.text),
        },
    )
    assert created.status_code == 200 and "Accesso creato" in created.text
    access_id = int(re.search(r'id="collector-(\d+)"', created.text)[1])  # type: ignore[index]
    address = re.search(r'<code class="link">(http[^<]+/collect/[^<]+)</code>', created.text)[1]  # type: ignore[index]
    assert f'src="/app/collectors/{access_id}/qr.svg"' in created.text
    qr = editor.get(f"/app/collectors/{access_id}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in qr.content and b"<script" not in qr.content

    # the address works for a device, and what it sends is counted on the card
    device = live_server.client()
    device_url = live_server.base_url + "/collect/" + address.rsplit("/collect/", 1)[1]
    listed = device.get(f"{device_url}/formList").text
    download = re.search(rf"<downloadUrl>([^<]+/forms/{web.form_version_id}/form.xml)</downloadUrl>", listed)
    assert download is not None
    xform = device.get(download[1]).text
    sent = collect_as_odk(device, device_url, instance_xml(xform, beneficiary_answers(7), str(uuid.uuid4())))
    assert sent.status_code == 201, sent.text
    english = editor.get(f"/app/projects/{world.project_a}?lang=en")
    assert "Field collection with ODK Collect or KoBoCollect" in english.text
    card = english.text.split(f'id="collector-{access_id}"', 1)[1].split("</div>", 1)[0]
    assert "Answers received: <strong>1</strong>" in card

    # a viewer sees no address; another organisation gets nothing
    viewer = live_server.client(follow_redirects=True)
    sign_in(viewer, "viewer_a@example.org")
    assert "/collect/" not in viewer.get(f"/app/projects/{world.project_a}").text
    assert viewer.get(f"/app/collectors/{access_id}/qr.svg").status_code == 403
    other = live_server.client(follow_redirects=True)
    sign_in(other, "owner_b@example.org")
    assert other.get(f"/app/collectors/{access_id}/qr.svg").status_code == 404

    # revoking asks first (without JavaScript: a page with the question), then takes effect
    page = editor.get(f"/app/projects/{world.project_a}?lang=it")
    asked = editor.post(f"/app/collectors/{access_id}/revoke", data={"_csrf_token": csrf_of(page.text)})
    assert asked.status_code == 200 and "Revocare l'accesso «Tablet Val Susa»?" in html.unescape(asked.text)
    assert live_server.client().get(f"{device_url}/formList").status_code == 200
    done = editor.post(
        f"/app/collectors/{access_id}/revoke", data={"_csrf_token": csrf_of(asked.text), "confirmed": "yes"}
    )
    assert done.status_code == 200 and "Accesso revocato" in done.text
    assert live_server.client().get(f"{device_url}/formList").status_code == 401
    assert editor.get(f"/app/collectors/{access_id}/qr.svg").status_code == 404
