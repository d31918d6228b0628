"""LibreOffice opens the exports, recalculates every formula, and agrees with the engine."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from impactkit import sroi
from impactkit.reports import (
    ReportContent,
    ValidationStamp,
    content_hash,
    load_content,
    payment_by_results,
    verify_file,
    write_portfolio_xlsx,
    write_report_xlsx,
)
from tests.unit.reports.helpers import COLUMNS, recalculate, report_data, responses, value_map_data

pytestmark = pytest.mark.libreoffice


def sroi_report() -> ReportContent:
    value_map = sroi.ValueMap.model_validate(value_map_data())
    result = sroi.compute(value_map)
    sensitivity = sroi.sensitivity(value_map)
    data = report_data(
        sroi={
            "value_map": value_map.model_dump(mode="json"),
            "result": result.model_dump(mode="json"),
            "sensitivity": sensitivity.model_dump(mode="json"),
        }
    )
    data["targets"][0]["basis"] = "units_beyond_target"
    data["targets"][0]["cap"] = 2000
    return load_content(data)


def labelled(sheet: Any) -> dict[str, Any]:
    """First column label → second column value."""
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}


def test_libreoffice_recalculates_the_report_and_agrees_with_the_engine(soffice: str, tmp_path: Path) -> None:
    content = sroi_report()
    path = tmp_path / "report.xlsx"
    stamp = ValidationStamp(
        evaluator="Anna Bianchi",
        accreditation_number="VAL-042",
        accreditation_body="Città metropolitana di Torino",
        validated_at="2026-02-03T10:30:00Z",
        content_hash=content_hash(content),
    )
    write_report_xlsx(content, path, stamp=stamp, responses=responses(4), columns=COLUMNS)
    saved = recalculate(soffice, path, tmp_path)
    recalculated = openpyxl.load_workbook(saved, data_only=True)

    # A copy saved by another program is no longer the validated file.
    resaved = verify_file(saved)
    assert not resaved.ok and "no impactkit seal" in resaved.message

    # The SROI ratio of the value map (case A of the reference cases: 3.8054).
    value_map = labelled(recalculated["Mappa del valore"])
    assert value_map["Indice SROI"] == pytest.approx(3.8054, abs=1e-4)
    assert value_map["Valore attuale totale"] == pytest.approx(76107.50, abs=0.01)

    # Error-bar helper columns: interval minus value, recomputed.
    kpis = list(recalculated["Indicatori"].iter_rows(min_row=2, max_row=3, values_only=True))
    assert kpis[0][17:19] == pytest.approx((15 - 12, 12 - 9))
    assert kpis[1][17:19] == pytest.approx((0.73 - 0.6, 0.6 - 0.45))

    # Payment by results: 12 achieved, target 10, beyond-target basis → 2 × 1,500 = 3,000,
    # capped at 2,000.
    lines = payment_by_results(content.kpis, content.targets)
    targets = list(recalculated["Obiettivi e pagamento"].iter_rows(values_only=True))
    assert targets[1][8] == pytest.approx(3000.0) and targets[1][10] == pytest.approx(2000.0)
    assert targets[1][10] == pytest.approx(lines[0].amount_payable)
    assert targets[3][10] == pytest.approx(sum(line.amount_payable for line in lines))

    # Tornado: the change columns are ratio minus the base ratio, recomputed.
    sensitivity = list(recalculated["SROI sensibilità"].iter_rows(min_row=4, values_only=True))
    base = recalculated["SROI sensibilità"]["B1"].value
    for row in sensitivity:
        if isinstance(row[3], float):
            assert row[6] == pytest.approx(row[3] - base)
            assert row[7] == pytest.approx(row[4] - base)


def test_libreoffice_recalculates_the_portfolio_totals_and_medians(soffice: str, tmp_path: Path) -> None:
    values = [12, 8, 20, 15]
    reports = []
    for index, employed in enumerate(values):
        data = report_data()
        data["organisation"]["name"] = f"Grantee {index}"
        data["kpis"][0].update(value=employed, target_met=employed >= 10)
        content = load_content(data)
        reports.append(
            (
                content,
                ValidationStamp(
                    evaluator="E",
                    accreditation_number="1",
                    accreditation_body="B",
                    validated_at="2026-01-01T00:00:00Z",
                    content_hash=content_hash(content),
                ),
            )
        )
    path = tmp_path / "portfolio.xlsx"
    write_portfolio_xlsx(reports, {"id": "simplified-kpis"}, path)
    recalculated = openpyxl.load_workbook(recalculate(soffice, path, tmp_path), data_only=True)
    overview = list(recalculated["Portfolio"].iter_rows(values_only=True))
    assert overview[6][5] == pytest.approx(statistics.median(values))  # 13.5
    assert overview[7][5] == pytest.approx(sum(values))  # 55
    assert overview[8][5] == 3  # three grantees with 10 or more
    assert [row[3] for row in overview[1:5]] == [2, 1, 2, 2]  # targets met per grantee
    data_sheet = list(recalculated["Data"].iter_rows(values_only=True))
    header = data_sheet[0]
    column = header.index("Difference from median")
    employed_rows = [r for r in data_sheet[1:] if r[6] == "people_employed"]
    assert [r[column] for r in employed_rows] == pytest.approx([v - 13.5 for v in values])


def test_libreoffice_recalculates_the_portfolio_payments_to_the_engines(soffice: str, tmp_path: Path) -> None:
    from impactkit.reports import GrantTerms, build_portfolio, write_portfolio_workbook
    from tests.unit.reports.test_grants import GRANT, entry

    terms = {
        **GRANT,
        "targets": [
            *GRANT["targets"],
            # at most 0.7 (of a share): each unit below it paid at 1,000 (0.6 → 100)
            {"indicator_id": "wellbeing_improved", "target": 0.7, "direction": "at_most",
             "price_per_unit": 1000, "basis": "units_beyond_target"},
        ],
    }  # fmt: skip
    entries = [
        entry("Il Sole", 12),  # met, capped
        entry("Monti", 8),  # not met
        entry("Piana", 10.5, end="2026-06-30"),  # interim: units beyond 8
        entry("Colle", None),  # no value
        entry("Valle", 30, version="0.9"),  # apart, paid all the same
    ]
    for item in entries:
        item.grants = [GrantTerms.model_validate(terms)]
    built = build_portfolio(entries)
    path = tmp_path / "portfolio.xlsx"
    write_portfolio_workbook(built, path)
    book = openpyxl.load_workbook(recalculate(soffice, path, tmp_path), data_only=True)
    sheet = list(book["Payment by results"].iter_rows(values_only=True))
    header = sheet[0]
    rows = [dict(zip(header, r, strict=True)) for r in sheet[1:] if isinstance(r[0], int)]
    lines = [line for grantee in built.grantees for line in grantee.lines]
    assert len(rows) == len(lines) == 4 * 2 + 1  # the interim report has no wellbeing target
    for row, line in zip(rows, lines, strict=True):
        assert row["Met (1/0)"] == (1 if line.met else 0), line
        assert row["Units paid"] == pytest.approx(line.units_paid, abs=1e-9), line
        assert row["Amount before cap"] == pytest.approx(line.amount_before_cap, abs=1e-9), line
        assert row["Amount payable"] == pytest.approx(line.amount_payable, abs=1e-9), line
        assert row["Held back by the cap"] == pytest.approx(line.amount_capped, abs=1e-9), line
    per = {r[1]: r for r in book["Payments per grantee"].iter_rows(values_only=True) if r[1]}
    for grantee in built.grantees:
        assert per[grantee.organisation][5:9] == pytest.approx(
            (grantee.targets, grantee.targets_met, grantee.amount_payable, grantee.amount_capped)
        )
    assert per["Portfolio total"][5:9] == pytest.approx(
        (built.targets, built.targets_met, built.amount_payable, built.amount_capped)
    )
    # placements: Il Sole 15,000 (capped), Piana 2.5 × 500, Valle 15,000 (capped); wellbeing 4 × 100
    assert built.amount_payable == 15000 + 1250 + 15000 + 4 * 100
    indigo = [r for r in book["INDIGO"].iter_rows(min_row=2, values_only=True) if r[0]]
    grant_lines = [line for line in lines if line.source == "grant"]
    assert [r[15] for r in indigo[: len(grant_lines)]] == pytest.approx([line.amount_payable for line in grant_lines])
