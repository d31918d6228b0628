"""Survey routes: publish XLSForm versions, collect responses (single and batch), read them back."""

from __future__ import annotations

import asyncio
import base64
import binascii
import builtins
import contextlib
import re
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody, QueryParameter
from litestar.response import Stream
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session

from impactkit.api.access import Principal, require_member
from impactkit.api.deps import DB, Caller
from impactkit.api.downloads import sent_file, spooled_csv
from impactkit.api.problems import PROBLEM_JSON
from impactkit.api.requests import UNSTORABLE_TEXT_PER_ITEM, upload_filename
from impactkit.domain import MemberRole
from impactkit.errors import FormError, NotFoundError, Problem, ResponseError
from impactkit.store import surveys as store
from impactkit.store.admin import audit
from impactkit.store.checking import (
    CHUNK_MIN,
    CheckedChunk,
    check_chunk,
    chunk_bounds,
    helpers_for,
    repeats_an_id,
)
from impactkit.store.references import check_filters
from impactkit.store.schemas import ResponseIn
from impactkit.store.tables import FormSource, FormVersion
from impactkit.store.writer import writer_for
from impactkit.surveys.tabular import MAIN_TABLE, stream_table, table_names
from impactkit.surveys.xlsform import load_xlsform

MAX_FORM_BYTES = 5 * 1024 * 1024


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    responses: list[Any] = Field(description="Responses, each shaped like a single submission")


class ItemOut(BaseModel):
    index: int
    instance_id: str | None
    status: str = Field(
        description="stored | already_stored | conflict | erased | invalid | not_found | link_closed"
    )
    errors: list[dict[str, Any]] = Field(default_factory=list)


class BatchOut(BaseModel):
    results: list[ItemOut]
    stored: int
    already_stored: int
    failed: int


class FormVersionOut(BaseModel):
    id: int
    form_id: str
    version: str
    title: str
    organisation_id: int | None
    shared: bool
    languages: list[str]
    fields: int
    warnings: list[str]
    created: bool | None = None


class ResponseOut(BaseModel):
    instance_id: str
    form_id: str
    form_version: str
    organisation_id: int
    project_id: int | None
    period_id: int | None
    wave: str | None
    respondent_code: str | None
    weight: float | None
    submitted_at: str
    erased: bool
    answers: dict[str, Any] | None
    version: int = Field(default=1, description="1, or the number of the edit this version is")
    source: str = Field(default="api", description="api, link:<id>, collect:<id> (ODK app) …")


class ResponsePage(BaseModel):
    items: list[ResponseOut]
    next_cursor: str | None


@dataclass
class FormUpload:
    file: UploadFile


def _version_out(row: FormVersion, created: bool | None = None) -> FormVersionOut:
    form = store.form_of(row)
    assert row.id is not None
    return FormVersionOut(
        id=row.id,
        form_id=row.form_id,
        version=row.version,
        title=row.title,
        organisation_id=row.organisation_id,
        shared=row.organisation_id is None,
        languages=form.languages,
        fields=sum(1 for _ in form.fields()),
        warnings=form.warnings,
        created=created,
    )


def writable_organisations(principal: Principal) -> set[int] | None:
    """Organisations the caller may submit responses to (None: every one, for administrators)."""
    if principal.is_admin:
        return None
    return {org for org, role in principal.roles.items() if role in (MemberRole.owner, MemberRole.editor)}


def readable_organisations(principal: Principal) -> list[int] | None:
    return None if principal.is_admin else sorted(principal.roles)


