"""Privacy requests: find a respondent by the code the organisation gave them, export their data,
erase it (owners, with confirmation); the audit trail of the organisation (owners)."""

from __future__ import annotations

import json
from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from impactkit.api.deps import DB
from impactkit.api.pages._i18n import has_message
from impactkit.api.pages.organisation._lookup import is_owner, organisation_for
from impactkit.api.pages.rendering import (
    Me,
    PageRequest,
    confirm,
    form_text,
    language_of,
    message,
    redirect,
    render,
)
from impactkit.domain import MemberRole
from impactkit.store import privacy as store
from impactkit.store.tables import Project

CODE_MAX = 120


def action_text(action: str, language: str) -> str:
    """An audit action in words (``report.validated`` → "Rendiconto validato"); unknown ones as they are."""
    key = "audit_" + action.replace(".", "_")
    return message(key, language) if has_message(key) else action


@get("/app/organisations/{organisation_id:int}/privacy", sync_to_thread=True)
def privacy_page(
    request: PageRequest, db: DB, me: Me, organisation_id: FromPath[int], code: FromQuery[str | None] = None
) -> Template:
    organisation = organisation_for(db, me, organisation_id, MemberRole.editor)
    code = (code or "").strip()[:CODE_MAX]
    found = store.respondent_responses(db, organisation_id, code) if code else []
    projects = {
        p.id: p for p in (db.get(Project, r.project_id) for r in found if r.project_id) if p is not None
    }
    owner = is_owner(me, organisation_id)
    return render(
        request,
        "organisation/privacy.html",
        me,
        organisation=organisation,
        code=code,
        searched=bool(code),
        found=found,
        projects=projects,
        can_erase=owner,
        trail=[
            (event, who, action_text(event.action, language_of(request)))
            for event, who in (store.audit_trail(db, organisation_id) if owner else [])
        ],
        tab="privacy",
    )


@post("/app/organisations/{organisation_id:int}/privacy/export", sync_to_thread=True, status_code=200)
def export(
    db: DB, me: Me, organisation_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Response[bytes]:
    """The respondent's data as a JSON file (a post: the code never goes into an address or a log)."""
    organisation_for(db, me, organisation_id, MemberRole.editor)
    code = form_text(data, "code", max_length=CODE_MAX, required=True)
    exported = store.export_respondent(db, organisation_id, code, me.user_id)
    body = json.dumps(exported, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    return Response(
        body,
        media_type="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="respondent-data.json"',
            "Cache-Control": "no-store",
        },
    )


@post("/app/organisations/{organisation_id:int}/privacy/erase", sync_to_thread=True, status_code=303)
def erase(
    request: PageRequest, db: DB, me: Me, organisation_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect | Template:
    organisation_for(db, me, organisation_id, MemberRole.owner)
    code = form_text(data, "code", max_length=CODE_MAX, required=True)
    count = len(store.respondent_responses(db, organisation_id, code))
    back = f"/app/organisations/{organisation_id}/privacy"
    asking = confirm(request, me, data, question="erase_question", back=back, count=count, code=code)
    if asking is not None:
        return asking
    store.erase_respondent(db, organisation_id, code, me.user_id)
    return redirect(back, done="respondent_erased")


ROUTES = [privacy_page, export, erase]
