"""The value map in Excel: live formulas, constant-memory writing, reading it back, safe text."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from impactkit.errors import ValueMapError
from impactkit.sroi import ValueMap, compute, export_value_map, import_value_map, write_value_map

from .conftest import case_a_data

RECALCULATE_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def two_outcome_map() -> ValueMap:
    data = case_a_data()
    data["stakeholders"].append({"name": "=cmd|' /C calc'!A0"})
    data["inputs"].append({"description": "@Volunteers", "hours": 400, "rate": 12.5, "year": 2})
    data["outcomes"].append(
        {
            "name": "+Less isolation",
            "stakeholder": "=cmd|' /C calc'!A0",
            "description": "-starts with a minus",
            "quantity": 30,
            "proxy": {"value": 450, "source": "wellbeing valuation", "year": 2024},
            "deadweight": 0.3,
            "displacement": 0.1,
            "attribution": 0.2,
            "drop_off": 0.25,
            "duration": 4,
            "start_year": 2,
            "evidence": {"quantity": "\tsurvey wave 2"},
        }
    )
    data["outcomes"].append(
        {
            "name": "Lost benefits",
            "stakeholder": "Young people",
            "quantity": 5,
            "proxy": {"value": 800, "source": "benefit rates"},
            "negative": True,
        }
    )
    data["conventions"] = {"inputs_discounted": True}
    return ValueMap.model_validate(data)


def test_an_exported_map_reads_back_the_same(tmp_path: Path) -> None:
    value_map = two_outcome_map()
    path = export_value_map(value_map, tmp_path / "map.xlsx")
    assert import_value_map(path) == value_map


def test_an_italian_workbook_reads_back_too(tmp_path: Path) -> None:
    value_map = two_outcome_map()
    path = export_value_map(value_map, tmp_path / "mappa.xlsx", language="it")
    assert "Mappa del valore" in openpyxl.load_workbook(path).sheetnames
    assert import_value_map(path) == value_map


def test_user_text_never_becomes_a_formula(tmp_path: Path) -> None:
    path = export_value_map(two_outcome_map(), tmp_path / "map.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["Value map"]
    texts = [
        cell.value
        for row in sheet.iter_rows(min_row=23, max_row=23, max_col=7)
        for cell in row
        if isinstance(cell.value, str) and cell.value
    ]
    assert texts == [
        "'=cmd|' /C calc'!A0",
        "'+Less isolation",
        "'-starts with a minus",
        "'\tsurvey wave 2",
    ]
    user_cells = [c for row in sheet.iter_rows(min_row=22, max_row=24, max_col=11) for c in row]
    assert all(cell.data_type != "f" for cell in user_cells)
    assert book["Inputs"]["B4"].value == "'@Volunteers"


def test_the_writer_works_in_constant_memory_mode_inside_another_workbook(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.add_worksheet("Funder summary").write_string(0, 0, "Portfolio")
    write_value_map(workbook, two_outcome_map())
    workbook.close()
    book = openpyxl.load_workbook(path, data_only=True)
    assert book.sheetnames == ["Funder summary", "Value map", "Years", "Inputs", "Stakeholders"]
    # Cached values are the engine's, for readers that do not recalculate.
    assert book["Value map"]["B16"].value == pytest.approx(compute(two_outcome_map()).sroi_ratio)
    assert book["Value map"]["B23"].value == "'=cmd|' /C calc'!A0"  # rows were not dropped


def test_a_changed_layout_is_refused_naming_each_cell(tmp_path: Path) -> None:
    path = export_value_map(two_outcome_map(), tmp_path / "map.xlsx")
    book = openpyxl.load_workbook(path)
    book["Value map"]["L21"] = "Dead weight"
    book["Inputs"]["D2"] = "Money"
    book.save(path)
    with pytest.raises(ValueMapError) as caught:
        import_value_map(path)
    assert [p.location for p in caught.value.problems] == ["Value map!L21", "Inputs!D2"]
    assert "expected 'Deadweight'" in caught.value.problems[0].message


def test_impossible_values_in_cells_are_reported_by_cell(tmp_path: Path) -> None:
    path = export_value_map(two_outcome_map(), tmp_path / "map.xlsx")
    book = openpyxl.load_workbook(path)
    book["Value map"]["L23"] = 1.4
    book["Value map"]["F22"] = -3
    book.save(path)
    with pytest.raises(ValueMapError) as caught:
        import_value_map(path)
    where = [p.location for p in caught.value.problems]
    assert "Value map!F22 outcomes[0].quantity (Into work)" in where
    assert "Value map!L23 outcomes[1].deadweight (+Less isolation)" in where


def test_a_workbook_that_is_not_a_value_map_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(ValueMapError, match="not a value map"):
        import_value_map(path)


# --- LibreOffice recalculates the live formulas ---------------------------------------------


def recalculate_with_libreoffice(source: Path, tmp_path: Path) -> Path:
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("IMPACTKIT_REQUIRE_SYSTEM_PARTS") == "1":
            pytest.fail("LibreOffice (soffice) is required (IMPACTKIT_REQUIRE_SYSTEM_PARTS=1)")
        pytest.skip("LibreOffice (soffice) not installed: apt-get install libreoffice-calc")
    profile = tmp_path / "lo-profile"
    (profile / "user").mkdir(parents=True)
    # Recalculate every formula on load, whatever the cached values say.
    (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ON_LOAD)
    out = tmp_path / "recalculated"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out / source.name


@pytest.mark.libreoffice
def test_libreoffice_recomputes_the_engine_ratio(tmp_path: Path) -> None:
    value_map = two_outcome_map()
    expected = compute(value_map)
    # Poisoned cached values prove that LibreOffice computed the figures itself.
    poisoned = expected.model_copy(update={"sroi_ratio": 999.0, "total_present_value": -1.0})
    source = tmp_path / "map.xlsx"
    workbook = xlsxwriter.Workbook(str(source), {"constant_memory": True})
    write_value_map(workbook, value_map, poisoned)
    workbook.close()
    sheet = openpyxl.load_workbook(recalculate_with_libreoffice(source, tmp_path), data_only=True)[
        "Value map"
    ]
    assert sheet["B16"].value == pytest.approx(expected.sroi_ratio, rel=1e-9)
    assert sheet["B14"].value == pytest.approx(expected.total_present_value, rel=1e-9)
    assert sheet["B13"].value == pytest.approx(expected.inputs_total, rel=1e-9)
    assert sheet["B18"].value == pytest.approx(expected.payback_months, rel=1e-9)


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    "conventions",
    [{}, {"discount_first_year": False, "drop_off_from": "first_year"}, {"discounting": False}],
)
def test_changing_a_proxy_in_the_workbook_recomputes_the_ratio(
    tmp_path: Path, conventions: dict[str, object]
) -> None:
    value_map = two_outcome_map()
    value_map = value_map.model_copy(
        update={"conventions": value_map.conventions.model_copy(update=conventions)}
    )
    source = export_value_map(value_map, tmp_path / "map.xlsx")
    book = openpyxl.load_workbook(source)
    book["Value map"]["H23"] = 612.5  # proxy of the second outcome
    book.save(source)
    sheet = openpyxl.load_workbook(recalculate_with_libreoffice(source, tmp_path), data_only=True)[
        "Value map"
    ]
    outcomes = list(value_map.outcomes)
    outcomes[1] = outcomes[1].model_copy(
        update={"proxy": outcomes[1].proxy.model_copy(update={"value": 612.5})}
    )
    expected = compute(value_map.model_copy(update={"outcomes": outcomes}))
    assert sheet["B16"].value == pytest.approx(expected.sroi_ratio, rel=1e-9)
    assert sheet["B17"].value == pytest.approx(expected.net_sroi_ratio, rel=1e-9)
