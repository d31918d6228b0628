"""Administrative routes: organisations, projects, periods, users, members, tokens, funders, grants.

Each route says who may call it; callers with no tie to an organisation get 404.
"""

from __future__ import annotations

import builtins
from typing import Any, TypeVar

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel
from sqlmodel import Session, select

from impactkit.api.access import (
    Principal,
    can_read_organisation,
    funded_organisations,
    require_admin,
    require_funder,
    require_member,
    require_reader,
)
from impactkit.api.deps import DB, Caller
from impactkit.domain import MemberRole
from impactkit.errors import NotFoundError
from impactkit.store import admin as svc
from impactkit.store import schemas as s
from impactkit.store.principals import authorisation_changed
from impactkit.store.tables import (
    ApiToken,
    EvaluatorAccreditation,
    Funder,
    Grant,
    Membership,
    Organisation,
    Project,
    ReportingPeriod,
    User,
)

_Schema = TypeVar("_Schema", bound=BaseModel)


def _out(model: type[_Schema], row: Any) -> _Schema:
    return model.model_validate(row.model_dump())


class OrganisationController(Controller):
    path = "/api/v1/organisations"
    tags = ["organisations"]

    @post("/", summary="Create an organisation (administrator)", sync_to_thread=True)
    def create(self, data: JSONBody[s.OrganisationIn], principal: Caller, db: DB) -> s.OrganisationOut:
        require_admin(principal)
        org = svc.create_organisation(db, data)
        return _out(s.OrganisationOut, org)

    @get(
        "/",
        summary="Organisations the caller belongs to, funds, or all for an administrator",
        sync_to_thread=True,
    )
    def list(self, principal: Caller, db: DB) -> builtins.list[s.OrganisationOut]:
        query = select(Organisation).order_by(Organisation.id)  # type: ignore[arg-type]
        if not principal.is_admin:
            visible = set(principal.roles) | funded_organisations(db, principal)
            query = query.where(Organisation.id.in_(visible))  # type: ignore[union-attr]
        return [_out(s.OrganisationOut, row) for row in db.exec(query).all()]

    @get(
        "/{organisation_id:int}",
        summary="One organisation (members, its funders, administrator)",
        sync_to_thread=True,
    )
    def read(self, organisation_id: FromPath[int], principal: Caller, db: DB) -> s.OrganisationOut:
        require_reader(db, principal, organisation_id)
        return _out(s.OrganisationOut, svc.get(db, Organisation, organisation_id, "organisation"))

    @patch(
        "/{organisation_id:int}",
        summary="Change an organisation (owner, administrator)",
        sync_to_thread=True,
    )
    def update(
        self,
        organisation_id: FromPath[int],
        data: JSONBody[s.OrganisationIn],
        principal: Caller,
        db: DB,
    ) -> s.OrganisationOut:
        require_member(principal, organisation_id, MemberRole.owner)
        org = svc.get(db, Organisation, organisation_id, "organisation")
        for key, value in data.model_dump(mode="json").items():
            setattr(org, key, value)
        db.add(org)
        db.flush()
        return _out(s.OrganisationOut, org)

    @post(
        "/{organisation_id:int}/projects",
        summary="Create a project (owner, editor)",
        sync_to_thread=True,
    )
    def create_project(
        self, organisation_id: FromPath[int], data: JSONBody[s.ProjectIn], principal: Caller, db: DB
    ) -> s.ProjectOut:
        require_member(principal, organisation_id, MemberRole.editor)
        return _out(s.ProjectOut, svc.create_project(db, organisation_id, data))

    @get(
        "/{organisation_id:int}/projects",
        summary="Projects of an organisation (members, its funders)",
        sync_to_thread=True,
    )
    def list_projects(
        self, organisation_id: FromPath[int], principal: Caller, db: DB
    ) -> builtins.list[s.ProjectOut]:
        require_reader(db, principal, organisation_id)
        rows = db.exec(
            select(Project).where(Project.organisation_id == organisation_id).order_by(Project.id)  # type: ignore[arg-type]
        ).all()
        return [_out(s.ProjectOut, row) for row in rows]

    @post(
        "/{organisation_id:int}/members",
        summary="Add a member (owner, administrator)",
        sync_to_thread=True,
    )
    def add_member(
        self,
        organisation_id: FromPath[int],
        data: JSONBody[s.MembershipIn],
        principal: Caller,
        db: DB,
    ) -> s.MembershipOut:
        require_member(principal, organisation_id, MemberRole.owner)
        return _out(s.MembershipOut, svc.add_member(db, organisation_id, data))

    @get(
        "/{organisation_id:int}/members",
        summary="Members of an organisation (members)",
        sync_to_thread=True,
    )
    def list_members(
        self, organisation_id: FromPath[int], principal: Caller, db: DB
    ) -> builtins.list[s.MembershipOut]:
        require_member(principal, organisation_id, MemberRole.viewer)
        rows = db.exec(select(Membership).where(Membership.organisation_id == organisation_id)).all()
        return [_out(s.MembershipOut, row) for row in rows]

    @delete(
        "/{organisation_id:int}/members/{membership_id:int}",
        summary="Remove a member (owner, administrator)",
        sync_to_thread=True,
    )
    def remove_member(
        self,
        organisation_id: FromPath[int],
        membership_id: FromPath[int],
        principal: Caller,
        db: DB,
    ) -> None:
        require_member(principal, organisation_id, MemberRole.owner)
        row = db.get(Membership, membership_id)
        if row is None or row.organisation_id != organisation_id:
            raise NotFoundError(f"membership {membership_id} not found")
        authorisation_changed(db)
        db.delete(row)


