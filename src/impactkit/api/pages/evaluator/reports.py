"""The evaluator's pages: reports submitted to them, a report with its checklist, validate or return."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from impactkit.api.deps import DB
from impactkit.api.pages._report_summary import listed, report_for, summary_context
from impactkit.api.pages.rendering import Formats, Me, PageRequest, form_text, language_of, redirect, render
from impactkit.errors import NotFoundError, Problem, ReportStateError
from impactkit.store import reports as store


@get("/app/evaluator", sync_to_thread=True)
def evaluator_home(request: PageRequest, db: DB, me: Me) -> Template:
    rows = listed(db, me, lambda report, _: report.evaluator_user_id == me.user_id)
    return render(request, "evaluator/home.html", me, reports=rows)


def _assigned(db: DB, me: Any, report_id: int) -> tuple[Any, Any]:
    report, row = report_for(db, me, report_id)
    if report.evaluator_user_id != me.user_id:
        raise NotFoundError(f"report {report_id} not found")
    return report, row


@get("/app/evaluator/reports/{report_id:int}", sync_to_thread=True)
def evaluator_report(request: PageRequest, db: DB, me: Me, report_id: FromPath[int]) -> Template:
    report, row = _assigned(db, me, report_id)
    fmt = Formats(language_of(request))
    return render(
        request,
        "evaluator/report.html",
        me,
        **summary_context(db, me, report, row, fmt, with_checklist=True),
        can_decide=row.state == "submitted",
    )


@post("/app/evaluator/reports/{report_id:int}/validate", sync_to_thread=True, status_code=303)
def validate_report_page(
    db: DB, me: Me, report_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect:
    report, _ = _assigned(db, me, report_id)
    justifications = {
        str(key).removeprefix(JUSTIFICATION_FIELD): form_text(data, str(key), max_length=4000)
        for key in data
        if str(key).startswith(JUSTIFICATION_FIELD)
    }
    try:
        store.validate_report(db, me, report, form_text(data, "comments", max_length=8000), justifications)
    except ReportStateError as exc:
        if not exc.problems:
            raise
        raise ReportStateError("report_not_validatable_yet", exc.problems) from None
    return redirect(f"/app/evaluator/reports/{report_id}", done="report_validated")


JUSTIFICATION_FIELD = "justification__"
"""Form fields named ``justification__<check id>`` carry the evaluator's justification of that check."""


@post("/app/evaluator/reports/{report_id:int}/return", sync_to_thread=True, status_code=303)
def return_report_page(
    db: DB, me: Me, report_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Redirect:
    report, _ = _assigned(db, me, report_id)
    comments = form_text(data, "comments", max_length=8000)
    if not comments:
        raise ReportStateError(
            "return_needs_comments", [Problem("say what the organisation should change", "comments")]
        )
    store.return_report(db, me, report, comments)
    return redirect(f"/app/evaluator/reports/{report_id}", done="report_returned")


ROUTES = [evaluator_home, evaluator_report, validate_report_page, return_report_page]
