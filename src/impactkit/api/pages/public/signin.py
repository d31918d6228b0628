"""Sign-in and sign-out of staff (organisations, evaluators, funders, administrators)."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from impactkit.api.deps import DB
from impactkit.api.pages._session import cleared_session_cookie, session_cookie, signed_in_user
from impactkit.api.pages.rendering import PageRequest, form_text, render
from impactkit.settings import Settings
from impactkit.store.admin import audit, find_user_by_email
from impactkit.store.security import verify_password


def safe_next(target: str | None) -> str:
    """Only a path on this site (never ``//host`` or a full URL) may follow the sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/app"


def _signin_page(
    request: PageRequest, email: str, error: bool, next_path: str, status: int = 200
) -> Template:
    return render(request, "public/signin.html", None, status, email=email, error=error, next=next_path)


@get("/", sync_to_thread=True)
def root(request: PageRequest, db: DB) -> Redirect:
    return Redirect("/app" if signed_in_user(request, db) else "/signin")


@get("/signin", sync_to_thread=False)
def signin_form(request: PageRequest) -> Template:
    return _signin_page(request, "", False, safe_next(request.query_params.get("next")))


@post("/signin", sync_to_thread=True, status_code=200)
def signin(request: PageRequest, db: DB, data: URLEncodedBody[dict[str, Any]]) -> Template | Redirect:
    email = form_text(data, "email", max_length=254)
    password = str(data.get("password") or "")
    next_path = safe_next(str(data.get("next") or ""))
    user = find_user_by_email(db, email) if email else None
    if not verify_password(user.password_hash if user else None, password) or user is None:
        audit(db, "signin.failed", actor_user_id=user.id if user else None, target="web")
        return _signin_page(request, email, True, next_path, status=401)
    audit(db, "signin", actor_user_id=user.id, target="web")
    settings: Settings = request.app.state.settings
    return Redirect(next_path, status_code=303, cookies=[session_cookie(settings, user)])


@post("/signout", sync_to_thread=False, status_code=303)
def signout(request: PageRequest) -> Redirect:
    settings: Settings = request.app.state.settings
    return Redirect("/signin", status_code=303, cookies=[cleared_session_cookie(settings)])


ROUTES = [root, signin_form, signin, signout]
