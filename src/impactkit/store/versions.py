"""Edits of stored responses: a new version replaces the old one, which is kept and no longer counted.

ODK clients edit a submission by sending it again under a new ``meta/instanceID`` with
``meta/deprecatedID`` naming the one it replaces (Enketo's edit, ODK Central's edited
submissions). impactkit stores the edit as the next version of the same response: the old row
stays, marked ``replaced_at``, and every read (lists, exports, KPIs, reports) sees only the newest
version, so the response is counted once. Each edit is audited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select, update
from sqlmodel import Session

from impactkit.errors import Problem
from impactkit.store.admin import audit
from impactkit.store.db import claim_sqlite_writer
from impactkit.store.surveys import ItemResult, Submission, insert_prepared, prepare_responses, repeat_result
from impactkit.store.tables import SurveyResponse
from impactkit.store.types import utcnow

_response = SurveyResponse.__table__  # type: ignore[attr-defined]


def store_edit(
    session: Session,
    submission: Submission,
    replaces: str,
    *,
    allowed_organisations: set[int] | None,
    actor_user_id: int | None = None,
) -> ItemResult:
    """Validate ``submission`` and store it as the next version of the response ``replaces``.

    Args:
        replaces: the instance id of the version being edited (its newest version).
        allowed_organisations: organisations the caller may write to (None: any).

    Returns:
        ``stored`` (the new version), or ``already_stored`` / ``conflict`` / ``erased`` when the
        new instance id is stored already, ``invalid`` when the answers do not fit, ``not_found``
        when the edited response is not stored here (or not the caller's), ``conflict`` when it
        was already replaced by another edit. Nothing changes unless the result is ``stored``.
    """
    engine = session.get_bind()
    prepared = prepare_responses(session, engine, [submission], allowed_organisations=allowed_organisations)  # type: ignore[arg-type]
    decided = prepared.results[0]
    if decided is not None:
        return decided
    ((_, row),) = prepared.rows
    claim_sqlite_writer(session)
    connection = session.connection()
    stored = connection.execute(
        select(_response.c.content_hash, _response.c.erased_at).where(
            _response.c.instance_id == submission.instance_id
        )
    ).first()
    if stored is not None:
        return repeat_result(0, submission.instance_id, stored[0], stored[1] is not None, prepared.hashes[0])
    previous = connection.execute(
        select(
            _response.c.id,
            _response.c.version,
            _response.c.organisation_id,
            _response.c.form_id,
            _response.c.replaced_at,
            _response.c.erased_at,
        ).where(_response.c.instance_id == replaces)
    ).first()
    if previous is None or previous.organisation_id != row["organisation_id"]:
        return _result(
            submission,
            "not_found",
            f"the response this edit replaces ({replaces}) is not stored here",
            "deprecated_id",
        )
    if previous.form_id != submission.form_id:
        return _result(
            submission,
            "invalid",
            f"an edit must answer the same form as the response it replaces ({previous.form_id!r})",
            "form_id",
        )
    if previous.erased_at is not None:
        return _result(
            submission, "erased", "the response this edit replaces was erased on request", "erased"
        )
    if previous.replaced_at is not None:
        return _result(
            submission,
            "conflict",
            f"the response {replaces} was already replaced by another edit; edit its newest version",
            "conflict",
        )
    now = utcnow()
    changed = connection.execute(
        update(_response)
        .where(and_(_response.c.id == previous.id, _response.c.replaced_at.is_(None)))
        .values(replaced_at=now)
    ).rowcount
    if changed != 1:
        return _result(submission, "conflict", f"the response {replaces} was edited meanwhile", "conflict")
    row["version"] = previous.version + 1
    row["previous_instance_id"] = replaces
    insert_prepared(connection, [prepared])
    result = prepared.outcome()[0]
    if result.status != "stored":
        session.rollback()
        return result
    audit(
        session,
        "response.edited",
        actor_user_id=actor_user_id,
        organisation_id=row["organisation_id"],
        target=f"response:{submission.instance_id}",
        details={"replaces": replaces, "version": row["version"], "source": submission.source},
    )
    return result


def _result(submission: Submission, status: str, message: str, code: str) -> ItemResult:
    location = "meta/deprecatedID" if code in ("deprecated_id", "conflict", "erased") else code
    return ItemResult(0, submission.instance_id, status, [Problem(message, location, code).as_dict()])


def versions_of(session: Session, instance_id: str) -> list[dict[str, Any]]:
    """Every version of the response that ``instance_id`` is a version of, oldest first."""
    chain: list[dict[str, Any]] = []
    columns = (
        _response.c.instance_id,
        _response.c.version,
        _response.c.previous_instance_id,
        _response.c.replaced_at,
        _response.c.submitted_at,
    )
    found = session.execute(select(*columns).where(_response.c.instance_id == instance_id)).first()
    if found is None:
        return []
    current: Any = found
    while current is not None and len(chain) < 1000:  # walk back to the first version
        chain.insert(0, dict(current._mapping))
        if current.previous_instance_id is None:
            break
        current = session.execute(
            select(*columns).where(_response.c.instance_id == current.previous_instance_id)
        ).first()
    while len(chain) < 1000:  # then forward to the newest
        later = session.execute(
            select(*columns).where(_response.c.previous_instance_id == chain[-1]["instance_id"])
        ).first()
        if later is None:
            break
        chain.append(dict(later._mapping))
    return chain


__all__ = ["store_edit", "versions_of"]
