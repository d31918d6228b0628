"""Report test data and helpers: a small cooperative's report, its stamp, survey answers."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from impactkit.reports import ReportContent, ValidationStamp, content_hash, load_content

SECTIONS = {
    "methodology": "Indagine su tutti i beneficiari, baseline ed endline.",
    "general_information": "Cooperativa sociale di tipo B a Pinerolo.",
    "structure_governance_administration": "Assemblea dei soci e consiglio di amministrazione.",
    "people": "12 lavoratori, 30 volontari.",
    "objectives_and_activities": "Inserimento lavorativo di giovani 15-35.",
    "economic_financial_situation": "Ricavi 420.000 euro.",
    "other_information": "Nessun contenzioso.",
    "control_body_monitoring": "Il sindaco unico ha verificato.",
}


def report_data(**overrides: Any) -> dict[str, Any]:
    """Plain data of a report, as the service would assemble it."""
    data: dict[str, Any] = {
        "organisation": {
            "name": "Cooperativa Il Sole",
            "legal_form": "cooperativa sociale B",
            "tax_code": "01234567890",
            "municipality": "Pinerolo",
            "zone": "Pinerolese",
            "territory_type": "rural",
        },
        "project": {"name": "Orti al lavoro", "id": "p-1"},
        "period": {"start": "2025-01-01", "end": "2025-12-31"},
        "framework": {"id": "simplified-kpis", "version": "1.0"},
        "language": "it",
        "kpis": [
            {
                "indicator_id": "people_employed",
                "labels": {"it": "Persone inserite al lavoro", "en": "People placed in work"},
                "unit": "people",
                "kind": "count",
                "value": 12,
                "n": 40,
                "ci_low": 9,
                "ci_high": 15,
                "confidence": 0.95,
                "method": "count of reported placements",
                "target": 10,
                "direction": "at_least",
                "target_met": True,
                "disaggregations": [
                    {"dimension": "gender", "category": "female", "value": 7, "n": 20},
                    {"dimension": "gender", "category": "male", "value": 5, "n": 18},
                    {"dimension": "gender", "category": "other", "value": None, "n": 2, "suppressed": True},
                ],
                "tags": {
                    "imp_dimensions": ["what", "who"],
                    "sdg_targets": ["8.5"],
                    "plan_objectives": ["2.1"],
                },
                "computed_by": "frameworks 0.1",
            },
            {
                "indicator_id": "wellbeing_improved",
                "labels": {"it": "Benessere migliorato", "en": "Improved wellbeing"},
                "unit": "share",
                "kind": "proportion",
                "value": 0.6,
                "n": 40,
                "ci_low": 0.45,
                "ci_high": 0.73,
                "confidence": 0.95,
                "method": "Wilson interval",
                "target": 0.5,
                "direction": "at_least",
                "target_met": True,
            },
        ],
        "sections": dict(SECTIONS),
        "targets": [
            {"indicator_id": "people_employed", "target": 10, "price_per_unit": 1500, "cap": 15000},
            {"indicator_id": "wellbeing_improved", "target": 0.5},
        ],
    }
    data.update(overrides)
    return data


def value_map_data() -> dict[str, Any]:
    """Case A of the SROI reference cases (../shared/corpus/sroi/README.md)."""
    return {
        "name": "Case A",
        "stakeholders": [{"name": "Young people"}],
        "inputs": [{"description": "Grant", "amount": 20000}],
        "outcomes": [
            {
                "name": "Into work",
                "stakeholder": "Young people",
                "quantity": 50,
                "proxy": {"value": 1000, "source": "ISTAT average wage gain"},
                "deadweight": 0.2,
                "attribution": 0.25,
                "drop_off": 0.1,
                "duration": 3,
                "evidence": {
                    "quantity": "payroll records",
                    "deadweight": "comparison group",
                    "attribution": "interviews",
                    "drop_off": "follow-up",
                },
            }
        ],
    }


@pytest.fixture
def content() -> ReportContent:
    return load_content(report_data())


@pytest.fixture
def stamp(content: ReportContent) -> ValidationStamp:
    return ValidationStamp(
        evaluator="Anna Bianchi",
        accreditation_number="VAL-042",
        accreditation_body="Città metropolitana di Torino",
        validated_at=datetime(2026, 2, 3, 10, 30, tzinfo=UTC),
        content_hash=content_hash(content),
    )


COLUMNS: list[dict[str, Any]] = [
    {"name": "age", "label": {"it": "Età", "en": "Age"}, "type": "integer"},
    {
        "name": "gender",
        "label": {"it": "Genere", "en": "Gender"},
        "type": "select_one gender",
        "choices": [
            {"name": "f", "label": {"it": "Donna", "en": "Woman"}},
            {"name": "m", "label": {"it": "Uomo", "en": "Man"}},
        ],
    },
    {
        "name": "services",
        "label": {"it": "Servizi usati", "en": "Services used"},
        "type": "select_multiple services",
        "choices": [
            {"name": "housing", "label": {"it": "Casa", "en": "Housing"}},
            {"name": "work", "label": {"it": "Lavoro", "en": "Work"}},
            {"name": "training", "label": {"it": "Formazione", "en": "Training"}},
        ],
    },
    {"name": "comment", "label": {"it": "Commento", "en": "Comment"}, "type": "text"},
    {"name": "household", "label": {"it": "Famiglia", "en": "Household"}, "type": "repeat"},
    {
        "name": "member_age",
        "label": {"it": "Età del familiare", "en": "Member age"},
        "type": "integer",
        "repeat": "household",
    },
]


def responses(count: int = 3) -> Iterator[dict[str, Any]]:
    """Survey responses as the store yields them (an iterator, consumed once)."""
    comments = ["=1+1", "tutto bene", "@SUM(A1)"]
    for index in range(count):
        yield {
            "instance_id": f"uuid:{index:04d}",
            "submitted_at": datetime(2025, 3, 1 + index % 28, 9, 0, tzinfo=UTC),
            "form_version": "2025-01",
            "wave": "baseline",
            "answers": {
                "age": 20 + index,
                "gender": "f" if index % 2 == 0 else "m",
                "services": "housing work" if index % 2 == 0 else "training",
                "comment": comments[index % 3],
                "household": [{"member_age": 50 + index}, {"member_age": 10 + index}]
                if index % 2 == 0
                else [],
            },
        }


def sheet_xml(path: Path, sheet_name: str) -> str:
    """The XML of a worksheet found by name, for checks openpyxl cannot make."""
    import re

    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        match = re.search(rf'<sheet name="{re.escape(sheet_name)}" sheetId="\d+" r:id="(rId\d+)"', workbook)
        assert match, f"no sheet {sheet_name}"
        target = re.search(rf'Id="{match.group(1)}" Type="[^"]*" Target="([^"]+)"', rels)
        assert target
        return archive.read("xl/" + target.group(1).lstrip("/").removeprefix("xl/")).decode()


def chart_parts(path: Path) -> list[str]:
    """The XML of every chart in a workbook."""
    with zipfile.ZipFile(path) as archive:
        return [
            archive.read(n).decode() for n in sorted(archive.namelist()) if n.startswith("xl/charts/chart")
        ]


# --- LibreOffice -------------------------------------------------------------------------

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


@pytest.fixture
def soffice() -> str:
    """Path of LibreOffice; skips (or fails when IMPACTKIT_REQUIRE_SYSTEM_PARTS=1) without it."""
    import os

    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        message = "LibreOffice (soffice) not installed: apt-get install libreoffice-calc"
        if os.environ.get("IMPACTKIT_REQUIRE_SYSTEM_PARTS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return found


def without_cached_values(source: Path, target: Path) -> None:
    """Copy a workbook dropping every formula's cached value, so only a recalculation fills it."""
    import re

    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in archive.infolist():
            data = archive.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb"(<f>[^<]*</f>)<v>[^<]*</v>", rb"\1", data)
            out.writestr(info, data)


def recalculate(soffice: str, source: Path, workdir: Path) -> Path:
    """Open ``source`` in headless LibreOffice with recalculation on load; returns the saved copy."""
    profile = workdir / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    stripped = workdir / "in" / source.name
    stripped.parent.mkdir(exist_ok=True)
    without_cached_values(source, stripped)
    out = workdir / "out"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(stripped),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    result = out / source.name
    assert result.exists(), "LibreOffice wrote no file"
    return result
