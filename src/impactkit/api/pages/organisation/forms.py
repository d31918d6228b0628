"""Survey forms of an organisation: upload an XLSForm (every problem at once, by sheet, row and
column), its published versions, the shipped forms, and a preview as a respondent sees it."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from sqlmodel import select

from impactkit.api.access import Principal
from impactkit.api.deps import DB
from impactkit.api.pages import _respondent_files as files
from impactkit.api.pages import _survey_form as view
from impactkit.api.pages._i18n import FORM_LANGUAGE, LANGUAGES
from impactkit.api.pages.organisation._lookup import can_edit, organisation_for
from impactkit.api.pages.rendering import (
    Me,
    PageRequest,
    language_of,
    message,
    problem_text,
    redirect,
    render,
)
from impactkit.domain import MemberRole
from impactkit.errors import ConflictError, FormError, NotFoundError, Problem
from impactkit.store import surveys as store
from impactkit.store.admin import audit
from impactkit.store.tables import FormVersion, Project
from impactkit.surveys.model import Field, Group, Repeat, pick_translation

MAX_FORM_BYTES = 5 * 1024 * 1024
_LOCATION = re.compile(r"^(?P<sheet>[^!]+)!(?P<column>[A-Z]{1,3})(?P<row>\d+)(?:\s+(?P<header>.+))?$")
_SHEET_ROW = re.compile(r"^(?P<sheet>.+?) row (?P<row>\d+)$")
"""``survey row 12``: where pyxform names a row but no column we could place."""


def where(problem: Problem, language: str = "it") -> dict[str, str]:
    """Sheet, row, column (letter and header) of an XLSForm problem located as ``survey!C12 label``,
    and what is wrong, in the page's language.

    >>> from impactkit.surveys.problem_texts import form_problem
    >>> found = where(form_problem("xlsform_problem_unknown_type", "survey!A3 type", code="bad_type",
    ...                            type="integr"))
    >>> found["sheet"], found["row"], found["column"], found["header"], found["message"]
    ('survey', '3', 'A', 'type', 'Tipo di domanda sconosciuto: «integr».')
    >>> where(Problem("no survey sheet", "file"))["sheet"]
    'file'
    >>> where(Problem("bad", "survey row 12"))["row"]
    '12'
    """
    text = problem_text(problem, language)
    location = problem.location.strip()
    match = _LOCATION.match(location)
    if match is None:
        sheet_row = _SHEET_ROW.match(location)
        if sheet_row is not None:
            return {
                "sheet": sheet_row["sheet"],
                "row": sheet_row["row"],
                "column": "",
                "header": "",
                "message": text,
            }
        return {"sheet": location, "row": "", "column": "", "header": "", "message": text}
    return {
        "sheet": match["sheet"],
        "row": match["row"],
        "column": match["column"],
        "header": match["header"] or "",
        "message": text,
    }


def visible_form(db: DB, principal: Principal, form_version_id: int) -> FormVersion:
    """A form version the caller may use: shared ones, and their organisations' own (404 otherwise)."""
    row = db.get(FormVersion, form_version_id)
    if row is None or (
        row.organisation_id is not None
        and not principal.is_admin
        and principal.role_in(row.organisation_id) is None
    ):
        raise NotFoundError(f"form version {form_version_id} not found")
    return row


def _grouped(rows: list[FormVersion]) -> list[dict[str, Any]]:
    forms: dict[str, list[FormVersion]] = {}
    for row in rows:
        forms.setdefault(row.form_id, []).append(row)
    return [
        {"form_id": form_id, "versions": sorted(versions, key=lambda r: r.id or 0, reverse=True)}
        for form_id, versions in sorted(forms.items())
    ]


def _forms_context(db: DB, me: Principal, organisation_id: int, **extra: Any) -> dict[str, Any]:
    rows = store.list_form_versions(db, [organisation_id])
    own = [row for row in rows if row.organisation_id == organisation_id]
    shared = [row for row in rows if row.organisation_id is None]
    return {
        "organisation": organisation_for(db, me, organisation_id),
        "own": _grouped(own),
        "shared": _grouped(shared),
        "can_edit": can_edit(me, organisation_id),
        "problems": [],
        "upload_error": None,
        "filename": "",
        "tab": "forms",
        **extra,
    }


def _upload_error(exc: FormError | ConflictError, language: str) -> str:
    """The heading of a refused upload in the page's language (its problems are listed under it)."""
    if exc.message.isidentifier():
        return message(exc.message, language)
    if isinstance(exc, ConflictError):
        return message("form_version_taken", language, detail=exc.message)
    return message("form_not_published", language)


@get("/app/organisations/{organisation_id:int}/forms", sync_to_thread=True)
def forms_page(request: PageRequest, db: DB, me: Me, organisation_id: FromPath[int]) -> Template:
    organisation_for(db, me, organisation_id, MemberRole.viewer)
    return render(request, "organisation/forms.html", me, **_forms_context(db, me, organisation_id))


