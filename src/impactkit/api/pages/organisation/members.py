"""The organisation's people: members and their roles, invitations by link, removal (owners)."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from impactkit.api.deps import DB
from impactkit.api.pages.organisation._lookup import is_owner, organisation_for
from impactkit.api.pages.rendering import (
    Me,
    PageRequest,
    confirm,
    field_errors,
    form_text,
    language_of,
    redirect,
    render,
)
from impactkit.domain import MemberRole
from impactkit.errors import ImpactkitError, Problem
from impactkit.settings import Settings
from impactkit.store import invitations as store
from impactkit.store.tables import Organisation, User


def _role(data: dict[str, Any], name: str = "role") -> MemberRole:
    try:
        return MemberRole(form_text(data, name, max_length=10, required=True))
    except ValueError:
        raise ImpactkitError("invalid_form", [Problem("unknown role", name, "choice")]) from None


def _context(db: DB, me: Any, organisation: Organisation, **extra: Any) -> dict[str, Any]:
    assert organisation.id is not None
    return {
        "organisation": organisation,
        "members": store.members(db, organisation.id),
        "invitations": [
            (i, store.invitation_status(i)) for i in store.pending_invitations(db, organisation.id)
        ],
        "roles": [role.value for role in MemberRole],
        "can_change": is_owner(me, organisation.id),
        "tab": "members",
        "errors": {},
        "values": {},
        "new_link": None,
        **extra,
    }


@get("/app/organisations/{organisation_id:int}/members", sync_to_thread=True)
def members_page(request: PageRequest, db: DB, me: Me, organisation_id: FromPath[int]) -> Template:
    organisation = organisation_for(db, me, organisation_id, MemberRole.viewer)
    return render(request, "organisation/members.html", me, **_context(db, me, organisation))


@post("/app/organisations/{organisation_id:int}/invitations", sync_to_thread=True, status_code=200)
def invite(
    request: PageRequest, db: DB, me: Me, organisation_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Template:
    """The invitation's link is shown on the page that answers (and written to the server log)."""
    organisation = organisation_for(db, me, organisation_id, MemberRole.owner)
    settings: Settings = request.app.state.settings
    values = {k: str(data.get(k) or "").strip() for k in ("email", "name", "role")}
    try:
        invitation, url = store.invite(
            db,
            organisation_id=organisation_id,
            email=form_text(data, "email", max_length=254, required=True),
            name=form_text(data, "name", max_length=200),
            role=_role(data),
            invited_by=me.user_id,
            public_base_url=settings.public_base_url,
        )
    except ImpactkitError as exc:
        return render(
            request,
            "organisation/members.html",
            me,
            422,
            **_context(db, me, organisation, errors=field_errors(exc, language_of(request)), values=values),
        )
    return render(
        request,
        "organisation/members.html",
        me,
        **_context(db, me, organisation, new_link={"url": url, "invitation": invitation}),
        flash_now="invitation_created",
    )


@post(
    "/app/organisations/{organisation_id:int}/invitations/{invitation_id:int}/withdraw",
    sync_to_thread=True,
    status_code=303,
)
def withdraw(
    request: PageRequest,
    db: DB,
    me: Me,
    organisation_id: FromPath[int],
    invitation_id: FromPath[int],
    data: URLEncodedBody[dict[str, Any]],
) -> Redirect | Template:
    organisation_for(db, me, organisation_id, MemberRole.owner)
    back = f"/app/organisations/{organisation_id}/members"
    asking = confirm(request, me, data, question="withdraw_invitation_question", back=back)
    if asking is not None:
        return asking
    store.withdraw_invitation(db, organisation_id, invitation_id, me.user_id)
    return redirect(back, done="invitation_withdrawn")


@post(
    "/app/organisations/{organisation_id:int}/members/{user_id:int}/remove",
    sync_to_thread=True,
    status_code=303,
)
def remove(
    request: PageRequest,
    db: DB,
    me: Me,
    organisation_id: FromPath[int],
    user_id: FromPath[int],
    data: URLEncodedBody[dict[str, Any]],
) -> Redirect | Template:
    organisation = organisation_for(db, me, organisation_id, MemberRole.owner)
    member = db.get(User, user_id)
    back = f"/app/organisations/{organisation_id}/members"
    asking = confirm(
        request,
        me,
        data,
        question="remove_member_question",
        back=back,
        name=member.name if member else "—",
        organisation=organisation.name,
    )
    if asking is not None:
        return asking
    store.remove_member(db, organisation_id, user_id, me.user_id)
    return redirect(back, done="member_removed")


@post(
    "/app/organisations/{organisation_id:int}/members/{user_id:int}/role",
    sync_to_thread=True,
    status_code=303,
)
def change_role(
    request: PageRequest,
    db: DB,
    me: Me,
    organisation_id: FromPath[int],
    user_id: FromPath[int],
    data: URLEncodedBody[dict[str, Any]],
) -> Redirect:
    organisation_for(db, me, organisation_id, MemberRole.owner)
    store.change_role(db, organisation_id, user_id, _role(data), me.user_id)
    return redirect(f"/app/organisations/{organisation_id}/members", done="role_changed")


ROUTES = [members_page, invite, withdraw, remove, change_role]
