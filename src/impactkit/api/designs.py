"""Framework design routes: drafts and published versions, theory of change, adoption, grants."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any, Literal

from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, ConfigDict, Field

from impactkit.api.deps import DB, Caller
from impactkit.errors import Problem
from impactkit.frameworks.model import Framework
from impactkit.frameworks.toc import theory_of_change_pdf
from impactkit.store import frameworks as svc
from impactkit.store.tables import DesignedFramework

PDF = "application/pdf"
FRAMEWORK_ID = r"^[a-z][a-z0-9-]{1,79}$"


class DesignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base: str = Field(
        min_length=1,
        max_length=121,
        description="Shipped or published framework to start from, e.g. youth-neet",
    )
    framework_id: str = Field(
        pattern=FRAMEWORK_ID, description="Id of the new framework (lower case, hyphens)"
    )
    title: dict[str, str] | None = Field(default=None, description="{it, en}; default the base's")
    organisation_id: int | None = Field(default=None, description="The organisation that owns it")
    funder_id: int | None = Field(default=None, description="Or the funder that owns it (for a call)")


class DesignChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    framework: dict[str, Any] = Field(
        description="The whole framework as data (indicators, targets, theory_of_change …)"
    )


class DesignOut(BaseModel):
    id: int
    framework_id: str
    version: str
    state: str
    organisation_id: int | None
    funder_id: int | None
    content_hash: str | None
    published_at: datetime | None
    framework: dict[str, Any]
    problems: list[dict[str, Any]] = Field(description="What publishing would refuse (drafts)")


class RequirementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    framework_id: str = Field(min_length=1, max_length=80)
    version: str | None = Field(default=None, max_length=40, description="Default the newest published")


class RequirementOut(BaseModel):
    grant_id: int
    framework_id: str | None
    version: str | None
    indicators: list[dict[str, Any]] = Field(description="What the grantee will have to report")


class AdoptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    framework_id: str = Field(min_length=1, max_length=80)
    version: str | None = Field(default=None, max_length=40)


def _out(db: DB, principal: Caller, row: DesignedFramework, *, checked: bool = True) -> DesignOut:
    problems = (
        [p.as_dict() for p in svc.design_problems(db, principal, row)]
        if checked and row.state == svc.DRAFT
        else []
    )
    return DesignOut(
        id=row.id or 0,
        framework_id=row.framework_id,
        version=row.version,
        state=row.state,
        organisation_id=row.organisation_id,
        funder_id=row.funder_id,
        content_hash=row.content_hash,
        published_at=row.published_at,
        framework=row.content,
        problems=problems,
    )


class DesignController(Controller):
    path = "/api/v1/designs"
    tags = ["frameworks"]

    @get("/", summary="Published framework designs and the caller's own drafts", sync_to_thread=True)
    def list(self, principal: Caller, db: DB) -> builtins.list[DesignOut]:
        return [_out(db, principal, row, checked=False) for row in svc.designs(db, principal)]

    @post(
        "/",
        summary="Start designing a framework from a shipped or published one (owner, editor; funder)",
        sync_to_thread=True,
    )
    def create(self, data: JSONBody[DesignIn], principal: Caller, db: DB) -> DesignOut:
        row = svc.start_design(
            db,
            principal,
            base=data.base,
            framework_id=data.framework_id,
            title=data.title,
            organisation_id=data.organisation_id,
            funder_id=data.funder_id,
        )
        return _out(db, principal, row)

    @get("/{design_id:int}", summary="One design version (published: anyone signed in)", sync_to_thread=True)
    def read(self, design_id: FromPath[int], principal: Caller, db: DB) -> DesignOut:
        return _out(db, principal, svc.design(db, principal, design_id))

    @put("/{design_id:int}", summary="Replace a draft's content (owner, editor; funder)", sync_to_thread=True)
    def update(
        self, design_id: FromPath[int], data: JSONBody[DesignChange], principal: Caller, db: DB
    ) -> DesignOut:
        svc.design(db, principal, design_id, write=True)
        row = svc.save_design(db, principal, design_id, svc.parse_design(data.framework))
        return _out(db, principal, row)

    @post(
        "/{design_id:int}/publish",
        summary="Check and freeze a draft so projects can adopt it (owner, editor; funder)",
        sync_to_thread=True,
        status_code=200,
    )
    def publish(self, design_id: FromPath[int], principal: Caller, db: DB) -> DesignOut:
        return _out(db, principal, svc.publish_design(db, principal, design_id))

    @post(
        "/{design_id:int}/next",
        summary="The draft of the next version of a published design (owner, editor; funder)",
        sync_to_thread=True,
        status_code=200,
    )
    def next(self, design_id: FromPath[int], principal: Caller, db: DB) -> DesignOut:
        return _out(db, principal, svc.next_draft(db, principal, design_id))

    @get(
        "/{design_id:int}/theory-of-change.pdf",
        summary="The theory of change as a PDF for a funding application",
        sync_to_thread=True,
        media_type=PDF,
    )
    def theory_of_change(
        self, design_id: FromPath[int], principal: Caller, db: DB, lang: FromQuery[Literal["it", "en"]] = "it"
    ) -> Response[bytes]:
        row = svc.design(db, principal, design_id)
        content = theory_of_change_pdf(Framework.model_validate(row.content), lang)
        name = f"{row.framework_id}-{row.version}-theory-of-change.pdf"
        return Response(
            content, media_type=PDF, headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )


class FrameworkUseController(Controller):
    tags = ["frameworks"]

    @put(
        "/api/v1/projects/{project_id:int}/framework",
        summary="Adopt a shipped or published framework for a project (owner, editor)",
        sync_to_thread=True,
    )
    def adopt(
        self, project_id: FromPath[int], data: JSONBody[AdoptIn], principal: Caller, db: DB
    ) -> dict[str, Any]:
        project = svc.adopt(db, principal, project_id, data.framework_id, data.version)
        return {
            "project_id": project.id,
            "framework_id": project.framework_id,
            "version": project.framework_version,
        }

    @put(
        "/api/v1/grants/{grant_id:int}/framework",
        summary="Require a framework for a grant (the funder)",
        sync_to_thread=True,
    )
    def require(
        self, grant_id: FromPath[int], data: JSONBody[RequirementIn], principal: Caller, db: DB
    ) -> RequirementOut:
        svc.require_for_grant(db, principal, grant_id, data.framework_id, data.version)
        return self._requirement(db, principal, grant_id)

    @get(
        "/api/v1/grants/{grant_id:int}/framework",
        summary="The framework a grant requires and the indicators to report (funder, grantee)",
        sync_to_thread=True,
    )
    def requirement(self, grant_id: FromPath[int], principal: Caller, db: DB) -> RequirementOut:
        return self._requirement(db, principal, grant_id)

    @staticmethod
    def _requirement(db: DB, principal: Caller, grant_id: int) -> RequirementOut:
        _, framework = svc.grant_requirement(db, principal, grant_id)
        if framework is None:
            return RequirementOut(grant_id=grant_id, framework_id=None, version=None, indicators=[])
        indicators = [
            {
                "id": i.id,
                "labels": i.labels.model_dump(),
                "unit": i.unit,
                "kind": i.kind,
                "target": i.target.model_dump() if i.target else None,
            }
            for i in framework.indicators
        ]
        return RequirementOut(
            grant_id=grant_id, framework_id=framework.id, version=framework.version, indicators=indicators
        )


class ProxyOut(BaseModel):
    id: str
    labels: dict[str, str]
    value: float = Field(description="At its price year")
    low: float | None
    high: float | None
    currency: str
    unit: dict[str, str]
    price_year: int
    geography: str
    method: dict[str, str]
    source: dict[str, Any]
    citation: str
    suggested_for: list[str]
    adjusted_value: float | None = Field(description="At analysis_year prices, when asked and possible")
    adjustment_factor: float | None
    not_adjusted: str | None = Field(description="Why there is no adjusted value (a year without a figure …)")


class ProxyBankOut(BaseModel):
    id: str
    version: str
    reference: str = Field(description="id@version, what a value map records as proxy_bank")
    price_index: dict[str, Any]
    analysis_year: int | None
    proxies: list[ProxyOut]


class ProxyController(Controller):
    tags = ["frameworks"]

    @get(
        "/api/v1/proxies",
        summary="The proxy bank: sourced financial proxies, optionally at an analysis year's prices",
        sync_to_thread=True,
    )
    def bank(
        self,
        principal: Caller,
        analysis_year: FromQuery[int | None] = None,
        indicator: FromQuery[str | None] = None,
    ) -> ProxyBankOut:
        from impactkit.errors import FrameworkError
        from impactkit.frameworks.proxies import adjust_proxy, shipped_proxy_bank

        if analysis_year is not None and not 1900 <= analysis_year <= 2100:
            raise FrameworkError(
                "analysis_year out of range",
                [Problem(f"expected a year from 1900 to 2100, got {analysis_year}", "analysis_year")],
            )
        bank = shipped_proxy_bank()
        entries = bank.suggestions(indicator) if indicator else bank.proxies
        out = []
        for entry in entries:
            adjusted = factor = reason = None
            if analysis_year is not None:
                try:
                    result = adjust_proxy(entry, analysis_year, bank.index)
                    adjusted, factor = round(result.value, 2), result.factor
                except FrameworkError as error:
                    reason = error.problems[0].message if error.problems else error.message
            out.append(
                ProxyOut(
                    id=entry.id,
                    labels=entry.labels.model_dump(),
                    value=entry.value,
                    low=entry.low,
                    high=entry.high,
                    currency=entry.currency,
                    unit=entry.unit.model_dump(),
                    price_year=entry.price_year,
                    geography=entry.geography,
                    method=entry.method.model_dump(),
                    source=entry.source.model_dump(exclude_none=True),
                    citation=entry.source.citation(),
                    suggested_for=entry.suggested_for,
                    adjusted_value=adjusted,
                    adjustment_factor=factor,
                    not_adjusted=reason,
                )
            )
        index = bank.index
        return ProxyBankOut(
            id=bank.id,
            version=bank.version,
            reference=bank.reference,
            price_index={
                "id": index.id,
                "version": index.version,
                "publisher": index.publisher,
                "geography": index.geography,
                "currency": index.currency,
                "latest_year": index.latest_year,
                "years": [
                    {"year": y.year, "change_percent": y.change_percent, "citation": y.source.citation()}
                    for y in index.years
                ],
            },
            analysis_year=analysis_year,
            proxies=out,
        )


DESIGN_CONTROLLERS = [DesignController, FrameworkUseController, ProxyController]
