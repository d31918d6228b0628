"""The administrator's organisations: every one with its size, and a new one with its first owner."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import URLEncodedBody
from litestar.response import Template
from sqlmodel import col, func, select

from impactkit.api.access import require_admin
from impactkit.api.deps import DB
from impactkit.api.pages.organisation.settings import choices, read_organisation
from impactkit.api.pages.rendering import Me, PageRequest, field_errors, form_text, language_of, render
from impactkit.domain import MemberRole
from impactkit.errors import ImpactkitError
from impactkit.settings import Settings
from impactkit.store import admin as store
from impactkit.store.invitations import invite
from impactkit.store.tables import Membership, Organisation, Project, SurveyResponse


def _rows(db: DB) -> list[dict[str, Any]]:
    organisations = db.exec(select(Organisation).order_by(Organisation.name)).all()
    projects = dict(
        db.exec(select(Project.organisation_id, func.count()).group_by(col(Project.organisation_id))).all()
    )
    members = dict(
        db.exec(
            select(Membership.organisation_id, func.count()).group_by(col(Membership.organisation_id))
        ).all()
    )
    responses = dict(
        db.exec(
            select(SurveyResponse.organisation_id, func.count())
            .where(col(SurveyResponse.erased_at).is_(None))
            .group_by(col(SurveyResponse.organisation_id))
        ).all()
    )
    return [
        {
            "organisation": o,
            "projects": projects.get(o.id or 0, 0),
            "members": members.get(o.id or 0, 0),
            "responses": responses.get(o.id or 0, 0),
        }
        for o in organisations
    ]


def _page(request: PageRequest, db: DB, me: Any, status: int = 200, **extra: Any) -> Template:
    return render(
        request,
        "admin/organisations.html",
        me,
        status,
        organisations=_rows(db),
        errors=extra.pop("errors", {}),
        values=extra.pop("values", {}),
        created=extra.pop("created", None),
        section="organisations",
        **choices(),
        **extra,
    )


@get("/app/admin/organisations", sync_to_thread=True)
def organisations_page(request: PageRequest, db: DB, me: Me) -> Template:
    require_admin(me)
    return _page(request, db, me)


@post("/app/admin/organisations", sync_to_thread=True, status_code=200)
def create_organisation(
    request: PageRequest, db: DB, me: Me, data: URLEncodedBody[dict[str, Any]]
) -> Template:
    """A new organisation and an invitation for its owner; the owner's link is shown here."""
    require_admin(me)
    settings: Settings = request.app.state.settings
    try:
        checked, runts, _ = read_organisation(data)
        owner_email = form_text(data, "owner_email", max_length=254, required=True)
        owner_name = form_text(data, "owner_name", max_length=200)
        organisation = store.create_organisation(db, checked)
        organisation.runts_number = runts
        db.add(organisation)
        assert organisation.id is not None
        _, url = invite(
            db,
            organisation_id=organisation.id,
            email=owner_email,
            name=owner_name,
            role=MemberRole.owner,
            invited_by=me.user_id,
            public_base_url=settings.public_base_url,
        )
    except ImpactkitError as exc:
        db.rollback()
        values = {k: str(v) for k, v in data.items() if k != "_csrf_token"}
        return _page(request, db, me, 422, errors=field_errors(exc, language_of(request)), values=values)
    store.audit(
        db,
        "organisation.created",
        actor_user_id=me.user_id,
        organisation_id=organisation.id,
        target=f"organisation:{organisation.id}",
    )
    return _page(request, db, me, created={"organisation": organisation, "url": url, "email": owner_email})


ROUTES = [organisations_page, create_organisation]
