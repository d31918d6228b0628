"""The frameworks and kpis commands, driven as a user would (click's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from statsmodels.stats.proportion import proportion_confint

from impactkit._paths import data_dir
from impactkit.frameworks.cli import frameworks_group, kpis_group


def test_list_shows_every_shipped_framework() -> None:
    result = CliRunner().invoke(frameworks_group, ["list"])
    assert result.exit_code == 0, result.output
    for framework_id in ("simplified-kpis", "plan-objectives", "sdg-map"):
        assert framework_id in result.output
    listed = json.loads(CliRunner().invoke(frameworks_group, ["list", "--json"]).output)
    assert {row["id"] for row in listed} == {
        "simplified-kpis",
        "plan-objectives",
        "sdg-map",
        "work-integration",
        "care",
        "youth-neet",
        "culture-community",
    }


def test_show_prints_each_indicator_and_its_source_question() -> None:
    result = CliRunner().invoke(frameworks_group, ["show", "simplified-kpis", "--lang", "it"])
    assert result.exit_code == 0, result.output
    assert "beneficiaries_satisfied — Beneficiari soddisfatti" in result.output
    assert "filter: ${consent} = 'yes'" in result.output


def test_show_json_is_the_framework_with_its_content_hash() -> None:
    result = CliRunner().invoke(frameworks_group, ["show", "plan-objectives", "--json"])
    data = json.loads(result.output)
    assert data["id"] == "plan-objectives"
    assert len(data["content_hash"]) == 64
    assert [theme["id"] for theme in data["themes"]] == ["1", "2", "3", "4", "5", "6"]


def test_show_an_unknown_framework_exits_2_naming_the_shipped_ones() -> None:
    result = CliRunner().invoke(frameworks_group, ["show", "nope"])
    assert result.exit_code == 2
    assert "simplified-kpis" in result.output


def test_check_passes_a_shipped_framework() -> None:
    path = data_dir("frameworks") / "simplified-kpis.yaml"
    result = CliRunner().invoke(frameworks_group, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_check_lists_every_problem_and_exits_2(tmp_path: Path) -> None:
    raw = yaml.safe_load((data_dir("frameworks") / "simplified-kpis.yaml").read_text("utf-8"))
    raw["indicators"][0]["source"] = {"reported": "organisation_self_report.people_reachd"}
    raw["indicators"][1]["disaggregations"] = ["shoe_size"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    result = CliRunner().invoke(frameworks_group, ["check", str(path)])
    assert result.exit_code == 2
    # The misspelt field is also a changed definition of an id shipped before: both are named.
    assert "3 problem(s)" in result.output
    assert "indicators[people_reached].source.field: unknown field 'people_reachd'" in result.output
    assert "bad.yaml: indicators[people_reached].source: the definition changed" in result.output
    assert "indicators[young_people_reached].disaggregations: unknown disaggregation" in (result.output)


def test_kpis_compute_from_csv_files(tmp_path: Path) -> None:
    beneficiaries = tmp_path / "beneficiaries.csv"
    pd.DataFrame(
        {
            "consent": ["yes"] * 8 + ["no"],
            "satisfaction": [5, 4, 2, 4, 5, 3, 4, 5, None],
            "_wave": ["endline"] * 9,
        }
    ).to_csv(beneficiaries, index=False)
    report = tmp_path / "report.json"
    report.write_text(json.dumps([{"people_reached": 40, "board_members": 5, "board_women": 2}]), "utf-8")
    result = CliRunner().invoke(
        kpis_group,
        [
            "compute",
            "--framework",
            "simplified-kpis",
            "--responses",
            f"beneficiary_outcomes={beneficiaries}",
            "--responses",
            f"organisation_self_report={report}",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "CSV, comma-separated, utf-8, decimal point" in result.stderr
    by_id = {r["indicator_id"]: r for r in data["results"]}
    satisfied = by_id["beneficiaries_satisfied"]
    assert satisfied["value"] == 0.75
    assert [satisfied["ci_low"], satisfied["ci_high"]] == list(
        proportion_confint(6, 8, alpha=0.05, method="wilson")
    )
    assert by_id["people_reached"]["value"] == 40
    assert by_id["women_in_governing_body_share"]["target_met"] is True

    table = CliRunner().invoke(
        kpis_group,
        ["compute", "--framework", "simplified-kpis", "--responses", f"beneficiary_outcomes={beneficiaries}"],
    )
    assert "beneficiaries_satisfied: 0.75 [" in table.output
    assert "target NOT met" in table.output


def test_kpis_compute_refuses_a_malformed_responses_option() -> None:
    result = CliRunner().invoke(
        kpis_group, ["compute", "--framework", "simplified-kpis", "--responses", "just-a-file.csv"]
    )
    assert result.exit_code == 2
    assert "FORM_ID=FILE" in result.output


def _compute(*responses: str) -> object:
    arguments = ["compute", "--framework", "simplified-kpis", "--json"]
    for spec in responses:
        arguments += ["--responses", spec]
    return CliRunner().invoke(kpis_group, arguments)


def _beneficiaries(people: int = 12) -> pd.DataFrame:
    rows = []
    for index in range(people):
        for wave, shift in (("baseline", 0), ("endline", index % 3)):
            rows.append(
                {
                    "consent": "yes",
                    "respondent_code": f"AUR-{index:03d}",
                    "gender": "female" if index % 2 else "male",
                    "age": 20 + index,
                    "wellbeing": 2 + (shift > 0),
                    "autonomy": 3,
                    "social_connections": 2 + (shift > 1),
                    "satisfaction": 3 + index % 3,
                    "wave": wave,
                    "submitted_at": f"2026-0{1 if wave == 'baseline' else 9}-15T10:00:00Z",
                }
            )
    return pd.DataFrame(rows)


def test_kpis_compute_reads_a_semicolon_csv_from_italian_excel(tmp_path: Path) -> None:
    frame = _beneficiaries().rename(columns={"wave": "_wave", "submitted_at": "_submitted_at"})
    frame["satisfaction"] = frame["satisfaction"].astype(float)  # written as 3,0 4,0 …
    path = tmp_path / "beneficiari.csv"
    path.write_bytes(frame.to_csv(sep=";", decimal=",", index=False).encode("cp1252"))
    result = _compute(f"beneficiary_outcomes={path}")
    assert result.exit_code == 0, result.output
    assert "CSV, semicolon-separated, utf-8, decimal comma" in result.stderr
    by_id = {r["indicator_id"]: r for r in json.loads(result.stdout)["results"]}
    assert by_id["beneficiary_satisfaction"]["value"] == pytest.approx(4.0)
    assert by_id["beneficiaries_improved"]["n"] == 12
    assert by_id["beneficiaries_improved"]["value"] == pytest.approx(8 / 12)


def test_kpis_compute_accepts_impactkits_own_export_as_it_is(tmp_path: Path) -> None:
    """The responses export (surveys.tabular, as the API's export.csv writes it) goes straight in."""
    from impactkit.surveys import load_xlsform
    from impactkit.surveys.tabular import responses_to_tables

    form = load_xlsform(data_dir("surveys") / "beneficiary_outcomes.xlsx")
    frame = _beneficiaries()
    stored = [
        {
            "id": i,
            "instance_id": f"uuid-{i}",
            "form_id": "beneficiary_outcomes",
            "form_version": form.version,
            "organisation_id": 3,
            "project_id": 7,
            "period_id": 2,
            "wave": row["wave"],
            "respondent_code": row["respondent_code"],
            "submitted_at": row["submitted_at"],
            "answers": {
                key: (
                    str(value)
                    if key in {"wellbeing", "autonomy", "social_connections", "satisfaction"}
                    else value
                )
                for key, value in row.items()
                if key not in {"wave", "submitted_at"}
            },
        }
        for i, row in enumerate(frame.to_dict("records"))
    ]
    export = responses_to_tables([form], stored)["main"]
    assert list(export.columns).count("respondent_code") == 1
    path = tmp_path / "beneficiary_outcomes-main.csv"
    path.write_bytes(export.to_csv(index=False).encode("utf-8"))
    result = _compute(f"beneficiary_outcomes={path}")
    assert result.exit_code == 0, result.output
    assert "wave → _wave" in result.stderr and "submitted_at → _submitted_at" in result.stderr
    by_id = {r["indicator_id"]: r for r in json.loads(result.stdout)["results"]}
    assert by_id["beneficiaries_improved"]["n"] == 12
    assert by_id["beneficiary_satisfaction"]["value"] == pytest.approx(4.0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"consent;satisfaction\n", "has a header but no rows"),
        ("Consenso;Soddisfazione\nsì;4\n".encode(), "none of the columns the framework reads"),
        (b"consent;satisfaction\nyes;4;5\n", "line 2"),
    ],
)
def test_kpis_compute_refuses_a_file_it_cannot_use_and_says_why(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "risposte.csv"
    path.write_bytes(content)
    result = _compute(f"beneficiary_outcomes={path}")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
