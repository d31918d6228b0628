"""Who is calling: a user with every role they hold (memberships, funder seats, accreditations)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlmodel import Session, select

from impactkit.domain import MemberRole
from impactkit.store.tables import (
    ApiToken,
    EvaluatorAccreditation,
    FunderMembership,
    Membership,
    User,
)

ROLE_RANK = {MemberRole.viewer: 1, MemberRole.editor: 2, MemberRole.owner: 3}


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
