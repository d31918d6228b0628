"""The OpenRosa doors: ODK Collect, KoBoCollect, Enketo and ODK Web Forms talk to impactkit here.

A collector access (:mod:`impactkit.store.collectors`) gives a device the server address
``https://host/collect/<secret>``; the apps add the OpenRosa paths to it:

- ``GET  /collect/<secret>/formList`` — the forms offered, as an OpenRosa form list (XML);
- ``GET  /collect/<secret>/forms/<id>/form.xml`` — a form version's XForm, written by pyxform;
- ``GET  /collect/<secret>/forms/<id>/manifest`` and ``…/media/<file>`` — the files it reads;
- ``HEAD /collect/<secret>/submission`` — 204 and the largest submission accepted;
- ``POST /collect/<secret>/submission`` — a filled-in form: ``multipart/form-data`` with the
  ``xml_submission_file`` part and one part per media file.

A submission is read onto its form version's answers (:mod:`impactkit.surveys.submission_xml`)
and stored by the same service as the JSON routes: the same validation, idempotent by
``meta/instanceID`` (a resend answers 202), an edit (``meta/deprecatedID``) stored as the next
version of the response. Every answer is OpenRosa XML, with the status codes ODK Collect reads:
201 stored, 202 already stored, 400 not acceptable (the message says why), 401 unknown or revoked
access, 403 a form the access does not offer, 404 unknown form version, 409 a clash with what is
stored, 413 too large.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from litestar import Controller, Request, Response, get, head, post
from litestar.datastructures import State, UploadFile
from litestar.exceptions import ClientException, HTTPException, ValidationException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import FromPath
from sqlalchemy.engine import Engine
from sqlmodel import Session

from impactkit.api.deps import DB
from impactkit.api.surveys import store_submissions
from impactkit.errors import ImpactkitError, NotFoundError, Problem, ResponseError
from impactkit.settings import Settings
from impactkit.store import attachments as media
from impactkit.store import collectors
from impactkit.store import surveys as store
from impactkit.store.tables import FormVersion
from impactkit.surveys.submission_xml import Answers, answers_of, read_submission

OPENROSA_VERSION = "1.0"
XML_TYPE = "text/xml; charset=utf-8"
_RESPONSE_NS = "http://openrosa.org/http/response"
_HARD_BODY_LIMIT = 512 * 1024 * 1024
"""The most any submission request is read (the configured limit, usually far lower, is checked
against Content-Length first and against the parts read)."""


class OpenRosaError(Exception):
    """An OpenRosa request refused: the status and the message the app shows its user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def openrosa_message(text: str, nature: str = "") -> bytes:
    """An ``<OpenRosaResponse>`` document carrying one message."""
    attribute = f" nature={quoteattr(nature)}" if nature else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<OpenRosaResponse xmlns="{_RESPONSE_NS}">'
        f"<message{attribute}>{escape(text)}</message></OpenRosaResponse>"
    ).encode()


def _headers(settings: Settings | None = None) -> dict[str, str]:
    headers = {"X-OpenRosa-Version": OPENROSA_VERSION}
    if settings is not None:
        headers["X-OpenRosa-Accept-Content-Length"] = str(settings.max_submission_bytes)
    return headers


def _xml(body: bytes, status: int = 200, settings: Settings | None = None) -> Response[bytes]:
    return Response(body, status_code=status, media_type=XML_TYPE, headers=_headers(settings))


def _message(status: int, text: str, settings: Settings | None = None) -> Response[bytes]:
    nature = "submit_success" if status in (201, 202) else "error"
    return _xml(openrosa_message(text, nature), status, settings)


def _handle_openrosa_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    settings: Settings = request.app.state.settings
    if isinstance(exc, OpenRosaError):
        return _message(exc.status, exc.message, settings)
    if isinstance(exc, RequestEntityTooLarge):
        return _message(413, _too_large(settings), settings)
    if isinstance(exc, ImpactkitError):
        status = 400 if exc.status_code == 422 else exc.status_code
        return _message(status, _problems_text(exc.message, exc.problems), settings)
    if isinstance(exc, ValidationException | ClientException):
        return _message(400, f"the request cannot be read: {exc.detail}", settings)
    if isinstance(exc, HTTPException):
        return _message(exc.status_code, str(exc.detail), settings)
    raise exc


