"""The procurement hub, authorities and their people, tenders, bids (browser or workbook), award."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlmodel import select

from impactkit.api.deps import DB
from impactkit.api.pages.procurement._common import across, bidding_organisations, labels, measure_rows
from impactkit.api.pages.rendering import (
    Me,
    PageRequest,
    confirm,
    field_errors,
    form_date,
    form_decimal,
    form_int,
    form_text,
    language_of,
    message,
    redirect,
    render,
)
from impactkit.api.pages.rendering import problem_text as _problem_text
from impactkit.errors import (
    BidError,
    ConflictError,
    ImpactkitError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
)
from impactkit.procurement import REPORTING_MONTHS, bid_template_xlsx, make_term, read_bid_workbook
from impactkit.reports.documents.award import render_award_pdf
from impactkit.store import procurement as svc
from impactkit.store.tables import Bid, Organisation, ProcurementContract, Tender, User

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_WORKBOOK_BYTES = 5 * 1024 * 1024


def _hub_context(db: DB, me: Me, language: str) -> dict[str, Any]:
    authorities = []
    for authority in svc.authorities(db, me):
        assert authority.id is not None
        authorities.append(
            {
                "row": authority,
                "tenders": svc.tenders(db, authority_id=authority.id),
                "members": svc.authority_members(db, authority.id),
                "across": across(db, authority.id),
                "contracts": [
                    c
                    for c in svc.contracts(db, me)
                    if (t := db.get(Tender, c.tender_id)) and t.authority_id == authority.id
                ],
            }
        )
    own_contracts = [c for c in svc.contracts(db, me) if c.organisation_id in me.roles]
    return {
        "authorities": authorities,
        "open_tenders": svc.tenders(db, state="open"),
        "bids": svc.own_bids(db, me),
        "own_contracts": own_contracts,
        "to_verify": svc.assigned_deliveries(db, me),
        "labels": labels(language),
        "tender_of": lambda tender_id: db.get(Tender, tender_id),
        "organisation_of": lambda organisation_id: db.get(Organisation, organisation_id),
        "contract_of": lambda contract_id: db.get(ProcurementContract, contract_id),
    }


@get("/app/procurement", sync_to_thread=True)
def hub(request: PageRequest, db: DB, me: Me) -> Template:
    return render(
        request,
        "procurement/home.html",
        me,
        **_hub_context(db, me, language_of(request)),
        errors={},
        values={},
    )


@post("/app/procurement/authorities", sync_to_thread=True, status_code=303)
def create_authority(
    request: PageRequest, db: DB, me: Me, data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    if not me.is_admin:
        raise PermissionDeniedError("administrators only")
    language = language_of(request)
    try:
        name = form_text(data, "name", required=True)
        kind = form_text(data, "kind", required=True)
        svc.create_authority(db, name, kind)
    except (ImpactkitError, ConflictError) as exc:
        errors = (
            field_errors(exc, language) if exc.problems else {"name": message("field_name_taken", language)}
        )
        return render(
            request,
            "procurement/home.html",
            me,
            422,
            **_hub_context(db, me, language),
            errors=errors,
            values=dict(data),
        )
    return redirect("/app/procurement", done="proc_authority_created")


@post("/app/procurement/authorities/{authority_id:int}/members", sync_to_thread=True, status_code=303)
def grant_role(
    request: PageRequest, db: DB, me: Me, authority_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    if not me.is_admin:
        raise PermissionDeniedError("administrators only")
    language = language_of(request)
    try:
        email = form_text(data, "email", max_length=254, required=True).lower()
        user = db.exec(select(User).where(User.email == email)).first()
        if user is None or user.id is None:
            raise ImpactkitError("invalid_form", [Problem("no such user", "email", "email")])
        svc.add_authority_member(db, authority_id, user.id)
    except ConflictError:
        return redirect("/app/procurement", done="proc_role_granted")
    except ImpactkitError as exc:
        return render(
            request,
            "procurement/home.html",
            me,
            422,
            **_hub_context(db, me, language),
            errors=field_errors(exc, language),
            values=dict(data),
        )
    return redirect("/app/procurement", done="proc_role_granted")


# --- tenders ---------------------------------------------------------------------------------


@get("/app/procurement/authorities/{authority_id:int}/tenders/new", sync_to_thread=True)
def new_tender(request: PageRequest, db: DB, me: Me, authority_id: FromPath[int]) -> Template:
    authority = svc.authority(db, me, authority_id)
    return render(
        request,
        "procurement/tender_new.html",
        me,
        authority=authority,
        measures=measure_rows(language_of(request)),
        errors={},
        values={},
    )


_MEASURE_FIELDS = ("weight", "minimum", "deadweight", "attribution", "evidence")


@post("/app/procurement/authorities/{authority_id:int}/tenders", sync_to_thread=True, status_code=303)
def create_tender(
    request: PageRequest, db: DB, me: Me, authority_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    authority = svc.authority(db, me, authority_id)
    language = language_of(request)
    chosen: list[str] = []
    try:
        title = form_text(data, "title", max_length=300, required=True)
        description = form_text(data, "description", max_length=4000)
        kind = form_text(data, "kind") or "tender"
        price_year = form_int(data, "price_year", minimum=2000)
        lines: list[dict[str, Any]] = []
        problems: list[Problem] = []
        for row in measure_rows(language):
            measure_id = row["id"]
            if str(data.get(f"use_{measure_id}") or "") != "on":
                continue
            chosen.append(measure_id)
            line: dict[str, Any] = {"measure_id": measure_id}
            for name in ("weight", "minimum", "deadweight", "attribution"):
                try:
                    value = form_decimal(data, f"{name}_{measure_id}", language, required=name == "weight")
                except ImpactkitError as exc:
                    problems.extend(exc.problems)
                    continue
                if value is not None:
                    line[name] = value
            line["evidence"] = form_text(data, f"evidence_{measure_id}", max_length=2000)
            lines.append(line)
        if problems:
            raise ImpactkitError("invalid_form", problems)
        if not lines:
            raise ImpactkitError(
                "invalid_form", [Problem(message("proc_choose_measure", language), "measures", "choose")]
            )
        tender = svc.create_tender(
            db,
            me,
            authority_id,
            title=title,
            description=description,
            kind=kind,
            price_year=price_year,
            measures=lines,
        )
    except ImpactkitError as exc:
        errors: dict[str, str] = {}
        for problem in exc.problems:
            where = problem.location
            if where.startswith("measures[") and "]." in where:
                index = int(where[len("measures[") : where.index("]")])
                field = where.split("].", 1)[1]
                if index < len(chosen):
                    where = f"{field}_{chosen[index]}"
            errors.setdefault(where or "_", _problem_text(problem, language))
        return render(
            request,
            "procurement/tender_new.html",
            me,
            422,
            authority=authority,
            measures=measure_rows(language),
            errors=errors,
            values={k: str(v) for k, v in data.items()},
        )
    return redirect(f"/app/procurement/tenders/{tender.id}", done="proc_tender_created")


def _tender_context(db: DB, me: Me, tender: Tender, language: str) -> dict[str, Any]:
    is_authority = me.is_admin or tender.authority_id in me.authority_ids
    organisations = bidding_organisations(db, me)
    own = [b for b in svc.own_bids(db, me, tender.id)]
    return {
        "tender": tender,
        "terms": svc.terms_of(tender),
        "labels": labels(language),
        "is_authority": is_authority,
        "scored": svc.scored_bids(db, tender) if is_authority else [],
        "organisations": organisations,
        "organisation_options": [(o.id, o.name) for o in organisations],
        "own_bids": own,
        "organisation_of": lambda organisation_id: db.get(Organisation, organisation_id),
        "contracts": [
            c
            for c in db.exec(
                select(ProcurementContract).where(ProcurementContract.tender_id == tender.id)
            ).all()
            if is_authority or c.organisation_id in me.roles
        ],
        "reporting_choices": [(m, message(f"proc_every_{m}_months", language)) for m in REPORTING_MONTHS],
        "term_of": svc.term_of,
        "awarded_by": db.get(User, tender.awarded_by) if tender.awarded_by is not None else None,
        "errors": {},
        "values": {},
        "upload_problems": [],
    }


@get("/app/procurement/tenders/{tender_id:int}", sync_to_thread=True)
def tender_page(request: PageRequest, db: DB, me: Me, tender_id: FromPath[int]) -> Template:
    tender = svc.tender(db, tender_id)
    return render(
        request, "procurement/tender.html", me, **_tender_context(db, me, tender, language_of(request))
    )


@post("/app/procurement/tenders/{tender_id:int}/bid", sync_to_thread=True, status_code=303)
def bid_in_browser(
    request: PageRequest, db: DB, me: Me, tender_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    tender = svc.tender(db, tender_id)
    language = language_of(request)
    try:
        organisation_id = form_int(data, "organisation_id", required=True)
        assert organisation_id is not None
        commitments: list[tuple[str, Any, str]] = []
        problems: list[Problem] = []
        for line in svc.terms_of(tender).measures:
            name = f"q_{line.measure_id}"
            try:
                value = form_decimal(data, name, language, required=True)
            except ImpactkitError as exc:
                problems.extend(exc.problems)
                continue
            commitments.append((line.measure_id, value, name))
        if problems:
            raise ImpactkitError("invalid_form", problems)
        svc.place_bid(db, me, tender_id, organisation_id, commitments, "browser")
    except (BidError, ImpactkitError) as exc:
        if isinstance(exc, (NotFoundError, PermissionDeniedError)):
            raise
        context = _tender_context(db, me, tender, language)
        context.update(errors=field_errors(exc, language), values={k: str(v) for k, v in data.items()})
        return render(request, "procurement/tender.html", me, 422, **context)
    return redirect(f"/app/procurement/tenders/{tender_id}", done="proc_bid_saved", anchor="your-bid")


@post("/app/procurement/tenders/{tender_id:int}/bid-workbook", sync_to_thread=True, status_code=303)
def bid_by_workbook(
    request: PageRequest,
    db: DB,
    me: Me,
    tender_id: FromPath[int],
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Redirect | Template:
    tender = svc.tender(db, tender_id)
    language = language_of(request)
    upload = data.get("file")
    try:
        organisation_id = form_int(data, "organisation_id", required=True)
        assert organisation_id is not None
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise BidError("no_file", [Problem("choose a file", "file", "required")])
        content = upload.file.read(MAX_WORKBOOK_BYTES + 1)
        if len(content) > MAX_WORKBOOK_BYTES:
            raise BidError("file_too_large", [Problem("at most 5 MiB", "file", "file_too_large")])
        workbook = read_bid_workbook(content, upload.filename)
        if workbook.tender_id != tender_id:
            found = "no tender" if workbook.tender_id is None else f"tender {workbook.tender_id}"
            raise BidError(
                "other tender",
                [Problem(f"the workbook is for {found}", "Offerta!B2", "other_tender")],
            )
        svc.place_bid(db, me, tender_id, organisation_id, workbook.commitments, "workbook")
    except ImpactkitError as exc:
        if isinstance(exc, (NotFoundError, PermissionDeniedError)):
            raise
        context = _tender_context(db, me, tender, language)
        context["upload_problems"] = [
            f"{p.location}: {_problem_text(p, language)}"
            + (f" ({p.message})" if p.code == "wrong_layout" else "")
            for p in exc.problems
        ]
        return render(request, "procurement/tender.html", me, 422, **context)
    return redirect(f"/app/procurement/tenders/{tender_id}", done="proc_bid_saved", anchor="your-bid")


@get("/app/procurement/tenders/{tender_id:int}/bid-template.xlsx", sync_to_thread=True)
def bid_template(request: PageRequest, db: DB, me: Me, tender_id: FromPath[int]) -> Response[bytes]:
    del me
    tender = svc.tender(db, tender_id)
    content = bid_template_xlsx(svc.terms_of(tender), tender_id, language_of(request))
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="offerta-gara-{tender_id}.xlsx"'},
    )


@post("/app/procurement/tenders/{tender_id:int}/award", sync_to_thread=True, status_code=303)
def award(
    request: PageRequest, db: DB, me: Me, tender_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    tender = svc.tender_for_authority(db, me, tender_id)
    language = language_of(request)
    back = f"/app/procurement/tenders/{tender_id}"
    # a tender's radio sends bid_id; a co-design agreement's checkboxes send bid_<id>=on each (so that
    # the confirmation page without JavaScript posts them back one by one)
    raw = str(data.get("bid_id") or "")
    bid_ids = [int(raw)] if raw.isdigit() else []
    bid_ids += [
        int(key[4:])
        for key, value in data.items()
        if key.startswith("bid_") and key[4:].isdigit() and value == "on"
    ]
    try:
        problems: list[Problem] = []
        starts_on = ends_on = None
        for name in ("starts_on", "ends_on"):
            try:
                day = form_date(data, name, required=True)
            except ImpactkitError as exc:
                problems.extend(exc.problems)
                continue
            starts_on, ends_on = (day, ends_on) if name == "starts_on" else (starts_on, day)
        months = form_int(data, "reporting_months", minimum=1) or 6
        reason = form_text(data, "reason", max_length=4000, required=True)
        if not bid_ids:
            problems.append(Problem("choose the bid", "bid_id", "required"))
        if problems:
            raise ImpactkitError("invalid_form", problems)
        make_term(starts_on, ends_on, months)  # checked before asking for confirmation
        if (asking := confirm(request, me, data, question="proc_award_question", back=back)) is not None:
            return asking
        svc.award(
            db,
            me,
            tender_id,
            bid_ids,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
            reporting_months=months,
        )
    except ImpactkitError as exc:
        if isinstance(exc, (NotFoundError, PermissionDeniedError)) or exc.status_code == 409:
            raise
        context = _tender_context(db, me, tender, language)
        errors = field_errors(exc, language)
        if "bid_ids" in errors:
            errors["bid_id"] = errors.pop("bid_ids")
        context.update(errors=errors, values={k: str(v) for k, v in data.items()})
        return render(request, "procurement/tender.html", me, 422, **context)
    return redirect(back, done="proc_awarded", anchor="contracts")


@get("/app/procurement/tenders/{tender_id:int}/award-report.pdf", sync_to_thread=True)
def award_report(request: PageRequest, db: DB, me: Me, tender_id: FromPath[int]) -> Response[bytes]:
    """The verbale di aggiudicazione in the page's language (the authority's people only)."""
    content = svc.award_report_content(db, me, tender_id, language_of(request))
    return Response(
        render_award_pdf(content),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="verbale-gara-{tender_id}.pdf"'},
    )


@get("/app/procurement/authorities/{authority_id:int}/procurement.xlsx", sync_to_thread=True)
def authority_workbook(request: PageRequest, db: DB, me: Me, authority_id: FromPath[int]) -> Response[bytes]:
    content = svc.authority_workbook(db, me, authority_id, language_of(request))
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="appalti-sociali-{authority_id}.xlsx"'},
    )


def bid_source(bid: Bid) -> str:
    return f"proc_source_{bid.source}"


ROUTES = [
    hub,
    create_authority,
    grant_role,
    new_tender,
    create_tender,
    tender_page,
    bid_in_browser,
    bid_by_workbook,
    bid_template,
    award,
    award_report,
    authority_workbook,
]
