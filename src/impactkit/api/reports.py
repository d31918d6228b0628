"""Social-report routes: assemble, submit, validate or return, and download — each role its own view."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Response, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import select

from impactkit.api.access import require_funder, require_member
from impactkit.api.deps import DB, Caller
from impactkit.domain import MemberRole
from impactkit.errors import NotFoundError
from impactkit.reports import portfolio_rows, report_sections
from impactkit.store import reports as svc
from impactkit.store import value_maps
from impactkit.store.references import check_framework_query
from impactkit.store.sroi import prepare_value_map
from impactkit.store.tables import (
    EvaluatorAccreditation,
    Funder,
    Project,
    Report,
    ReportVersion,
    User,
    ValueMapVersion,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period_id: int
    language: str = Field(default="it", pattern="^(it|en)$")
    sections: dict[str, str] = Field(
        default_factory=dict, description="Narrative sections (DM 4 July 2019) by key"
    )
    sroi_value_map: dict[str, Any] | None = Field(default=None, description="Optional SROI value map")
    figures: dict[str, Any] | None = Field(
        default=None,
        description="Figures of the decree's sections (governance bodies, members, staff by contract, "
        "volunteers, pay ratio, reimbursements, revenue by source, public funding, fundraising, other "
        "information, supervisory body); see docs/reports.md",
    )


class ReportChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: str | None = Field(default=None, pattern="^(it|en)$")
    sections: dict[str, str] | None = None
    sroi_value_map: dict[str, Any] | None = None
    refresh_kpis: bool = Field(default=False, description="Recompute the KPIs from the responses stored now")
    figures: dict[str, Any] | None = Field(
        default=None, description="Figures of the decree's sections, replacing those entered before"
    )


class SubmitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    evaluator_user_id: int


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comments: str = Field(default="", max_length=8000)
    justifications: dict[str, Annotated[str, Field(max_length=4000)]] = Field(
        default_factory=dict,
        description="Per failing check id, why the report may be validated all the same "
        "(at least 20 characters each); frozen with the stamp",
        max_length=100,
    )


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comments: str = Field(default="", max_length=8000, description="What the organisation must change")
    section_comments: dict[str, Annotated[str, Field(max_length=8000)]] = Field(
        default_factory=dict,
        description="Comments per report section key (Decree of 4 July 2019); comments or these are needed",
        max_length=20,
    )

    @model_validator(mode="after")
    def _something_said(self) -> ReturnIn:
        known = {section.key for section in report_sections()}
        unknown = sorted(set(self.section_comments) - known)
        if unknown:
            raise ValueError(f"no section {unknown[0]!r}; expected one of {sorted(known)}")
        if not self.comments.strip() and not any(text.strip() for text in self.section_comments.values()):
            raise ValueError("say what the organisation must change: comments, or comments per section")
        return self


class ValueMapSave(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value_map: dict[str, Any] = Field(description="The value map; quantities may link to the report's KPIs")
    note: str = Field(default="", max_length=500, description="What this version changes")


class ValueMapVersionOut(BaseModel):
    number: int
    sroi_ratio: float | None
    author_user_id: int | None
    source: str
    note: str
    created_at: datetime
    value_map: dict[str, Any] | None = None


class MapChangeOut(BaseModel):
    path: str
    kind: str
    before: Any = None
    after: Any = None


class ReportOut(BaseModel):
    id: int
    organisation_id: int
    project_id: int
    period_id: int
    state: str
    version: int
    version_state: str
    evaluator_user_id: int | None
    content_hash: str | None
    stamp: dict[str, Any] | None
    comments: str
    section_comments: dict[str, str] | None = None
    validated_at: datetime | None
    content: dict[str, Any] | None = None


class EvaluatorOut(BaseModel):
    user_id: int
    name: str
    accreditation_number: str
    accreditation_body: str
    valid_until: str


def _out(report: Report, row: ReportVersion, with_content: bool = True) -> ReportOut:
    assert report.id is not None
    return ReportOut(
        id=report.id,
        organisation_id=report.organisation_id,
        project_id=report.project_id,
        period_id=report.period_id,
        state=report.state,
        version=row.number,
        version_state=row.state,
        evaluator_user_id=row.evaluator_user_id or report.evaluator_user_id,
        content_hash=row.content_hash,
        stamp=row.stamp,
        comments=row.comments,
        section_comments=row.section_comments,
        validated_at=row.validated_at,
        content=row.content if with_content else None,
    )


def _report(db: DB, report_id: int) -> Report:
    report = db.get(Report, report_id)
    if report is None:
        raise NotFoundError(f"report {report_id} not found")
    return report


class ReportController(Controller):
    tags = ["reports"]

    @post(
        "/api/v1/projects/{project_id:int}/reports",
        summary="Assemble a draft social report for a period (owner, editor)",
        sync_to_thread=True,
    )
    def create(
        self, project_id: FromPath[int], data: JSONBody[ReportIn], principal: Caller, db: DB
    ) -> ReportOut:
        project = db.get(Project, project_id)
        if project is None:
            raise NotFoundError(f"project {project_id} not found")
        require_member(principal, project.organisation_id, MemberRole.editor)
        value_map = (
            prepare_value_map(db, principal, data.sroi_value_map).model_dump(mode="json")
            if data.sroi_value_map
            else None
        )
        report = svc.create_report(
            db,
            principal,
            project_id,
            data.period_id,
            language=data.language,
            sections=data.sections,
            sroi_value_map=value_map,
            figures=data.figures,
        )
        return _out(report, svc.version(db, report))

    @get(
        "/api/v1/reports",
        summary="Reports the caller may see: members all, evaluators theirs, funders validated ones",
        sync_to_thread=True,
    )
    def list(self, principal: Caller, db: DB) -> builtins.list[ReportOut]:
        return [_out(report, row, with_content=False) for report, row in svc.list_reports(db, principal)]

    @get(
        "/api/v1/reports/{report_id:int}", summary="One report, as the caller may see it", sync_to_thread=True
    )
    def read(
        self, report_id: FromPath[int], principal: Caller, db: DB, version: FromQuery[int | None] = None
    ) -> ReportOut:
        report = _report(db, report_id)
        return _out(report, svc.visible_version(db, principal, report, version))

    @patch(
        "/api/v1/reports/{report_id:int}",
        summary="Change a report (owner, editor): a validated version never changes, a new draft is made",
        sync_to_thread=True,
    )
    def update(
        self, report_id: FromPath[int], data: JSONBody[ReportChange], principal: Caller, db: DB
    ) -> ReportOut:
        report = _report(db, report_id)
        require_member(principal, report.organisation_id, MemberRole.editor)
        value_map = (
            prepare_value_map(db, principal, data.sroi_value_map).model_dump(mode="json")
            if data.sroi_value_map
            else None
        )
        row = svc.update_report(
            db,
            principal,
            report,
            language=data.language,
            sections=data.sections,
            sroi_value_map=value_map,
            refresh_kpis=data.refresh_kpis,
            figures=data.figures,
        )
        return _out(report, row)

    @post(
        "/api/v1/reports/{report_id:int}/submit",
        summary="Submit the draft to an accredited, independent evaluator (owner, editor)",
        sync_to_thread=True,
        status_code=200,
    )
    def submit(
        self, report_id: FromPath[int], data: JSONBody[SubmitIn], principal: Caller, db: DB
    ) -> ReportOut:
        report = _report(db, report_id)
        require_member(principal, report.organisation_id, MemberRole.editor)
        return _out(report, svc.submit_report(db, principal, report, data.evaluator_user_id))

    @post(
        "/api/v1/reports/{report_id:int}/validate",
        summary="Validate and freeze the submitted version (its evaluator)",
        sync_to_thread=True,
        status_code=200,
    )
    def validate(
        self, report_id: FromPath[int], data: JSONBody[DecisionIn], principal: Caller, db: DB
    ) -> ReportOut:
        report = _report(db, report_id)
        return _out(report, svc.validate_report(db, principal, report, data.comments, data.justifications))

    @post(
        "/api/v1/reports/{report_id:int}/return",
        summary="Send the submitted version back with comments (its evaluator)",
        sync_to_thread=True,
        status_code=200,
    )
    def return_(
        self, report_id: FromPath[int], data: JSONBody[ReturnIn], principal: Caller, db: DB
    ) -> ReportOut:
        report = _report(db, report_id)
        return _out(report, svc.return_report(db, principal, report, data.comments, data.section_comments))

    @get(
        "/api/v1/reports/{report_id:int}/checklist",
        summary="The automated checklist (members, its evaluator)",
        sync_to_thread=True,
    )
    def checklist(
        self, report_id: FromPath[int], principal: Caller, db: DB, version: FromQuery[int | None] = None
    ) -> builtins.list[dict[str, Any]]:
        report = _report(db, report_id)
        row = svc.visible_version(db, principal, report, version)
        return [item.model_dump(mode="json") for item in svc.checklist(db, report, row)]

    @get(
        "/api/v1/reports/{report_id:int}/export.xlsx",
        summary="The report in the standard Excel layout",
        sync_to_thread=True,
        media_type=XLSX,
    )
    def export_xlsx(
        self, report_id: FromPath[int], principal: Caller, db: DB, version: FromQuery[int | None] = None
    ) -> Response[bytes]:
        report = _report(db, report_id)
        row = svc.visible_version(db, principal, report, version)
        content = svc.export_xlsx(db, report, row, actor_user_id=principal.user_id)
        name = f"report-{report.id}-v{row.number}{'' if row.state == 'validated' else '-draft'}.xlsx"
        return Response(
            content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )

    @get(
        "/api/v1/reports/{report_id:int}/export.pdf",
        summary="The social report as a sealed PDF (A4, tagged) with its frozen document attached",
        sync_to_thread=True,
        media_type=PDF,
    )
    def export_pdf(
        self, report_id: FromPath[int], principal: Caller, db: DB, version: FromQuery[int | None] = None
    ) -> Response[bytes]:
        report = _report(db, report_id)
        row = svc.visible_version(db, principal, report, version)
        content = svc.export_document(db, report, row, "pdf", actor_user_id=principal.user_id)
        name = f"report-{report.id}-v{row.number}{'' if row.state == 'validated' else '-draft'}.pdf"
        return Response(
            content, media_type=PDF, headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )

    @get(
        "/api/v1/reports/{report_id:int}/export.docx",
        summary="The social report as an editable Word document (not sealed)",
        sync_to_thread=True,
        media_type=DOCX,
    )
    def export_docx(
        self, report_id: FromPath[int], principal: Caller, db: DB, version: FromQuery[int | None] = None
    ) -> Response[bytes]:
        report = _report(db, report_id)
        row = svc.visible_version(db, principal, report, version)
        content = svc.export_document(db, report, row, "docx", actor_user_id=principal.user_id)
        name = f"report-{report.id}-v{row.number}{'' if row.state == 'validated' else '-draft'}.docx"
        return Response(
            content, media_type=DOCX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )

    @get(
        "/api/v1/reports/{report_id:int}/export.json",
        summary="The frozen document of a validated version (content, stamp, hash)",
        sync_to_thread=True,
    )
    def export_json(
        self, report_id: FromPath[int], principal: Caller, db: DB, version: FromQuery[int | None] = None
    ) -> Response[bytes]:
        report = _report(db, report_id)
        row = svc.visible_version(db, principal, report, version)
        content = svc.export_frozen_json(db, report, row, actor_user_id=principal.user_id)
        return Response(
            content,
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="report-{report.id}-v{row.number}.json"'},
        )

    @get(
        "/api/v1/evaluators",
        summary="Evaluators with an accreditation valid today (any signed-in caller)",
        sync_to_thread=True,
    )
    def evaluators(self, principal: Caller, db: DB) -> builtins.list[EvaluatorOut]:
        today = datetime.now().date()
        rows = db.exec(
            select(EvaluatorAccreditation, User).where(
                EvaluatorAccreditation.user_id == User.id,
                EvaluatorAccreditation.valid_from <= today,
                EvaluatorAccreditation.valid_until >= today,
            )
        ).all()
        return [
            EvaluatorOut(
                user_id=user.id or 0,
                name=user.name,
                accreditation_number=acc.number,
                accreditation_body=acc.body,
                valid_until=acc.valid_until.isoformat(),
            )
            for acc, user in rows
        ]


class ApartOut(BaseModel):
    organisation: str
    project: str
    framework: str
    reason: str


class IndigoOut(BaseModel):
    standard: str
    projects: list[dict[str, Any]] = Field(
        description="One INDIGO project per grant: outcome metrics, pricings, results, payments"
    )


class PaymentsOut(BaseModel):
    funder: str
    framework_id: str
    framework_version: str | None
    targets: int
    targets_met: int
    amount_payable: float
    amount_capped: float
    currency: str
    grantees: list[dict[str, Any]] = Field(description="Per grantee: targets, met, payable, capped, lines")
    apart: list[ApartOut] = Field(description="Reports of another framework version, not compared")


def _map_version(row: ValueMapVersion, with_map: bool = False) -> ValueMapVersionOut:
    return ValueMapVersionOut(
        number=row.number,
        sroi_ratio=row.sroi_ratio,
        author_user_id=row.author_user_id,
        source=row.source,
        note=row.note,
        created_at=row.created_at,
        value_map=row.value_map if with_map else None,
    )


class ReportValueMapController(Controller):
    tags = ["sroi"]

    @put(
        "/api/v1/reports/{report_id:int}/sroi",
        summary="Attach or replace the report's value map (owner, editor; its evaluator while submitted)",
        sync_to_thread=True,
        status_code=200,
    )
    def save(
        self, report_id: FromPath[int], data: JSONBody[ValueMapSave], principal: Caller, db: DB
    ) -> ReportOut:
        report = _report(db, report_id)
        row, _ = value_maps.save_value_map(
            db, principal, report, data.value_map, source="api", note=data.note
        )
        return _out(report, row)

    @get(
        "/api/v1/reports/{report_id:int}/sroi/versions",
        summary="Every saved version of the report's value map (members, its evaluator)",
        sync_to_thread=True,
    )
    def versions(
        self, report_id: FromPath[int], principal: Caller, db: DB
    ) -> builtins.list[ValueMapVersionOut]:
        report = _report(db, report_id)
        return [_map_version(row) for row in value_maps.versions(db, principal, report)]

    @get(
        "/api/v1/reports/{report_id:int}/sroi/versions/{number:int}",
        summary="One saved version of the value map, as its author wrote it (members, its evaluator)",
        sync_to_thread=True,
    )
    def version(
        self, report_id: FromPath[int], number: FromPath[int], principal: Caller, db: DB
    ) -> ValueMapVersionOut:
        report = _report(db, report_id)
        return _map_version(value_maps.get_version(db, principal, report, number), with_map=True)

    @get(
        "/api/v1/reports/{report_id:int}/sroi/diff",
        summary="What changed between two versions of the value map (members, its evaluator)",
        sync_to_thread=True,
    )
    def diff(
        self,
        report_id: FromPath[int],
        principal: Caller,
        db: DB,
        first: FromQuery[int] = 1,
        second: FromQuery[int] = 2,
    ) -> builtins.list[MapChangeOut]:
        report = _report(db, report_id)
        return [
            MapChangeOut.model_validate(change.model_dump())
            for change in value_maps.diff(db, principal, report, first, second)
        ]


def _funder_for(db: DB, principal: Caller, funder_id: int) -> None:
    require_funder(principal, funder_id)
    if db.get(Funder, funder_id) is None:
        raise NotFoundError(f"funder {funder_id} not found")


class PortfolioController(Controller):
    tags = ["funders"]

    @get(
        "/api/v1/funders/{funder_id:int}/portfolio",
        summary="Portfolio workbook or CSV: every grantee × every KPI of a shared framework (the funder)",
        sync_to_thread=True,
    )
    def portfolio(
        self,
        funder_id: FromPath[int],
        principal: Caller,
        db: DB,
        format: FromQuery[Literal["xlsx", "csv"]] = "xlsx",
        framework_id: FromQuery[str | None] = None,
        framework_version: FromQuery[str | None] = None,
        language: FromQuery[Literal["it", "en"]] = "en",
    ) -> Response[bytes]:
        _funder_for(db, principal, funder_id)
        check_framework_query(db, framework_id, framework_version)
        content = svc.portfolio_export(
            db,
            funder_id,
            format,
            framework_id,
            language,
            actor_user_id=principal.user_id,
            framework_version=framework_version,
        )
        media = XLSX if format == "xlsx" else "text/csv; charset=utf-8"
        return Response(
            content,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="portfolio-{funder_id}.{format}"'},
        )

    @get(
        "/api/v1/funders/{funder_id:int}/portfolio.json",
        summary="The portfolio's rows as JSON, the twin of the workbook and the CSV (the funder)",
        sync_to_thread=True,
    )
    def portfolio_json(
        self,
        funder_id: FromPath[int],
        principal: Caller,
        db: DB,
        framework_id: FromQuery[str | None] = None,
        language: FromQuery[Literal["it", "en"]] = "en",
    ) -> builtins.list[dict[str, Any]]:
        _funder_for(db, principal, funder_id)
        check_framework_query(db, framework_id, None)
        entries, framework = svc.portfolio(db, funder_id, framework_id)
        svc.record_export(db, principal.user_id, "portfolio", "json", funder_id=funder_id)
        return portfolio_rows(entries, framework, language=language)

    @get(
        "/api/v1/funders/{funder_id:int}/payments",
        summary="Targets met, amounts payable and capped per grantee and in total, under the funder's grants",
        sync_to_thread=True,
    )
    def payments(
        self,
        funder_id: FromPath[int],
        principal: Caller,
        db: DB,
        framework_id: FromQuery[str | None] = None,
        framework_version: FromQuery[str | None] = None,
    ) -> PaymentsOut:
        _funder_for(db, principal, funder_id)
        check_framework_query(db, framework_id, framework_version)
        built = svc.funder_portfolio(db, funder_id, framework_id, framework_version)
        svc.record_export(db, principal.user_id, "portfolio", "payments", funder_id=funder_id)
        return PaymentsOut(
            funder=built.funder,
            framework_id=built.framework.id,
            framework_version=built.framework.version,
            targets=built.targets,
            targets_met=built.targets_met,
            amount_payable=built.amount_payable,
            amount_capped=built.amount_capped,
            currency=built.currency,
            grantees=[g.model_dump(mode="json") for g in built.grantees],
            apart=[
                ApartOut(
                    organisation=a.entry.content.organisation.name,
                    project=a.entry.content.project.name,
                    framework=f"{a.entry.content.framework.id} {a.entry.content.framework.version}",
                    reason=a.reason,
                )
                for a in built.apart
            ],
        )

    @get(
        "/api/v1/funders/{funder_id:int}/indigo.json",
        summary="Outcome-fund data in the INDIGO data standard's fields, one project per grant (the funder)",
        sync_to_thread=True,
    )
    def indigo(self, funder_id: FromPath[int], principal: Caller, db: DB) -> Response[IndigoOut]:
        _funder_for(db, principal, funder_id)
        content = svc.portfolio_export(db, funder_id, "indigo", None, "en", actor_user_id=principal.user_id)
        return Response(
            IndigoOut.model_validate_json(content),
            headers={"Content-Disposition": f'attachment; filename="indigo-{funder_id}.json"'},
        )


REPORT_CONTROLLERS = [ReportController, ReportValueMapController, PortfolioController]
