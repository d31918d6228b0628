"""Every shipped sector framework, end to end: its forms import, synthetic responses made from the
forms' own rules compute every KPI with its interval, a report exports, and LibreOffice
recalculates the workbook to the engine's values (one LibreOffice run for all frameworks)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from impactkit._paths import data_dir
from impactkit.frameworks import KpiResults, compute_kpis, get_framework
from impactkit.frameworks.model import Framework
from impactkit.frameworks.synthetic import form_responses
from impactkit.reports import load_content, write_report_xlsx
from impactkit.surveys import load_xlsform, validate_response
from tests.unit.reports.helpers import RECALC_ALWAYS, soffice, without_cached_values

SECTOR_FRAMEWORKS = ["work-integration", "care", "youth-neet", "culture-community"]
SAMPLE_KINDS = {"mean", "median", "proportion", "change"}

__all__ = ["soffice"]


def _forms_of(framework: Framework) -> set[str]:
    return {indicator.source.form for indicator in framework.indicators}


def _needs_waves(framework: Framework) -> bool:
    return any(i.kind == "change" or i.source.exclude_baseline for i in framework.indicators)


@pytest.fixture(scope="module")
def computed() -> dict[str, tuple[Framework, dict[str, Any], KpiResults]]:
    out = {}
    for framework_id in SECTOR_FRAMEWORKS:
        framework = get_framework(framework_id)
        forms = {
            form_id: load_xlsform(data_dir("surveys") / f"{form_id}.xlsx") for form_id in _forms_of(framework)
        }
        frames = {
            form_id: form_responses(form, 80, waves=_needs_waves(framework), seed=24)
            for form_id, form in forms.items()
        }
        out[framework_id] = (framework, {"forms": forms, "frames": frames}, compute_kpis(framework, frames))
    return out


def test_every_sector_framework_reads_only_fields_its_shipped_forms_have(
    computed: dict[str, tuple[Framework, dict[str, Any], KpiResults]],
) -> None:
    for framework, parts, _ in computed.values():
        assert set(parts["forms"]) == _forms_of(framework)
        for form in parts["forms"].values():
            assert form.version == "2026.1"


def test_the_synthetic_responses_pass_the_forms_own_validation(
    computed: dict[str, tuple[Framework, dict[str, Any], KpiResults]],
) -> None:
    for _, parts, _ in computed.values():
        for form_id, frame in parts["frames"].items():
            form = parts["forms"][form_id]
            answers = frame.drop(columns=[c for c in frame.columns if c.startswith("_")])
            for record in answers.head(10).to_dict("records"):
                clean = {k: v for k, v in record.items() if v is not None and v == v}
                validate_response(form, clean)


def test_every_kpi_is_computed_with_its_interval(
    computed: dict[str, tuple[Framework, dict[str, Any], KpiResults]],
) -> None:
    for framework, _, results in computed.values():
        assert [r.indicator_id for r in results.results] == [i.id for i in framework.indicators]
        for result in results.results:
            assert result.value is not None, (framework.id, result.indicator_id, result.flags)
            assert result.n and result.n >= 10
            if result.kind in SAMPLE_KINDS:
                assert result.ci_low is not None and result.ci_high is not None, result.indicator_id
                assert result.ci_low - 1e-12 <= result.value <= result.ci_high + 1e-12
            indicator = framework.indicator(result.indicator_id)
            if indicator.disaggregations:
                dimensions = {cell.dimension for cell in result.disaggregations}
                assert dimensions == set(indicator.disaggregations), result.indicator_id


def _report(framework: Framework, results: KpiResults) -> dict[str, Any]:
    kpis = []
    for result in results.results:
        data = result.model_dump(mode="json")
        data["tags"] = framework.indicator(result.indicator_id).tags.model_dump(mode="json")
        kpis.append(data)
    targets = [
        {"indicator_id": i.id, "target": i.target.value, "direction": i.target.direction}
        for i in framework.indicators
        if i.target is not None
    ]
    return {
        "organisation": {"name": "Cooperativa di prova", "territory_type": "rural"},
        "project": {"name": framework.title.it, "id": "p-1"},
        "period": {"start": "2026-01-01", "end": "2026-12-31"},
        "framework": {"id": framework.id, "version": framework.version},
        "language": "it",
        "kpis": kpis,
        "sections": {},
        "targets": targets,
    }


def _recalculate_all(soffice: str, paths: list[Path], workdir: Path) -> dict[str, Path]:
    """One headless LibreOffice run that recalculates every workbook and saves a copy of each."""
    profile = workdir / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    stripped = []
    for path in paths:
        target = workdir / "in" / path.name
        target.parent.mkdir(exist_ok=True)
        without_cached_values(path, target)
        stripped.append(str(target))
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
            *stripped,
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {path.stem: out / path.name for path in paths}


@pytest.mark.libreoffice
def test_each_report_exports_and_libreoffice_recalculates_it_to_the_engines_values(
    computed: dict[str, tuple[Framework, dict[str, Any], KpiResults]],
    soffice: str,
    tmp_path: Path,
) -> None:
    written = []
    for framework_id, (framework, _, results) in computed.items():
        path = tmp_path / f"{framework_id}.xlsx"
        write_report_xlsx(load_content(_report(framework, results)), path)
        written.append(path)
    recalculated = _recalculate_all(soffice, written, tmp_path)
    for framework_id, (_, _, results) in computed.items():
        workbook = openpyxl.load_workbook(recalculated[framework_id], data_only=True)
        rows = {
            row[0]: row
            for row in workbook["Indicatori"].iter_rows(min_row=2, values_only=True)
            if row and row[0]
        }
        for result in results.results:
            row = rows[result.indicator_id]
            assert row[3] == pytest.approx(result.value, rel=1e-9), (framework_id, result.indicator_id)
            plus = (result.ci_high - result.value) if result.ci_high is not None else 0
            minus = (result.value - result.ci_low) if result.ci_low is not None else 0
            # The error-bar columns are live formulas: LibreOffice computed them again.
            assert row[17:19] == pytest.approx((plus, minus), abs=1e-9), (framework_id, result.indicator_id)
        targets = list(workbook["Obiettivi e pagamento"].iter_rows(min_row=2, values_only=True))
        assert targets, framework_id
