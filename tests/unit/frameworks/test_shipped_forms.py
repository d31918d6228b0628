"""The shipped survey forms: valid XLSForm, consent first, bilingual, rebuilt byte for byte."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest
from pyxform.xls2xform import convert

from impactkit._paths import data_dir
from impactkit.frameworks import get_framework, shipped_form_fields

REPO = Path(__file__).resolve().parents[3]
FORMS = [
    "beneficiary_outcomes",
    "organisation_self_report",
    "volunteer_survey",
    "work_integration_followup",
    "care_outcomes",
    "youth_pathways",
    "community_participation",
]
IT = "Italiano (it)"
EN = "English (en)"


def _build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_shipped_surveys", REPO / "scripts" / "build_shipped_surveys.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _survey_rows(form_id: str) -> list[dict[str, object]]:
    workbook = openpyxl.load_workbook(data_dir("surveys") / f"{form_id}.xlsx")
    sheet = workbook["survey"]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("form_id", FORMS)
def test_rebuilding_a_shipped_form_gives_the_committed_bytes(form_id: str, tmp_path: Path) -> None:
    script = _build_script()
    survey, choices, settings = script.all_forms()[form_id]()
    rebuilt = tmp_path / f"{form_id}.xlsx"
    script.write_form(rebuilt, survey, choices, settings)
    assert rebuilt.read_bytes() == (data_dir("surveys") / f"{form_id}.xlsx").read_bytes()


@pytest.mark.parametrize("form_id", FORMS)
def test_pyxform_converts_each_shipped_form_without_warnings(form_id: str) -> None:
    result = convert(xlsform=str(data_dir("surveys") / f"{form_id}.xlsx"), validate=False)
    assert result.warnings == []
    assert f'id="{form_id}"' in result.xform
    assert 'version="2026.1"' in result.xform


@pytest.mark.parametrize("form_id", FORMS)
def test_settings_carry_form_id_a_plain_version_and_italian_default(form_id: str) -> None:
    workbook = openpyxl.load_workbook(data_dir("surveys") / f"{form_id}.xlsx")
    rows = list(workbook["settings"].iter_rows(values_only=True))
    settings = dict(zip(rows[0], rows[1], strict=True))
    assert settings["form_id"] == form_id
    assert settings["version"] == "2026.1"
    assert isinstance(settings["version"], str)
    assert settings["default_language"] == IT


@pytest.mark.parametrize("form_id", FORMS)
def test_every_question_has_an_italian_and_an_english_label(form_id: str) -> None:
    for row in _survey_rows(form_id):
        if row["type"] == "end_group":
            continue
        assert row[f"label::{IT}"], row["name"]
        assert row[f"label::{EN}"], row["name"]
        if row["constraint"]:
            assert row[f"constraint_message::{IT}"], row["name"]
            assert row[f"constraint_message::{EN}"], row["name"]


@pytest.mark.parametrize("form_id", [f for f in FORMS if f != "organisation_self_report"])
def test_consent_comes_first_and_gates_every_other_question(form_id: str) -> None:
    rows = _survey_rows(form_id)
    assert rows[0]["name"] == "consent"
    assert rows[0]["type"] == "select_one yes_no"
    assert rows[0]["required"] == "yes"
    for row in rows[1:]:
        relevant = str(row["relevant"] or "")
        if row["name"] == "consent_declined_note":
            assert relevant == "${consent} = 'no'"
        else:
            assert relevant.startswith("${consent} = 'yes'"), row["name"]


def test_the_beneficiary_form_asks_for_a_code_never_a_name() -> None:
    rows = {row["name"]: row for row in _survey_rows("beneficiary_outcomes")}
    assert "regex(" in str(rows["respondent_code"]["constraint"])
    assert not any("name" in str(name) and name != "respondent_code" for name in rows)
    assert rows["age"]["constraint"] == ". >= 14 and . <= 110"
    assert "wave" not in rows and "weight" not in rows
    assert rows["months_unemployed"]["relevant"] == (
        "${consent} = 'yes' and (${employment_status} = 'unemployed')"
    )


def test_self_report_parts_never_exceed_their_totals() -> None:
    rows = {row["name"]: row for row in _survey_rows("organisation_self_report")}
    parts = {
        "people_reached_youth_15_35": "people_reached",
        "people_reached_vulnerable": "people_reached",
        "people_reached_mountain_rural": "people_reached",
        "workers_disadvantaged": "workers_total",
        "members_in_governance": "members",
        "board_women": "board_members",
    }
    for part, total in parts.items():
        assert rows[part]["constraint"] == f". >= 0 and . <= ${{{total}}}"
    for name in ("volunteers", "partnerships_public", "members", "people_reached"):
        assert str(rows[name]["constraint"]).startswith(". >= 0")


def test_every_field_the_simplified_kpis_read_exists_in_the_shipped_forms() -> None:
    forms = shipped_form_fields()
    assert set(forms) == set(FORMS)
    framework = get_framework("simplified-kpis")
    for indicator in framework.indicators:
        assert indicator.source.form in forms
        if indicator.source.field:
            assert indicator.source.field in forms[indicator.source.form]
