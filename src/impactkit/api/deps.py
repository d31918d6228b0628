"""Request-scoped dependencies: a database session per request and the calling principal.

Database work never runs on the event loop: the principal is looked up in a worker thread,
and the session is committed (or rolled back) and closed in a small executor of its own, so a
request holding a connection can always finish even when every worker thread is busy.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from sqlalchemy.engine import Engine
from sqlmodel import Session

from impactkit.store.principals import Principal, cached_principal, principal_from_token_hash
from impactkit.store.security import hash_token

_cleanup = ThreadPoolExecutor(max_workers=4, thread_name_prefix="impactkit-session-cleanup")


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


def _rollback_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


async def _finish(action: Callable[[Session], None], session: Session) -> None:
    """Finish a session off the event loop; shielded, so that a cancelled request (a client
    that went away) still leaves no transaction or connection open."""
    future = asyncio.get_running_loop().run_in_executor(_cleanup, action, session)
    await asyncio.shield(future)


async def provide_db(state: State) -> AsyncGenerator[Session, None]:
    """One session per request: committed when the handler returns, rolled back on error."""
    engine: Engine = state.engine
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    except BaseException:
        await _finish(_rollback_and_close, session)
        raise
    await _finish(_commit_and_close, session)


def bearer_token(request: Request[Any, Any, Any]) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _principal_from_database(engine: Engine, token_hash: str) -> Principal | None:
    with Session(engine) as session:
        return principal_from_token_hash(session, token_hash)


async def provide_principal(request: Request[Any, Any, Any], state: State) -> Principal:
    """The caller, from ``Authorization: Bearer <token>`` or a signed-in web session.

    A token seen in the last few seconds is answered from memory, on the event loop; otherwise
    it is looked up in a worker thread with a short session of its own.
    """
    token = bearer_token(request)
    if token is not None:
        digest = hash_token(token)
        principal = cached_principal(digest)
        if principal is None:
            loop = asyncio.get_running_loop()
            principal = await loop.run_in_executor(None, _principal_from_database, state.engine, digest)
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
