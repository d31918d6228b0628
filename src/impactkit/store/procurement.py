"""Social procurement in the database: authorities, tenders, bids, contracts, delivery, evidence.

Who may do what (checked here, so that the API and the pages share one rule):

- administrators create contracting authorities and grant users the role of acting for one;
- an authority's people create tenders (or co-design agreements), see every bid with its score,
  award, and see committed vs delivered on their contracts;
- any organisation's owners and editors bid on an open tender (in the browser, by workbook or
  through the API); its members see their own bids and contracts, never another organisation's;
- a supplier's owners and editors report delivery per period with evidence and submit it to an
  accredited evaluator who is not one of its members; that evaluator verifies (freezing the
  report with its content hash, checklist and justifications) or returns it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from impactkit.domain import MemberRole
from impactkit.errors import (
    BidError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
    ReportStateError,
)
from impactkit.procurement import (
    AwardBid,
    AwardContract,
    AwardMeasure,
    AwardPeriod,
    AwardReportContent,
    BidScore,
    Check,
    ContractTerm,
    ContractView,
    DeliveryLine,
    TenderTerms,
    authority_workbook_xlsx,
    check_commitments,
    delivery_checklist,
    delivery_lines,
    make_term,
    make_terms,
    outside_term,
    reporting_periods,
    score_bids,
    shipped_measure_set,
)
from impactkit.reports.hashing import canonical_json
from impactkit.store.admin import audit
from impactkit.store.principals import ROLE_RANK, Principal, authorisation_changed
from impactkit.store.tables import (
    AuthorityMembership,
    Bid,
    ContractingAuthority,
    DeliveryEvidence,
    DeliveryReport,
    EvaluatorAccreditation,
    Membership,
    Organisation,
    ProcurementContract,
    Tender,
    User,
)
from impactkit.store.types import utcnow

AUTHORITY_KINDS = ("public_body", "private_buyer")
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"PK\x03\x04": "application/zip",
}
"""Evidence files by their first bytes: PDF, JPEG, PNG, and office documents (zip containers)."""


def require_member(principal: Principal, organisation_id: int, at_least: MemberRole) -> None:
    """Members with at least this role (and administrators); 404 for outsiders, 403 for too low a role."""
    if principal.is_admin:
        return
    role = principal.role_in(organisation_id)
    if role is None:
        raise NotFoundError(f"organisation {organisation_id} not found")
    if ROLE_RANK[role] < ROLE_RANK[at_least]:
        raise PermissionDeniedError(
            f"this action needs the {at_least.value} role or higher; you are {role.value}"
        )


# --- authorities and their people -----------------------------------------------------------


def create_authority(session: Session, name: str, kind: str) -> ContractingAuthority:
    if kind not in AUTHORITY_KINDS:
        raise BidError("unknown kind", [Problem(f"expected one of {', '.join(AUTHORITY_KINDS)}", "kind")])
    row = ContractingAuthority(name=name.strip(), kind=kind)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ConflictError(f"authority {name!r} already exists") from None
    return row


def authorities(session: Session, principal: Principal) -> list[ContractingAuthority]:
    query = select(ContractingAuthority).order_by(col(ContractingAuthority.name))
    if not principal.is_admin:
        query = query.where(col(ContractingAuthority.id).in_(principal.authority_ids or {-1}))
    return list(session.exec(query).all())


def authority(session: Session, principal: Principal, authority_id: int) -> ContractingAuthority:
    """The authority, for its people and administrators (404 for anyone else)."""
    row = session.get(ContractingAuthority, authority_id)
    if row is None or not (principal.is_admin or authority_id in principal.authority_ids):
        raise NotFoundError(f"contracting authority {authority_id} not found")
    return row


def add_authority_member(session: Session, authority_id: int, user_id: int) -> AuthorityMembership:
    if session.get(ContractingAuthority, authority_id) is None:
        raise NotFoundError(f"contracting authority {authority_id} not found")
    if session.get(User, user_id) is None:
        raise NotFoundError(f"user {user_id} not found")
    row = AuthorityMembership(authority_id=authority_id, user_id=user_id)
    authorisation_changed(session)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ConflictError(f"user {user_id} already acts for authority {authority_id}") from None
    return row


def remove_authority_member(session: Session, authority_id: int, user_id: int) -> None:
    row = session.exec(
        select(AuthorityMembership).where(
            AuthorityMembership.authority_id == authority_id, AuthorityMembership.user_id == user_id
        )
    ).first()
    if row is None:
        raise NotFoundError(f"user {user_id} does not act for authority {authority_id}")
    authorisation_changed(session)
    session.delete(row)
    session.flush()


def authority_members(session: Session, authority_id: int) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(AuthorityMembership, col(AuthorityMembership.user_id) == col(User.id))
            .where(AuthorityMembership.authority_id == authority_id)
            .order_by(col(User.name))
        ).all()
    )


# --- tenders ----------------------------------------------------------------------------------


def terms_of(tender: Tender) -> TenderTerms:
    return TenderTerms.model_validate(tender.terms)


def create_tender(
    session: Session,
    principal: Principal,
    authority_id: int,
    *,
    title: str,
    description: str = "",
    kind: str = "tender",
    price_year: int | None = None,
    measures: Sequence[Mapping[str, Any]],
) -> Tender:
    authority(session, principal, authority_id)
    if kind not in ("tender", "co_design"):
        raise BidError("unknown kind", [Problem("expected 'tender' or 'co_design'", "kind")])
    terms = make_terms(title, measures, kind=kind, price_year=price_year)  # type: ignore[arg-type]
    tender = Tender(
        authority_id=authority_id,
        title=title,
        description=description,
        kind=kind,
        state="open",
        terms=terms.model_dump(mode="json"),
    )
    session.add(tender)
    session.flush()
    audit(session, "tender.created", actor_user_id=principal.user_id, target=f"tender:{tender.id}")
    return tender


def tender(session: Session, tender_id: int) -> Tender:
    """Any signed-in caller may read a tender's call (it is a public call for bids)."""
    row = session.get(Tender, tender_id)
    if row is None:
        raise NotFoundError(f"tender {tender_id} not found")
    return row