class FormController(Controller):
    tags = ["forms"]

    @post(
        "/api/v1/organisations/{organisation_id:int}/forms",
        summary="Publish an XLSForm (.xlsx/.xls) as a new form version of the organisation (owner, editor)",
        sync_to_thread=True,
    )
    def upload(
        self, organisation_id: FromPath[int], data: MultipartBody[FormUpload], principal: Caller, db: DB
    ) -> Response[FormVersionOut]:
        require_member(principal, organisation_id, MemberRole.editor)
        return self._publish(db, data, organisation_id)

    @post(
        "/api/v1/forms",
        summary="Publish an XLSForm shared by every organisation (administrator)",
        sync_to_thread=True,
    )
    def upload_shared(
        self, data: MultipartBody[FormUpload], principal: Caller, db: DB
    ) -> Response[FormVersionOut]:
        if not principal.is_admin:
            raise NotFoundError("not found")
        return self._publish(db, data, None)

    @staticmethod
    def _publish(db: DB, data: FormUpload, organisation_id: int | None) -> Response[FormVersionOut]:
        upload = data.file
        content = upload.file.read(MAX_FORM_BYTES + 1)
        if len(content) > MAX_FORM_BYTES:
            raise FormError(
                "the form file is too large",
                [Problem(f"at most {MAX_FORM_BYTES // (1024 * 1024)} MiB", location="file")],
            )
        filename = upload_filename(upload)
        form = load_xlsform(content, filename or "form.xlsx")
        row, created = store.publish_form(
            db, form, organisation_id=organisation_id, source_filename=filename, source=content
        )
        return Response(_version_out(row, created), status_code=201 if created else 200)

    @get(
        "/api/v1/forms",
        summary="Form versions the caller can use: shared ones and its organisations' own",
        sync_to_thread=True,
    )
    def list(self, principal: Caller, db: DB) -> builtins.list[FormVersionOut]:
        return [_version_out(row) for row in store.list_form_versions(db, readable_organisations(principal))]

    @get(
        "/api/v1/forms/{form_version_id:int}",
        summary="One form version with its whole definition (users who can see it)",
        sync_to_thread=True,
    )
    def read(self, form_version_id: FromPath[int], principal: Caller, db: DB) -> dict[str, Any]:
        row = self._visible(db, principal, form_version_id)
        return {**_version_out(row).model_dump(), "definition": row.definition}

    @get(
        "/api/v1/forms/{form_version_id:int}/xform",
        summary="The XForm of a form version, as ODK Collect and Enketo download it (users who can see it)",
        sync_to_thread=True,
        media_type="application/xml",
    )
    def xform(self, form_version_id: FromPath[int], principal: Caller, db: DB) -> Response[bytes]:
        row = self._visible(db, principal, form_version_id)
        source = _source_of(db, row)
        return Response(
            source.xform.encode("utf-8"),
            media_type="application/xml; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{_file_stem(row)}.xml"',
                "ETag": f'"{source.xform_md5}"',
            },
        )

    @get(
        "/api/v1/forms/{form_version_id:int}/xlsform",
        summary="The XLSForm file a form version was published from (users who can see it)",
        sync_to_thread=True,
        media_type="application/octet-stream",
    )
    def xlsform(self, form_version_id: FromPath[int], principal: Caller, db: DB) -> Response[bytes]:
        row = self._visible(db, principal, form_version_id)
        source = _source_of(db, row)
        is_xls = source.xlsform[:8] == bytes.fromhex("d0cf11e0a1b11ae1")
        extension, media_type = (
            ("xls", "application/vnd.ms-excel")
            if is_xls
            else ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )
        return Response(
            source.xlsform,
            media_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="{_file_stem(row)}.{extension}"'},
        )

    @staticmethod
    def _visible(db: DB, principal: Principal, form_version_id: int) -> FormVersion:
        row = db.get(FormVersion, form_version_id)
        visible = readable_organisations(principal)
        if row is None or (
            row.organisation_id is not None and visible is not None and row.organisation_id not in visible
        ):
            raise NotFoundError(f"form version {form_version_id} not found")
        return row


def _source_of(db: DB, row: FormVersion) -> FormSource:
    assert row.id is not None
    source = store.form_source(db, row.id)
    if source is None:
        raise NotFoundError(
            f"form version {row.id} was published before impactkit kept XLSForm files; publish the "
            "same file again to add its XLSForm and XForm"
        )
    return source