def _project_for(db: Session, principal: Principal, project_id: int) -> Project:
    project = db.get(Project, project_id)
    if project is None or not can_read_organisation(db, principal, project.organisation_id):
        raise NotFoundError(f"project {project_id} not found")
    return project


class ProjectController(Controller):
    path = "/api/v1/projects"
    tags = ["projects"]

    @get("/{project_id:int}", summary="One project (members, its funders)", sync_to_thread=True)
    def read(self, project_id: FromPath[int], principal: Caller, db: DB) -> s.ProjectOut:
        return _out(s.ProjectOut, _project_for(db, principal, project_id))

    @patch("/{project_id:int}", summary="Change a project (owner, editor)", sync_to_thread=True)
    def update(
        self, project_id: FromPath[int], data: JSONBody[s.ProjectIn], principal: Caller, db: DB
    ) -> s.ProjectOut:
        project = _project_for(db, principal, project_id)
        require_member(principal, project.organisation_id, MemberRole.editor)
        svc.check_project(db, data)
        for key, value in data.model_dump().items():
            setattr(project, key, value)
        db.add(project)
        db.flush()
        return _out(s.ProjectOut, project)

    @post(
        "/{project_id:int}/periods",
        summary="Add a reporting period (owner, editor)",
        sync_to_thread=True,
    )
    def create_period(
        self, project_id: FromPath[int], data: JSONBody[s.PeriodIn], principal: Caller, db: DB
    ) -> s.PeriodOut:
        project = _project_for(db, principal, project_id)
        require_member(principal, project.organisation_id, MemberRole.editor)
        return _out(s.PeriodOut, svc.create_period(db, project_id, data))

    @get(
        "/{project_id:int}/periods",
        summary="Reporting periods of a project (members, its funders)",
        sync_to_thread=True,
    )
    def list_periods(self, project_id: FromPath[int], principal: Caller, db: DB) -> list[s.PeriodOut]:
        _project_for(db, principal, project_id)
        rows = db.exec(select(ReportingPeriod).where(ReportingPeriod.project_id == project_id)).all()
        return [_out(s.PeriodOut, row) for row in rows]


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["users"]

    @post("/", summary="Create a user (administrator)", sync_to_thread=True)
    def create(self, data: JSONBody[s.UserIn], principal: Caller, db: DB) -> s.UserOut:
        require_admin(principal)
        return _out(s.UserOut, svc.create_user(db, data))

    @get("/", summary="All users (administrator)", sync_to_thread=True)
    def list(self, principal: Caller, db: DB) -> list[s.UserOut]:
        require_admin(principal)
        return [_out(s.UserOut, row) for row in db.exec(select(User).order_by(User.id)).all()]  # type: ignore[arg-type]

    @get("/{user_id:int}", summary="One user (administrator, or the user)", sync_to_thread=True)
    def read(self, user_id: FromPath[int], principal: Caller, db: DB) -> s.UserOut:
        if not principal.is_admin and principal.user_id != user_id:
            raise NotFoundError(f"user {user_id} not found")
        return _out(s.UserOut, svc.get(db, User, user_id, "user"))

    @post(
        "/{user_id:int}/tokens",
        summary="Issue an API token (administrator, or the user); shown once",
        sync_to_thread=True,
    )
    def create_token(
        self, user_id: FromPath[int], data: JSONBody[s.TokenIn], principal: Caller, db: DB
    ) -> s.NewTokenOut:
        if not principal.is_admin and principal.user_id != user_id:
            raise NotFoundError(f"user {user_id} not found")
        row, token = svc.create_token(db, user_id, data)
        return s.NewTokenOut(token=token, **row.model_dump(exclude={"token_hash"}))

    @get(
        "/{user_id:int}/tokens",
        summary="A user's tokens, without the secrets (administrator, or the user)",
        sync_to_thread=True,
    )
    def list_tokens(self, user_id: FromPath[int], principal: Caller, db: DB) -> builtins.list[s.TokenOut]:
        if not principal.is_admin and principal.user_id != user_id:
            raise NotFoundError(f"user {user_id} not found")
        rows = db.exec(select(ApiToken).where(ApiToken.user_id == user_id)).all()
        return [s.TokenOut(**row.model_dump(exclude={"token_hash"})) for row in rows]

    @delete(
        "/{user_id:int}/tokens/{token_id:int}",
        summary="Revoke a token (administrator, or the user)",
        sync_to_thread=True,
    )
    def revoke_token(
        self, user_id: FromPath[int], token_id: FromPath[int], principal: Caller, db: DB
    ) -> None:
        if not principal.is_admin and principal.user_id != user_id:
            raise NotFoundError(f"user {user_id} not found")
        row = db.get(ApiToken, token_id)
        if row is None or row.user_id != user_id:
            raise NotFoundError(f"token {token_id} not found")
        svc.revoke_token(db, row)


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["users"]

    @get(
        "/",
        summary="Who am I: the caller and every role they hold (any signed-in caller)",
        sync_to_thread=True,
    )
    def me(self, principal: Caller) -> dict[str, Any]:
        return {
            "user_id": principal.user_id,
            "email": principal.email,
            "name": principal.name,
            "is_admin": principal.is_admin,
            "organisations": {str(k): v.value for k, v in principal.roles.items()},
            "funders": sorted(principal.funder_ids),
            "evaluator": principal.is_evaluator,
        }