def tender_for_authority(session: Session, principal: Principal, tender_id: int) -> Tender:
    row = session.get(Tender, tender_id)
    if row is None or not (principal.is_admin or row.authority_id in principal.authority_ids):
        raise NotFoundError(f"tender {tender_id} not found")
    return row


def tenders(session: Session, *, authority_id: int | None = None, state: str | None = None) -> list[Tender]:
    query = select(Tender).order_by(col(Tender.id).desc())
    if authority_id is not None:
        query = query.where(Tender.authority_id == authority_id)
    if state is not None:
        query = query.where(Tender.state == state)
    return list(session.exec(query).all())


# --- bids ---------------------------------------------------------------------------------------


def place_bid(
    session: Session,
    principal: Principal,
    tender_id: int,
    organisation_id: int,
    commitments: Sequence[tuple[str, Any, str]],
    source: str,
) -> Bid:
    """Store (or replace) an organisation's bid after checking it against the tender's terms."""
    require_member(principal, organisation_id, MemberRole.editor)
    if session.get(Organisation, organisation_id) is None:
        raise NotFoundError(f"organisation {organisation_id} not found")
    row = tender(session, tender_id)
    if row.state != "open":
        raise ReportStateError(f"tender {tender_id} is {row.state}: it takes no more bids")
    quantities = check_commitments(terms_of(row), commitments)
    bid = session.exec(
        select(Bid).where(Bid.tender_id == tender_id, Bid.organisation_id == organisation_id)
    ).first()
    if bid is None:
        bid = Bid(tender_id=tender_id, organisation_id=organisation_id, commitments={}, source=source)
    bid.commitments = quantities
    bid.source = source
    bid.submitted_by = principal.user_id
    bid.created_at = utcnow()
    session.add(bid)
    try:
        session.flush()
    except IntegrityError:  # the same organisation's bid stored by a request at the same moment
        session.rollback()
        raise ConflictError(
            f"organisation {organisation_id} placed a bid on tender {tender_id} at the same moment; "
            "send it again to replace that bid"
        ) from None
    audit(
        session,
        "bid.placed",
        actor_user_id=principal.user_id,
        organisation_id=organisation_id,
        target=f"tender:{tender_id}",
        details={"source": source},
    )
    return bid


def bid_for(session: Session, principal: Principal, bid_id: int) -> Bid:
    """A bid, for the bidder's members and the tender's authority."""
    bid = session.get(Bid, bid_id)
    if bid is None:
        raise NotFoundError(f"bid {bid_id} not found")
    row = session.get(Tender, bid.tender_id)
    assert row is not None
    if (
        principal.is_admin
        or bid.organisation_id in principal.roles
        or row.authority_id in principal.authority_ids
    ):
        return bid
    raise NotFoundError(f"bid {bid_id} not found")


