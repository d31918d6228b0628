"""Privacy routes: a respondent's data exported or erased on request (GDPR), and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, delete, get
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery
from pydantic import BaseModel
from sqlmodel import select

from impactkit.api.access import require_admin, require_member
from impactkit.api.deps import DB, Caller
from impactkit.domain import MemberRole
from impactkit.errors import NotFoundError
from impactkit.store import surveys as store
from impactkit.store.admin import audit
from impactkit.store.attachments import attachments_of, erase_attachments
from impactkit.store.tables import AuditEvent, SurveyResponse


class ErasureOut(BaseModel):
    erased: list[str]
    """Instance ids whose answers were erased (they stay blocked for resubmission)."""


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor_user_id: int | None
    action: str
    organisation_id: int | None
    target: str
    details: dict[str, Any]


def _audit_rows(rows: list[AuditEvent]) -> list[AuditOut]:
    return [AuditOut.model_validate(row.model_dump()) for row in rows]


class PrivacyController(Controller):
    tags = ["privacy"]

    @get(
        "/api/v1/organisations/{organisation_id:int}/respondents/{code:str}",
        summary="Everything stored about one respondent code (GDPR access; owner, editor)",
        sync_to_thread=True,
    )
    def export(
        self, organisation_id: FromPath[int], code: FromPath[str], principal: Caller, db: DB
    ) -> dict[str, Any]:
        require_member(principal, organisation_id, MemberRole.editor)
        rows = db.exec(
            select(SurveyResponse).where(
                SurveyResponse.organisation_id == organisation_id,
                SurveyResponse.respondent_code == code,
                SurveyResponse.erased_at.is_(None),  # type: ignore[union-attr]
            )
        ).all()
        if not rows:
            raise NotFoundError(f"no responses for respondent code {code!r}")
        audit(
            db,
            "respondent.exported",
            actor_user_id=principal.user_id,
            organisation_id=organisation_id,
            target=f"respondent:{len(rows)} responses",
        )
        return {
            "respondent_code": code,
            "responses": [
                {
                    "instance_id": r.instance_id,
                    "form_id": r.form_id,
                    "form_version": r.form_version,
                    "project_id": r.project_id,
                    "period_id": r.period_id,
                    "wave": r.wave,
                    "submitted_at": r.submitted_at.isoformat(),
                    "version": r.version,
                    "replaced_at": r.replaced_at.isoformat() if r.replaced_at else None,
                    "answers": r.answers,
                    "attachments": [
                        {
                            "field": a.field,
                            "filename": a.filename,
                            "content_type": a.content_type,
                            "size": a.size,
                        }
                        for a in attachments_of(db, [r.instance_id])
                    ],
                }
                for r in rows
            ],
        }

    @delete(
        "/api/v1/organisations/{organisation_id:int}/respondents/{code:str}",
        summary="Erase every response of one respondent code (GDPR erasure; owner)",
        sync_to_thread=True,
        status_code=200,
    )
    def erase_respondent(
        self, organisation_id: FromPath[int], code: FromPath[str], principal: Caller, db: DB, state: State
    ) -> ErasureOut:
        require_member(principal, organisation_id, MemberRole.owner)
        erased = store.erase_responses(db, organisation_id, respondent_code=code)
        if not erased:
            raise NotFoundError(f"no responses for respondent code {code!r}")
        erase_attachments(db, state.settings.data_dir, organisation_id, erased)
        # The code itself is not logged: it could identify the person.
        audit(
            db,
            "respondent.erased",
            actor_user_id=principal.user_id,
            organisation_id=organisation_id,
            target=f"{len(erased)} responses",
            details={"instance_ids": erased},
        )
        return ErasureOut(erased=erased)

    @delete(
        "/api/v1/responses/{instance_id:str}",
        summary="Erase one response (owner); its instance id stays blocked",
        sync_to_thread=True,
        status_code=200,
    )
    def erase_response(
        self, instance_id: FromPath[str], principal: Caller, db: DB, state: State
    ) -> ErasureOut:
        row = db.exec(select(SurveyResponse).where(SurveyResponse.instance_id == instance_id)).first()
        if row is None or (not principal.is_admin and row.organisation_id not in principal.roles):
            raise NotFoundError(f"response {instance_id} not found")
        require_member(principal, row.organisation_id, MemberRole.owner)
        erased = store.erase_responses(db, row.organisation_id, instance_id=instance_id)
        erase_attachments(db, state.settings.data_dir, row.organisation_id, erased)
        audit(
            db,
            "response.erased",
            actor_user_id=principal.user_id,
            organisation_id=row.organisation_id,
            target=f"response:{instance_id}",
        )
        return ErasureOut(erased=erased)

    @get(
        "/api/v1/organisations/{organisation_id:int}/audit",
        summary="The organisation's audit log: validations, exports, erasures (owner)",
        sync_to_thread=True,
    )
    def organisation_audit(
        self, organisation_id: FromPath[int], principal: Caller, db: DB, limit: FromQuery[int] = 200
    ) -> list[AuditOut]:
        require_member(principal, organisation_id, MemberRole.owner)
        rows = db.exec(
            select(AuditEvent)
            .where(AuditEvent.organisation_id == organisation_id)
            .order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
            .limit(max(1, min(limit, 1000)))
        ).all()
        return _audit_rows(list(rows))

    @get("/api/v1/audit", summary="The whole audit log, newest first (administrator)", sync_to_thread=True)
    def all_audit(
        self, principal: Caller, db: DB, action: FromQuery[str | None] = None, limit: FromQuery[int] = 200
    ) -> list[AuditOut]:
        require_admin(principal)
        query = select(AuditEvent)
        if action:
            query = query.where(AuditEvent.action == action)
        rows = db.exec(query.order_by(AuditEvent.id.desc()).limit(max(1, min(limit, 1000)))).all()  # type: ignore[union-attr]
        return _audit_rows(list(rows))


PRIVACY_CONTROLLERS = [PrivacyController]
