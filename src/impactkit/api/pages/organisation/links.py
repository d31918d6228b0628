"""Survey links of a project: create one, close one (with confirmation)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from litestar import post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from impactkit.api.access import require_member
from impactkit.api.deps import DB
from impactkit.api.pages.organisation._lookup import project_for
from impactkit.api.pages.rendering import Me, PageRequest, confirm, form_date, form_int, form_text, redirect
from impactkit.domain import MemberRole
from impactkit.errors import NotFoundError
from impactkit.formats import LOCAL_ZONE
from impactkit.settings import Settings
from impactkit.store import links


@post("/app/projects/{project_id:int}/links", sync_to_thread=True, status_code=303)
def create_link_page(
    request: PageRequest, db: DB, me: Me, project_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect:
    project_for(db, me, project_id, MemberRole.editor)
    settings: Settings = request.app.state.settings
    closes_on = form_date(data, "closes_on")
    links.create_link(
        db,
        secret_key=settings.secret_key,
        project_id=project_id,
        form_version_id=form_int(data, "form_version_id", required=True) or 0,
        created_by=me.user_id,
        period_id=form_int(data, "period_id"),
        wave=form_text(data, "wave", max_length=20) or None,
        label=form_text(data, "label", max_length=200),
        closes_at=datetime.combine(closes_on, time(23, 59, 59), tzinfo=LOCAL_ZONE) if closes_on else None,
        max_responses=form_int(data, "max_responses", minimum=1),
    )
    return redirect(f"/app/projects/{project_id}", done="link_created", anchor="links")


@post("/app/links/{link_id:int}/close", sync_to_thread=True, status_code=303)
def close_link_page(
    request: PageRequest, db: DB, me: Me, link_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    link = links.get_link(db, link_id)
    try:
        require_member(me, link.organisation_id, MemberRole.editor)
    except NotFoundError:
        raise NotFoundError(f"survey link {link_id} not found") from None
    back = f"/app/projects/{link.project_id}#links"
    asking = confirm(request, me, data, question="close_link_question", back=back, label=link.label or "—")
    if asking is not None:
        return asking
    links.close_link(db, link_id)
    return redirect(f"/app/projects/{link.project_id}", done="link_closed", anchor="links")


@post("/app/links/{link_id:int}/reopen", sync_to_thread=True, status_code=303)
def reopen_link_page(db: DB, me: Me, link_id: FromPath[int]) -> Redirect:
    """Undo a closing: the link takes answers again."""
    link = links.get_link(db, link_id)
    try:
        require_member(me, link.organisation_id, MemberRole.editor)
    except NotFoundError:
        raise NotFoundError(f"survey link {link_id} not found") from None
    links.reopen_link(db, link_id)
    return redirect(f"/app/projects/{link.project_id}", done="link_reopened", anchor="links")


ROUTES = [create_link_page, close_link_page, reopen_link_page]
