"""An organisation brings its KoBoToolbox and ODK Central exports into impactkit, through the API and
the command line: every row validated, stored once, refused rows named with their column; and
impactkit's own export, imported back, gives the same stored answers. Both databases."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner
from sqlmodel import Session, delete, select

from impactkit.cli import main
from impactkit.store.db import session_scope
from impactkit.store.surveys import publish_form
from impactkit.store.tables import SurveyResponse
from tests.conftest import LiveServer
from tests.factories import build_world
from tests.unit.surveys.conftest import build_xlsform
from tests.unit.surveys.test_imports import CHOICES, EXPECTED, FORM, IDS, SURVEY, central_export, kobo_export


def _publish(live_server: LiveServer, organisation_id: int) -> int:
    workbook = build_xlsform(SURVEY, CHOICES, [["form_id", "version"], ["household", "3"]])
    with session_scope(live_server.engine) as session:
        version, _ = publish_form(session, FORM, organisation_id=organisation_id, source=workbook)
        assert version.id is not None
        return version.id


def _answers(live_server: LiveServer) -> dict[str, Any]:
    with Session(live_server.engine) as session:
        rows = session.exec(select(SurveyResponse).where(SurveyResponse.replaced_at.is_(None))).all()  # type: ignore[union-attr]
        return {row.instance_id: row.answers for row in rows}


def _import(
    client: httpx.Client, form_version_id: int, project_id: int, files: list[tuple[str, bytes]], **fields: Any
) -> httpx.Response:
    return client.post(
        "/api/v1/responses/import",
        files=[
            ("form_version_id", (None, str(form_version_id))),
            ("project_id", (None, str(project_id))),
            *[(key, (None, str(value))) for key, value in fields.items()],
            *[("files", (name, data)) for name, data in files],
        ],
    )


def test_a_kobotoolbox_export_is_imported_once_and_a_bad_row_is_named(live_server: LiveServer) -> None:
    world = build_world(live_server.engine)
    version_id = _publish(live_server, world.org_a)
    editor = live_server.client(world.tokens["editor_a"])

    first = _import(editor, version_id, world.project_a, [("household.xlsx", kobo_export())], wave="baseline")
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["source"], body["counts"], body["not_stored"]) == ("KoBoToolbox", {"stored": 2}, [])
    assert [table["scope"] for table in body["tables"]] == ["main", "member", "visit"]
    assert _answers(live_server) == dict(zip(IDS, EXPECTED, strict=True))

    again = _import(editor, version_id, world.project_a, [("household.xlsx", kobo_export())], wave="baseline")
    assert again.json()["counts"] == {"already_stored": 2}, "the same instance ids store nothing new"

    reader = live_server.client(world.tokens["viewer_a"])
    assert (
        _import(reader, version_id, world.project_a, [("household.xlsx", kobo_export())]).status_code == 404
    )
    stranger = live_server.client(world.tokens["owner_b"])
    assert (
        _import(stranger, version_id, world.project_a, [("household.xlsx", kobo_export())]).status_code == 404
    )

    bad_id = str(uuid.uuid4())
    table = (
        "KEY,profile-age,profile-services,members\r\n"
        f"uuid:{bad_id},abc,food,0\r\n"
        f"uuid:{uuid.uuid4()},30,,0\r\n"
    ).encode()
    checked = _import(editor, version_id, world.project_a, [("central.csv", table)], dry_run="true")
    assert checked.json()["counts"] == {"refused": 1, "valid": 1}
    [refused] = checked.json()["not_stored"]
    assert refused["instance_id"] == bad_id
    [problem] = refused["problems"]
    assert problem["location"] == "answers.age" and problem["column"] == "central.csv, column 'profile-age'"
    assert len(_answers(live_server)) == 2, "a dry run stores nothing"

    unknown = _import(editor, version_id, world.project_a, [("other.csv", b"KEY,shoe_size\r\nuuid:x,42\r\n")])
    assert unknown.status_code == 422
    assert "shoe_size" in unknown.text


def test_impactkits_own_export_imports_back_to_the_same_answers(live_server: LiveServer) -> None:
    world = build_world(live_server.engine)
    version_id = _publish(live_server, world.org_a)
    editor = live_server.client(world.tokens["editor_a"])
    stored = _import(
        editor, version_id, world.project_a, [("household.csv.zip", central_export())], wave="endline"
    )
    assert stored.json()["counts"] == {"stored": 2}
    before = _answers(live_server)

    exported = [
        (
            f"household-{table}.csv",
            editor.get(
                "/api/v1/responses/export.csv", params={"form_id": "household", "table": table}
            ).content,
        )
        for table in ("main", "member", "visit")
    ]
    with session_scope(live_server.engine) as session:
        session.exec(delete(SurveyResponse))  # type: ignore[call-overload]
    assert _answers(live_server) == {}

    back = _import(editor, version_id, world.project_a, exported, wave="endline")
    assert back.json()["source"] == "impactkit"
    assert back.json()["counts"] == {"stored": 2}
    assert _answers(live_server) == before


def test_the_command_line_imports_and_reports_refused_rows(live_server: LiveServer, tmp_path: Path) -> None:
    world = build_world(live_server.engine)
    version_id = _publish(live_server, world.org_a)
    export = tmp_path / "household.csv.zip"
    export.write_bytes(central_export(";"))
    common = ["--form-version", str(version_id), "--project-id", str(world.project_a)]
    url = ["--database-url", live_server.settings.database_url]
    runner = CliRunner()
    done = runner.invoke(main, ["responses", "import", str(export), *common, *url])
    assert done.exit_code == 0, done.output
    assert "from ODK Central" in done.output and "2 stored" in done.output
    assert "semicolon-separated" in done.output
    again = runner.invoke(main, ["responses", "import", str(export), *common, *url])
    assert "0 stored, 2 already stored" in again.output

    bad = tmp_path / "bad.csv"
    bad.write_bytes(f"KEY,profile-age\r\nuuid:{uuid.uuid4()},-3x\r\n".encode())
    refused = runner.invoke(main, ["responses", "import", str(bad), *common, *url])
    assert refused.exit_code == 1
    assert "bad.csv row 1" in refused.output and "[bad.csv, column 'profile-age']" in refused.output
    nothing = runner.invoke(main, ["responses", "import", str(tmp_path / "nowhere.csv"), *common, *url])
    assert nothing.exit_code == 2 and "does not exist" in nothing.output
