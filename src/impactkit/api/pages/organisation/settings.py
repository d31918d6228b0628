"""The organisation's details (type, RUNTS number, zone, territory …) and its logo, changed by its owners."""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.exc import IntegrityError

from impactkit.api.deps import DB
from impactkit.api.pages.organisation._lookup import is_owner, organisation_for
from impactkit.api.pages.rendering import (
    Me,
    PageRequest,
    field_errors,
    language_of,
    redirect,
    render,
    validated,
)
from impactkit.domain import (
    HOMOGENEOUS_ZONES,
    LegalForm,
    MemberRole,
    SizeClass,
    TerritoryType,
    tax_code_problem,
)
from impactkit.errors import ConflictError, FileError, ImpactkitError, NotFoundError, Problem
from impactkit.logos import EXTENSIONS, FIELD, MAX_BYTES, MAX_SIDE, clean_logo
from impactkit.store.admin import audit
from impactkit.store.logos import current_logo, remove_logo, set_logo
from impactkit.store.schemas import OrganisationIn
from impactkit.store.tables import Organisation

FIELDS = ("name", "legal_form", "tax_code", "municipality", "zone", "territory_type", "size_class")
RUNTS_MAX = 40


def choices() -> dict[str, Any]:
    """The vocabularies of an organisation's details, for the form's selects."""
    return {
        "legal_forms": [form.value for form in LegalForm],
        "zones": list(HOMOGENEOUS_ZONES),
        "territories": [kind.value for kind in TerritoryType],
        "sizes": [size.value for size in SizeClass],
    }


_TAX_CODE_PROBLEMS = (
    (re.compile(r"has 11 digits, got (?P<count>\d+)"), "tax_code_digits"),
    (re.compile(r"check digit is (?P<given>\d), expected (?P<expected>\d)"), "tax_code_check_digit"),
    (re.compile(r"check letter is (?P<given>[A-Z]), expected (?P<expected>[A-Z])"), "tax_code_check_letter"),
)


def tax_code_check(code: str) -> Problem | None:
    """Why a typed tax code is refused, as a problem the page says in its language (which digit or
    letter was expected, how many digits there were), or None when it is valid."""
    found = tax_code_problem(code) if code else None
    if found is None:
        return None
    for pattern, problem_code in _TAX_CODE_PROBLEMS:
        match = pattern.search(found)
        if match is not None:
            return Problem(found, "tax_code", problem_code, dict(match.groupdict()))
    return Problem(found, "tax_code", "tax_code_form")


def read_organisation(data: dict[str, Any]) -> tuple[OrganisationIn, str | None, dict[str, str]]:
    """The posted details, checked like the API checks them, plus the RUNTS number."""
    values = {k: str(data.get(k) or "").strip() for k in (*FIELDS, "runts_number")}
    runts = values.pop("runts_number") or None
    if runts is not None and len(runts) > RUNTS_MAX:
        raise ImpactkitError(
            "invalid_form", [Problem("too long", "runts_number", "too_long", {"max": RUNTS_MAX})]
        )
    tax_code = tax_code_check(values["tax_code"])
    if tax_code is not None:
        raise ImpactkitError("invalid_form", [tax_code])
    return validated(OrganisationIn, values), runts, {**values, "runts_number": runts or ""}


def _values(organisation: Organisation) -> dict[str, str]:
    return {name: str(getattr(organisation, name) or "") for name in (*FIELDS, "runts_number")}


def _logo_context(db: DB, organisation_id: int, errors: dict[str, str] | None = None) -> dict[str, Any]:
    row = current_logo(db, organisation_id)
    return {
        "logo": None
        if row is None
        else {
            "url": f"/app/organisations/{organisation_id}/logo?v={row.sha256[:16]}",
            "width": row.width,
            "height": row.height,
            "media_type": row.media_type,
        },
        "logo_errors": errors or {},
        "logo_max_mib": MAX_BYTES // (1024 * 1024),
        "logo_max_side": MAX_SIDE,
    }


@get("/app/organisations/{organisation_id:int}/details", sync_to_thread=True)
def details_page(request: PageRequest, db: DB, me: Me, organisation_id: FromPath[int]) -> Template:
    organisation = organisation_for(db, me, organisation_id)
    return render(
        request,
        "organisation/details.html",
        me,
        organisation=organisation,
        values=_values(organisation),
        errors={},
        can_change=is_owner(me, organisation_id),
        tab="details",
        **choices(),
        **_logo_context(db, organisation_id),
    )


