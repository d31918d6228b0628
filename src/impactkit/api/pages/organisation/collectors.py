"""Field collection on a project's page: collector accesses for ODK Collect / KoBoCollect, their QR codes.

Editors and owners create an access (its address and QR code appear at once), and revoke it with
confirmation. The QR code carries ODK Collect's settings (see :mod:`impactkit.store.collectors`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy import func, select

from impactkit.api.access import require_member
from impactkit.api.deps import DB
from impactkit.api.pages.organisation._lookup import project_for
from impactkit.api.pages.rendering import Me, PageRequest, confirm, form_int, form_text, redirect
from impactkit.domain import MemberRole
from impactkit.errors import NotFoundError
from impactkit.settings import Settings
from impactkit.store import collectors
from impactkit.store.admin import audit
from impactkit.store.tables import CollectorAccess, SurveyResponse


@dataclass(frozen=True)
class CollectorRow:
    """One access as the project page shows it."""

    access: CollectorAccess
    url: str
    received: int

    @property
    def revoked(self) -> bool:
        return self.access.revoked_at is not None


def collector_rows(db: DB, project_id: int, settings: Settings) -> list[CollectorRow]:
    """A project's collector accesses (open ones first), with their address and answers received."""
    accesses = collectors.project_accesses(db, project_id)
    sources = [collectors.collector_source(a.id or 0) for a in accesses]
    response = SurveyResponse.__table__  # type: ignore[attr-defined]
    counts = (
        dict(
            db.execute(
                select(response.c.source, func.count())
                .where(
                    response.c.source.in_(sources),
                    response.c.erased_at.is_(None),
                    response.c.replaced_at.is_(None),
                )
                .group_by(response.c.source)
            ).all()
        )
        if sources
        else {}
    )
    rows = [
        CollectorRow(
            access,
            collectors.collector_url(
                settings.public_base_url, collectors.view(access, settings.secret_key).secret
            ),
            int(counts.get(collectors.collector_source(access.id or 0), 0)),
        )
        for access in accesses
    ]
    return sorted(rows, key=lambda row: (row.revoked, -(row.access.id or 0)))


def _access_for_editor(db: DB, me: Me, access_id: int) -> CollectorAccess:
    access = db.get(CollectorAccess, access_id)
    if access is None:
        raise NotFoundError(f"collector access {access_id} not found")
    try:
        require_member(me, access.organisation_id, MemberRole.editor)
    except NotFoundError:
        raise NotFoundError(f"collector access {access_id} not found") from None
    return access


@post("/app/projects/{project_id:int}/collectors", sync_to_thread=True, status_code=303)
def create_collector_page(
    request: PageRequest, db: DB, me: Me, project_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect:
    project = project_for(db, me, project_id, MemberRole.editor)
    settings: Settings = request.app.state.settings
    access, _ = collectors.create_access(
        db,
        secret_key=settings.secret_key,
        project_id=project_id,
        created_by=me.user_id,
        label=form_text(data, "label", max_length=200),
        period_id=form_int(data, "period_id"),
        wave=form_text(data, "wave", max_length=20) or None,
    )
    audit(
        db,
        "collector.created",
        actor_user_id=me.user_id,
        organisation_id=project.organisation_id,
        target=f"collector:{access.id}",
        details={"project_id": project_id, "label": access.label},
    )
    return redirect(f"/app/projects/{project_id}", done="collect_created", anchor=f"collector-{access.id}")


@post("/app/collectors/{access_id:int}/revoke", sync_to_thread=True, status_code=303)
def revoke_collector_page(
    request: PageRequest, db: DB, me: Me, access_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    access = _access_for_editor(db, me, access_id)
    back = f"/app/projects/{access.project_id}#collect"
    asking = confirm(
        request, me, data, question="collect_revoke_question", back=back, label=access.label or "—"
    )
    if asking is not None:
        return asking
    if access.revoked_at is None:
        collectors.revoke_access(db, access_id)
        audit(
            db,
            "collector.revoked",
            actor_user_id=me.user_id,
            organisation_id=access.organisation_id,
            target=f"collector:{access_id}",
        )
    return redirect(f"/app/projects/{access.project_id}", done="collect_revoked", anchor="collect")


@get("/app/collectors/{access_id:int}/qr.svg", sync_to_thread=True, media_type="image/svg+xml")
def collector_qr_page(request: PageRequest, db: DB, me: Me, access_id: FromPath[int]) -> Response[bytes]:
    from impactkit.api.collectors import describe, qr_image

    access = _access_for_editor(db, me, access_id)
    if access.revoked_at is not None:
        raise NotFoundError(f"collector access {access_id} is revoked")
    code = describe(db, access, request.app.state.settings).settings_code
    return Response(qr_image(code, "svg"), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


ROUTES = [create_collector_page, revoke_collector_page, collector_qr_page]
