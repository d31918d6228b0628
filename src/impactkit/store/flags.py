"""Response flags: duplicates caught when they arrive, and responses a person sets aside.

Two kinds are set when a response is stored (in the same transaction, :func:`flag_arrivals`):

* ``duplicate_code`` — the same respondent code answered the same form and wave twice in one
  project and period. Every response of the set is flagged ``open``; until the organisation
  chooses (:func:`choose`), the **latest counts** and KPIs say how many earlier answers they left
  out (``duplicate``).
* ``double_entry`` — identical answers (five or more questions answered, the respondent code
  aside) under different codes, stored within ten minutes of each other: a possible double
  entry. The same: ``open``, the latest counts until the organisation chooses, and it may also
  keep them all (not a duplicate).

Two are set by a person (:func:`flag_response`): ``test_answer`` and ``suspected_duplicate`` —
the response is left out of KPIs at once (``excluded``), until the flag is withdrawn
(:func:`withdraw_flag`). Every person's move is audited.

:func:`left_out` tells the KPI store which responses do not count and why.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import and_, distinct, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlmodel import Session
from sqlmodel import select as model_select

from impactkit.errors import ConflictError, NotFoundError, Problem, ResponseError
from impactkit.store.changes import touch_projects
from impactkit.store.tables import ResponseFlag, SurveyResponse
from impactkit.store.types import utcnow

AUTOMATIC = ("duplicate_code", "double_entry")
MANUAL = ("test_answer", "suspected_duplicate")
KINDS = AUTOMATIC + MANUAL
STATUSES = ("open", "counts", "excluded", "withdrawn")
DOUBLE_ENTRY_WINDOW = timedelta(minutes=10)
DOUBLE_ENTRY_MIN_ANSWERS = 5

_flag = ResponseFlag.__table__  # type: ignore[attr-defined]
_response = SurveyResponse.__table__  # type: ignore[attr-defined]


def answers_digest(answers: Mapping[str, Any] | None) -> str | None:
    """SHA-256 of the answers without the respondent code, or None with fewer than five answers."""
    if not answers:
        return None
    rest = {
        name: value
        for name, value in answers.items()
        if name != "respondent_code" and value not in (None, "", [], {})
    }
    if len(rest) < DOUBLE_ENTRY_MIN_ANSWERS:
        return None
    encoded = msgspec.json.encode(rest, order="sorted")
    return hashlib.sha256(encoded).hexdigest()


def _set_key(kind: str, *parts: Any) -> str:
    digest = hashlib.sha256(msgspec.json.encode([kind, *map(str, parts)])).hexdigest()[:40]
    return f"{'code' if kind == 'duplicate_code' else 'entry'}-{digest}"


def _scope(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return (row["organisation_id"], row["project_id"], row["period_id"], row["form_id"], row["wave"] or "")


def flag_arrivals(connection: Connection, rows: Iterable[Mapping[str, Any]]) -> int:
    """Flag the responses just stored that repeat a respondent code or another code's answers.

    ``rows`` are the stored rows as inserted (instance id, scope, wave, respondent code,
    submission time, answers digest). Runs in the transaction that stored them, so a duplicate
    is flagged the moment it is stored. Returns how many flags were added.
    """
    new_rows = [dict(row) for row in rows if row.get("respondent_code")]
    if not new_rows:
        return 0
    columns = (
        _response.c.id,
        _response.c.instance_id,
        _response.c.organisation_id,
        _response.c.project_id,
        _response.c.period_id,
        _response.c.form_id,
        _response.c.wave,
        _response.c.respondent_code,
        _response.c.submitted_at,
        _response.c.answers_digest,
    )
    added = _flag_codes(connection, columns, new_rows)
    added += _flag_entries(connection, columns, new_rows)
    return added


def _existing_flags(connection: Connection, set_keys: set[str]) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    if not set_keys:
        return found
    query = select(_flag.c.set_key, _flag.c.response_id).where(_flag.c.set_key.in_(sorted(set_keys)))
    for set_key, response_id in connection.execute(query):
        found.setdefault(set_key, set()).add(response_id)
    return found


def _insert_flags(connection: Connection, sets: Mapping[str, tuple[str, list[dict[str, Any]]]]) -> int:
    existing = _existing_flags(connection, set(sets))
    now = utcnow()
    rows = [
        {
            "response_id": member["id"],
            "organisation_id": member["organisation_id"],
            "project_id": member["project_id"],
            "kind": kind,
            "set_key": set_key,
            "status": "open",
            "note": "",
            "created_at": now,
        }
        for set_key, (kind, members) in sets.items()
        for member in members
        if member["id"] not in existing.get(set_key, set())
    ]
    if rows:
        connection.execute(_flag.insert(), rows)
    return len(rows)


def _flag_codes(connection: Connection, columns: Sequence[Any], new_rows: list[dict[str, Any]]) -> int:
    codes = sorted({row["respondent_code"] for row in new_rows})
    organisations = sorted({row["organisation_id"] for row in new_rows})
    wanted = {(_scope(row), row["respondent_code"]) for row in new_rows}
    members: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for start in range(0, len(codes), 500):
        query = select(*columns).where(
            _response.c.respondent_code.in_(codes[start : start + 500]),
            _response.c.organisation_id.in_(organisations),
            _response.c.erased_at.is_(None),
            _response.c.replaced_at.is_(None),  # an edit's earlier version is not a duplicate
        )
        for row in connection.execute(query):
            record = dict(row._mapping)
            key = (_scope(record), record["respondent_code"])
            if key in wanted:
                members.setdefault(key, []).append(record)
    sets = {
        _set_key("duplicate_code", *scope, code): ("duplicate_code", rows)
        for (scope, code), rows in members.items()
        if len(rows) > 1
    }
    return _insert_flags(connection, sets)


def _flag_entries(connection: Connection, columns: Sequence[Any], new_rows: list[dict[str, Any]]) -> int:
    with_digest = [row for row in new_rows if row["answers_digest"]]
    if not with_digest:
        return 0
    digests = sorted({row["answers_digest"] for row in with_digest})
    organisations = sorted({row["organisation_id"] for row in with_digest})
    candidates: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for start in range(0, len(digests), 500):
        query = select(*columns).where(
            _response.c.answers_digest.in_(digests[start : start + 500]),
            _response.c.organisation_id.in_(organisations),
            _response.c.erased_at.is_(None),
            _response.c.replaced_at.is_(None),
        )
        for found in connection.execute(query):
            record = dict(found._mapping)
            candidates.setdefault((_scope(record), record["answers_digest"]), []).append(record)
    sets: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    stored: dict[str, dict[str, Any]] = {
        record["instance_id"]: record for records in candidates.values() for record in records
    }
    for new in with_digest:
        arrived = stored.get(new["instance_id"])
        if arrived is None:
            continue
        key = (_scope(arrived), arrived["answers_digest"])
        close = [
            other
            for other in candidates.get(key, [])
            if other["respondent_code"] != arrived["respondent_code"]
            and abs(_moment(other["submitted_at"]) - _moment(arrived["submitted_at"])) <= DOUBLE_ENTRY_WINDOW
        ]
        if close:
            set_key = _set_key("double_entry", *key)
            members = {member["id"]: member for member in [arrived, *close]}
            known: list[dict[str, Any]] = sets.get(set_key, ("double_entry", []))[1]
            for member in known:
                members[member["id"]] = member
            sets[set_key] = ("double_entry", list(members.values()))
    return _insert_flags(connection, sets)


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=utcnow().tzinfo)
    return datetime.fromisoformat(str(value))


# --- what people do with flags -----------------------------------------------------------------


@dataclass
class FlaggedResponse:
    """One response of a duplicate set, as the organisation chooses among them."""

    instance_id: str
    respondent_code: str | None
    submitted_at: datetime
    wave: str | None
    status: str
    flag_id: int
    response_id: int | None = None
    decided_at: datetime | None = None
    """When a person last chose in its set (or flagged it); None while open."""
    decided_by: int | None = None
    """The user who did (None for a choice made by the system, e.g. an erasure)."""


@dataclass
class FlagSet:
    """Responses flagged together (a duplicate set), or one response a person flagged."""

    set_key: str | None
    kind: str
    status: str
    """``open`` while any member waits for a choice, else ``decided`` (or the one flag's status)."""
    form_id: str
    wave: str | None
    responses: list[FlaggedResponse] = field(default_factory=list)
    note: str = ""


def _response_row(
    session: Session, organisation_ids: Sequence[int] | None, instance_id: str
) -> SurveyResponse:
    row = session.exec(model_select(SurveyResponse).where(SurveyResponse.instance_id == instance_id)).first()
    if row is None or (organisation_ids is not None and row.organisation_id not in organisation_ids):
        raise NotFoundError(f"response {instance_id} not found")
    if row.erased_at is not None:
        raise NotFoundError(f"response {instance_id} was erased")
    return row


def flag_response(
    session: Session, response: SurveyResponse, kind: str, note: str, *, actor_user_id: int | None
) -> ResponseFlag:
    """A person flags a response (test answer, suspected duplicate): left out of KPIs; audited."""
    from impactkit.store.admin import audit

    if kind not in MANUAL:
        raise ResponseError(
            "invalid flag",
            [Problem(f"kind {kind!r}; expected one of {', '.join(MANUAL)}", "kind")],
        )
    existing = session.exec(
        model_select(ResponseFlag).where(
            ResponseFlag.response_id == response.id,
            ResponseFlag.kind == kind,
            ResponseFlag.status == "excluded",
        )
    ).first()
    if existing is not None:
        raise ConflictError(
            "already flagged",
            [
                Problem(
                    f"response {response.instance_id} is already flagged as {kind}", "kind", code="conflict"
                )
            ],
        )
    assert response.id is not None
    flag = ResponseFlag(
        response_id=response.id,
        organisation_id=response.organisation_id,
        project_id=response.project_id,
        kind=kind,
        status="excluded",
        note=note,
        created_by=actor_user_id,
        decided_by=actor_user_id,
        decided_at=utcnow(),
    )
    session.add(flag)
    session.flush()
    touch_projects(session, [response.project_id])
    audit(
        session,
        "response.flagged",
        actor_user_id=actor_user_id,
        organisation_id=response.organisation_id,
        target=f"response:{response.instance_id}",
        details={"kind": kind, "flag": flag.id},
    )
    return flag


def withdraw_flag(
    session: Session, response: SurveyResponse, flag_id: int, *, actor_user_id: int | None
) -> ResponseFlag:
    """A person's flag taken back: the response counts again; audited. Duplicates are chosen, not
    withdrawn."""
    from impactkit.store.admin import audit

    flag = session.get(ResponseFlag, flag_id)
    if flag is None or flag.response_id != response.id:
        raise NotFoundError(f"flag {flag_id} not found on response {response.instance_id}")
    if flag.kind not in MANUAL:
        raise ConflictError(
            "a duplicate is resolved by choosing which answer counts",
            [
                Problem(
                    f"flag {flag_id} is a {flag.kind}: choose among its set instead",
                    "flag_id",
                    code="conflict",
                )
            ],
        )
    if flag.status == "withdrawn":
        return flag
    flag.status = "withdrawn"
    flag.decided_at = utcnow()
    flag.decided_by = actor_user_id
    session.add(flag)
    touch_projects(session, [response.project_id])
    audit(
        session,
        "response.flag_withdrawn",
        actor_user_id=actor_user_id,
        organisation_id=response.organisation_id,
        target=f"response:{response.instance_id}",
        details={"kind": flag.kind, "flag": flag.id},
    )
    return flag


def choose(
    session: Session,
    organisation_ids: Sequence[int] | None,
    set_key: str,
    keep: Sequence[str],
    *,
    actor_user_id: int | None,
) -> FlagSet:
    """The organisation chooses which answers of a duplicate set count; the others are left out.

    A set of one respondent code keeps exactly one answer; a possible double entry may keep
    them all (it was not one). Audited.
    """
    from impactkit.store.admin import audit

    flags = list(session.exec(model_select(ResponseFlag).where(ResponseFlag.set_key == set_key)).all())
    if not flags or (organisation_ids is not None and flags[0].organisation_id not in organisation_ids):
        raise NotFoundError(f"duplicate set {set_key} not found")
    responses = {
        r.id: r
        for r in session.exec(
            model_select(SurveyResponse).where(SurveyResponse.id.in_([f.response_id for f in flags]))  # type: ignore[union-attr]
        ).all()
    }
    by_instance = {responses[f.response_id].instance_id: f for f in flags if f.response_id in responses}
    unknown = [instance_id for instance_id in keep if instance_id not in by_instance]
    kind = flags[0].kind
    problems = [Problem(f"response {i} is not in this set", "keep") for i in unknown]
    if not keep:
        problems.append(Problem("name at least one response that counts", "keep"))
    if kind == "duplicate_code" and len(set(keep)) > 1:
        problems.append(
            Problem("the same respondent code answered twice: exactly one answer can count", "keep")
        )
    if problems:
        raise ResponseError("cannot choose so", problems)
    now = utcnow()
    for instance_id, flag in by_instance.items():
        flag.status = "counts" if instance_id in keep else "excluded"
        flag.decided_at = now
        flag.decided_by = actor_user_id
        session.add(flag)
    touch_projects(session, {flag.project_id for flag in flags})
    audit(
        session,
        "responses.duplicates_chosen",
        actor_user_id=actor_user_id,
        organisation_id=flags[0].organisation_id,
        target=f"duplicates:{set_key}",
        details={"kind": kind, "counts": sorted(keep), "excluded": sorted(set(by_instance) - set(keep))},
    )
    session.flush()
    [result] = flag_sets(session, organisation_ids, set_key=set_key)
    return result


def flag_sets(
    session: Session,
    organisation_ids: Sequence[int] | None,
    *,
    project_id: int | None = None,
    set_key: str | None = None,
    instance_id: str | None = None,
    open_only: bool = False,
) -> list[FlagSet]:
    """Flags as sets (duplicates) and single flags (a person's), newest first."""
    query = select(
        _flag.c.id,
        _flag.c.kind,
        _flag.c.set_key,
        _flag.c.status,
        _flag.c.note,
        _flag.c.created_at,
        _flag.c.decided_at,
        _flag.c.decided_by,
        _response.c.id.label("response_id"),
        _response.c.instance_id,
        _response.c.respondent_code,
        _response.c.submitted_at,
        _response.c.wave,
        _response.c.form_id,
    ).join(_response, _response.c.id == _flag.c.response_id)
    conditions = []
    if organisation_ids is not None:
        conditions.append(_flag.c.organisation_id.in_(list(organisation_ids)))
    if project_id is not None:
        conditions.append(_flag.c.project_id == project_id)
    if set_key is not None:
        conditions.append(_flag.c.set_key == set_key)
    if instance_id is not None:
        conditions.append(_response.c.instance_id == instance_id)
    if conditions:
        query = query.where(and_(*conditions))
    sets: dict[str, FlagSet] = {}
    for row in session.connection().execute(query.order_by(_flag.c.id)):
        key = row.set_key or f"flag-{row.id}"
        found = sets.get(key)
        if found is None:
            found = FlagSet(
                set_key=row.set_key,
                kind=row.kind,
                status="decided",
                form_id=row.form_id,
                wave=row.wave,
                note=row.note,
            )
            sets[key] = found
        found.responses.append(
            FlaggedResponse(
                instance_id=row.instance_id,
                respondent_code=row.respondent_code,
                submitted_at=row.submitted_at,
                wave=row.wave,
                status=row.status,
                flag_id=row.id,
                response_id=row.response_id,
                decided_at=row.decided_at,
                decided_by=row.decided_by,
            )
        )
    for found in sets.values():
        statuses = {r.status for r in found.responses}
        if found.set_key is None:
            found.status = found.responses[0].status
        elif "open" in statuses:
            found.status = "open"
        found.responses.sort(key=lambda r: r.submitted_at)
    result = list(sets.values())
    if open_only:
        result = [s for s in result if s.status == "open"]
    return result[::-1]


def open_set_count(session: Session, project_id: int) -> int:
    """How many duplicate sets of a project wait for the organisation's choice."""
    query = select(func.count(distinct(_flag.c.set_key))).where(
        _flag.c.project_id == project_id,
        _flag.c.status == "open",
        _flag.c.kind.in_(AUTOMATIC),
    )
    return int(session.connection().execute(query).scalar_one())


def set_responses(
    session: Session, organisation_id: int, response_ids: Sequence[int]
) -> dict[int, SurveyResponse]:
    """The stored responses of a duplicate set's members (answers, source), by response id."""
    if not response_ids:
        return {}
    rows = session.exec(
        model_select(SurveyResponse).where(
            SurveyResponse.id.in_(list(response_ids)),  # type: ignore[union-attr]
            SurveyResponse.organisation_id == organisation_id,
        )
    ).all()
    return {row.id: row for row in rows if row.id is not None}


def left_out(session: Session, response_ids: Sequence[int]) -> dict[int, str]:
    """Response id → why KPIs leave it out: ``test_answer``, ``suspected_duplicate``,
    ``duplicate`` (not chosen in its set), ``possible_double_entry`` (an earlier answer of an open
    set of identical answers: the latest counts until the organisation chooses).

    Open sets of one respondent code are not listed: the KPI computation keeps the latest answer
    of a code in a wave by itself, and says how many it left out.
    """
    if not response_ids:
        return {}
    found: dict[int, str] = {}
    open_entries: dict[str, list[tuple[datetime, int]]] = {}
    wanted = list(response_ids)
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        query = (
            select(
                _flag.c.response_id, _flag.c.kind, _flag.c.status, _flag.c.set_key, _response.c.submitted_at
            )
            .join(_response, _response.c.id == _flag.c.response_id)
            .where(
                _flag.c.response_id.in_(chunk),
                or_(
                    _flag.c.status == "excluded",
                    and_(_flag.c.status == "open", _flag.c.kind == "double_entry"),
                ),
            )
        )
        for row in session.connection().execute(query):
            if row.status == "excluded":
                reason = row.kind if row.kind in MANUAL else "duplicate"
                if row.kind == "double_entry":
                    reason = "double_entry"
                found[row.response_id] = reason
            else:
                open_entries.setdefault(row.set_key, []).append((_moment(row.submitted_at), row.response_id))
    for members in open_entries.values():
        members.sort()
        for _, response_id in members[:-1]:
            found.setdefault(response_id, "possible_double_entry")
    return found


def response_by_instance(
    session: Session, organisation_ids: Sequence[int] | None, instance_id: str
) -> SurveyResponse:
    """The stored (not erased) response with this instance id, if the caller may see it."""
    return _response_row(session, organisation_ids, instance_id)


def mark_erased(connection: Connection, response_ids: Sequence[int]) -> None:
    """Flags of erased responses no longer wait for a choice."""
    if response_ids:
        connection.execute(
            update(_flag)
            .where(_flag.c.response_id.in_(list(response_ids)), _flag.c.status == "open")
            .values(status="withdrawn", decided_at=utcnow())
        )


__all__ = [
    "AUTOMATIC",
    "KINDS",
    "MANUAL",
    "FlagSet",
    "FlaggedResponse",
    "answers_digest",
    "choose",
    "flag_arrivals",
    "flag_response",
    "flag_sets",
    "left_out",
    "open_set_count",
    "response_by_instance",
    "set_responses",
    "withdraw_flag",
]
