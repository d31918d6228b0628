"""The observatory's open data: what a published report shows, the territory aggregates, the CSV/JSON
tables, the DCAT-AP_IT catalogue, the Atom feed and the sitemap. Pure: values in, text out.

Every table that leaves here passed through :func:`impactkit.disclosure.protect` (the aggregates,
counted in organisations) or comes from KPI results that were protected when they were computed
(a report's KPIs: their ``suppressed`` figures stay hidden).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from impactkit.disclosure import Cell, Publication, Relation, Table, method_statement, protect

LICENCES: dict[str, tuple[str, str]] = {
    "CC-BY-4.0": (
        "https://creativecommons.org/licenses/by/4.0/",
        "Creative Commons Attribution 4.0 International",
    ),
    "CC0-1.0": ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0 Universal"),
    "CC-BY-SA-4.0": (
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "Creative Commons Attribution-ShareAlike 4.0 International",
    ),
    "IODL-2.0": (
        "https://www.dati.gov.it/content/italian-open-data-license-v20",
        "Italian Open Data License 2.0",
    ),
}
"""Licences an instance may choose for its open data (``IMPACTKIT_OPEN_DATA_LICENCE``): id → (URL, name)."""
DEFAULT_LICENCE = "CC-BY-4.0"

PUBLICATION_COLUMNS = (
    "id",
    "url",
    "organisation",
    "legal_form",
    "zone",
    "territory_type",
    "project",
    "period",
    "framework_id",
    "framework_version",
    "plan_objectives",
    "sdg_targets",
    "imp_dimensions",
    "evaluator",
    "accreditation_number",
    "validated_at",
    "content_hash",
    "published_at",
    "featured",
    "licence",
)
"""Columns of the list of published reports (CSV and JSON)."""

REPORT_KPI_COLUMNS = (
    "publication",
    "indicator_id",
    "label_it",
    "label_en",
    "unit",
    "value",
    "n",
    "ci_low",
    "ci_high",
    "confidence",
    "hidden",
    "plan_objectives",
    "sdg_targets",
    "imp_dimensions",
)
"""Columns of one published report's KPI table."""

AGGREGATE_COLUMNS = (
    "framework_id",
    "framework_version",
    "indicator_id",
    "label_it",
    "label_en",
    "unit",
    "breakdown",
    "category",
    "n",
    "q1",
    "median",
    "q3",
    "hidden",
)
"""Columns of the territory aggregates: ``n`` counts organisations; ``hidden`` says why a row is blank."""

BREAKDOWNS = ("all", "zone", "legal_form")
OUTSIDE_ZONE = "none"
"""The category of organisations outside the Metropolitan City's homogeneous zones."""


def tag_string(values: Iterable[str]) -> str:
    """``|1.1|2.3|``: tags as stored for a LIKE search (empty when there are none)."""
    items = sorted({v for v in values if v})
    return "|" + "|".join(items) + "|" if items else ""


def tag_list(stored: str) -> list[str]:
    return [item for item in stored.split("|") if item]


def report_tags(content: Mapping[str, Any]) -> dict[str, list[str]]:
    """The Plan objectives, SDG targets and IMP dimensions of a report's KPIs (sorted, distinct)."""
    plan: set[str] = set()
    sdg: set[str] = set()
    imp: set[str] = set()
    for kpi in content.get("kpis") or []:
        tags = kpi.get("tags") or {}
        plan.update(tags.get("plan_objectives") or [])
        sdg.update(tags.get("sdg_targets") or [])
        imp.update(tags.get("imp_dimensions") or [])
    return {"plan_objectives": sorted(plan), "sdg_targets": sorted(sdg), "imp_dimensions": sorted(imp)}


