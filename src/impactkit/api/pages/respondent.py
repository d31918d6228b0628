"""The respondent page ``/s/{token}``: one survey, one language, answered once, with or without JavaScript."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from impactkit.api.deps import DB
from impactkit.api.pages import _survey_form as view
from impactkit.api.pages._i18n import LANGUAGES, language_cookie, pick_language, translate
from impactkit.settings import Settings
from impactkit.store import links
from impactkit.store.surveys import Submission, form_of, normalise_instance_id, store_responses
from impactkit.store.tables import FormVersion, SurveyLink

INSTANCE_FIELD = "_ik_instance"
SHOWN_FIELD = "_ik_shown"
CONTROL_FIELDS = frozenset({INSTANCE_FIELD, SHOWN_FIELD, "_csrf_token", "_ik_lang"})


def _language(request: Request[Any, Any, Any], lang: str | None) -> str:
    return pick_language(lang, request.cookies.get("lang"))


def _language_cookie(lang: str | None, language: str, settings: Settings) -> list[Cookie]:
    if lang is None or lang.lower() not in LANGUAGES:
        return []
    return [language_cookie(language, settings)]


def _unavailable(language: str, reason: str, status: int) -> Template:
    return Template(
        template_name="survey_closed.html",
        context={"lang": language, "t": lambda key, **v: translate(key, language, **v), "reason": reason},
        status_code=status,
    )


def _open_link(db: DB, token: FromPath[str], language: str) -> tuple[SurveyLink, FormVersion] | Template:
    link = links.find_link(db, token)
    if link is None:
        return _unavailable(language, "link_unknown_text", 404)
    status = links.link_status(db, link)
    if status is not links.LinkStatus.open:
        return _unavailable(language, f"link_{status.value}_text", 410)
    version = db.get(FormVersion, link.form_version_id)
    if version is None:
        return _unavailable(language, "link_unknown_text", 404)
    return link, version


def _page(
    *,
    token: FromPath[str],
    version: FormVersion,
    language: str,
    answers: dict[str, Any],
    raw: dict[str, str],
    instance_id: str,
    errors: dict[str, str],
    notice: str | None,
    status: int = 200,
    cookies: list[Cookie] | None = None,
) -> Template:
    form = form_of(version)
    state = view.evaluate(form, answers, language)
    page = view.questions(form, state, raw, language, errors)
    title = form.title
    return Template(
        template_name="survey.html",
        context={
            "lang": language,
            "t": lambda key, **v: translate(key, language, **v),
            "title": title,
            "token": token,
            "questions": page,
            "instance_id": instance_id,
            "shown": " ".join(view.visible_names(state, form)),
            "notice": notice,
            "has_errors": bool(errors),
            "other_languages": [code for code in LANGUAGES if code != language],
        },
        status_code=status,
        cookies=cookies or [],
        headers={"Cache-Control": "no-store"},
    )


def _expired_page(request: Request[Any, Any, Any], _: PermissionDeniedException) -> Template:
    """A post without its CSRF token (a page kept open too long, cookies blocked): say what to do."""
    language = pick_language(request.query_params.get("lang"), request.cookies.get("lang"))
    return _unavailable(language, "page_expired", 403)


class RespondentController(Controller):
    """Public pages: no account, the link's token is the only key."""

    path = "/s"
    include_in_schema = False
    exception_handlers = {PermissionDeniedException: _expired_page}

    @get("/{token:str}", sync_to_thread=True)
    def show(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        db: DB,
        lang: FromQuery[str | None] = None,
    ) -> Template:
        language = _language(request, lang)
        opened = _open_link(db, token, language)
        if isinstance(opened, Template):
            return opened
        _, version = opened
        settings: Settings = request.app.state.settings
        return _page(
            token=token,
            version=version,
            language=language,
            answers={},
            raw={},
            instance_id=str(uuid.uuid4()),
            errors={},
            notice=None,
            cookies=_language_cookie(lang, language, settings),
        )

    @post("/{token:str}", sync_to_thread=True, status_code=200)
    def answer(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        db: DB,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        posted_lang = data.get("_ik_lang")
        language = pick_language(
            posted_lang if isinstance(posted_lang, str) else None, request.cookies.get("lang")
        )
        opened = _open_link(db, token, language)
        if isinstance(opened, Template):
            return opened
        link, version = opened
        form = form_of(version)
        try:
            instance_id = normalise_instance_id(str(data.get(INSTANCE_FIELD) or ""))
        except ValueError:
            instance_id = str(uuid.uuid4())
        answers, raw = view.read_answers(form, data)
        state = view.evaluate(form, answers, language)
        shown_text = data.get(SHOWN_FIELD)
        shown = set(shown_text.split()) if isinstance(shown_text, str) else set()
        now_visible = view.visible_names(state, form)
        new_questions = [name for name in now_visible if name not in shown]
        if new_questions:
            # The answers opened questions the respondent has not seen: show them before judging.
            errors = {k: v for k, v in view.plain_errors(form, state, language).items() if k in shown}
            return _page(
                token=token,
                version=version,
                language=language,
                answers=answers,
                raw=raw,
                instance_id=instance_id,
                errors=errors,
                notice="more_questions",
            )
        if state.problems:
            return _page(
                token=token,
                version=version,
                language=language,
                answers=answers,
                raw=raw,
                instance_id=instance_id,
                errors=view.plain_errors(form, state, language),
                notice="fix_errors",
                status=422,
            )
        assert link.id is not None
        [result] = store_responses(
            db,
            [
                Submission(
                    instance_id=instance_id,
                    form_id=version.form_id,
                    form_version=version.version,
                    project_id=link.project_id,
                    period_id=link.period_id,
                    wave=link.wave,
                    answers=answers,
                    source=links.link_source(link.id),
                )
            ],
            allowed_organisations={link.organisation_id},
        )
        if result.status == "link_closed":
            # Another respondent took the last place (or staff closed the link) while this one
            # was answering: the write itself refused it.
            code = result.errors[0]["code"] if result.errors else "closed"
            reason = code if code in ("full", "closed", "expired") else "unknown"
            return _unavailable(language, f"link_{reason}_text", 410)
        if result.status in ("stored", "already_stored", "conflict"):
            # A conflict is the same instance sent again with changed answers (e.g. edited after a
            # dropped connection): the first answers stay recorded, and the respondent is told so.
            status = "stored" if result.status == "stored" else "already_stored"
            return Redirect(f"/s/{token}/done?status={status}&lang={language}", status_code=303)
        return _unavailable(language, "not_stored", 409)

    @get("/{token:str}/done", sync_to_thread=False)
    def done(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        status: FromQuery[str] = "stored",
        lang: FromQuery[str | None] = None,
    ) -> Template:
        language = _language(request, lang)
        return Template(
            template_name="survey_done.html",
            context={
                "lang": language,
                "t": lambda key, **v: translate(key, language, **v),
                "message": "already_stored" if status == "already_stored" else "stored",
                "token": token,
            },
            headers={"Cache-Control": "no-store"},
        )
