"""Inviting colleagues into an organisation, and removing them: single-use links that set a password.

No mail server is needed: the inviter is shown the link to pass on, and the link is written to
the server log (logger ``impactkit.invitations``) for an administrator. The link's token is 256
random bits; only its SHA-256 is stored. A link works once, until it lapses (seven days) or is
withdrawn. Someone who already has an account signs in with their own password to accept: a link
never changes an existing account's password.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col, select

from impactkit.domain import MemberRole
from impactkit.errors import ConflictError, ImpactkitError, NotFoundError, PermissionDeniedError, Problem
from impactkit.store.admin import audit, find_user_by_email
from impactkit.store.principals import authorisation_changed
from impactkit.store.security import hash_password
from impactkit.store.tables import Invitation, Membership, User
from impactkit.store.types import utcnow

__all__ = [
    "INVITATION_DAYS",
    "InvitationStatus",
    "accept_invitation",
    "change_role",
    "find_invitation",
    "invitation_status",
    "invite",
    "members",
    "pending_invitations",
    "remove_member",
    "withdraw_invitation",
]

log = logging.getLogger("impactkit.invitations")

INVITATION_DAYS = 7
MIN_PASSWORD = 10


class InvitationStatus(StrEnum):
    open = "open"
    used = "used"
    expired = "expired"
    withdrawn = "withdrawn"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_status(invitation: Invitation, now: datetime | None = None) -> InvitationStatus:
    if invitation.used_at is not None:
        return InvitationStatus.used
    if invitation.revoked_at is not None:
        return InvitationStatus.withdrawn
    if invitation.expires_at <= (now or utcnow()):
        return InvitationStatus.expired
    return InvitationStatus.open


def _member(session: Session, organisation_id: int, user_id: int) -> Membership | None:
    return session.exec(
        select(Membership).where(Membership.organisation_id == organisation_id, Membership.user_id == user_id)
    ).first()


def invite(
    session: Session,
    *,
    organisation_id: int,
    email: str,
    role: MemberRole,
    invited_by: int | None,
    name: str = "",
    public_base_url: str,
) -> tuple[Invitation, str]:
    """A new invitation and its link (shown once to the inviter, and logged)."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise ImpactkitError("invalid e-mail", [Problem("write an e-mail address", "email", "email")])
    existing = find_user_by_email(session, email)
    if existing is not None and existing.id is not None and _member(session, organisation_id, existing.id):
        raise ConflictError("already_member", [Problem("already a member", "email", "already_member")])
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation_id=organisation_id,
        email=email,
        name=name.strip()[:200],
        role=role.value,
        token_hash=_hash(token),
        invited_by=invited_by,
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    session.flush()
    url = f"{public_base_url.rstrip('/')}/invitations/{token}"
    audit(
        session,
        "invitation.created",
        actor_user_id=invited_by,
        organisation_id=organisation_id,
        target=f"invitation:{invitation.id}",
        details={"role": role.value},
    )
    # The link is shown to the inviter only: a log line never carries a token or an address.
    log.info("invitation %s to organisation %s as %s", invitation.id, organisation_id, role.value)
    return invitation, url


def find_invitation(session: Session, token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return session.exec(select(Invitation).where(Invitation.token_hash == _hash(token))).first()


def pending_invitations(session: Session, organisation_id: int) -> list[Invitation]:
    """Invitations not used nor withdrawn, newest first (expired ones included, marked by their status)."""
    rows = session.exec(
        select(Invitation)
        .where(
            Invitation.organisation_id == organisation_id,
            col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None),
        )
        .order_by(col(Invitation.id).desc())
    ).all()
    return list(rows)


def withdraw_invitation(
    session: Session, organisation_id: int, invitation_id: int, actor_user_id: int
) -> None:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != organisation_id:
        raise NotFoundError(f"invitation {invitation_id} not found")
    if invitation.used_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        session.add(invitation)
        audit(
            session,
            "invitation.withdrawn",
            actor_user_id=actor_user_id,
            organisation_id=organisation_id,
            target=f"invitation:{invitation_id}",
        )


