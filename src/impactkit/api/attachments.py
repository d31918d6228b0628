"""Media files of responses for the organisation's members: listed, and downloaded as attachments.

A file is only ever sent as a download (``Content-Disposition: attachment``), with its sniffed type,
``X-Content-Type-Options: nosniff`` and a sandboxing Content-Security-Policy, so that no browser
renders or runs what a respondent uploaded on impactkit's origin. Each download is audited.
"""

from __future__ import annotations

import re
from datetime import datetime

from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.params import FromPath
from pydantic import BaseModel
from sqlalchemy import select

from impactkit.api.deps import DB, Caller
from impactkit.errors import NotFoundError
from impactkit.store import attachments as media
from impactkit.store.admin import audit
from impactkit.store.principals import Principal
from impactkit.store.tables import SurveyResponse


class AttachmentOut(BaseModel):
    field: str
    filename: str
    content_type: str | None
    size: int | None
    received: bool
    received_at: datetime | None


def _response_of(db: DB, principal: Principal, instance_id: str) -> SurveyResponse:
    """A response of one of the caller's organisations (any role), or 404."""
    row: SurveyResponse | None = db.execute(
        select(SurveyResponse).where(SurveyResponse.instance_id == instance_id)  # type: ignore[arg-type]
    ).scalar()
    if row is None or (not principal.is_admin and row.organisation_id not in principal.roles):
        raise NotFoundError(f"response {instance_id} not found")
    return row


def _safe_name(filename: str, content_type: str | None) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("._") or "file"
    extension = media.EXTENSIONS.get(content_type or "", "")
    if extension and not stem.lower().endswith(extension):
        stem += extension
    return stem[:150]


class AttachmentController(Controller):
    path = "/api/v1/responses/{instance_id:str}/attachments"
    tags = ["responses"]

    @get(
        "/",
        summary="The media files a response names, received or still expected (members)",
        sync_to_thread=True,
    )
    def list_files(self, instance_id: FromPath[str], principal: Caller, db: DB) -> list[AttachmentOut]:
        _response_of(db, principal, instance_id)
        return [
            AttachmentOut(
                field=row.field,
                filename=row.filename,
                content_type=row.content_type,
                size=row.size,
                received=row.received_at is not None,
                received_at=row.received_at,
            )
            for row in media.attachments_of(db, [instance_id])
        ]

    @get(
        "/{filename:str}",
        summary="Download one media file of a response (members); always as an attachment",
        sync_to_thread=True,
        media_type="application/octet-stream",
    )
    def download(
        self, instance_id: FromPath[str], filename: FromPath[str], principal: Caller, db: DB, state: State
    ) -> Response[bytes]:
        response = _response_of(db, principal, instance_id)
        found = next(
            (row for row in media.attachments_of(db, [instance_id]) if row.filename == filename), None
        )
        if found is None:
            raise NotFoundError(f"response {instance_id} has no file {filename!r}")
        if found.sha256 is None or found.received_at is None:
            raise NotFoundError(f"the file {filename!r} of response {instance_id} has not arrived yet")
        path = media.path_of(state.settings.data_dir, response.organisation_id, found.sha256)
        if not path.exists():
            raise NotFoundError(f"the file {filename!r} is missing from the data folder")
        audit(
            db,
            "attachment.downloaded",
            actor_user_id=principal.user_id,
            organisation_id=response.organisation_id,
            target=f"response:{instance_id}",
            details={"filename": filename},
        )
        return Response(
            path.read_bytes(),
            media_type=found.content_type or "application/octet-stream",
            headers={
                "Content-Disposition": f'attachment; filename="{_safe_name(filename, found.content_type)}"',
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "sandbox; default-src 'none'",
                "Cache-Control": "private, no-store",
            },
        )


ATTACHMENT_CONTROLLERS = [AttachmentController]

__all__ = ["ATTACHMENT_CONTROLLERS", "AttachmentController"]
