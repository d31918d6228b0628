"""The administrator's funders: each funder with its staff and grants; new funders, staff and grants."""

from __future__ import annotations

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
    field_errors,
    form_decimal,
    form_text,
    language_of,
    redirect,
    render,
    validated,
)
from impactkit.domain import FunderKind
from impactkit.errors import ConflictError, ImpactkitError, Problem
from impactkit.store import admin as store
from impactkit.store.principals import authorisation_changed
from impactkit.store.schemas import FunderIn, GrantIn
from impactkit.store.tables import Funder, FunderMembership, Grant, Organisation, Project, User


def _funders(db: DB) -> list[dict[str, Any]]:
    funders = db.exec(select(Funder).order_by(col(Funder.name))).all()
    staff: dict[int, list[User]] = {}
    for seat, user in db.exec(
        select(FunderMembership, User).where(FunderMembership.user_id == User.id)
    ).all():
        staff.setdefault(seat.funder_id, []).append(user)
    grants: dict[int, list[Grant]] = {}
    for grant in db.exec(select(Grant).order_by(col(Grant.id))).all():
        grants.setdefault(grant.funder_id, []).append(grant)
    return [
        {"funder": f, "staff": staff.get(f.id or 0, []), "grants": grants.get(f.id or 0, [])} for f in funders
    ]


def _page(request: PageRequest, db: DB, me: Any, status: int = 200, **extra: Any) -> Template:
    return render(
        request,
        "admin/funding.html",
        me,
        status,
        funders=_funders(db),
        kinds=[k.value for k in FunderKind],
        organisations={o.id: o for o in db.exec(select(Organisation).order_by(Organisation.name)).all()},
        projects={p.id: p for p in db.exec(select(Project).order_by(Project.name)).all()},
        errors=extra.pop("errors", {}),
        values=extra.pop("values", {}),
        form=extra.pop("form", None),
        section="funding",
        **extra,
    )


def _failed(
    request: PageRequest, db: DB, me: Any, form: str, data: dict[str, Any], exc: ImpactkitError
) -> Template:
    db.rollback()
    values = {k: str(v) for k, v in data.items() if k != "_csrf_token"}
    return _page(
        request, db, me, 422, errors=field_errors(exc, language_of(request)), values=values, form=form
    )


@get("/app/admin/funders", sync_to_thread=True)
def funders_page(request: PageRequest, db: DB, me: Me) -> Template:
    require_admin(me)
    return _page(request, db, me)


@post("/app/admin/funders", sync_to_thread=True, status_code=303)
def create_funder(
    request: PageRequest, db: DB, me: Me, data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    require_admin(me)
    try:
        funder = store.create_funder(
            db, validated(FunderIn, {k: str(data.get(k) or "").strip() for k in ("name", "kind")})
        )
    except ConflictError:
        exc = ImpactkitError("invalid_form", [Problem("exists", "name", "name_taken")])
        return _failed(request, db, me, "funder", data, exc)
    except ImpactkitError as exc:
        return _failed(request, db, me, "funder", data, exc)
    store.audit(db, "funder.created", actor_user_id=me.user_id, target=f"funder:{funder.id}")
    return redirect("/app/admin/funders", done="funder_created")


@post("/app/admin/funders/{funder_id:int}/staff", sync_to_thread=True, status_code=303)
def add_staff(
    request: PageRequest, db: DB, me: Me, funder_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    require_admin(me)
    try:
        email = form_text(data, "staff_email", max_length=254, required=True)
        user = store.find_user_by_email(db, email)
        if user is None or user.id is None:
            raise ImpactkitError("invalid_form", [Problem("no user", "staff_email", "unknown_user")])
        store.add_funder_member(db, funder_id, user.id)
        authorisation_changed(db)
    except ConflictError:
        exc = ImpactkitError("invalid_form", [Problem("already", "staff_email", "already_member")])
        return _failed(request, db, me, f"staff-{funder_id}", data, exc)
    except ImpactkitError as exc:
        return _failed(request, db, me, f"staff-{funder_id}", data, exc)
    store.audit(db, "funder.staff_added", actor_user_id=me.user_id, target=f"funder:{funder_id}")
    return redirect("/app/admin/funders", done="staff_added")


@post("/app/admin/funders/{funder_id:int}/grants", sync_to_thread=True, status_code=303)
def create_grant(
    request: PageRequest, db: DB, me: Me, funder_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    require_admin(me)
    names = ("organisation_id", "project_id", "title", "amount", "currency", "starts_on", "ends_on")
    values: dict[str, Any] = {k: str(data.get(k) or "").strip() for k in names}
    values["outcome_based"] = str(data.get("outcome_based") or "") == "yes"
    try:
        amount = form_decimal(data, "amount", language_of(request))
    except ImpactkitError as exc:
        return _failed(request, db, me, f"grant-{funder_id}", data, exc)
    values["amount"] = amount if amount is not None else ""
    try:
        grant = store.create_grant(db, funder_id, validated(GrantIn, values))
    except ImpactkitError as exc:
        return _failed(request, db, me, f"grant-{funder_id}", data, exc)
    store.audit(
        db,
        "grant.created",
        actor_user_id=me.user_id,
        organisation_id=grant.organisation_id,
        target=f"grant:{grant.id}",
    )
    return redirect("/app/admin/funders", done="grant_created")


ROUTES = [funders_page, create_funder, add_staff, create_grant]
