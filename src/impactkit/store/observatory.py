"""The observatory's store: publish and withdraw validated reports, the public lists, curators and the
cached territory aggregates (recomputed on publish and withdrawal, and whenever they are stale).

Public readers only ever see publications that are not withdrawn, through :func:`public_query`.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from impactkit.disclosure import default_threshold
from impactkit.errors import NotFoundError, PermissionDeniedError, ReportStateError
from impactkit.reports.opendata import (
    Aggregates,
    PublishedValues,
    published_kpis,
    report_tags,
    tag_list,
    tag_string,
    territory_aggregates,
)
from impactkit.store.admin import audit
from impactkit.store.principals import Principal, authorisation_changed
from impactkit.store.tables import (
    EvaluatorAccreditation,
    ObservatoryCache,
    ObservatoryPublication,
    Report,
    ReportVersion,
    User,
)
from impactkit.store.types import utcnow

AGGREGATES = "aggregates"


def require_owner(principal: Principal, organisation_id: int) -> None:
    if principal.is_admin:
        return
    role = principal.role_in(organisation_id)
    if role is None:
        raise NotFoundError("report not found")
    if role != "owner":
        raise PermissionDeniedError("only an owner of the organisation publishes to the observatory")


def active_publication(session: Session, report_id: int) -> ObservatoryPublication | None:
    return session.exec(
        select(ObservatoryPublication).where(
            ObservatoryPublication.report_id == report_id, col(ObservatoryPublication.withdrawn_at).is_(None)
        )
    ).first()


def latest_validated(session: Session, report: Report) -> ReportVersion | None:
    return session.exec(
        select(ReportVersion)
        .where(ReportVersion.report_id == report.id, ReportVersion.state == "validated")
        .order_by(col(ReportVersion.number).desc())
    ).first()


def publication_state(session: Session, principal: Principal, report: Report) -> dict[str, Any]:
    """What the organisation's report page shows of the observatory (``organisation/_observatory.html``)."""
    validated = latest_validated(session, report)
    return {
        "obs_validated": validated.number if validated else None,
        "obs_publication": active_publication(session, report.id or 0),
        "obs_can_publish": principal.is_admin or principal.role_in(report.organisation_id) == "owner",
    }


def publish(session: Session, principal: Principal, report_id: int) -> ObservatoryPublication:
    """Publish the newest validated version of a report (an owner's act, audited).

    A report already published at that version is refused; one published at an older version is
    replaced (the older publication is withdrawn with it).
    """
    report = session.get(Report, report_id)
    if report is None:
        raise NotFoundError(f"report {report_id} not found")
    require_owner(principal, report.organisation_id)
    row = latest_validated(session, report)
    if row is None or row.content_hash is None:
        raise ReportStateError("only a validated report can be published to the observatory")
    current = active_publication(session, report_id)
    if current is not None:
        if current.version_number == row.number:
            raise ReportStateError("this version of the report is already published")
        _withdraw(session, principal, current, reason="replaced")
    content = row.content
    organisation = content.get("organisation") or {}
    tags = report_tags(content)
    publication = ObservatoryPublication(
        slug=secrets.token_urlsafe(9),
        report_id=report_id,
        version_number=row.number,
        organisation_id=report.organisation_id,
        organisation_name=str(organisation.get("name", "")),
        legal_form=str(organisation.get("legal_form", "")),
        zone=str(organisation.get("zone") or ""),
        territory_type=str(organisation.get("territory_type") or ""),
        project_name=str((content.get("project") or {}).get("name", "")),
        period_label=str((content.get("period") or {}).get("label", "")),
        framework_id=str((content.get("framework") or {}).get("id", "")),
        framework_version=str((content.get("framework") or {}).get("version", "")),
        plan_objectives=tag_string(tags["plan_objectives"])[:400],
        sdg_targets=tag_string(tags["sdg_targets"])[:400],
        imp_dimensions=tag_string(tags["imp_dimensions"])[:100],
        content_hash=row.content_hash,
        facts={"kpis": [k for k in published_kpis(content) if not k["hidden"]]},
        published_by=principal.user_id,
    )
    session.add(publication)
    session.flush()
    audit(
        session,
        "observatory.published",
        actor_user_id=principal.user_id,
        organisation_id=report.organisation_id,
        target=f"report:{report_id}",
        details={"version": row.number, "publication": publication.slug, "content_hash": row.content_hash},
    )
    refresh_aggregates(session)
    return publication


