"""The administrator's people: users with every role they hold, new users, memberships, the
administrator role, and evaluators' accreditations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlmodel import col, select

from impactkit.api.access import require_admin
from impactkit.api.deps import DB
from impactkit.api.pages.rendering import (
    Me,
    PageRequest,
    confirm,
    field_errors,
    form_text,
    language_of,
    redirect,
    render,
    validated,
)
from impactkit.domain import MemberRole
from impactkit.errors import ConflictError, ImpactkitError, NotFoundError, Problem
from impactkit.store import admin as store
from impactkit.store.principals import authorisation_changed
from impactkit.store.schemas import AccreditationIn, MembershipIn, UserIn
from impactkit.store.tables import (
    EvaluatorAccreditation,
    Funder,
    FunderMembership,
    Membership,
    Organisation,
    User,
)


def _users(db: DB) -> list[dict[str, Any]]:
    users = db.exec(select(User).order_by(col(User.name))).all()
    organisations = {o.id: o.name for o in db.exec(select(Organisation)).all()}
    funders = {f.id: f.name for f in db.exec(select(Funder)).all()}
    memberships: dict[int, list[tuple[str, str]]] = {}
    for m in db.exec(select(Membership)).all():
        memberships.setdefault(m.user_id, []).append((organisations.get(m.organisation_id, "?"), m.role))
    seats: dict[int, list[str]] = {}
    for seat in db.exec(select(FunderMembership)).all():
        seats.setdefault(seat.user_id, []).append(funders.get(seat.funder_id, "?"))
    today = datetime.now(UTC).date()
    accredited = {
        a.user_id
        for a in db.exec(select(EvaluatorAccreditation)).all()
        if a.valid_from <= today <= a.valid_until
    }
    return [
        {
            "user": u,
            "memberships": sorted(memberships.get(u.id or 0, [])),
            "funders": sorted(seats.get(u.id or 0, [])),
            "evaluator": u.id in accredited,
        }
        for u in users
    ]


def _accreditations(db: DB) -> list[dict[str, Any]]:
    today = datetime.now(UTC).date()
    rows = db.exec(
        select(EvaluatorAccreditation, User)
        .where(EvaluatorAccreditation.user_id == User.id)
        .order_by(col(EvaluatorAccreditation.valid_until).desc())
    ).all()
    return [{"accreditation": a, "user": u, "valid": a.valid_from <= today <= a.valid_until} for a, u in rows]


def _page(request: PageRequest, db: DB, me: Any, status: int = 200, **extra: Any) -> Template:
    return render(
        request,
        "admin/people.html",
        me,
        status,
        users=_users(db),
        accreditations=_accreditations(db),
        organisations=db.exec(select(Organisation).order_by(Organisation.name)).all(),
        roles=[r.value for r in MemberRole],
        errors=extra.pop("errors", {}),
        values=extra.pop("values", {}),
        form=extra.pop("form", None),
        section="people",
        **extra,
    )


def _failed(
    request: PageRequest, db: DB, me: Any, form: str, data: dict[str, Any], exc: ImpactkitError
) -> Template:
    db.rollback()
    values = {k: str(v) for k, v in data.items() if k not in ("_csrf_token", "password")}
    return _page(
        request, db, me, 422, errors=field_errors(exc, language_of(request)), values=values, form=form
    )


def _user_by_email(db: DB, data: dict[str, Any], name: str = "email") -> User:
    email = form_text(data, name, max_length=254, required=True)
    user = store.find_user_by_email(db, email)
    if user is None or user.id is None:
        raise ImpactkitError("invalid_form", [Problem("no user with this e-mail", name, "unknown_user")])
    return user


@get("/app/admin/people", sync_to_thread=True)
def people_page(request: PageRequest, db: DB, me: Me) -> Template:
    require_admin(me)
    return _page(request, db, me)


@post("/app/admin/users", sync_to_thread=True, status_code=303)
def create_user(
    request: PageRequest, db: DB, me: Me, data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    require_admin(me)
    try:
        values = {k: str(data.get(k) or "").strip() for k in ("email", "name", "password")}
        user = store.create_user(db, validated(UserIn, values))
    except ConflictError:
        exc = ImpactkitError("invalid_form", [Problem("taken", "email", "email_taken")])
        return _failed(request, db, me, "user", data, exc)
    except ImpactkitError as exc:
        return _failed(request, db, me, "user", data, exc)
    store.audit(db, "user.created", actor_user_id=me.user_id, target=f"user:{user.id}")
    return redirect("/app/admin/people", done="user_created", anchor="users")


@post("/app/admin/memberships", sync_to_thread=True, status_code=303)
def add_membership(
    request: PageRequest, db: DB, me: Me, data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    require_admin(me)
    try:
        user = _user_by_email(db, data, "member_email")
        organisation_id = int(str(data.get("organisation_id") or "0"))
        role = str(data.get("role") or "")
        store.add_member(db, organisation_id, validated(MembershipIn, {"user_id": user.id, "role": role}))
    except (ImpactkitError, ValueError) as exc:
        error = exc if isinstance(exc, ImpactkitError) else ImpactkitError("invalid_form")
        return _failed(request, db, me, "membership", data, error)
    store.audit(
        db,
        "member.added",
        actor_user_id=me.user_id,
        organisation_id=organisation_id,
        target=f"user:{user.id}",
    )
    return redirect("/app/admin/people", done="member_added", anchor="users")


@post("/app/admin/users/{user_id:int}/admin", sync_to_thread=True, status_code=303)
def set_admin(
    request: PageRequest, db: DB, me: Me, user_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    """Give or take the administrator role (never one's own: an instance keeps an administrator)."""
    require_admin(me)
    user = db.get(User, user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} not found")
    if user_id == me.user_id:
        raise ConflictError("own_admin_role")
    grant = str(data.get("admin") or "") == "yes"
    if not grant:
        asking = confirm(
            request, me, data, question="revoke_admin_question", back="/app/admin/people", name=user.name
        )
        if asking is not None:
            return asking
    user.is_admin = grant
    db.add(user)
    authorisation_changed(db)
    store.audit(
        db,
        "user.admin_granted" if grant else "user.admin_revoked",
        actor_user_id=me.user_id,
        target=f"user:{user_id}",
    )
    return redirect("/app/admin/people", done="roles_saved", anchor="users")


@post("/app/admin/accreditations", sync_to_thread=True, status_code=303)
def create_accreditation(
    request: PageRequest, db: DB, me: Me, data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    require_admin(me)
    try:
        user = _user_by_email(db, data, "evaluator_email")
        values = {k: str(data.get(k) or "").strip() for k in ("number", "body", "valid_from", "valid_until")}
        accreditation = store.create_accreditation(
            db, validated(AccreditationIn, {**values, "user_id": user.id})
        )
        authorisation_changed(db)
    except ConflictError:
        exc = ImpactkitError("invalid_form", [Problem("exists", "number", "accreditation_taken")])
        return _failed(request, db, me, "accreditation", data, exc)
    except ImpactkitError as exc:
        return _failed(request, db, me, "accreditation", data, exc)
    store.audit(
        db, "accreditation.created", actor_user_id=me.user_id, target=f"accreditation:{accreditation.id}"
    )
    return redirect("/app/admin/people", done="accreditation_created", anchor="accreditations")


@post("/app/admin/accreditations/{accreditation_id:int}/end", sync_to_thread=True, status_code=303)
def end_accreditation(
    request: PageRequest,
    db: DB,
    me: Me,
    accreditation_id: FromPath[int],
    data: URLEncodedBody[dict[str, Any]],
) -> Redirect | Template:
    """End an accreditation (valid until yesterday): reports already validated keep their stamp;
    no new report can go to the evaluator under it."""
    require_admin(me)
    accreditation = db.get(EvaluatorAccreditation, accreditation_id)
    if accreditation is None:
        raise NotFoundError(f"accreditation {accreditation_id} not found")
    asking = confirm(
        request,
        me,
        data,
        question="end_accreditation_question",
        back="/app/admin/people",
        number=accreditation.number,
    )
    if asking is not None:
        return asking
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    accreditation.valid_until = min(accreditation.valid_until, yesterday)
    accreditation.valid_from = min(accreditation.valid_from, accreditation.valid_until)
    db.add(accreditation)
    authorisation_changed(db)
    store.audit(
        db, "accreditation.ended", actor_user_id=me.user_id, target=f"accreditation:{accreditation_id}"
    )
    return redirect("/app/admin/people", done="accreditation_ended", anchor="accreditations")


ROUTES = [people_page, create_user, add_membership, set_admin, create_accreditation, end_accreditation]
