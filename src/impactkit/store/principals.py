"""Who is calling: a user with every role they hold (memberships, funder seats, accreditations)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from threading import Lock

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


AUTH_CACHE_SECONDS = float(os.environ.get("IMPACTKIT_AUTH_CACHE_SECONDS", "5"))
"""How long a token's principal is reused without asking the database again.

Role changes and revocations made through this process take effect at once (the cache is
cleared); those made by another process take effect within this many seconds. 0 disables it.
"""

_cache: dict[str, tuple[float, float | None, Principal]] = {}
_cache_lock = Lock()


def forget_cached_principals() -> None:
    """Drop every cached principal (after a revocation or a change of roles)."""
    with _cache_lock:
        _cache.clear()


def cached_principal(token_hash: str) -> Principal | None:
    """The principal of a token seen in the last few seconds, without asking the database."""
    cached = _cache.get(token_hash)
    if cached is None:
        return None
    fetched_at, expires_at, principal = cached
    if time.monotonic() - fetched_at >= AUTH_CACHE_SECONDS:
        return None
    if expires_at is not None and time.time() >= expires_at:
        return None
    return principal


def principal_from_token_hash(session: Session, token_hash: str) -> Principal | None:
    """The principal behind a token hash, or None for an unknown, revoked or expired token.

    Found principals are cached for :data:`AUTH_CACHE_SECONDS` (never past the token's
    expiry): the token look-up is otherwise four queries on every request.
    """
    now_monotonic = time.monotonic()
    known = cached_principal(token_hash)
    if known is not None:
        return known
    found = _principal_from_database(session, token_hash)
    if found is not None and AUTH_CACHE_SECONDS > 0:
        principal, expires = found
        with _cache_lock:
            if len(_cache) > 10_000:
                _cache.clear()
            _cache[token_hash] = (now_monotonic, expires, principal)
    return found[0] if found else None


def _principal_from_database(session: Session, token_hash: str) -> tuple[Principal, float | None] | None:
    row = session.exec(
        select(ApiToken, User).where(ApiToken.token_hash == token_hash, ApiToken.user_id == User.id)
    ).first()
    if row is None:
        return None
    token, user = row
    now = datetime.now(UTC)
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    expires = token.expires_at.timestamp() if token.expires_at is not None else None
    return load_principal(session, user), expires
