"""The public observatory (no sign-in): published reports by zone, territory, organisation type, Plan
objective, SDG target and IMP dimension; a report's page; best practice; territory aggregates.

Canonical addresses are Italian (``/osservatorio``); ``/observatory`` and its English sub-paths
answer with a permanent redirect. Pages carry no script and one stylesheet. Only publications
that are not withdrawn are ever read (:func:`impactkit.store.observatory.public_query`).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from functools import cache
from typing import Any
from urllib.parse import urlencode

from litestar import Response, get
from litestar.params import FromPath
from litestar.response import Redirect, Template

from impactkit.api.deps import DB
from impactkit.api.pages.rendering import PageRequest, language_of, render
from impactkit.domain import HOMOGENEOUS_ZONES, LegalForm, TerritoryType
from impactkit.errors import NotFoundError
from impactkit.formats import Formats
from impactkit.reports.opendata import kpi_statement, published_kpis, sroi_summary, tag_list
from impactkit.settings import Settings
from impactkit.store import observatory as store
from impactkit.store.logos import logo_of_content
from impactkit.store.tables import ObservatoryPublication, ReportVersion

BASE = "/osservatorio"
PAGE_SIZE = 40
"""Published reports a page of the list shows (the first view stays light on a phone)."""
IMP_DIMENSIONS = ("what", "who", "how_much", "contribution", "risk")
IMP_LABELS = {
    "what": {"it": "Cosa", "en": "What"},
    "who": {"it": "Chi", "en": "Who"},
    "how_much": {"it": "Quanto", "en": "How much"},
    "contribution": {"it": "Contributo", "en": "Contribution"},
    "risk": {"it": "Rischio", "en": "Risk"},
}
ENGLISH_SEGMENTS = {
    "reports": "rapporti",
    "best-practice": "buone-pratiche",
    "aggregates": "aggregati",
    "data": "dati",
}
FILTER_PARAMETERS = {
    "zona": "zone",
    "territorio": "territory_type",
    "tipo": "legal_form",
    "obiettivo": "plan_objective",
    "sdg": "sdg_target",
    "imp": "imp_dimension",
}
"""Query parameter → :class:`impactkit.store.observatory.Filters` field."""


@cache
def plan_objectives() -> tuple[tuple[str, str, str], ...]:
    """(id, Italian title, English title) of every objective of the Plan, 1.1 … 6.3."""
    from impactkit.frameworks import get_framework

    tree = get_framework("plan-objectives")
    return tuple(
        (objective.id, objective.title.it, objective.title.en)
        for theme in tree.themes
        for objective in theme.objectives
    )


def filters_of(request: PageRequest) -> store.Filters:
    """The visitor's filters from the query; unknown values are ignored, never an error."""
    values: dict[str, str] = {}
    for parameter, name in FILTER_PARAMETERS.items():
        value = str(request.query_params.get(parameter) or "").strip()[:40]
        if value:
            values[name] = value
    if values.get("zone") not in (*HOMOGENEOUS_ZONES, "none", None):
        values.pop("zone")
    if values.get("territory_type") not in (*[t.value for t in TerritoryType], None):
        values.pop("territory_type")
    if values.get("legal_form") not in (*[f.value for f in LegalForm], None):
        values.pop("legal_form")
    if values.get("imp_dimension") not in (*IMP_DIMENSIONS, None):
        values.pop("imp_dimension")
    return store.Filters(**values)  # type: ignore[arg-type]


def base_url(request: PageRequest) -> str:
    settings: Settings = request.app.state.settings
    return settings.public_base_url.rstrip("/")


def card(publication: ObservatoryPublication, fmt: Formats) -> dict[str, Any]:
    """What the list shows of one publication."""
    return {
        "slug": publication.slug,
        "url": f"{BASE}/rapporti/{publication.slug}",
        "organisation": publication.organisation_name,
        "legal_form": publication.legal_form,
        "zone": publication.zone,
        "territory_type": publication.territory_type,
        "project": publication.project_name,
        "period": publication.period_label,
        "plan_objectives": tag_list(publication.plan_objectives),
        "sdg_targets": tag_list(publication.sdg_targets),
        "published_on": fmt.date(publication.published_at),
        "featured_text": publication.featured_text if publication.featured_at else "",
    }


