"""ODK Collect's conversation with impactkit, over real HTTP, on SQLite and PostgreSQL.

The test client speaks as ODK Collect does: it is configured with the collector access's server
address, reads the form list, downloads the form and its manifest, asks HEAD /submission first,
then posts multipart/form-data with the XML and a photo. Resends, an edit (deprecatedID), and
every refusal ODK Collect must be able to show its user are checked too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
import xml.etree.ElementTree as ET
import zlib
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from impactkit.store.tables import AuditEvent, SurveyResponse
from tests.conftest import LiveServer
from tests.factories import World
from tests.integration.surveys.test_responses_api import setup
from tests.odk import TINY_JPEG, household_form_xlsx, household_submission_xml

LIST_NS = "{http://openrosa.org/xforms/xformsList}"
RESPONSE_NS = "{http://openrosa.org/http/response}"


def collect_as_odk(
    client: httpx.Client, url: str, xml: bytes, files: dict[str, bytes] | None = None
) -> httpx.Response:
    """POST a submission the way ODK Collect does: HEAD first, then multipart with the XML part."""
    probe = client.head(f"{url}/submission", headers={"X-OpenRosa-Version": "1.0"})
    assert probe.status_code == 204, probe.text
    assert probe.headers["X-OpenRosa-Version"] == "1.0"
    assert int(probe.headers["X-OpenRosa-Accept-Content-Length"]) >= 10 * 1024 * 1024
    parts: list[tuple[str, Any]] = [("xml_submission_file", ("submission.xml", xml, "text/xml"))]
    for name, data in (files or {}).items():
        parts.append((name, (name, data, "image/jpeg")))
    return client.post(f"{url}/submission", files=parts, headers={"X-OpenRosa-Version": "1.0"})


def message(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("text/xml"), response.text
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    root = ET.fromstring(response.content)
    assert root.tag == f"{RESPONSE_NS}OpenRosaResponse"
    return root.findtext(f"{RESPONSE_NS}message") or ""


@pytest.fixture
def field_team(live_server: LiveServer) -> dict[str, Any]:
    """Organisation A publishes the household form and creates a collector access for its project."""
    world: World = setup(live_server)
    editor = live_server.client(world.tokens["editor_a"])
    published = editor.post(
        f"/api/v1/organisations/{world.org_a}/forms",
        files={"file": ("household_visit.xlsx", household_form_xlsx())},
    )
    assert published.status_code == 201, published.text
    access = editor.post(
        f"/api/v1/projects/{world.project_a}/collectors", json={"label": "Tablet 1", "wave": "baseline"}
    )
    assert access.status_code == 201, access.text
    # the address the device was given, on this test server
    url = live_server.base_url + "/collect/" + access.json()["url"].rsplit("/collect/", 1)[1]
    return {"world": world, "editor": editor, "url": url, "access": access.json(), "form": published.json()}


def test_odk_collect_downloads_the_form_and_sends_answers_with_a_photo(
    live_server: LiveServer, field_team: dict[str, Any]
) -> None:
    world, editor, url = field_team["world"], field_team["editor"], field_team["url"]
    device = live_server.client()
    listed = device.get(f"{url}/formList", headers={"X-OpenRosa-Version": "1.0"})
    assert listed.status_code == 200 and listed.headers["X-OpenRosa-Version"] == "1.0"
    forms = {
        item.findtext(f"{LIST_NS}formID"): item
        for item in ET.fromstring(listed.content).iter(f"{LIST_NS}xform")
    }
    assert {"household_visit", "beneficiary_outcomes"} <= set(forms)
    household = forms["household_visit"]
    assert household.findtext(f"{LIST_NS}version") == "2026.1"
    download = device.get(household.findtext(f"{LIST_NS}downloadUrl") or "")
    assert download.status_code == 200
    assert household.findtext(f"{LIST_NS}hash") == "md5:" + hashlib.md5(download.content).hexdigest()
    assert b'id="household_visit"' in download.content and b"jr:template" in download.content
    assert download.content == editor.get(f"/api/v1/forms/{field_team['form']['id']}/xform").content

    instance_id = str(uuid.uuid4())
    sent = collect_as_odk(device, url, household_submission_xml(instance_id), {"casa.jpg": TINY_JPEG})
    assert sent.status_code == 201, sent.text
    assert "received" in message(sent)

    [stored] = editor.get("/api/v1/responses", params={"form_id": "household_visit"}).json()["items"]
    assert stored["instance_id"] == instance_id
    assert stored["source"] == f"collect:{field_team['access']['id']}"
    assert stored["respondent_code"] == "FAM-1"
    assert stored["wave"] == "baseline"
    assert stored["period_id"] == world.period_a  # the project's period holding the day of collection
    answers = stored["answers"]
    assert answers["member"] == [
        {"name": "Ada", "age": 34},
        {"name": "Bruno", "age": 9, "attends_school": "yes"},
    ]
    assert answers["services"] == ["housing", "food"] and answers["photo"] == "casa.jpg"

    files = editor.get(f"/api/v1/responses/{instance_id}/attachments").json()
    assert files == [
        {
            "field": "photo",
            "filename": "casa.jpg",
            "content_type": "image/jpeg",
            "size": len(TINY_JPEG),
            "received": True,
            "received_at": files[0]["received_at"],
        }
    ]
    photo = editor.get(f"/api/v1/responses/{instance_id}/attachments/casa.jpg")
    assert photo.status_code == 200 and photo.content == TINY_JPEG
    assert photo.headers["content-disposition"].startswith("attachment;")
    assert photo.headers["x-content-type-options"] == "nosniff"
    assert (
        live_server.client(world.tokens["owner_b"])
        .get(f"/api/v1/responses/{instance_id}/attachments/casa.jpg")
        .status_code
        == 404
    )
    assert (
        live_server.client(world.tokens["funder_a"])
        .get(f"/api/v1/responses/{instance_id}/attachments")
        .status_code
        == 404
    )
    on_disk = list(
        (live_server.settings.data_dir / "attachments").rglob(hashlib.sha256(TINY_JPEG).hexdigest())
    )
    assert len(on_disk) == 1

    # the same submission again (ODK Collect never saw the answer): stored once, 202
    again = collect_as_odk(device, url, household_submission_xml(instance_id), {"casa.jpg": TINY_JPEG})
    assert again.status_code == 202, again.text
    # an edit: a new instance id replacing the first; version 2, counted once
    edit_id = str(uuid.uuid4())
    edited = collect_as_odk(
        device,
        url,
        household_submission_xml(
            edit_id, code="FAM-1", members=[("Ada", 35, None)], deprecated_id=instance_id
        ),
        {"casa.jpg": TINY_JPEG},
    )
    assert edited.status_code == 201, edited.text
    [current] = editor.get("/api/v1/responses", params={"form_id": "household_visit"}).json()["items"]
    assert (current["instance_id"], current["version"]) == (edit_id, 2)
    assert current["answers"]["member"] == [{"name": "Ada", "age": 35}]
    with Session(live_server.engine) as session:
        versions = session.execute(
            select(SurveyResponse.instance_id, SurveyResponse.version, SurveyResponse.replaced_at)  # type: ignore[call-overload]
        ).all()
        household_rows = [v for v in versions if v[0] in (instance_id, edit_id)]
        assert sorted((v[1], v[2] is None) for v in household_rows) == [(1, False), (2, True)]
        edits = session.execute(
            select(func.count()).where(AuditEvent.action == "response.edited")
        ).scalar_one()  # type: ignore[arg-type]
        assert edits == 1
    # the edit sent again: nothing new; editing the replaced version again: a conflict
    assert (
        collect_as_odk(
            device,
            url,
            household_submission_xml(
                edit_id, code="FAM-1", members=[("Ada", 35, None)], deprecated_id=instance_id
            ),
        ).status_code
        == 202
    )
    late = collect_as_odk(device, url, household_submission_xml(str(uuid.uuid4()), deprecated_id=instance_id))
    assert late.status_code == 409 and "already replaced" in message(late)

    # erased on request (GDPR): every version, and the photo with them
    owner = live_server.client(world.tokens["owner_a"])
    erased = owner.delete(f"/api/v1/responses/{edit_id}")
    assert erased.status_code == 200 and set(erased.json()["erased"]) == {instance_id, edit_id}
    assert editor.get(f"/api/v1/responses/{instance_id}/attachments").json() == []
    assert not on_disk[0].exists()


def test_what_odk_collect_is_refused_is_said_in_openrosa_xml(
    live_server: LiveServer, field_team: dict[str, Any]
) -> None:
    editor, url = field_team["editor"], field_team["url"]
    device = live_server.client()

    def post(
        xml: bytes, files: dict[str, tuple[str, bytes, str]] | None = None, **kwargs: Any
    ) -> httpx.Response:
        parts: list[tuple[str, Any]] = [("xml_submission_file", ("submission.xml", xml, "text/xml"))]
        parts += [(name, value) for name, value in (files or {}).items()]
        return device.post(f"{url}/submission", files=parts, **kwargs)

    # answers that do not fit the form: 400 naming the question
    bad_age = post(household_submission_xml(str(uuid.uuid4()), members=[("Ada", 300, None)]))
    assert bad_age.status_code == 400 and "member[0].age" in message(bad_age)
    # an element the form does not have
    unknown = post(
        household_submission_xml(str(uuid.uuid4())).replace(
            b"<consent>", b"<favourite>x</favourite><consent>"
        )
    )
    assert unknown.status_code == 400 and "data/favourite" in message(unknown)
    # XML with an entity (billion laughs and friends are never expanded)
    entity = post(
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><data id="household_visit">&a;</data>'
    )
    assert entity.status_code == 400 and "DTD" in message(entity)
    assert post(b"<data").status_code == 400
    # a file no answer names, and a "photo" that is not an image
    stray = post(
        household_submission_xml(str(uuid.uuid4())), {"other.jpg": ("other.jpg", TINY_JPEG, "image/jpeg")}
    )
    assert stray.status_code == 400 and "other.jpg" in message(stray)
    fake = post(
        household_submission_xml(str(uuid.uuid4())),
        {"casa.jpg": ("casa.jpg", b"MZ\x90\x00 not a photo", "image/jpeg")},
    )
    assert fake.status_code == 400 and "photo" in message(fake)
    # no XML part at all; not multipart
    assert device.post(f"{url}/submission", files={"photo": ("a.jpg", TINY_JPEG)}).status_code == 400
    assert device.post(f"{url}/submission", content=b"<data/>").status_code == 400
    # a form version impactkit does not have
    ghost = post(household_submission_xml(str(uuid.uuid4()), version="1999"))
    assert ghost.status_code == 404 and "1999" in message(ghost)
    # too large for the server (ODK Collect splits a submission by X-OpenRosa-Accept-Content-Length)
    limit = live_server.settings.max_submission_bytes
    huge = post(
        household_submission_xml(str(uuid.uuid4())),
        {"casa.jpg": ("casa.jpg", TINY_JPEG + bytes(limit), "image/jpeg")},
    )
    assert huge.status_code == 413 and message(huge)
    # an unknown address; then a revoked access: 401 for both, and the form list too
    assert device.get(f"{live_server.base_url}/collect/not-a-secret/formList").status_code == 401
    revoked = editor.post(f"/api/v1/collectors/{field_team['access']['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    for answer in (
        device.get(f"{url}/formList"),
        device.head(f"{url}/submission"),
        post(household_submission_xml(str(uuid.uuid4()))),
    ):
        assert answer.status_code == 401
    assert message(device.get(f"{url}/formList"))
    # nothing of the above was stored, and no file was written
    with Session(live_server.engine) as session:
        assert session.execute(select(func.count()).select_from(SurveyResponse)).scalar_one() == 0
    folder = live_server.settings.data_dir / "attachments"
    assert not folder.exists() or not [path for path in folder.rglob("*") if path.is_file()]


def test_an_access_offers_only_its_forms_and_its_organisations(
    live_server: LiveServer, field_team: dict[str, Any]
) -> None:
    world, editor = field_team["world"], field_team["editor"]
    only = editor.post(
        f"/api/v1/projects/{world.project_a}/collectors",
        json={
            "label": "Beneficiaries only",
            "form_ids": ["beneficiary_outcomes"],
            "period_id": world.period_a,
        },
    ).json()
    url = live_server.base_url + "/collect/" + only["url"].rsplit("/collect/", 1)[1]
    device = live_server.client()
    listed = ET.fromstring(device.get(f"{url}/formList").content)
    assert [x.findtext(f"{LIST_NS}formID") for x in listed.iter(f"{LIST_NS}xform")] == [
        "beneficiary_outcomes"
    ]
    household_id = field_team["form"]["id"]
    assert device.get(f"{url}/forms/{household_id}/form.xml").status_code == 403
    refused = device.post(
        f"{url}/submission",
        files={"xml_submission_file": ("s.xml", household_submission_xml(str(uuid.uuid4())), "text/xml")},
    )
    assert refused.status_code == 403
    # organisation B's own form is never offered to A's devices
    owner_b = live_server.client(world.tokens["owner_b"])
    b_form = owner_b.post(
        f"/api/v1/organisations/{world.org_b}/forms", files={"file": ("h.xlsx", household_form_xlsx("b-1"))}
    ).json()
    assert device.get(f"{field_team['url']}/forms/{b_form['id']}/form.xml").status_code == 404
    # the QR code carries ODK Collect's settings for this address
    qr = editor.get(f"/api/v1/collectors/{only['id']}/qr.svg")
    assert (
        qr.status_code == 200
        and qr.headers["content-type"].startswith("image/svg+xml")
        and b"<svg" in qr.content
    )
    assert editor.get(f"/api/v1/collectors/{only['id']}/qr.png").content[:8] == b"\x89PNG\r\n\x1a\n"
    settings = json.loads(zlib.decompress(base64.b64decode(only["settings_code"])))
    assert settings["general"]["server_url"] == only["url"]
    assert settings["general"]["form_update_mode"] == "match_exactly"
    assert "Cooperativa A" in settings["project"]["name"]
    assert (
        live_server.client(world.tokens["viewer_a"])
        .get(f"/api/v1/collectors/{only['id']}/qr.svg")
        .status_code
        == 403
    )
    assert owner_b.get(f"/api/v1/collectors/{only['id']}/qr.svg").status_code == 404


def test_impactkit_collect_url_prints_an_address_odk_collect_can_use(live_server: LiveServer) -> None:
    from click.testing import CliRunner

    from impactkit.cli import main

    world = setup(live_server)
    env = {
        "IMPACTKIT_DATABASE_URL": live_server.settings.database_url,
        "IMPACTKIT_DATA_DIR": str(live_server.settings.data_dir),
        "IMPACTKIT_SECRET_KEY": live_server.settings.secret_key,
        "IMPACTKIT_PUBLIC_URL": live_server.base_url,
    }
    runner = CliRunner()
    first = runner.invoke(main, ["collect", "url", "--project-id", str(world.project_a), "--qr"], env=env)
    assert first.exit_code == 0, first.output
    url = first.stdout.splitlines()[0]
    assert url.startswith(f"{live_server.base_url}/collect/")
    assert "█" in first.stdout  # the settings QR code, drawn in the terminal
    again = runner.invoke(main, ["collect", "url", "--project-id", str(world.project_a)], env=env)
    assert again.stdout.splitlines()[0] == url  # the open access is reused
    listed = live_server.client().get(f"{url}/formList")
    assert listed.status_code == 200 and b"beneficiary_outcomes" in listed.content
    access_id = (
        live_server.client(world.tokens["editor_a"])
        .get(f"/api/v1/projects/{world.project_a}/collectors")
        .json()[0]["id"]
    )
    revoked = runner.invoke(main, ["collect", "revoke", "--access-id", str(access_id)], env=env)
    assert revoked.exit_code == 0, revoked.output
    assert live_server.client().get(f"{url}/formList").status_code == 401
    missing = runner.invoke(main, ["collect", "url", "--project-id", "999"], env=env)
    assert missing.exit_code != 0 and "project 999 not found" in missing.output
