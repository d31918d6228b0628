"""Who is calling, and what they may see: roles checked on every route, organisations isolated."""

from __future__ import annotations

from sqlmodel import Session, select

from impactkit.domain import MemberRole
from impactkit.errors import NotFoundError, PermissionDeniedError
from impactkit.store.principals import ROLE_RANK, Principal, load_principal, principal_from_token_hash
from impactkit.store.tables import Grant

__all__ = [
    "Principal",
    "can_read_organisation",
    "funded_organisations",
    "load_principal",
    "principal_from_token_hash",
    "require_admin",
    "require_funder",
    "require_member",
    "require_reader",
]


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDeniedError("this action is for administrators")


def require_member(
    principal: Principal, organisation_id: int, at_least: MemberRole = MemberRole.viewer
) -> None:
    """Members with ``at_least`` this role (and administrators) pass.

    A caller with no tie to the organisation gets 404, so its existence is not revealed;
    a member whose role is too low gets 403.
    """
    if principal.is_admin:
        return
    role = principal.role_in(organisation_id)
    if role is None:
        raise NotFoundError(f"organisation {organisation_id} not found")
    if ROLE_RANK[role] < ROLE_RANK[at_least]:
        raise PermissionDeniedError(
            f"this action needs the {at_least.value} role or higher; you are {role.value}"
        )


def funded_organisations(session: Session, principal: Principal) -> set[int]:
    """Organisations that hold a grant from one of the caller's funders."""
    if not principal.funder_ids:
        return set()
    rows = session.exec(select(Grant.organisation_id).where(Grant.funder_id.in_(principal.funder_ids)))  # type: ignore[attr-defined]
    return set(rows.all())


def can_read_organisation(session: Session, principal: Principal, organisation_id: int) -> bool:
    if principal.is_admin or organisation_id in principal.roles:
        return True
    return organisation_id in funded_organisations(session, principal)


def require_reader(session: Session, principal: Principal, organisation_id: int) -> None:
    if not can_read_organisation(session, principal, organisation_id):
        raise NotFoundError(f"organisation {organisation_id} not found")


def require_funder(principal: Principal, funder_id: int) -> None:
    if principal.is_admin or funder_id in principal.funder_ids:
        return
    raise NotFoundError(f"funder {funder_id} not found")