def own_bids(session: Session, principal: Principal, tender_id: int | None = None) -> list[Bid]:
    query = select(Bid).where(col(Bid.organisation_id).in_(set(principal.roles) or {-1}))
    if tender_id is not None:
        query = query.where(Bid.tender_id == tender_id)
    return list(session.exec(query.order_by(col(Bid.id))).all())


@dataclass(frozen=True)
class ScoredBid:
    bid: Bid
    organisation: Organisation
    score: BidScore


def scored_bids(session: Session, row: Tender) -> list[ScoredBid]:
    """Every bid of the tender with its score, best first (for the authority)."""
    bids = session.exec(select(Bid).where(Bid.tender_id == row.id).order_by(col(Bid.id))).all()
    by_key = {str(bid.id): bid for bid in bids}
    scores = score_bids(terms_of(row), {str(bid.id): bid.commitments for bid in bids})
    out: list[ScoredBid] = []
    for score in scores:
        bid = by_key[score.bidder]
        organisation = session.get(Organisation, bid.organisation_id)
        assert organisation is not None
        out.append(ScoredBid(bid, organisation, score))
    return out


def award(
    session: Session,
    principal: Principal,
    tender_id: int,
    bid_ids: Sequence[int],
    *,
    starts_on: date | None,
    ends_on: date | None,
    reason: str,
    reporting_months: int | None = 6,
) -> list[ProcurementContract]:
    """Award the tender: one bid for a tender, one or more partners for a co-design agreement.

    Every contract gets the term (first and last day, both included; delivery is reported in
    periods of ``reporting_months`` within it) and the tender keeps the authority's written reason.

    Raises:
        BidError: no bid, a bid of another tender, a missing or inverted term, no reason; each
            problem at its field (``bid_ids``, ``starts_on``, ``ends_on``, ``reason``).
    """
    row = tender_for_authority(session, principal, tender_id)
    if row.state != "open":
        raise ReportStateError(f"tender {tender_id} is already {row.state}")
    problems: list[Problem] = []
    if not bid_ids:
        problems.append(Problem("expected at least one bid id", "bid_ids", "required"))
    elif row.kind == "tender" and len(set(bid_ids)) != 1:
        problems.append(Problem("expected exactly one bid id: a tender is awarded to one bid", "bid_ids"))
    term: ContractTerm | None = None
    try:
        term = make_term(starts_on, ends_on, reporting_months)
    except BidError as error:
        problems.extend(error.problems)
    if not reason.strip():
        problems.append(Problem("say why the award goes to the bid(s) chosen", "reason", "required"))
    if problems:
        raise BidError("the award is not complete", problems)
    assert term is not None
    contracts: list[ProcurementContract] = []
    for index, bid_id in enumerate(dict.fromkeys(bid_ids)):
        bid = session.get(Bid, bid_id)
        if bid is None or bid.tender_id != tender_id:
            raise BidError(
                "no such bid on this tender",
                [Problem(f"bid {bid_id} is not a bid on tender {tender_id}", f"bid_ids[{index}]")],
            )
        contract = ProcurementContract(
            tender_id=tender_id,
            bid_id=bid_id,
            organisation_id=bid.organisation_id,
            committed=dict(bid.commitments),
            starts_on=term.starts_on,
            ends_on=term.ends_on,
            reporting_months=term.reporting_months,
        )
        session.add(contract)
        contracts.append(contract)
    row.state = "awarded"
    row.awarded_at = utcnow()
    row.awarded_by = principal.user_id
    row.award_reason = reason.strip()
    session.add(row)
    session.flush()
    audit(
        session,
        "tender.awarded",
        actor_user_id=principal.user_id,
        target=f"tender:{tender_id}",
        details={
            "bids": list(bid_ids),
            "starts_on": term.starts_on.isoformat(),
            "ends_on": term.ends_on.isoformat(),
        },
    )
    return contracts


def term_of(contract: ProcurementContract) -> ContractTerm | None:
    """The contract's term (None for a contract awarded before terms were recorded)."""
    if contract.starts_on is None or contract.ends_on is None:
        return None
    return ContractTerm(
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        reporting_months=contract.reporting_months or 6,
    )


# --- contracts and delivery ----------------------------------------------------------------------


