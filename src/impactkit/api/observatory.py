"""Observatory routes of the API: an owner publishes a validated report to the public observatory or
withdraws it (the same acts as the report page's button); the public files live at /osservatorio/dati."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, delete, post
from litestar.params import FromPath
from pydantic import BaseModel

from impactkit.api.deps import DB, Caller
from impactkit.store import observatory as svc
from impactkit.store.tables import ObservatoryPublication


class PublicationOut(BaseModel):
    id: str
    """The publication's public identifier (random: it gives nothing away about other reports)."""
    report_id: int
    version: int
    url: str
    """The public page, relative to the instance's address."""
    published_at: datetime
    withdrawn_at: datetime | None = None


def _out(publication: ObservatoryPublication) -> PublicationOut:
    return PublicationOut(
        id=publication.slug,
        report_id=publication.report_id,
        version=publication.version_number,
        url=f"/osservatorio/rapporti/{publication.slug}",
        published_at=publication.published_at,
        withdrawn_at=publication.withdrawn_at,
    )


class ObservatoryController(Controller):
    tags = ["observatory"]

    @post(
        "/api/v1/reports/{report_id:int}/publication",
        summary="Publish the newest validated version of a report to the public observatory (owner)",
        sync_to_thread=True,
        status_code=201,
    )
    def publish(self, report_id: FromPath[int], principal: Caller, db: DB) -> PublicationOut:
        return _out(svc.publish(db, principal, report_id))

    @delete(
        "/api/v1/reports/{report_id:int}/publication",
        summary="Withdraw a report from the public observatory: gone from every public page and file (owner)",
        sync_to_thread=True,
        status_code=200,
    )
    def withdraw(self, report_id: FromPath[int], principal: Caller, db: DB) -> PublicationOut:
        return _out(svc.withdraw(db, principal, report_id))


OBSERVATORY_CONTROLLERS = [ObservatoryController]
