"""The organisation's logo through the API: read it (members, its funders), set or replace it and
remove it (owners, administrators) — the same checks and store as the details page."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Response, delete, get, put
from litestar.datastructures import UploadFile
from litestar.params import FromPath, MultipartBody
from pydantic import BaseModel, Field

from impactkit.api.access import require_member, require_reader
from impactkit.api.deps import DB, Caller
from impactkit.domain import MemberRole
from impactkit.errors import NotFoundError
from impactkit.logos import EXTENSIONS, MAX_BYTES, clean_logo
from impactkit.store import admin as svc
from impactkit.store.logos import current_logo, remove_logo, set_logo
from impactkit.store.tables import Organisation, OrganisationLogo


@dataclass
class LogoUpload:
    logo: UploadFile


class LogoOut(BaseModel):
    """The stored logo: re-encoded pixels, no metadata."""

    sha256: str = Field(description="SHA-256 of the stored image; a report's content names its logo by it")
    media_type: str = Field(description="image/png or image/jpeg")
    width: int = Field(description="pixels")
    height: int = Field(description="pixels")
    size: int = Field(description="bytes")


def _out(row: OrganisationLogo) -> LogoOut:
    return LogoOut(
        sha256=row.sha256, media_type=row.media_type, width=row.width, height=row.height, size=row.size
    )


class LogoController(Controller):
    path = "/api/v1/organisations/{organisation_id:int}/logo"
    tags = ["organisations"]

    @get(
        "/",
        summary="The organisation's logo image (members, its funders, administrator); 404 when it has none",
        sync_to_thread=True,
        media_type="image/png",
    )
    def read(self, organisation_id: FromPath[int], principal: Caller, db: DB) -> Response[bytes]:
        require_reader(db, principal, organisation_id)
        row = current_logo(db, organisation_id)
        if row is None:
            raise NotFoundError(f"organisation {organisation_id} has no logo")
        return Response(
            row.data,
            media_type=row.media_type,
            headers={
                "Content-Disposition": (
                    f'inline; filename="logo-{organisation_id}.{EXTENSIONS[row.media_type]}"'
                ),
                "Content-Security-Policy": "sandbox",
            },
        )

    @put(
        "/",
        summary="Set or replace the logo: a PNG or JPEG of at most 2 MiB, re-encoded (owner, administrator)",
        sync_to_thread=True,
    )
    def replace(
        self, organisation_id: FromPath[int], data: MultipartBody[LogoUpload], principal: Caller, db: DB
    ) -> LogoOut:
        require_member(principal, organisation_id, MemberRole.owner)
        svc.get(db, Organisation, organisation_id, "organisation")
        logo = clean_logo(data.logo.file.read(MAX_BYTES + 1))
        return _out(set_logo(db, organisation_id, logo, actor_user_id=principal.user_id))

    @delete(
        "/",
        summary="Remove the logo; reports already submitted or validated keep theirs (owner, administrator)",
        sync_to_thread=True,
    )
    def remove(self, organisation_id: FromPath[int], principal: Caller, db: DB) -> None:
        require_member(principal, organisation_id, MemberRole.owner)
        svc.get(db, Organisation, organisation_id, "organisation")
        remove_logo(db, organisation_id, actor_user_id=principal.user_id)


LOGO_CONTROLLERS = [LogoController]
