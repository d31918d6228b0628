"""Accepting an invitation: the link sets a password for a new account, or is accepted by signing in."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from impactkit.api.deps import DB
from impactkit.api.pages._session import session_cookie, signed_in_user
from impactkit.api.pages.rendering import PageRequest, field_errors, language_of, render
from impactkit.errors import ImpactkitError, PermissionDeniedError, Problem
from impactkit.settings import Settings
from impactkit.store import invitations as store
from impactkit.store.admin import find_user_by_email
from impactkit.store.tables import Invitation, Organisation


def _page(
    request: PageRequest, db: DB, token: str, invitation: Invitation | None, status: int = 200, **extra: Any
) -> Template:
    state = store.invitation_status(invitation).value if invitation is not None else "unknown"
    organisation = db.get(Organisation, invitation.organisation_id) if invitation is not None else None
    has_account = invitation is not None and find_user_by_email(db, invitation.email) is not None
    signed_in = signed_in_user(request, db)
    return render(
        request,
        "public/invitation.html",
        None,
        status if state == "open" else 410 if invitation is not None else 404,
        token=token,
        invitation=invitation,
        state=state,
        organisation=organisation,
        has_account=has_account,
        signed_in=signed_in,
        errors=extra.pop("errors", {}),
        values=extra.pop("values", {}),
        min_password=store.MIN_PASSWORD,
        **extra,
    )


@get("/invitations/{token:str}", sync_to_thread=True)
def invitation_page(request: PageRequest, db: DB, token: FromPath[str]) -> Template:
    return _page(request, db, token, store.find_invitation(db, token))


@post("/invitations/{token:str}", sync_to_thread=True, status_code=303)
def accept(
    request: PageRequest, db: DB, token: FromPath[str], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    invitation = store.find_invitation(db, token)
    if invitation is None or store.invitation_status(invitation) is not store.InvitationStatus.open:
        return _page(request, db, token, invitation)
    name = str(data.get("name") or "").strip()
    password = str(data.get("password") or "")
    try:
        if password != str(data.get("password_again") or ""):
            raise ImpactkitError(
                "invalid_form", [Problem("different", "password_again", "password_mismatch")]
            )
        user = store.accept_invitation(
            db, invitation, name=name, password=password, signed_in=signed_in_user(request, db)
        )
    except PermissionDeniedError:
        return Redirect(f"/signin?next=/invitations/{token}", status_code=303)
    except ImpactkitError as exc:
        return _page(
            request,
            db,
            token,
            invitation,
            422,
            errors=field_errors(exc, language_of(request)),
            values={"name": name},
        )
    settings: Settings = request.app.state.settings
    return Redirect(
        f"/app/organisations/{invitation.organisation_id}?done=invitation_accepted",
        status_code=303,
        cookies=[session_cookie(settings, user)],
    )


ROUTES = [invitation_page, accept]