def _public(request: PageRequest, template: str, **context: Any) -> Template:
    language = language_of(request)
    other = "en" if language == "it" else "it"
    query = {k: v for k, v in request.query_params.items() if k not in ("lang", "done")}
    canonical = f"{base_url(request)}{request.url.path}"
    return render(
        request,
        template,
        None,
        canonical=canonical + ("?" + urlencode(query) if query else ""),
        alternate={other: f"{canonical}?{urlencode({**query, 'lang': other})}"},
        base=BASE,
        imp_labels=IMP_LABELS,
        **context,
    )


@get(BASE, sync_to_thread=True)
def observatory_home(request: PageRequest, db: DB) -> Template:
    fmt = Formats(language_of(request))
    filters = filters_of(request)
    try:
        page = max(1, min(int(str(request.query_params.get("pagina") or "1")), 10_000))
    except ValueError:
        page = 1
    total = store.count(db, filters)
    rows = store.published(db, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    query = {k: v for k, v in request.query_params.items() if k != "pagina"}
    return _public(
        request,
        "public/observatory.html",
        cards=[card(row, fmt) for row in rows],
        filters=filters,
        zones=HOMOGENEOUS_ZONES,
        territory_types=[t.value for t in TerritoryType],
        legal_forms=[f.value for f in LegalForm],
        objectives=plan_objectives(),
        sdg_targets=store.sdg_targets_in_use(db),
        imp_dimensions=IMP_DIMENSIONS,
        count=total,
        previous_page=f"{BASE}?{urlencode({**query, 'pagina': page - 1})}" if page > 1 else None,
        next_page=f"{BASE}?{urlencode({**query, 'pagina': page + 1})}" if page * PAGE_SIZE < total else None,
    )


@get(f"{BASE}/rapporti/{{slug:str}}", sync_to_thread=True)
def observatory_report(request: PageRequest, db: DB, slug: FromPath[str]) -> Template:
    publication = store.by_slug(db, slug)
    row = store.frozen(db, publication)
    fmt = Formats(language_of(request))
    objectives = {oid: (it, en) for oid, it, en in plan_objectives()}
    return _public(
        request,
        "public/observatory_report.html",
        publication=card(publication, fmt),
        kpis=published_kpis(row.content),
        kpi_statement=kpi_statement(row.content),
        sroi=sroi_summary(row.content),
        seal=store.evaluator_of(db, row),
        framework={"id": publication.framework_id, "version": publication.framework_version},
        objectives=[(oid, objectives.get(oid, (oid, oid))) for oid in tag_list(publication.plan_objectives)],
        imp=tag_list(publication.imp_dimensions),
        pdf_url=f"{BASE}/rapporti/{publication.slug}/rapporto.pdf",
        logo_url=f"{BASE}/rapporti/{publication.slug}/logo"
        if (row.content.get("organisation") or {}).get("logo")
        else None,
        version_number=publication.version_number,
    )


_PDFS: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_PDFS_KEPT = 16
_PDFS_LOCK = threading.Lock()


def _published_pdf(row: ReportVersion, logo: bytes | None) -> bytes:
    """The sealed PDF of a frozen version, kept for the next visitor: a frozen version never
    changes, and rendering costs about a second, which a public address must not spend each time.
    Kept by content hash and stamp (the stamp names the evaluator and the date)."""
    from impactkit.reports.documents import render_pdf
    from impactkit.reports.model import ReportContent, ValidationStamp

    key = (str(row.content_hash), json.dumps(row.stamp, sort_keys=True))
    with _PDFS_LOCK:
        data = _PDFS.get(key)
        if data is not None:
            _PDFS.move_to_end(key)
            return data
    data = render_pdf(
        ReportContent.model_validate(row.content), ValidationStamp.model_validate(row.stamp), logo=logo
    )
    with _PDFS_LOCK:
        _PDFS[key] = data
        while len(_PDFS) > _PDFS_KEPT:
            _PDFS.popitem(last=False)
    return data


@get(f"{BASE}/rapporti/{{slug:str}}/logo", sync_to_thread=True)
def observatory_report_logo(db: DB, slug: FromPath[str]) -> Response[bytes]:
    """The logo the published (sealed) version prints on its cover; gone with the publication."""
    publication = store.by_slug(db, slug)
    row = store.frozen(db, publication)
    data = logo_of_content(db, publication.organisation_id, row.content)
    if data is None:
        raise NotFoundError("this published report has no logo")
    return Response(
        data,
        media_type=str(row.content["organisation"]["logo"]["media_type"]),
        headers={"Cache-Control": "no-cache", "Content-Security-Policy": "sandbox"},
    )


@get(f"{BASE}/rapporti/{{slug:str}}/rapporto.pdf", sync_to_thread=True)
def observatory_report_pdf(db: DB, slug: FromPath[str]) -> Response[bytes]:
    """The published version as the sealed PDF the organisation and its funder download
    (``impactkit report verify`` checks it); gone with the publication."""
    publication = store.by_slug(db, slug)
    row = store.frozen(db, publication)
    if row.state != "validated" or not row.stamp:
        raise NotFoundError("no published report at this address")
    data = _published_pdf(row, logo_of_content(db, publication.organisation_id, row.content))
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{publication.slug}.pdf"',
            "Cache-Control": "no-cache",
        },
    )


