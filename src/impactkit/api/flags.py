"""Response flags: duplicates caught on arrival (the organisation chooses which answer counts) and
responses set aside by a person (test answers, suspected duplicates), left out of KPIs."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, ConfigDict, Field

from impactkit.api.access import require_member
from impactkit.api.deps import DB, Caller
from impactkit.domain import MemberRole
from impactkit.errors import NotFoundError
from impactkit.store import flags as store
from impactkit.store.tables import Project, ResponseFlag


class FlaggedResponseOut(BaseModel):
    instance_id: str
    respondent_code: str | None
    submitted_at: datetime
    wave: str | None
    status: str = Field(description="open (waiting for a choice), counts, excluded, withdrawn")
    flag_id: int


class FlagSetOut(BaseModel):
    set_key: str | None = Field(
        description="The duplicate set (None for a flag a person set on one response)"
    )
    kind: str = Field(description="duplicate_code, double_entry, test_answer or suspected_duplicate")
    status: str = Field(description="open while an answer waits for the organisation's choice, else decided")
    form_id: str
    wave: str | None
    note: str
    responses: list[FlaggedResponseOut]


class FlagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["test_answer", "suspected_duplicate"]
    note: str = Field(default="", max_length=2000)


class FlagOut(BaseModel):
    id: int
    kind: str
    status: str
    note: str
    created_at: datetime
    decided_at: datetime | None


class ChoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keep: list[str] = Field(
        min_length=1,
        max_length=1000,
        description="Instance ids that count; the set's others are left out of KPIs. One for a "
        "respondent code that answered twice; any number (all: not a duplicate) for a double entry.",
    )


def _sets(found: list[store.FlagSet]) -> list[FlagSetOut]:
    return [
        FlagSetOut(
            set_key=s.set_key,
            kind=s.kind,
            status=s.status,
            form_id=s.form_id,
            wave=s.wave,
            note=s.note,
            responses=[FlaggedResponseOut(**r.__dict__) for r in s.responses],
        )
        for s in found
    ]


def _flag(flag: ResponseFlag) -> FlagOut:
    assert flag.id is not None
    return FlagOut(
        id=flag.id,
        kind=flag.kind,
        status=flag.status,
        note=flag.note,
        created_at=flag.created_at,
        decided_at=flag.decided_at,
    )


def _visible(principal: Caller) -> list[int] | None:
    return None if principal.is_admin else list(principal.roles)


class FlagController(Controller):
    tags = ["responses"]

    @get(
        "/api/v1/projects/{project_id:int}/flags",
        summary="Flagged responses of a project: duplicate sets to choose in, responses set aside (members)",
        sync_to_thread=True,
    )
    def project_flags(
        self, project_id: FromPath[int], principal: Caller, db: DB, open_only: FromQuery[bool] = False
    ) -> list[FlagSetOut]:
        project = db.get(Project, project_id)
        if project is None or (not principal.is_admin and project.organisation_id not in principal.roles):
            raise NotFoundError(f"project {project_id} not found")
        require_member(principal, project.organisation_id, MemberRole.viewer)
        return _sets(
            store.flag_sets(db, [project.organisation_id], project_id=project_id, open_only=open_only)
        )

    @get(
        "/api/v1/responses/{instance_id:str}/flags",
        summary="Every flag of one response, and the duplicate sets it belongs to (members)",
        sync_to_thread=True,
    )
    def response_flags(self, instance_id: FromPath[str], principal: Caller, db: DB) -> list[FlagSetOut]:
        response = store.response_by_instance(db, _visible(principal), instance_id)
        require_member(principal, response.organisation_id, MemberRole.viewer)
        mine = store.flag_sets(db, [response.organisation_id], instance_id=instance_id)
        keys = {s.set_key for s in mine if s.set_key}
        whole = [
            s for key in sorted(keys) for s in store.flag_sets(db, [response.organisation_id], set_key=key)
        ]
        return _sets([s for s in mine if not s.set_key] + whole)

    @post(
        "/api/v1/responses/{instance_id:str}/flags",
        summary="Flag a response (test answer, suspected duplicate): left out of KPIs, audited (editors)",
        sync_to_thread=True,
        status_code=201,
    )
    def flag(self, instance_id: FromPath[str], data: JSONBody[FlagIn], principal: Caller, db: DB) -> FlagOut:
        response = store.response_by_instance(db, _visible(principal), instance_id)
        require_member(principal, response.organisation_id, MemberRole.editor)
        return _flag(store.flag_response(db, response, data.kind, data.note, actor_user_id=principal.user_id))

    @post(
        "/api/v1/responses/{instance_id:str}/flags/{flag_id:int}/withdraw",
        summary="Withdraw a flag a person set: the response counts again, audited (editors)",
        sync_to_thread=True,
        status_code=200,
    )
    def withdraw(
        self, instance_id: FromPath[str], flag_id: FromPath[int], principal: Caller, db: DB
    ) -> FlagOut:
        response = store.response_by_instance(db, _visible(principal), instance_id)
        require_member(principal, response.organisation_id, MemberRole.editor)
        return _flag(store.withdraw_flag(db, response, flag_id, actor_user_id=principal.user_id))

    @post(
        "/api/v1/projects/{project_id:int}/duplicates/{set_key:str}/choose",
        summary="Choose which answers of a duplicate set count; the others leave the KPIs, audited (editors)",
        sync_to_thread=True,
        status_code=200,
    )
    def choose(
        self,
        project_id: FromPath[int],
        set_key: FromPath[str],
        data: JSONBody[ChoiceIn],
        principal: Caller,
        db: DB,
    ) -> FlagSetOut:
        project = db.get(Project, project_id)
        if project is None or (not principal.is_admin and project.organisation_id not in principal.roles):
            raise NotFoundError(f"project {project_id} not found")
        require_member(principal, project.organisation_id, MemberRole.editor)
        found = store.flag_sets(db, [project.organisation_id], project_id=project_id, set_key=set_key)
        if not found:
            raise NotFoundError(f"duplicate set {set_key} not found in project {project_id}")
        [chosen] = _sets(
            [store.choose(db, [project.organisation_id], set_key, data.keep, actor_user_id=principal.user_id)]
        )
        return chosen


FLAG_CONTROLLERS = [FlagController]
