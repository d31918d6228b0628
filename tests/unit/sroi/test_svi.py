"""The SVI value map layout (stages 1–5): written with live formulas, read back, hand-filled templates
read too, and files saved again by LibreOffice Calc read back with the same ratio."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from impactkit.errors import ValueMapError
from impactkit.sroi import (
    ValueMap,
    compute,
    export_svi_value_map,
    export_value_map,
    import_svi_value_map,
    import_value_map,
)
from impactkit.sroi.svi import SHEET
from tests.unit.reports.helpers import recalculate, soffice
from tests.unit.sroi.test_excel import recalculate_with_libreoffice, two_outcome_map

__all__ = ["soffice"]  # the LibreOffice fixture


def sheet_rows(path: Path, sheet: str) -> list[tuple[object, ...]]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))


@pytest.mark.parametrize("language", ["en", "it"])
def test_a_map_goes_to_the_svi_layout_and_comes_back_whole(tmp_path: Path, language: str) -> None:
    value_map = two_outcome_map()  # in-kind input, a negative outcome, a later start, formulas in names
    path = export_svi_value_map(value_map, tmp_path / "svi.xlsx", language=language)
    assert openpyxl.load_workbook(path).sheetnames == [SHEET[language]]
    assert import_value_map(path) == value_map  # told apart from impactkit's layout by its headings
    assert import_svi_value_map(path) == value_map


def test_the_sheet_has_the_five_stages_and_the_templates_headings(tmp_path: Path) -> None:
    path = export_value_map(two_outcome_map(), tmp_path / "svi.xlsx", layout="svi")
    rows = sheet_rows(path, "SROI Value Map")
    stages = [cell for cell in rows[7] if cell]
    assert stages[:4] == ["Stage 1", "Stage 2", "Stage 3", "Stage 4"]
    assert stages[4].startswith("Stage 5")
    headings = [cell for cell in rows[8] if cell]
    assert headings[:6] == [
        "Stakeholders",
        "Intended/unintended changes",
        "Inputs",
        "Value",
        "Outputs",
        "The outcomes (what changes): description",
    ]
    assert {"Deadweight %", "Displacement %", "Attribution %", "Drop off %", "Impact", "Year 1"} <= set(
        headings
    )
    # user text that looks like a formula stays text
    book = openpyxl.load_workbook(path)
    names = [c for c in book["SROI Value Map"]["A"] if isinstance(c.value, str) and "cmd" in c.value]
    assert names and all(c.data_type == "s" and c.value.startswith("'=") for c in names)
    # the negative outcome is a negative proxy value, as in the template
    proxies = [r[12] for r in rows[10:] if r[5] == "Lost benefits"]
    assert proxies == [-800]


def test_a_value_map_typed_into_the_svi_template_is_read(tmp_path: Path) -> None:
    """A template filled in by hand: guidance row, stakeholder cells merged, rate by stage 5,
    a quantity computed by a formula, an input on its own row."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Value Map"
    sheet["A1"] = "Social Return on Investment - The Value Map"
    sheet.append([])
    sheet.append(["Stage 1", None, "Stage 2", None, None, None, "Stage 3"])
    sheet.append(
        ["Stakeholders", "Intended/unintended changes", "Inputs", "Value £", "Outputs",
         "Description", "Indicator", "Source", "Quantity", "Duration", "Outcomes start",
         "Financial proxy", "Value £", "Source", "Deadweight %", "Displacement %",
         "Attribution %", "Drop off %", "Impact"]
    )  # fmt: skip
    sheet.append(
        ["Who do we have an effect on?", "What do you think will change for them?",
         "What do they invest?", "What is the value of the inputs?", "Summary of activity",
         "How would the stakeholder describe the changes?", "How would you measure it?",
         "Where did you get the information from?", "How much change was there?",
         "How long does it last?", "Does it start during activity or after?",
         "What proxy would you use?", "What is the value of the change?",
         "Where did you get the information from?", "What would have happened?",
         "What activity would you displace?", "Who else would contribute?",
         "Does the outcome drop off?", "Quantity times financial proxy …"]
    )  # fmt: skip
    sheet.append(
        ["Young people", "Into work", "Grant", 20000, "60 trained", "Into stable work",
         "In a job after 6 months", "payroll records", "=40+10", 3, 1,
         "Wage gain", 1000, "ISTAT", 0.2, 0, 0.25, 0.1, "=I6*M6*(1-O6)*(1-P6)*(1-Q6)"]
    )  # fmt: skip
    sheet.append(
        [None, None, None, None, None, "Lost benefits", "Benefits stopped", "records", 5, 1, 1,
         "Benefit rate", -800, "DWP", 0, 0, 0, 0]
    )  # fmt: skip
    sheet.append(["Volunteers", None, "Time", 5000])
    sheet.merge_cells("A6:A7")
    sheet.append(["Total", None, None, "=SUM(D6:D8)"])
    sheet.append([])
    sheet.append([None, None, None, None, None, None, None, None, None, None, None, None, None,
                  None, "Discount rate (%)", 0.035])  # fmt: skip
    path = tmp_path / "template.xlsx"
    book.save(path)
    # openpyxl leaves no computed value for =40+10: the reader says which cell to fix …
    with pytest.raises(ValueMapError) as caught:
        import_value_map(path)
    assert [p.location for p in caught.value.problems] == ["Value Map!I6"]
    # … and once a spreadsheet has computed it, the template reads.
    saved = recalculate_with_libreoffice(path, tmp_path)
    value_map = import_value_map(saved)
    assert [s.name for s in value_map.stakeholders] == ["Young people", "Volunteers"]
    assert [(i.description, i.value, i.stakeholder) for i in value_map.inputs] == [
        ("Grant", 20000, "Young people"),
        ("Time", 5000, "Volunteers"),
    ]
    work, lost = value_map.outcomes
    assert (work.quantity, work.proxy.description, work.evidence["quantity"]) == (
        50,
        "Wage gain",
        "payroll records",
    )
    assert lost.stakeholder == "Young people" and lost.negative and lost.proxy.value == 800
    case_a = sum(30000 * 0.9 ** (year - 1) / 1.035**year for year in (1, 2, 3))  # 76,107.50
    expected = (case_a - 5 * 800 / 1.035) / 25000  # less the lost benefits, per euro put in
    assert compute(value_map).sroi_ratio == pytest.approx(expected, rel=1e-12)


