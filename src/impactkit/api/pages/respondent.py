"""The respondent page ``/s/{token}``: one survey, one language, answered once, with or without JavaScript.

Photos, recordings and documents are answered with file inputs (a multipart post); their files are
checked and kept as the response's attachments by :mod:`impactkit.api.pages._respondent_files`.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.di import Provide
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from impactkit.api.deps import DB
from impactkit.api.pages import _respondent_files as files
from impactkit.api.pages import _survey_form as view
from impactkit.api.pages._i18n import LANGUAGES, language_cookie, pick_language, translate
from impactkit.api.requests import UNSTORABLE_TEXT_PER_ITEM
from impactkit.settings import Settings
from impactkit.store import links
from impactkit.store.surveys import Submission, form_of, normalise_instance_id, store_responses
from impactkit.store.tables import FormVersion, SurveyLink
from impactkit.surveys.model import Form

INSTANCE_FIELD = "_ik_instance"
SHOWN_FIELD = "_ik_shown"
CONTROL_FIELDS = frozenset({INSTANCE_FIELD, SHOWN_FIELD, "_csrf_token", "_ik_lang"})


def _language(request: Request[Any, Any, Any], lang: str | None) -> str:
    return pick_language(lang, request.cookies.get("lang"))


def _form_language(form: Form, chosen: str | None, fallback: str) -> str:
    """The language asked for when the form is written in it (any of the form's languages can
    be chosen), else the page's language."""
    if chosen:
        wanted = chosen.strip().lower()
        if wanted in {language.code for language in view.form_languages(form)}:
            return wanted
    return fallback


def _language_cookie(lang: str | None, language: str, settings: Settings) -> list[Cookie]:
    if lang is None or lang.lower() not in LANGUAGES:
        return []
    return [language_cookie(language, settings)]


def _unavailable(language: str, reason: str, status: int, **values: Any) -> Template:
    language = view.page_text_language(language)
    return Template(
        template_name="survey_closed.html",
        context={
            "lang": language,
            "t": lambda key, **v: translate(key, language, **v),
            "reason": reason,
            "values": values,
        },
        status_code=status,
    )


def _cannot_render(form: Form, language: str) -> Template | None:
    """The page that says which question this page cannot take, when the form has one."""
    missing = view.unrenderable(form)
    if missing is None:
        return None
    return _unavailable(
        language, missing.reason, 501, question=view.question_name(form, missing.field, language)
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
    instance_id: str,
    errors: dict[str, str],
    notice: str | None,
    status: int = 200,
    cookies: list[Cookie] | None = None,
    seen: set[str] | None = None,
    focus: str | None = None,
    removing: str | None = None,
    fresh: bool = False,
    notice_values: dict[str, Any] | None = None,
    file_limit: int | None = None,
) -> Template:
    form = form_of(version)
    state = view.evaluate(form, answers, language)
    if view.fit_entries(form, answers, state, seen or set()):
        state = view.evaluate(form, answers, language)
    page = view.questions(form, state, answers, language, errors, focus)
    text_language = view.page_text_language(language)
    content = view.content_language(form, language)
    return Template(
        template_name="survey.html",
        context={
            "lang": text_language,
            "content_lang": content if content and content != text_language else None,
            "t": lambda key, **v: translate(key, text_language, **v),
            "title": form.title,
            "token": token,
            "questions": page,
            "entries": view.entry_paths(page),
            "repeats": view.repeat_paths(page),
            "instance_id": instance_id,
            "shown": " ".join(view.visible_names(state, form)),
            "notice": notice,
            "has_errors": bool(errors),
            "languages": [choice for choice in view.form_languages(form) if choice.code != language],
            "form_lang": language,
            "removing": removing,
            "fresh": fresh,
            "notice_values": notice_values or {},
            "has_files": any(question.kind == "file" for question in page),
            "file_limit": files.megabytes(file_limit, text_language) if file_limit else None,
        },
        status_code=status,
        cookies=cookies or [],
        headers={"Cache-Control": "no-store"},
    )


def _expired_page(request: Request[Any, Any, Any], _: PermissionDeniedException) -> Template:
    """A post without its CSRF token (a page kept open too long, cookies blocked): say what to do."""
    language = pick_language(request.query_params.get("lang"), request.cookies.get("lang"))
    return _unavailable(language, "page_expired", 403)


