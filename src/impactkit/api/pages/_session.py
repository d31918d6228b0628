"""Sign-in sessions for the web pages: a signed, HttpOnly, SameSite=Lax cookie holding the user id.

The cookie carries ``user id, issued-at, password fingerprint`` and an HMAC-SHA256 over them
keyed by the instance secret: it cannot be forged or altered, it lapses after
:data:`SESSION_SECONDS`, and changing the password ends every session of that user.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from sqlmodel import Session

from impactkit.api.access import Principal, load_principal
from impactkit.settings import Settings
from impactkit.store.tables import User

SESSION_COOKIE = "ik_session"
SESSION_SECONDS = 12 * 3600
_CONTEXT = b"impactkit web session v1:"


class SignInRequired(Exception):
    """Raised by a page that needs a signed-in user; answered with a redirect to the sign-in page."""


def _key(secret_key: str) -> bytes:
    return hashlib.sha256(_CONTEXT + secret_key.encode("utf-8")).digest()


def _fingerprint(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode("utf-8")).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def session_value(secret_key: str, user: User, now: float | None = None) -> str:
    """The signed cookie value for ``user``, issued ``now`` (seconds since the epoch)."""
    payload = json.dumps(
        {
            "u": user.id,
            "t": int(now if now is not None else time.time()),
            "p": _fingerprint(user.password_hash),
        },
        separators=(",", ":"),
    ).encode("utf-8")
    signature = hmac.new(_key(secret_key), payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(signature)}"


def _read(secret_key: str, value: str) -> dict[str, Any] | None:
    try:
        payload_text, signature_text = value.split(".", 1)
        payload = _unb64(payload_text)
        signature = _unb64(signature_text)
    except ValueError:
        return None
    expected = hmac.new(_key(secret_key), payload, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        return None
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("t"), int):
        return None
    if time.time() - data["t"] > SESSION_SECONDS:
        return None
    return data


def session_cookie(settings: Settings, user: User) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=session_value(settings.secret_key, user),
        max_age=SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )


def cleared_session_cookie(settings: Settings) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value="",
        max_age=0,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )


def signed_in_user(request: Request[Any, Any, Any], db: Session) -> User | None:
    """The user of the request's session cookie, or None (missing, forged, lapsed or stale)."""
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    settings: Settings = request.app.state.settings
    data = _read(settings.secret_key, value)
    if data is None:
        return None
    user = db.get(User, data["u"])
    if user is None or not hmac.compare_digest(_fingerprint(user.password_hash), str(data.get("p", ""))):
        return None
    return user


def page_principal(request: Request[Any, Any, Any], db: Session) -> Principal:
    """The signed-in caller of a page; :class:`SignInRequired` when nobody is signed in."""
    user = signed_in_user(request, db)
    if user is None:
        raise SignInRequired
    return load_principal(db, user)