class AccreditationController(Controller):
    path = "/api/v1/accreditations"
    tags = ["evaluators"]

    @post("/", summary="Record an evaluator accreditation (administrator)", sync_to_thread=True)
    def create(self, data: JSONBody[s.AccreditationIn], principal: Caller, db: DB) -> s.AccreditationOut:
        require_admin(principal)
        return _out(s.AccreditationOut, svc.create_accreditation(db, data))

    @get(
        "/",
        summary="Accreditations: all for an administrator, one's own for an evaluator",
        sync_to_thread=True,
    )
    def list(self, principal: Caller, db: DB) -> builtins.list[s.AccreditationOut]:
        query = select(EvaluatorAccreditation)
        if not principal.is_admin:
            query = query.where(EvaluatorAccreditation.user_id == principal.user_id)
        return [_out(s.AccreditationOut, row) for row in db.exec(query).all()]


class FunderController(Controller):
    path = "/api/v1/funders"
    tags = ["funders"]

    @post("/", summary="Create a funder (administrator)", sync_to_thread=True)
    def create(self, data: JSONBody[s.FunderIn], principal: Caller, db: DB) -> s.FunderOut:
        require_admin(principal)
        return _out(s.FunderOut, svc.create_funder(db, data))

    @get(
        "/",
        summary="Funders: all for an administrator, one's own for a funder",
        sync_to_thread=True,
    )
    def list(self, principal: Caller, db: DB) -> builtins.list[s.FunderOut]:
        query = select(Funder).order_by(Funder.id)  # type: ignore[arg-type]
        if not principal.is_admin:
            query = query.where(Funder.id.in_(principal.funder_ids))  # type: ignore[union-attr]
        return [_out(s.FunderOut, row) for row in db.exec(query).all()]

    @post(
        "/{funder_id:int}/members",
        summary="Let a user act for a funder (administrator)",
        sync_to_thread=True,
    )
    def add_member(
        self, funder_id: FromPath[int], data: JSONBody[s.FunderMemberIn], principal: Caller, db: DB
    ) -> dict[str, int]:
        require_admin(principal)
        row = svc.add_funder_member(db, funder_id, data.user_id)
        return {"funder_id": row.funder_id, "user_id": row.user_id}

    @post(
        "/{funder_id:int}/grants",
        summary="Record a grant (administrator, the funder)",
        sync_to_thread=True,
    )
    def create_grant(
        self, funder_id: FromPath[int], data: JSONBody[s.GrantIn], principal: Caller, db: DB
    ) -> s.GrantOut:
        require_funder(principal, funder_id)
        return _out(s.GrantOut, svc.create_grant(db, funder_id, data))

    @get(
        "/{funder_id:int}/grants",
        summary="A funder's grants (administrator, the funder)",
        sync_to_thread=True,
    )
    def list_grants(self, funder_id: FromPath[int], principal: Caller, db: DB) -> builtins.list[s.GrantOut]:
        require_funder(principal, funder_id)
        rows = db.exec(select(Grant).where(Grant.funder_id == funder_id).order_by(Grant.id)).all()  # type: ignore[arg-type]
        return [_out(s.GrantOut, row) for row in rows]

    @get(
        "/{funder_id:int}/grants/{grant_id:int}",
        summary="One grant (administrator, the funder)",
        sync_to_thread=True,
    )
    def read_grant(
        self, funder_id: FromPath[int], grant_id: FromPath[int], principal: Caller, db: DB
    ) -> s.GrantOut:
        require_funder(principal, funder_id)
        grant = db.get(Grant, grant_id)
        if grant is None or grant.funder_id != funder_id:
            raise NotFoundError(f"grant {grant_id} not found")
        return _out(s.GrantOut, grant)


ADMIN_CONTROLLERS = [
    OrganisationController,
    ProjectController,
    UserController,
    MeController,
    AccreditationController,
    FunderController,
]
