"""The observatory over real HTTP on both databases: an owner publishes a validated report, anyone
finds it by zone and Plan objective, reads it and its open data; withdrawn, it is gone everywhere."""

from __future__ import annotations

import csv
import io
import json
import re

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import select

from impactkit.reports.documents import verify_pdf
from impactkit.store import reports
from impactkit.store.db import session_scope
from impactkit.store.principals import load_principal
from impactkit.store.tables import AuditEvent, Report, User
from tests.conftest import LiveServer
from tests.integration.pages.web import (
    WebWorld,
    build_web_world,
    collect_responses,
    csrf_of,
    sign_in,
    store_self_report,
    submitted_report,
)

PUBLIC_ADDRESSES = (
    "/osservatorio",
    "/osservatorio?lang=en",
    "/osservatorio?zona=Torino",
    "/osservatorio?obiettivo=6.1",
    "/osservatorio/buone-pratiche",
    "/osservatorio/aggregati",
    "/osservatorio/dati",
    "/osservatorio/dati/pubblicazioni.csv",
    "/osservatorio/dati/pubblicazioni.json",
    "/osservatorio/dati/aggregati.csv",
    "/osservatorio/dati/aggregati.json",
    "/osservatorio/dati/catalogo.ttl",
    "/osservatorio/dati/catalogo.rdf",
    "/osservatorio/feed.atom",
    "/sitemap.xml",
)
"""Every public page and file that lists publications."""


def validated_report(engine: Engine, web: WebWorld) -> int:
    """Project A's report with responses, the self-report and case A's value map, validated."""
    collect_responses(engine, web)
    store_self_report(engine, web)
    report_id = submitted_report(engine, web)
    with session_scope(engine) as session:
        evaluator = session.get(User, web.world.users["evaluator"])
        assert evaluator is not None
        principal = load_principal(session, evaluator)
        report = session.get(Report, report_id)
        assert report is not None
        row = reports.version(session, report)
        failing = {
            item.id: "Checked against the annual accounts."
            for item in reports.checklist(session, report, row)
            if item.status == "fail"
        }
        reports.validate_report(session, principal, report, "Sound.", failing)
    return report_id


def publish(client: httpx.Client, report_id: int) -> httpx.Response:
    page = client.get(f"/app/reports/{report_id}")
    assert 'id="obs-publish"' in page.text
    return client.post(
        f"/app/reports/{report_id}/observatory/publish", data={"_csrf_token": csrf_of(page.text)}
    )


def public_link(client: httpx.Client, report_id: int) -> str:
    page = client.get(f"/app/reports/{report_id}")
    match = re.search(r'href="(/osservatorio/rapporti/[A-Za-z0-9_-]+)" id="obs-public-link"', page.text)
    assert match, "the report page links its public page once published"
    return match[1]


