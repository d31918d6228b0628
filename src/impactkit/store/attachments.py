"""Media files of answers (photos, audio, video, files, signatures, audit logs): checked, kept, served.

An answer to a media question is the file's name (as in ODK); the file travels beside the answers
(a part of an OpenRosa submission, a file input of the web page). Every file is checked before
anything is written: its size, how many a response carries, and its type, sniffed from its first
bytes (the name and the type the client claims are not believed) against what the question asks
for. Files live under the data folder (``<data dir>/attachments/org-<id>/<sha256>``), never under
the web root, named by their SHA-256 and written atomically (a temporary file, flushed to disk,
then renamed); the table ``response_attachment`` says which response and answer each belongs to.
A file a response names but that has not arrived yet has a row without ``received_at``: nothing
is dropped without a trace.

    >>> sniff(b"\\xff\\xd8\\xff\\xe0" + bytes(16))
    'image/jpeg'
    >>> sniff(b"MZ\\x90\\x00") is None
    True
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.engine import Connection
from sqlmodel import Session

from impactkit.errors import Problem, ResponseError
from impactkit.store.tables import ResponseAttachment
from impactkit.store.types import utcnow

_attachment = ResponseAttachment.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class AttachmentLimits:
    """Bounds on the files of one response.

    Attributes:
        max_file_bytes: the largest file, in bytes.
        max_files: the most files one response may name.
    """

    max_file_bytes: int = 20 * 1024 * 1024
    max_files: int = 50


LIMITS = AttachmentLimits()


def limits_with(max_file_bytes: int) -> AttachmentLimits:
    """The bounds of every door that takes files (OpenRosa, the survey page), with an instance's
    largest file (``max_attachment_bytes``)."""
    return AttachmentLimits(max_file_bytes=max_file_bytes, max_files=LIMITS.max_files)


IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic"})
AUDIO_TYPES = frozenset(
    {
        "audio/amr",
        "audio/mpeg",
        "audio/mp4",
        "audio/ogg",
        "audio/wav",
        "audio/webm",
        "audio/3gpp",
        "audio/flac",
    }
)
VIDEO_TYPES = frozenset({"video/mp4", "video/3gpp", "video/webm", "video/quicktime"})
DOCUMENT_TYPES = frozenset({"application/pdf", "application/zip", "application/x-ole-storage", "text/plain"})

ALLOWED_TYPES: dict[str, frozenset[str]] = {
    "image": IMAGE_TYPES,
    "audio": AUDIO_TYPES | frozenset({"video/mp4", "video/3gpp", "video/webm"}),
    "video": VIDEO_TYPES,
    "file": IMAGE_TYPES | AUDIO_TYPES | VIDEO_TYPES | DOCUMENT_TYPES,
    "audit": frozenset({"text/plain"}),
}
"""Media types each question type accepts. (An ``.m4a`` or ``.3gp`` recording sniffs as the video
container it is, so audio accepts those containers too; ``text/plain`` covers CSV.)"""

EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "audio/amr": ".amr",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "audio/ogg": ".ogg",
    "audio/wav": ".wav",
    "audio/webm": ".weba",
    "audio/3gpp": ".3gp",
    "audio/flac": ".flac",
    "video/mp4": ".mp4",
    "video/3gpp": ".3gp",
    "video/webm": ".webm",
    "video/quicktime": ".mov",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/x-ole-storage": ".doc",
    "text/plain": ".txt",
}


def sniff(data: bytes) -> str | None:
    """The media type of ``data`` from its first bytes, or None when it is none impactkit keeps."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"):
            return "image/heic"
        if brand.startswith(b"3g"):
            return "video/3gpp"
        if brand == b"qt  ":
            return "video/quicktime"
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        return "video/mp4"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if head.startswith(bytes.fromhex("d0cf11e0a1b11ae1")):
        return "application/x-ole-storage"
    if _is_text(data):
        return "text/plain"
    return None


def _is_text(data: bytes) -> bool:
    """UTF-8 text without control characters other than tab and line ends (CSV, plain text)."""
    sample = data[:65536]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # only a character cut by the end of the sample (not of the file) is forgiven
        if len(data) <= len(sample) or error.reason != "unexpected end of data":
            return False
        text = sample[: error.start].decode("utf-8")
    return bool(text) and not any(ord(c) < 32 and c not in "\t\r\n" for c in text)