def test_impossible_cells_of_an_svi_sheet_are_named(tmp_path: Path) -> None:
    path = export_svi_value_map(two_outcome_map(), tmp_path / "svi.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["SROI Value Map"]
    row = next(r for r in range(11, 20) if sheet.cell(r, 6).value == "'+Less isolation")
    sheet.cell(row, 9).value = -3  # quantity
    sheet.cell(row, 15).value = 1.7  # deadweight 170 %
    book.save(path)
    with pytest.raises(ValueMapError) as caught:
        import_value_map(path)
    where = [p.location for p in caught.value.problems]
    assert f"SROI Value Map!I{row} outcomes[1].quantity (+Less isolation)" in where
    assert f"SROI Value Map!O{row} outcomes[1].deadweight (+Less isolation)" in where


def _libreoffice_saved(path: Path, tmp_path: Path, name: str) -> Path:
    """The file as LibreOffice Calc saves it (opened and saved as xlsx, no forced recalculation)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) not installed")
    out = tmp_path / name
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
         "--convert-to", "xlsx", "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return out / path.name


@pytest.mark.libreoffice
def test_ours_svi_and_libreoffice_saved_files_keep_the_ratio(tmp_path: Path) -> None:
    original = two_outcome_map()
    ratio = compute(original).sroi_ratio
    ours = export_value_map(original, tmp_path / "ours.xlsx")
    ours_saved = _libreoffice_saved(ours, tmp_path, "a")  # booleans come back as =TRUE()
    first = import_value_map(ours_saved)
    svi = export_value_map(first, tmp_path / "svi.xlsx", layout="svi", language="it")
    svi_saved = _libreoffice_saved(svi, tmp_path, "b")
    second = import_value_map(svi_saved)
    again = export_value_map(second, tmp_path / "again.xlsx")
    third = import_value_map(_libreoffice_saved(again, tmp_path, "c"))
    for step in (first, second, third):
        assert compute(step).sroi_ratio == pytest.approx(ratio, rel=1e-9, abs=1e-9)
    assert third == original


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    "conventions",
    [{}, {"discount_first_year": False, "drop_off_from": "first_year", "inputs_discounted": False}],
)
def test_libreoffice_recalculates_the_svi_sheet_to_the_engines_figures(
    tmp_path: Path, soffice: str, conventions: dict[str, object]
) -> None:
    value_map = two_outcome_map()
    value_map = ValueMap.model_validate(
        {**value_map.model_dump(), "conventions": {**value_map.conventions.model_dump(), **conventions}}
    )
    expected = compute(value_map)
    path = export_svi_value_map(value_map, tmp_path / "svi.xlsx")
    recalculated = recalculate(soffice, path, tmp_path)  # cached values stripped first
    rows = list(
        openpyxl.load_workbook(recalculated, data_only=True)["SROI Value Map"].iter_rows(values_only=True)
    )
    figures = {row[i]: row[i + 1] for row in rows for i in range(len(row) - 1) if isinstance(row[i], str)}
    assert figures["Total Present Value (PV)"] == pytest.approx(expected.total_present_value, rel=1e-9)
    assert figures["Total inputs (as counted)"] == pytest.approx(expected.inputs_total, rel=1e-9)
    assert figures["Social Return (value per amount invested)"] == pytest.approx(
        expected.sroi_ratio, rel=1e-9
    )
    assert import_value_map(recalculated) == value_map
