"""The workbook reads like the document: shares as percentages, the reader's words instead of codes,
method texts in the report's language, no negative error bars, the decree's figures in the narrative."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl

from impactkit.reports import load_content, write_report_xlsx
from impactkit.reports.structured import demo_figures
from tests.unit.reports.helpers import report_data


def _workbook(tmp_path: Path, language: str) -> openpyxl.Workbook:
    data = report_data(language=language, figures=demo_figures())
    share = data["kpis"][1]
    share.update({"value": 1.0, "ci_low": 0.94, "ci_high": 0.9999999999999998})
    share["disaggregations"] = [
        {"dimension": "territory_type", "category": "urban", "value": 1.0, "n": 30, "ci_low": 0.9, "ci_high": 1.0}
    ]
    path = tmp_path / f"report-{language}.xlsx"
    write_report_xlsx(load_content(data), path)
    return openpyxl.load_workbook(path)


def test_the_italian_workbook_has_no_codes_and_shares_as_percentages(tmp_path: Path) -> None:
    workbook = _workbook(tmp_path, "it")
    every_text = " ".join(
        str(cell.value)
        for sheet in workbook.worksheets
        if sheet.title != "_impactkit_content"
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    )
    for code in (r"\brural\b", r"\bterritory_type\b", r"\bfemale\b", r"\bpeople\b", "Wilson interval"):
        assert not re.search(code, every_text), code
    cover = {row[0].value: row[1].value for row in workbook["Copertina"].iter_rows() if row[0].value}
    assert cover["Tipo di territorio"] == "rurale"
    kpis = workbook["Indicatori"]
    header = [cell.value for cell in kpis[1]]
    share_row = kpis[3]
    values = dict(zip(header, share_row, strict=False))
    assert values["Unità"].value == "quota (%)"
    assert values["Valore"].number_format == "0.0%" and values["Intervallo: max"].number_format == "0.0%"
    assert values["Metodo"].value.startswith("Quota con intervallo di Wilson")
    assert dict(zip(header, kpis[2], strict=False))["Unità"].value == "persone"
    error_plus = values["Barra d'errore +"].value
    assert "MAX(0," in error_plus
    disaggregations = workbook["Disaggregazioni"]
    cells = [[c.value for c in row] for row in disaggregations.iter_rows(min_row=2)]
    assert ["wellbeing_improved", "Territorio", "urbano"] in [row[:3] for row in cells]
    assert ["people_employed", "Genere", "donne"] in [row[:3] for row in cells]
    narrative = {row[1].value: row[2].value for row in workbook["Relazione"].iter_rows(min_row=2)}
    people = narrative["Persone che operano per l'ente"]
    assert "Lavoratori (tempo indeterminato): 15\xa0persone" in people
    assert "1,94 : 1" in people, "the pay ratio the decree asks for"


def test_the_english_workbook_speaks_english(tmp_path: Path) -> None:
    workbook = _workbook(tmp_path, "en")
    kpis = workbook["KPIs"]
    header = [cell.value for cell in kpis[1]]
    values = dict(zip(header, kpis[3], strict=False))
    assert values["Unit"].value == "share (%)"
    assert values["Method"].value.startswith("Share with a Wilson score interval")
    cover = {row[0].value: row[1].value for row in workbook.worksheets[0].iter_rows() if row[0].value}
    assert "rural" in cover.values()