@dataclass(frozen=True)
class IncomingFile:
    """A file that arrived for an answer."""

    location: str
    """The answer that names it: ``photo``, ``household[0].photo``."""
    filename: str
    question_type: str
    data: bytes


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks, with its sniffed type and digest."""

    incoming: IncomingFile
    content_type: str
    sha256: str


def check_files(files: Sequence[IncomingFile], limits: AttachmentLimits = LIMITS) -> list[CheckedFile]:
    """Check every file; raises ResponseError naming each refused one (``answers.<location>``).

    Nothing is written: a response with one bad file stores no file at all.
    """
    problems: list[Problem] = []
    checked: list[CheckedFile] = []
    if len(files) > limits.max_files:
        problems.append(
            Problem(
                f"at most {limits.max_files} files per response, got {len(files)}", "files", "too_many_files"
            )
        )
    for item in files:
        where = f"answers.{item.location}"
        if len(item.data) > limits.max_file_bytes:
            problems.append(
                Problem(
                    f"{item.filename!r} is {len(item.data):,} bytes; at most {limits.max_file_bytes:,}",
                    where,
                    "file_too_large",
                )
            )
            continue
        if not item.data:
            problems.append(Problem(f"{item.filename!r} is empty", where, "empty_file"))
            continue
        content_type = sniff(item.data)
        allowed = ALLOWED_TYPES.get(item.question_type, frozenset())
        if content_type not in allowed:
            found = content_type or "a kind of file impactkit does not keep"
            problems.append(
                Problem(
                    f"{item.filename!r} is {found}; a {item.question_type} question takes "
                    + ", ".join(sorted(allowed)),
                    where,
                    "file_type",
                )
            )
            continue
        checked.append(CheckedFile(item, content_type, hashlib.sha256(item.data).hexdigest()))
    if problems:
        raise ResponseError("a file of the response is refused", problems)
    return checked


def folder_of(data_dir: Path, organisation_id: int) -> Path:
    return data_dir / "attachments" / f"org-{organisation_id}"


def path_of(data_dir: Path, organisation_id: int, sha256: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 digest")
    return folder_of(data_dir, organisation_id) / sha256[:2] / sha256


def write_files(data_dir: Path, organisation_id: int, files: Iterable[CheckedFile]) -> None:
    """Write each file durably under the data folder (a file already there is kept as it is)."""
    for item in files:
        target = path_of(data_dir, organisation_id, item.sha256)
        if target.exists() and target.stat().st_size == len(item.incoming.data):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(item.incoming.data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def record_attachments(
    connection: Connection | Session,
    *,
    organisation_id: int,
    instance_id: str,
    named: Sequence[tuple[str, str]],
    received: Sequence[CheckedFile],
) -> int:
    """Record the files a stored response names and those that arrived; returns how many arrived
    now that had not before.

    Args:
        named: (answer location, file name) of every media answer of the response.
        received: the files that came with this request (written already, see :func:`write_files`).
    """
    existing = {
        row.filename: row
        for row in connection.execute(
            select(_attachment.c.filename, _attachment.c.received_at, _attachment.c.sha256).where(
                _attachment.c.instance_id == instance_id
            )
        ).all()
    }
    now = utcnow()
    new_rows = []
    for location, filename in named:
        if filename not in existing:
            new_rows.append(
                {
                    "organisation_id": organisation_id,
                    "instance_id": instance_id,
                    "field": location[:300],
                    "filename": filename[:255],
                    "created_at": now,
                }
            )
            existing[filename] = None  # type: ignore[assignment]
    if new_rows:
        connection.execute(_attachment.insert(), new_rows)
    arrived = 0
    for item in received:
        previous = existing.get(item.incoming.filename)
        if previous is not None and previous.received_at is not None:
            continue
        connection.execute(
            update(_attachment)
            .where(
                and_(
                    _attachment.c.instance_id == instance_id,
                    _attachment.c.filename == item.incoming.filename,
                    _attachment.c.received_at.is_(None),
                )
            )
            .values(
                content_type=item.content_type,
                size=len(item.incoming.data),
                sha256=item.sha256,
                received_at=now,
            )
        )
        arrived += 1
    return arrived


def attachments_of(session: Session, instance_ids: Sequence[str]) -> list[ResponseAttachment]:
    """The attachments of these responses (received or still expected), by response and name."""
    if not instance_ids:
        return []
    query = select(ResponseAttachment).where(ResponseAttachment.instance_id.in_(instance_ids))  # type: ignore[attr-defined]
    rows = [row for (row,) in session.execute(query).all()]
    return sorted(rows, key=lambda row: (row.instance_id, row.field, row.filename))


def erase_attachments(
    session: Session, data_dir: Path, organisation_id: int, instance_ids: Sequence[str]
) -> int:
    """Delete the attachments of erased responses: their rows, and each file no other response of
    the organisation still uses. Returns how many rows went."""
    if not instance_ids:
        return 0
    rows = attachments_of(session, instance_ids)
    digests = {row.sha256 for row in rows if row.sha256}
    session.execute(delete(_attachment).where(_attachment.c.instance_id.in_(list(instance_ids))))
    for digest in digests:
        still_used = session.execute(
            select(func.count()).where(
                _attachment.c.organisation_id == organisation_id, _attachment.c.sha256 == digest
            )
        ).scalar_one()
        if not still_used:
            path_of(data_dir, organisation_id, digest).unlink(missing_ok=True)
    return len(rows)


__all__ = [
    "ALLOWED_TYPES",
    "EXTENSIONS",
    "LIMITS",
    "AttachmentLimits",
    "CheckedFile",
    "IncomingFile",
    "attachments_of",
    "check_files",
    "erase_attachments",
    "folder_of",
    "limits_with",
    "path_of",
    "record_attachments",
    "sniff",
    "write_files",
]