def contract_for(session: Session, principal: Principal, contract_id: int) -> ProcurementContract:
    """A contract, for the supplier's members, the authority's people and an evaluator a delivery
    report of it was submitted to."""
    contract = session.get(ProcurementContract, contract_id)
    if contract is None:
        raise NotFoundError(f"contract {contract_id} not found")
    row = session.get(Tender, contract.tender_id)
    assert row is not None
    if (
        principal.is_admin
        or contract.organisation_id in principal.roles
        or row.authority_id in principal.authority_ids
    ):
        return contract
    assigned = session.exec(
        select(DeliveryReport).where(
            DeliveryReport.contract_id == contract_id, DeliveryReport.evaluator_user_id == principal.user_id
        )
    ).first()
    if assigned is not None:
        return contract
    raise NotFoundError(f"contract {contract_id} not found")


def contracts(session: Session, principal: Principal) -> list[ProcurementContract]:
    """Contracts the caller may see: as supplier, as authority, or all for administrators."""
    query = select(ProcurementContract).join(Tender, col(Tender.id) == col(ProcurementContract.tender_id))
    if not principal.is_admin:
        query = query.where(
            col(ProcurementContract.organisation_id).in_(set(principal.roles) or {-1})
            | col(Tender.authority_id).in_(principal.authority_ids or {-1})
        )
    return list(session.exec(query.order_by(col(ProcurementContract.id))).all())


def delivery_reports(session: Session, contract_id: int) -> list[DeliveryReport]:
    return list(
        session.exec(
            select(DeliveryReport)
            .where(DeliveryReport.contract_id == contract_id)
            .order_by(col(DeliveryReport.starts_on), col(DeliveryReport.id))
        ).all()
    )


def counted_reports(session: Session, contract_id: int) -> list[DeliveryReport]:
    """The reports that count as delivered: submitted or verified (not drafts, not returned)."""
    return [r for r in delivery_reports(session, contract_id) if r.state in ("submitted", "verified")]


def contract_lines(session: Session, contract: ProcurementContract) -> list[DeliveryLine]:
    row = session.get(Tender, contract.tender_id)
    assert row is not None and contract.id is not None
    return delivery_lines(
        terms_of(row), contract.committed, [r.delivered for r in counted_reports(session, contract.id)]
    )


def _require_supplier_editor(principal: Principal, contract: ProcurementContract) -> None:
    require_member(principal, contract.organisation_id, MemberRole.editor)


def report_delivery(
    session: Session,
    principal: Principal,
    contract_id: int,
    *,
    period_label: str,
    starts_on: date,
    ends_on: date,
    delivered: Sequence[tuple[str, Any, str]],
) -> DeliveryReport:
    """A new draft delivery report for a period (a returned or draft one of the same period is replaced)."""
    contract = contract_for(session, principal, contract_id)
    _require_supplier_editor(principal, contract)
    if ends_on < starts_on:
        raise BidError(
            "the period ends before it starts", [Problem("expected ends_on ≥ starts_on", "ends_on")]
        )
    term = term_of(contract)
    if term is not None and (problems := outside_term(term, starts_on, ends_on)):
        raise BidError("the period is outside the contract's term", problems)
    row = session.get(Tender, contract.tender_id)
    assert row is not None
    quantities = check_commitments(terms_of(row), delivered, minimums=False, what="delivery report")
    report = session.exec(
        select(DeliveryReport).where(
            DeliveryReport.contract_id == contract_id, DeliveryReport.period_label == period_label
        )
    ).first()
    if report is not None and report.state in ("submitted", "verified"):
        raise ReportStateError(f"the report for {period_label!r} is {report.state}; it cannot be changed")
    if report is None:
        report = DeliveryReport(
            contract_id=contract_id,
            period_label=period_label,
            starts_on=starts_on,
            ends_on=ends_on,
            delivered={},
            state="draft",
        )
    report.starts_on, report.ends_on, report.delivered, report.state = starts_on, ends_on, quantities, "draft"
    session.add(report)
    session.flush()
    return report


def delivery_for(
    session: Session, principal: Principal, report_id: int
) -> tuple[DeliveryReport, ProcurementContract]:
    report = session.get(DeliveryReport, report_id)
    if report is None:
        raise NotFoundError(f"delivery report {report_id} not found")
    if report.evaluator_user_id == principal.user_id and report.state != "draft":
        contract = session.get(ProcurementContract, report.contract_id)
        assert contract is not None
        return report, contract
    contract = session.get(ProcurementContract, report.contract_id)
    assert contract is not None
    row = session.get(Tender, contract.tender_id)
    assert row is not None
    if (
        principal.is_admin
        or contract.organisation_id in principal.roles
        or row.authority_id in principal.authority_ids
    ):
        return report, contract
    raise NotFoundError(f"delivery report {report_id} not found")


