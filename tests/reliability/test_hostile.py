"""Hostile bodies and files: each refused with a clear 4xx naming what is wrong, the server still healthy.

One `impactkit serve` process (SQLite) takes every hostile request of this module. For each, the
test records how long the answer took and how much the server's resident memory grew (printed
with ``-s``; the figures go to docs/reliability.md), asserts only that an answer came within a
generous client timeout, and checks that ``/health`` still answers afterwards.
"""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from impactkit.store import migrate
from impactkit.store.db import make_engine, session_scope
from impactkit.store.surveys import publish_shipped_forms
from tests.conftest import free_port
from tests.factories import World, build_world
from tests.reliability.loadclient import ServerProcess, beneficiary_answers

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

GENEROUS = 120.0
"""Seconds: an answer must come, however slow; the measured figures are printed, not asserted."""

MEMORY_BOUND_MIB = 300
"""MiB: how much one hostile request may raise the server's peak resident memory."""

FIGURES: list[str] = []


class Hostile:
    def __init__(self, server: ServerProcess, world: World) -> None:
        self.server = server
        self.world = world
        self.client = httpx.Client(
            base_url=server.base_url,
            headers={"Authorization": f"Bearer {world.tokens['editor_a']}"},
            timeout=GENEROUS,
        )

    def memory_kib(self, key: str) -> int:
        """``VmRSS`` (resident now) or ``VmHWM`` (peak resident so far) of the server, in KiB."""
        status = Path(f"/proc/{self.server.pids()[0]}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith(f"{key}:")))

    def send(self, what: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send one hostile request; record time and memory; check the server stays healthy."""
        rss, peak = self.memory_kib("VmRSS"), self.memory_kib("VmHWM")
        started = time.perf_counter()
        answer = self.client.request(method, path, **kwargs)
        seconds = time.perf_counter() - started
        rss_growth = (self.memory_kib("VmRSS") - rss) / 1024
        peak_growth = (self.memory_kib("VmHWM") - peak) / 1024
        FIGURES.append(
            f"{what:<62} {answer.status_code}  {seconds:7.2f} s  "
            f"RSS {rss_growth:+7.1f} MiB  peak {peak_growth:+7.1f} MiB"
        )
        health = httpx.get(f"{self.server.base_url}/health", timeout=30)
        assert health.status_code == 200, f"/health after {what}: {health.status_code}"
        assert peak_growth < MEMORY_BOUND_MIB, f"{what}: the server's peak memory grew {peak_growth:.0f} MiB"
        return answer

    def upload(self, what: str, content: bytes, filename: str = "form.xlsx") -> httpx.Response:
        return self.send(
            what,
            "POST",
            f"/api/v1/organisations/{self.world.org_a}/forms",
            files={"file": (filename, content, "application/octet-stream")},
        )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    folder = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{folder / 'impactkit.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    world = build_world(engine)
    with session_scope(engine) as session:
        publish_shipped_forms(session)
    engine.dispose()
    server = ServerProcess(url, free_port(), folder / "data").start()
    found = Hostile(server, world)
    try:
        yield found
    finally:
        found.client.close()
        server.kill()
        print("\nhostile inputs (answer, time, server memory growth):\n" + "\n".join(FIGURES))


def problem_text(answer: httpx.Response) -> str:
    """The whole problem document as text (detail and every error message and location)."""
    assert answer.headers.get("content-type", "").startswith("application/problem+json"), answer.text[:300]
    body = answer.json()
    parts = [str(body.get("detail", ""))]
    for error in body.get("errors", []):
        parts.append(f"{error.get('location', '')}: {error.get('message', '')}")
    return " | ".join(parts)


def assert_refused(answer: httpx.Response, *words: str) -> str:
    """A 4xx problem whose text names what is wrong (any of ``words``, case-insensitive)."""
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:500])
    text = problem_text(answer)
    assert any(word.lower() in text.lower() for word in words), text
    return text


def submission(world: World, answers: Any) -> dict[str, Any]:
    return {
        "instance_id": str(uuid.uuid4()),
        "form_id": "beneficiary_outcomes",
        "form_version": "2026.1",
        "project_id": world.project_a,
        "period_id": world.period_a,
        "wave": "baseline",
        "answers": answers,
    }


# --------------------------------------------------------------------------- bodies


def test_a_body_over_the_limit_is_413(hostile: Hostile) -> None:
    body = b'{"responses": ["' + b"x" * (11 * 1024 * 1024) + b'"]}'
    answer = hostile.send(
        "11 MiB JSON body (limit 10 MiB)",
        "POST",
        "/api/v1/responses/batch",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert_refused(answer, "large", "limit", "size")


def test_a_streamed_body_without_length_over_the_limit_is_413(hostile: Hostile) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"responses": ["'
        for _ in range(12):
            yield b"x" * (1024 * 1024)
        yield b'"]}'

    answer = hostile.send(
        "12 MiB chunked body, no Content-Length",
        "POST",
        "/api/v1/responses/batch",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert_refused(answer, "large", "limit", "size")


def test_deeply_nested_json_is_refused(hostile: Hostile) -> None:
    depth = 100_000
    body = b'{"answers": ' + b"[" * depth + b"]" * depth + b"}"
    answer = hostile.send(
        "100,000 nested arrays",
        "POST",
        "/api/v1/responses",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert_refused(answer, "json", "nest", "deep", "invalid", "answers", "instance_id")


def test_deeply_nested_answers_inside_a_valid_envelope_are_refused(hostile: Hostile) -> None:
    depth = 5_000
    envelope = json.dumps(submission(hostile.world, beneficiary_answers(1) | {"satisfaction": "@"}))
    body = envelope.replace('"@"', "[" * depth + '"deep"' + "]" * depth).encode()
    answer = hostile.send(
        "an answer nested 5,000 lists deep",
        "POST",
        "/api/v1/responses",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert_refused(answer, "satisfaction", "nest", "deep", "json")


def test_huge_json_within_the_limit_is_answered_item_by_item(hostile: Hostile) -> None:
    # 9 MiB: 1,000 responses each carrying 200 unknown answers of 40 characters
    extra = {f"unknown_{n}": "y" * 40 for n in range(200)}
    items = [submission(hostile.world, beneficiary_answers(n) | extra) for n in range(1000)]
    answer = hostile.send(
        "1,000 responses, 200 unknown answers each (9 MiB)",
        "POST",
        "/api/v1/responses/batch",
        json={"responses": items},
    )
    assert answer.status_code in (200, 413, 422), answer.text[:300]
    if answer.status_code == 200:
        results = answer.json()["results"]
        assert len(results) == 1000
        assert all(r["status"] == "invalid" for r in results)
        assert "unknown_0" in str(results[0]["errors"])


def test_a_batch_over_the_item_limit_is_refused_naming_the_limit(hostile: Hostile) -> None:
    items = [submission(hostile.world, beneficiary_answers(n)) for n in range(1001)]
    answer = hostile.send(
        "batch of 1,001 responses (limit 1,000)", "POST", "/api/v1/responses/batch", json={"responses": items}
    )
    text = assert_refused(answer, "1000", "1,000")
    assert "responses" in text


def test_a_million_keys_is_refused(hostile: Hostile) -> None:
    body = b'{"answers": {' + b",".join(b'"k%d": 0' % n for n in range(600_000)) + b"}}"
    answer = hostile.send(
        f"one object with 600,000 keys ({len(body) // 1024 // 1024} MiB)",
        "POST",
        "/api/v1/responses",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert_refused(answer, "instance_id", "answers", "k0", "too many", "large")


# --------------------------------------------------------------------------- uploaded files


def form_workbook(rows: list[list[Any]] | None = None, settings: list[list[Any]] | None = None) -> bytes:
    """A small valid XLSForm (survey, choices, settings) as .xlsx bytes."""
    book = openpyxl.Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    for row in rows or [
        ["type", "name", "label"],
        ["integer", "age", "Age"],
        ["select_one yes_no", "consent", "Consent"],
    ]:
        survey.append(row)
    choices = book.create_sheet("choices")
    for row in [["list_name", "name", "label"], ["yes_no", "yes", "Yes"], ["yes_no", "no", "No"]]:
        choices.append(row)
    sheet = book.create_sheet("settings")
    for row in settings or [["form_id", "version"], [f"hostile_{uuid.uuid4().hex[:8]}", "1"]]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def replace_members(workbook: bytes, replacements: dict[str, bytes | None], extra: dict[str, bytes]) -> bytes:
    """The workbook with some zip members replaced (None: dropped) and others added."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in replacements:
                content = replacements[info.filename]
                if content is not None:
                    target.writestr(info.filename, content)
            else:
                target.writestr(info, source.read(info))
        for name, content in extra.items():
            target.writestr(name, content)
    return out.getvalue()


def test_a_valid_form_is_published_as_the_control(hostile: Hostile) -> None:
    answer = hostile.upload("control: a small valid form", form_workbook())
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize(
    ("what", "content", "filename"),
    [
        ("plain text named .xlsx", b"type,name,label\ninteger,age,Age\n", "form.xlsx"),
        ("a PNG named .xlsx", b"\x89PNG\r\n\x1a\n" + bytes(2000), "form.xlsx"),
        ("a zip without a workbook", b"", "form.xlsx"),
        ("empty file", b"", "form.xls"),
        ("truncated xlsx", b"", "form.xlsx"),
    ],
)
def test_an_upload_that_is_not_a_workbook_is_refused(
    hostile: Hostile, what: str, content: bytes, filename: str
) -> None:
    if what == "a zip without a workbook":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
        content = out.getvalue()
    elif what == "truncated xlsx":
        content = form_workbook()[:3000]
    answer = hostile.upload(what, content, filename)
    assert_refused(answer, "workbook", "excel", "xlsx", "zip", "file", "sheet")


def _deflated_member(
    name: str, prefix: bytes, filler: bytes, repeat: int, suffix: bytes
) -> tuple[bytes, int, int]:
    """A raw deflate stream of ``prefix + filler * repeat + suffix``, its CRC and its size."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    crc = zlib.crc32(prefix)
    parts = [compressor.compress(prefix)]
    chunk = filler * (1024 * 1024 // len(filler))
    chunks = repeat * len(filler) // len(chunk)
    for _ in range(chunks):
        parts.append(compressor.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    parts.append(compressor.compress(suffix))
    crc = zlib.crc32(suffix, crc)
    parts.append(compressor.flush())
    return b"".join(parts), crc, len(prefix) + chunks * len(chunk) + len(suffix)


def zip_bomb(declared_size: int | None = None) -> bytes:
    """A workbook whose survey sheet inflates from about 1 MiB to 1 GiB of blank XML.

    With ``declared_size`` the zip header lies about the inflated size (as a crafted bomb does).
    """
    workbook = form_workbook()
    source = zipfile.ZipFile(io.BytesIO(workbook))
    sheet = next(n for n in source.namelist() if n.startswith("xl/worksheets/sheet1"))
    prefix = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    data, crc, size = _deflated_member(sheet, prefix, b" ", 1024 * 1024 * 1024, b"</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != sheet:
                target.writestr(info, source.read(info))
        info = zipfile.ZipInfo(sheet, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.CRC = crc
        info.compress_size = len(data)
        info.file_size = declared_size if declared_size is not None else size
        # write the raw, already deflated member
        info.header_offset = target.fp.tell()  # type: ignore[union-attr]
        target.fp.write(info.FileHeader())  # type: ignore[union-attr]
        target.fp.write(data)  # type: ignore[union-attr]
        target.filelist.append(info)
        target.NameToInfo[sheet] = info
        target.start_dir = target.fp.tell()  # type: ignore[union-attr]
    return out.getvalue()


def test_a_zip_bomb_disguised_as_xlsx_is_refused(hostile: Hostile) -> None:
    bomb = zip_bomb()
    assert len(bomb) < 5 * 1024 * 1024
    answer = hostile.upload(f"zip bomb: {len(bomb) // 1024} KiB inflating to 1 GiB", bomb)
    assert_refused(answer, "large", "too", "size", "bytes")


def test_a_zip_bomb_that_lies_about_its_size_is_refused(hostile: Hostile) -> None:
    bomb = zip_bomb(declared_size=10_000)
    answer = hostile.upload(f"zip bomb declaring 10 kB, inflating to 1 GiB ({len(bomb) // 1024} KiB)", bomb)
    assert_refused(answer, "workbook", "zip", "crc", "read", "large", "sheet")


def sheet_xml(dimension: str, rows: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>' + "".join(rows) + "</sheetData></worksheet>"
    ).encode()


def inline_row(number: int, values: list[str]) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def _survey_member(workbook: bytes) -> str:
    return next(n for n in zipfile.ZipFile(io.BytesIO(workbook)).namelist() if n.endswith("sheet1.xml"))


def test_a_sheet_declaring_the_whole_grid_with_a_few_rows_is_read_quickly(hostile: Hostile) -> None:
    workbook = form_workbook()
    rows = [inline_row(1, ["type", "name", "label"]), inline_row(2, ["integer", "age", "Age"])]
    member = sheet_xml("A1:XFD1048576", rows)
    answer = hostile.upload(
        "survey sheet declaring A1:XFD1048576, 2 rows",
        replace_members(workbook, {_survey_member(workbook): member}, {}),
    )
    assert answer.status_code == 201, answer.text[:500]


def test_a_sheet_with_a_million_empty_rows_is_answered(hostile: Hostile) -> None:
    workbook = form_workbook()
    rows = [inline_row(1, ["type", "name", "label"]), inline_row(2, ["integer", "age", "Age"])]
    rows += [f'<row r="{n}"><c r="A{n}" s="1"/></row>' for n in range(3, 1_000_003)]
    member = sheet_xml("A1:XFD1048576", rows)
    content = replace_members(workbook, {_survey_member(workbook): member}, {})
    answer = hostile.upload(f"survey sheet with a million empty rows ({len(content) // 1024} KiB)", content)
    # empty rows may be skipped (published) or refused; never a server error, and a refusal says why
    if answer.status_code != 201:
        assert_refused(answer, "empty", "rows", "survey")


def test_formulas_in_a_form_are_never_evaluated_nor_fetched(hostile: Hostile) -> None:
    form_id = f"hostile_formula_{uuid.uuid4().hex[:6]}"
    workbook = form_workbook(
        rows=[
            ["type", "name", "label"],
            ["integer", "age", '=HYPERLINK("http://127.0.0.1:9/steal","Age")'],
            ["text", "note_field", '=WEBSERVICE("http://127.0.0.1:9/x")'],
        ],
        settings=[["form_id", "version"], [form_id, "=NOW()"]],
    )
    answer = hostile.upload("labels written as formulas (HYPERLINK, WEBSERVICE)", workbook)
    if answer.status_code in (200, 201):
        definition = hostile.client.get(f"/api/v1/forms/{answer.json()['id']}").json()["definition"]
        assert "127.0.0.1:9" not in str(definition) or "HYPERLINK" in str(definition)
    else:
        assert_refused(answer, "formula", "survey!")


def test_external_links_inside_a_workbook_are_not_followed(hostile: Hostile) -> None:
    workbook = form_workbook()
    external = (
        b'<?xml version="1.0"?><externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1">'
        b'<sheetNames><sheetName val="x"/></sheetNames></externalBook></externalLink>'
    )
    rels = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'externalLinkPath" Target="file:///etc/passwd" TargetMode="External"/></Relationships>'
    )
    content = replace_members(
        workbook,
        {},
        {
            "xl/externalLinks/externalLink1.xml": external,
            "xl/externalLinks/_rels/externalLink1.xml.rels": rels,
        },
    )
    answer = hostile.upload("workbook with an external link to file:///etc/passwd", content)
    assert answer.status_code < 500
    assert "root:" not in answer.text


def test_an_xml_entity_bomb_is_refused(hostile: Hostile) -> None:
    workbook = form_workbook()
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
            for n in range(1, 10)
        )
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    answer = hostile.upload(
        "billion laughs entity bomb in the survey sheet",
        replace_members(workbook, {_survey_member(workbook): lol}, {}),
    )
    assert_refused(answer, "doctype", "workbook", "xml")


# --------------------------------------------------------------------------- slow expressions


def test_a_deeply_nested_expression_is_refused_at_import(hostile: Hostile) -> None:
    depth = 5_000
    workbook = form_workbook(
        rows=[
            ["type", "name", "label", "relevant"],
            ["integer", "age", "Age", ""],
            ["text", "why", "Why", "(" * depth + "${age} > 1" + ")" * depth],
        ]
    )
    answer = hostile.upload(f"relevant nested {depth} parentheses deep", workbook)
    assert_refused(answer, "survey!D3", "relevant", "deep", "nest", "long")


def test_a_very_long_expression_is_refused_or_accepted_quickly(hostile: Hostile) -> None:
    long_sum = " + ".join("${age}" for _ in range(20_000))
    workbook = form_workbook(
        rows=[
            ["type", "name", "label", "calculation"],
            ["integer", "age", "Age", ""],
            ["calculate", "total", "", long_sum],
        ]
    )
    answer = hostile.upload("calculation of 20,000 terms", workbook)
    if answer.status_code >= 400:
        assert_refused(answer, "survey!D3", "calculation", "long")


def test_a_catastrophic_regex_cannot_stall_the_server(hostile: Hostile) -> None:
    form_id = f"hostile_regex_{uuid.uuid4().hex[:6]}"
    workbook = form_workbook(
        rows=[["type", "name", "label", "constraint"], ["text", "code", "Code", "regex(., '^(a+)+$')"]],
        settings=[["form_id", "version"], [form_id, "1"]],
    )
    published = hostile.upload("form with constraint regex ^(a+)+$", workbook)
    if published.status_code >= 400:
        assert_refused(published, "survey!D2", "regex", "constraint")
        return
    assert published.status_code == 201, published.text
    body = {
        "instance_id": str(uuid.uuid4()),
        "form_id": form_id,
        "form_version": "1",
        "project_id": hostile.world.project_a,
        "answers": {"code": "a" * 40 + "!"},
    }
    answer = hostile.send("answer 'a'*40+'!' against ^(a+)+$", "POST", "/api/v1/responses", json=body)
    assert_refused(answer, "answers.code", "regex", "regular expression")


def test_a_value_map_upload_that_is_not_a_workbook_is_refused(hostile: Hostile) -> None:
    answer = hostile.send(
        "value map upload: a PNG named .xlsx",
        "POST",
        "/api/v1/sroi/import",
        files={"file": ("value-map.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(200), "application/octet-stream")},
    )
    assert_refused(answer, "workbook", "xlsx", "zip")


def test_a_value_map_zip_bomb_is_refused_within_bounded_memory(hostile: Hostile) -> None:
    bomb = zip_bomb()
    answer = hostile.send(
        f"value map upload: zip bomb ({len(bomb) // 1024} KiB → 1 GiB)",
        "POST",
        "/api/v1/sroi/import",
        files={"file": ("value-map.xlsx", bomb, "application/octet-stream")},
    )
    assert_refused(answer, "workbook", "sheet", "value map", "large", "layout")
