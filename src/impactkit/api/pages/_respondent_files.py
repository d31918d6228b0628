"""The files a respondent sends from the survey page: read from the post, checked and kept.

A photo, recording or document answers its question as in ODK: the answer is the name the file
is kept under. The checks and the keeping are OpenRosa's own (:mod:`impactkit.store.attachments`):
the same size and count bounds, the type sniffed from the first bytes against what the question
asks for (the name and the type the browser claims are not believed), the files written under the
data folder by their SHA-256 and recorded as attachments of the response in the transaction that
stores it. A file is never kept for a page that is drawn again (a mistake to fix, questions the
answers opened): nothing is written until the answers are sent, and the page asks for the file
again next to its question.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import ScopeType
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send
from sqlmodel import Session

from impactkit.api.pages import _survey_form as view
from impactkit.api.pages._i18n import translate
from impactkit.errors import ResponseError
from impactkit.formats import Formats
from impactkit.settings import Settings
from impactkit.store import attachments as media
from impactkit.surveys.model import Form
from impactkit.text import shown

HARD_BODY_LIMIT = 512 * 1024 * 1024
"""The most a page post is ever read; the configured ``max_submission_bytes`` (usually far lower)
is held by :func:`submission_sized_body` first."""


@dataclass(frozen=True)
class Upload:
    """One file part of the post."""

    name: str
    """The input it came from: ``photo``, ``household/0/photo``."""
    filename: str
    """As the browser named it: shown in messages, never kept."""
    data: bytes


@dataclass
class Posted:
    """A posted survey page: its text fields (a name sent several times gives a list) and its files."""

    fields: dict[str, Any]
    uploads: list[Upload] = field(default_factory=list)


PostedPage = NamedDependency[Posted]
"""A handler parameter ``posted: PostedPage`` (with ``posted`` provided by :func:`posted_form`)."""


async def posted_form(request: Request[Any, Any, Any]) -> Posted:
    """The page's post, url-encoded or multipart (a dependency: the handler itself runs in a thread)."""
    form = await request.form()
    fields: dict[str, Any] = {}
    uploads: list[Upload] = []
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                await value.seek(0)
                data = await value.read()
                if data or value.filename:  # an input left empty sends a nameless empty part
                    uploads.append(Upload(name, value.filename or "", data))
                continue
            previous = fields.get(name)
            if previous is None:
                fields[name] = value
            elif isinstance(previous, list):
                previous.append(value)
            else:
                fields[name] = [previous, value]
    finally:
        for _, value in form.multi_items():
            if isinstance(value, UploadFile):
                with contextlib.suppress(Exception):
                    await value.close()
    return Posted(fields, uploads)


