"""Freezing and verification: canonical JSON, content hash, frozen documents, file seals.

Canonical JSON (the bytes that are hashed):

* objects with keys sorted by code point, no whitespace anywhere, UTF-8 (no ``\\u`` escapes
  except for control characters, as :func:`json.dumps` writes them);
* numbers normalised: ``1``, ``1.0`` and ``Decimal("1.00")`` are all ``1``; ``0.1`` is
  ``0.1``; no exponent (``1e-7`` is ``0.0000001``); NaN and infinities are refused;
* the content hash is the SHA-256 of those bytes, 64 lowercase hex digits.

A frozen document is the canonical JSON of
``{"format": "impactkit-frozen-report", "version": 1, "content": …, "stamp": …, "seal": …}``
where ``seal`` is the SHA-256 of the canonical JSON of the same object without ``seal`` (so
the evaluator's name and the time are covered too). An exported workbook carries the same
document in a hidden sheet, and a file seal in the zip comment: the SHA-256 of the file as
written, so that any change to any byte of the file is caught.
"""

from __future__ import annotations

import hashlib
import json
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from impactkit.reports.model import ReportContent, ValidationStamp

FROZEN_FORMAT = "impactkit-frozen-report"
FROZEN_VERSION = 1
AWARD_FORMAT = "impactkit-award-report"
"""A tender's award report (verbale di aggiudicazione): the same document shape, its content the
tender, bids, scores, award and delivery as the authority downloaded them, ``stamp`` null (each
verified delivery period carries its evaluator's content hash inside the content)."""
SEAL_PREFIX = b"impactkit-seal sha256:"
CONTENT_SHEET = "_impactkit_content"
"""Name of the hidden worksheet holding the frozen document in an exported workbook."""
CHUNK_CHARS = 8000
"""Characters of the frozen document per cell of the hidden sheet (Excel allows 32,767)."""

_EOCD_SIGNATURE = b"PK\x05\x06"


def _number(value: int | float | Decimal) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot hash a non-finite number: {value!r}")
        value = Decimal(repr(value))
    elif isinstance(value, int):
        return str(value)
    if not value.is_finite():
        raise ValueError(f"cannot hash a non-finite number: {value!r}")
    normal = value.normalize()
    if normal == 0:
        return "0"
    text = format(normal, "f")
    return text


def _encode(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int | float | Decimal):
        out.append(_number(value))
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, dict):
        out.append("{")
        for index, key in enumerate(sorted(value)):
            if not isinstance(key, str):
                raise ValueError(f"object keys must be strings, got {key!r}")
            if index:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _encode(value[key], out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, out)
        out.append("]")
    else:
        raise ValueError(f"cannot put {type(value).__name__} in canonical JSON")


def canonical_json(data: Any) -> bytes:
    """Canonical JSON bytes of plain data or of a pydantic model (see the module docstring)."""
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    out: list[str] = []
    _encode(data, out)
    return "".join(out).encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(content: ReportContent | dict[str, Any]) -> str:
    """SHA-256 (64 lowercase hex digits) of the canonical JSON of the report content."""
    return _sha256(canonical_json(content))


_DOCUMENT_KEYS = frozenset({"format", "version", "content", "stamp", "seal"})


def _seal_of(payload: dict[str, Any]) -> str:
    """SHA-256 of everything in the frozen document but the seal itself."""
    return _sha256(canonical_json({k: v for k, v in payload.items() if k != "seal"}))


def frozen_payload(content: ReportContent, stamp: ValidationStamp | None) -> dict[str, Any]:
    """The frozen document as plain data (``stamp`` may be None for an unvalidated draft)."""
    content_data = content.model_dump(mode="json")
    stamp_data = stamp.stamp_data() if stamp is not None else None
    payload: dict[str, Any] = {
        "format": FROZEN_FORMAT,
        "version": FROZEN_VERSION,
        "content": content_data,
        "stamp": stamp_data,
    }
    payload["seal"] = _seal_of(payload)
    return payload


def award_payload(content: dict[str, Any]) -> dict[str, Any]:
    """A tender's award report as a sealed document (plain data; see :data:`AWARD_FORMAT`)."""
    payload: dict[str, Any] = {
        "format": AWARD_FORMAT,
        "version": FROZEN_VERSION,
        "content": content,
        "stamp": None,
    }
    payload["seal"] = _seal_of(payload)
    return payload


