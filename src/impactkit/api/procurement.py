"""Social-procurement routes: authorities, tenders, bids (JSON or workbook), scores, award,
delivery per period with evidence, verification by an accredited evaluator, the authority's workbook.

Thin: each route checks the body, calls one function of :mod:`impactkit.store.procurement` (which
holds who may do what) and converts the result.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody
from pydantic import BaseModel, ConfigDict, Field

from impactkit.api.access import require_admin
from impactkit.api.deps import DB, Caller
from impactkit.api.requests import upload_filename
from impactkit.errors import BidError, NotFoundError, Problem
from impactkit.procurement import (
    ReportingPeriod,
    bid_template_xlsx,
    read_bid_workbook,
    reporting_periods,
    shipped_measure_set,
)
from impactkit.reports.documents.award import render_award_pdf
from impactkit.store import procurement as svc
from impactkit.store.tables import (
    Bid,
    ContractingAuthority,
    DeliveryEvidence,
    DeliveryReport,
    Organisation,
    ProcurementContract,
    Tender,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
MAX_WORKBOOK_BYTES = 5 * 1024 * 1024
Quantity = Annotated[float, Field(ge=-1e15, le=1e15)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AuthorityIn(_In):
    name: str = Field(min_length=2, max_length=200)
    kind: Literal["public_body", "private_buyer"]


class AuthorityOut(BaseModel):
    id: int
    name: str
    kind: str


class AuthorityMemberIn(_In):
    user_id: int


class AuthorityMemberOut(BaseModel):
    user_id: int
    name: str
    email: str


class MeasureTermsIn(_In):
    measure_id: str = Field(max_length=80)
    weight: float = Field(ge=0, le=1000, description="Points the measure is worth in the award")
    minimum: float | None = Field(default=None, ge=0, le=1e12, description="Least quantity a bid must commit")
    evidence: str = Field(default="", max_length=2000, description="Evidence asked beyond the measure's own")
    deadweight: float = Field(default=0.0, ge=0, le=1, description="Share that would happen anyway, 0–1")
    attribution: float = Field(default=0.0, ge=0, le=1, description="Share due to others, 0–1")


class TenderIn(_In):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=4000)
    kind: Literal["tender", "co_design"] = Field(
        default="tender",
        description="A tender (one winner) or a co-design agreement (art. 55, several partners)",
    )
    price_year: int | None = Field(
        default=None, ge=2000, le=2100, description="Year whose prices proxies take"
    )
    measures: list[MeasureTermsIn] = Field(min_length=1, max_length=50)


class TenderOut(BaseModel):
    id: int
    authority_id: int
    authority: str
    title: str
    description: str
    kind: str
    state: str
    terms: dict[str, Any]
    created_at: datetime
    awarded_at: datetime | None
    award_reason: str = Field(description="The authority's reason for the award (empty while open)")


class BidIn(_In):
    organisation_id: int
    commitments: dict[str, Quantity] = Field(
        description="Quantity committed per measure id of the tender", max_length=50
    )


class BidOut(BaseModel):
    id: int
    tender_id: int
    organisation_id: int
    commitments: dict[str, float]
    source: str
    created_at: datetime


class ScoreLineOut(BaseModel):
    measure_id: str
    quantity: float
    best_quantity: float
    weight: float
    points: float
    unit_value: float | None
    net_value: float | None


class ScoredBidOut(BaseModel):
    bid_id: int
    organisation_id: int
    organisation: str
    rank: int
    points: float
    max_points: float
    net_value: float
    measures: list[ScoreLineOut]


class AwardIn(_In):
    bid_ids: list[int] = Field(
        min_length=1, max_length=50, description="One bid for a tender; partners for co-design"
    )
    starts_on: date = Field(description="The contract's first day")
    ends_on: date = Field(description="The contract's last day (on or after starts_on)")
    reporting_months: Literal[1, 3, 6, 12] = Field(
        default=6, description="Delivery is reported in periods of this many months within the term"
    )
    reason: str = Field(
        min_length=1,
        max_length=4000,
        description="Why the award goes to the bid(s) chosen (the award report quotes it)",
    )


class DeliveryLineOut(BaseModel):
    measure_id: str
    committed: float
    delivered: float
    share: float | None
    net_value_committed: float | None
    net_value_delivered: float | None


class DeliverySummaryOut(BaseModel):
    id: int
    period_label: str
    starts_on: date
    ends_on: date
    state: str


class PeriodOut(BaseModel):
    label: str
    starts_on: date
    ends_on: date


class ContractOut(BaseModel):
    id: int
    tender_id: int
    tender: str
    organisation_id: int
    supplier: str
    starts_on: date | None = Field(
        description="The contract's first day (null: awarded before terms were kept)"
    )
    ends_on: date | None = Field(description="The contract's last day; delivery is reported within the term")
    reporting_months: int | None
    reporting_periods: list[PeriodOut] = Field(
        description="The periods delivery is reported in, following from the term"
    )
    committed: dict[str, float]
    lines: list[DeliveryLineOut]
    deliveries: list[DeliverySummaryOut]


class DeliveryIn(_In):
    period_label: str = Field(min_length=1, max_length=80)
    starts_on: date
    ends_on: date
    delivered: dict[str, Quantity] = Field(
        description="Quantity delivered in the period per measure id", max_length=50
    )


class EvidenceOut(BaseModel):
    id: int
    measure_id: str
    file_name: str
    content_type: str
    size: int
    sha256: str


class DeliveryOut(BaseModel):
    id: int
    contract_id: int
    period_label: str
    starts_on: date
    ends_on: date
    delivered: dict[str, float]
    state: str
    evaluator_user_id: int | None
    comments: str
    content_hash: str | None
    stamp: dict[str, Any] | None
    verified_at: datetime | None
    evidence: list[EvidenceOut]


class SubmitIn(_In):
    evaluator_user_id: int


class VerifyIn(_In):
    comments: str = Field(default="", max_length=8000)
    justifications: dict[str, Annotated[str, Field(max_length=4000)]] = Field(
        default_factory=dict,
        max_length=20,
        description="Per failing check id, why it may be verified all the same",
    )


class ReturnIn(_In):
    comments: str = Field(min_length=1, max_length=8000, description="What the supplier must change")


class CheckOut(BaseModel):
    id: str
    status: str
    detail: str
    items: list[str] = Field(default_factory=list, description="What fails: measure ids, or period:measure")


@dataclass
class BidWorkbookUpload:
    organisation_id: int
    file: UploadFile


@dataclass
class EvidenceUpload:
    measure_id: str
    file: UploadFile


def _authority_out(row: ContractingAuthority) -> AuthorityOut:
    assert row.id is not None
    return AuthorityOut(id=row.id, name=row.name, kind=row.kind)


def tender_out(db: DB, row: Tender) -> TenderOut:
    assert row.id is not None
    authority = db.get(ContractingAuthority, row.authority_id)
    return TenderOut(
        id=row.id,
        authority_id=row.authority_id,
        authority=authority.name if authority else "",
        title=row.title,
        description=row.description,
        kind=row.kind,
        state=row.state,
        terms=row.terms,
        created_at=row.created_at,
        awarded_at=row.awarded_at,
        award_reason=row.award_reason,
    )


def _bid_out(bid: Bid) -> BidOut:
    assert bid.id is not None
    return BidOut(
        id=bid.id,
        tender_id=bid.tender_id,
        organisation_id=bid.organisation_id,
        commitments=bid.commitments,
        source=bid.source,
        created_at=bid.created_at,
    )


def _periods(contract: ProcurementContract) -> builtins.list[ReportingPeriod]:
    term = svc.term_of(contract)
    return reporting_periods(term) if term is not None else []


def contract_out(db: DB, contract: ProcurementContract) -> ContractOut:
    assert contract.id is not None
    row = db.get(Tender, contract.tender_id)
    organisation = db.get(Organisation, contract.organisation_id)
    assert row is not None and organisation is not None
    return ContractOut(
        id=contract.id,
        tender_id=contract.tender_id,
        tender=row.title,
        organisation_id=contract.organisation_id,
        supplier=organisation.name,
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        reporting_months=contract.reporting_months,
        reporting_periods=[
            PeriodOut(label=p.label, starts_on=p.starts_on, ends_on=p.ends_on) for p in _periods(contract)
        ],
        committed=contract.committed,
        lines=[
            DeliveryLineOut.model_validate(line.model_dump()) for line in svc.contract_lines(db, contract)
        ],
        deliveries=[
            DeliverySummaryOut(
                id=r.id or 0,
                period_label=r.period_label,
                starts_on=r.starts_on,
                ends_on=r.ends_on,
                state=r.state,
            )
            for r in svc.delivery_reports(db, contract.id)
        ],
    )


def _evidence_out(row: DeliveryEvidence) -> EvidenceOut:
    return EvidenceOut(
        id=row.id or 0,
        measure_id=row.measure_id,
        file_name=row.file_name,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
    )


def delivery_out(db: DB, report: DeliveryReport) -> DeliveryOut:
    assert report.id is not None
    return DeliveryOut(
        id=report.id,
        contract_id=report.contract_id,
        period_label=report.period_label,
        starts_on=report.starts_on,
        ends_on=report.ends_on,
        delivered=report.delivered,
        state=report.state,
        evaluator_user_id=report.evaluator_user_id,
        comments=report.comments,
        content_hash=report.content_hash,
        stamp=report.stamp,
        verified_at=report.verified_at,
        evidence=[_evidence_out(e) for e in svc.evidence_of(db, report.id)],
    )


def _xlsx(content: bytes, name: str) -> Response[bytes]:
    return Response(
        content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def read_upload(upload: UploadFile, limit: int) -> bytes:
    content = upload.file.read(limit + 1)
    if len(content) > limit:
        raise BidError(
            "the file is too large", [Problem(f"expected at most {limit // (1024 * 1024)} MiB", "file")]
        )
    return content


class AuthorityController(Controller):
    tags = ["procurement"]

    @get(
        "/api/v1/authorities",
        summary="Contracting authorities: administrators all, others those they act for",
        sync_to_thread=True,
    )
    def list_authorities(self, principal: Caller, db: DB) -> builtins.list[AuthorityOut]:
        return [_authority_out(row) for row in svc.authorities(db, principal)]

    @post(
        "/api/v1/authorities", summary="Create a contracting authority (administrator)", sync_to_thread=True
    )
    def create_authority(self, data: JSONBody[AuthorityIn], principal: Caller, db: DB) -> AuthorityOut:
        require_admin(principal)
        return _authority_out(svc.create_authority(db, data.name, data.kind))

    @get(
        "/api/v1/authorities/{authority_id:int}/members",
        summary="Who acts for the authority (its people, administrators)",
        sync_to_thread=True,
    )
    def members(
        self, authority_id: FromPath[int], principal: Caller, db: DB
    ) -> builtins.list[AuthorityMemberOut]:
        svc.authority(db, principal, authority_id)
        return [
            AuthorityMemberOut(user_id=u.id or 0, name=u.name, email=u.email)
            for u in svc.authority_members(db, authority_id)
        ]

    @post(
        "/api/v1/authorities/{authority_id:int}/members",
        summary="Grant a user the contracting-authority role for this authority (administrator)",
        sync_to_thread=True,
    )
    def add_member(
        self, authority_id: FromPath[int], data: JSONBody[AuthorityMemberIn], principal: Caller, db: DB
    ) -> AuthorityMemberOut:
        require_admin(principal)
        svc.add_authority_member(db, authority_id, data.user_id)
        user = next(u for u in svc.authority_members(db, authority_id) if u.id == data.user_id)
        return AuthorityMemberOut(user_id=data.user_id, name=user.name, email=user.email)

    @delete(
        "/api/v1/authorities/{authority_id:int}/members/{user_id:int}",
        summary="Take the role away (administrator)",
        sync_to_thread=True,
    )
    def remove_member(
        self, authority_id: FromPath[int], user_id: FromPath[int], principal: Caller, db: DB
    ) -> None:
        require_admin(principal)
        svc.remove_authority_member(db, authority_id, user_id)

    @post(
        "/api/v1/authorities/{authority_id:int}/tenders",
        summary="Create a tender or co-design agreement on the shared measures (the authority's people)",
        sync_to_thread=True,
    )
    def create_tender(
        self, authority_id: FromPath[int], data: JSONBody[TenderIn], principal: Caller, db: DB
    ) -> TenderOut:
        row = svc.create_tender(
            db,
            principal,
            authority_id,
            title=data.title,
            description=data.description,
            kind=data.kind,
            price_year=data.price_year,
            measures=[m.model_dump() for m in data.measures],
        )
        return tender_out(db, row)

    @get(
        "/api/v1/authorities/{authority_id:int}/procurement.xlsx",
        summary="Bids side by side, committed vs delivered per contract and across them, live formulas "
        "(the authority's people)",
        sync_to_thread=True,
        media_type=XLSX,
    )
    def workbook(
        self, authority_id: FromPath[int], principal: Caller, db: DB, language: FromQuery[str] = "it"
    ) -> Response[bytes]:
        content = svc.authority_workbook(db, principal, authority_id, "en" if language == "en" else "it")
        return _xlsx(content, f"procurement-{authority_id}.xlsx")


class TenderController(Controller):
    tags = ["procurement"]

    @get(
        "/api/v1/procurement/measures",
        summary="The shared social-value measure set (anyone signed in)",
        sync_to_thread=True,
    )
    def measures(self, principal: Caller) -> dict[str, Any]:
        del principal
        return shipped_measure_set().model_dump(mode="json")

    @get(
        "/api/v1/tenders",
        summary="Tenders and co-design calls (anyone signed in: they are public calls)",
        sync_to_thread=True,
    )
    def list_tenders(
        self, principal: Caller, db: DB, status: FromQuery[Literal["open", "awarded"] | None] = None
    ) -> builtins.list[TenderOut]:
        del principal
        return [tender_out(db, row) for row in svc.tenders(db, state=status)]

    @get(
        "/api/v1/tenders/{tender_id:int}",
        summary="One tender's call and terms (anyone signed in)",
        sync_to_thread=True,
    )
    def read(self, tender_id: FromPath[int], principal: Caller, db: DB) -> TenderOut:
        del principal
        return tender_out(db, svc.tender(db, tender_id))

    @get(
        "/api/v1/tenders/{tender_id:int}/bid-template.xlsx",
        summary="The bid workbook to fill in (layout 1, see docs/procurement.md; anyone signed in)",
        sync_to_thread=True,
        media_type=XLSX,
    )
    def template(
        self, tender_id: FromPath[int], principal: Caller, db: DB, language: FromQuery[str] = "it"
    ) -> Response[bytes]:
        del principal
        row = svc.tender(db, tender_id)
        content = bid_template_xlsx(svc.terms_of(row), tender_id, "en" if language == "en" else "it")
        return _xlsx(content, f"bid-tender-{tender_id}.xlsx")

    @post(
        "/api/v1/tenders/{tender_id:int}/bids",
        summary="Bid on an open tender, or replace the bid (the organisation's owners and editors)",
        sync_to_thread=True,
    )
    def bid(self, tender_id: FromPath[int], data: JSONBody[BidIn], principal: Caller, db: DB) -> BidOut:
        commitments = [(k, v, f"commitments.{k}") for k, v in data.commitments.items()]
        return _bid_out(svc.place_bid(db, principal, tender_id, data.organisation_id, commitments, "api"))

    @post(
        "/api/v1/tenders/{tender_id:int}/bids/workbook",
        summary="Bid by uploading the filled-in bid workbook (owners and editors); errors name the cell",
        sync_to_thread=True,
    )
    def bid_workbook(
        self, tender_id: FromPath[int], data: MultipartBody[BidWorkbookUpload], principal: Caller, db: DB
    ) -> BidOut:
        content = read_upload(data.file, MAX_WORKBOOK_BYTES)
        workbook = read_bid_workbook(content, upload_filename(data.file) or "bid.xlsx")
        if workbook.tender_id != tender_id:
            found = "no tender" if workbook.tender_id is None else f"tender {workbook.tender_id}"
            raise BidError(
                "the workbook is not this tender's",
                [Problem(f"expected tender {tender_id}, the workbook is for {found}", "Offerta!B2")],
            )
        return _bid_out(
            svc.place_bid(db, principal, tender_id, data.organisation_id, workbook.commitments, "workbook")
        )

    @get(
        "/api/v1/tenders/{tender_id:int}/scores",
        summary="Every bid with its score, side by side, best first (the authority's people)",
        sync_to_thread=True,
    )
    def scores(self, tender_id: FromPath[int], principal: Caller, db: DB) -> builtins.list[ScoredBidOut]:
        row = svc.tender_for_authority(db, principal, tender_id)
        return [
            ScoredBidOut(
                bid_id=s.bid.id or 0,
                organisation_id=s.organisation.id or 0,
                organisation=s.organisation.name,
                rank=s.score.rank,
                points=s.score.points,
                max_points=s.score.max_points,
                net_value=s.score.net_value,
                measures=[ScoreLineOut.model_validate(m.model_dump()) for m in s.score.measures],
            )
            for s in svc.scored_bids(db, row)
        ]

    @post(
        "/api/v1/tenders/{tender_id:int}/award",
        summary="Award the tender (the authority's people)",
        sync_to_thread=True,
        status_code=200,
    )
    def award(
        self, tender_id: FromPath[int], data: JSONBody[AwardIn], principal: Caller, db: DB
    ) -> builtins.list[ContractOut]:
        contracts = svc.award(
            db,
            principal,
            tender_id,
            data.bid_ids,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            reason=data.reason,
            reporting_months=data.reporting_months,
        )
        return [contract_out(db, c) for c in contracts]

    @get(
        "/api/v1/tenders/{tender_id:int}/award-report.pdf",
        summary="The award report (verbale di aggiudicazione — valutazione del valore sociale): measures "
        "and weights, every bid's commitments and how each score was computed, the award and its reason, "
        "delivery against commitments with the evaluator's verification; a sealed PDF (the authority's "
        "people)",
        sync_to_thread=True,
        media_type=PDF,
    )
    def award_report(
        self,
        tender_id: FromPath[int],
        principal: Caller,
        db: DB,
        language: FromQuery[Literal["it", "en"]] = "it",
    ) -> Response[bytes]:
        content = svc.award_report_content(db, principal, tender_id, language)
        return Response(
            render_award_pdf(content),
            media_type=PDF,
            headers={"Content-Disposition": f'attachment; filename="verbale-gara-{tender_id}.pdf"'},
        )

    @get(
        "/api/v1/bids/{bid_id:int}",
        summary="One bid (the bidder's members, the authority's people)",
        sync_to_thread=True,
    )
    def read_bid(self, bid_id: FromPath[int], principal: Caller, db: DB) -> BidOut:
        return _bid_out(svc.bid_for(db, principal, bid_id))


class DeliveryController(Controller):
    tags = ["procurement"]

    @get(
        "/api/v1/contracts",
        summary="Contracts: the supplier's, the authority's, all for administrators",
        sync_to_thread=True,
    )
    def list_contracts(self, principal: Caller, db: DB) -> builtins.list[ContractOut]:
        return [contract_out(db, c) for c in svc.contracts(db, principal)]

    @get(
        "/api/v1/contracts/{contract_id:int}",
        summary="Committed vs delivered on one contract",
        sync_to_thread=True,
    )
    def read_contract(self, contract_id: FromPath[int], principal: Caller, db: DB) -> ContractOut:
        return contract_out(db, svc.contract_for(db, principal, contract_id))

    @post(
        "/api/v1/contracts/{contract_id:int}/deliveries",
        summary="Report delivery for a period, as a draft (the supplier's owners and editors)",
        sync_to_thread=True,
    )
    def report(
        self, contract_id: FromPath[int], data: JSONBody[DeliveryIn], principal: Caller, db: DB
    ) -> DeliveryOut:
        delivered = [(k, v, f"delivered.{k}") for k, v in data.delivered.items()]
        row = svc.report_delivery(
            db,
            principal,
            contract_id,
            period_label=data.period_label,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            delivered=delivered,
        )
        return delivery_out(db, row)

    @get(
        "/api/v1/deliveries/{report_id:int}",
        summary="One delivery report (supplier, authority, the evaluator it was submitted to)",
        sync_to_thread=True,
    )
    def read_delivery(self, report_id: FromPath[int], principal: Caller, db: DB) -> DeliveryOut:
        report, _ = svc.delivery_for(db, principal, report_id)
        return delivery_out(db, report)

    @post(
        "/api/v1/deliveries/{report_id:int}/evidence",
        summary="Attach evidence for a measure: PDF, JPEG, PNG or office file (supplier owners, editors)",
        sync_to_thread=True,
    )
    def attach(
        self, report_id: FromPath[int], data: MultipartBody[EvidenceUpload], principal: Caller, db: DB
    ) -> EvidenceOut:
        content = read_upload(data.file, svc.EVIDENCE_MAX_BYTES)
        row = svc.attach_evidence(
            db, principal, report_id, data.measure_id, upload_filename(data.file) or "evidence", content
        )
        return _evidence_out(row)

    @get(
        "/api/v1/deliveries/{report_id:int}/evidence/{evidence_id:int}",
        summary="Download an evidence file (supplier, authority, the evaluator)",
        sync_to_thread=True,
    )
    def evidence(
        self, report_id: FromPath[int], evidence_id: FromPath[int], principal: Caller, db: DB
    ) -> Response[bytes]:
        svc.delivery_for(db, principal, report_id)
        row = db.get(DeliveryEvidence, evidence_id)
        if row is None or row.report_id != report_id:
            raise NotFoundError(f"evidence {evidence_id} not found")
        return Response(
            row.data,
            media_type=row.content_type,
            headers={
                "Content-Disposition": f'attachment; filename="evidence-{row.id}"',
                "Content-Security-Policy": "sandbox",
            },
        )

    @post(
        "/api/v1/deliveries/{report_id:int}/submit",
        summary="Submit the period to an accredited, independent evaluator (supplier owners, editors)",
        sync_to_thread=True,
        status_code=200,
    )
    def submit(
        self, report_id: FromPath[int], data: JSONBody[SubmitIn], principal: Caller, db: DB
    ) -> DeliveryOut:
        return delivery_out(db, svc.submit_delivery(db, principal, report_id, data.evaluator_user_id))

    @get(
        "/api/v1/deliveries/{report_id:int}/checklist",
        summary="The verification checklist (supplier, authority, the evaluator)",
        sync_to_thread=True,
    )
    def checklist(self, report_id: FromPath[int], principal: Caller, db: DB) -> builtins.list[CheckOut]:
        report, contract = svc.delivery_for(db, principal, report_id)
        return [CheckOut.model_validate(c.model_dump()) for c in svc.checklist(db, report, contract)]

    @post(
        "/api/v1/deliveries/{report_id:int}/verify",
        summary="Verify and freeze the period (the evaluator it was submitted to)",
        sync_to_thread=True,
        status_code=200,
    )
    def verify(
        self, report_id: FromPath[int], data: JSONBody[VerifyIn], principal: Caller, db: DB
    ) -> DeliveryOut:
        return delivery_out(
            db, svc.verify_delivery(db, principal, report_id, data.comments, data.justifications)
        )

    @post(
        "/api/v1/deliveries/{report_id:int}/return",
        summary="Send the period back with comments (the evaluator it was submitted to)",
        sync_to_thread=True,
        status_code=200,
    )
    def return_(
        self, report_id: FromPath[int], data: JSONBody[ReturnIn], principal: Caller, db: DB
    ) -> DeliveryOut:
        return delivery_out(db, svc.return_delivery(db, principal, report_id, data.comments))


PROCUREMENT_CONTROLLERS = [AuthorityController, TenderController, DeliveryController]
