"""Sign-in and sign-out of staff (organisations, evaluators, funders, administrators)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from impactkit.api.deps import DB
from impactkit.api.pages._i18n import LANGUAGES, language_cookie, pick_language, translate
from impactkit.api.pages._session import cleared_session_cookie, session_cookie, signed_in_user
from impactkit.settings import Settings
from impactkit.store.admin import audit, find_user_by_email
from impactkit.store.security import verify_password


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never ``//host`` or a full URL) may follow the sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/app"


def _signin_page(
    language: str,
    email: str,
    error: bool,
    next_path: str,
    status: int = 200,
    cookies: list[Cookie] | None = None,
) -> Template:
    return Template(
        template_name="signin.html",
        context={
            "lang": language,
            "t": lambda key, **v: translate(key, language, **v),
            "email": email,
            "error": error,
            "next": next_path,
            "user": None,
        },
        status_code=status,
        headers={"Cache-Control": "no-store"},
        cookies=cookies or [],
    )


class AuthController(Controller):
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def root(self, request: Request[Any, Any, Any], db: DB) -> Redirect:
        return Redirect("/app" if signed_in_user(request, db) else "/signin")

    @get("/signin", sync_to_thread=False)
    def signin_form(
        self,
        request: Request[Any, Any, Any],
        lang: FromQuery[str | None] = None,
    ) -> Template:
        language = pick_language(lang, request.cookies.get("lang"))
        settings: Settings = request.app.state.settings
        cookies = [language_cookie(language, settings)] if lang and lang.lower() in LANGUAGES else []
        return _signin_page(
            language, "", False, _safe_next(request.query_params.get("next")), cookies=cookies
        )

    @post("/signin", sync_to_thread=True, status_code=200)
    def signin(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        language = pick_language(None, request.cookies.get("lang"))
        email = str(data.get("email") or "").strip()
        password = str(data.get("password") or "")
        next_path = _safe_next(str(data.get("next") or ""))
        user = find_user_by_email(db, email) if email else None
        if not verify_password(user.password_hash if user else None, password) or user is None:
            audit(db, "signin.failed", actor_user_id=user.id if user else None, target="web")
            return _signin_page(language, email, True, next_path, status=401)
        audit(db, "signin", actor_user_id=user.id, target="web")
        settings: Settings = request.app.state.settings
        return Redirect(next_path, status_code=303, cookies=[session_cookie(settings, user)])

    @post("/signout", sync_to_thread=False, status_code=303)
    def signout(self, request: Request[Any, Any, Any]) -> Redirect:
        settings: Settings = request.app.state.settings
        return Redirect("/signin", status_code=303, cookies=[cleared_session_cookie(settings)])
