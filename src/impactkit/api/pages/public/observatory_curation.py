"""Staff pages of the observatory: an owner publishes or withdraws a validated report (from its report
page), a curator features best practice, an administrator grants the curator role."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlmodel import select

from impactkit.api.deps import DB
from impactkit.api.pages.rendering import (
    Me,
    NavItem,
    PageRequest,
    confirm,
    form_text,
    language_of,
    redirect,
    render,
)
from impactkit.errors import NotFoundError, PermissionDeniedError, ReportStateError
from impactkit.formats import Formats
from impactkit.store import observatory as store
from impactkit.store.principals import Principal
from impactkit.store.tables import Report, User


@post("/app/reports/{report_id:int}/observatory/publish", sync_to_thread=True, status_code=303)
def publish(db: DB, me: Me, report_id: FromPath[int]) -> Redirect:
    store.publish(db, me, report_id)
    return redirect(f"/app/reports/{report_id}", done="obs_done_published", anchor="observatory")


@post("/app/reports/{report_id:int}/observatory/withdraw", sync_to_thread=True, status_code=303)
def withdraw(
    request: PageRequest, db: DB, me: Me, report_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Template | Redirect:
    back = f"/app/reports/{report_id}"
    report = db.get(Report, report_id)
    if report is None:
        raise NotFoundError(f"report {report_id} not found")
    store.require_owner(me, report.organisation_id)
    if store.active_publication(db, report_id) is None:
        raise ReportStateError("the report is not published to the observatory")
    if (asking := confirm(request, me, data, question="obs_withdraw_question", back=back)) is not None:
        return asking
    store.withdraw(db, me, report_id)
    return redirect(back, done="obs_done_withdrawn", anchor="observatory")


def _require_curator(me: Principal) -> None:
    if not (me.is_curator or me.is_admin):
        raise PermissionDeniedError("only a curator features best practice")


@get("/app/curator", sync_to_thread=True)
def curator_page(request: PageRequest, db: DB, me: Me) -> Template:
    _require_curator(me)
    fmt = Formats(language_of(request))
    rows = [
        {
            "slug": p.slug,
            "organisation": p.organisation_name,
            "project": p.project_name,
            "period": p.period_label,
            "featured_text": p.featured_text,
            "published_on": fmt.date(p.published_at),
        }
        for p in store.published(db)
    ]
    return render(request, "public/observatory_curator.html", me, rows=rows)


@post("/app/curator/{slug:str}", sync_to_thread=True, status_code=303)
def curator_feature(db: DB, me: Me, slug: FromPath[str], data: URLEncodedBody[dict[str, Any]]) -> Redirect:
    _require_curator(me)
    store.feature(db, me, slug, form_text(data, "text", max_length=1000))
    return redirect("/app/curator", done="obs_done_featured", anchor=f"pub-{slug}")


@get("/app/admin/curators", sync_to_thread=True)
def curators_page(request: PageRequest, db: DB, me: Me) -> Template:
    if not me.is_admin:
        raise PermissionDeniedError("administrators only")
    users = db.exec(select(User).order_by(User.name)).all()
    return render(request, "public/observatory_curators.html", me, users=users)


@post("/app/admin/curators/{user_id:int}", sync_to_thread=True, status_code=303)
def curators_set(db: DB, me: Me, user_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]) -> Redirect:
    granted = form_text(data, "curator", max_length=5) == "yes"
    store.set_curator(db, me, user_id, granted)
    return redirect("/app/admin/curators", done="obs_done_curator")


ROUTES = [publish, withdraw, curator_page, curator_feature, curators_page, curators_set]
NAV = [NavItem("obs_curator_area", "/app/curator", lambda principal: principal.is_curator, order=45)]
