"""The funder's portfolio: every grantee × every KPI, with its CSV and JSON twins."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from impactkit.errors import ImpactkitError
from impactkit.reports import (
    ReportContent,
    ValidationStamp,
    content_hash,
    load_content,
    portfolio_csv,
    portfolio_json,
    portfolio_rows,
    write_portfolio_xlsx,
)
from tests.unit.reports.helpers import report_data

FRAMEWORK = {"id": "simplified-kpis", "version": "1.0"}


def grantee(
    name: str, employed: float, wellbeing: float | None, met: bool
) -> tuple[ReportContent, ValidationStamp]:
    data = report_data()
    data["organisation"]["name"] = name
    data["kpis"][0].update(value=employed, target_met=employed >= 10)
    data["kpis"][1].update(value=wellbeing, target_met=met if wellbeing is not None else None)
    content = load_content(data)
    stamp = ValidationStamp(
        evaluator="Anna Bianchi",
        accreditation_number="VAL-042",
        accreditation_body="Città metropolitana di Torino",
        validated_at=datetime(2026, 2, 3, tzinfo=UTC),
        content_hash=content_hash(content),
    )
    return content, stamp


@pytest.fixture
def reports() -> list[tuple[ReportContent, ValidationStamp]]:
    return [
        grantee("Cooperativa Il Sole", 12, 0.6, True),
        grantee("APS Monti", 8, 0.4, False),
        grantee("=ODV Valle", 20, None, False),
    ]


def test_one_row_per_grantee_and_indicator_with_the_difference_from_the_median(
    reports: list[tuple[ReportContent, ValidationStamp]],
) -> None:
    rows = portfolio_rows(reports, FRAMEWORK)
    assert len(rows) == 3 * 2
    employed = [r for r in rows if r["indicator_id"] == "people_employed"]
    # Median of 12, 8, 20 is 12; of 0.6 and 0.4 (one missing) is 0.5.
    assert [r["portfolio_median"] for r in employed] == [12, 12, 12]
    assert [r["difference_from_median"] for r in employed] == [0, -4, 8]
    wellbeing = [r for r in rows if r["indicator_id"] == "wellbeing_improved"]
    assert wellbeing[0]["portfolio_median"] == pytest.approx(0.5)
    assert wellbeing[2]["value"] is None and wellbeing[2]["difference_from_median"] is None
    assert rows[0]["content_hash"] == reports[0][1].content_hash


def test_drafts_other_frameworks_and_wrong_stamps_are_refused_all_at_once(
    reports: list[tuple[ReportContent, ValidationStamp]],
) -> None:
    other = load_content(report_data(framework={"id": "plan-objectives", "version": "2"}))
    old = load_content(report_data(framework={"id": "simplified-kpis", "version": "0.9"}))
    content, stamp = reports[0]
    forged = stamp.model_copy(update={"content_hash": "0" * 64})
    with pytest.raises(ImpactkitError) as caught:
        portfolio_rows([(other, None), (old, None), (content, forged)], FRAMEWORK)
    locations = [p.location for p in caught.value.problems]
    assert locations == [
        "reports[0].content.framework.id",
        "reports[0].stamp",
        "reports[1].content.framework.version",
        "reports[1].stamp",
        "reports[2].stamp.content_hash",
    ]


def test_the_workbook_has_overview_targets_met_charts_and_data(
    reports: list[tuple[ReportContent, ValidationStamp]], tmp_path: Path
) -> None:
    path = tmp_path / "portfolio.xlsx"
    write_portfolio_xlsx(reports, FRAMEWORK, path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Portfolio", "Targets met", "Charts", "Data"]
    overview = [r for r in workbook["Portfolio"].iter_rows(values_only=True)]
    assert overview[0] == (
        "Organisation",
        "Project",
        "Period",
        "Targets met",
        "SROI ratio",
        "People placed in work",
        "Improved wellbeing",
    )
    assert overview[1][0] == "Cooperativa Il Sole"
    assert overview[3][0] == "'=ODV Valle"  # neutralised
    assert overview[1][3] == "=SUM('Targets met'!B2:C2)"
    assert overview[5][0] == "Portfolio median" and overview[5][5] == "=MEDIAN(F2:F4)"
    assert overview[6][0] == "Total" and overview[6][5] == "=SUM(F2:F4)"  # a count: summable
    assert overview[6][6] is None  # a proportion is not summed
    assert overview[7][5] == "='Targets met'!B6"
    met = [r for r in workbook["Targets met"].iter_rows(values_only=True)]
    assert [r[1:] for r in met[1:4]] == [(1, 1), (0, 0), (1, None)]
    assert met[5][1:] == ("=SUM(B2:B4)", "=SUM(C2:C4)")
    data = [r for r in workbook["Data"].iter_rows(values_only=True)]
    assert len(data) == 1 + 6
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        first = archive.read("xl/charts/chart1.xml").decode()
    assert len(charts) == 1 + 2  # targets met per grantee, then one per indicator
    assert '<c:barDir val="bar"/>' in first and "Portfolio!$D$2:$D$4" in first


def test_the_csv_twin_has_the_same_rows_and_neutralises_formulas(
    reports: list[tuple[ReportContent, ValidationStamp]],
) -> None:
    table = list(csv.DictReader(io.StringIO(portfolio_csv(reports, FRAMEWORK))))
    assert len(table) == 6
    assert table[4]["organisation"] == "'=ODV Valle"
    assert float(table[1]["value"]) == 0.6
    assert table[0]["target_met"] == "true"


def test_the_json_twin_has_the_same_rows_as_data(
    reports: list[tuple[ReportContent, ValidationStamp]],
) -> None:
    records = json.loads(portfolio_json(reports, FRAMEWORK))
    assert records == json.loads(json.dumps(portfolio_rows(reports, FRAMEWORK), default=str))
    assert records[4]["organisation"] == "=ODV Valle"  # JSON is data, not a spreadsheet