def _too_large(settings: Settings) -> str:
    return (
        f"la richiesta supera {settings.max_submission_bytes // (1024 * 1024)} MiB / "
        f"the request is larger than {settings.max_submission_bytes // (1024 * 1024)} MiB"
    )


def _problems_text(summary: str, problems: list[Problem]) -> str:
    lines = [summary] + [f"- {problem}" for problem in problems[:20]]
    if len(problems) > 20:
        lines.append(f"… and {len(problems) - 20} more")
    return "\n".join(lines)


# --- who is asking -----------------------------------------------------------------------------

_UNKNOWN = (
    "accesso per la raccolta sconosciuto o revocato: chiedi all'organizzazione un nuovo codice QR / "
    "unknown or revoked collector access: ask the organisation for a new QR code"
)


def _collector_now(engine: Engine, secret: str) -> collectors.Collector:
    with Session(engine) as session:
        found = collectors.load_collector(session, engine, secret)
    return _usable(found)


def _usable(found: collectors.Collector | None) -> collectors.Collector:
    if found is None or found.revoked:
        raise OpenRosaError(401, _UNKNOWN)
    return found


async def _collector(engine: Engine, secret: str) -> collectors.Collector:
    cached = collectors.cached_collector(engine, secret)
    if cached is not None:
        return _usable(cached)
    return await asyncio.get_running_loop().run_in_executor(None, _collector_now, engine, secret)


def _collector_in(db: Session, engine: Engine, secret: str) -> collectors.Collector:
    return _usable(
        collectors.cached_collector(engine, secret) or collectors.load_collector(db, engine, secret)
    )


def _offered(db: Session, collector: collectors.Collector, form_version_id: int) -> FormVersion:
    """A form version the access may hand out: its organisation's or a shared one (any version:
    a device may still hold an older one), among the access's forms when it names them."""
    row = db.get(FormVersion, form_version_id)
    if row is None or row.organisation_id not in (None, collector.organisation_id):
        raise OpenRosaError(404, f"form version {form_version_id} not found")
    if collector.form_ids and row.form_id not in collector.form_ids:
        raise OpenRosaError(403, f"this collector access does not offer form {row.form_id!r}")
    return row