def frozen_document(content: ReportContent, stamp: ValidationStamp) -> bytes:
    """The frozen report as a JSON file: content + validation stamp + seal, canonical bytes.

    Raises:
        ValueError: when the stamp's ``content_hash`` is not the hash of ``content``.
    """
    actual = content_hash(content)
    if stamp.content_hash != actual:
        raise ValueError(f"the stamp's content hash {stamp.content_hash} is not the content's hash {actual}")
    return canonical_json(frozen_payload(content, stamp))


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of verifying a report file."""

    ok: bool
    message: str
    content_hash: str | None = None
    validated: bool = False
    evaluator: str | None = None

    def __str__(self) -> str:
        return self.message


def _fail(message: str) -> VerifyResult:
    return VerifyResult(ok=False, message=message)


def verify_document(data: bytes) -> VerifyResult:
    """Verify a frozen document given as bytes (the JSON file, or the copy inside a workbook)."""
    try:
        text = data.decode("utf-8")
        payload = json.loads(text, parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        return _fail(f"not a valid report file: the frozen document is not JSON ({error})")
    if not isinstance(payload, dict) or payload.get("format") not in (FROZEN_FORMAT, AWARD_FORMAT):
        return _fail(f"not a valid report file: no '{FROZEN_FORMAT}' document")
    if set(payload) != _DOCUMENT_KEYS:
        return _fail(
            "not a valid report file: the document's keys are "
            f"{sorted(payload)}, expected {sorted(_DOCUMENT_KEYS)}"
        )
    if payload["version"] != FROZEN_VERSION:
        return _fail(f"not a valid report file: unknown document version {payload['version']}")
    try:
        canonical = canonical_json(payload)
    except ValueError as error:
        return _fail(f"not a valid report file: {error}")
    if canonical != data:
        return _fail("verification failed: the document is not in canonical form (edited)")
    content, stamp = payload["content"], payload["stamp"]
    actual = content_hash(content)
    if payload["seal"] != _seal_of(payload):
        return _fail(
            f"verification failed: the seal does not match the content and stamp (content sha256 {actual})"
        )
    if payload["format"] == AWARD_FORMAT:
        if stamp is not None:
            return _fail("verification failed: an award report carries no validation stamp")
        tender = content.get("tender_id") if isinstance(content, dict) else None
        return VerifyResult(
            ok=True,
            message=f"verified: sha256 {actual} (award report of tender {tender}, "
            f"generated on {content.get('generated_at', '') if isinstance(content, dict) else ''})",
            content_hash=actual,
        )
    if stamp is None:
        return VerifyResult(
            ok=True,
            message=f"verified: sha256 {actual} (unvalidated draft: no validation stamp)",
            content_hash=actual,
        )
    if not isinstance(stamp, dict) or stamp.get("content_hash") != actual:
        stated = stamp.get("content_hash") if isinstance(stamp, dict) else None
        return _fail(f"verification failed: content sha256 {actual} differs from the validated {stated}")
    evaluator = str(stamp.get("evaluator", ""))
    return VerifyResult(
        ok=True,
        message=(
            f"verified: sha256 {actual}, validated by {evaluator} "
            f"({stamp.get('accreditation_body', '')} {stamp.get('accreditation_number', '')}) "
            f"on {stamp.get('validated_at', '')}"
        ),
        content_hash=actual,
        validated=True,
        evaluator=evaluator,
    )


def _find_eocd(data: bytes) -> int:
    """Offset of the zip end-of-central-directory record, or -1."""
    # The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
    start = max(0, len(data) - 22 - 65535)
    position = data.rfind(_EOCD_SIGNATURE, start)
    while position >= 0:
        comment_length = int.from_bytes(data[position + 20 : position + 22], "little")
        if position + 22 + comment_length == len(data):
            return position
        position = data.rfind(_EOCD_SIGNATURE, start, position)
    return -1


def _unsealed(data: bytes, eocd: int) -> bytes:
    """The file as it was before sealing: comment removed, comment length zero."""
    return data[: eocd + 20] + b"\x00\x00"


def seal_zip_file(path: Path) -> str:
    """Write a SHA-256 seal of the whole file into its zip comment; returns the seal digest.

    Reads the file in blocks, so sealing a large export needs little memory.
    """
    size = path.stat().st_size
    tail_start = max(0, size - 22 - 65535)
    with path.open("r+b") as handle:
        handle.seek(tail_start)
        tail = handle.read()
        eocd_in_tail = _find_eocd(tail)
        if eocd_in_tail < 0:
            raise ValueError(f"{path} is not a zip file")
        eocd = tail_start + eocd_in_tail
        digest = hashlib.sha256()
        handle.seek(0)
        remaining = eocd + 20
        while remaining:
            block = handle.read(min(remaining, 1 << 20))
            if not block:
                raise ValueError(f"{path} ended early")
            digest.update(block)
            remaining -= len(block)
        digest.update(b"\x00\x00")
        seal = digest.hexdigest()
        comment = SEAL_PREFIX + seal.encode("ascii")
        handle.seek(eocd + 20)
        handle.write(len(comment).to_bytes(2, "little"))
        handle.write(comment)
        handle.truncate()
    return seal


def _read_sheet_document(archive: zipfile.ZipFile) -> bytes | None:
    """The frozen document stored in the hidden content sheet, or None when absent."""
    # Map sheet names to parts through the workbook and its relationships.
    import xml.etree.ElementTree as ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
    relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    targets = {rel.get("Id"): rel.get("Target") for rel in relationships}
    target = None
    for sheet in workbook.iter(f"{main}sheet"):
        if sheet.get("name") == CONTENT_SHEET:
            target = targets.get(sheet.get(f"{rel_ns}id"))
    if target is None:
        return None
    part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    root = ElementTree.fromstring(archive.read(part))  # noqa: S314
    chunks: list[str] = []
    for cell in root.iter(f"{main}c"):
        reference = cell.get("r", "")
        if not reference.startswith("A"):
            continue
        texts = [t.text or "" for t in cell.iter(f"{main}t")]
        chunks.append("".join(texts))
    return "".join(chunks).encode("utf-8")


def _iter_verify_xlsx(data: bytes) -> Iterator[VerifyResult]:
    eocd = _find_eocd(data)
    if eocd < 0:
        yield _fail("not a valid report file: not a zip archive (no end of central directory)")
        return
    comment = data[eocd + 22 :]
    if not comment.startswith(SEAL_PREFIX):
        yield _fail("verification failed: the workbook has no impactkit seal (re-saved or edited)")
        return
    stated = comment[len(SEAL_PREFIX) :].decode("ascii", errors="replace")
    actual = _sha256(_unsealed(data, eocd))
    if stated != actual:
        yield _fail(
            "verification failed: the workbook's bytes changed since export "
            f"(file sha256 {actual}, sealed {stated})"
        )
        return
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            broken = archive.testzip()
            if broken is not None:
                yield _fail(f"not a valid report file: damaged part {broken}")
                return
            document = _read_sheet_document(archive)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as error:
        yield _fail(f"not a valid report file: {error}")
        return
    except Exception as error:  # zlib and XML errors too: never a traceback
        yield _fail(f"not a valid report file: {error}")
        return
    if document is None:
        yield _fail(f"not a valid report file: no '{CONTENT_SHEET}' sheet")
        return
    yield verify_document(document)


def verify_bytes(data: bytes) -> VerifyResult:
    """Verify a frozen JSON document, an exported workbook or a report PDF given as bytes."""
    if data[:5] == b"%PDF-":
        from impactkit.reports.documents.pdf import verify_pdf

        return verify_pdf(data)
    if data[:2] == b"PK":
        return next(_iter_verify_xlsx(data))
    if data.lstrip()[:1] == b"{":
        return verify_document(data)
    return _fail("not a valid report file: neither a frozen JSON document, an .xlsx workbook nor a PDF")


def verify_file(path: str | Path) -> VerifyResult:
    """Verify a report file: a frozen JSON document, an exported .xlsx workbook or a report PDF.

    Never raises on a bad file: the result says what is wrong.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return _fail(f"cannot read {path}: {error.strerror or error}")
    return verify_bytes(data)
