"""Who is calling: a user with every role they hold (memberships, funder seats, accreditations,
contracting authorities)."""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from threading import Lock

from sqlmodel import Session, select

from impactkit.domain import MemberRole
from impactkit.store.tables import (
    ApiToken,
    AuthorityMembership,
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
    is_curator: bool = False
    """Features published reports as best practice in the observatory (granted by an administrator)."""
    roles: dict[int, MemberRole] = field(default_factory=dict)
    """Organisation id → role of membership."""
    funder_ids: frozenset[int] = frozenset()
    accreditation_ids: frozenset[int] = frozenset()
    """Accreditations valid today."""
    authority_ids: frozenset[int] = frozenset()
    """Contracting authorities the user acts for (social procurement)."""

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
    authorities = session.exec(
        select(AuthorityMembership.authority_id).where(AuthorityMembership.user_id == user.id)
    ).all()
    return Principal(
        user_id=user.id,
        email=user.email,
        name=user.name,
        is_admin=user.is_admin,
        is_curator=user.is_curator,
        roles={m.organisation_id: MemberRole(m.role) for m in memberships},
        funder_ids=frozenset(funders),
        accreditation_ids=frozenset(a for a in accreditations if a is not None),
        authority_ids=frozenset(authorities),
    )


AUTH_CACHE_SECONDS = float(os.environ.get("IMPACTKIT_AUTH_CACHE_SECONDS", "5"))
"""How long a token's principal is reused without reading it from the database again. 0 disables it."""

AUTH_REFRESH_SECONDS = float(os.environ.get("IMPACTKIT_AUTH_REFRESH_SECONDS", "1"))
"""How often a process compares the authentication epoch with the database's.

Every change of who may do what (a token revoked, a membership, funder seat or accreditation
added or removed) raises the epoch in its own transaction (:func:`authorisation_changed`). A
process uses its cached principals only while the epoch it read them at is the newest it has
seen and it has looked at the database's within this many seconds: so such a change, made
through any process on any machine, takes effect everywhere within this bound (and at once in
the process that made it). Anything else is bounded by :data:`AUTH_CACHE_SECONDS`.
"""


@dataclass
class _Cache:
    entries: dict[str, tuple[float, float | None, int, Principal]] = field(default_factory=dict)
    """token hash → (read at, token expiry, epoch read at, principal)."""
    epoch: int | None = None
    checked_at: float = -math.inf
    lock: Lock = field(default_factory=Lock)


_cache = _Cache()


def forget_cached_principals() -> None:
    """Drop every principal this process cached (the other processes follow the epoch)."""
    with _cache.lock:
        _cache.entries.clear()


def authorisation_changed(session: Session) -> None:
    """Who may do what changes in this transaction: raise the epoch with it, drop this
    process's cache now; every other process drops its own within :data:`AUTH_REFRESH_SECONDS`."""
    from impactkit.store.shared import raise_auth_epoch

    raise_auth_epoch(session)
    forget_cached_principals()


def epoch_check_due() -> bool:
    """True when this process should compare its epoch with the database's before trusting its cache."""
    return time.monotonic() - _cache.checked_at >= AUTH_REFRESH_SECONDS


def note_epoch(epoch: int) -> None:
    """The database's epoch, just read: a newer one drops every cached principal."""
    with _cache.lock:
        if _cache.epoch != epoch:
            _cache.entries.clear()
            _cache.epoch = epoch
        _cache.checked_at = time.monotonic()


def current_epoch() -> int | None:
    """The newest authentication epoch this process has seen (None before the first look)."""
    return _cache.epoch


def refresh_epoch(session: Session) -> None:
    """Read the database's epoch (see :func:`note_epoch`)."""
    from impactkit.store.shared import read_auth_epoch

    note_epoch(read_auth_epoch(session))


def cached_principal(token_hash: str) -> Principal | None:
    """The principal of a token seen in the last few seconds, without asking the database;
    None when there is none, or it is stale, or the epoch is due to be checked."""
    cached = _cache.entries.get(token_hash)
    if cached is None or epoch_check_due():
        return None
    fetched_at, expires_at, epoch, principal = cached
    if epoch != _cache.epoch or time.monotonic() - fetched_at >= AUTH_CACHE_SECONDS:
        return None
    if expires_at is not None and time.time() >= expires_at:
        return None
    return principal


def principal_from_token_hash(session: Session, token_hash: str) -> Principal | None:
    """The principal behind a token hash, or None for an unknown, revoked or expired token.

    The epoch is read first, then (unless the cache answers) the token: a principal is cached
    with the epoch read before it, so a change committed in between can never hide behind it.
    Found principals are cached for :data:`AUTH_CACHE_SECONDS` (never past the token's expiry):
    the token look-up is otherwise four queries on every request.
    """
    from impactkit.store.shared import read_auth_epoch

    epoch = read_auth_epoch(session)
    note_epoch(epoch)
    now_monotonic = time.monotonic()
    known = cached_principal(token_hash)
    if known is not None:
        return known
    found = _principal_from_database(session, token_hash)
    if found is not None and AUTH_CACHE_SECONDS > 0:
        principal, expires = found
        with _cache.lock:
            if _cache.epoch == epoch:  # else a newer epoch was seen meanwhile: do not cache
                if len(_cache.entries) > 10_000:
                    _cache.entries.clear()
                _cache.entries[token_hash] = (now_monotonic, expires, epoch, principal)
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
