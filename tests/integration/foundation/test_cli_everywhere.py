"""Every command, run where there is no instance and against a database that was never migrated.

The commands are found by walking the CLI's command tree, so a new command is covered without
being listed. Each one either does its job or fails with a clear message and a non-zero exit
code: never a traceback, never exit 0 after failing, never a file created where it was run.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from impactkit.cli import main
from impactkit.store.db import make_engine
from tests.conftest import POSTGRES_URL, _postgres_available, missing_system_part


@dataclass(frozen=True)
class Leaf:
    path: tuple[str, ...]
    command: click.Command

    @property
    def name(self) -> str:
        return " ".join(self.path)

    @property
    def uses_database(self) -> bool:
        return any(param.name == "database_url" for param in self.command.params)


def leaves(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[Leaf]:
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            yield from leaves(command, (*path, name))
        else:
            yield Leaf((*path, name), command)


def arguments(leaf: Leaf, a_file: Path) -> list[str]:
    """The smallest command line click accepts: every required parameter given a plausible value
    (a path names an existing file that is not what the command expects)."""
    args = list(leaf.path)
    for param in leaf.command.params:
        if not param.required:
            continue
        kind = param.type
        if isinstance(kind, click.Choice):
            value = str(kind.choices[0])
        elif isinstance(kind, click.Path):
            value = str(a_file if "out" not in (param.name or "") else a_file.with_suffix(".out.xlsx"))
        elif isinstance(kind, click.DateTime):
            value = "2026-01-01"
        elif isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
            value = "1"
        elif param.name == "response_specs":
            value = f"beneficiary_outcomes={a_file}"
        else:
            value = "nope"
        if isinstance(param, click.Option):
            args.append(param.opts[0])
        args.append(value)
    return args


# Commands whose job is done without an instance, or that report the state of one.
SUCCEED_WITHOUT_INSTANCE = {"info", "db upgrade", "frameworks list"}
SUCCEED_ON_UNMIGRATED = {"info", "db current", "db upgrade"}

ALL_LEAVES = sorted(leaves(main), key=lambda leaf: leaf.name)


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """An empty working directory, no IMPACTKIT_* setting, a platform data folder under tmp."""
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    a_file = tmp_path / "files" / "notes.txt"
    a_file.parent.mkdir()
    a_file.write_text("not what any command expects\n", "utf-8")
    env: dict[str, str | None] = {name: None for name in os.environ if name.startswith("IMPACTKIT_")}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    env["IMPACTKIT_DEBUG"] = None

    def no_server(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("impactkit serve started a server without an instance")

    monkeypatch.setattr("uvicorn.run", no_server)
    return {"here": here, "file": a_file, "env": env, "platform": tmp_path / "xdg" / "impactkit"}


def run(args: list[str], env: dict[str, str | None]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"impactkit {' '.join(args)} raised {result.exception!r}\n{result.output}")
    return result.exit_code, result.output


def lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip()]


def invalid_input(code: int, said: list[str]) -> bool:
    """The placeholder values were refused first, each problem named: clear, and not a database error."""
    return (
        code == 2 and said[0] == "error: invalid input" and all(line.startswith("  - ") for line in said[1:])
    )


def test_the_walk_finds_every_command() -> None:
    names = {leaf.name for leaf in ALL_LEAVES}
    assert {"serve", "info", "db upgrade", "forms list", "admin create-user", "kpis project"} <= names
    assert {"sroi compute", "frameworks check", "report verify"} <= names


def test_every_command_in_an_empty_directory_fails_clearly_or_does_its_job(nowhere: dict[str, Any]) -> None:
    failures: list[str] = []
    told_no_database: set[str] = set()
    for leaf in ALL_LEAVES:
        if leaf.name == "db upgrade":
            continue  # it creates the instance: below, once the others have run
        code, output = run(arguments(leaf, nowhere["file"]), nowhere["env"])
        said = lines(output)
        if said and said[0].startswith("error: no impactkit database at "):
            told_no_database.add(leaf.name)
        if "Traceback" in output or not said:
            failures.append(f"{leaf.name}: {output!r}")
        elif leaf.name in SUCCEED_WITHOUT_INSTANCE:
            if code != 0:
                failures.append(f"{leaf.name} should work without an instance: {output!r}")
        elif code == 0:
            failures.append(f"{leaf.name} exited 0 without an instance: {output!r}")
        elif (
            leaf.uses_database
            and not invalid_input(code, said)
            and (
                len(said) != 1
                or not said[0].startswith("error: no impactkit database at ")
                or "impactkit db upgrade" not in said[0]
                or str(nowhere["platform"]) not in said[0]
            )
        ):
            failures.append(f"{leaf.name} should say in one line that there is no database: {said}")
        if nowhere["platform"].exists():
            failures.append(f"{leaf.name} created {nowhere['platform']}")
    assert failures == [], "\n".join(failures)
    assert {"serve", "demo", "forms list", "kpis project", "admin list", "db current"} <= told_no_database
    assert list(nowhere["here"].iterdir()) == []

    code, output = run(["db", "upgrade"], nowhere["env"])
    assert code == 0, output
    assert (nowhere["platform"] / "impactkit.db").exists()
    assert list(nowhere["here"].iterdir()) == []  # the platform's folder, never the working directory
    code, output = run(["forms", "list"], nowhere["env"])
    assert code == 0 and "beneficiary" in output


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database that exists but was never migrated: an empty SQLite file, an empty schema."""
    if request.param == "sqlite":
        path = tmp_path / "never-migrated.db"
        sqlite3.connect(path).close()
        yield f"sqlite:///{path}"
        return
    problem = _postgres_available()
    if problem:
        missing_system_part(problem)
    schema = f"ik_unmigrated_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_every_database_command_on_an_unmigrated_database_names_it_and_the_command_to_run(
    nowhere: dict[str, Any], unmigrated_url: str
) -> None:
    env = {**nowhere["env"], "IMPACTKIT_DATABASE_URL": unmigrated_url}
    failures: list[str] = []
    told_unmigrated: set[str] = set()
    database_commands = [leaf for leaf in ALL_LEAVES if leaf.uses_database and leaf.name != "db upgrade"]
    for leaf in database_commands:
        code, output = run(arguments(leaf, nowhere["file"]), env)
        said = lines(output)
        if "Traceback" in output:
            failures.append(f"{leaf.name}: {output!r}")
        elif leaf.name in SUCCEED_ON_UNMIGRATED:
            if code != 0:
                failures.append(f"{leaf.name} should report the state: {output!r}")
        elif invalid_input(code, said):
            continue
        elif (
            code == 0
            or len(said) != 1
            or "has no impactkit tables yet: run `impactkit db upgrade`" not in said[0]
        ):
            failures.append(f"{leaf.name} (exit {code}): {said}")
        else:
            told_unmigrated.add(leaf.name)
    assert failures == [], "\n".join(failures)
    assert {"serve", "demo", "forms list", "kpis project", "admin list"} <= told_unmigrated
    code, output = run(["db", "upgrade"], env)
    assert code == 0, output
    code, output = run(["admin", "list", "users"], env)
    assert code == 0 and output.strip() == "[]"
    assert list(nowhere["here"].iterdir()) == []
