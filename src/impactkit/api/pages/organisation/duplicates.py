"""Possible duplicates of a project: every duplicate set with its answers side by side (the ones that
differ marked, the equal ones greyed), and the editor's choice of which answer counts — asked to
confirm, audited, the KPIs recomputed — through the same store function as the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from litestar import get, post
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from impactkit.api.access import Principal, require_member
from impactkit.api.deps import DB
from impactkit.api.pages._i18n import FORM_LANGUAGE
from impactkit.api.pages.organisation._lookup import can_edit, organisation_for, project_for
from impactkit.api.pages.organisation._sources import SourceNames
from impactkit.api.pages.organisation.responses import answer_rows
from impactkit.api.pages.rendering import (
    Formats,
    Me,
    PageRequest,
    confirm,
    is_htmx,
    language_of,
    message,
    redirect,
    render,
)
from impactkit.domain import MemberRole
from impactkit.errors import NotFoundError
from impactkit.store import flags
from impactkit.store import surveys as store
from impactkit.store.tables import FormVersion, Project, User
from impactkit.surveys.model import Form

KEEP_ALL = "all"
"""The choice "they are different people": every answer of a possible double entry counts."""
SHOWN = 20
"""Sets shown on one page, open and decided each (the oldest open ones wait longest: shown first).

Each set shown reads its answers: 100 sets made a 770 kB page in 0.57 s; a person decides a few at once."""


@dataclass
class Member:
    """One answer of a set, as its column shows it."""

    response_id: int
    instance_id: str
    submitted_at: datetime
    respondent_code: str | None
    source: str
    form_version: str
    status: str
    """The flag's: open, counts, excluded (withdrawn: the answer was erased)."""
    counts_now: bool
    """Whether the KPIs count it today (an open set: the latest answer, until a choice)."""


@dataclass
class AnswerRow:
    label: str
    name: str
    values: list[str]
    differs: bool


@dataclass
class SetView:
    set_key: str
    kind: str
    status: str
    form_title: str
    form_id: str
    wave: str | None
    members: list[Member]
    rows: list[AnswerRow] = field(default_factory=list)
    decided_at: datetime | None = None
    decided_by: str | None = None

    @property
    def differing(self) -> int:
        return sum(1 for row in self.rows if row.differs)

    @property
    def chosen(self) -> str | None:
        """What was chosen (an instance id, or :data:`KEEP_ALL`), to show as the choice's default."""
        counting = [m.instance_id for m in self.members if m.status == "counts"]
        if self.status == "open" or not counting:
            return None
        if len(counting) > 1:
            return KEEP_ALL
        return counting[0]

    @property
    def can_keep_all(self) -> bool:
        """Identical answers under different codes may be different people; one code cannot."""
        return self.kind == "double_entry"


def _members_only(db: DB, me: Principal, project_id: int) -> Project:
    """Respondents' answers are for the organisation's members (and administrators), not its funders."""
    project = project_for(db, me, project_id)
    try:
        require_member(me, project.organisation_id, MemberRole.viewer)
    except NotFoundError:
        raise NotFoundError(f"project {project_id} not found") from None
    return project


def compare(answers: list[list[dict[str, Any]]]) -> list[AnswerRow]:
    """Answer rows of several responses side by side, each question once, in the forms' order.

    ``answers`` holds, for each response, its rows as :func:`answer_rows` gives them (groups are
    headings and are left out). A question one response did not answer shows ``—`` there and
    differs. Repeated questions are told apart by their turn (the first ``name`` in a repeat, the
    second …).

    >>> one = [{"name": "age", "label": "Età", "value": "40"}, {"name": "sat", "label": "Voto", "value": "1"}]
    >>> two = [{"name": "age", "label": "Età", "value": "40"}, {"name": "sat", "label": "Voto", "value": "5"}]
    >>> [(r.name, r.values, r.differs) for r in compare([one, two])]
    [('age', ['40', '40'], False), ('sat', ['1', '5'], True)]
    """
    order: list[tuple[str, int]] = []
    labels: dict[tuple[str, int], str] = {}
    values: list[dict[tuple[str, int], str]] = []
    for rows in answers:
        seen: dict[str, int] = {}
        mine: dict[tuple[str, int], str] = {}
        for row in rows:
            if row.get("group"):
                continue
            name = str(row["name"])
            turn = seen.get(name, 0)
            seen[name] = turn + 1
            key = (name, turn)
            if key not in labels:
                labels[key] = str(row["label"])
                order.append(key)
            mine[key] = str(row["value"])
        values.append(mine)
    result = []
    for key in order:
        shown = [mine.get(key, "—") for mine in values]
        result.append(AnswerRow(labels[key], key[0], shown, len(set(shown)) > 1))
    return result