def _sniff(data: bytes) -> str | None:
    return next((kind for magic, kind in EVIDENCE_TYPES.items() if data.startswith(magic)), None)


def attach_evidence(
    session: Session, principal: Principal, report_id: int, measure_id: str, file_name: str, data: bytes
) -> DeliveryEvidence:
    report, contract = delivery_for(session, principal, report_id)
    _require_supplier_editor(principal, contract)
    if report.state not in ("draft", "returned"):
        raise ReportStateError(f"the report is {report.state}: evidence can be added to a draft only")
    row = session.get(Tender, contract.tender_id)
    assert row is not None
    if terms_of(row).terms_of(measure_id) is None:
        raise BidError(
            "measure not in the tender",
            [Problem(f"measure {measure_id!r} is not in this tender", "measure_id", "measure_not_in_tender")],
        )
    if not data:
        raise BidError("empty file", [Problem("expected a file with content", "file")])
    if len(data) > EVIDENCE_MAX_BYTES:
        raise BidError("file too large", [Problem(f"expected at most {EVIDENCE_MAX_BYTES} bytes", "file")])
    kind = _sniff(data)
    if kind is None:
        raise BidError(
            "evidence must be a PDF, a JPEG or PNG image, or an office document",
            [Problem("expected a PDF, JPEG, PNG or office (.docx, .xlsx, .odt) file", "file", "file_type")],
        )
    evidence = DeliveryEvidence(
        report_id=report_id,
        measure_id=measure_id,
        file_name=(file_name or "evidence").replace("/", "_").replace("\\", "_")[:200],
        content_type=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )
    session.add(evidence)
    session.flush()
    return evidence


def evidence_of(session: Session, report_id: int) -> list[DeliveryEvidence]:
    return list(
        session.exec(
            select(DeliveryEvidence)
            .where(DeliveryEvidence.report_id == report_id)
            .order_by(col(DeliveryEvidence.id))
        ).all()
    )


def _valid_accreditation(session: Session, user_id: int) -> EvaluatorAccreditation | None:
    today = datetime.now(UTC).date()
    return session.exec(
        select(EvaluatorAccreditation).where(
            EvaluatorAccreditation.user_id == user_id,
            EvaluatorAccreditation.valid_from <= today,
            EvaluatorAccreditation.valid_until >= today,
        )
    ).first()


def _is_member(session: Session, user_id: int, organisation_id: int) -> bool:
    found = session.exec(
        select(Membership).where(Membership.user_id == user_id, Membership.organisation_id == organisation_id)
    ).first()
    return found is not None


def submit_delivery(
    session: Session, principal: Principal, report_id: int, evaluator_user_id: int
) -> DeliveryReport:
    report, contract = delivery_for(session, principal, report_id)
    _require_supplier_editor(principal, contract)
    if report.state not in ("draft", "returned"):
        raise ReportStateError(f"only a draft can be submitted; this report is {report.state}")
    if _valid_accreditation(session, evaluator_user_id) is None:
        raise ReportStateError(
            f"user {evaluator_user_id} is not an evaluator with an accreditation valid today"
        )
    if _is_member(session, evaluator_user_id, contract.organisation_id):
        raise ReportStateError("the evaluator is a member of the supplier; choose an independent evaluator")
    report.state = "submitted"
    report.evaluator_user_id = evaluator_user_id
    session.add(report)
    session.flush()
    return report


def checklist(session: Session, report: DeliveryReport, contract: ProcurementContract) -> list[Check]:
    """The checklist on this period: evidence for each delivered measure; delivery to date. A
    verified period answers the checklist frozen with it, not one recomputed today."""
    if report.stamp:
        return [Check.model_validate(item) for item in report.stamp["checklist"]]
    row = session.get(Tender, contract.tender_id)
    assert row is not None and report.id is not None
    files: dict[str, int] = {}
    for evidence in evidence_of(session, report.id):
        files[evidence.measure_id] = files.get(evidence.measure_id, 0) + 1
    earlier = [
        r.delivered
        for r in counted_reports(session, contract.id or 0)
        if r.id != report.id and r.starts_on <= report.starts_on
    ]
    periods = [*earlier, report.delivered]
    # earlier periods had their evidence checked when they were verified
    files_per_period = [*[dict.fromkeys(period, 1) for period in earlier], files]
    return delivery_checklist(terms_of(row), contract.committed, periods, files_per_period)


