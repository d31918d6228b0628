"""Media files of answers: their type is read from their bytes, their size and number bounded."""

from __future__ import annotations

import doctest

import pytest

from impactkit.errors import ResponseError
from impactkit.store import attachments
from impactkit.store.attachments import AttachmentLimits, IncomingFile, check_files, sniff
from tests.odk import TINY_JPEG


def test_the_docstring_examples_run() -> None:
    result = doctest.testmod(attachments)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (TINY_JPEG, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + bytes(20), "image/png"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypheic" + bytes(8), "image/heic"),
        (b"\x00\x00\x00\x18ftypM4A " + bytes(8), "audio/mp4"),
        (b"\x00\x00\x00\x18ftyp3gp4" + bytes(8), "video/3gpp"),
        (b"\x00\x00\x00\x18ftypisom" + bytes(8), "video/mp4"),
        (b"#!AMR\n" + bytes(8), "audio/amr"),
        (b"OggS" + bytes(8), "audio/ogg"),
        (b"\x1a\x45\xdf\xa3" + bytes(8), "video/webm"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"event, node, start, end\nform start,,1,\n", "text/plain"),
        (b"MZ\x90\x00\x03", None),  # a Windows program
        (b"\x7fELF\x02\x01", None),
        (bytes(range(256)), None),
    ],
)
def test_the_type_of_a_file_is_read_from_its_first_bytes(head: bytes, expected: str | None) -> None:
    assert sniff(head) == expected


def test_a_file_is_refused_for_its_type_size_or_number_naming_the_answer() -> None:
    limits = AttachmentLimits(max_file_bytes=1000, max_files=2)
    ok = IncomingFile("photo", "a.jpg", "image", TINY_JPEG)
    [checked] = check_files([ok], limits)
    assert checked.content_type == "image/jpeg" and len(checked.sha256) == 64
    with pytest.raises(ResponseError) as caught:
        check_files(
            [
                IncomingFile("household[1].photo", "b.jpg", "image", b"%PDF-1.4 pretending"),
                IncomingFile("voice", "c.amr", "audio", b"#!AMR\n" + bytes(2000)),
                IncomingFile("scan", "d.pdf", "file", b""),
            ],
            limits,
        )
    assert {(p.location, p.code) for p in caught.value.problems} == {
        ("answers.household[1].photo", "file_type"),
        ("answers.voice", "file_too_large"),
        ("answers.scan", "empty_file"),
        ("files", "too_many_files"),
    }