def _forms(db: DB, version_ids: set[int]) -> dict[int, Form]:
    forms: dict[int, Form] = {}
    for version_id in version_ids:
        version = db.get(FormVersion, version_id)
        if version is not None:
            forms[version_id] = store.form_of(version)
    return forms


def _user_name(db: DB, user_id: int | None, names: dict[int, str]) -> str | None:
    if user_id is None:
        return None
    if user_id not in names:
        user = db.get(User, user_id)
        names[user_id] = (user.name or user.email) if user is not None else f"#{user_id}"
    return names[user_id]


def set_views(db: DB, project: Project, language: str, flag_sets: list[flags.FlagSet]) -> list[SetView]:
    """The duplicate sets as the page shows them: members in the order they arrived, answers compared."""
    assert project.id is not None
    ids = [r.response_id for s in flag_sets for r in s.responses if r.response_id is not None]
    responses = flags.set_responses(db, project.organisation_id, ids)
    forms = _forms(db, {row.form_version_id for row in responses.values()})
    sources = SourceNames(db, language)
    names: dict[int, str] = {}
    views = []
    for flag_set in flag_sets:
        if flag_set.set_key is None or flag_set.kind not in flags.AUTOMATIC:
            continue
        present = [
            (flagged, responses[flagged.response_id])
            for flagged in flag_set.responses
            if flagged.response_id in responses and responses[flagged.response_id].erased_at is None
        ]
        if len(present) < 2 and flag_set.status != "open":
            continue  # a set emptied by an erasure has nothing left to choose
        latest = max((flagged.submitted_at for flagged, _ in present), default=None)
        members = [
            Member(
                response_id=row.id or 0,
                instance_id=flagged.instance_id,
                submitted_at=flagged.submitted_at,
                respondent_code=flagged.respondent_code,
                source=sources(row.source),
                form_version=row.form_version,
                status=flagged.status,
                counts_now=flagged.status == "counts"
                or (flag_set.status == "open" and flagged.submitted_at == latest),
            )
            for flagged, row in present
        ]
        newest_form = forms.get(present[-1][1].form_version_id) if present else None
        rows = compare(
            [
                answer_rows(list(form.children), row.answers or {}, form, FORM_LANGUAGE[language])
                if (form := forms.get(row.form_version_id)) is not None
                else []
                for _, row in present
            ]
        )
        decided = [f for f, _ in present if f.decided_at is not None and f.status in ("counts", "excluded")]
        last = max(decided, key=lambda f: f.decided_at or datetime.min) if decided else None
        views.append(
            SetView(
                set_key=flag_set.set_key,
                kind=flag_set.kind,
                status=flag_set.status,
                form_title=newest_form.title if newest_form is not None else flag_set.form_id,
                form_id=flag_set.form_id,
                wave=flag_set.wave,
                members=members,
                rows=rows,
                decided_at=last.decided_at if last is not None and flag_set.status != "open" else None,
                decided_by=_user_name(db, last.decided_by, names)
                if last is not None and flag_set.status != "open"
                else None,
            )
        )
    return views


def _last_decided(flag_set: flags.FlagSet) -> datetime:
    moments = [r.decided_at for r in flag_set.responses if r.decided_at is not None]
    return max(moments) if moments else flag_set.responses[0].submitted_at


