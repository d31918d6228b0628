"""Published form versions and survey responses: idempotent by instance id, validated per version.

The hot path (submitting responses) uses SQLAlchemy Core with a few round trips per request:
one look-up of the instance ids already stored, one insert of the new rows.
"""

from __future__ import annotations

import json
import re
import time
import uuid
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from threading import Lock
from typing import Any

import msgspec
from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from impactkit.errors import ConflictError, FormError, NotFoundError, Problem, ResponseError
from impactkit.store.canonical import canonical_hash
from impactkit.store.changes import touch_projects
from impactkit.store.db import claim_sqlite_writer
from impactkit.store.flags import answers_digest, flag_arrivals, mark_erased
from impactkit.store.links import (
    LINK_SOURCE_PREFIX,
    claim_link_places,
    count_link_responses,
    uncount_link_responses,
)
from impactkit.store.tables import FormSource, FormVersion, Project, ReportingPeriod, SurveyResponse
from impactkit.store.types import utcnow
from impactkit.surveys.model import Form, check_new_version
from impactkit.surveys.validation import validate_response
from impactkit.text import check_storable, shown, text_problem, unstorable_text

SHARED = "shared"

_response = SurveyResponse.__table__  # type: ignore[attr-defined]


def owner_key(organisation_id: int | None) -> str:
    return SHARED if organisation_id is None else f"org:{organisation_id}"


# Published versions never change, so their parsed forms can be cached for the life of the process
# (by id and content: one process may serve several databases, e.g. in tests).
_form_cache: dict[tuple[int, str], Form] = {}
_form_cache_lock = Lock()


def form_of(row: FormVersion) -> Form:
    """The parsed form of a stored version (cached: a published version never changes)."""
    assert row.id is not None
    key = (row.id, row.content_hash)
    cached = _form_cache.get(key)
    if cached is None:
        cached = Form.model_validate(row.definition)
        with _form_cache_lock:
            _form_cache[key] = cached
    return cached