def _structure_action(data: dict[str, Any]) -> tuple[str, str] | None:
    """What an add, remove or restore button asks: ``(kind, path)``, or None for a submission."""
    for field_name, kind in (
        (view.REMOVE_CONFIRMED_FIELD, "removed"),
        (view.REMOVE_FIELD, "remove"),
        (view.ADD_FIELD, "add"),
        (view.REFRESH_FIELD, "refresh"),
    ):
        value = data.get(field_name)
        if isinstance(value, str) and (value or kind == "refresh"):
            return kind, value
    return None


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
        page_language = _language(request, lang)
        opened = _open_link(db, token, page_language)
        if isinstance(opened, Template):
            return opened
        _, version = opened
        form = form_of(version)
        language = _form_language(form, lang or request.cookies.get("lang"), page_language)
        refused = _cannot_render(form, language)
        if refused is not None:
            return refused
        settings: Settings = request.app.state.settings
        return _page(
            token=token,
            version=version,
            language=language,
            answers={},
            instance_id=str(uuid.uuid4()),
            errors={},
            notice=None,
            cookies=_language_cookie(lang, page_language, settings),
            fresh=True,
            file_limit=settings.max_attachment_bytes,
        )

    # the answers are judged question by question (a NUL in one is shown at that question); files
    # come as a multipart post, bounded by the instance's largest submission
    @post(
        "/{token:str}",
        sync_to_thread=True,
        status_code=200,
        opt={UNSTORABLE_TEXT_PER_ITEM: True},
        dependencies={"posted": Provide(files.posted_form)},
        middleware=[files.submission_sized_body],
        request_max_body_size=files.HARD_BODY_LIMIT,
    )
    def answer(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        db: DB,
        posted: files.PostedPage,
    ) -> Template | Redirect:
        data = posted.fields
        posted_lang = data.get("_ik_lang")
        page_language = pick_language(
            posted_lang if isinstance(posted_lang, str) else None, request.cookies.get("lang")
        )
        opened = _open_link(db, token, page_language)
        if isinstance(opened, Template):
            return opened
        link, version = opened
        form = form_of(version)
        language = _form_language(form, posted_lang if isinstance(posted_lang, str) else None, page_language)
        refused = _cannot_render(form, language)
        if refused is not None:
            return refused
        try:
            instance_id = normalise_instance_id(str(data.get(INSTANCE_FIELD) or ""))
        except ValueError:
            instance_id = str(uuid.uuid4())
        settings: Settings = request.app.state.settings
        text_language = view.page_text_language(language)
        uploads = files.check_uploads(form, posted.uploads, settings, text_language)
        answers = view.read_answers(form, data, uploads.kept_names())
        seen = view.repeats_on_page(data)
        common: dict[str, Any] = {
            "token": token,
            "version": version,
            "language": language,
            "answers": answers,
            "instance_id": instance_id,
            "seen": seen,
            "file_limit": settings.max_attachment_bytes,
        }
        action = _structure_action(data)
        if action is not None:
            # Adding or removing an entry is a step of filling in, never a submission.
            kind, path = action
            errors = files.with_file_errors({}, uploads, text_language, drawn_again=True)
            if kind == "remove":  # asks first: answers would be lost
                return _page(**common, errors=errors, notice="remove_entry_question", removing=path)
            added = view.change_entries(
                form, answers, path if kind == "add" else None, path if kind == "removed" else None
            )
            notice = {"removed": "entry_removed", "add": None, "refresh": None if path else "restored"}[kind]
            return _page(**common, errors=errors, notice=notice, focus=added)
        state = view.evaluate(form, answers, language)
        if view.fit_entries(form, answers, state, seen):
            state = view.evaluate(form, answers, language)
        now_visible = view.visible_names(state, form)
        uploads.drop_unasked(set(now_visible))
        if uploads.refused:
            # A refused file: the page comes back with the reason next to its question, the other
            # answers kept, and nothing stored.
            errors = files.with_file_errors(
                view.plain_errors(form, state, language), uploads, text_language, drawn_again=True
            )
            notice, values = uploads.notice or ("fix_errors", {})
            return _page(**common, errors=errors, notice=notice, notice_values=values, status=422)
        shown_text = data.get(SHOWN_FIELD)
        shown = set(shown_text.split()) if isinstance(shown_text, str) else set()
        new_questions = [name for name in now_visible if name not in shown]
        if new_questions:
            # The answers opened questions the respondent has not seen: show them before judging.
            errors = {k: v for k, v in view.plain_errors(form, state, language).items() if k in shown}
            errors = files.with_file_errors(errors, uploads, text_language, drawn_again=True)
            return _page(**common, errors=errors, notice="more_questions")
        if state.problems:
            errors = files.with_file_errors(
                view.plain_errors(form, state, language), uploads, text_language, drawn_again=True
            )
            return _page(**common, errors=errors, notice="fix_errors", status=422)
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
        if result.status in ("stored", "already_stored"):
            # In the transaction that stores the response (a resend records nothing twice).
            files.keep_files(db, settings, link.organisation_id, instance_id, list(uploads.files.values()))
        if result.status in ("stored", "already_stored", "conflict"):
            # A conflict is the same instance sent again with changed answers (e.g. edited after a
            # dropped connection): the first answers stay recorded, and the respondent is told so.
            status = "stored" if result.status == "stored" else "already_stored"
            return Redirect(f"/s/{token}/done?status={status}&lang={text_language}", status_code=303)
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