def _require_assigned(
    session: Session, principal: Principal, report: DeliveryReport, contract: ProcurementContract
) -> EvaluatorAccreditation:
    if report.evaluator_user_id != principal.user_id:
        raise NotFoundError(f"delivery report {report.id} not found")
    accreditation = _valid_accreditation(session, principal.user_id)
    if accreditation is None:
        raise PermissionDeniedError("your accreditation is not valid today")
    if _is_member(session, principal.user_id, contract.organisation_id):
        raise PermissionDeniedError("you are a member of the supplier; an evaluator must be independent")
    return accreditation


def verify_delivery(
    session: Session, principal: Principal, report_id: int, comments: str, justifications: Mapping[str, str]
) -> DeliveryReport:
    """Verify and freeze a submitted report: its content, evidence hashes, checklist and the
    evaluator's justifications are sealed under one SHA-256 (canonical JSON, as social reports)."""
    report, contract = delivery_for(session, principal, report_id)
    accreditation = _require_assigned(session, principal, report, contract)
    if report.state != "submitted":
        raise ReportStateError(f"only a submitted report can be verified; this one is {report.state}")
    checks = checklist(session, report, contract)
    open_checks = [
        c for c in checks if c.status == "fail" and len((justifications.get(c.id) or "").strip()) < 20
    ]
    if open_checks:
        raise ReportStateError(
            "the delivery cannot be verified yet",
            [
                Problem(
                    f"{c.detail}; justify it in writing (at least 20 characters)",
                    f"justifications.{c.id}",
                    "unjustified",
                )
                for c in open_checks
            ],
        )
    content = {
        "contract_id": contract.id,
        "tender_id": contract.tender_id,
        "organisation_id": contract.organisation_id,
        "period": {
            "label": report.period_label,
            "starts_on": report.starts_on.isoformat(),
            "ends_on": report.ends_on.isoformat(),
        },
        "committed": contract.committed,
        "delivered": report.delivered,
        "evidence": [
            {"measure_id": e.measure_id, "file_name": e.file_name, "sha256": e.sha256}
            for e in evidence_of(session, report.id or 0)
        ],
    }
    digest = hashlib.sha256(canonical_json(content)).hexdigest()
    now = utcnow()
    report.stamp = {
        "evaluator": principal.name,
        "accreditation_number": accreditation.number,
        "accreditation_body": accreditation.body,
        "verified_at": now.isoformat(),
        "content_hash": digest,
        "content": content,
        "checklist": [c.model_dump() for c in checks],
        "justifications": {k: v.strip() for k, v in justifications.items() if v.strip()},
    }
    report.content_hash = digest
    report.state = "verified"
    report.verified_at = now
    report.comments = comments
    session.add(report)
    session.flush()
    audit(
        session,
        "delivery.verified",
        actor_user_id=principal.user_id,
        organisation_id=contract.organisation_id,
        target=f"delivery:{report.id}",
        details={"content_hash": digest},
    )
    return report


def return_delivery(session: Session, principal: Principal, report_id: int, comments: str) -> DeliveryReport:
    report, contract = delivery_for(session, principal, report_id)
    _require_assigned(session, principal, report, contract)
    if report.state != "submitted":
        raise ReportStateError(f"only a submitted report can be returned; this one is {report.state}")
    if not comments.strip():
        raise BidError("say what the supplier must change", [Problem("expected comments", "comments")])
    report.state = "returned"
    report.comments = comments
    session.add(report)
    session.flush()
    return report


def assigned_deliveries(session: Session, principal: Principal) -> list[DeliveryReport]:
    return list(
        session.exec(
            select(DeliveryReport)
            .where(DeliveryReport.evaluator_user_id == principal.user_id, DeliveryReport.state != "draft")
            .order_by(col(DeliveryReport.id))
        ).all()
    )


# --- the award report (verbale di aggiudicazione) -------------------------------------------------------


