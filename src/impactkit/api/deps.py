"""Request-scoped dependencies: a database session per request and the calling principal."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from sqlalchemy.engine import Engine
from sqlmodel import Session

from impactkit.api.access import Principal, principal_from_token_hash
from impactkit.store.security import hash_token


def provide_db(state: State) -> Generator[Session, None, None]:
    """One session per request: committed when the handler returns, rolled back on error."""
    engine: Engine = state.engine
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def bearer_token(request: Request[Any, Any, Any]) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def provide_principal(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Principal:
    """The caller, from ``Authorization: Bearer <token>`` or a signed-in web session."""
    token = bearer_token(request)
    if token is not None:
        principal = principal_from_token_hash(db, hash_token(token))
        if principal is None:
            raise NotAuthorizedException("the API token is unknown, revoked or expired")
        return principal
    session_principal = request.scope.get("impactkit_principal")
    if isinstance(session_principal, Principal):
        return session_principal
    raise NotAuthorizedException("authentication required: send Authorization: Bearer <token>")


DB = NamedDependency[Session]
"""A handler parameter ``db: DB`` receives the request's database session."""
Caller = NamedDependency[Principal]
"""A handler parameter ``principal: Caller`` receives the authenticated caller (401 otherwise)."""