def _file_stem(row: FormVersion) -> str:
    """``form_id-version`` with only safe characters, for a download's file name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", f"{row.form_id}-{row.version}")[:120]


def _prepare_with_session(
    engine: Engine, submissions: builtins.list[store.Submission], allowed: set[int] | None
) -> store.Prepared:
    with Session(engine) as session:
        return store.prepare_responses(session, engine, submissions, allowed_organisations=allowed)


async def _store(
    engine: Engine, submissions: builtins.list[store.Submission], allowed: set[int] | None
) -> builtins.list[store.ItemResult]:
    """Check and store submissions without tying up a thread while they wait to be written.

    One response is checked on the event loop when the look-ups it needs are cached (they
    usually are); a batch, or a response needing the database, is checked in a worker thread.
    The rows then go to the process's writer, which commits them with whatever else is
    waiting (group commit), and the request resumes once they are committed.
    """
    loop = asyncio.get_running_loop()
    prepared: store.Prepared | None = None
    if len(submissions) == 1:
        with contextlib.suppress(store.CacheMiss):
            prepared = store.prepare_responses(None, engine, submissions, allowed_organisations=allowed)
    if prepared is None:
        prepared = await loop.run_in_executor(None, _prepare_with_session, engine, submissions, allowed)
    if prepared.rows:
        await asyncio.wrap_future(writer_for(engine).submit(prepared))
    return prepared.outcome()


async def store_submissions(
    engine: Engine, submissions: builtins.list[store.Submission], allowed: set[int] | None
) -> builtins.list[store.ItemResult]:
    """Check and store submissions as the JSON routes do (group commit); one result each, in order.

    Args:
        allowed: organisations the caller may write to (None: any).
    """
    return await _store(engine, submissions, allowed)


async def _store_batch(
    engine: Engine, raw_items: builtins.list[Any], allowed: set[int] | None, helper_count: int
) -> builtins.list[store.ItemResult]:
    """Check and store a batch, one result per item in order.

    A large batch that repeats no instance id is cut into chunks that helper processes check
    on every core (see :mod:`impactkit.store.checking`); the response writer inserts each chunk
    as it comes back. Any other batch, or a chunk whose helper died, is checked here in a
    worker thread.
    """
    loop = asyncio.get_running_loop()
    writer = writer_for(engine)

    def here(start: int, stop: int) -> asyncio.Future[CheckedChunk]:
        return loop.run_in_executor(None, check_chunk, engine, raw_items[start:stop], start, allowed)

    helpers = helpers_for(engine, helper_count) if len(raw_items) >= 2 * CHUNK_MIN else None
    if helpers is None or repeats_an_id(raw_items):
        bounds = [(0, len(raw_items))]
        checking = [here(0, len(raw_items))]
    else:
        bounds = chunk_bounds(len(raw_items), helpers.processes)
        checking = []
        for start, stop in bounds:
            try:
                checking.append(asyncio.wrap_future(helpers.check(raw_items[start:stop], start, allowed)))
            except BrokenProcessPool:  # a helper had died: new ones start with the next batch
                checking.append(here(start, stop))
    chunks: builtins.list[CheckedChunk] = []
    writing: builtins.list[asyncio.Future[None]] = []
    try:
        for (start, stop), task in zip(bounds, checking, strict=True):
            try:
                chunk = await task
            except BrokenProcessPool:  # its helper died: check the chunk here
                chunk = await here(start, stop)
            chunks.append(chunk)
            if chunk.prepared.rows:
                writing.append(asyncio.wrap_future(writer.submit(chunk.prepared)))
        await asyncio.gather(*writing)
    finally:
        for task in checking:
            task.cancel()
    return [result for chunk in chunks for result in chunk.results()]


def _encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"r{last_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("r"):
            raise ValueError(text)
        return int(text[1:])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ResponseError(
            "invalid cursor", [Problem("use next_cursor from the previous page", "cursor")]
        ) from None


class ResponseController(Controller):
    path = "/api/v1/responses"
    tags = ["responses"]

    @post("/", summary="Submit one response (owner, editor); idempotent by instance_id")
    async def submit(self, data: JSONBody[ResponseIn], principal: Caller, state: State) -> Response[Any]:
        results = await _store(state.engine, [data.submission()], writable_organisations(principal))
        result = results[0]
        body = ItemOut(index=0, instance_id=result.instance_id, status=result.status, errors=result.errors)
        if result.status in ("stored", "already_stored"):
            return Response(body, status_code=result.http_status)
        detail = {
            "conflict": "this instance id is already stored with different content",
            "erased": "this response was erased; its instance id stays blocked",
            "invalid": "the response does not fit its form version",
            "not_found": result.errors[0]["message"] if result.errors else "not found",
            "link_closed": result.errors[0]["message"] if result.errors else "the survey link is closed",
        }[result.status]
        return Response(
            {
                "type": f"urn:impactkit:problem:{result.status}",
                "title": detail,
                "status": result.http_status,
                "detail": detail,
                "instance_id": result.instance_id,
                "errors": result.errors,
            },
            status_code=result.http_status,
            media_type=PROBLEM_JSON,
        )

    @post(
        "/batch",
        summary="Submit many responses in one request (owner, editor); a result per item",
        status_code=200,
        opt={UNSTORABLE_TEXT_PER_ITEM: True},  # an item with a NUL or a lone surrogate fails alone
    )
    async def submit_batch(
        self, data: JSONBody[BatchIn], principal: Caller, state: State
    ) -> Response[BatchOut]:
        limit = state.settings.max_batch
        if len(data.responses) > limit:
            raise ResponseError(
                "the batch is too large",
                [Problem(f"at most {limit} responses per batch, got {len(data.responses)}", "responses")],
            )
        results = await _store_batch(
            state.engine, data.responses, writable_organisations(principal), state.settings.check_processes
        )
        stored = already_stored = 0
        items = []
        for result in results:
            stored += result.status == "stored"
            already_stored += result.status == "already_stored"
            items.append(
                {
                    "index": result.index,
                    "instance_id": result.instance_id,
                    "status": result.status,
                    "errors": result.errors,
                }
            )
        # BatchOut's shape, written without building and dumping a model per item (a tenth of a
        # batch's time in the server process); the OpenAPI document still shows BatchOut
        body: dict[str, Any] = {
            "results": items,
            "stored": stored,
            "already_stored": already_stored,
            "failed": len(items) - stored - already_stored,
        }
        return Response(body, status_code=200)  # type: ignore[arg-type]

    @get("/", summary="Read responses (members), filtered, with cursor pagination", sync_to_thread=True)
    def list(
        self,
        principal: Caller,
        db: DB,
        form_id: FromQuery[str | None] = None,
        form_version: FromQuery[str | None] = None,
        project_id: FromQuery[int | None] = None,
        period_id: FromQuery[int | None] = None,
        wave: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> ResponsePage:
        check_filters(db, readable_organisations(principal), project_id, period_id)
        flt = store.ResponseFilter(
            organisation_ids=readable_organisations(principal),
            form_id=form_id,
            form_version=form_version,
            project_id=project_id,
            period_id=period_id,
            wave=wave,
        )
        rows = store.read_responses(db, flt, after_id=_decode_cursor(cursor), limit=limit)
        items = [
            ResponseOut(
                instance_id=row["instance_id"],
                form_id=row["form_id"],
                form_version=row["form_version"],
                organisation_id=row["organisation_id"],
                project_id=row["project_id"],
                period_id=row["period_id"],
                wave=row["wave"],
                respondent_code=row["respondent_code"],
                weight=row["weight"],
                submitted_at=str(row["submitted_at"]),
                erased=row["erased_at"] is not None,
                answers=row["answers"],
                version=row["version"],
                source=row["source"],
            )
            for row in rows
        ]
        next_cursor = _encode_cursor(rows[-1]["id"]) if len(rows) == limit else None
        return ResponsePage(items=items, next_cursor=next_cursor)


class ExportController(Controller):
    tags = ["responses"]

    @get(
        "/api/v1/responses/export.csv",
        summary="Responses of one form (all versions) as CSV: names or labels, split choices, repeat tables",
        sync_to_thread=True,
        media_type="text/csv",
    )
    def export_csv(
        self,
        principal: Caller,
        db: DB,
        form_id: FromQuery[str],
        table: FromQuery[str] = MAIN_TABLE,
        language: FromQuery[str | None] = None,
        labels: FromQuery[bool] = False,
        split_multiple: FromQuery[bool] = False,
        project_id: FromQuery[int | None] = None,
        period_id: FromQuery[int | None] = None,
        wave: FromQuery[str | None] = None,
    ) -> Stream:
        visible = readable_organisations(principal)
        check_filters(db, visible, project_id, period_id)
        versions = [row for row in store.list_form_versions(db, visible) if row.form_id == form_id]
        if not versions:
            raise NotFoundError(f"form {form_id!r} not found")
        forms = [store.form_of(row) for row in sorted(versions, key=lambda r: r.id or 0)]
        flt = store.ResponseFilter(
            organisation_ids=visible, form_id=form_id, project_id=project_id, period_id=period_id, wave=wave
        )
        try:
            rows = stream_table(
                forms,
                store.iter_responses(db, flt),
                table=table,
                language=language,
                labels=labels,
                split_multiple=split_multiple,
            )
        except KeyError:
            raise NotFoundError(
                f"no table {table!r}; this form has: {', '.join(table_names(forms))}"
            ) from None
        file, count = spooled_csv(rows)
        audit(
            db,
            "responses.exported",
            actor_user_id=principal.user_id,
            target=f"form:{form_id}",
            details={"table": table, "rows": count},
        )
        return sent_file(file, media_type="text/csv", filename=f"{form_id}-{table}.csv")


SURVEY_CONTROLLERS = [FormController, ResponseController, ExportController]
