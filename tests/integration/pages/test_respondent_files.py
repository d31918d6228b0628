"""A respondent answers photo and document questions on the survey page, over real HTTP, on SQLite
and PostgreSQL: the file is checked as OpenRosa checks it (size, count, type sniffed from its bytes)
and kept as an attachment of the response, once, readable by the organisation's members only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from impactkit.settings import Settings
from impactkit.store.tables import ResponseAttachment, SurveyResponse
from tests.conftest import LiveServer
from tests.integration.pages.test_respondent_repeats import Link, link_for
from tests.integration.pages.web import csrf_of, hidden, sign_in
from tests.odk import TINY_JPEG

MIB = 1024 * 1024
HEADER = ["type", "name", "label::Italiano (it)", "label::English (en)", "required", "relevant", "parameters"]
VISIT = [
    HEADER,
    ["text", "visitor", "Nome", "Your name", "yes"],
    ["image", "portrait", "Foto del luogo", "A photo of the place", "yes"],
    ["select_one yes_no", "has_document", "Hai un documento?", "Do you have a document?"],
    ["file", "document", "Documento", "The document", "", "${has_document} = 'yes'", "accept=.pdf"],
    ["begin repeat", "room", "Stanza", "Room"],
    ["image", "room_photo", "Foto della stanza", "Photo of the room"],
    ["end repeat"],
]
YES_NO = [
    ["list_name", "name", "label::Italiano (it)", "label::English (en)"],
    ["yes_no", "yes", "Sì", "Yes"],
    ["yes_no", "no", "No", "No"],
]
SETTINGS = [["form_id", "version", "default_language"], ["home_visit", "1", "Italiano (it)"]]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Small bounds, so that going over them is cheap: 1 MiB a file, 3 MiB a post."""
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        secret_key="test-secret-key",
        max_attachment_bytes=MIB,
        max_submission_bytes=3 * MIB,
    )


def _visit(live_server: LiveServer) -> Link:
    return link_for(live_server, VISIT, SETTINGS, YES_NO)


def _send(
    client: httpx.Client,
    token: str,
    page: str,
    fields: dict[str, Any],
    files: list[tuple[str, tuple[str, bytes, str]]],
) -> httpx.Response:
    """Post the page as a browser does with a file input: multipart/form-data."""
    data: dict[str, Any] = {
        "_csrf_token": csrf_of(page),
        "_ik_instance": hidden(page, "_ik_instance"),
        "_ik_lang": hidden(page, "_ik_lang"),
        "_ik_shown": "visitor portrait has_document document room/0/room_photo",
        "_ik_repeat": "room",
        "_ik_entry": "room/0",
        **fields,
    }
    return client.post(f"/s/{token}", data=data, files=files)


def _block(html: str, name: str) -> str:
    """The question's block on the page, from its start to the next question."""
    match = re.search(
        rf'data-name="{re.escape(name)}".*?(?=data-name="|<button type="submit" id="send")', html, re.S
    )
    assert match, f"no question {name} on the page"
    return match[0]


def _count(live_server: LiveServer, table: Any) -> int:
    with Session(live_server.engine) as session:
        return int(session.execute(select(func.count()).select_from(table)).scalar_one())