@post("/app/organisations/{organisation_id:int}/forms", sync_to_thread=True, status_code=303)
def upload_form(
    request: PageRequest,
    db: DB,
    me: Me,
    organisation_id: FromPath[int],
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Redirect | Template:
    """Publish an XLSForm: its published version, or every problem of the file on the page."""
    organisation_for(db, me, organisation_id, MemberRole.editor)
    upload = data.get("file")
    filename = upload.filename if isinstance(upload, UploadFile) else ""
    try:
        if not isinstance(upload, UploadFile) or not filename:
            raise FormError("no_file", [Problem("choose a file", "file", "required")])
        content = upload.file.read(MAX_FORM_BYTES + 1)
        if len(content) > MAX_FORM_BYTES:
            raise FormError("file_too_large", [Problem("at most 5 MiB", "file", "file_too_large")])
        from impactkit.surveys.xlsform import load_xlsform

        form = load_xlsform(content, filename)
        row, created = store.publish_form(
            db, form, organisation_id=organisation_id, source_filename=filename, source=content
        )
    except (FormError, ConflictError) as exc:
        language = language_of(request)
        return render(
            request,
            "organisation/forms.html",
            me,
            422,
            **_forms_context(
                db,
                me,
                organisation_id,
                problems=[where(p, language) for p in exc.problems],
                upload_error=_upload_error(exc, language),
                filename=filename,
            ),
        )
    audit(
        db,
        "form.published" if created else "form.republished",
        actor_user_id=me.user_id,
        organisation_id=organisation_id,
        target=f"form:{row.form_id}@{row.version}",
    )
    return redirect(f"/app/forms/{row.id}", done="form_published" if created else "form_already_published")


def outline(items: list[Field | Group | Repeat], form_language: str, depth: int = 0) -> list[dict[str, Any]]:
    """The form's questions in order, with their labels in the page's language, for the version page."""
    rows: list[dict[str, Any]] = []
    for item in items:
        label = pick_translation(item.label, form_language) or ""
        if isinstance(item, Field):
            rows.append({"depth": depth, "name": item.name, "type": item.type, "label": label})
        else:
            rows.append({"depth": depth, "name": item.name, "type": item.kind, "label": label})
            rows.extend(outline(list(item.children), form_language, depth + 1))
    return rows


@get("/app/forms/{form_version_id:int}", sync_to_thread=True)
def form_page(request: PageRequest, db: DB, me: Me, form_version_id: FromPath[int]) -> Template:
    row = visible_form(db, me, form_version_id)
    form = store.form_of(row)
    language = language_of(request)
    versions = db.exec(
        select(FormVersion).where(FormVersion.owner_key == row.owner_key, FormVersion.form_id == row.form_id)
    ).all()
    organisations = [row.organisation_id] if row.organisation_id is not None else sorted(me.roles)
    projects = [
        project
        for project in db.exec(select(Project).order_by(Project.name)).all()
        if project.organisation_id in organisations and can_edit(me, project.organisation_id)
    ]
    return render(
        request,
        "organisation/form.html",
        me,
        version=row,
        form=form,
        questions=outline(list(form.children), FORM_LANGUAGE[language]),
        versions=sorted(versions, key=lambda r: r.id or 0, reverse=True),
        has_source=store.form_source(db, form_version_id) is not None,
        projects=projects,
    )


@get("/app/forms/{form_version_id:int}/xlsform", sync_to_thread=True)
def form_file(db: DB, me: Me, form_version_id: FromPath[int]) -> Response[bytes]:
    row = visible_form(db, me, form_version_id)
    source = store.form_source(db, form_version_id)
    if source is None:
        raise NotFoundError(f"form version {form_version_id} has no stored XLSForm")
    is_xls = source.xlsform[:8] == bytes.fromhex("d0cf11e0a1b11ae1")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{row.form_id}-{row.version}")[:120]
    extension, media_type = (
        ("xls", "application/vnd.ms-excel")
        if is_xls
        else ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    return Response(
        source.xlsform,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{extension}"'},
    )


def _preview(row: FormVersion, **page: Any) -> Template:
    """The respondent page's own rendering of the form, posting back to the preview."""
    from impactkit.api.pages import respondent

    template = respondent._page(token=f"preview-{row.id}", version=row, **page)
    if isinstance(template.context, dict):
        template.context["form_action"] = f"/app/forms/{row.id}/preview"
    return template


@get("/app/forms/{form_version_id:int}/preview", sync_to_thread=True)
def preview(
    request: PageRequest, db: DB, me: Me, form_version_id: FromPath[int], lang: FromQuery[str | None] = None
) -> Template:
    """The form as a respondent sees it, before any link exists; nothing is stored."""
    row = visible_form(db, me, form_version_id)
    form = store.form_of(row)
    wanted = (lang or language_of(request)).lower()
    language = (
        wanted if wanted in {choice.code for choice in view.form_languages(form)} else language_of(request)
    )
    return _preview(
        row,
        language=language,
        answers={},
        instance_id=str(uuid.uuid4()),
        errors={},
        notice="preview_notice",
        fresh=True,
        file_limit=request.app.state.settings.max_attachment_bytes,
    )


@post(
    "/app/forms/{form_version_id:int}/preview",
    sync_to_thread=True,
    status_code=200,
    dependencies={"posted": Provide(files.posted_form)},
    middleware=[files.submission_sized_body],
    request_max_body_size=files.HARD_BODY_LIMIT,
)
def preview_answer(
    request: PageRequest, db: DB, me: Me, form_version_id: FromPath[int], posted: files.PostedPage
) -> Template:
    """The next step of the preview, judged as the survey page judges it (files too, with the same
    checks); valid answers and files are not stored."""
    from impactkit.api.pages import respondent

    row = visible_form(db, me, form_version_id)
    form = store.form_of(row)
    data = posted.fields
    chosen = data.get("_ik_lang")
    codes = {choice.code for choice in view.form_languages(form)} | set(LANGUAGES)
    language = chosen if isinstance(chosen, str) and chosen in codes else language_of(request)
    text_language = view.page_text_language(language)
    settings = request.app.state.settings
    uploads = files.check_uploads(form, posted.uploads, settings, text_language)
    answers = view.read_answers(form, data, uploads.kept_names())
    seen = view.repeats_on_page(data)
    common: dict[str, Any] = {
        "language": language,
        "answers": answers,
        "instance_id": str(uuid.uuid4()),
        "seen": seen,
        "file_limit": settings.max_attachment_bytes,
    }
    action = respondent._structure_action(data)
    if action is not None:
        kind, path = action
        errors = files.with_file_errors({}, uploads, text_language, drawn_again=True)
        if kind == "remove":
            return _preview(row, **common, errors=errors, notice="remove_entry_question", removing=path)
        added = view.change_entries(
            form, answers, path if kind == "add" else None, path if kind == "removed" else None
        )
        return _preview(row, **common, errors=errors, notice="preview_notice", focus=added)
    state = view.evaluate(form, answers, language)
    if view.fit_entries(form, answers, state, seen):
        state = view.evaluate(form, answers, language)
    uploads.drop_unasked(set(view.visible_names(state, form)))
    shown_text = data.get("_ik_shown")
    shown = set(shown_text.split()) if isinstance(shown_text, str) else set()
    if uploads.refused:
        errors = files.with_file_errors(
            view.plain_errors(form, state, language), uploads, text_language, drawn_again=True
        )
        notice, values = uploads.notice or ("fix_errors", {})
        return _preview(row, **common, errors=errors, notice=notice, notice_values=values, status=422)
    if any(name not in shown for name in view.visible_names(state, form)):
        errors = {k: v for k, v in view.plain_errors(form, state, language).items() if k in shown}
        errors = files.with_file_errors(errors, uploads, text_language, drawn_again=True)
        return _preview(row, **common, errors=errors, notice="more_questions")
    if state.problems:
        errors = files.with_file_errors(
            view.plain_errors(form, state, language), uploads, text_language, drawn_again=True
        )
        return _preview(row, **common, errors=errors, notice="fix_errors", status=422)
    return render(request, "organisation/form_preview_done.html", me, version=row)


@post("/app/forms/{form_version_id:int}/links", sync_to_thread=True, status_code=303)
def create_link_for_form(
    request: PageRequest, db: DB, me: Me, form_version_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect:
    """A survey link for this form in one of the caller's projects (picked on the form's page)."""
    from impactkit.api.pages.organisation._lookup import project_for
    from impactkit.api.pages.rendering import form_int, form_text
    from impactkit.settings import Settings
    from impactkit.store import links

    row = visible_form(db, me, form_version_id)
    project_id = form_int(data, "project_id", required=True) or 0
    project = project_for(db, me, project_id, MemberRole.editor)
    if row.organisation_id is not None and row.organisation_id != project.organisation_id:
        raise NotFoundError(f"form version {form_version_id} not found")
    settings: Settings = request.app.state.settings
    links.create_link(
        db,
        secret_key=settings.secret_key,
        project_id=project_id,
        form_version_id=form_version_id,
        created_by=me.user_id,
        label=form_text(data, "label", max_length=200),
    )
    return redirect(f"/app/projects/{project_id}", done="link_created", anchor="links")


ROUTES = [forms_page, upload_form, form_page, form_file, preview, preview_answer, create_link_for_form]
