"""The observatory's open data at stable addresses: every public table as CSV and JSON, the DCAT-AP_IT
catalogue (Turtle, RDF/XML), the Atom feed of new publications, sitemap.xml and robots.txt.

Every file is written from what is public now: a withdrawn report is in none of them.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from litestar import Response, get
from litestar.params import FromPath

from impactkit.api.deps import DB
from impactkit.api.pages.public.observatory import BASE, base_url
from impactkit.api.pages.rendering import PageRequest
from impactkit.errors import NotFoundError
from impactkit.reports.opendata import (
    AGGREGATE_COLUMNS,
    LICENCES,
    PUBLICATION_COLUMNS,
    REPORT_KPI_COLUMNS,
    CatalogueInfo,
    Dataset,
    FeedEntry,
    atom_feed,
    dcat_catalogue,
    published_kpis,
    sitemap,
    tag_list,
)
from impactkit.reports.tabular import to_csv
from impactkit.settings import Settings
from impactkit.store import observatory as store
from impactkit.store.tables import ObservatoryPublication

DATA = f"{BASE}/dati"
HEADERS = {"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"}
"""Open data may be read from any site; ``no-cache`` so a withdrawal is seen at once."""


def _settings(request: PageRequest) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _licence(request: PageRequest) -> str:
    return LICENCES[_settings(request).open_data_licence][0]


def _file(body: str, media_type: str, name: str, request: PageRequest) -> Response[bytes]:
    headers = {
        **HEADERS,
        "Content-Disposition": f'inline; filename="{name}"',
        "Link": f'<{_licence(request)}>; rel="license"',
    }
    return Response(body.encode("utf-8"), media_type=media_type, headers=headers)


def _csv(
    rows: list[dict[str, Any]], columns: tuple[str, ...], name: str, request: PageRequest
) -> Response[bytes]:
    return _file(to_csv(rows, columns), "text/csv; charset=utf-8", name, request)


def _json(payload: Any, name: str, request: PageRequest) -> Response[bytes]:
    return _file(
        json.dumps(payload, ensure_ascii=False, indent=1, default=str), "application/json", name, request
    )


def publication_row(request: PageRequest, db: DB, publication: ObservatoryPublication) -> dict[str, Any]:
    row = store.frozen(db, publication)
    seal = store.evaluator_of(db, row)
    return {
        "id": publication.slug,
        "url": f"{base_url(request)}{BASE}/rapporti/{publication.slug}",
        "organisation": publication.organisation_name,
        "legal_form": publication.legal_form,
        "zone": publication.zone,
        "territory_type": publication.territory_type,
        "project": publication.project_name,
        "period": publication.period_label,
        "framework_id": publication.framework_id,
        "framework_version": publication.framework_version,
        "plan_objectives": tag_list(publication.plan_objectives),
        "sdg_targets": tag_list(publication.sdg_targets),
        "imp_dimensions": tag_list(publication.imp_dimensions),
        "evaluator": seal["name"],
        "accreditation_number": seal["accreditation_number"],
        "validated_at": seal["validated_at"],
        "content_hash": publication.content_hash,
        "published_at": publication.published_at.isoformat(),
        "featured": bool(publication.featured_at),
        "licence": _licence(request),
    }


def _publications(request: PageRequest, db: DB) -> list[dict[str, Any]]:
    return [publication_row(request, db, p) for p in store.published(db)]


@get(f"{DATA}/pubblicazioni.csv", sync_to_thread=True)
def publications_csv(request: PageRequest, db: DB) -> Response[bytes]:
    return _csv(_publications(request, db), PUBLICATION_COLUMNS, "pubblicazioni.csv", request)


@get(f"{DATA}/pubblicazioni.json", sync_to_thread=True)
def publications_json(request: PageRequest, db: DB) -> Response[bytes]:
    return _json(
        {"licence": _licence(request), "publications": _publications(request, db)},
        "pubblicazioni.json",
        request,
    )


@get(f"{DATA}/aggregati.csv", sync_to_thread=True)
def aggregates_csv(request: PageRequest, db: DB) -> Response[bytes]:
    return _csv(store.aggregates(db).rows, AGGREGATE_COLUMNS, "aggregati.csv", request)


@get(f"{DATA}/aggregati.json", sync_to_thread=True)
def aggregates_json(request: PageRequest, db: DB) -> Response[bytes]:
    aggregates = store.aggregates(db)
    return _json(
        {
            "licence": _licence(request),
            "threshold": aggregates.threshold,
            "disclosure": aggregates.statement,
            "rows": aggregates.rows,
        },
        "aggregati.json",
        request,
    )


def _report_rows(db: DB, slug: str) -> tuple[ObservatoryPublication, list[dict[str, Any]]]:
    publication = store.by_slug(db, slug)
    row = store.frozen(db, publication)
    return publication, [{"publication": slug, **kpi} for kpi in published_kpis(row.content)]


@get(f"{DATA}/rapporti/{{name:str}}", sync_to_thread=True)
def report_file(request: PageRequest, db: DB, name: FromPath[str]) -> Response[bytes]:
    """One published report's KPI table: ``<id>.csv`` or ``<id>.json``."""
    slug, _, extension = name.rpartition(".")
    if extension not in ("csv", "json") or not slug:
        raise NotFoundError("no such file: ask for <id>.csv or <id>.json")
    publication, rows = _report_rows(db, slug)
    if extension == "csv":
        return _csv(rows, REPORT_KPI_COLUMNS, name, request)
    return _json(
        {
            "licence": _licence(request),
            "publication": publication_row(request, db, publication),
            "kpis": rows,
        },
        name,
        request,
    )


