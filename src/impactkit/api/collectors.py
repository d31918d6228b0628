"""Collector accesses for staff (owner, editor): create, list and revoke them, and their QR codes.

A collector access gives field workers' apps (ODK Collect, KoBoCollect) a project's forms: its
server address carries the secret. The QR code holds ODK Collect's settings (JSON, zlib, base64),
so a device scans it and is ready: server address, forms kept exactly as the server lists them,
finished forms sent automatically.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, Field

from impactkit.api.access import require_member
from impactkit.api.deps import DB, Caller
from impactkit.domain import MemberRole
from impactkit.errors import NotFoundError
from impactkit.settings import Settings
from impactkit.store import collectors
from impactkit.store.admin import audit
from impactkit.store.collectors import collect_settings, settings_code
from impactkit.store.tables import CollectorAccess, Organisation, Project


class CollectorIn(BaseModel):
    """A new collector access for the project."""

    label: str = Field(default="", max_length=200, description="Who or which devices it is for")
    period_id: int | None = Field(default=None, description="Period of its responses (default: by date)")
    wave: str | None = Field(default=None, max_length=20)
    form_ids: list[str] = Field(default_factory=list, description="Forms it offers (default: all)")


class CollectorOut(BaseModel):
    id: int
    project_id: int
    label: str
    period_id: int | None
    wave: str | None
    form_ids: list[str]
    url: str = Field(description="The server address to give ODK Collect / KoBoCollect")
    settings_code: str = Field(description="What the QR code holds: ODK Collect's settings, zlib + base64")
    created_at: datetime
    revoked_at: datetime | None


def _name(db: DB, access: CollectorAccess) -> str:
    project = db.get(Project, access.project_id)
    organisation = db.get(Organisation, access.organisation_id)
    parts = [organisation.name if organisation else "", project.name if project else "", access.label]
    return " · ".join(part for part in parts if part)


def describe(db: DB, access: CollectorAccess, settings: Settings) -> CollectorOut:
    assert access.id is not None
    view = collectors.view(access, settings.secret_key)
    url = collectors.collector_url(settings.public_base_url, view.secret)
    return CollectorOut(
        id=access.id,
        project_id=access.project_id,
        label=access.label,
        period_id=access.period_id,
        wave=access.wave,
        form_ids=list(access.form_ids),
        url=url,
        settings_code=settings_code(collect_settings(url, _name(db, access))),
        created_at=access.created_at,
        revoked_at=access.revoked_at,
    )


def _project_for_editor(db: DB, principal: Any, project_id: int) -> Project:
    project = db.get(Project, project_id)
    if project is None:
        raise NotFoundError(f"project {project_id} not found")
    require_member(principal, project.organisation_id, MemberRole.editor)
    return project


def _access_for_editor(db: DB, principal: Any, access_id: int) -> CollectorAccess:
    access = db.get(CollectorAccess, access_id)
    if access is None:
        raise NotFoundError(f"collector access {access_id} not found")
    try:
        require_member(principal, access.organisation_id, MemberRole.editor)
    except NotFoundError:
        raise NotFoundError(f"collector access {access_id} not found") from None
    return access


def qr_image(code: str, kind: str) -> bytes:
    """The QR code of ``code`` as an SVG or PNG image."""
    import segno

    qr = segno.make(code, micro=False, error="m")
    out = io.BytesIO()
    qr.save(out, kind=kind, scale=6 if kind == "png" else 4, border=4)
    return out.getvalue()


class CollectorController(Controller):
    path = "/api/v1"
    tags = ["collector access (ODK Collect)"]

    @get(
        "/projects/{project_id:int}/collectors",
        summary="Collector accesses of a project, with their server address (editor+)",
        sync_to_thread=True,
    )
    def list_accesses(
        self, request: Request[Any, Any, Any], project_id: FromPath[int], principal: Caller, db: DB
    ) -> list[CollectorOut]:
        _project_for_editor(db, principal, project_id)
        settings: Settings = request.app.state.settings
        return [describe(db, access, settings) for access in collectors.project_accesses(db, project_id)]

    @post(
        "/projects/{project_id:int}/collectors",
        summary="Create a collector access for ODK Collect / KoBoCollect (editor+)",
        sync_to_thread=True,
    )
    def create(
        self,
        request: Request[Any, Any, Any],
        project_id: FromPath[int],
        data: JSONBody[CollectorIn],
        principal: Caller,
        db: DB,
    ) -> CollectorOut:
        project = _project_for_editor(db, principal, project_id)
        settings: Settings = request.app.state.settings
        access, _ = collectors.create_access(
            db,
            secret_key=settings.secret_key,
            project_id=project_id,
            created_by=principal.user_id,
            label=data.label,
            period_id=data.period_id,
            wave=data.wave,
            form_ids=data.form_ids,
        )
        audit(
            db,
            "collector.created",
            actor_user_id=principal.user_id,
            organisation_id=project.organisation_id,
            target=f"collector:{access.id}",
            details={"project_id": project_id, "label": data.label},
        )
        return describe(db, access, settings)

    @post(
        "/collectors/{access_id:int}/revoke",
        summary="Revoke a collector access: every device using it is refused from now on (editor+)",
        status_code=200,
        sync_to_thread=True,
    )
    def revoke(
        self, request: Request[Any, Any, Any], access_id: FromPath[int], principal: Caller, db: DB
    ) -> CollectorOut:
        access = _access_for_editor(db, principal, access_id)
        was_revoked = access.revoked_at is not None
        collectors.revoke_access(db, access_id)
        if not was_revoked:
            audit(
                db,
                "collector.revoked",
                actor_user_id=principal.user_id,
                organisation_id=access.organisation_id,
                target=f"collector:{access_id}",
            )
        return describe(db, access, request.app.state.settings)

    @get(
        "/collectors/{access_id:int}/qr.svg",
        summary="The QR code ODK Collect scans to set itself up, as SVG (editor+)",
        sync_to_thread=True,
        media_type="image/svg+xml",
    )
    def qr_svg(
        self, request: Request[Any, Any, Any], access_id: FromPath[int], principal: Caller, db: DB
    ) -> Response[bytes]:
        return self._qr(request, access_id, principal, db, "svg")

    @get(
        "/collectors/{access_id:int}/qr.png",
        summary="The QR code ODK Collect scans to set itself up, as PNG (editor+)",
        sync_to_thread=True,
        media_type="image/png",
    )
    def qr_png(
        self, request: Request[Any, Any, Any], access_id: FromPath[int], principal: Caller, db: DB
    ) -> Response[bytes]:
        return self._qr(request, access_id, principal, db, "png")

    @staticmethod
    def _qr(
        request: Request[Any, Any, Any], access_id: int, principal: Any, db: DB, kind: str
    ) -> Response[bytes]:
        access = _access_for_editor(db, principal, access_id)
        if access.revoked_at is not None:
            raise NotFoundError(f"collector access {access_id} is revoked; create a new one")
        out = describe(db, access, request.app.state.settings)
        return Response(
            qr_image(out.settings_code, kind),
            media_type="image/svg+xml" if kind == "svg" else "image/png",
            headers={"Cache-Control": "no-store"},
        )


COLLECTOR_CONTROLLERS = [CollectorController]

__all__ = [
    "COLLECTOR_CONTROLLERS",
    "CollectorController",
    "collect_settings",
    "describe",
    "qr_image",
    "settings_code",
]
