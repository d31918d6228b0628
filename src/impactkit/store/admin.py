"""Administrative records: organisations, projects, periods, users, roles, tokens, funders and grants."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from impactkit.errors import ConflictError, NotFoundError
from impactkit.frameworks.model import Framework
from impactkit.store import schemas as s
from impactkit.store.principals import authorisation_changed
from impactkit.store.references import require_framework, require_indicators, require_project_of, require_row
from impactkit.store.security import hash_password, hash_token, new_token
from impactkit.store.tables import (
    ApiToken,
    AuditEvent,
    EvaluatorAccreditation,
    Funder,
    FunderMembership,
    Grant,
    Membership,
    Organisation,
    Project,
    ReportingPeriod,
    User,
)
from impactkit.store.types import utcnow

Row = TypeVar("Row", bound=SQLModel)


def get(session: Session, table: type[Row], row_id: int, what: str | None = None) -> Row:
    """The row with this id, or NotFoundError naming it."""
    row = session.get(table, row_id)
    if row is None:
        raise NotFoundError(f"{what or table.__name__.lower()} {row_id} not found")
    return row


_ROLE_ROWS = (Membership, FunderMembership, EvaluatorAccreditation)
"""Rows that give a user a role: adding one changes who may do what."""


def _add(session: Session, row: Row, conflict: str) -> Row:
    if isinstance(row, _ROLE_ROWS):
        authorisation_changed(session)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ConflictError(conflict) from None
    session.refresh(row)
    return row


def audit(
    session: Session,
    action: str,
    *,
    actor_user_id: int | None = None,
    organisation_id: int | None = None,
    target: str = "",
    details: dict[str, object] | None = None,
) -> None:
    """Record an event in the audit log (validations, exports, erasures, sign-ins …)."""
    session.add(
        AuditEvent(
            action=action,
            actor_user_id=actor_user_id,
            organisation_id=organisation_id,
            target=target,
            details=dict(details or {}),
        )
    )


def create_organisation(session: Session, data: s.OrganisationIn) -> Organisation:
    return _add(
        session,
        Organisation(**data.model_dump(mode="json")),
        f"an organisation with tax code {data.tax_code} already exists",
    )


def find_organisation_by_tax_code(session: Session, tax_code: str) -> Organisation | None:
    return session.exec(select(Organisation).where(Organisation.tax_code == tax_code.upper())).first()


def create_project(session: Session, organisation_id: int, data: s.ProjectIn) -> Project:
    get(session, Organisation, organisation_id, "organisation")
    check_project(session, data)
    return _add(session, Project(organisation_id=organisation_id, **data.model_dump()), "project exists")


def check_project(session: Session, data: s.ProjectIn) -> None:
    """The framework (and version) a project names exists: shipped or published (else a 422)."""
    require_framework(session, data.framework_id, data.framework_version)


def create_period(session: Session, project_id: int, data: s.PeriodIn) -> ReportingPeriod:
    get(session, Project, project_id, "project")
    return _add(session, ReportingPeriod(project_id=project_id, **data.model_dump()), "period exists")


def create_user(session: Session, data: s.UserIn) -> User:
    user = User(
        email=str(data.email).lower(),
        name=data.name,
        is_admin=data.is_admin,
        password_hash=hash_password(data.password) if data.password else None,
    )
    return _add(session, user, f"a user with e-mail {user.email} already exists")


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.lower())).first()


def add_member(session: Session, organisation_id: int, data: s.MembershipIn) -> Membership:
    get(session, Organisation, organisation_id, "organisation")
    require_row(session, User, data.user_id, "user_id", "user")
    return _add(
        session,
        Membership(user_id=data.user_id, organisation_id=organisation_id, role=data.role.value),
        f"user {data.user_id} is already a member of organisation {organisation_id}",
    )


def create_token(session: Session, user_id: int, data: s.TokenIn) -> tuple[ApiToken, str]:
    """A new API token for a user: returns the row and the token, which is never stored."""
    get(session, User, user_id, "user")
    token = new_token()
    row = ApiToken(
        user_id=user_id,
        name=data.name,
        token_hash=hash_token(token),
        prefix=token[:10],
        expires_at=data.expires_at,
    )
    return _add(session, row, "token clash; try again"), token


def revoke_token(session: Session, token: ApiToken, when: datetime | None = None) -> ApiToken:
    authorisation_changed(session)
    token.revoked_at = when or utcnow()
    session.add(token)
    session.flush()
    return token


def create_accreditation(session: Session, data: s.AccreditationIn) -> EvaluatorAccreditation:
    require_row(session, User, data.user_id, "user_id", "user")
    return _add(
        session,
        EvaluatorAccreditation(**data.model_dump()),
        f"accreditation {data.number} of {data.body} already exists",
    )


def create_funder(session: Session, data: s.FunderIn) -> Funder:
    return _add(
        session,
        Funder(name=data.name, kind=data.kind.value),
        f"funder {data.name!r} already exists",
    )


def find_funder_by_name(session: Session, name: str) -> Funder | None:
    return session.exec(select(Funder).where(Funder.name == name)).first()


def add_funder_member(session: Session, funder_id: int, user_id: int) -> FunderMembership:
    get(session, Funder, funder_id, "funder")
    require_row(session, User, user_id, "user_id", "user")
    return _add(
        session,
        FunderMembership(funder_id=funder_id, user_id=user_id),
        f"user {user_id} already acts for funder {funder_id}",
    )


def _framework_of(session: Session, project: Project) -> Framework | None:
    """The project's framework, or None (none chosen, or one stored before references were checked)."""
    if not project.framework_id:
        return None
    from impactkit.store.frameworks import resolve_framework

    try:
        return resolve_framework(session, project.framework_id, project.framework_version)
    except NotFoundError:
        return None


def create_grant(session: Session, funder_id: int, data: s.GrantIn) -> Grant:
    get(session, Funder, funder_id, "funder")
    require_row(session, Organisation, data.organisation_id, "organisation_id", "organisation")
    if data.project_id is not None:
        project = require_project_of(session, data.organisation_id, data.project_id)
        framework = _framework_of(session, project)
        if framework is not None:
            require_indicators(framework, [t.indicator_id for t in data.targets], "targets")
    values = data.model_dump(mode="json")
    values["starts_on"], values["ends_on"] = data.starts_on, data.ends_on
    return _add(session, Grant(funder_id=funder_id, **values), "grant exists")