def _withdraw(
    session: Session, principal: Principal, publication: ObservatoryPublication, reason: str
) -> None:
    publication.withdrawn_at = utcnow()
    publication.withdrawn_by = principal.user_id
    session.add(publication)
    session.flush()
    audit(
        session,
        "observatory.withdrawn",
        actor_user_id=principal.user_id,
        organisation_id=publication.organisation_id,
        target=f"report:{publication.report_id}",
        details={"version": publication.version_number, "publication": publication.slug, "reason": reason},
    )


def withdraw(session: Session, principal: Principal, report_id: int) -> ObservatoryPublication:
    """Take a report off the observatory (every public page and file), audited."""
    report = session.get(Report, report_id)
    if report is None:
        raise NotFoundError(f"report {report_id} not found")
    require_owner(principal, report.organisation_id)
    current = active_publication(session, report_id)
    if current is None:
        raise ReportStateError("the report is not published to the observatory")
    _withdraw(session, principal, current, reason="withdrawn")
    refresh_aggregates(session)
    return current


def publish_demo(session: Session, owner: Principal, report: Report) -> str:
    """The demo's validated report, published to the observatory (its public address)."""
    publication = publish(session, owner, report.id or 0)
    return f"/osservatorio/rapporti/{publication.slug}"


# ---------------------------------------------------------------------------------------------
# Public reading


@dataclass(frozen=True)
class Filters:
    """What a visitor filters the published reports by (empty: any)."""

    zone: str = ""
    territory_type: str = ""
    legal_form: str = ""
    plan_objective: str = ""
    sdg_target: str = ""
    imp_dimension: str = ""
    featured: bool = False


def public_query(filters: Filters | None = None) -> Any:
    """Published reports not withdrawn, newest first, filtered."""
    query = select(ObservatoryPublication).where(col(ObservatoryPublication.withdrawn_at).is_(None))
    f = filters or Filters()
    if f.zone:
        query = query.where(ObservatoryPublication.zone == ("" if f.zone == "none" else f.zone))
    if f.territory_type:
        query = query.where(ObservatoryPublication.territory_type == f.territory_type)
    if f.legal_form:
        query = query.where(ObservatoryPublication.legal_form == f.legal_form)
    for column, value in (
        (ObservatoryPublication.plan_objectives, f.plan_objective),
        (ObservatoryPublication.sdg_targets, f.sdg_target),
        (ObservatoryPublication.imp_dimensions, f.imp_dimension),
    ):
        if value:
            escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(col(column).like(f"%|{escaped}|%", escape="\\"))
    if f.featured:
        query = query.where(col(ObservatoryPublication.featured_at).is_not(None))
    return query.order_by(
        col(ObservatoryPublication.published_at).desc(), col(ObservatoryPublication.id).desc()
    )


def published(
    session: Session, filters: Filters | None = None, limit: int | None = None, offset: int = 0
) -> Sequence[ObservatoryPublication]:
    query = public_query(filters)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows: Sequence[ObservatoryPublication] = session.exec(query).all()
    return rows


def count(session: Session, filters: Filters | None = None) -> int:
    query = public_query(filters).order_by(None).subquery()
    return int(session.exec(select(func.count()).select_from(query)).one())


def sdg_targets_in_use(session: Session) -> list[str]:
    """The SDG targets of the public publications (what the SDG filter offers)."""
    stored = session.exec(
        select(ObservatoryPublication.sdg_targets)
        .where(col(ObservatoryPublication.withdrawn_at).is_(None))
        .distinct()
    ).all()
    return sorted({target for text in stored for target in tag_list(text)})


def by_slug(session: Session, slug: str) -> ObservatoryPublication:
    """A publication that is public now; anything else (unknown, withdrawn) is simply not found."""
    row = session.exec(
        select(ObservatoryPublication).where(
            ObservatoryPublication.slug == slug, col(ObservatoryPublication.withdrawn_at).is_(None)
        )
    ).first()
    if row is None:
        raise NotFoundError("no published report at this address")
    return row


def frozen(session: Session, publication: ObservatoryPublication) -> ReportVersion:
    row = session.exec(
        select(ReportVersion).where(
            ReportVersion.report_id == publication.report_id,
            ReportVersion.number == publication.version_number,
        )
    ).one()
    return row


def evaluator_of(session: Session, row: ReportVersion) -> dict[str, Any]:
    """The validating evaluator as the seal names them (name, accreditation, body)."""
    stamp = row.stamp or {}
    info = {
        "name": stamp.get("evaluator", ""),
        "accreditation_number": stamp.get("accreditation_number", ""),
        "accreditation_body": stamp.get("accreditation_body", ""),
        "validated_at": stamp.get("validated_at")
        or (row.validated_at.isoformat() if row.validated_at else ""),
        "content_hash": row.content_hash or "",
    }
    if not info["name"] and row.accreditation_id is not None:
        accreditation = session.get(EvaluatorAccreditation, row.accreditation_id)
        user = session.get(User, accreditation.user_id) if accreditation else None
        info["name"] = user.name if user else ""
    return info


