"""The responses of a project: a paged table filtered by link, wave, period, form and date; one
response in full with its labels; downloads as CSV and XLSX (members; respondents' answers never
leave the organisation through these pages)."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import IO, Any
from urllib.parse import quote, urlencode

from litestar import get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Stream, Template
from sqlalchemy import select
from sqlmodel import col

from impactkit.api.access import Principal, require_member
from impactkit.api.deps import DB
from impactkit.api.downloads import IN_MEMORY, sent_file, spooled_csv
from impactkit.api.pages._i18n import FORM_LANGUAGE
from impactkit.api.pages.organisation._lookup import can_edit, organisation_for, project_for
from impactkit.api.pages.organisation._sources import SourceNames
from impactkit.api.pages.organisation.projects import periods_of
from impactkit.api.pages.rendering import (
    Me,
    PageRequest,
    field_errors,
    form_text,
    language_of,
    redirect,
    render,
)
from impactkit.domain import MemberRole
from impactkit.errors import ImpactkitError, NotFoundError, Problem
from impactkit.formats import LOCAL_ZONE
from impactkit.reports import neutralise
from impactkit.settings import Settings
from impactkit.store import attachments as media
from impactkit.store import flags, links
from impactkit.store import surveys as store
from impactkit.store.admin import audit
from impactkit.store.tables import FormVersion, Project, SurveyResponse
from impactkit.surveys.model import MULTIPLE_TYPES, Field, Form, Group, Repeat, pick_translation
from impactkit.surveys.tabular import TableStream

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ImpactkitError("invalid_form", [Problem("not a date", name, "date")]) from None


def _filters(
    project: Project,
    link: int | None,
    wave: str | None,
    period: int | None,
    form: str | None,
    since: str | None,
    until: str | None,
) -> tuple[store.ResponseFilter, dict[str, Any]]:
    """The store's filter and the values to show back in the form (and keep in the page links)."""
    first, last = _day(since, "since"), _day(until, "until")
    flt = store.ResponseFilter(
        organisation_ids=[project.organisation_id],
        project_id=project.id,
        period_id=period,
        wave=wave or None,
        form_id=form or None,
        source=links.link_source(link) if link else None,
        submitted_from=datetime.combine(first, time(), tzinfo=LOCAL_ZONE) if first else None,
        submitted_before=datetime.combine(last + timedelta(days=1), time(), tzinfo=LOCAL_ZONE)
        if last
        else None,
    )
    shown = {
        "link": link,
        "wave": wave or "",
        "period": period,
        "form": form or "",
        "since": since or "",
        "until": until or "",
    }
    return flt, shown


def _members_only(db: DB, me: Principal, project_id: int) -> Project:
    """Responses are for the organisation's members (and administrators), not for its funders."""
    project = project_for(db, me, project_id)
    require_member(me, project.organisation_id, MemberRole.viewer)
    return project


def project_forms(db: DB, project_id: int) -> list[str]:
    """The forms the project's responses answered."""
    rows = db.execute(
        select(col(SurveyResponse.form_id)).where(col(SurveyResponse.project_id) == project_id).distinct()
    ).all()
    return sorted(str(row[0]) for row in rows)


def _query(shown: dict[str, Any], **changes: Any) -> str:
    values = {**shown, **changes}
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})