@get(f"{BASE}/buone-pratiche", sync_to_thread=True)
def observatory_practices(request: PageRequest, db: DB) -> Template:
    fmt = Formats(language_of(request))
    rows = store.published(db, store.Filters(featured=True), limit=200)
    return _public(request, "public/observatory_practices.html", cards=[card(row, fmt) for row in rows])


@get(f"{BASE}/aggregati", sync_to_thread=True)
def observatory_aggregates(request: PageRequest, db: DB) -> Template:
    aggregates = store.aggregates(db)
    indicators: dict[tuple[str, str, str], dict[str, Any]] = {}
    for item in aggregates.rows:
        key = (item["framework_id"], item["framework_version"], item["indicator_id"])
        entry = indicators.setdefault(key, {"row": item, "rows": []})
        entry["rows"].append(item)
    return _public(
        request,
        "public/observatory_aggregates.html",
        indicators=list(indicators.values()),
        statement=aggregates.statement,
        threshold=aggregates.threshold,
    )


@get(f"{BASE}/dati", sync_to_thread=True)
def observatory_data(request: PageRequest) -> Template:
    from impactkit.reports.opendata import LICENCES

    settings: Settings = request.app.state.settings
    url, name = LICENCES[settings.open_data_licence]
    return _public(request, "public/observatory_data.html", licence_url=url, licence_name=name)


def _english(path: str) -> str:
    parts = [ENGLISH_SEGMENTS.get(part, part) for part in path.strip("/").split("/") if part]
    return "/".join(parts)


def _to_canonical(request: PageRequest, rest: str) -> Redirect:
    query = dict(request.query_params.items())
    query.setdefault("lang", "en")
    target = BASE + ("/" + _english(rest) if _english(rest) else "")
    return Redirect(f"{target}?{urlencode(query)}", status_code=301)


@get("/observatory", sync_to_thread=False)
def observatory_english(request: PageRequest) -> Redirect:
    """``/observatory`` → the canonical ``/osservatorio`` (in English unless a language is chosen)."""
    return _to_canonical(request, "")


@get("/observatory/{rest:path}", sync_to_thread=False)
def observatory_english_path(request: PageRequest, rest: FromPath[str]) -> Redirect:
    """``/observatory/reports/…`` → ``/osservatorio/rapporti/…``, and so on."""
    return _to_canonical(request, rest)


ROUTES = [
    observatory_home,
    observatory_report,
    observatory_report_pdf,
    observatory_report_logo,
    observatory_practices,
    observatory_aggregates,
    observatory_data,
    observatory_english,
    observatory_english_path,
]
