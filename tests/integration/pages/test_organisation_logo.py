"""An owner puts the organisation's logo on its documents, through the details page over real HTTP
on both databases: refused files say why beside the field, the stored image has no metadata, the
report's PDF carries it on the cover and still verifies, the DOCX too; another organisation can
neither read nor replace it; a validated report keeps the logo it was sealed with."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import httpx
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader
from sqlmodel import select

from impactkit.reports import verify_bytes
from impactkit.reports.cli import report as report_cli
from impactkit.reports.documents import embedded_logo
from impactkit.store import reports
from impactkit.store.db import session_scope
from impactkit.store.principals import load_principal
from impactkit.store.tables import AuditEvent, OrganisationLogo, Report, User
from tests.conftest import LiveServer
from tests.integration.pages.test_observatory import public_link, publish, validated_report
from tests.integration.pages.web import WebWorld, build_web_world, csrf_of, sign_in
from tests.logo_files import SVG, TEXT, gif, jpeg_with_gps, oversized, png, png_bomb


def _owner(live_server: LiveServer, who: str = "owner_a") -> httpx.Client:
    client = live_server.client()
    assert sign_in(client, f"{who}@example.org").status_code == 303
    return client


def upload(client: httpx.Client, organisation_id: int, name: str, data: bytes, kind: str) -> httpx.Response:
    page = client.get(f"/app/organisations/{organisation_id}/details")
    return client.post(
        f"/app/organisations/{organisation_id}/logo",
        data={"_csrf_token": csrf_of(page.text)},
        files={"logo": (name, data, kind)},
    )


def _draft(live_server: LiveServer, web: WebWorld) -> int:
    with session_scope(live_server.engine) as session:
        editor = session.get(User, web.world.users["editor_a"])
        assert editor is not None
        report = reports.create_report(
            session, load_principal(session, editor), web.world.project_a, web.world.period_a, language="it"
        )
        assert report.id is not None
        return report.id


def _verify_with_the_cli(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "bilancio.pdf"
    path.write_bytes(pdf)
    result = CliRunner().invoke(report_cli, ["verify", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def test_an_owner_uploads_a_logo_that_reaches_the_pdf_and_docx_without_its_gps_position(
    live_server: LiveServer, tmp_path: Path
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    org = web.world.org_a
    report_id = _draft(live_server, web)
    owner = _owner(live_server)
    before = owner.get(f"/app/organisations/{org}/details")
    assert 'id="logo-form"' in before.text and 'id="no-logo"' in before.text

    photo = jpeg_with_gps(600, 240)
    saved = upload(owner, org, "logo.jpg", photo, "image/jpeg")
    assert saved.status_code == 303 and saved.headers["location"].endswith("done=logo_saved#logo")
    page = owner.get(f"/app/organisations/{org}/details")
    assert 'id="current-logo"' in page.text and 'id="logo-remove-form"' in page.text
    served = owner.get(f"/app/organisations/{org}/logo")
    assert served.status_code == 200 and served.headers["content-type"].startswith("image/jpeg")
    image = Image.open(io.BytesIO(served.content))
    assert image.size == (600, 240) and dict(image.getexif()) == {}, "no EXIF, no GPS position"
    assert b"Exif" not in served.content and b"PhoneMaker" not in served.content

    pdf = owner.get(f"/app/reports/{report_id}/report.pdf")
    assert pdf.status_code == 200, pdf.text[:300]
    [cover_image] = PdfReader(io.BytesIO(pdf.content)).pages[0].images
    assert cover_image.image is not None and cover_image.image.size == (600, 240)
    assert embedded_logo(pdf.content) == served.content
    assert "verified" in _verify_with_the_cli(pdf.content, tmp_path)

    from docx import Document

    docx = owner.get(f"/app/reports/{report_id}/report.docx")
    document = Document(io.BytesIO(docx.content))
    assert len(document.inline_shapes) == 1
    assert document.sections[0].header._element.xpath(".//pic:pic")

    with session_scope(live_server.engine) as session:
        actions = [
            e.action for e in session.exec(select(AuditEvent).where(AuditEvent.organisation_id == org)).all()
        ]
    assert "organisation.logo_set" in actions

    replaced = upload(owner, org, "logo.png", png(200, 200, "navy"), "image/png")
    assert replaced.status_code == 303
    again = PdfReader(io.BytesIO(owner.get(f"/app/reports/{report_id}/report.pdf").content))
    assert [i.image.size for i in again.pages[0].images if i.image is not None] == [(200, 200)], (
        "a draft follows the new logo"
    )
    page = owner.get(f"/app/organisations/{org}/details")
    removed = owner.post(f"/app/organisations/{org}/logo/remove", data={"_csrf_token": csrf_of(page.text)})
    assert removed.status_code == 303
    assert owner.get(f"/app/organisations/{org}/logo").status_code == 404
    bare = owner.get(f"/app/reports/{report_id}/report.pdf").content
    assert len(PdfReader(io.BytesIO(bare)).pages[0].images) == 0 and verify_bytes(bare).ok
    with session_scope(live_server.engine) as session:
        assert session.exec(select(OrganisationLogo)).all() == [], "nothing names the old logos: gone"
        actions = [
            e.action for e in session.exec(select(AuditEvent).where(AuditEvent.organisation_id == org)).all()
        ]
    assert {"organisation.logo_changed", "organisation.logo_removed"} <= set(actions)


def test_gif_svg_renamed_text_oversized_and_bombs_are_refused_beside_the_field(
    live_server: LiveServer,
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    org = web.world.org_a
    owner = _owner(live_server)
    cases = [
        ("logo.gif", gif(), "image/gif", "conta il contenuto"),
        ("logo.svg", SVG, "image/svg+xml", "conta il contenuto"),
        ("logo.png", TEXT, "image/png", "conta il contenuto"),
        ("logo.png", oversized(), "image/png", "supera 2"),
        ("logo.png", png_bomb(), "image/png", "6.000 pixel per lato"),
    ]
    for name, data, kind, said in cases:
        refused = upload(owner, org, name, data, kind)
        assert refused.status_code == 422, (name, refused.status_code)
        assert 'id="e-logo"' in refused.text and 'aria-invalid="true"' in refused.text, name
        assert said in refused.text, (name, said)
    english = owner.get(f"/app/organisations/{org}/details", params={"lang": "en"})
    assert english.status_code == 200
    refused = upload(owner, org, "logo.gif", gif(), "image/gif")
    assert "its content counts, not its name" in refused.text
    with session_scope(live_server.engine) as session:
        assert session.exec(select(OrganisationLogo)).all() == [], "nothing stored"


def test_another_organisation_can_neither_read_nor_replace_the_logo(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    org = web.world.org_a
    owner = _owner(live_server)
    original = png(120, 60, "green")
    assert upload(owner, org, "logo.png", original, "image/png").status_code == 303
    stored = owner.get(f"/app/organisations/{org}/logo").content

    other = _owner(live_server, "owner_b")
    assert other.get(f"/app/organisations/{org}/logo").status_code == 404
    assert other.get(f"/app/organisations/{org}/details").status_code == 404
    token = csrf_of(other.get(f"/app/organisations/{web.world.org_b}/details").text)
    replaced = other.post(
        f"/app/organisations/{org}/logo",
        data={"_csrf_token": token},
        files={"logo": ("logo.png", png(10, 10, "red"), "image/png")},
    )
    assert replaced.status_code in (403, 404)
    assert other.post(f"/app/organisations/{org}/logo/remove", data={"_csrf_token": token}).status_code in (
        403,
        404,
    )
    api = live_server.client(web.world.tokens["owner_b"])
    assert api.get(f"/api/v1/organisations/{org}/logo").status_code == 404
    assert api.put(
        f"/api/v1/organisations/{org}/logo", files={"logo": ("l.png", png(10, 10, "red"), "image/png")}
    ).status_code in (403, 404)
    assert api.delete(f"/api/v1/organisations/{org}/logo").status_code in (403, 404)
    viewer = _owner(live_server, "viewer_a")
    assert viewer.get(f"/app/organisations/{org}/logo").content == stored, "members see it"
    assert 'id="logo-form"' not in viewer.get(f"/app/organisations/{org}/details").text
    assert owner.get(f"/app/organisations/{org}/logo").content == stored, "unchanged"


def test_the_api_sets_reads_and_removes_the_logo(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    org = web.world.org_a
    api = live_server.client(web.world.tokens["owner_a"])
    assert api.get(f"/api/v1/organisations/{org}/logo").status_code == 404
    put = api.put(
        f"/api/v1/organisations/{org}/logo", files={"logo": ("x.jpg", jpeg_with_gps(), "image/jpeg")}
    )
    assert put.status_code == 200, put.text
    body = put.json()
    image = api.get(f"/api/v1/organisations/{org}/logo")
    assert image.headers["content-type"].startswith("image/jpeg")
    assert hashlib.sha256(image.content).hexdigest() == body["sha256"] and b"Exif" not in image.content
    refused = api.put(f"/api/v1/organisations/{org}/logo", files={"logo": ("x.png", SVG, "image/png")})
    assert refused.status_code == 422 and refused.json()["errors"][0]["location"] == "logo", refused.text
    assert api.delete(f"/api/v1/organisations/{org}/logo").status_code == 204
    assert api.get(f"/api/v1/organisations/{org}/logo").status_code == 404
    assert api.delete(f"/api/v1/organisations/{org}/logo").status_code == 204, "removing twice is fine"


def test_a_validated_report_keeps_the_logo_it_was_sealed_with(
    live_server: LiveServer, tmp_path: Path
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    org = web.world.org_a
    owner = _owner(live_server)
    assert upload(owner, org, "logo.png", png(300, 100, "maroon"), "image/png").status_code == 303
    sealed_logo = owner.get(f"/app/organisations/{org}/logo").content
    report_id = validated_report(live_server.engine, web)
    first = owner.get(f"/app/reports/{report_id}/report.pdf").content
    assert embedded_logo(first) == sealed_logo and verify_bytes(first).validated

    assert upload(owner, org, "new.png", png(300, 100, "gold"), "image/png").status_code == 303
    after = owner.get(f"/app/reports/{report_id}/report.pdf").content
    assert embedded_logo(after) == sealed_logo, (
        "the sealed report still prints the logo it was validated with"
    )
    assert verify_bytes(after).content_hash == verify_bytes(first).content_hash
    _verify_with_the_cli(after, tmp_path)
    page = owner.get(f"/app/organisations/{org}/details")
    owner.post(f"/app/organisations/{org}/logo/remove", data={"_csrf_token": csrf_of(page.text)})
    kept = owner.get(f"/app/reports/{report_id}/report.pdf").content
    assert embedded_logo(kept) == sealed_logo, "removing the logo does not unseal a validated report"

    assert publish(owner, report_id).status_code == 303
    address = public_link(owner, report_id)
    visitor = live_server.client()
    public = visitor.get(address + "/rapporto.pdf")
    assert public.status_code == 200 and embedded_logo(public.content) == sealed_logo
    assert verify_bytes(public.content).validated
    page = visitor.get(address)
    assert f'src="{address}/logo"' in page.text and 'alt="Logo di ' in page.text
    assert visitor.get(address + "/logo").content == sealed_logo, "the public page shows the sealed logo"

    with session_scope(live_server.engine) as session:
        editor = session.get(User, web.world.users["editor_a"])
        report = session.get(Report, report_id)
        assert editor is not None and report is not None
        new = reports.update_report(session, load_principal(session, editor), report, sections={})
        assert "logo" not in new.content["organisation"], "a new draft prints the logo of now (none)"
