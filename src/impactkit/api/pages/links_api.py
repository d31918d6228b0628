"""JSON API for survey links (token auth, editors and owners): list, create, close."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, Field

from impactkit.api.access import require_member
from impactkit.api.deps import DB, Caller
from impactkit.domain import MemberRole
from impactkit.errors import NotFoundError
from impactkit.settings import Settings
from impactkit.store import links
from impactkit.store.tables import Project, SurveyLink


class LinkIn(BaseModel):
    """A new survey link for one of the project's form versions."""

    form_version_id: int
    period_id: int | None = None
    wave: str | None = Field(default=None, max_length=20)
    label: str = Field(default="", max_length=200)
    closes_at: datetime | None = None
    max_responses: int | None = Field(default=None, ge=1)


class LinkOut(BaseModel):
    id: int
    project_id: int
    period_id: int | None
    form_version_id: int
    form_id: str
    form_version: str
    wave: str | None
    label: str
    url: str
    token: str
    closes_at: datetime | None
    max_responses: int | None
    closed_at: datetime | None
    responses: int
    status: str


def _out(view: links.LinkView, base_url: str) -> LinkOut:
    link = view.link
    assert link.id is not None
    return LinkOut(
        id=link.id,
        project_id=link.project_id,
        period_id=link.period_id,
        form_version_id=link.form_version_id,
        form_id=view.form_id,
        form_version=view.form_version,
        wave=link.wave,
        label=link.label,
        url=f"{base_url.rstrip('/')}/s/{view.token}",
        token=view.token,
        closes_at=link.closes_at,
        max_responses=link.max_responses,
        closed_at=link.closed_at,
        responses=view.responses,
        status=view.status.value,
    )


def _project_for_editor(db: DB, principal: Any, project_id: int) -> Project:
    project = db.get(Project, project_id)
    if project is None:
        raise NotFoundError(f"project {project_id} not found")
    require_member(principal, project.organisation_id, MemberRole.editor)
    return project


def _view_of(db: DB, link: SurveyLink, settings: Settings) -> links.LinkView:
    return next(
        v for v in links.project_links(db, link.project_id, settings.secret_key) if v.link.id == link.id
    )


class LinkApiController(Controller):
    path = "/api/v1"
    tags = ["survey links"]

    @get(
        "/projects/{project_id:int}/links", summary="Survey links of a project (editor+)", sync_to_thread=True
    )
    def list_links(
        self, request: Request[Any, Any, Any], project_id: FromPath[int], principal: Caller, db: DB
    ) -> list[LinkOut]:
        _project_for_editor(db, principal, project_id)
        settings: Settings = request.app.state.settings
        return [
            _out(v, settings.public_base_url)
            for v in links.project_links(db, project_id, settings.secret_key)
        ]

    @post("/projects/{project_id:int}/links", summary="Create a survey link (editor+)", sync_to_thread=True)
    def create(
        self,
        request: Request[Any, Any, Any],
        project_id: FromPath[int],
        data: JSONBody[LinkIn],
        principal: Caller,
        db: DB,
    ) -> LinkOut:
        _project_for_editor(db, principal, project_id)
        settings: Settings = request.app.state.settings
        link, _ = links.create_link(
            db,
            secret_key=settings.secret_key,
            project_id=project_id,
            form_version_id=data.form_version_id,
            created_by=principal.user_id,
            period_id=data.period_id,
            wave=data.wave,
            label=data.label,
            closes_at=data.closes_at,
            max_responses=data.max_responses,
        )
        return _out(_view_of(db, link, settings), settings.public_base_url)

    @post(
        "/links/{link_id:int}/close",
        summary="Close a survey link now (editor+)",
        status_code=200,
        sync_to_thread=True,
    )
    def close(
        self, request: Request[Any, Any, Any], link_id: FromPath[int], principal: Caller, db: DB
    ) -> LinkOut:
        link = db.get(SurveyLink, link_id)
        if link is None:
            raise NotFoundError(f"survey link {link_id} not found")
        try:
            require_member(principal, link.organisation_id, MemberRole.editor)
        except NotFoundError:
            raise NotFoundError(f"survey link {link_id} not found") from None
        links.close_link(db, link_id)
        settings: Settings = request.app.state.settings
        return _out(_view_of(db, link, settings), settings.public_base_url)
