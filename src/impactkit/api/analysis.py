"""Frameworks, KPIs and SROI routes: read frameworks, compute a project's KPIs, run SROI analyses."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody
from pydantic import BaseModel, ConfigDict, Field

from impactkit.api.access import require_member
from impactkit.api.deps import DB, Caller
from impactkit.domain import MemberRole
from impactkit.errors import NotFoundError, Problem, ValueMapError
from impactkit.frameworks import get_framework, shipped_frameworks
from impactkit.sroi import compute as compute_sroi
from impactkit.sroi import export_value_map, import_value_map, sensitivity, simulate
from impactkit.store.kpi_cache import cached_project_kpis
from impactkit.store.references import require_period
from impactkit.store.sroi import prepare_value_map
from impactkit.store.tables import Project

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FrameworkSummary(BaseModel):
    id: str
    version: str
    title: dict[str, str]
    indicators: int


class ValueMapIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value_map: dict[str, Any] = Field(
        description="Stakeholders, inputs, outcomes, discount rate, conventions"
    )


class SensitivityIn(ValueMapIn):
    changes: list[float] = Field(default=[0.10, 0.25], description="Relative changes, 0.1 = ±10 %")


class SimulateIn(ValueMapIn):
    draws: int = Field(default=10_000, ge=100, le=200_000)
    seed: int | None = Field(default=None, description="Same seed, same result")


@dataclass
class WorkbookUpload:
    file: UploadFile


class FrameworkController(Controller):
    path = "/api/v1/frameworks"
    tags = ["frameworks"]

    @get("/", summary="The shipped frameworks (any signed-in caller)", sync_to_thread=False)
    def list(self, principal: Caller) -> list[FrameworkSummary]:
        return [
            FrameworkSummary(
                id=f.id,
                version=f.version,
                title=f.title.model_dump() if hasattr(f.title, "model_dump") else dict(f.title),
                indicators=len(f.indicators),
            )
            for f in shipped_frameworks()
        ]

    @get(
        "/{framework_id:str}",
        summary="One framework, shipped or published design, with every indicator (any signed-in caller)",
        sync_to_thread=True,
    )
    def read(self, framework_id: FromPath[str], principal: Caller, db: DB) -> dict[str, Any]:
        from impactkit.store.frameworks import resolve_framework

        try:
            framework = get_framework(framework_id)
        except Exception:
            # A designed framework, once published, is read like a shipped one.
            framework = resolve_framework(db, framework_id)
        return framework.model_dump(mode="json")


class KpiController(Controller):
    tags = ["kpis"]

    @get(
        "/api/v1/projects/{project_id:int}/kpis",
        summary="Every KPI of the project's framework for a period, with intervals and breakdowns (members)",
        sync_to_thread=True,
    )
    def project(
        self, project_id: FromPath[int], principal: Caller, db: DB, period_id: FromQuery[int | None] = None
    ) -> dict[str, Any]:
        project = db.get(Project, project_id)
        if project is None:
            raise NotFoundError(f"project {project_id} not found")
        require_member(principal, project.organisation_id, MemberRole.viewer)
        if period_id is not None:
            require_period(db, project_id, period_id, "query.period_id")
        # computed again only after the project changed, once for requests that arrive together
        return cached_project_kpis(db, project_id, period_id).model_dump(mode="json")


class SroiController(Controller):
    path = "/api/v1/sroi"
    tags = ["sroi"]

    @post(
        "/compute",
        summary="SROI of a value map: impact per outcome, years, PV, NPV, ratios, payback",
        sync_to_thread=True,
        status_code=200,
    )
    def compute(self, data: JSONBody[ValueMapIn], principal: Caller, db: DB) -> dict[str, Any]:
        return compute_sroi(prepare_value_map(db, principal, data.value_map)).model_dump(mode="json")

    @post(
        "/sensitivity",
        summary="One-at-a-time sensitivity and the 1:1 values (tornado table)",
        sync_to_thread=True,
        status_code=200,
    )
    def sensitivity(self, data: JSONBody[SensitivityIn], principal: Caller, db: DB) -> dict[str, Any]:
        if any(not 0 < c < 1 for c in data.changes):
            raise ValueMapError(
                "invalid changes",
                [Problem("each change is a fraction between 0 and 1 (0.1 = ±10 %)", "changes")],
            )
        return sensitivity(prepare_value_map(db, principal, data.value_map), data.changes).model_dump(
            mode="json"
        )

    @post(
        "/simulate",
        summary="Monte Carlo: the ratio's distribution from the estimates' distributions",
        sync_to_thread=True,
        status_code=200,
    )
    def simulate(self, data: JSONBody[SimulateIn], principal: Caller, db: DB) -> dict[str, Any]:
        value_map = prepare_value_map(db, principal, data.value_map)
        return simulate(value_map, draws=data.draws, seed=data.seed).model_dump(mode="json")

    @post(
        "/export",
        summary="The value map as an Excel workbook with live formulas (impactkit's layout or SVI's)",
        sync_to_thread=True,
        status_code=200,
    )
    def export(
        self,
        data: JSONBody[ValueMapIn],
        principal: Caller,
        db: DB,
        layout: FromQuery[Literal["impactkit", "svi"]] = "impactkit",
        language: FromQuery[Literal["en", "it"]] = "en",
    ) -> Response[bytes]:
        value_map = prepare_value_map(db, principal, data.value_map)
        name = "value-map.xlsx" if layout == "impactkit" else "value-map-svi.xlsx"
        with tempfile.TemporaryDirectory() as folder:
            content = export_value_map(
                value_map, Path(folder) / name, language=language, layout=layout
            ).read_bytes()
        return Response(
            content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )

    @post(
        "/import",
        summary="Read a value map back from a workbook (impactkit's layout or SVI's value map)",
        sync_to_thread=True,
        status_code=200,
    )
    def import_(self, data: MultipartBody[WorkbookUpload], principal: Caller) -> dict[str, Any]:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "value-map.xlsx"
            path.write_bytes(data.file.file.read(10 * 1024 * 1024))
            return import_value_map(path).model_dump(mode="json")


ANALYSIS_CONTROLLERS = [FrameworkController, KpiController, SroiController]