def _files_on_disk(live_server: LiveServer) -> list[Path]:
    folder = live_server.settings.data_dir / "attachments"
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_a_photo_is_answered_kept_once_and_read_by_members_of_the_organisation_only(
    live_server: LiveServer,
) -> None:
    link = _visit(live_server)
    respondent = live_server.client()
    page = respondent.get(f"/s/{link.token}?lang=en")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    portrait = re.search(r'<input type="file" id="f-portrait"[^>]*>', page.text)
    assert portrait and 'accept="image/*"' in portrait[0]
    assert re.search(r'<input type="file" id="f-document" name="document" accept=".pdf"', page.text)
    assert "At most 1 MB." in _block(page.text, "portrait")

    sent = _send(
        respondent,
        link.token,
        page.text,
        {"visitor": "Ada", "has_document": "yes"},
        [
            ("portrait", ("IMG_0001.jpg", TINY_JPEG, "image/jpeg")),
            ("document", ("lettera.pdf", PDF, "application/pdf")),
            ("room/0/room_photo", ("", b"", "application/octet-stream")),  # left empty
        ],
    )
    assert sent.status_code == 303, sent.text[:2000]
    assert "status=stored" in sent.headers["location"]
    instance_id = hidden(page.text, "_ik_instance")
    with Session(live_server.engine) as session:
        row = session.execute(select(SurveyResponse)).scalar_one()
    assert row.instance_id == instance_id and row.answers is not None
    photo_name = row.answers["portrait"]
    assert re.fullmatch(r"portrait-[0-9a-f]{16}\.jpg", photo_name)
    assert re.fullmatch(r"document-[0-9a-f]{16}\.pdf", row.answers["document"])

    # the same page sent again (a double tap, a retry after a dropped connection): stored once
    again = _send(
        respondent,
        link.token,
        page.text,
        {"visitor": "Ada", "has_document": "yes"},
        [
            ("portrait", ("IMG_0001.jpg", TINY_JPEG, "image/jpeg")),
            ("document", ("lettera.pdf", PDF, "application/pdf")),
        ],
    )
    assert again.status_code == 303 and "status=already_stored" in again.headers["location"]
    assert _count(live_server, SurveyResponse) == 1
    assert _count(live_server, ResponseAttachment) == 2
    assert len(_files_on_disk(live_server)) == 2
    assert all(path.stat().st_mode & 0o077 == 0 for path in _files_on_disk(live_server))

    member = live_server.client(link.world.tokens["viewer_a"])
    listed = member.get(f"/api/v1/responses/{instance_id}/attachments/")
    assert listed.status_code == 200
    assert {(item["field"], item["content_type"], item["received"]) for item in listed.json()} == {
        ("portrait", "image/jpeg", True),
        ("document", "application/pdf", True),
    }
    photo = member.get(f"/api/v1/responses/{instance_id}/attachments/{photo_name}")
    assert photo.status_code == 200 and photo.content == TINY_JPEG
    assert photo.headers["content-disposition"].startswith("attachment;")
    assert photo.headers["x-content-type-options"] == "nosniff"
    stranger = live_server.client(link.world.tokens["owner_b"])
    assert stranger.get(f"/api/v1/responses/{instance_id}/attachments/{photo_name}").status_code == 404
    assert stranger.get(f"/api/v1/responses/{instance_id}/attachments/").status_code == 404

    # staff see the file on the response page, linked to the member-only download
    staff = live_server.client()
    sign_in(staff, "editor_a@example.org")
    assert row.id is not None
    shown = staff.get(f"/app/responses/{row.id}")
    assert shown.status_code == 200
    assert f'href="/api/v1/responses/{instance_id}/attachments/{photo_name}"' in shown.text
    other = live_server.client()
    sign_in(other, "owner_b@example.org")
    assert other.get(f"/app/responses/{row.id}").status_code == 404


def test_a_renamed_file_that_is_not_a_photo_is_refused_next_to_its_question(live_server: LiveServer) -> None:
    link = _visit(live_server)
    respondent = live_server.client()
    for language, words in (
        ("it", "Il file «ritratto.jpg» non è una foto"),
        ("en", "The file «ritratto.jpg» is not a photo"),
    ):
        page = respondent.get(f"/s/{link.token}?lang={language}")
        refused = _send(
            respondent,
            link.token,
            page.text,
            {"visitor": "Ada <b>", "has_document": "no"},
            [("portrait", ("ritratto.jpg", b"MZ\x90\x00 this is a program, not a photo", "image/jpeg"))],
        )
        assert refused.status_code == 422
        block = _block(refused.text, "portrait")
        assert words in block and 'aria-invalid="true"' in block
        assert "Foto del luogo" in block or "A photo of the place" in block
        assert 'value="Ada &lt;b&gt;"' in refused.text, "the other answers are kept"
        assert hidden(refused.text, "_ik_instance") == hidden(page.text, "_ik_instance")
    assert _count(live_server, SurveyResponse) == 0
    assert _count(live_server, ResponseAttachment) == 0
    assert _files_on_disk(live_server) == []


def test_a_file_over_the_size_limit_is_refused_and_a_post_over_the_submission_limit_is_413(
    live_server: LiveServer,
) -> None:
    link = _visit(live_server)
    respondent = live_server.client()
    page = respondent.get(f"/s/{link.token}?lang=en")
    large = TINY_JPEG + bytes(MIB)
    refused = _send(
        respondent,
        link.token,
        page.text,
        {"visitor": "Ada"},
        [("portrait", ("big.jpg", large, "image/jpeg"))],
    )
    assert refused.status_code == 422
    assert "The file «big.jpg» is too large: at most 1 MB." in _block(refused.text, "portrait")
    huge = TINY_JPEG + bytes(4 * MIB)
    too_much = _send(
        respondent,
        link.token,
        page.text,
        {"visitor": "Ada"},
        [("portrait", ("huge.jpg", huge, "image/jpeg"))],
    )
    assert too_much.status_code == 413
    assert _count(live_server, SurveyResponse) == 0
    assert _files_on_disk(live_server) == []