# ---------------------------------------------------------------------------------------------
# Aggregates: cached, recomputed when the publications change


def _stamp(session: Session) -> str:
    total, newest, withdrawn = session.exec(
        select(
            func.count(col(ObservatoryPublication.id)),
            func.max(ObservatoryPublication.id),
            func.count(col(ObservatoryPublication.withdrawn_at)),
        )
    ).one()
    return f"{total}:{newest or 0}:{withdrawn}:{default_threshold()}"


def compute_aggregates(session: Session) -> Aggregates:
    """The territory aggregates from every public publication, from scratch."""
    rows = session.exec(
        select(  # type: ignore[call-overload]
            ObservatoryPublication.organisation_id,
            ObservatoryPublication.zone,
            ObservatoryPublication.legal_form,
            ObservatoryPublication.framework_id,
            ObservatoryPublication.framework_version,
            ObservatoryPublication.facts,
        )
        .where(col(ObservatoryPublication.withdrawn_at).is_(None))
        .order_by(col(ObservatoryPublication.published_at), col(ObservatoryPublication.id))
    ).all()
    return territory_aggregates(
        (
            PublishedValues(
                organisation=organisation_id,
                zone=zone,
                legal_form=legal_form,
                framework_id=framework_id,
                framework_version=framework_version,
                kpis=(facts or {}).get("kpis") or [],
            )
            for organisation_id, zone, legal_form, framework_id, framework_version, facts in rows
        ),
        default_threshold(),
    )


def refresh_aggregates(session: Session) -> Aggregates:
    """Recompute the aggregates and store them with the publications' state they describe."""
    aggregates = compute_aggregates(session)
    stamp = _stamp(session)
    payload = {
        "rows": aggregates.rows,
        "threshold": aggregates.threshold,
        "statement": aggregates.statement,
        "publications": aggregates.publications,
    }
    cached = session.get(ObservatoryCache, AGGREGATES)
    if cached is None:
        cached = ObservatoryCache(name=AGGREGATES, stamp=stamp, payload=payload)
    else:
        cached.stamp, cached.payload, cached.computed_at = stamp, payload, utcnow()
    session.add(cached)
    session.flush()
    return aggregates


def aggregates(session: Session) -> Aggregates:
    """The cached aggregates when they describe the publications as they are now, else fresh ones.

    The state is compared on every read, so a publication made through another server process
    (or two made at once) never leaves a stale table on show.
    """
    cached = session.get(ObservatoryCache, AGGREGATES)
    if cached is not None and cached.stamp == _stamp(session):
        payload = cached.payload
        return Aggregates(
            rows=list(payload.get("rows") or []),
            threshold=int(payload.get("threshold") or default_threshold()),
            statement=dict(payload.get("statement") or {}),
            publications=int(payload.get("publications") or 0),
        )
    try:
        return refresh_aggregates(session)
    except Exception:  # another process wrote the cache at the same moment: show the fresh figures
        session.rollback()
        return compute_aggregates(session)


# ---------------------------------------------------------------------------------------------
# Curators: feature best practice


def set_curator(session: Session, principal: Principal, user_id: int, granted: bool) -> User:
    """An administrator grants or takes back the curator role (audited)."""
    if not principal.is_admin:
        raise PermissionDeniedError("only an administrator grants the curator role")
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} not found")
    user.is_curator = granted
    session.add(user)
    audit(
        session,
        "observatory.curator_granted" if granted else "observatory.curator_revoked",
        actor_user_id=principal.user_id,
        target=f"user:{user_id}",
    )
    authorisation_changed(session)
    session.flush()
    return user


def feature(session: Session, principal: Principal, slug: str, text: str) -> ObservatoryPublication:
    """A curator features a published report as best practice with a short text (empty: unfeature)."""
    if not (principal.is_curator or principal.is_admin):
        raise PermissionDeniedError("only a curator features best practice")
    publication = by_slug(session, slug)
    text = text.strip()
    publication.featured_text = text[:1000]
    publication.featured_at = utcnow() if text else None
    publication.featured_by = principal.user_id if text else None
    session.add(publication)
    audit(
        session,
        "observatory.featured" if text else "observatory.unfeatured",
        actor_user_id=principal.user_id,
        organisation_id=publication.organisation_id,
        target=f"publication:{publication.slug}",
    )
    session.flush()
    return publication


def curators(session: Session) -> Sequence[User]:
    return session.exec(select(User).order_by(col(User.name))).all()