def submission_sized_body(app: ASGIApp) -> ASGIApp:
    """Middleware: a page post larger than ``max_submission_bytes`` is a 413, before it is read
    (by its Content-Length) or while it is (a body sent in chunks)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        settings: Settings = scope["litestar_app"].state.settings
        limit = settings.max_submission_bytes
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            raise RequestEntityTooLarge()
        received = 0

        async def counted() -> ReceiveMessage:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestEntityTooLarge()
            return message

        await app(scope, counted, send)

    return middleware


@dataclass
class CheckedUploads:
    """The files of a post, checked: those that may be kept, and what to tell the respondent."""

    files: dict[str, media.CheckedFile] = field(default_factory=dict)
    """Input name -> the file as it would be kept (named by its question and digest)."""
    sent_as: dict[str, str] = field(default_factory=dict)
    """Input name -> the name the browser gave the file."""
    errors: dict[str, str] = field(default_factory=dict)
    """Input name -> why its file is refused, in the page language."""
    notice: tuple[str, dict[str, Any]] | None = None
    """A refusal of the whole post (too many files): message key and values."""

    @property
    def refused(self) -> bool:
        return bool(self.errors) or self.notice is not None

    def kept_names(self) -> dict[str, str]:
        """Input name -> the answer (the name the file is kept under), for :func:`view.read_answers`."""
        return {name: checked.incoming.filename for name, checked in self.files.items()}

    def choose_again(self, language: str) -> dict[str, str]:
        """Next to each question whose file came with a page drawn again: choose it again."""
        return {
            name: translate("answer_file_choose_again", language, name=shown(self.sent_as.get(name, "")))
            for name in self.files
        }

    def drop_unasked(self, asked: set[str]) -> None:
        """Forget the files (and refusals) of questions the answers no longer ask: a file chosen
        before another answer hid its question is neither kept nor held against the page."""
        self.files = {name: item for name, item in self.files.items() if name in asked}
        self.errors = {name: text for name, text in self.errors.items() if name in asked}


def megabytes(value: int, language: str) -> str:
    """A size in MB as people read it in ``language`` (``20``, ``1,5``)."""
    return Formats(language).number(value / (1024 * 1024), 1 if value % (1024 * 1024) else 0)


def kept_name(name: str, checked: media.CheckedFile) -> str:
    """``household/0/photo`` + digest -> ``household-0-photo-3f2a…c1.jpg``: one name per question
    and content, the same whenever the same file is sent again."""
    extension = media.EXTENSIONS.get(checked.content_type, "")
    return f"{name.replace('/', '-')[:180]}-{checked.sha256[:16]}{extension}"


def check_uploads(form: Form, uploads: list[Upload], settings: Settings, language: str) -> CheckedUploads:
    """Check the post's files against the form's media questions with OpenRosa's checks
    (:func:`impactkit.store.attachments.check_files`), nothing written.

    A part that answers no media question of the form is ignored, as a text field no question
    has; every part counts towards the most files a response may carry.
    """
    result = CheckedUploads()
    limits = media.limits_with(settings.max_attachment_bytes)
    if len(uploads) > limits.max_files:
        result.notice = ("answer_too_many_files", {"limit": limits.max_files})
        return result
    types = view.media_types(form)
    incoming: dict[str, media.IncomingFile] = {}
    for upload in uploads:
        question_type = types.get(upload.name.rsplit("/", 1)[-1])
        if question_type is None or upload.name in incoming:
            continue
        result.sent_as[upload.name] = upload.filename
        incoming[upload.name] = media.IncomingFile(
            view.answer_location(upload.name), upload.filename or upload.name, question_type, upload.data
        )
    for name, item in incoming.items():
        # one by one, so that a refusal is told at its question and a file of a question the
        # answers no longer ask does not sink the others (see CheckedUploads.drop_unasked)
        try:
            [checked] = media.check_files([item], limits)
        except ResponseError as error:
            result.errors[name] = _refusal(error.problems[0].code, item, limits, language)
            continue
        kept = dataclasses.replace(item, filename=kept_name(name, checked))
        result.files[name] = media.CheckedFile(kept, checked.content_type, checked.sha256)
    return result


def _refusal(code: str, item: media.IncomingFile, limits: media.AttachmentLimits, language: str) -> str:
    name = shown(item.filename)
    if code == "file_too_large":
        limit = megabytes(limits.max_file_bytes, language)
        return translate("answer_file_too_large", language, name=name, limit=limit)
    if code == "empty_file":
        return translate("answer_file_empty", language, name=name)
    return translate(f"answer_file_type_{item.question_type}", language, name=name)


def keep_files(
    session: Session,
    settings: Settings,
    organisation_id: int,
    instance_id: str,
    files: list[media.CheckedFile],
) -> int:
    """Write the files of a stored response and record them in its transaction (a resend records
    nothing twice); returns how many arrived that had not before."""
    if not files:
        return 0
    media.write_files(settings.data_dir, organisation_id, files)
    return media.record_attachments(
        session,
        organisation_id=organisation_id,
        instance_id=instance_id,
        named=[(item.incoming.location, item.incoming.filename) for item in files],
        received=files,
    )


def with_file_errors(
    errors: Mapping[str, str], checked: CheckedUploads, language: str, *, drawn_again: bool
) -> dict[str, str]:
    """The page's errors with each file's: why it is refused, or (on a page drawn again without
    storing) that it must be chosen again."""
    merged = dict(errors)
    if drawn_again:
        merged.update(checked.choose_again(language))
    merged.update(checked.errors)
    return merged


__all__: list[str] = [
    "HARD_BODY_LIMIT",
    "CheckedUploads",
    "Posted",
    "PostedPage",
    "Upload",
    "check_uploads",
    "keep_files",
    "posted_form",
    "submission_sized_body",
    "with_file_errors",
]