def _base_url(request: Request[Any, Any, Any], secret: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/collect/{secret}"


# --- the controller ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    filename: str
    data: bytes


class OpenRosaController(Controller):
    path = "/collect/{collector_secret:str}"
    tags = ["OpenRosa (ODK Collect, Enketo)"]
    exception_handlers = {
        OpenRosaError: _handle_openrosa_error,
        ImpactkitError: _handle_openrosa_error,
        HTTPException: _handle_openrosa_error,
    }
    security = [{}]  # the secret in the address is the credential

    @get(
        "/formList",
        summary="OpenRosa form list: the forms this collector access offers (XML)",
        sync_to_thread=True,
        media_type=XML_TYPE,
    )
    def form_list(
        self, request: Request[Any, Any, Any], collector_secret: FromPath[str], db: DB, state: State
    ) -> Response[bytes]:
        collector = _collector_in(db, state.engine, collector_secret)
        base = _base_url(request, collector_secret)
        wanted = request.query_params.get("formID")
        items = []
        for row in collectors.offered_versions(db, collector.organisation_id, list(collector.form_ids)):
            if wanted and row.form_id != wanted:
                continue
            source = store.form_source(db, row.id or 0)
            assert source is not None
            manifest = (
                f"<manifestUrl>{escape(f'{base}/forms/{row.id}/manifest')}</manifestUrl>"
                if source.media
                else ""
            )
            items.append(
                "<xform>"
                f"<formID>{escape(row.form_id)}</formID>"
                f"<name>{escape(row.title)}</name>"
                f"<version>{escape(row.version)}</version>"
                f"<hash>md5:{source.xform_md5}</hash>"
                f"<downloadUrl>{escape(f'{base}/forms/{row.id}/form.xml')}</downloadUrl>"
                f"{manifest}</xform>"
            )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<xforms xmlns="http://openrosa.org/xforms/xformsList">'
            + "".join(items)
            + "</xforms>"
        )
        return _xml(body.encode("utf-8"))

    @get(
        "/forms/{form_version_id:int}/form.xml",
        summary="OpenRosa form download: a form version's XForm",
        sync_to_thread=True,
        media_type=XML_TYPE,
    )
    def form_download(
        self, collector_secret: FromPath[str], form_version_id: FromPath[int], db: DB, state: State
    ) -> Response[bytes]:
        collector = _collector_in(db, state.engine, collector_secret)
        row = _offered(db, collector, form_version_id)
        source = store.form_source(db, form_version_id)
        if source is None:
            raise OpenRosaError(404, f"form version {row.id} has no XForm: publish its XLSForm file again")
        response = _xml(source.xform.encode("utf-8"))
        response.headers["ETag"] = f'"{source.xform_md5}"'
        return response

    @get(
        "/forms/{form_version_id:int}/manifest",
        summary="OpenRosa manifest: the files a form version reads besides its XForm (XML)",
        sync_to_thread=True,
        media_type=XML_TYPE,
    )
    def manifest(
        self,
        request: Request[Any, Any, Any],
        collector_secret: FromPath[str],
        form_version_id: FromPath[int],
        db: DB,
        state: State,
    ) -> Response[bytes]:
        import hashlib

        collector = _collector_in(db, state.engine, collector_secret)
        _offered(db, collector, form_version_id)
        source = store.form_source(db, form_version_id)
        base = _base_url(request, collector_secret)
        files = []
        for name, text in sorted((source.media if source else {}).items()):
            digest = hashlib.md5(str(text).encode("utf-8"), usedforsecurity=False).hexdigest()
            files.append(
                f"<mediaFile><filename>{escape(name)}</filename><hash>md5:{digest}</hash>"
                f"<downloadUrl>{escape(f'{base}/forms/{form_version_id}/media/{name}')}</downloadUrl></mediaFile>"
            )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<manifest xmlns="http://openrosa.org/xforms/xformsManifest">'
            + "".join(files)
            + "</manifest>"
        )
        return _xml(body.encode("utf-8"))

    @get(
        "/forms/{form_version_id:int}/media/{filename:str}",
        summary="A file a form version reads (e.g. itemsets.csv for external choices)",
        sync_to_thread=True,
        media_type="text/csv",
    )
    def media_file(
        self,
        collector_secret: FromPath[str],
        form_version_id: FromPath[int],
        filename: FromPath[str],
        db: DB,
        state: State,
    ) -> Response[bytes]:
        collector = _collector_in(db, state.engine, collector_secret)
        _offered(db, collector, form_version_id)
        source = store.form_source(db, form_version_id)
        text = (source.media if source else {}).get(filename)
        if text is None:
            raise OpenRosaError(404, f"form version {form_version_id} has no file {filename!r}")
        return Response(
            str(text).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={**_headers(), "Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @head(
        "/submission",
        summary="OpenRosa: may a submission be sent here, and how large (204)",
        status_code=204,
    )
    async def submission_head(self, collector_secret: FromPath[str], state: State) -> Response[None]:
        await _collector(state.engine, collector_secret)
        return Response(None, status_code=204, headers=_headers(state.settings))

    @get(
        "/submission",
        summary="OpenRosa: may a submission be sent here, and how large (204; some clients GET)",
        status_code=204,
    )
    async def submission_probe(self, collector_secret: FromPath[str], state: State) -> Response[None]:
        await _collector(state.engine, collector_secret)
        return Response(None, status_code=204, headers=_headers(state.settings))

    @post(
        "/submission",
        summary="OpenRosa submission: multipart/form-data with xml_submission_file and media parts",
        request_max_body_size=_HARD_BODY_LIMIT,
        media_type=XML_TYPE,
    )
    async def submit(
        self, request: Request[Any, Any, Any], collector_secret: FromPath[str], state: State
    ) -> Response[bytes]:
        settings: Settings = state.settings
        engine: Engine = state.engine
        collector = await _collector(engine, collector_secret)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_submission_bytes:
            raise OpenRosaError(413, _too_large(settings))
        xml, parts = await _read_parts(request, settings)
        status, text = await receive_submission(engine, settings, collector, xml, parts)
        return _message(status, text, settings)


async def _read_parts(request: Request[Any, Any, Any], settings: Settings) -> tuple[bytes, list[_Part]]:
    """The XML and the files of a multipart submission (files closed once read)."""
    content_type, _ = request.content_type
    if content_type != "multipart/form-data":
        raise OpenRosaError(
            400, "an OpenRosa submission is multipart/form-data with an xml_submission_file part"
        )
    form = await request.form()
    xml: bytes | None = None
    parts: list[_Part] = []
    total = 0
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                total += len(data)
                if total > settings.max_submission_bytes:
                    raise OpenRosaError(413, _too_large(settings))
                if name == "xml_submission_file":
                    xml = data
                else:
                    parts.append(_Part(value.filename or name, data))
            elif name == "xml_submission_file":
                xml = value.encode("utf-8")
            # other text fields (e.g. *isIncomplete*) say nothing impactkit needs
    finally:
        for _, value in form.multi_items():
            if isinstance(value, UploadFile):
                with contextlib.suppress(Exception):
                    await value.close()
    if xml is None:
        raise OpenRosaError(400, "the submission has no xml_submission_file part")
    return xml, parts


_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})")


