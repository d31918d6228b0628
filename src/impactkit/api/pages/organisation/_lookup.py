"""Finding what an organisation's page is about, with the caller's right to it checked (404 if not theirs)."""

from __future__ import annotations

from impactkit.api.access import Principal, require_member, require_reader
from impactkit.api.deps import DB
from impactkit.domain import MemberRole
from impactkit.errors import NotFoundError
from impactkit.store.tables import Organisation, Project, ReportingPeriod


def organisation_for(
    db: DB, principal: Principal, organisation_id: int, at_least: MemberRole | None = None
) -> Organisation:
    """The organisation, for its members (with ``at_least`` this role), its funders and administrators."""
    if at_least is None:
        require_reader(db, principal, organisation_id)
    else:
        require_member(principal, organisation_id, at_least)
    organisation = db.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFoundError(f"organisation {organisation_id} not found")
    return organisation


def project_for(db: DB, principal: Principal, project_id: int, at_least: MemberRole | None = None) -> Project:
    """The project, for those who may read (or, with ``at_least``, act on) its organisation."""
    project = db.get(Project, project_id)
    if project is None:
        raise NotFoundError(f"project {project_id} not found")
    try:
        if at_least is None:
            require_reader(db, principal, project.organisation_id)
        else:
            require_member(principal, project.organisation_id, at_least)
    except NotFoundError:
        raise NotFoundError(f"project {project_id} not found") from None
    return project


def period_for(db: DB, project: Project, period_id: int) -> ReportingPeriod:
    period = db.get(ReportingPeriod, period_id)
    if period is None or period.project_id != project.id:
        raise NotFoundError(f"period {period_id} not found")
    return period


def can_edit(principal: Principal, organisation_id: int) -> bool:
    """Editors, owners and administrators change things; viewers and funders only read."""
    return principal.is_admin or principal.role_in(organisation_id) in (MemberRole.editor, MemberRole.owner)


def is_owner(principal: Principal, organisation_id: int) -> bool:
    return principal.is_admin or principal.role_in(organisation_id) is MemberRole.owner