def test_more_files_than_a_response_may_carry_are_refused(live_server: LiveServer) -> None:
    link = _visit(live_server)
    respondent = live_server.client()
    page = respondent.get(f"/s/{link.token}?lang=it")
    rooms = 51
    data: dict[str, Any] = {
        "_csrf_token": csrf_of(page.text),
        "_ik_instance": hidden(page.text, "_ik_instance"),
        "_ik_lang": "it",
        "_ik_shown": "visitor portrait has_document "
        + " ".join(f"room/{i}/room_photo" for i in range(rooms)),
        "_ik_repeat": "room",
        "_ik_entry": [f"room/{i}" for i in range(rooms)],
        "visitor": "Ada",
    }
    files = [("portrait", ("casa.jpg", TINY_JPEG, "image/jpeg"))] + [
        (f"room/{i}/room_photo", (f"stanza-{i}.jpg", TINY_JPEG, "image/jpeg")) for i in range(rooms)
    ]
    refused = respondent.post(f"/s/{link.token}", data=data, files=files)
    assert refused.status_code == 422
    assert "Troppi file in una risposta: al massimo 50." in refused.text
    assert len(re.findall(r'name="_ik_entry"', refused.text)) == rooms, "the entries are kept"
    assert _count(live_server, SurveyResponse) == 0
    assert _files_on_disk(live_server) == []


def test_required_and_relevant_hold_for_files(live_server: LiveServer) -> None:
    link = _visit(live_server)
    respondent = live_server.client()
    page = respondent.get(f"/s/{link.token}?lang=en")
    # the required photo missing: asked for, next to its question
    missing = _send(respondent, link.token, page.text, {"visitor": "Ada"}, [])
    assert missing.status_code == 422
    assert "This answer is required." in _block(missing.text, "portrait")
    # a document for a question the answers do not ask (no document): neither kept nor refused
    sent = _send(
        respondent,
        link.token,
        page.text,
        {"visitor": "Ada", "has_document": "no"},
        [
            ("portrait", ("casa.jpg", TINY_JPEG, "image/jpeg")),
            ("document", ("virus.exe", b"MZ\x90\x00", "application/pdf")),
            ("room/0/room_photo", ("stanza.png", TINY_JPEG, "image/png")),
        ],
    )
    assert sent.status_code == 303, sent.text[:2000]
    with Session(live_server.engine) as session:
        row = session.execute(select(SurveyResponse)).scalar_one()
        fields = sorted(a.field for a in session.execute(select(ResponseAttachment)).scalars())
    assert row.answers is not None and "document" not in row.answers
    assert re.fullmatch(r"room-0-room_photo-[0-9a-f]{16}\.jpg", row.answers["room"][0]["room_photo"])
    assert fields == ["portrait", "room[0].room_photo"]


def test_a_file_sent_with_a_page_drawn_again_is_asked_for_again(live_server: LiveServer) -> None:
    """Nothing is written before the answers are sent: a page that comes back (another answer to
    fix) asks for the file again, next to its question, in the respondent's language."""
    link = _visit(live_server)
    respondent = live_server.client()
    page = respondent.get(f"/s/{link.token}?lang=it")
    back = _send(respondent, link.token, page.text, {}, [("portrait", ("casa.jpg", TINY_JPEG, "image/jpeg"))])
    assert back.status_code == 422
    assert "Questa risposta è obbligatoria." in _block(back.text, "visitor")
    assert "Il file «casa.jpg» non è ancora stato inviato: sceglilo di nuovo" in _block(back.text, "portrait")
    assert _files_on_disk(live_server) == []


def test_the_form_preview_checks_files_as_a_link_does_and_keeps_none(live_server: LiveServer) -> None:
    _visit(live_server)
    with Session(live_server.engine) as session:
        from impactkit.store.tables import FormVersion

        version = session.execute(select(FormVersion).where(FormVersion.form_id == "home_visit")).scalar_one()
    editor = live_server.client()
    sign_in(editor, "editor_a@example.org")
    preview = editor.get(f"/app/forms/{version.id}/preview?lang=en")
    assert preview.status_code == 200 and '<input type="file" id="f-portrait"' in preview.text
    fields = {
        "_csrf_token": csrf_of(preview.text),
        "_ik_lang": "en",
        "_ik_shown": "visitor portrait has_document document room/0/room_photo",
        "_ik_repeat": "room",
        "_ik_entry": "room/0",
        "visitor": "Ada",
    }
    address = f"/app/forms/{version.id}/preview"
    refused = editor.post(
        address, data=fields, files=[("portrait", ("x.jpg", b"%PDF-1.4 not a photo", "image/jpeg"))]
    )
    assert refused.status_code == 422
    assert "The file «x.jpg» is not a photo" in _block(refused.text, "portrait")
    valid = editor.post(address, data=fields, files=[("portrait", ("x.jpg", TINY_JPEG, "image/jpeg"))])
    assert valid.status_code == 200 and 'id="preview-done"' in valid.text
    assert _count(live_server, SurveyResponse) == 0
    assert _files_on_disk(live_server) == []