def test_an_owner_publishes_anyone_finds_reads_and_downloads_then_it_is_withdrawn(
    live_server: LiveServer,
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    report_id = validated_report(live_server.engine, web)
    owner = live_server.client()
    sign_in(owner, "owner_a@example.org")
    assert publish(owner, report_id).status_code == 303
    address = public_link(owner, report_id)
    slug = address.rsplit("/", 1)[1]
    assert not slug.isdigit() and len(slug) >= 12, "a public address gives nothing away"

    visitor = live_server.client()
    by_zone = visitor.get("/osservatorio", params={"zona": "Torino"})
    assert by_zone.status_code == 200 and address in by_zone.text
    assert address not in visitor.get("/osservatorio", params={"zona": "Pinerolese"}).text
    assert address in visitor.get("/osservatorio", params={"obiettivo": "6.1"}).text
    assert address not in visitor.get("/osservatorio", params={"obiettivo": "5.3"}).text
    assert address in visitor.get("/osservatorio", params={"tipo": "aps", "territorio": "urban"}).text
    assert "<script" not in by_zone.text, "public pages need no JavaScript"

    page = visitor.get(address, params={"lang": "en"})
    assert page.status_code == 200
    assert 'id="seal"' in page.text and "Validated by" in page.text
    assert re.search(r"[0-9a-f]{64}", page.text), "the seal's content hash is shown"
    assert 'id="sroi"' in page.text and "3.81 : 1" in page.text
    pdf_address = f"{address}/rapporto.pdf"
    assert f'href="{pdf_address}"' in page.text
    pdf = visitor.get(pdf_address)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    checked = verify_pdf(pdf.content)
    assert checked.ok, checked.message
    assert visitor.get(pdf_address).content == pdf.content, "the same sealed file for every visitor"
    assert '<link rel="canonical"' in page.text and '<meta name="description"' in page.text

    kpis = visitor.get(f"/osservatorio/dati/rapporti/{slug}.csv")
    assert kpis.status_code == 200 and kpis.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(kpis.text)))
    assert rows and all(row["publication"] == slug for row in rows)
    as_json = visitor.get(f"/osservatorio/dati/rapporti/{slug}.json").json()
    assert as_json["licence"] == "https://creativecommons.org/licenses/by/4.0/"
    assert as_json["publication"]["id"] == slug
    for path in PUBLIC_ADDRESSES:
        answer = visitor.get(path)
        assert answer.status_code == 200, path
    listed = visitor.get("/osservatorio/dati/pubblicazioni.json").json()["publications"]
    assert [item["id"] for item in listed] == [slug]
    tagged = listed[0]
    assert tagged["sdg_targets"] and tagged["imp_dimensions"]
    assert address in visitor.get("/osservatorio", params={"sdg": tagged["sdg_targets"][0]}).text
    assert address in visitor.get("/osservatorio", params={"imp": tagged["imp_dimensions"][0]}).text
    assert address not in visitor.get("/osservatorio", params={"sdg": "14.1"}).text
    assert address not in visitor.get("/osservatorio", params={"territorio": "mountain"}).text
    robots = visitor.get("/robots.txt").text
    assert "Disallow: /app" in robots and "Sitemap: " in robots
    root = visitor.get("/observatory", follow_redirects=False)
    assert root.status_code == 301 and root.headers["location"] == "/osservatorio?lang=en"
    assert slug in visitor.get("/osservatorio/feed.atom").text
    assert slug in visitor.get("/sitemap.xml").text

    # the English address leads to the canonical one
    english = visitor.get("/observatory/reports/" + slug, follow_redirects=False)
    assert english.status_code == 301 and english.headers["location"].startswith(address)

    page = owner.get(f"/app/reports/{report_id}")
    asked = owner.post(
        f"/app/reports/{report_id}/observatory/withdraw", data={"_csrf_token": csrf_of(page.text)}
    )
    assert asked.status_code == 200 and 'id="confirm-question"' in asked.text
    withdrawn = owner.post(
        f"/app/reports/{report_id}/observatory/withdraw",
        data={"_csrf_token": csrf_of(page.text), "confirmed": "yes"},
    )
    assert withdrawn.status_code == 303
    assert visitor.get(address).status_code == 404
    assert visitor.get(f"/osservatorio/dati/rapporti/{slug}.csv").status_code == 404
    assert visitor.get(pdf_address).status_code == 404
    for path in PUBLIC_ADDRESSES:
        answer = visitor.get(path)
        assert answer.status_code == 200 and slug not in answer.text, path
        assert "Associazione A" not in answer.text, path
    with session_scope(live_server.engine) as session:
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.action.startswith("observatory."))  # type: ignore[attr-defined]
        ).all()
    assert sorted(actions) == ["observatory.published", "observatory.withdrawn"]


def test_only_an_owner_publishes_and_only_a_validated_report(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    collect_responses(live_server.engine, web)
    store_self_report(live_server.engine, web)
    report_id = submitted_report(live_server.engine, web)
    owner = live_server.client()
    sign_in(owner, "owner_a@example.org")
    page = owner.get(f"/app/reports/{report_id}")
    assert 'id="obs-publish"' not in page.text
    refused = owner.post(
        f"/app/reports/{report_id}/observatory/publish", data={"_csrf_token": csrf_of(page.text)}
    )
    assert refused.status_code == 409, "a submitted report is not validated"
    editor = live_server.client()
    sign_in(editor, "editor_a@example.org")
    page = editor.get(f"/app/reports/{report_id}")
    assert (
        editor.post(
            f"/app/reports/{report_id}/observatory/publish", data={"_csrf_token": csrf_of(page.text)}
        ).status_code
        == 403
    )
    other = live_server.client()
    sign_in(other, "owner_b@example.org")
    home = other.get("/app")
    assert (
        other.post(
            f"/app/reports/{report_id}/observatory/publish", data={"_csrf_token": csrf_of(home.text)}
        ).status_code
        == 404
    )
    assert json.loads(owner.get("/osservatorio/dati/pubblicazioni.json").text)["publications"] == []


def test_a_curator_granted_by_an_administrator_features_best_practice(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    report_id = validated_report(live_server.engine, web)
    owner = live_server.client()
    sign_in(owner, "owner_a@example.org")
    publish(owner, report_id)
    slug = public_link(owner, report_id).rsplit("/", 1)[1]
    curator = live_server.client()
    sign_in(curator, "viewer_a@example.org")
    assert curator.get("/app/curator").status_code == 403
    admin = live_server.client()
    sign_in(admin, "admin@example.org")
    page = admin.get("/app/admin/curators")
    assert page.status_code == 200
    granted = admin.post(
        f"/app/admin/curators/{web.world.users['viewer_a']}",
        data={"_csrf_token": csrf_of(page.text), "curator": "yes"},
    )
    assert granted.status_code == 303
    page = curator.get("/app/curator")
    assert page.status_code == 200 and f'id="pub-{slug}"' in page.text
    featured = curator.post(
        f"/app/curator/{slug}",
        data={"_csrf_token": csrf_of(page.text), "text": "Peer groups in the valleys."},
    )
    assert featured.status_code == 303
    practices = live_server.client().get("/osservatorio/buone-pratiche")
    assert "Peer groups in the valleys." in practices.text and slug in practices.text
