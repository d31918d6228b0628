"""The CLI and the store: migrations on both engines, demo data idempotent, clear CLI errors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, text
from sqlmodel import Session, select

from impactkit.api.app import create_app
from impactkit.cli import main
from impactkit.errors import ConfigError
from impactkit.settings import Settings
from impactkit.store import migrate
from impactkit.store.db import make_engine
from impactkit.store.tables import ApiToken, Organisation, Report, SurveyResponse, User


def test_the_demo_loaded_twice_duplicates_nothing(database_url: str, tmp_path: object) -> None:
    runner = CliRunner()
    env = {"IMPACTKIT_DATABASE_URL": database_url, "IMPACTKIT_DATA_DIR": str(tmp_path)}
    first = runner.invoke(main, ["demo"], env=env)
    assert first.exit_code == 0, first.output
    engine = make_engine(database_url)
    with Session(engine) as session:
        counts = [
            session.exec(select(func.count()).select_from(t)).one()
            for t in (Organisation, User, ApiToken, SurveyResponse, Report)
        ]
    second = runner.invoke(main, ["demo"], env=env)
    assert second.exit_code == 0
    with Session(engine) as session:
        again = [
            session.exec(select(func.count()).select_from(t)).one()
            for t in (Organisation, User, ApiToken, SurveyResponse, Report)
        ]
    assert counts == again and counts[0] >= 2 and counts[3] == 137 and counts[4] == 1
    # the printed token is the one that works
    token = next(line.split()[-1] for line in first.output.splitlines() if "admin@demo" in line)
    assert token in second.output
    engine.dispose()


def test_cli_admin_commands_create_and_refuse_with_a_clear_message(
    database_url: str, tmp_path: object
) -> None:
    runner = CliRunner()
    env = {"IMPACTKIT_DATABASE_URL": database_url, "IMPACTKIT_DATA_DIR": str(tmp_path)}
    ok = runner.invoke(
        main,
        [
            "admin",
            "create-organisation",
            "--name",
            "ODV Monte",
            "--legal-form",
            "odv",
            "--tax-code",
            "01234567897",
            "--municipality",
            "Susa",
            "--zone",
            "Valli Susa e Sangone",
            "--territory-type",
            "mountain",
            "--size-class",
            "micro",
        ],
        env=env,
    )
    assert ok.exit_code == 0, ok.output
    assert '"name": "ODV Monte"' in ok.output
    bad = runner.invoke(
        main,
        [
            "admin",
            "create-organisation",
            "--name",
            "X",
            "--legal-form",
            "odv",
            "--tax-code",
            "01234567897",
            "--municipality",
            "Susa",
            "--zone",
            "Atlantis",
            "--territory-type",
            "mountain",
            "--size-class",
            "micro",
        ],
        env=env,
    )
    assert bad.exit_code == 2
    assert "zone" in bad.output and "Traceback" not in bad.output
    dup = runner.invoke(
        main,
        [
            "admin",
            "create-organisation",
            "--name",
            "Y",
            "--legal-form",
            "odv",
            "--tax-code",
            "01234567897",
            "--municipality",
            "Susa",
            "--territory-type",
            "mountain",
            "--size-class",
            "micro",
        ],
        env=env,
    )
    assert dup.exit_code == 2 and "already exists" in dup.output
    user = runner.invoke(main, ["admin", "create-user", "--email", "a@b.org", "--name", "A"], env=env)
    assert user.exit_code == 0
    token = runner.invoke(main, ["admin", "create-token", "--user-id", "1"], env=env)
    assert token.exit_code == 0 and "ik_" in token.output
    member = runner.invoke(
        main,
        ["admin", "add-member", "--organisation-id", "1", "--user-id", "1", "--role", "owner"],
        env=env,
    )
    assert member.exit_code == 0, member.output


def test_the_server_refuses_an_unmigrated_database_and_names_the_command(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    url = f"sqlite:///{folder / 'empty.db'}"
    settings = Settings(data_dir=folder, database_url=url, secret_key="k")
    with pytest.raises(ConfigError, match="impactkit db upgrade"):
        create_app(settings)
    app = create_app(settings, migrate_on_start=True)
    assert app is not None
    engine = make_engine(url)
    assert not migrate.pending(engine)
    engine.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path: object) -> None:
    from pathlib import Path

    engine = make_engine(f"sqlite:///{Path(str(tmp_path)) / 'wal.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_kpis_of_a_stored_project_from_the_cli(database_url: str, tmp_path: object) -> None:
    import json

    runner = CliRunner()
    env = {"IMPACTKIT_DATABASE_URL": database_url, "IMPACTKIT_DATA_DIR": str(tmp_path)}
    assert runner.invoke(main, ["demo"], env=env).exit_code == 0
    result = runner.invoke(
        main, ["kpis", "project", "--project-id", "1", "--period-id", "1", "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    results = {r["indicator_id"]: r for r in json.loads(result.output)["results"]}
    assert results["people_reached"]["value"] == 80
    missing = runner.invoke(main, ["kpis", "project", "--project-id", "99"], env=env)
    assert missing.exit_code == 2 and "project 99 not found" in missing.output
