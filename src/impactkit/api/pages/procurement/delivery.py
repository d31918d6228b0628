"""Contracts after award: committed vs delivered, delivery per period with evidence, submission to an
accredited evaluator, verification (checklist, justifications, freeze) or return."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlmodel import col, select

from impactkit.api.deps import DB
from impactkit.api.pages.procurement._common import labels
from impactkit.api.pages.rendering import (
    Me,
    PageRequest,
    error_text,
    field_errors,
    form_date,
    form_decimal,
    form_int,
    form_text,
    language_of,
    problem_text,
    redirect,
    render,
)
from impactkit.domain import MemberRole
from impactkit.errors import BidError, ImpactkitError, NotFoundError, PermissionDeniedError, Problem
from impactkit.procurement import reporting_periods
from impactkit.store import procurement as svc
from impactkit.store.principals import ROLE_RANK
from impactkit.store.tables import (
    DeliveryEvidence,
    DeliveryReport,
    EvaluatorAccreditation,
    Membership,
    Organisation,
    ProcurementContract,
    Tender,
    User,
)


def _can_edit(me: Me, contract: ProcurementContract) -> bool:
    role = me.role_in(contract.organisation_id)
    return me.is_admin or (role is not None and ROLE_RANK[role] >= ROLE_RANK[MemberRole.editor])


def _evaluators(db: DB, organisation_id: int) -> list[tuple[int, str]]:
    today = datetime.now(UTC).date()
    rows = db.exec(
        select(User, EvaluatorAccreditation)
        .where(
            EvaluatorAccreditation.user_id == User.id,
            EvaluatorAccreditation.valid_from <= today,
            EvaluatorAccreditation.valid_until >= today,
        )
        .order_by(col(User.name))
    ).all()
    seen: dict[int, str] = {}
    for user, accreditation in rows:
        if user.id is not None and user.id not in seen:
            seen[user.id] = f"{user.name} ({accreditation.body} {accreditation.number})"
    # the supplier's own members are left out; submitting checks independence again
    members = set(
        db.exec(select(Membership.user_id).where(Membership.organisation_id == organisation_id)).all()
    )
    return [(uid, text) for uid, text in seen.items() if uid not in members]


def _contract_context(db: DB, me: Me, contract: ProcurementContract, language: str) -> dict[str, Any]:
    tender = db.get(Tender, contract.tender_id)
    organisation = db.get(Organisation, contract.organisation_id)
    assert tender is not None and organisation is not None and contract.id is not None
    return {
        "contract": contract,
        "tender": tender,
        "supplier": organisation,
        "terms": svc.terms_of(tender),
        "lines": svc.contract_lines(db, contract),
        "term": (term := svc.term_of(contract)),
        "periods_due": reporting_periods(term) if term is not None else [],
        "deliveries": svc.delivery_reports(db, contract.id),
        "labels": labels(language),
        "can_edit": _can_edit(me, contract),
        "is_authority": me.is_admin or tender.authority_id in me.authority_ids,
        "errors": {},
        "values": {},
    }


@get("/app/procurement/contracts/{contract_id:int}", sync_to_thread=True)
def contract_page(request: PageRequest, db: DB, me: Me, contract_id: FromPath[int]) -> Template:
    contract = svc.contract_for(db, me, contract_id)
    return render(
        request, "procurement/contract.html", me, **_contract_context(db, me, contract, language_of(request))
    )


@post("/app/procurement/contracts/{contract_id:int}/deliveries", sync_to_thread=True, status_code=303)
def report_period(
    request: PageRequest, db: DB, me: Me, contract_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    contract = svc.contract_for(db, me, contract_id)
    language = language_of(request)
    try:
        label = form_text(data, "period_label", max_length=80, required=True)
        starts_on = form_date(data, "starts_on", required=True)
        ends_on = form_date(data, "ends_on", required=True)
        assert starts_on is not None and ends_on is not None
        tender = db.get(Tender, contract.tender_id)
        assert tender is not None
        delivered: list[tuple[str, Any, str]] = []
        problems: list[Problem] = []
        for line in svc.terms_of(tender).measures:
            name = f"d_{line.measure_id}"
            try:
                value = form_decimal(data, name, language)
            except ImpactkitError as exc:
                problems.extend(exc.problems)
                continue
            delivered.append((line.measure_id, value or 0.0, name))
        if problems:
            raise ImpactkitError("invalid_form", problems)
        report = svc.report_delivery(
            db, me, contract_id, period_label=label, starts_on=starts_on, ends_on=ends_on, delivered=delivered
        )
    except ImpactkitError as exc:
        if isinstance(exc, (NotFoundError, PermissionDeniedError)):
            raise
        context = _contract_context(db, me, contract, language)
        context.update(errors=field_errors(exc, language), values={k: str(v) for k, v in data.items()})
        return render(request, "procurement/contract.html", me, 422, **context)
    return redirect(f"/app/procurement/deliveries/{report.id}", done="proc_delivery_saved")


def _delivery_context(
    db: DB, me: Me, report: DeliveryReport, contract: ProcurementContract, language: str
) -> dict[str, Any]:
    tender = db.get(Tender, contract.tender_id)
    organisation = db.get(Organisation, contract.organisation_id)
    assert tender is not None and organisation is not None and report.id is not None
    is_evaluator = report.evaluator_user_id == me.user_id and report.state == "submitted"
    names = labels(language)

    def check_items(check: Any) -> str:
        """A failing check's measures (and periods) in the page's language."""
        out = []
        for item in check.items:
            period, _, measure_id = item.rpartition(":")
            label = names.get(measure_id, {}).get("label", measure_id)
            out.append(f"{label} ({period})" if period else label)
        return "; ".join(out)

    return {
        "check_items": check_items,
        "report": report,
        "contract": contract,
        "tender": tender,
        "supplier": organisation,
        "terms": svc.terms_of(tender),
        "labels": labels(language),
        "evidence": svc.evidence_of(db, report.id),
        "measure_options": [
            (line.measure_id, labels(language)[line.measure_id]["label"])
            for line in svc.terms_of(tender).measures
        ],
        "checks": svc.checklist(db, report, contract),
        "can_edit": _can_edit(me, contract) and report.state in ("draft", "returned"),
        "is_evaluator": is_evaluator,
        "evaluators": _evaluators(db, contract.organisation_id),
        "errors": {},
        "values": {},
        "problems": [],
    }


@get("/app/procurement/deliveries/{report_id:int}", sync_to_thread=True)
def delivery_page(request: PageRequest, db: DB, me: Me, report_id: FromPath[int]) -> Template:
    report, contract = svc.delivery_for(db, me, report_id)
    return render(
        request,
        "procurement/delivery.html",
        me,
        **_delivery_context(db, me, report, contract, language_of(request)),
    )


def _again(request: PageRequest, db: DB, me: Me, report_id: int, exc: ImpactkitError) -> Template:
    if isinstance(exc, (NotFoundError, PermissionDeniedError)):
        raise exc
    language = language_of(request)
    report, contract = svc.delivery_for(db, me, report_id)
    context = _delivery_context(db, me, report, contract, language)
    context["errors"] = field_errors(exc, language)
    context["problems"] = [
        f"{p.location}: {problem_text(p, language)}" if p.location else problem_text(p, language)
        for p in exc.problems
    ] or [error_text(exc, language)]
    return render(request, "procurement/delivery.html", me, exc.status_code, **context)


@post("/app/procurement/deliveries/{report_id:int}/evidence", sync_to_thread=True, status_code=303)
def attach(
    request: PageRequest,
    db: DB,
    me: Me,
    report_id: FromPath[int],
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Redirect | Template:
    upload = data.get("file")
    try:
        measure_id = form_text(data, "measure_id", max_length=80, required=True)
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise BidError("no_file", [Problem("choose a file", "file", "required")])
        content = upload.file.read(svc.EVIDENCE_MAX_BYTES + 1)
        svc.attach_evidence(db, me, report_id, measure_id, upload.filename, content)
    except ImpactkitError as exc:
        return _again(request, db, me, report_id, exc)
    return redirect(
        f"/app/procurement/deliveries/{report_id}", done="proc_evidence_attached", anchor="evidence"
    )


@post("/app/procurement/deliveries/{report_id:int}/submit", sync_to_thread=True, status_code=303)
def submit(
    request: PageRequest, db: DB, me: Me, report_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    try:
        evaluator = form_int(data, "evaluator_user_id", required=True)
        assert evaluator is not None
        svc.submit_delivery(db, me, report_id, evaluator)
    except ImpactkitError as exc:
        return _again(request, db, me, report_id, exc)
    return redirect(f"/app/procurement/deliveries/{report_id}", done="proc_submitted")


@post("/app/procurement/deliveries/{report_id:int}/verify", sync_to_thread=True, status_code=303)
def verify(
    request: PageRequest, db: DB, me: Me, report_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    try:
        justifications = {
            key.removeprefix("justify_"): form_text(data, key, max_length=4000)
            for key in data
            if key.startswith("justify_")
        }
        svc.verify_delivery(db, me, report_id, form_text(data, "comments", max_length=8000), justifications)
    except ImpactkitError as exc:
        return _again(request, db, me, report_id, exc)
    return redirect(f"/app/procurement/deliveries/{report_id}", done="proc_verified")


@post("/app/procurement/deliveries/{report_id:int}/return", sync_to_thread=True, status_code=303)
def return_(
    request: PageRequest, db: DB, me: Me, report_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    try:
        svc.return_delivery(db, me, report_id, form_text(data, "comments", max_length=8000, required=True))
    except ImpactkitError as exc:
        return _again(request, db, me, report_id, exc)
    return redirect(f"/app/procurement/deliveries/{report_id}", done="proc_returned")


@get("/app/procurement/deliveries/{report_id:int}/evidence/{evidence_id:int}", sync_to_thread=True)
def evidence_file(
    request: PageRequest, db: DB, me: Me, report_id: FromPath[int], evidence_id: FromPath[int]
) -> Response[bytes]:
    del request
    svc.delivery_for(db, me, report_id)
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


ROUTES = [contract_page, report_period, delivery_page, attach, submit, verify, return_, evidence_file]