# ---------------------------------------------------------------------------------------------
# Synthetic publications (benchmarks, the disclosure attack)


def synthetic_publications(
    session: Session, *, organisations: int, reports: int, seed: int = 22, zones: Sequence[str] | None = None
) -> int:
    """Store ``reports`` validated, published reports of ``organisations`` made-up organisations.

    Zones and organisation types are drawn unevenly so that many cells hold one to four
    organisations. Three shared KPIs of one framework version. Returns the number stored.
    """
    import hashlib
    import random
    from datetime import date

    from impactkit.domain import HOMOGENEOUS_ZONES, LegalForm
    from impactkit.store.tables import Organisation, Project, ReportingPeriod

    rng = random.Random(seed)
    zone_choices = list(zones or (*HOMOGENEOUS_ZONES, ""))
    zone_weights = [1.0 / (index + 1) ** 1.5 for index in range(len(zone_choices))]
    forms = [form.value for form in LegalForm]
    form_weights = [1.0 / (index + 1) ** 1.5 for index in range(len(forms))]
    made: list[tuple[Organisation, Project]] = []
    for index in range(organisations):
        organisation = Organisation(
            name=f"Organizzazione sintetica {index + 1}",
            legal_form=rng.choices(forms, form_weights)[0],
            tax_code=f"9{seed % 10000:04d}{index:07d}",
            municipality="Torino",
            zone=rng.choices(zone_choices, zone_weights)[0] or None,
            territory_type=rng.choice(("urban", "rural", "mountain")),
            size_class="micro",
        )
        session.add(organisation)
        session.flush()
        project = Project(organisation_id=organisation.id or 0, name=f"Progetto {index + 1}")
        session.add(project)
        made.append((organisation, project))
    session.flush()
    for number in range(reports):
        organisation, project = made[number % organisations]
        period = ReportingPeriod(
            project_id=project.id or 0,
            label=f"P{number}",
            starts_on=date(2025, 1, 1),
            ends_on=date(2025, 12, 31),
        )
        session.add(period)
        session.flush()
        report = Report(
            organisation_id=organisation.id or 0,
            project_id=project.id or 0,
            period_id=period.id or 0,
            state="validated",
        )
        session.add(report)
        session.flush()
        kpis = [
            {
                "indicator_id": indicator,
                "group": None,
                "labels": {"it": label, "en": label},
                "unit": unit,
                "kind": "mean",
                "value": round(rng.uniform(low, high), 3),
                "n": rng.randint(5, 80),
                "ci_low": None,
                "ci_high": None,
                "suppressed": False,
                "method": "mean of the answers",
                "tags": {"plan_objectives": ["6.1"], "sdg_targets": ["8.5"], "imp_dimensions": ["what"]},
            }
            for indicator, label, unit, low, high in (
                ("wellbeing_mean", "Benessere", "score", 1, 5),
                ("employment_rate", "Occupazione", "share", 0, 1),
                ("volunteer_hours", "Ore di volontariato", "hours", 0, 5000),
            )
            if rng.random() < 0.9
        ]
        content = {
            "organisation": {
                "name": organisation.name,
                "legal_form": organisation.legal_form,
                "zone": organisation.zone,
                "territory_type": organisation.territory_type,
            },
            "project": {"id": str(project.id), "name": project.name},
            "period": {"label": period.label, "start": "2025-01-01", "end": "2025-12-31"},
            "framework": {"id": "simplified-kpis", "version": "2026.1"},
            "kpis": kpis,
        }
        digest = hashlib.sha256(repr(content).encode()).hexdigest()
        session.add(
            ReportVersion(
                report_id=report.id or 0,
                number=1,
                state="validated",
                content=content,
                content_hash=digest,
                stamp={"evaluator": "Valutatrice sintetica", "accreditation_number": "S-1"},
            )
        )
        tags = report_tags(content)
        session.add(
            ObservatoryPublication(
                slug=secrets.token_urlsafe(9),
                report_id=report.id or 0,
                version_number=1,
                organisation_id=organisation.id or 0,
                organisation_name=organisation.name,
                legal_form=organisation.legal_form,
                zone=organisation.zone or "",
                territory_type=organisation.territory_type,
                project_name=project.name,
                period_label=period.label,
                framework_id="simplified-kpis",
                framework_version="2026.1",
                plan_objectives=tag_string(tags["plan_objectives"]),
                sdg_targets=tag_string(tags["sdg_targets"]),
                imp_dimensions=tag_string(tags["imp_dimensions"]),
                content_hash=digest,
                facts={"kpis": published_kpis(content)},
            )
        )
        if number % 500 == 499:
            session.flush()
    session.flush()
    return reports
