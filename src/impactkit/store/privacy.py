"""A respondent's data on request (GDPR): found by the code the organisation gave them, exported,
erased; and the organisation's audit trail. The API and the pages both go through here."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from impactkit.errors import NotFoundError
from impactkit.store import surveys
from impactkit.store.admin import audit
from impactkit.store.tables import AuditEvent, SurveyResponse, User

__all__ = ["audit_trail", "erase_respondent", "export_respondent", "respondent_responses"]


def respondent_responses(session: Session, organisation_id: int, code: str) -> list[SurveyResponse]:
    """The organisation's stored (not erased) responses carrying this respondent code, oldest first."""
    code = code.strip()
    if not code:
        return []
    rows = session.exec(
        select(SurveyResponse)
        .where(
            SurveyResponse.organisation_id == organisation_id,
            SurveyResponse.respondent_code == code,
            col(SurveyResponse.erased_at).is_(None),
        )
        .order_by(col(SurveyResponse.id))
    ).all()
    return list(rows)


def export_respondent(
    session: Session, organisation_id: int, code: str, actor_user_id: int
) -> dict[str, Any]:
    """Everything stored about one respondent code, as plain data (the export is audited; the code is not)."""
    rows = respondent_responses(session, organisation_id, code)
    if not rows:
        raise NotFoundError(f"no responses for respondent code {code!r}")
    audit(
        session,
        "respondent.exported",
        actor_user_id=actor_user_id,
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
                "answers": r.answers,
            }
            for r in rows
        ],
    }


def erase_respondent(session: Session, organisation_id: int, code: str, actor_user_id: int) -> list[str]:
    """Erase every response of one respondent code (their ids stay blocked); audited without the code."""
    erased = surveys.erase_responses(session, organisation_id, respondent_code=code.strip())
    if not erased:
        raise NotFoundError(f"no responses for respondent code {code!r}")
    audit(
        session,
        "respondent.erased",
        actor_user_id=actor_user_id,
        organisation_id=organisation_id,
        target=f"{len(erased)} responses",
        details={"instance_ids": erased},
    )
    return erased


def audit_trail(
    session: Session, organisation_id: int, limit: int = 200
) -> list[tuple[AuditEvent, str | None]]:
    """The organisation's audit log, newest first, with the name of whoever acted."""
    rows = session.exec(
        select(AuditEvent)
        .where(AuditEvent.organisation_id == organisation_id)
        .order_by(col(AuditEvent.id).desc())
        .limit(max(1, min(limit, 1000)))
    ).all()
    names = {
        user.id: user.name
        for user in session.exec(
            select(User).where(col(User.id).in_({row.actor_user_id for row in rows if row.actor_user_id}))
        ).all()
    }
    return [(row, names.get(row.actor_user_id) if row.actor_user_id else None) for row in rows]