def _claim(session: Session, invitation: Invitation) -> None:
    """Mark the invitation used, atomically: of two acceptances at once, one wins."""
    now = utcnow()
    claimed = session.execute(
        update(Invitation)
        .where(
            col(Invitation.id) == invitation.id,
            col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            col(Invitation.expires_at) > now,
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError("invitation_unavailable")


def accept_invitation(
    session: Session,
    invitation: Invitation,
    *,
    name: str = "",
    password: str = "",
    signed_in: User | None = None,
) -> User:
    """Join the organisation: a new account with ``name`` and ``password``, or the account of
    ``signed_in`` (who must hold the invited e-mail). The invitation cannot be used again."""
    existing = find_user_by_email(session, invitation.email)
    if existing is not None:
        if signed_in is None or signed_in.id != existing.id:
            raise PermissionDeniedError("sign_in_to_accept")
        user = existing
    else:
        problems = []
        if not name.strip():
            problems.append(Problem("write your name", "name", "required"))
        if len(password) < MIN_PASSWORD:
            problems.append(Problem("too short", "password", "password_short", {"min": MIN_PASSWORD}))
        if problems:
            raise ImpactkitError("invalid account", problems)
    # The claim comes before the account: of two acceptances at once, the second waits on the
    # invitation's row and finds it used, instead of inserting the same e-mail (a 500).
    _claim(session, invitation)
    if existing is None:
        user = User(email=invitation.email, name=name.strip()[:200], password_hash=hash_password(password))
        session.add(user)
        session.flush()
    assert user.id is not None
    membership = _member(session, invitation.organisation_id, user.id)
    if membership is None:
        session.add(
            Membership(user_id=user.id, organisation_id=invitation.organisation_id, role=invitation.role)
        )
    invitation.used_by = user.id
    session.add(invitation)
    authorisation_changed(session)
    audit(
        session,
        "invitation.accepted",
        actor_user_id=user.id,
        organisation_id=invitation.organisation_id,
        target=f"invitation:{invitation.id}",
        details={"role": invitation.role},
    )
    session.flush()
    return user


def members(session: Session, organisation_id: int) -> list[tuple[User, MemberRole]]:
    """The organisation's members with their roles, owners first, then by name."""
    rows = session.exec(
        select(User, Membership).where(
            Membership.user_id == User.id, Membership.organisation_id == organisation_id
        )
    ).all()
    order = {MemberRole.owner: 0, MemberRole.editor: 1, MemberRole.viewer: 2}
    found = [(user, MemberRole(membership.role)) for user, membership in rows]
    return sorted(found, key=lambda item: (order[item[1]], item[0].name.lower()))


def _owners(session: Session, organisation_id: int) -> int:
    return len(
        session.exec(
            select(Membership.id).where(
                Membership.organisation_id == organisation_id, Membership.role == MemberRole.owner.value
            )
        ).all()
    )


def remove_member(session: Session, organisation_id: int, user_id: int, actor_user_id: int) -> User:
    """Take a member out of the organisation (never its last owner); their account stays."""
    membership = _member(session, organisation_id, user_id)
    user = session.get(User, user_id)
    if membership is None or user is None:
        raise NotFoundError(f"member {user_id} not found")
    if membership.role == MemberRole.owner.value and _owners(session, organisation_id) <= 1:
        raise ConflictError(
            "last_owner", [Problem("the organisation needs an owner", "user_id", "last_owner")]
        )
    session.delete(membership)
    authorisation_changed(session)
    audit(
        session,
        "member.removed",
        actor_user_id=actor_user_id,
        organisation_id=organisation_id,
        target=f"user:{user_id}",
        details={"role": membership.role},
    )
    session.flush()
    return user


def change_role(
    session: Session, organisation_id: int, user_id: int, role: MemberRole, actor_user_id: int
) -> None:
    """Give a member another role (the last owner stays an owner)."""
    membership = _member(session, organisation_id, user_id)
    if membership is None:
        raise NotFoundError(f"member {user_id} not found")
    if membership.role == role.value:
        return
    if membership.role == MemberRole.owner.value and _owners(session, organisation_id) <= 1:
        raise ConflictError("last_owner", [Problem("the organisation needs an owner", "role", "last_owner")])
    before = membership.role
    membership.role = role.value
    session.add(membership)
    authorisation_changed(session)
    audit(
        session,
        "member.role_changed",
        actor_user_id=actor_user_id,
        organisation_id=organisation_id,
        target=f"user:{user_id}",
        details={"from": before, "to": role.value},
    )