def _datasets(request: PageRequest, db: DB) -> list[Dataset]:
    base = base_url(request)
    newest = store.published(db, limit=1)
    modified = newest[0].published_at.date() if newest else date(2026, 1, 1)
    return [
        Dataset(
            identifier="pubblicazioni",
            title={"it": "Rapporti sociali pubblicati", "en": "Published social reports"},
            description={
                "it": "Elenco dei rapporti sociali validati che le organizzazioni hanno pubblicato.",
                "en": "List of the validated social reports organisations published.",
            },
            modified=modified,
            landing_page=f"{base}{BASE}",
            distributions={
                "CSV": f"{base}{DATA}/pubblicazioni.csv",
                "JSON": f"{base}{DATA}/pubblicazioni.json",
            },
            keywords=("economia sociale", "bilancio sociale", "impatto sociale"),
        ),
        Dataset(
            identifier="aggregati",
            title={
                "it": "Aggregati territoriali degli indicatori",
                "en": "Territory aggregates of the indicators",
            },
            description={
                "it": "Mediana e quartili di ogni indicatore condiviso per zona omogenea e tipo di "
                "organizzazione, con controllo della divulgazione.",
                "en": "Median and quartiles of each shared indicator by homogeneous zone and "
                "organisation type, with disclosure control.",
            },
            modified=modified,
            landing_page=f"{base}{BASE}/aggregati",
            distributions={"CSV": f"{base}{DATA}/aggregati.csv", "JSON": f"{base}{DATA}/aggregati.json"},
            keywords=("indicatori", "zone omogenee"),
        ),
    ]


def _catalogue(request: PageRequest, db: DB) -> Any:
    settings = _settings(request)
    info = CatalogueInfo(
        base_url=base_url(request),
        publisher_name=settings.open_data_publisher,
        publisher_id=settings.open_data_publisher_id,
        contact_email=settings.open_data_contact,
        licence=settings.open_data_licence,
    )
    datasets = _datasets(request, db)
    return dcat_catalogue(info, datasets, max(d.modified for d in datasets))


@get(f"{DATA}/catalogo.ttl", sync_to_thread=True)
def catalogue_turtle(request: PageRequest, db: DB) -> Response[bytes]:
    text = _catalogue(request, db).serialize(format="turtle")
    return _file(text, "text/turtle; charset=utf-8", "catalogo.ttl", request)


@get(f"{DATA}/catalogo.rdf", sync_to_thread=True)
def catalogue_rdfxml(request: PageRequest, db: DB) -> Response[bytes]:
    text = _catalogue(request, db).serialize(format="xml")
    return _file(text, "application/rdf+xml; charset=utf-8", "catalogo.rdf", request)


@get(f"{BASE}/feed.atom", sync_to_thread=True)
def feed(request: PageRequest, db: DB) -> Response[bytes]:
    base = base_url(request)
    entries = [
        FeedEntry(
            identifier=f"{base}{BASE}/rapporti/{p.slug}",
            title=f"{p.organisation_name} — {p.project_name} ({p.period_label})",
            url=f"{base}{BASE}/rapporti/{p.slug}",
            published=p.published_at,
            summary=f"{p.framework_id} {p.framework_version}; {p.zone or '-'}",
        )
        for p in store.published(db, limit=50)
    ]
    text = atom_feed(
        feed_id=f"{base}{BASE}/feed.atom",
        title="Osservatorio dell'economia sociale — nuove pubblicazioni",
        self_url=f"{base}{BASE}/feed.atom",
        home_url=f"{base}{BASE}",
        entries=entries,
    )
    return Response(text.encode("utf-8"), media_type="application/atom+xml", headers=HEADERS)


@get("/sitemap.xml", sync_to_thread=True)
def sitemap_xml(request: PageRequest, db: DB) -> Response[bytes]:
    base = base_url(request)
    today = datetime.now(UTC).date()
    urls: list[tuple[str, date | None]] = [
        (f"{base}{BASE}", today),
        (f"{base}{BASE}/buone-pratiche", today),
        (f"{base}{BASE}/aggregati", today),
        (f"{base}{BASE}/dati", today),
    ]
    urls += [(f"{base}{BASE}/rapporti/{p.slug}", p.published_at.date()) for p in store.published(db)]
    return Response(sitemap(urls).encode("utf-8"), media_type="application/xml", headers=HEADERS)


@get("/robots.txt", sync_to_thread=False)
def robots(request: PageRequest) -> Response[str]:
    text = (
        "User-agent: *\n"
        f"Allow: {BASE}\n"
        "Disallow: /app\n"
        "Disallow: /api\n"
        "Disallow: /s/\n"
        "Disallow: /collect/\n"
        "Disallow: /signin\n"
        f"Sitemap: {base_url(request)}/sitemap.xml\n"
    )
    return Response(text, media_type="text/plain", headers=HEADERS)


ROUTES = [
    publications_csv,
    publications_json,
    aggregates_csv,
    aggregates_json,
    report_file,
    catalogue_turtle,
    catalogue_rdfxml,
    feed,
    sitemap_xml,
    robots,
]