def award_report_content(
    session: Session, principal: Principal, tender_id: int, language: str
) -> AwardReportContent:
    """What the award report of a tender says, for the authority's people and administrators (404
    for anyone else: bidders, evaluators and other authorities never see the other bids)."""
    row = tender_for_authority(session, principal, tender_id)
    terms = terms_of(row)
    measure_set = shipped_measure_set()
    known = {m.id: m for m in measure_set.measures}

    def text(measure_id: str, field: str) -> str:
        measure = known.get(measure_id)
        return getattr(getattr(measure, field), language) if measure is not None else measure_id

    measures = [
        AwardMeasure(
            measure_id=line.measure_id,
            label=text(line.measure_id, "labels"),
            unit=text(line.measure_id, "unit"),
            weight=line.weight,
            minimum=line.minimum,
            evidence=line.evidence,
            deadweight=line.deadweight,
            attribution=line.attribution,
            unit_value=line.unit_value.value if line.unit_value else None,
            currency=line.unit_value.currency if line.unit_value else None,
            value_year=line.unit_value.year if line.unit_value else None,
            value_source=line.unit_value.source if line.unit_value else None,
        )
        for line in terms.measures
    ]
    contract_rows = list(
        session.exec(
            select(ProcurementContract)
            .where(ProcurementContract.tender_id == row.id)
            .order_by(col(ProcurementContract.id))
        ).all()
    )
    awarded_bids = {c.bid_id for c in contract_rows}
    bids = [
        AwardBid(
            bid_id=s.bid.id or 0,
            organisation=s.organisation.name,
            source=s.bid.source,
            placed_at=s.bid.created_at,
            rank=s.score.rank,
            points=s.score.points,
            max_points=s.score.max_points,
            net_value=s.score.net_value,
            awarded=s.bid.id in awarded_bids,
            measures=s.score.measures,
        )
        for s in scored_bids(session, row)
    ]
    contracts_out: list[AwardContract] = []
    for contract in contract_rows:
        assert contract.id is not None
        organisation = session.get(Organisation, contract.organisation_id)
        assert organisation is not None
        term = term_of(contract)
        periods = []
        for report in delivery_reports(session, contract.id):
            if report.state == "draft":
                continue  # a draft is the supplier's own until it is submitted
            stamp = report.stamp or {}
            periods.append(
                AwardPeriod(
                    label=report.period_label,
                    starts_on=report.starts_on,
                    ends_on=report.ends_on,
                    state=report.state,
                    delivered={k: float(v) for k, v in report.delivered.items()},
                    evaluator=stamp.get("evaluator"),
                    accreditation=(
                        f"{stamp.get('accreditation_body', '')} {stamp.get('accreditation_number', '')}"
                        if stamp
                        else None
                    ),
                    verified_at=report.verified_at,
                    content_hash=report.content_hash,
                    checklist=list(stamp.get("checklist", [])),
                    justifications=dict(stamp.get("justifications", {})),
                    comments=report.comments if report.state in ("verified", "returned") else "",
                )
            )
        contracts_out.append(
            AwardContract(
                contract_id=contract.id,
                bid_id=contract.bid_id,
                supplier=organisation.name,
                term=term,
                periods_due=reporting_periods(term) if term is not None else [],
                lines=contract_lines(session, contract),
                periods=periods,
            )
        )
    authority_row = session.get(ContractingAuthority, row.authority_id)
    officer = session.get(User, row.awarded_by) if row.awarded_by is not None else None
    assert row.id is not None and authority_row is not None
    audit(session, "tender.award_report", actor_user_id=principal.user_id, target=f"tender:{row.id}")
    return AwardReportContent(
        language=language,
        generated_at=utcnow(),
        authority=authority_row.name,
        tender_id=row.id,
        title=row.title,
        description=row.description,
        kind=row.kind,
        state=row.state,
        created_at=row.created_at,
        measure_set=terms.measure_set,
        price_year=terms.price_year,
        max_points=terms.max_points,
        measures=measures,
        bids=bids,
        awarded_at=row.awarded_at,
        awarded_by=officer.name if officer is not None else None,
        award_reason=row.award_reason,
        contracts=contracts_out,
    )


# --- the authority's workbook ------------------------------------------------------------------------


def authority_workbook(session: Session, principal: Principal, authority_id: int, language: str) -> bytes:
    """Bids side by side per tender and committed vs delivered per contract and across them."""
    authority(session, principal, authority_id)
    bids: list[tuple[TenderTerms, str, dict[str, dict[str, float]]]] = []
    views: list[ContractView] = []
    for row in reversed(tenders(session, authority_id=authority_id)):
        terms = terms_of(row)
        scored = scored_bids(session, row)
        if scored:
            bids.append(
                (
                    terms,
                    f"{row.id}: {row.title}",
                    {f"{s.organisation.name} (#{s.bid.id})": dict(s.bid.commitments) for s in scored},
                )
            )
        for contract in session.exec(
            select(ProcurementContract)
            .where(ProcurementContract.tender_id == row.id)
            .order_by(col(ProcurementContract.id))
        ).all():
            organisation = session.get(Organisation, contract.organisation_id)
            assert organisation is not None and contract.id is not None
            views.append(
                ContractView(
                    label=f"{contract.id}: {row.title}",
                    supplier=organisation.name,
                    terms=terms,
                    committed=contract.committed,
                    periods=[(r.period_label, r.delivered) for r in counted_reports(session, contract.id)],
                )
            )
    audit(
        session, "procurement.exported", actor_user_id=principal.user_id, target=f"authority:{authority_id}"
    )
    return authority_workbook_xlsx(bids, views, language)


