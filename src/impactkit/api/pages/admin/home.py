"""The administrator's pages: the instance's organisations, users and roles, accreditations, funders."""

from __future__ import annotations

from litestar import get
from litestar.response import Template
from sqlmodel import select

from impactkit.api.access import require_admin
from impactkit.api.deps import DB
from impactkit.api.pages.rendering import Me, PageRequest, render
from impactkit.store import links
from impactkit.store.tables import Organisation, Project


@get("/app/admin", sync_to_thread=True)
def admin_home(request: PageRequest, db: DB, me: Me) -> Template:
    require_admin(me)
    organisations = db.exec(select(Organisation).order_by(Organisation.name)).all()
    rows = []
    for organisation in organisations:
        projects = db.exec(select(Project.id).where(Project.organisation_id == organisation.id)).all()
        responses = sum(links.project_response_count(db, project_id) for project_id in projects if project_id)
        rows.append({"organisation": organisation, "projects": len(projects), "responses": responses})
    return render(request, "admin/home.html", me, organisations=rows)


ROUTES = [admin_home]
