"""Freezing a validated report and verifying the file later."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest

from impactkit.reports import (
    ReportContent,
    ValidationStamp,
    canonical_json,
    content_hash,
    frozen_document,
    verify_bytes,
    verify_file,
)
from tests.unit.reports.helpers import report_data


def test_canonical_json_sorts_keys_drops_whitespace_and_keeps_utf8() -> None:
    data = {"b": [1, {"z": None, "a": True}], "a": "Città «sociale»\n"}
    expected = '{"a":"Città «sociale»\\n","b":[1,{"a":true,"z":null}]}'.encode()
    assert canonical_json(data) == expected


def test_numbers_are_normalised_so_equal_amounts_hash_alike() -> None:
    assert canonical_json([1, 1.0, Decimal("1.00"), 0.1, Decimal("0.10"), 1e-7, -0.0, 2.5e20]) == (
        b"[1,1,1,0.1,0.1,0.0000001,0,250000000000000000000]"
    )
    with pytest.raises(ValueError, match="non-finite"):
        canonical_json({"ratio": float("nan")})


def test_the_content_hash_is_the_sha256_of_the_canonical_bytes(content: ReportContent) -> None:
    expected = hashlib.sha256(canonical_json(content.model_dump(mode="json"))).hexdigest()
    assert content_hash(content) == expected
    assert len(expected) == 64


def test_the_hash_does_not_depend_on_key_order_or_how_numbers_were_typed() -> None:
    first = report_data()
    second = json.loads(json.dumps(report_data()), object_pairs_hook=lambda p: dict(reversed(p)))
    second["kpis"][0]["value"] = 12.0
    assert content_hash(ReportContent.model_validate(first)) == content_hash(
        ReportContent.model_validate(second)
    )


def test_any_change_to_the_content_changes_the_hash(content: ReportContent) -> None:
    changed = content.model_copy(deep=True)
    changed.kpis[0].value = 12.000001
    assert content_hash(changed) != content_hash(content)


def test_a_frozen_document_verifies_and_names_the_evaluator(
    content: ReportContent, stamp: ValidationStamp, tmp_path: Path
) -> None:
    path = tmp_path / "report.json"
    path.write_bytes(frozen_document(content, stamp))
    result = verify_file(path)
    assert result.ok and result.validated
    assert result.message.startswith(f"verified: sha256 {content_hash(content)}")
    assert "Anna Bianchi" in result.message


def test_a_stamp_for_other_content_cannot_be_frozen(content: ReportContent, stamp: ValidationStamp) -> None:
    other = stamp.model_copy(update={"content_hash": "0" * 64})
    with pytest.raises(ValueError, match="not the content's hash"):
        frozen_document(content, other)


def test_every_one_byte_change_to_a_frozen_document_fails_verification(
    content: ReportContent, stamp: ValidationStamp
) -> None:
    document = frozen_document(content, stamp)
    assert verify_bytes(document).ok
    for position in range(len(document)):
        for replacement in {document[position] ^ 0x01, ord(" ")} - {document[position]}:
            tampered = document[:position] + bytes([replacement]) + document[position + 1 :]
            result = verify_bytes(tampered)
            assert not result.ok, f"byte {position} changed to {replacement} still verifies"


def test_changing_the_evaluator_in_the_stamp_breaks_the_seal(
    content: ReportContent, stamp: ValidationStamp
) -> None:
    document = frozen_document(content, stamp).replace(b"Anna Bianchi", b"Anna Bianchx")
    result = verify_bytes(document)
    assert not result.ok and "seal" in result.message


def test_files_that_are_not_reports_get_a_clear_reason(tmp_path: Path) -> None:
    missing = verify_file(tmp_path / "nowhere.xlsx")
    assert not missing.ok and missing.message.startswith("cannot read")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01not a report")
    assert verify_file(junk).message.startswith("not a valid report file")
    other_json = tmp_path / "other.json"
    other_json.write_text('{"hello": 1}')
    assert verify_file(other_json).message.startswith("not a valid report file")