# --- demo data ---------------------------------------------------------------------------------------


def load_demo_procurement(
    session: Session, secret_key: str, bidders: Sequence[Organisation], evaluator: User
) -> dict[str, str]:
    """The demo's social procurement (once): the Comune di Pinerolo with its procurement officer,
    an open tender both demo organisations bid on, and an awarded one whose supplier has reported
    its first period to the demo evaluator. Returns the officer's e-mail → API token."""
    from impactkit.demo import _token, _user, demo_token

    officer = _user(session, "gare@comune-pinerolo.demo", "Sara Galli (Comune di Pinerolo, ufficio gare)")
    token = demo_token(secret_key, officer.email)
    _token(session, officer, token)
    if session.exec(
        select(ContractingAuthority).where(ContractingAuthority.name == "Comune di Pinerolo (demo)")
    ).first():
        return {officer.email: token}
    authority_row = create_authority(session, "Comune di Pinerolo (demo)", "public_body")
    assert authority_row.id is not None and officer.id is not None and evaluator.id is not None
    add_authority_member(session, authority_row.id, officer.id)
    measures = [
        {"measure_id": "local_employment_disadvantaged", "weight": 12, "minimum": 1},
        {"measure_id": "training_hours_youth", "weight": 8},
        {"measure_id": "volunteering_hours", "weight": 5, "deadweight": 0.1, "attribution": 0.2},
        {"measure_id": "mountain_rural_initiatives", "weight": 5},
    ]
    offers = [
        {
            "local_employment_disadvantaged": 3,
            "training_hours_youth": 120,
            "volunteering_hours": 80,
            "mountain_rural_initiatives": 2,
        },
        {
            "local_employment_disadvantaged": 1,
            "training_hours_youth": 40,
            "volunteering_hours": 300,
            "mountain_rural_initiatives": 6,
        },
    ]
    made: list[Tender] = []
    for title in ("Manutenzione del verde pubblico 2026–2027", "Servizio di ristorazione scolastica 2026"):
        terms = make_terms(title, measures)
        row = Tender(
            authority_id=authority_row.id,
            title=title,
            kind="tender",
            state="open",
            terms=terms.model_dump(mode="json"),
        )
        session.add(row)
        session.flush()
        for organisation, offer in zip(bidders, offers, strict=False):
            assert organisation.id is not None
            quantities = check_commitments(terms, [(k, v, k) for k, v in offer.items()])
            session.add(
                Bid(
                    tender_id=row.id or 0,
                    organisation_id=organisation.id,
                    commitments=quantities,
                    source="browser",
                )
            )
        made.append(row)
    session.flush()
    awarded = made[1]
    bid = session.exec(select(Bid).where(Bid.tender_id == awarded.id).order_by(col(Bid.id))).first()
    assert bid is not None and bid.id is not None
    awarded.state, awarded.awarded_at = "awarded", utcnow()
    contract = ProcurementContract(
        tender_id=awarded.id or 0,
        bid_id=bid.id,
        organisation_id=bid.organisation_id,
        committed=dict(bid.commitments),
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        reporting_months=6,
    )
    awarded.awarded_by = officer.id
    awarded.award_reason = (
        "Offerta con il punteggio di valore sociale più alto; prezzo e qualità tecnica valutati a parte."
    )
    session.add_all([awarded, contract])
    session.flush()
    session.add(
        DeliveryReport(
            contract_id=contract.id or 0,
            period_label="2026 H1",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 6, 30),
            delivered={
                "local_employment_disadvantaged": 2,
                "training_hours_youth": 50,
                "volunteering_hours": 30,
                "mountain_rural_initiatives": 1,
            },
            state="submitted",
            evaluator_user_id=evaluator.id,
        )
    )
    session.flush()
    return {officer.email: token}