def published_kpis(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A report's headline KPIs as the public sees them, after the report's disclosure control
    (:func:`impactkit.reports.protected.protect_content`): a hidden figure stays hidden."""
    from impactkit.reports.model import ReportContent
    from impactkit.reports.protected import protect_content

    protected = protect_content(ReportContent.model_validate(content))
    rows = []
    for result in protected.kpis:
        kpi = result.model_dump(mode="json")
        if kpi.get("group") is not None:
            continue
        hidden = (
            bool(kpi.get("suppressed"))
            or kpi.get("value") is None
            or any(str(flag).startswith("suppressed") for flag in kpi.get("flags") or [])
        )
        labels = kpi.get("labels") or {}
        tags = kpi.get("tags") or {}
        rows.append(
            {
                "indicator_id": kpi.get("indicator_id"),
                "label_it": labels.get("it") or labels.get("en") or kpi.get("indicator_id"),
                "label_en": labels.get("en") or labels.get("it") or kpi.get("indicator_id"),
                "unit": kpi.get("unit", ""),
                "kind": kpi.get("kind", ""),
                "value": None if hidden else kpi.get("value"),
                "n": None if hidden else kpi.get("n"),
                "ci_low": None if hidden else kpi.get("ci_low"),
                "ci_high": None if hidden else kpi.get("ci_high"),
                "confidence": kpi.get("confidence") or 0.95,
                "hidden": hidden,
                "plan_objectives": list(tags.get("plan_objectives") or []),
                "sdg_targets": list(tags.get("sdg_targets") or []),
                "imp_dimensions": list(tags.get("imp_dimensions") or []),
            }
        )
    return rows


def kpi_statement(content: Mapping[str, Any]) -> dict[str, str]:
    """The disclosure-control statement of a report's KPI table (it, en)."""
    from impactkit.reports.model import ReportContent
    from impactkit.reports.protected import disclosure_note, protect_content

    protected = protect_content(ReportContent.model_validate(content))
    return {language: disclosure_note(protected, language) for language in ("it", "en")}


def sroi_summary(content: Mapping[str, Any]) -> dict[str, Any] | None:
    """The SROI ratio, present values and the Monte Carlo interval of a report, if it has one."""
    section = content.get("sroi") or None
    if not section:
        return None
    result = section.get("result") or {}
    summary: dict[str, Any] = {
        "currency": result.get("currency", "EUR"),
        "ratio": result.get("sroi_ratio"),
        "net_ratio": result.get("net_sroi_ratio"),
        "present_value": result.get("total_present_value"),
        "inputs": result.get("inputs_total"),
        "discount_rate": result.get("discount_rate"),
        "horizon_years": result.get("horizon_years"),
    }
    monte_carlo = section.get("monte_carlo")
    if monte_carlo:
        ratio = monte_carlo.get("ratio") or {}
        summary["uncertainty"] = {
            "draws": monte_carlo.get("draws"),
            "p5": ratio.get("p5"),
            "median": ratio.get("median"),
            "p95": ratio.get("p95"),
            "probability_below_one": monte_carlo.get("probability_ratio_below_one"),
        }
    return summary


# ---------------------------------------------------------------------------------------------
# Territory aggregates


@dataclass(frozen=True)
class PublishedValues:
    """What one publication adds to the aggregates (``organisation`` never leaves this module)."""

    organisation: int
    zone: str
    legal_form: str
    framework_id: str
    framework_version: str
    kpis: Sequence[Mapping[str, Any]]
    """``published_kpis`` rows (hidden ones are left out)."""


@dataclass
class Aggregates:
    """The territory aggregates, protected: rows, the threshold and the method statement."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    threshold: int = 5
    statement: dict[str, str] = field(default_factory=dict)
    publications: int = 0


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def territory_aggregates(publications: Iterable[PublishedValues], threshold: int) -> Aggregates:
    """Median and quartiles of each shared KPI across organisations, overall, by zona omogenea and
    by organisation type, over comparable results only (same framework, version and indicator).

    One value per organisation and KPI (its latest publication: ``publications`` in publishing
    order). Each row counts organisations; a row with fewer than ``threshold`` of them is hidden,
    and more rows with it so that none can be worked out from the totals (:func:`protect`).
    """
    latest: dict[tuple[str, str, str], dict[int, tuple[str, str, float, Mapping[str, Any]]]] = {}
    count = 0
    for item in publications:
        count += 1
        for kpi in item.kpis:
            value = kpi.get("value")
            if kpi.get("hidden") or value is None:
                continue
            key = (item.framework_id, item.framework_version, str(kpi["indicator_id"]))
            latest.setdefault(key, {})[item.organisation] = (
                item.zone or OUTSIDE_ZONE,
                item.legal_form,
                float(value),
                kpi,
            )
    cells: list[Cell] = []
    relations: list[Relation] = []
    tables: list[Table] = []
    groups: dict[tuple[Any, ...], list[float]] = {}
    meta: dict[tuple[str, str, str], Mapping[str, Any]] = {}
    for key, by_organisation in sorted(latest.items()):
        meta[key] = next(iter(by_organisation.values()))[3]
        total = (*key, "all", "")
        groups[total] = [v for _, _, v, _ in by_organisation.values()]
        for breakdown, position in (("zone", 0), ("legal_form", 1)):
            parts: dict[tuple[Any, ...], list[float]] = {}
            for entry in by_organisation.values():
                parts.setdefault((*key, breakdown, str(entry[position])), []).append(entry[2])
            groups.update(parts)
            relations.append(Relation(total, tuple(sorted(parts))))
            tables.append(Table((*key, breakdown), (total, *sorted(parts))))
    cells = [Cell(group, len(values)) for group, values in groups.items()]
    protection = protect(Publication(cells=cells, relations=relations, tables=tables), threshold)
    rows: list[dict[str, Any]] = []
    for group in sorted(groups, key=lambda g: (g[:3], BREAKDOWNS.index(g[3]), g[4])):
        framework_id, framework_version, indicator_id, breakdown, category = group
        kpi = meta[(framework_id, framework_version, indicator_id)]
        shown = protection.shown(group)
        values = sorted(groups[group])
        q1, median, q3 = _quartiles(values) if shown else (None, None, None)
        rows.append(
            {
                "framework_id": framework_id,
                "framework_version": framework_version,
                "indicator_id": indicator_id,
                "label_it": kpi.get("label_it"),
                "label_en": kpi.get("label_en"),
                "unit": kpi.get("unit", ""),
                "breakdown": breakdown,
                "category": category,
                "n": len(values) if shown else None,
                "q1": q1,
                "median": median,
                "q3": q3,
                "hidden": protection.hidden.get(group, ""),
            }
        )
    primary, secondary = protection.counts()
    return Aggregates(
        rows=rows,
        threshold=protection.threshold,
        statement=method_statement(protection.threshold, primary, secondary),
        publications=count,
    )


# ---------------------------------------------------------------------------------------------
# DCAT-AP_IT, Atom, sitemap


@dataclass(frozen=True)
class Dataset:
    """One dataset of the catalogue with its distributions (format → URL)."""

    identifier: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    modified: date
    landing_page: str
    distributions: Mapping[str, str]
    keywords: Sequence[str] = ()


@dataclass(frozen=True)
class CatalogueInfo:
    base_url: str
    publisher_name: str
    publisher_id: str
    contact_email: str
    licence: str = DEFAULT_LICENCE


MEDIA_TYPES = {
    "CSV": "text/csv",
    "JSON": "application/json",
}
_EU_FORMAT = "http://publications.europa.eu/resource/authority/file-type/"
_EU_THEME_SOCIETY = "http://publications.europa.eu/resource/authority/data-theme/SOCI"
_EU_FREQUENCY_IRREGULAR = "http://publications.europa.eu/resource/authority/frequency/IRREG"
_EU_LANGUAGES = (
    "http://publications.europa.eu/resource/authority/language/ITA",
    "http://publications.europa.eu/resource/authority/language/ENG",
)


def dcat_catalogue(info: CatalogueInfo, datasets: Sequence[Dataset], modified: date) -> Any:
    """The DCAT-AP_IT catalogue as an rdflib ``Graph`` (serialise as Turtle or RDF/XML)."""
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

    dcatapit = Namespace("http://dati.gov.it/onto/dcatapit#")
    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    graph = Graph()
    graph.bind("dcatapit", dcatapit)
    graph.bind("dcat", DCAT)
    graph.bind("dct", DCTERMS)
    graph.bind("foaf", FOAF)
    graph.bind("vcard", vcard)
    base = info.base_url.rstrip("/")
    licence_url, licence_name = LICENCES.get(info.licence, LICENCES[DEFAULT_LICENCE])

    publisher = URIRef(f"{base}/osservatorio#publisher")
    graph.add((publisher, RDF.type, dcatapit.Agent))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, DCTERMS.identifier, Literal(info.publisher_id)))
    graph.add((publisher, FOAF.name, Literal(info.publisher_name)))

    contact = URIRef(f"{base}/osservatorio#contact")
    graph.add((contact, RDF.type, dcatapit.Organization))
    graph.add((contact, RDF.type, vcard.Organization))
    graph.add((contact, vcard.fn, Literal(info.publisher_name)))
    graph.add((contact, vcard.hasEmail, URIRef(f"mailto:{info.contact_email}")))

    licence = URIRef(licence_url)
    graph.add((licence, RDF.type, dcatapit.LicenseDocument))
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    graph.add((licence, DCTERMS.type, URIRef("http://purl.org/adms/licencetype/Attribution")))
    graph.add((licence, FOAF.name, Literal(licence_name)))

    catalogue = URIRef(f"{base}/osservatorio/dati/catalogo")
    graph.add((catalogue, RDF.type, dcatapit.Catalog))
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add(
        (catalogue, DCTERMS.title, Literal("Osservatorio dell'economia sociale — dati aperti", lang="it"))
    )
    graph.add((catalogue, DCTERMS.title, Literal("Social economy observatory — open data", lang="en")))
    graph.add(
        (
            catalogue,
            DCTERMS.description,
            Literal(
                "Rapporti sociali validati e pubblicati dalle organizzazioni, e aggregati territoriali.",
                lang="it",
            ),
        )
    )
    graph.add(
        (
            catalogue,
            DCTERMS.description,
            Literal(
                "Validated social reports published by organisations, and territory aggregates.", lang="en"
            ),
        )
    )
    graph.add((catalogue, DCTERMS.publisher, publisher))
    graph.add((catalogue, DCTERMS.modified, Literal(modified.isoformat(), datatype=XSD.date)))
    graph.add((catalogue, FOAF.homepage, URIRef(f"{base}/osservatorio")))
    graph.add(
        (catalogue, DCAT.themeTaxonomy, URIRef("http://publications.europa.eu/resource/authority/data-theme"))
    )
    for language in _EU_LANGUAGES:
        graph.add((catalogue, DCTERMS.language, URIRef(language)))

    for item in datasets:
        node = URIRef(f"{base}/osservatorio/dati#{item.identifier}")
        graph.add((catalogue, DCAT.dataset, node))
        graph.add((node, RDF.type, dcatapit.Dataset))
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCTERMS.identifier, Literal(f"{info.publisher_id}:{item.identifier}")))
        for language, text in item.title.items():
            graph.add((node, DCTERMS.title, Literal(text, lang=language)))
        for language, text in item.description.items():
            graph.add((node, DCTERMS.description, Literal(text, lang=language)))
        graph.add((node, DCTERMS.modified, Literal(item.modified.isoformat(), datatype=XSD.date)))
        graph.add((node, DCAT.theme, URIRef(_EU_THEME_SOCIETY)))
        graph.add((node, DCTERMS.rightsHolder, publisher))
        graph.add((node, DCTERMS.publisher, publisher))
        graph.add((node, DCTERMS.accrualPeriodicity, URIRef(_EU_FREQUENCY_IRREGULAR)))
        graph.add((node, DCAT.contactPoint, contact))
        graph.add((node, DCAT.landingPage, URIRef(item.landing_page)))
        for keyword in item.keywords:
            graph.add((node, DCAT.keyword, Literal(keyword, lang="it")))
        for file_format, url in item.distributions.items():
            distribution = BNode(f"{item.identifier}-{file_format.lower()}")
            graph.add((node, DCAT.distribution, distribution))
            graph.add((distribution, RDF.type, dcatapit.Distribution))
            graph.add((distribution, RDF.type, DCAT.Distribution))
            graph.add(
                (
                    distribution,
                    DCTERMS.title,
                    Literal(f"{item.title.get('it', item.identifier)} ({file_format})", lang="it"),
                )
            )
            graph.add((distribution, DCAT.accessURL, URIRef(url)))
            graph.add((distribution, DCAT.downloadURL, URIRef(url)))
            graph.add((distribution, DCTERMS.format, URIRef(_EU_FORMAT + file_format)))
            graph.add(
                (
                    distribution,
                    DCAT.mediaType,
                    Literal(MEDIA_TYPES.get(file_format, "application/octet-stream")),
                )
            )
            graph.add((distribution, DCTERMS.license, licence))
    return graph


@dataclass(frozen=True)
class FeedEntry:
    identifier: str
    title: str
    url: str
    published: datetime
    summary: str


def atom_feed(*, feed_id: str, title: str, self_url: str, home_url: str, entries: Sequence[FeedEntry]) -> str:
    """An Atom 1.0 feed (RFC 4287) of publications, newest first."""
    updated = max((entry.published for entry in entries), default=datetime(2026, 1, 1))
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<id>{escape(feed_id)}</id>",
        f"<title>{escape(title)}</title>",
        f"<updated>{updated.isoformat()}</updated>",
        f'<link rel="self" href="{escape(self_url)}"/>',
        f'<link rel="alternate" href="{escape(home_url)}"/>',
        "<author><name>impactkit</name></author>",
    ]
    for entry in entries:
        lines += [
            "<entry>",
            f"<id>{escape(entry.identifier)}</id>",
            f"<title>{escape(entry.title)}</title>",
            f'<link rel="alternate" href="{escape(entry.url)}"/>',
            f"<published>{entry.published.isoformat()}</published>",
            f"<updated>{entry.published.isoformat()}</updated>",
            f"<summary>{escape(entry.summary)}</summary>",
            "</entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def sitemap(urls: Iterable[tuple[str, date | None]]) -> str:
    """A sitemaps.org sitemap of ``(url, last modified)``."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for url, modified in urls:
        lastmod = f"<lastmod>{modified.isoformat()}</lastmod>" if modified else ""
        lines.append(f"<url><loc>{escape(url)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


__all__ = [
    "AGGREGATE_COLUMNS",
    "DEFAULT_LICENCE",
    "LICENCES",
    "PUBLICATION_COLUMNS",
    "REPORT_KPI_COLUMNS",
    "Aggregates",
    "CatalogueInfo",
    "Dataset",
    "FeedEntry",
    "PublishedValues",
    "atom_feed",
    "dcat_catalogue",
    "kpi_statement",
    "published_kpis",
    "report_tags",
    "sitemap",
    "sroi_summary",
    "tag_list",
    "tag_string",
    "territory_aggregates",
]