@get("/app/projects/{project_id:int}/responses", sync_to_thread=True)
def responses_page(
    request: PageRequest,
    db: DB,
    me: Me,
    project_id: FromPath[int],
    link: FromQuery[int | None] = None,
    wave: FromQuery[str | None] = None,
    period: FromQuery[int | None] = None,
    form: FromQuery[str | None] = None,
    since: FromQuery[str | None] = None,
    until: FromQuery[str | None] = None,
    page: FromQuery[int] = 1,
) -> Template:
    project = _members_only(db, me, project_id)
    flt, shown = _filters(project, link, wave, period, form, since, until)
    total = store.count_responses(db, flt)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = store.newest_responses(db, flt, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    left_out = flags.left_out(db, [int(r["id"]) for r in rows])
    settings: Settings = request.app.state.settings
    project_links = links.project_links(db, project_id, settings.secret_key)
    return render(
        request,
        "organisation/responses.html",
        me,
        fragment="organisation/_responses_table.html",
        push_url=f"{request.url.path}?{_query(shown, page=page)}",
        organisation=organisation_for(db, me, project.organisation_id),
        project=project,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        shown=shown,
        query=_query(shown),
        previous_query=_query(shown, page=page - 1) if page > 1 else None,
        next_query=_query(shown, page=page + 1) if page < pages else None,
        links=project_links,
        source_name=SourceNames(db, language_of(request)),
        left_out=left_out,
        periods=periods_of(db, project_id),
        forms=project_forms(db, project_id),
        can_edit=can_edit(me, project.organisation_id),
        open_duplicates=flags.open_set_count(db, project_id),
    )


def answer_rows(
    items: list[Field | Group | Repeat], answers: dict[str, Any], form: Form, language: str, depth: int = 0
) -> list[dict[str, Any]]:
    """Each answered question with its label and the answer's label, in the form's order."""
    rows: list[dict[str, Any]] = []
    for item in items:
        label = pick_translation(item.label, language) or item.name
        if isinstance(item, Group):
            inner = answer_rows(list(item.children), answers, form, language, depth + 1)
            if inner:
                rows.append({"depth": depth, "label": label, "group": True})
                rows.extend(inner)
            continue
        if isinstance(item, Repeat):
            for index, entry in enumerate(answers.get(item.name) or [], start=1):
                if isinstance(entry, dict):
                    rows.append({"depth": depth, "label": f"{label} {index}", "group": True})
                    rows.extend(answer_rows(list(item.children), entry, form, language, depth + 1))
            continue
        if item.name not in answers or answers[item.name] in (None, "", []):
            continue
        rows.append(
            {
                "depth": depth,
                "label": label,
                "name": item.name,
                "value": _answer_text(item, answers[item.name], form, language),
            }
        )
    return rows


def _answer_text(item: Field, value: Any, form: Form, language: str) -> str:
    choices = {choice.name: choice for choice in form.choices.get(item.list_name or "", [])}
    if not choices:
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    codes = (
        value if isinstance(value, list) else str(value).split() if item.type in MULTIPLE_TYPES else [value]
    )
    return ", ".join(
        (pick_translation(choices[str(code)].label, language) or str(code))
        if str(code) in choices
        else str(code)
        for code in codes
    )


@get("/app/responses/{response_id:int}", sync_to_thread=True)
def response_page(request: PageRequest, db: DB, me: Me, response_id: FromPath[int]) -> Template:
    return response_page_with(request, db, me, response_id)


def response_page_with(
    request: PageRequest,
    db: DB,
    me: Principal,
    response_id: int,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Template:
    """One response in full, with its flags (and, after a refused flag, what was wrong)."""
    row = db.get(SurveyResponse, response_id)
    if row is None or row.project_id is None:
        raise NotFoundError(f"response {response_id} not found")
    try:
        project = _members_only(db, me, row.project_id)
    except NotFoundError:
        raise NotFoundError(f"response {response_id} not found") from None
    version = db.get(FormVersion, row.form_version_id)
    form = store.form_of(version) if version is not None else None
    language = language_of(request)
    answers = row.answers or {}
    return render(
        request,
        "organisation/response.html",
        me,
        status,
        organisation=organisation_for(db, me, project.organisation_id),
        project=project,
        response=row,
        form=form,
        answers=answer_rows(list(form.children), answers, form, FORM_LANGUAGE[language]) if form else [],
        can_edit=can_edit(me, project.organisation_id),
        flags=response_flags(db, row),
        files=response_files(db, row),
        left_out=flags.left_out(db, [response_id]).get(response_id),
        flag_kinds=flags.MANUAL,
        errors=errors or {},
        values=values or {},
    )


def response_files(db: DB, row: SurveyResponse) -> list[dict[str, Any]]:
    """The response's media files (photos, recordings, documents), each with its member-only
    download (always an attachment, see :mod:`impactkit.api.attachments`) once it has arrived."""
    base = f"/api/v1/responses/{quote(row.instance_id, safe='')}/attachments/"
    return [
        {
            "field": item.field,
            "filename": item.filename,
            "content_type": item.content_type,
            "size": item.size,
            "href": (base + quote(item.filename, safe="") if item.received_at is not None else None),
        }
        for item in media.attachments_of(db, [row.instance_id])
    ]


def response_flags(db: DB, row: SurveyResponse) -> list[dict[str, Any]]:
    """The flags of one response, newest first: what kind, its state, its note, and whether a person
    may take it back (only the flags people set; duplicates are chosen among their set)."""
    found = []
    for flag_set in flags.flag_sets(db, [row.organisation_id], instance_id=row.instance_id):
        for flagged in flag_set.responses:
            found.append(
                {
                    "id": flagged.flag_id,
                    "kind": flag_set.kind,
                    "status": flagged.status,
                    "note": flag_set.note,
                    "withdrawable": flag_set.kind in flags.MANUAL and flagged.status == "excluded",
                    "set_key": flag_set.set_key if flag_set.kind in flags.AUTOMATIC else None,
                }
            )
    return found


def _flaggable(db: DB, me: Principal, response_id: int) -> SurveyResponse:
    """A stored response of a project the caller edits (404 for anyone else, as the page does)."""
    row = db.get(SurveyResponse, response_id)
    if row is None or row.project_id is None or row.erased_at is not None:
        raise NotFoundError(f"response {response_id} not found")
    try:
        project = _members_only(db, me, row.project_id)
    except NotFoundError:
        raise NotFoundError(f"response {response_id} not found") from None
    require_member(me, project.organisation_id, MemberRole.editor)
    return row


@post("/app/responses/{response_id:int}/flags", sync_to_thread=True, status_code=303)
def flag_response_page(
    request: PageRequest, db: DB, me: Me, response_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    """Set a response aside as a test answer or a suspected duplicate: KPIs leave it out (audited)."""
    row = _flaggable(db, me, response_id)
    kind = str(data.get("kind") or "")
    try:
        if kind not in flags.MANUAL:
            raise ImpactkitError("invalid_form", [Problem("choose a kind", "kind", "choice")])
        note = form_text(data, "note", max_length=2000)
        flags.flag_response(db, row, kind, note, actor_user_id=me.user_id)
    except ImpactkitError as exc:
        db.rollback()
        errors = field_errors(exc, language_of(request))
        values = {"kind": kind, "note": str(data.get("note") or "")}
        return response_page_with(request, db, me, response_id, 422, errors=errors, values=values)
    return redirect(f"/app/responses/{response_id}", done="response_flagged", anchor="flags")


@post("/app/responses/{response_id:int}/flags/{flag_id:int}/withdraw", sync_to_thread=True, status_code=303)
def withdraw_flag_page(db: DB, me: Me, response_id: FromPath[int], flag_id: FromPath[int]) -> Redirect:
    """Take a person's flag back: the response counts again (audited)."""
    row = _flaggable(db, me, response_id)
    flags.withdraw_flag(db, row, flag_id, actor_user_id=me.user_id)
    return redirect(f"/app/responses/{response_id}", done="flag_withdrawn", anchor="flags")


def _export(
    db: DB,
    me: Principal,
    project: Project,
    flt: store.ResponseFilter,
    form_id: str,
    language: str,
    write: Callable[[TableStream], tuple[IO[bytes], int]],
) -> tuple[IO[bytes], str]:
    """The responses as one table written by ``write`` (a row at a time), audited with its rows."""
    from impactkit.surveys.tabular import stream_table

    versions = [
        row for row in store.list_form_versions(db, [project.organisation_id]) if row.form_id == form_id
    ]
    if not versions:
        raise NotFoundError(f"form {form_id!r} not found")
    forms = [store.form_of(row) for row in sorted(versions, key=lambda r: r.id or 0)]
    kept = ("instance_id", "submitted_at", "form_version", "period_id", "wave", "respondent_code", "answers")
    rows = ({key: row[key] for key in kept} for row in store.iter_responses(db, flt))
    file, count = write(stream_table(forms, rows, language=FORM_LANGUAGE[language], labels=True))
    audit(
        db,
        "responses.exported",
        actor_user_id=me.user_id,
        organisation_id=project.organisation_id,
        target=f"form:{form_id}",
        details={"rows": count, "project_id": project.id},
    )
    return file, f"{form_id}-project-{project.id}"


def _spooled_xlsx(table: TableStream, sheet_name: str) -> tuple[IO[bytes], int]:
    """``table`` as a workbook written row by row (xlsxwriter's constant memory mode)."""
    import xlsxwriter

    spool = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 - closed by sent_file
    workbook = xlsxwriter.Workbook(
        spool, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({"bold": True})
    for column, header in enumerate(table.header):
        sheet.write_string(0, column, str(header), bold)
    count = 0
    for count, values in enumerate(table.rows, start=1):
        for column, value in enumerate(values):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            if isinstance(value, bool):
                sheet.write_boolean(count, column, value)
            elif isinstance(value, int | float):
                sheet.write_number(count, column, value)
            else:
                sheet.write_string(count, column, neutralise(str(value)))
    sheet.freeze_panes(1, 0)
    workbook.close()
    spool.seek(0)
    return spool, count


def _download_form(db: DB, project_id: int, form: str | None) -> str:
    forms = project_forms(db, project_id)
    if form:
        if form not in forms:
            raise NotFoundError(f"form {form!r} not found in this project")
        return form
    if not forms:
        raise NotFoundError("no responses yet")
    return forms[0]


@get("/app/projects/{project_id:int}/responses.csv", sync_to_thread=True)
def responses_csv(
    request: PageRequest,
    db: DB,
    me: Me,
    project_id: FromPath[int],
    link: FromQuery[int | None] = None,
    wave: FromQuery[str | None] = None,
    period: FromQuery[int | None] = None,
    form: FromQuery[str | None] = None,
    since: FromQuery[str | None] = None,
    until: FromQuery[str | None] = None,
) -> Stream:
    project = _members_only(db, me, project_id)
    form_id = _download_form(db, project_id, form)
    flt, _ = _filters(project, link, wave, period, form_id, since, until)
    file, name = _export(
        db, me, project, flt, form_id, language_of(request), lambda table: spooled_csv(table, bom=True)
    )
    return sent_file(file, media_type="text/csv", filename=f"{name}.csv")


@get("/app/projects/{project_id:int}/responses.xlsx", sync_to_thread=True)
def responses_xlsx(
    request: PageRequest,
    db: DB,
    me: Me,
    project_id: FromPath[int],
    link: FromQuery[int | None] = None,
    wave: FromQuery[str | None] = None,
    period: FromQuery[int | None] = None,
    form: FromQuery[str | None] = None,
    since: FromQuery[str | None] = None,
    until: FromQuery[str | None] = None,
) -> Stream:
    project = _members_only(db, me, project_id)
    form_id = _download_form(db, project_id, form)
    flt, _ = _filters(project, link, wave, period, form_id, since, until)
    file, name = _export(
        db, me, project, flt, form_id, language_of(request), lambda table: _spooled_xlsx(table, form_id)
    )
    return sent_file(file, media_type=XLSX, filename=f"{name}.xlsx")


ROUTES = [
    responses_page,
    response_page,
    flag_response_page,
    withdraw_flag_page,
    responses_csv,
    responses_xlsx,
]