def _collected_on(form_answers: dict[str, Any], types: dict[str, str]) -> date:
    """The day the answers were collected: the form's end, start or today metadata, else today."""
    for wanted in ("end", "start", "today"):
        for name, kind in types.items():
            if kind == wanted and isinstance(form_answers.get(name), str):
                match = _DAY.match(form_answers[name])
                if match:
                    with contextlib.suppress(ValueError):
                        return date.fromisoformat(match[1])
    return datetime.now(UTC).date()


def _period(engine: Engine, collector: collectors.Collector, day: date) -> int | None:
    """The period of a response collected on ``day``; raises CacheMiss when the database must say."""
    if collector.period_id is not None:
        return collector.period_id
    periods = collectors.project_periods(None, engine, collector.project_id)
    if periods is None:
        raise store.CacheMiss
    return collectors.period_on(periods, day)


def _period_now(engine: Engine, collector: collectors.Collector, day: date) -> int | None:
    with Session(engine) as session:
        periods = collectors.project_periods(session, engine, collector.project_id) or []
    return collectors.period_on(periods, day)


def _form_now(engine: Engine, organisation_id: int, form_id: str, version: str) -> FormVersion:
    with Session(engine) as session:
        return store.cached_form_version(session, engine, organisation_id, form_id, version)


_STORED_IT = "Risposta ricevuta"
_STORED_EN = "submission received"


