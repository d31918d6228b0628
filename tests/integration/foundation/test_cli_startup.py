"""The CLI starts without the heavy libraries unless a command computes with them.

Each command runs in a fresh interpreter, which then reports the modules it imported; no
timing here (``bench/bench_cli.py`` times ``impactkit --help`` next to bare Python).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("numpy", "pandas", "scipy", "statsmodels")

_PROBE = """
import json, sys
from impactkit.cli import main
try:
    main(sys.argv[2:], prog_name="impactkit")
except SystemExit as exit:
    code = exit.code
else:
    code = 0
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(sys.argv[1])))
sys.stderr.write("\\nLOADED " + json.dumps({"code": code, "heavy": loaded}) + "\\n")
"""


def run_and_list_heavy(args: list[str], env: dict[str, str], cwd: Path) -> tuple[object, list[str], str]:
    """Run ``impactkit ARGS`` in a fresh interpreter: its exit code, the heavy modules it
    imported, and what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(HEAVY), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    marker = done.stderr.rindex("LOADED ")
    report = json.loads(done.stderr[marker + len("LOADED ") :])
    return report["code"], report["heavy"], done.stdout + done.stderr[:marker]


LIGHT_COMMANDS = [
    ["--help"],
    ["--version"],
    ["info"],
    ["forms", "list"],
    ["admin", "list", "organisations"],
    ["admin", "create-user", "--email", "light@example.org", "--name", "Light"],
    ["admin", "create-token", "--user-id", "1"],
    ["db", "current"],
]


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> tuple[dict[str, str], Path]:
    folder = tmp_path_factory.mktemp("instance")
    shutil.copy(sqlite_template, folder / "impactkit.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPACTKIT_")}
    env["IMPACTKIT_DATA_DIR"] = str(folder)
    return env, folder


@pytest.mark.parametrize("args", LIGHT_COMMANDS, ids=" ".join)
def test_commands_that_do_not_compute_start_without_pandas_scipy_or_statsmodels(
    args: list[str], instance: tuple[dict[str, str], Path]
) -> None:
    env, folder = instance
    code, heavy, output = run_and_list_heavy(args, env, folder)
    assert code in (0, None), output
    assert heavy == [], f"impactkit {' '.join(args)} imported {heavy}"


def test_a_command_that_computes_still_gets_its_libraries(instance: tuple[dict[str, str], Path]) -> None:
    """The probe sees imports: a computing command's libraries are found (the test can fail)."""
    env, folder = instance
    example = Path(__file__).parents[3] / "docs" / "examples" / "value-map-work-integration.yaml"
    code, heavy, output = run_and_list_heavy(["sroi", "simulate", str(example), "--draws", "50"], env, folder)
    assert code in (0, None), output
    assert "scipy" in heavy


def test_the_help_listed_for_each_library_group_is_the_groups_own() -> None:
    import click

    from impactkit.cli import LIBRARY_COMMANDS, main

    context = click.Context(main)
    for name, (_, listed) in LIBRARY_COMMANDS.items():
        command = main.get_command(context, name)
        assert command is not None and command.help is not None
        assert command.help.strip().splitlines()[0] == listed, name