def _page(
    request: PageRequest,
    db: DB,
    me: Principal,
    project: Project,
    status: int = 200,
    errors: dict[str, str] | None = None,
    only: str | None = None,
) -> Template:
    """The page; with ``only`` (a set key) that set alone, wherever it would be in the lists."""
    language = language_of(request)
    found = [
        s
        for s in flags.flag_sets(db, [project.organisation_id], project_id=project.id, set_key=only)
        if s.set_key and s.kind in flags.AUTOMATIC and any(r.status != "withdrawn" for r in s.responses)
    ]
    # the sets that waited longest first; decided ones the latest choice first. Only the sets
    # shown are compared (their answers read and laid side by side).
    waiting = sorted((s for s in found if s.status == "open"), key=lambda s: s.responses[0].submitted_at)
    decided = sorted((s for s in found if s.status != "open"), key=_last_decided, reverse=True)
    return render(
        request,
        "organisation/duplicates.html",
        me,
        status,
        organisation=organisation_for(db, me, project.organisation_id),
        project=project,
        waiting=set_views(db, project, language, waiting[:SHOWN]),
        waiting_total=len(waiting),
        decided=set_views(db, project, language, decided[:SHOWN]),
        decided_total=len(decided),
        only=only,
        can_edit=can_edit(me, project.organisation_id),
        keep_all=KEEP_ALL,
        errors=errors or {},
    )


@get("/app/projects/{project_id:int}/duplicates", sync_to_thread=True)
def duplicates_page(
    request: PageRequest,
    db: DB,
    me: Me,
    project_id: FromPath[int],
    only: Annotated[str | None, QueryParameter(name="set", max_length=80)] = None,
) -> Template:
    """Every duplicate set of the project: those waiting for a choice, then those decided
    (``?set=`` one set alone, as a response's page links to it)."""
    project = _members_only(db, me, project_id)
    if only and not flags.flag_sets(db, [project.organisation_id], project_id=project_id, set_key=only):
        raise NotFoundError(f"duplicate set {only} not found")
    return _page(request, db, me, project, only=only or None)


def _member_text(member: Member, fmt: Formats) -> str:
    code = member.respondent_code or "—"
    return message(
        "duplicate_member",
        fmt.language,
        when=fmt.datetime(member.submitted_at, seconds=True),
        code=code,
        source=member.source,
    )


@post("/app/projects/{project_id:int}/duplicates/{set_key:str}/choose", sync_to_thread=True, status_code=303)
def choose_page(
    request: PageRequest,
    db: DB,
    me: Me,
    project_id: FromPath[int],
    set_key: FromPath[str],
    data: URLEncodedBody[dict[str, Any]],
) -> Redirect | Template:
    """Choose which answer of a duplicate set counts (or, for a possible double entry, all):
    asked to confirm first; audited; the project's KPIs are recomputed."""
    project = _members_only(db, me, project_id)
    require_member(me, project.organisation_id, MemberRole.editor)
    found = flags.flag_sets(db, [project.organisation_id], project_id=project_id, set_key=set_key)
    views = set_views(db, project, language_of(request), found)
    if not views:
        raise NotFoundError(f"duplicate set {set_key} not found")
    [view] = views
    # a query of its own, so that "no" reloads the page even from the question asked in place
    back = f"/app/projects/{project_id}/duplicates?set={set_key}#set-{set_key}"
    keep_value = str(data.get("keep") or "")
    by_instance = {m.instance_id: m for m in view.members}
    if keep_value == KEEP_ALL and view.can_keep_all:
        keep = list(by_instance)
    elif keep_value in by_instance:
        keep = [keep_value]
    else:
        error = message("duplicate_choose_one", language_of(request))
        if is_htmx(request):  # htmx swaps only what answers 200: the mistake in place of the choice
            fragment = "organisation/_duplicate_error.html"
            return render(request, fragment, me, fragment=fragment, error=error, back=back)
        return _page(request, db, me, project, 422, errors={set_key: error}, only=set_key)
    fmt = Formats(language_of(request))
    kept = [m for m in view.members if m.instance_id in keep]
    left = [m for m in view.members if m.instance_id not in keep]
    details = [message("duplicate_will_count", fmt.language, what=_member_text(m, fmt)) for m in kept]
    details += [message("duplicate_will_leave", fmt.language, what=_member_text(m, fmt)) for m in left]
    question = "duplicate_keep_one_question" if left else "duplicate_keep_all_question"
    asking = confirm(
        request,
        me,
        data,
        question=question,
        back=back,
        details=details,
        button="duplicate_confirm",
        fragment="organisation/_duplicate_confirm.html",
        count=len(left) or len(kept),
    )
    if asking is not None:
        return asking
    flags.choose(db, [project.organisation_id], set_key, keep, actor_user_id=me.user_id)
    return redirect(
        f"/app/projects/{project_id}/duplicates", done="duplicates_chosen", anchor=f"set-{set_key}"
    )


ROUTES = [duplicates_page, choose_page]