@get("/app/organisations/{organisation_id:int}/logo", sync_to_thread=True)
def logo_image(db: DB, me: Me, organisation_id: FromPath[int]) -> Response[bytes]:
    """The organisation's logo as stored (re-encoded pixels), for those who may read the organisation."""
    organisation_for(db, me, organisation_id)
    row = current_logo(db, organisation_id)
    if row is None:
        raise NotFoundError(f"organisation {organisation_id} has no logo")
    return Response(
        row.data,
        media_type=row.media_type,
        headers={
            "Content-Disposition": f'inline; filename="logo-{organisation_id}.{EXTENSIONS[row.media_type]}"',
            "Cache-Control": "private, no-cache",
            "Content-Security-Policy": "sandbox",
        },
    )


@post("/app/organisations/{organisation_id:int}/logo", sync_to_thread=True, status_code=303)
def upload_logo(
    request: PageRequest,
    db: DB,
    me: Me,
    organisation_id: FromPath[int],
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Redirect | Template:
    """A PNG or JPEG chosen on the details page becomes the logo (replacing any); errors beside the field."""
    organisation = organisation_for(db, me, organisation_id, MemberRole.owner)
    upload = data.get(FIELD)
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise FileError("logo_refused", [Problem("choose a PNG or JPEG file", FIELD, "logo_required")])
        logo = clean_logo(upload.file.read(MAX_BYTES + 1))
    except FileError as exc:
        return render(
            request,
            "organisation/details.html",
            me,
            422,
            organisation=organisation,
            values=_values(organisation),
            errors={},
            can_change=True,
            tab="details",
            **choices(),
            **_logo_context(db, organisation_id, field_errors(exc, language_of(request))),
        )
    set_logo(db, organisation_id, logo, actor_user_id=me.user_id)
    return redirect(f"/app/organisations/{organisation_id}/details", done="logo_saved", anchor="logo")


@post("/app/organisations/{organisation_id:int}/logo/remove", sync_to_thread=True, status_code=303)
def remove_logo_page(request: PageRequest, db: DB, me: Me, organisation_id: FromPath[int]) -> Redirect:
    """The organisation prints no logo any more (reports already submitted or validated keep theirs)."""
    organisation_for(db, me, organisation_id, MemberRole.owner)
    removed = remove_logo(db, organisation_id, actor_user_id=me.user_id)
    return redirect(
        f"/app/organisations/{organisation_id}/details",
        done="logo_removed" if removed else None,
        anchor="logo",
    )


@post("/app/organisations/{organisation_id:int}/details", sync_to_thread=True, status_code=303)
def change_details(
    request: PageRequest, db: DB, me: Me, organisation_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    organisation = organisation_for(db, me, organisation_id, MemberRole.owner)
    try:
        checked, runts, _ = read_organisation(data)
    except ImpactkitError as exc:
        values = {k: str(data.get(k) or "") for k in (*FIELDS, "runts_number")}
        return render(
            request,
            "organisation/details.html",
            me,
            422,
            organisation=organisation,
            values=values,
            errors=field_errors(exc, language_of(request)),
            can_change=True,
            tab="details",
            **choices(),
            **_logo_context(db, organisation_id),
        )
    before = _values(organisation)
    for name in FIELDS:
        value = getattr(checked, name)
        setattr(organisation, name, value.value if hasattr(value, "value") else value)
    organisation.runts_number = runts
    db.add(organisation)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise ConflictError(
            "invalid_form", [Problem("another organisation has this tax code", "tax_code", "taken")]
        ) from None
    after = _values(organisation)
    changed = [name for name in before if before[name] != after[name]]
    audit(
        db,
        "organisation.changed",
        actor_user_id=me.user_id,
        organisation_id=organisation_id,
        target=f"organisation:{organisation_id}",
        details={"fields": changed},
    )
    return redirect(f"/app/organisations/{organisation_id}/details", done="details_saved")


ROUTES = [details_page, change_details, logo_image, upload_logo, remove_logo_page]
