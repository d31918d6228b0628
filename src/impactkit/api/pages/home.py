"""The signed-in landing page ``/app``: a door to each area the user has a role in."""

from __future__ import annotations

from litestar import get
from litestar.response import Template
from sqlmodel import select

from impactkit.api.access import Principal
from impactkit.api.deps import DB
from impactkit.api.pages.rendering import Me, NavItem, PageRequest, render
from impactkit.store.tables import Organisation


def organisations_of(db: DB, principal: Principal) -> list[Organisation]:
    """The organisations a user belongs to (every one, for administrators), by name."""
    if principal.is_admin:
        return sorted(db.exec(select(Organisation)).all(), key=lambda o: o.name)
    found = (db.get(Organisation, organisation_id) for organisation_id in principal.roles)
    return sorted((o for o in found if o is not None), key=lambda o: o.name)


@get("/app", sync_to_thread=True)
def home(request: PageRequest, db: DB, me: Me) -> Template:
    return render(
        request,
        "home.html",
        me,
        organisations=organisations_of(db, me),
        is_evaluator=me.is_evaluator,
        is_funder=bool(me.funder_ids),
    )


ROUTES = [home]
NAV = [NavItem("home", "/app", lambda principal: True, order=0)]
