"""The ``impactkit sroi`` commands, as an evaluator types them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from impactkit.sroi import compute, load_value_map
from impactkit.sroi.cli import sroi

from .conftest import CASE_A_PATH, case_a_data


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(sroi, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_compute_prints_a_table_with_the_conventions() -> None:
    code, out, _ = run("compute", str(CASE_A_PATH))
    assert code == 0
    assert "3.8054 : 1" in out
    assert "76,107.50" in out
    assert "drop-off from the second year" in out


def test_compute_json_is_machine_readable() -> None:
    code, out, _ = run("compute", str(CASE_A_PATH), "--json")
    assert code == 0
    assert json.loads(out)["sroi_ratio"] == pytest.approx(3.8054, abs=1e-4)


def test_compute_takes_a_discount_rate_and_conventions() -> None:
    code, out, _ = run("compute", str(CASE_A_PATH), "--json", "--discount-rate", "0%")
    assert json.loads(out)["sroi_ratio"] == pytest.approx(4.0650, abs=1e-4)
    code, out, _ = run("compute", str(CASE_A_PATH), "--json", "--convention", "discount_first_year=false")
    assert code == 0
    expected = (30_000 + 27_000 / 1.035 + 24_300 / 1.035**2) / 20_000
    assert json.loads(out)["sroi_ratio"] == pytest.approx(expected, rel=1e-12)
    assert json.loads(out)["conventions"]["discount_first_year"] is False


def test_impossible_inputs_are_listed_with_exit_code_two(tmp_path: Path) -> None:
    data = case_a_data()
    data["outcomes"][0].update(deadweight="120%", duration=0)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, out, err = run("compute", str(path))
    assert code == 2
    assert "outcomes[0].deadweight (Into work)" in err
    assert "outcomes[0].duration (Into work)" in err
    assert "Traceback" not in out + err


def test_sensitivity_prints_the_tornado() -> None:
    code, out, _ = run("sensitivity", str(CASE_A_PATH), "--steps", "10,25")
    assert code == 0
    assert "262.79" in out and "78.98%" in out and "not reachable" in out


def test_simulate_is_repeatable_with_a_seed(tmp_path: Path) -> None:
    data = case_a_data()
    data["outcomes"][0]["distributions"] = {"proxy": {"kind": "uniform", "low": 500, "high": 1500}}
    path = tmp_path / "map.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    first = run("simulate", str(path), "--draws", "2000", "--seed", "5", "--json")
    second = run("simulate", str(path), "--draws", "2000", "--seed", "5", "--json")
    assert first[0] == 0 and first[1] == second[1]
    assert json.loads(first[1])["uncertain"] == ["outcomes[0].proxy"]


def test_export_then_import_round_trips_through_yaml(tmp_path: Path) -> None:
    workbook = tmp_path / "map.xlsx"
    assert run("export", str(CASE_A_PATH), str(workbook))[0] == 0
    out = tmp_path / "back.yaml"
    assert run("import", str(workbook), str(out))[0] == 0
    assert compute(load_value_map(out)).sroi_ratio == pytest.approx(
        compute(load_value_map(CASE_A_PATH)).sroi_ratio, rel=1e-12
    )
    code, printed, _ = run("compute", str(workbook), "--json")
    assert code == 0
    assert json.loads(printed)["sroi_ratio"] == pytest.approx(3.8054, abs=1e-4)


def test_a_missing_map_is_a_clear_error() -> None:
    code, _, err = run("compute", "no-such-map.yaml")
    assert code == 2
    assert "cannot read" in err