async def receive_submission(
    engine: Engine,
    settings: Settings,
    collector: collectors.Collector,
    xml: bytes,
    parts: list[_Part],
) -> tuple[int, str]:
    """Read, check and store one OpenRosa submission; (HTTP status, message for the app's user)."""
    loop = asyncio.get_running_loop()
    submission = read_submission(xml)
    if collector.form_ids and submission.form_id not in collector.form_ids:
        raise OpenRosaError(403, f"this collector access does not offer form {submission.form_id!r}")
    if not submission.version:
        raise OpenRosaError(400, "the root element has no version attribute: download the form again")
    try:
        try:
            row = store.cached_form_version(
                None, engine, collector.organisation_id, submission.form_id, submission.version
            )
        except store.CacheMiss:
            row = await loop.run_in_executor(
                None, _form_now, engine, collector.organisation_id, submission.form_id, submission.version
            )
    except NotFoundError as error:
        raise OpenRosaError(404, error.message) from None
    form = store.form_of(row)
    read: Answers = answers_of(form, submission)
    files = _files_of(read, parts, settings)
    day = _collected_on(read.answers, {f.name: f.type for f in form.fields()})
    try:
        period = _period(engine, collector, day)
    except store.CacheMiss:
        period = await loop.run_in_executor(None, _period_now, engine, collector, day)
    envelope = store.Submission(
        instance_id=submission.instance_id,
        form_id=submission.form_id,
        form_version=submission.version,
        project_id=collector.project_id,
        answers=read.answers,
        period_id=period,
        wave=collector.wave,
        source=collector.source,
    )
    allowed = {collector.organisation_id}
    if submission.deprecated_id is not None:
        result = await loop.run_in_executor(
            None, _store_edit, engine, envelope, submission.deprecated_id, allowed
        )
    else:
        [result] = await store_submissions(engine, [envelope], allowed)
    if result.status in ("stored", "already_stored"):
        arrived = 0
        if read.media:
            arrived = await loop.run_in_executor(
                None,
                _keep_files,
                engine,
                settings,
                collector.organisation_id,
                submission.instance_id,
                read,
                files,
            )
        if result.status == "stored":
            return 201, f"{_STORED_IT} / {_STORED_EN}"
        if arrived:
            return 201, f"File ricevuti: {arrived} / files received: {arrived}"
        return 202, "Risposta già ricevuta / submission already received"
    detail = _problems_text("", [_problem(e) for e in result.errors]).strip()
    if result.status == "invalid":
        return 400, f"La risposta non è valida / the submission does not fit its form:\n{detail}"
    if result.status == "not_found":
        return 404, detail
    return 409, detail


def _problem(error: dict[str, Any]) -> Problem:
    return Problem(str(error.get("message", "")), str(error.get("location", "")), str(error.get("code", "")))


def _files_of(read: Answers, parts: list[_Part], settings: Settings) -> list[media.CheckedFile]:
    """The media parts, each matched to the answer naming it, and checked (nothing written)."""
    named = {answer.filename: answer for answer in read.media}
    problems: list[Problem] = []
    incoming: list[media.IncomingFile] = []
    for part in parts:
        answer = named.get(part.filename)
        if answer is None:
            problems.append(
                Problem(
                    f"no answer of the submission names the file {part.filename!r}",
                    part.filename,
                    "unexpected_file",
                )
            )
            continue
        incoming.append(media.IncomingFile(answer.location, part.filename, answer.question_type, part.data))
    if problems:
        raise ResponseError("a file of the submission is not named by any answer", problems)
    limits = media.limits_with(settings.max_attachment_bytes)
    if len(read.media) > limits.max_files:
        raise ResponseError(
            "the submission names too many files",
            [Problem(f"at most {limits.max_files} files per response", "files", "too_many_files")],
        )
    try:
        return media.check_files(incoming, limits)
    except ResponseError as error:
        if any(p.code == "file_too_large" for p in error.problems):
            raise OpenRosaError(413, _problems_text(error.message, error.problems)) from None
        raise


def _keep_files(
    engine: Engine,
    settings: Settings,
    organisation_id: int,
    instance_id: str,
    read: Answers,
    files: list[media.CheckedFile],
) -> int:
    media.write_files(settings.data_dir, organisation_id, files)
    with Session(engine) as session:
        arrived = media.record_attachments(
            session,
            organisation_id=organisation_id,
            instance_id=instance_id,
            named=[(answer.location, answer.filename) for answer in read.media],
            received=files,
        )
        session.commit()
    return arrived


def _store_edit(
    engine: Engine, envelope: store.Submission, replaces: str, allowed: set[int]
) -> store.ItemResult:
    from impactkit.store.versions import store_edit

    with Session(engine) as session:
        result = store_edit(session, envelope, replaces, allowed_organisations=allowed)
        if result.status == "stored":
            session.commit()
        else:
            session.rollback()
    return result


OPENROSA_CONTROLLERS = [OpenRosaController]

__all__ = [
    "OPENROSA_CONTROLLERS",
    "OpenRosaController",
    "OpenRosaError",
    "openrosa_message",
    "receive_submission",
]
