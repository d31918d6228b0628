"""`impactkit report verify FILE` for anyone holding a report file."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from impactkit.reports import ReportContent, ValidationStamp, frozen_document, write_report_xlsx
from impactkit.reports.cli import report


def test_verify_says_verified_with_the_hash_and_exits_0(
    content: ReportContent, stamp: ValidationStamp, tmp_path: Path
) -> None:
    path = tmp_path / "report.xlsx"
    write_report_xlsx(content, path, stamp=stamp)
    outcome = CliRunner().invoke(report, ["verify", str(path)])
    assert outcome.exit_code == 0
    assert outcome.output.startswith(f"verified: sha256 {stamp.content_hash}")


def test_verify_of_a_changed_file_exits_1_with_the_reason_and_no_traceback(
    content: ReportContent, stamp: ValidationStamp, tmp_path: Path
) -> None:
    path = tmp_path / "report.json"
    document = bytearray(frozen_document(content, stamp))
    document[100] ^= 0x01
    path.write_bytes(bytes(document))
    outcome = CliRunner().invoke(report, ["verify", str(path)])
    assert outcome.exit_code == 1
    assert "verification failed" in outcome.output or "not a valid" in outcome.output
    assert "Traceback" not in outcome.output


def test_verify_of_a_corrupted_zip_says_it_is_not_a_valid_report_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    outcome = CliRunner().invoke(report, ["verify", str(path)])
    assert outcome.exit_code == 1
    assert "not a valid report file" in outcome.output