def publish_form(
    session: Session,
    form: Form,
    *,
    organisation_id: int | None,
    source_filename: str = "",
    source: bytes | None = None,
) -> tuple[FormVersion, bool]:
    """Store ``form`` as a published version; returns the row and whether it is new.

    Uploading the very same form again is harmless (the stored row comes back). A different
    form under a version already published is a conflict: published versions never change.
    A new version may not change the type of a field an earlier version has.

    Args:
        source: the XLSForm file ``form`` was read from. It is kept, with the XForm pyxform
            writes from it (see :func:`form_source`); a version published without it (before
            sources were kept) gets them when the same form is published again with its file.

    Raises:
        FormError: pyxform cannot write the XForm of ``source``.
    """
    definition = form.model_dump(mode="json")
    check_storable(definition, "form", what=f"form {shown(form.form_id)!r}")  # whatever built it
    digest = canonical_hash(definition)
    key = owner_key(organisation_id)
    existing = session.exec(  # type: ignore[call-overload]
        select(FormVersion).where(FormVersion.owner_key == key, FormVersion.form_id == form.form_id)  # type: ignore[arg-type]
    ).all()
    for (row,) in existing:
        if row.version == form.version:
            if row.content_hash == digest:
                if source is not None:
                    _keep_source(session, row, form, source)
                return row, False
            raise ConflictError(
                f"version {form.version!r} of form {form.form_id!r} is already published and never "
                "changes; give the changed form a new version (settings sheet, column version)"
            )
    if existing:
        latest = max((row for (row,) in existing), key=lambda r: r.id or 0)
        problems = check_new_version(form_of(latest), form)
        if problems:
            raise FormError(
                f"form {form.form_id!r} version {form.version!r} cannot follow version {latest.version!r}",
                problems,
            )
    row = FormVersion(
        organisation_id=organisation_id,
        owner_key=key,
        form_id=form.form_id,
        version=form.version,
        title=form.title[:300],
        definition=definition,
        content_hash=digest,
        source_filename=source_filename[:300],
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ConflictError(
            f"version {form.version!r} of form {form.form_id!r} was published meanwhile"
        ) from None
    if source is not None:
        _keep_source(session, row, form, source)
    return row, True


def _keep_source(session: Session, row: FormVersion, form: Form, source: bytes) -> None:
    """Store the XLSForm of ``row`` and its XForm, unless they are stored already."""
    from impactkit.surveys.xform import build_xform

    assert row.id is not None
    if session.get(FormSource, row.id) is not None:
        return
    xform = build_xform(source, form_id=form.form_id, version=form.version)
    session.add(
        FormSource(
            form_version_id=row.id,
            xlsform=source,
            xform=xform.xml,
            xform_md5=xform.md5,
            media=dict(xform.media or {}),
        )
    )
    session.flush()


def form_source(session: Session, form_version_id: int) -> FormSource | None:
    """The XLSForm and XForm of a published version; None for a version published before
    impactkit kept them (publishing the same file again adds them)."""
    return session.get(FormSource, form_version_id)


def find_form_version(
    session: Session, organisation_id: int | None, form_id: str, version: str | None = None
) -> FormVersion:
    """The organisation's own form (or a shared one) by id and version (newest when omitted)."""
    keys = [SHARED] if organisation_id is None else [owner_key(organisation_id), SHARED]
    query = select(FormVersion).where(FormVersion.form_id == form_id, FormVersion.owner_key.in_(keys))  # type: ignore[attr-defined, arg-type]
    if version is not None:
        query = query.where(FormVersion.version == version)  # type: ignore[arg-type]
    rows: list[FormVersion] = [row for (row,) in session.exec(query).all()]  # type: ignore[call-overload]
    if not rows:
        if version is not None and _form_exists(session, keys, form_id):
            raise NotFoundError(f"form {form_id!r} has no version {version!r}")
        raise NotFoundError(f"form {form_id!r} not found")
    rows.sort(key=lambda r: (r.owner_key == SHARED, -(r.id or 0)))
    return rows[0]


def _form_exists(session: Session, keys: list[str], form_id: str) -> bool:
    query = select(FormVersion.id).where(FormVersion.form_id == form_id, FormVersion.owner_key.in_(keys))  # type: ignore[call-overload, attr-defined]
    return session.exec(query).first() is not None


def list_form_versions(session: Session, organisation_ids: Sequence[int] | None) -> list[FormVersion]:
    """Shared forms and those of the given organisations (all when None, for administrators)."""
    query = select(FormVersion).order_by(FormVersion.form_id, FormVersion.id)  # type: ignore[arg-type]
    if organisation_ids is not None:
        keys = [SHARED, *(owner_key(o) for o in organisation_ids)]
        query = query.where(FormVersion.owner_key.in_(keys))  # type: ignore[attr-defined]
    return [row for (row,) in session.exec(query).all()]  # type: ignore[call-overload]


@dataclass(slots=True)
class Submission:
    """One response as submitted: the envelope and the answers (not frozen: a frozen dataclass
    takes three times as long to build, once per response of every batch)."""

    instance_id: str
    form_id: str
    form_version: str
    project_id: int
    answers: dict[str, Any]
    period_id: int | None = None
    wave: str | None = None
    respondent_code: str | None = None
    weight: float | None = None
    source: str = "api"

    def content_hash(self) -> str:
        return canonical_hash(
            {
                "form_id": self.form_id,
                "form_version": self.form_version,
                "project_id": self.project_id,
                "period_id": self.period_id,
                "wave": self.wave,
                "respondent_code": self.respondent_code,
                "weight": self.weight,
                "answers": self.answers,
            }
        )


@dataclass
class ItemResult:
    """What became of one submitted response."""

    index: int
    instance_id: str | None
    """None only for a batch item that is not a submission at all (no id could be read)."""
    status: str
    """stored | already_stored | conflict | erased | invalid | not_found | link_closed"""
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def http_status(self) -> int:
        return {
            "stored": 201,
            "already_stored": 200,
            "conflict": 409,
            "erased": 409,
            "invalid": 422,
            "not_found": 404,
            "link_closed": 410,
        }[self.status]


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def normalise_instance_id(raw: str) -> str:
    """The canonical text of a UUID (``uuid:`` prefix of ODK allowed); ValueError otherwise."""
    if _CANONICAL_UUID.fullmatch(raw):  # already canonical, as clients almost always send it
        return raw
    text = raw.strip()
    if text.lower().startswith("uuid:"):
        text = text[5:]
    return str(uuid.UUID(text))


@dataclass
class _Scope:
    organisation_id: int
    period_ids: set[int]


class _EngineCache:
    """Look-ups that stay true for the life of a database: a project's organisation, the periods
    of a project, the stored row of a published form version. Kept per engine (so per database)
    with a time limit, since a new period or a newly published version can appear meanwhile."""

    ttl_seconds = 30.0

    def __init__(self) -> None:
        self.scopes: dict[int, tuple[float, _Scope]] = {}
        self.forms: dict[tuple[int, str, str], tuple[float, FormVersion]] = {}


_caches: weakref.WeakKeyDictionary[Engine, _EngineCache] = weakref.WeakKeyDictionary()


class CacheMiss(Exception):
    """Preparing without a session needed a look-up the engine's cache could not answer."""


def _cache_for(engine: Engine) -> _EngineCache:
    cache = _caches.get(engine)
    if cache is None:
        cache = _caches.setdefault(engine, _EngineCache())
    return cache


def _project_scope(
    session: Session | None, cache: _EngineCache, wanted: dict[int, set[int]]
) -> dict[int, _Scope]:
    """Organisation and periods of each project, from the cache unless a period is unknown to it."""
    now = time.monotonic()
    scopes: dict[int, _Scope] = {}
    missing: set[int] = set()
    for project_id, periods in wanted.items():
        hit = cache.scopes.get(project_id)
        if hit is not None and now - hit[0] < cache.ttl_seconds and periods <= hit[1].period_ids:
            scopes[project_id] = hit[1]
        else:
            missing.add(project_id)
    if missing:
        if session is None:
            raise CacheMiss
        rows = session.exec(
            select(Project.id, Project.organisation_id).where(Project.id.in_(missing))  # type: ignore[call-overload, union-attr]
        ).all()
        found = {pid: _Scope(org, set()) for pid, org in rows}
        for period_id, project_id in session.exec(
            select(ReportingPeriod.id, ReportingPeriod.project_id).where(  # type: ignore[call-overload]
                ReportingPeriod.project_id.in_(missing)  # type: ignore[attr-defined]
            )
        ).all():
            found[project_id].period_ids.add(period_id)
        for project_id, scope in found.items():
            cache.scopes[project_id] = (now, scope)
        scopes.update(found)
    return scopes


def _cached_form_version(
    session: Session | None, cache: _EngineCache, organisation_id: int, form_id: str, version: str
) -> FormVersion:
    key = (organisation_id, form_id, version)
    now = time.monotonic()
    hit = cache.forms.get(key)
    if hit is not None and now - hit[0] < cache.ttl_seconds:
        return hit[1]
    if session is None:
        raise CacheMiss
    row = find_form_version(session, organisation_id, form_id, version)
    session.expunge(row)
    cache.forms[key] = (now, row)
    return row


def cached_form_version(
    session: Session | None, engine: Engine, organisation_id: int, form_id: str, version: str
) -> FormVersion:
    """The organisation's (or a shared) form version, from ``engine``'s cache when it can.

    Raises:
        CacheMiss: ``session`` is None and the cache cannot answer.
        NotFoundError: no such form or version.
    """
    return _cached_form_version(session, _cache_for(engine), organisation_id, form_id, version)


@dataclass
class Prepared:
    """Responses checked and ready to store: the results already decided (invalid, not found,
    resent) and the rows still to insert, each with the index of its submission."""

    results: list[ItemResult | None]
    rows: list[tuple[int, dict[str, Any]]]
    hashes: list[str]

    def settle_repeat(self, index: int, instance_id: str, previous: _Stored) -> None:
        """Answer the submission at ``index`` as a resend of what is stored under its id."""
        self.results[index] = _repeat_result(index, instance_id, previous, self.hashes[index])

    def outcome(self) -> list[ItemResult]:
        """One result per submission, in order (after the rows were inserted)."""
        return [r for r in self.results if r is not None]


def store_responses(
    session: Session,
    submissions: Sequence[Submission],
    *,
    allowed_organisations: set[int] | None,
) -> list[ItemResult]:
    """Validate and store responses, once each: the core of response collection.

    Args:
        submissions: the responses, each with its client-generated instance id.
        allowed_organisations: organisations the caller may write to (None: any, for
            administrators and survey links resolved by the caller).

    Returns:
        One result per submission, in order. The same instance id with the same content is
        ``already_stored``; with different content a ``conflict``; an erased id stays
        ``erased``. Duplicates inside one batch are treated as resubmissions of the first.
    """
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    prepared = prepare_responses(session, engine, submissions, allowed_organisations=allowed_organisations)
    if prepared.rows:
        claim_sqlite_writer(session)
        insert_prepared(session.connection(), [prepared])
    return prepared.outcome()


def prepare_responses(
    session: Session | None,
    engine: Engine,
    submissions: Sequence[Submission],
    *,
    allowed_organisations: set[int] | None,
) -> Prepared:
    """Check each submission (its project, period and form version, then its answers) and
    build the rows to insert; nothing is written.

    An instance id already stored is found when its row is inserted (see
    :func:`insert_prepared`); one whose answers fail is looked up here, so that a resend is
    answered by what is stored (already stored, a conflict, erased) whatever its answers.

    With ``session`` None nothing is read from the database either: projects and form
    versions come from ``engine``'s cache, and :class:`CacheMiss` is raised when it cannot
    answer (or when an invalid response needs its look-up).
    """
    cache = _cache_for(engine)
    results: list[ItemResult | None] = [None] * len(submissions)
    hashes = [_hash_or_refuse(index, s, results) for index, s in enumerate(submissions)]
    wanted: dict[int, set[int]] = {}
    for submission in submissions:
        periods = wanted.setdefault(submission.project_id, set())
        if submission.period_id is not None:
            periods.add(submission.period_id)
    scopes = _project_scope(session, cache, wanted)
    pending: dict[str, tuple[int, dict[str, Any]]] = {}
    forms: dict[tuple[int, str, str], FormVersion | None] = {}
    invalid: list[int] = []
    submitted_at = utcnow()  # one instant for the whole request

    for index, submission in enumerate(submissions):
        if results[index] is not None:  # text no database can store: refused already
            continue
        digest = hashes[index]
        if submission.instance_id in pending:
            _, first_row = pending[submission.instance_id]
            status = "already_stored" if first_row["content_hash"] == digest else "conflict"
            results[index] = ItemResult(index, submission.instance_id, status, conflict_errors(status))
            continue
        scope = scopes.get(submission.project_id)
        if scope is None or (
            allowed_organisations is not None and scope.organisation_id not in allowed_organisations
        ):
            results[index] = _not_found(
                index, submission, "project_id", f"project {submission.project_id} not found"
            )
            continue
        if submission.period_id is not None and submission.period_id not in scope.period_ids:
            results[index] = _not_found(
                index,
                submission,
                "period_id",
                f"period {submission.period_id} not found in project {submission.project_id}",
            )
            continue
        key = (scope.organisation_id, submission.form_id, submission.form_version)
        if key not in forms:
            try:
                forms[key] = _cached_form_version(
                    session, cache, scope.organisation_id, submission.form_id, submission.form_version
                )
            except NotFoundError as exc:
                forms[key] = None
                results[index] = _not_found(index, submission, "form_version", exc.message)
                continue
        version_row = forms[key]
        if version_row is None:
            results[index] = _not_found(
                index,
                submission,
                "form_version",
                f"form {submission.form_id!r} has no version {submission.form_version!r}",
            )
            continue
        try:
            clean = validate_response(form_of(version_row), submission.answers)
        except ResponseError as exc:
            results[index] = ItemResult(
                index, submission.instance_id, "invalid", [p.as_dict() for p in exc.problems]
            )
            invalid.append(index)
            continue
        code = submission.respondent_code or _code_in(clean)
        pending[submission.instance_id] = (
            index,
            {
                "instance_id": submission.instance_id,
                "form_version_id": version_row.id,
                "form_id": submission.form_id,
                "form_version": submission.form_version,
                "organisation_id": scope.organisation_id,
                "project_id": submission.project_id,
                "period_id": submission.period_id,
                "wave": submission.wave,
                "respondent_code": code,
                "weight": submission.weight,
                "answers": clean,
                "content_hash": digest,
                "source": submission.source,
                "submitted_at": submitted_at,
                "answers_digest": answers_digest(clean) if code else None,
            },
        )
    if invalid:
        if session is None:
            raise CacheMiss
        stored = _existing(session, {submissions[index].instance_id for index in invalid})
        for index in invalid:
            instance_id = submissions[index].instance_id
            if instance_id in stored:
                results[index] = _repeat_result(index, instance_id, stored[instance_id], hashes[index])
    return Prepared(results, list(pending.values()), hashes)


def _hash_or_refuse(index: int, submission: Submission, results: list[ItemResult | None]) -> str:
    """The submission's content hash; or, when it holds text no database can store (a NUL in
    its envelope, a lone surrogate anywhere, which has no UTF-8 form to hash), its ``invalid``
    result put in ``results`` (whatever door it came through) and an empty hash."""
    envelope = (submission.form_id, submission.form_version, submission.wave, submission.respondent_code)
    if not any(text is not None and ("\x00" in text or not text.isascii()) for text in envelope):
        try:
            return submission.content_hash()
        except UnicodeEncodeError:
            pass
    problems = unstorable_text(
        {
            "form_id": submission.form_id,
            "form_version": submission.form_version,
            "wave": submission.wave,
            "respondent_code": submission.respondent_code,
            "answers": submission.answers,
        }
    )
    if not problems:  # a non-ASCII envelope that is fine after all
        return submission.content_hash()
    instance_id = submission.instance_id if text_problem(submission.instance_id) is None else None
    results[index] = ItemResult(index, instance_id, "invalid", [p.as_dict() for p in problems])
    return ""


def _code_in(answers: dict[str, Any]) -> str | None:
    """The respondent code the organisation assigned, when the form asks for it."""
    code = answers.get("respondent_code")
    return str(code)[:120] if code not in (None, "") else None


def insert_prepared(connection: Connection, groups: Sequence[Prepared]) -> None:
    """Insert the rows of several prepared groups in one statement and settle their results.

    An id stored meanwhile (a retry arriving while its original is still being stored, or the
    same id in two groups written together) is not an error: it is answered like a resend,
    against what was stored first.

    Responses that came through a survey link (``source`` ``link:<id>``) are held to the link's
    limits in this very transaction (see :func:`~impactkit.store.links.claim_link_places`): a
    new one the link cannot take any more (full, closed, expired) is ``link_closed``.
    """
    first: dict[str, tuple[Prepared, int]] = {}
    again: list[tuple[Prepared, int, str]] = []
    rows: list[dict[str, Any]] = []
    for group in groups:
        for index, row in group.rows:
            instance_id = row["instance_id"]
            if instance_id in first:
                again.append((group, index, instance_id))
            else:
                first[instance_id] = (group, index)
                rows.append(row)
    if not rows:
        return
    through_links = any(row["source"].startswith(LINK_SOURCE_PREFIX) for row in rows)
    refused = claim_link_places(connection, rows) if through_links else {}
    if refused:
        rows = [row for row in rows if row["instance_id"] not in refused]
    inserted = _insert_rows(connection, rows) if rows else set()
    if inserted:
        touch_projects(connection, {row["project_id"] for row in rows if row["instance_id"] in inserted})
    if through_links:
        count_link_responses(connection, (row for row in rows if row["instance_id"] in inserted))
    if inserted:
        # A respondent code answering twice, or identical answers under two codes, is flagged now.
        flag_arrivals(connection, (row for row in rows if row["instance_id"] in inserted))
    unsettled = (first.keys() - inserted - refused.keys()) | {
        instance_id for _, _, instance_id in again if instance_id not in refused
    }
    previous = _existing(connection, unsettled) if unsettled else {}
    for instance_id, (group, index) in first.items():
        if instance_id in inserted:
            group.results[index] = ItemResult(index, instance_id, "stored")
        elif instance_id in refused:
            group.results[index] = ItemResult(
                index, instance_id, "link_closed", [refused[instance_id].as_dict()]
            )
        else:
            group.settle_repeat(index, instance_id, previous[instance_id])
    for group, index, instance_id in again:
        if instance_id in refused:
            group.results[index] = ItemResult(
                index, instance_id, "link_closed", [refused[instance_id].as_dict()]
            )
        else:
            group.settle_repeat(index, instance_id, previous[instance_id])


def _insert_rows(connection: Connection, rows: list[dict[str, Any]]) -> set[str]:
    """Insert ``rows``, skipping instance ids already stored; the ids actually inserted.

    The driver is called directly, with the values converted by the columns' own types.
    On PostgreSQL with psycopg, its pipelined ``executemany`` sends one prepared statement per
    row in a single round trip; SQLAlchemy's multi-row VALUES with RETURNING builds a statement
    of 15,000 parameters for 1,000 rows, which took twice as long. On SQLite, the driver's
    ``executemany`` of one cached statement without RETURNING (8 µs a row against 10–18 µs for
    statements of 100 rows with RETURNING, and SQLAlchemy's machinery cost more than the insert
    itself for the few rows a group commit usually holds).
    """
    dialect = connection.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        return _insert_rows_psycopg(connection, rows)
    if dialect.name == "sqlite" and dialect.driver == "pysqlite":
        return _insert_rows_sqlite(connection, rows)
    dialect_insert = pg_insert if dialect.name == "postgresql" else sqlite_insert
    statement = (
        dialect_insert(_response)
        .on_conflict_do_nothing(index_elements=["instance_id"])
        .returning(_response.c.instance_id)
    )
    values = [
        {**row, "answers": json.loads(row["answers"])} if type(row["answers"]) is bytes else row
        for row in rows
    ]
    return {row[0] for row in connection.execute(statement, values).all()}


def _converters(dialect: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """Each column's value converter for ``dialect`` (None where the driver takes the value as is).

    Two columns get converters of their own: the answers are written as JSON by msgspec
    (SQLAlchemy's ``json.dumps`` was a tenth of the insert), and the submission time, which a
    whole batch shares, is converted once for all its rows rather than once a row.
    """
    converters = {
        name: _response.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    }
    if "answers" in converters:
        converters["answers"] = _answers_converter(dialect)
    if converters.get("submitted_at") is not None:
        converters["submitted_at"] = _last_value_kept(converters["submitted_at"])
    return converters


def json_bytes(value: Any) -> bytes:
    """``value`` as JSON (UTF-8), as the answers column stores it."""
    try:
        return msgspec.json.encode(value)
    except (TypeError, UnicodeEncodeError):  # not JSON data: as SQLAlchemy's encoder would say
        return json.dumps(value).encode("utf-8")


def _as_json(value: Any) -> bytes:
    return value if type(value) is bytes else json_bytes(value)


def _answers_converter(dialect: Any) -> Callable[[Any], Any]:
    """Answers given as bytes are JSON already written (by :func:`json_bytes`), stored as they are."""
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        from psycopg.types.json import Jsonb

        return lambda value: None if value is None else Jsonb(value, dumps=_as_json)
    return lambda value: None if value is None else _as_json(value).decode("utf-8")


def _last_value_kept(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert``, answering again at once for the very object it converted last."""
    last: list[tuple[Any, Any]] = [(object(), None)]

    def convert_once(value: Any) -> Any:
        seen, converted = last[0]  # one read of one tuple: safe between threads
        if value is seen:
            return converted
        converted = convert(value)
        last[0] = (value, converted)
        return converted

    return convert_once


@lru_cache(maxsize=8)
def _psycopg_insert_plan(dialect: Any, names: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    """The one-row INSERT of these columns, and the converters of the columns that need one."""
    statement = (
        pg_insert(_response)
        .values({name: bindparam(name) for name in names})
        .on_conflict_do_nothing(index_elements=["instance_id"])
        .returning(_response.c.instance_id)
    )
    converting = {name: convert for name, convert in _converters(dialect, names).items() if convert}
    return str(statement.compile(dialect=dialect)), converting


def _insert_rows_psycopg(connection: Connection, rows: list[dict[str, Any]]) -> set[str]:
    sql, converting = _psycopg_insert_plan(connection.dialect, tuple(rows[0]))
    parameters = [
        {**row, **{name: convert(row[name]) for name, convert in converting.items()}} for row in rows
    ]
    inserted: set[str] = set()
    with connection.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
        cursor.executemany(sql, parameters, returning=True)
        while True:
            inserted.update(found[0] for found in cursor.fetchall())
            if not cursor.nextset():
                break
    return inserted


@lru_cache(maxsize=8)
def _sqlite_insert_plan(
    dialect: Any, names: tuple[str, ...]
) -> tuple[str, tuple[str, ...], tuple[tuple[int, Callable[[Any], Any]], ...]]:
    """The one-row INSERT of these columns (skipping an instance id already stored), its
    parameters in order, and the place and converter of each parameter that needs one."""
    statement = (
        sqlite_insert(_response)
        .values({name: bindparam(name) for name in names})
        .on_conflict_do_nothing(index_elements=["instance_id"])
    )
    compiled = statement.compile(dialect=dialect)
    order = tuple(compiled.positiontup or ())
    converters = _converters(dialect, names)
    converting = tuple(
        (place, converters[name]) for place, name in enumerate(order) if converters[name] is not None
    )
    return str(compiled), order, converting


def _insert_rows_sqlite(connection: Connection, rows: list[dict[str, Any]]) -> set[str]:
    """``executemany`` of one prepared INSERT, without RETURNING (which made SQLite keep every
    row it returns, half as fast again); the count of changes tells whether every row went in,
    as it almost always does."""
    sql, order, converting = _sqlite_insert_plan(connection.dialect, tuple(rows[0]))
    driver = connection.connection.driver_connection
    assert driver is not None

    def values(row: dict[str, Any]) -> list[Any]:
        out = [row[name] for name in order]
        for place, convert in converting:
            out[place] = convert(out[place])
        return out

    before = driver.total_changes
    driver.executemany(sql, [values(row) for row in rows])
    added = driver.total_changes - before
    ids = {row["instance_id"] for row in rows}
    if added == len(rows):
        return ids
    if added == 0:
        return set()
    # Some ids were stored already. The rows added now hold the highest row ids: SQLite gives a
    # new row the highest id + 1, and this transaction holds the write lock since its first row.
    found = driver.execute(
        "SELECT instance_id FROM survey_response WHERE id > (SELECT max(id) FROM survey_response) - ?",
        (added,),
    ).fetchall()
    inserted = {instance_id for (instance_id,) in found}
    if len(inserted) != added or not inserted <= ids:
        raise RuntimeError("could not tell which responses were inserted (row ids out of order)")
    return inserted


@dataclass(frozen=True)
class _Stored:
    content_hash: str
    erased: bool


def _existing(session: Session | Connection, instance_ids: set[str]) -> dict[str, _Stored]:
    if not instance_ids:
        return {}
    query = select(_response.c.instance_id, _response.c.content_hash, _response.c.erased_at).where(
        _response.c.instance_id.in_(instance_ids)
    )
    return {iid: _Stored(digest, erased is not None) for iid, digest, erased in session.execute(query).all()}


def conflict_errors(status: str) -> list[dict[str, Any]]:
    if status == "conflict":
        return [
            Problem(
                "this instance id is already stored with different content; "
                "a changed response needs a new instance id",
                location="instance_id",
                code="conflict",
            ).as_dict()
        ]
    return []


def _repeat_result(index: int, instance_id: str, previous: _Stored, digest: str) -> ItemResult:
    if previous.erased:
        return ItemResult(
            index,
            instance_id,
            "erased",
            [
                Problem(
                    "this response was erased on request; its instance id stays blocked",
                    "instance_id",
                    "erased",
                ).as_dict()
            ],
        )
    status = "already_stored" if previous.content_hash == digest else "conflict"
    return ItemResult(index, instance_id, status, conflict_errors(status))


def repeat_result(index: int, instance_id: str, stored_hash: str, erased: bool, digest: str) -> ItemResult:
    """The answer to a submission whose instance id is stored already (with ``stored_hash``)."""
    return _repeat_result(index, instance_id, _Stored(stored_hash, erased), digest)


def _not_found(index: int, submission: Submission, location: str, message: str) -> ItemResult:
    return ItemResult(
        index, submission.instance_id, "not_found", [Problem(message, location, "not_found").as_dict()]
    )


@dataclass(frozen=True)
class ResponseFilter:
    organisation_ids: Sequence[int] | None
    """Organisations whose responses may be read (None: all, for administrators)."""
    form_id: str | None = None
    form_version: str | None = None
    project_id: int | None = None
    period_id: int | None = None
    wave: str | None = None
    include_erased: bool = False
    include_replaced: bool = False
    """Also the versions an edit replaced (by default only each response's newest version)."""
    source: str | None = None
    """Where the responses came from: ``link:{id}``, ``api``, ``openrosa`` …"""
    submitted_from: datetime | None = None
    submitted_before: datetime | None = None


def _filtered(query: Any, flt: ResponseFilter) -> Any:
    c = _response.c
    conditions = []
    if flt.organisation_ids is not None:
        conditions.append(c.organisation_id.in_(list(flt.organisation_ids)))
    for column, value in (
        (c.form_id, flt.form_id),
        (c.form_version, flt.form_version),
        (c.project_id, flt.project_id),
        (c.period_id, flt.period_id),
        (c.wave, flt.wave),
        (c.source, flt.source),
    ):
        if value is not None:
            conditions.append(column == value)
    if flt.submitted_from is not None:
        conditions.append(c.submitted_at >= flt.submitted_from)
    if flt.submitted_before is not None:
        conditions.append(c.submitted_at < flt.submitted_before)
    if not flt.include_erased:
        conditions.append(c.erased_at.is_(None))
    if not flt.include_replaced:
        conditions.append(c.replaced_at.is_(None))
    return query.where(and_(*conditions)) if conditions else query


def read_responses(
    session: Session, flt: ResponseFilter, *, after_id: int = 0, limit: int = 100
) -> list[dict[str, Any]]:
    """A page of responses in storage order, after the row ``after_id`` (cursor pagination)."""
    c = _response.c
    query = _filtered(select(_response), flt).where(c.id > after_id).order_by(c.id).limit(limit)
    return [dict(row._mapping) for row in session.execute(query).all()]


def count_responses(session: Session, flt: ResponseFilter) -> int:
    """How many responses match (for a table's "1.234 responses" and its pages)."""
    return int(session.execute(_filtered(select(func.count()).select_from(_response), flt)).scalar_one())


def newest_responses(
    session: Session, flt: ResponseFilter, *, offset: int = 0, limit: int = 50
) -> list[dict[str, Any]]:
    """A page of matching responses, newest first (the table staff browse)."""
    c = _response.c
    query = _filtered(select(_response), flt).order_by(c.id.desc()).offset(offset).limit(limit)
    return [dict(row._mapping) for row in session.execute(query).all()]


def iter_responses(session: Session, flt: ResponseFilter, *, chunk: int = 2000) -> Iterator[dict[str, Any]]:
    """Every matching response, fetched in chunks so memory stays flat."""
    after = 0
    while True:
        page = read_responses(session, flt, after_id=after, limit=chunk)
        if not page:
            return
        after = page[-1]["id"]
        yield from page
        del page  # let the page go before the next is read: one page in memory, not two


def erase_responses(
    session: Session,
    organisation_id: int,
    *,
    instance_id: str | None = None,
    respondent_code: str | None = None,
) -> list[str]:
    """Erase the answers of one response or of every response of one respondent (GDPR).

    The row stays, without answers, code or weight, so its instance id remains blocked
    and a resend of the erased answers cannot bring them back.
    """
    c = _response.c
    condition = and_(c.organisation_id == organisation_id, c.erased_at.is_(None))
    if instance_id is not None:
        # every version of the response: an edit's earlier versions hold the same person's answers
        from impactkit.store.versions import versions_of

        chain = [version["instance_id"] for version in versions_of(session, instance_id)] or [instance_id]
        condition = and_(condition, c.instance_id.in_(chain))
    elif respondent_code is not None:
        condition = and_(condition, c.respondent_code == respondent_code)
    else:
        raise ValueError("name an instance id or a respondent code")
    found = session.execute(select(c.instance_id, c.source, c.id, c.project_id).where(condition)).all()
    ids = [instance_id for instance_id, _, _, _ in found]
    if ids:
        touch_projects(session, {project_id for _, _, _, project_id in found})
        session.execute(
            update(_response)
            .where(c.instance_id.in_(ids))
            .values(answers=None, respondent_code=None, weight=None, answers_digest=None, erased_at=utcnow())
        )
        uncount_link_responses(session, (source for _, source, _, _ in found))
        mark_erased(session.connection(), [row_id for _, _, row_id, _ in found])
    return ids


def publish_shipped_forms(session: Session) -> list[tuple[FormVersion, bool]]:
    """Publish the forms shipped in ``surveys/`` as shared forms (again: nothing changes)."""
    from impactkit._paths import data_dir
    from impactkit.surveys.xlsform import load_xlsform

    published = []
    for path in sorted(data_dir("surveys").glob("*.xlsx")):
        source = path.read_bytes()
        form = load_xlsform(source, path.name)
        published.append(
            publish_form(session, form, organisation_id=None, source_filename=path.name, source=source)
        )
    return published
