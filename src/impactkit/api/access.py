"""Who is calling, and what they may see: roles checked on every route, organisations isolated."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlmodel import Session, select

from impactkit.domain import MemberRole
from impactkit.errors import NotFoundError, PermissionDeniedError
from impactkit.store.tables import (
    ApiToken,
    EvaluatorAccreditation,
    FunderMembership,
    Grant,
    Membership,
    User,
)

_RANK = {MemberRole.viewer: 1, MemberRole.editor: 2, MemberRole.owner: 3}


@dataclass(frozen=True)
class Principal:
    """The authenticated caller and every role they hold."""

    user_id: int
    email: str
    name: str
    is_admin: bool = False
    roles: dict[int, MemberRole] = field(default_factory=dict)
    """Organisation id → role of membership."""
    funder_ids: frozenset[int] = frozenset()
    accreditation_ids: frozenset[int] = frozenset()
    """Accreditations valid today."""

    @property
    def is_evaluator(self) -> bool:
        return bool(self.accreditation_ids)

    def role_in(self, organisation_id: int) -> MemberRole | None:
        return self.roles.get(organisation_id)


def load_principal(session: Session, user: User, today: date | None = None) -> Principal:
    """Gather a user's memberships, funder seats and valid accreditations."""
    assert user.id is not None
    day = today or datetime.now(UTC).date()
    memberships = session.exec(select(Membership).where(Membership.user_id == user.id)).all()
    funders = session.exec(
        select(FunderMembership.funder_id).where(FunderMembership.user_id == user.id)
    ).all()
    accreditations = session.exec(
        select(EvaluatorAccreditation.id).where(
            EvaluatorAccreditation.user_id == user.id,
            EvaluatorAccreditation.valid_from <= day,
            EvaluatorAccreditation.valid_until >= day,
        )
    ).all()
    return Principal(
        user_id=user.id,
        email=user.email,
        name=user.name,
        is_admin=user.is_admin,
        roles={m.organisation_id: MemberRole(m.role) for m in memberships},
        funder_ids=frozenset(funders),
        accreditation_ids=frozenset(a for a in accreditations if a is not None),
    )


def principal_from_token_hash(session: Session, token_hash: str) -> Principal | None:
    """The principal behind a token hash, or None for an unknown, revoked or expired token."""
    row = session.exec(
        select(ApiToken, User).where(ApiToken.token_hash == token_hash, ApiToken.user_id == User.id)
    ).first()
    if row is None:
        return None
    token, user = row
    now = datetime.now(UTC)
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    return load_principal(session, user)


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDeniedError("this action is for administrators")


def require_member(
    principal: Principal, organisation_id: int, at_least: MemberRole = MemberRole.viewer
) -> None:
    """Members with ``at_least`` this role (and administrators) pass.

    A caller with no tie to the organisation gets 404, so its existence is not revealed;
    a member whose role is too low gets 403.
    """
    if principal.is_admin:
        return
    role = principal.role_in(organisation_id)
    if role is None:
        raise NotFoundError(f"organisation {organisation_id} not found")
    if _RANK[role] < _RANK[at_least]:
        raise PermissionDeniedError(
            f"this action needs the {at_least.value} role or higher; you are {role.value}"
        )


def funded_organisations(session: Session, principal: Principal) -> set[int]:
    """Organisations that hold a grant from one of the caller's funders."""
    if not principal.funder_ids:
        return set()
    rows = session.exec(
        select(Grant.organisation_id).where(Grant.funder_id.in_(principal.funder_ids))
    )  # type: ignore[attr-defined]
    return set(rows.all())


def can_read_organisation(session: Session, principal: Principal, organisation_id: int) -> bool:
    if principal.is_admin or organisation_id in principal.roles:
        return True
    return organisation_id in funded_organisations(session, principal)


def require_reader(session: Session, principal: Principal, organisation_id: int) -> None:
    if not can_read_organisation(session, principal, organisation_id):
        raise NotFoundError(f"organisation {organisation_id} not found")


def require_funder(principal: Principal, funder_id: int) -> None:
    if principal.is_admin or funder_id in principal.funder_ids:
        return
    raise NotFoundError(f"funder {funder_id} not found")
