"""The administrator's overview: how many organisations, people, evaluators and funders, and the doors
to each page."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import get
from litestar.response import Template
from sqlmodel import col, func, select

from impactkit.api.access import require_admin
from impactkit.api.deps import DB
from impactkit.api.pages.rendering import Me, PageRequest, render
from impactkit.store.tables import EvaluatorAccreditation, Funder, Grant, Organisation, SurveyResponse, User


@get("/app/admin", sync_to_thread=True)
def admin_home(request: PageRequest, db: DB, me: Me) -> Template:
    require_admin(me)
    today = datetime.now(UTC).date()

    def count(query: object) -> int:
        return int(db.exec(query).one())  # type: ignore[call-overload]

    return render(
        request,
        "admin/home.html",
        me,
        counts={
            "organisations": count(select(func.count()).select_from(Organisation)),
            "users": count(select(func.count()).select_from(User)),
            "evaluators": count(
                select(func.count(func.distinct(EvaluatorAccreditation.user_id))).where(
                    EvaluatorAccreditation.valid_from <= today, EvaluatorAccreditation.valid_until >= today
                )
            ),
            "funders": count(select(func.count()).select_from(Funder)),
            "grants": count(select(func.count()).select_from(Grant)),
            "responses": count(
                select(func.count())
                .select_from(SurveyResponse)
                .where(col(SurveyResponse.erased_at).is_(None))
            ),
        },
        section="home",
    )


ROUTES = [admin_home]
