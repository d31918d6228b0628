"""The framework designer: start from a shared framework, pick and adapt indicators, add your own,
set targets, draw the theory of change, publish, use it in a project; funders require one for a grant.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from impactkit.api.deps import DB
from impactkit.api.pages.rendering import (
    Me,
    PageRequest,
    confirm,
    field_errors,
    form_text,
    language_of,
    redirect,
    render,
)
from impactkit.domain import MemberRole
from impactkit.errors import FrameworkError, ImpactkitError, Problem
from impactkit.frameworks import shipped_frameworks
from impactkit.frameworks.design import add_indicator, keep_indicators, set_target, set_theory_of_change
from impactkit.frameworks.model import Framework, TheoryOfChange
from impactkit.frameworks.toc import theory_of_change_context, theory_of_change_pdf
from impactkit.store import admin as admin_store
from impactkit.store import frameworks as svc
from impactkit.store import schemas
from impactkit.store.tables import DesignedFramework, Funder, Grant, Organisation

KINDS = ("proportion", "mean", "median", "sum", "count", "derived")
LEVELS = ("activities", "outputs", "outcomes")
PROBLEM_CODES = frozenset(
    {
        "definition_changed",
        "unknown_field",
        "circular_definition",
        "unknown_proxy",
        "unknown_indicator",
        "unknown_reference",
        "bad_expression",
    }
)


def _owners(db: DB, me: Me) -> list[tuple[str, str]]:
    """(value, name) of the organisations and funders the caller can design for."""
    options: list[tuple[str, str]] = []
    for organisation_id, role in sorted(me.roles.items()):
        if role in (MemberRole.owner, MemberRole.editor):
            organisation = db.get(Organisation, organisation_id)
            if organisation is not None:
                options.append((f"organisation:{organisation_id}", organisation.name))
    for funder_id in sorted(me.funder_ids):
        funder = db.get(Funder, funder_id)
        if funder is not None:
            options.append((f"funder:{funder_id}", funder.name))
    return options


def _bases(db: DB) -> list[tuple[str, str, str]]:
    """(reference, title it, title en) of every framework one can start from."""
    return [(f"{c.id}@{c.version}", c.title["it"], c.title["en"]) for c in svc.framework_choices(db)]


@get("/app/frameworks", sync_to_thread=True)
def frameworks_page(request: PageRequest, db: DB, me: Me) -> Template:
    return _frameworks(request, db, me)


def _frameworks(
    request: PageRequest,
    db: DB,
    me: Me,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    rows = svc.designs(db, me)
    mine = [row for row in rows if svc.owns(me, row)]
    others = [row for row in rows if not svc.owns(me, row)]
    return render(
        request,
        "design/frameworks.html",
        me,
        status=422 if errors else 200,
        mine=[(row, Framework.model_validate(row.content)) for row in mine],
        others=[(row, Framework.model_validate(row.content)) for row in others],
        shipped=[f for f in shipped_frameworks() if f.kind == "indicators"],
        owners=_owners(db, me),
        bases=_bases(db),
        grants=_grants(db, me),
        errors=errors or {},
        values=values or {},
    )


def _grants(db: DB, me: Me) -> list[tuple[Grant, str | None]]:
    """Grants the caller funds or holds, each with the framework it requires (``id version``)."""
    from sqlmodel import col, select

    from impactkit.store.tables import GrantFramework

    query = select(Grant).order_by(col(Grant.id))
    if not me.is_admin:
        query = query.where(
            col(Grant.funder_id).in_(list(me.funder_ids) or [-1])
            | col(Grant.organisation_id).in_(list(me.roles) or [-1])
        )
    out = []
    for grant in db.exec(query).all():
        required = db.get(GrantFramework, grant.id)
        out.append((grant, f"{required.framework_id} {required.framework_version}" if required else None))
    return out


@post("/app/frameworks", sync_to_thread=True)
def start_design(request: PageRequest, db: DB, me: Me, data: URLEncodedBody[dict[str, Any]]) -> Any:
    values = {k: str(v) for k, v in data.items() if k != "_csrf_token"}
    try:
        owner = form_text(data, "owner", required=True)
        kind, _, number = owner.partition(":")
        if kind not in ("organisation", "funder") or not number.isdigit():
            raise ImpactkitError("invalid", [Problem("unknown owner", "owner")])
        title_it = form_text(data, "title_it", max_length=200)
        title_en = form_text(data, "title_en", max_length=200)
        title = {"it": title_it, "en": title_en} if title_it and title_en else None
        row = svc.start_design(
            db,
            me,
            base=form_text(data, "base", required=True, max_length=121),
            framework_id=form_text(data, "framework_id", required=True, max_length=80),
            title=title,
            organisation_id=int(number) if kind == "organisation" else None,
            funder_id=int(number) if kind == "funder" else None,
        )
    except ImpactkitError as exc:
        return _frameworks(request, db, me, field_errors(exc, language_of(request)), values)
    return redirect(f"/app/frameworks/designs/{row.id}", done="design_started")


def _toc_text(toc: TheoryOfChange | None, level: str) -> str:
    if toc is None:
        return ""
    return "\n".join(
        f"{step.id} | {step.text.it} | {step.text.en} | {', '.join(step.leads_to)}"
        for step in getattr(toc, level)
    )


def _design_page(
    request: PageRequest,
    db: DB,
    me: Me,
    row: DesignedFramework,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    framework = Framework.model_validate(row.content)
    editable = row.state == svc.DRAFT and svc.owns(me, row, write=True)
    problems = svc.design_problems(db, me, row) if row.state == svc.DRAFT and svc.owns(me, row) else []
    forms = sorted(svc.known_form_fields(db, me, row)) if editable else []
    base = None
    if framework.based_on:
        try:
            base = svc.resolve_framework(db, framework.based_on, principal=me)
        except ImpactkitError:
            base = None
    offered = list(framework.indicators)
    if editable and base is not None:
        kept = {i.id for i in framework.indicators}
        offered += [i for i in base.indicators if i.id not in kept]
    toc_values = {level: _toc_text(framework.theory_of_change, level) for level in LEVELS}
    from impactkit.frameworks.toc import monetisation

    language = language_of(request)
    pool = framework.model_copy(update={"indicators": offered})
    values_of = {i.id: monetisation(pool, i.id, language) for i in offered}
    return render(
        request,
        "design/design.html",
        me,
        status=422 if errors else 200,
        row=row,
        framework=framework,
        offered=offered,
        values_of=values_of,
        kept={i.id for i in framework.indicators},
        editable=editable,
        problems=problems,
        problem_codes=PROBLEM_CODES,
        forms=forms,
        kinds=KINDS,
        levels=LEVELS,
        toc_values={**toc_values, **(values or {})},
        errors=errors or {},
        values=values or {},
        can_use=row.state == svc.PUBLISHED
        and row.organisation_id is not None
        and svc.owns(me, row, write=True),
    )


@get("/app/frameworks/designs/{design_id:int}", sync_to_thread=True)
def design_page(request: PageRequest, db: DB, me: Me, design_id: FromPath[int]) -> Template:
    return _design_page(request, db, me, svc.design(db, me, design_id))


def _number(text: str, name: str) -> float | None:
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        return None
    try:
        return float(cleaned)
    except ValueError:
        raise ImpactkitError("invalid", [Problem("expected a number", name, code="not_a_number")]) from None


def _base_indicators(db: DB, me: Me, framework: Framework) -> dict[str, Any]:
    if not framework.based_on:
        return {}
    try:
        base = svc.resolve_framework(db, framework.based_on, principal=me)
    except ImpactkitError:
        return {}
    return {i.id: i for i in base.indicators}


@post("/app/frameworks/designs/{design_id:int}/indicators", sync_to_thread=True)
def save_indicators(
    request: PageRequest, db: DB, me: Me, design_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Any:
    row = svc.design(db, me, design_id, write=True)
    framework = Framework.model_validate(row.content)
    try:
        chosen = _multi(data, "keep")
        available = {i.id: i for i in framework.indicators} | {
            k: v
            for k, v in _base_indicators(db, me, framework).items()
            if k not in {i.id for i in framework.indicators}
        }
        pool = framework.model_copy(update={"indicators": list(available.values())})
        designed = keep_indicators(pool, [i for i in available if i in chosen])
        for indicator in list(designed.indicators):
            value = _number(str(data.get(f"target_{indicator.id}") or ""), f"target_{indicator.id}")
            direction = str(data.get(f"direction_{indicator.id}") or "at_least")
            if direction not in ("at_least", "at_most"):
                direction = "at_least"
            designed = set_target(designed, indicator.id, value, direction)
        svc.save_design(db, me, design_id, designed)
    except ImpactkitError as exc:
        return _design_page(request, db, me, row, field_errors(exc, language_of(request)))
    return redirect(f"/app/frameworks/designs/{design_id}", done="indicators_saved", anchor="indicators")


def _multi(data: dict[str, Any], name: str) -> set[str]:
    """Every value of a repeated form field (checkboxes: a list when several are ticked)."""
    value = data.get(name)
    if isinstance(value, list):
        return {str(v) for v in value}
    return {str(value)} if value else set()


@post("/app/frameworks/designs/{design_id:int}/indicators/new", sync_to_thread=True)
def new_indicator(
    request: PageRequest, db: DB, me: Me, design_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Any:
    row = svc.design(db, me, design_id, write=True)
    values = {k: str(v) for k, v in data.items() if k != "_csrf_token"}
    framework = Framework.model_validate(row.content)
    try:
        kind = form_text(data, "kind", required=True, max_length=20)
        if kind not in KINDS:
            raise ImpactkitError("invalid", [Problem("unknown computation", "kind")])
        expression = form_text(data, "expression", max_length=2000) or None
        indicator: dict[str, Any] = {
            "id": form_text(data, "indicator_id", required=True, max_length=80),
            "labels": {
                "it": form_text(data, "label_it", required=True),
                "en": form_text(data, "label_en", required=True),
            },
            "definition": {
                "it": form_text(data, "definition_it", required=True, max_length=2000),
                "en": form_text(data, "definition_en", required=True, max_length=2000),
            },
            "unit": form_text(data, "unit", required=True, max_length=40),
            "kind": kind,
        }
        if kind == "derived":
            if expression is None:
                raise ImpactkitError("missing_field", [Problem("required", "expression", code="required")])
            indicator["derived"] = expression
        else:
            indicator["source"] = {
                "form": form_text(data, "form", required=True, max_length=120),
                "expression": expression,
                "filter": form_text(data, "filter", max_length=2000) or None,
                "exclude_baseline": str(data.get("exclude_baseline") or "") == "yes",
            }
        designed = add_indicator(framework, indicator)
        # Refused at once (and not saved) when it reads a question the forms do not have.
        from impactkit.frameworks.loading import framework_problems

        own = [
            problem
            for problem in framework_problems(designed, svc.known_form_fields(db, me, row))
            if problem.location.startswith(f"indicators[{indicator['id']}]")
        ]
        if own:
            raise FrameworkError("the indicator is not valid", own)
        target = _number(str(data.get("target") or ""), "target")
        if target is not None:
            direction = str(data.get("direction") or "at_least")
            designed = set_target(
                designed, indicator["id"], target, direction if direction == "at_most" else "at_least"
            )
        svc.save_design(db, me, design_id, designed)
    except ImpactkitError as exc:
        return _design_page(request, db, me, row, _indicator_errors(exc, language_of(request)), values)
    return redirect(f"/app/frameworks/designs/{design_id}", done="indicator_added", anchor="indicators")


def _indicator_errors(exc: ImpactkitError, language: str) -> dict[str, str]:
    """Problems of a new indicator keyed by the field of the form that holds them, each led by
    what kind of problem it is in the page's language."""
    from impactkit.api.pages.rendering import message

    errors = field_errors(exc, language)
    leads = {
        problem.location or "_": message(f"problem_{problem.code}", language)
        for problem in exc.problems
        if problem.code in PROBLEM_CODES
    }
    keys = {
        ".id": "indicator_id",
        "labels.it": "label_it",
        "labels.en": "label_en",
        "definition.it": "definition_it",
        "definition.en": "definition_en",
        ".unit": "unit",
        ".kind": "kind",
        "source.form": "form",
        "source.expression": "expression",
        "source.filter": "filter",
        ".derived": "expression",
        ".source": "expression",
    }
    out: dict[str, str] = {}
    for location, text in errors.items():
        name = next((field for suffix, field in keys.items() if location.endswith(suffix)), location)
        out[name] = f"{leads[location]}: {text}" if location in leads else text
    return out


@post("/app/frameworks/designs/{design_id:int}/theory-of-change", sync_to_thread=True)
def save_theory_of_change(
    request: PageRequest, db: DB, me: Me, design_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Any:
    row = svc.design(db, me, design_id, write=True)
    language = language_of(request)
    values = {level: str(data.get(level) or "") for level in LEVELS}
    try:
        toc = _parse_toc(values, language)
        svc.save_design(db, me, design_id, set_theory_of_change(Framework.model_validate(row.content), toc))
    except ImpactkitError as exc:
        return _design_page(request, db, me, row, field_errors(exc, language), values)
    return redirect(f"/app/frameworks/designs/{design_id}", done="toc_saved", anchor="theory-of-change")


def _parse_toc(values: dict[str, str], language: str) -> dict[str, Any] | None:
    from impactkit.api.pages.rendering import message

    toc: dict[str, list[dict[str, Any]]] = {}
    problems = []
    for level in LEVELS:
        steps = []
        for number, line in enumerate(values[level].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) not in (3, 4) or not all(parts[:3]):
                problems.append(
                    Problem(
                        message("toc_line_error", language, level=message(level, language), line=number),
                        level,
                    )
                )
                continue
            links = [x.strip() for x in (parts[3] if len(parts) == 4 else "").split(",") if x.strip()]
            steps.append({"id": parts[0], "text": {"it": parts[1], "en": parts[2]}, "leads_to": links})
        toc[level] = steps
    if problems:
        raise FrameworkError("the theory of change is not valid", problems)
    return toc if any(toc.values()) else None


@post("/app/frameworks/designs/{design_id:int}/publish", sync_to_thread=True)
def publish(
    request: PageRequest, db: DB, me: Me, design_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Any:
    row = svc.design(db, me, design_id, write=True)
    back = f"/app/frameworks/designs/{design_id}"
    title = getattr(Framework.model_validate(row.content).title, language_of(request))
    asking = confirm(
        request, me, data, question="publish_question", back=back, name=title, version=row.version
    )
    if asking is not None:
        return asking
    try:
        svc.publish_design(db, me, design_id)
    except ImpactkitError as exc:
        return _design_page(request, db, me, row, field_errors(exc, language_of(request)))
    return redirect(back, done="published_done")


@post("/app/frameworks/designs/{design_id:int}/next", sync_to_thread=True)
def next_version(request: PageRequest, db: DB, me: Me, design_id: FromPath[int]) -> Any:
    draft = svc.next_draft(db, me, design_id)
    return redirect(f"/app/frameworks/designs/{draft.id}", done="next_version_done")


@post("/app/frameworks/designs/{design_id:int}/projects", sync_to_thread=True)
def use_in_project(
    request: PageRequest, db: DB, me: Me, design_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Any:
    row = svc.design(db, me, design_id, write=True)
    if row.state != svc.PUBLISHED or row.organisation_id is None:
        return _design_page(request, db, me, row, {"_": "publish first"})
    try:
        name = form_text(data, "project_name", required=True, max_length=200)
        project = admin_store.create_project(
            db,
            row.organisation_id,
            schemas.ProjectIn(name=name, framework_id=row.framework_id, framework_version=row.version),
        )
        year = date.today().year
        admin_store.create_period(
            db,
            project.id or 0,
            schemas.PeriodIn(label=str(year), starts_on=date(year, 1, 1), ends_on=date(year, 12, 31)),
        )
    except ImpactkitError as exc:
        return _design_page(
            request,
            db,
            me,
            row,
            field_errors(exc, language_of(request)),
            {"project_name": str(data.get("project_name") or "")},
        )
    return redirect(f"/app/projects/{project.id}", done="project_created")


@post("/app/frameworks/designs/{design_id:int}/adopt", sync_to_thread=True)
def adopt_in_project(
    request: PageRequest, db: DB, me: Me, design_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Any:
    row = svc.design(db, me, design_id, write=True)
    try:
        project_id = form_text(data, "project_id", required=True, max_length=20)
        if not project_id.isdigit():
            raise ImpactkitError("invalid", [Problem("unknown project", "project_id")])
        project = svc.adopt(db, me, int(project_id), row.framework_id, row.version)
    except ImpactkitError as exc:
        return _design_page(request, db, me, row, field_errors(exc, language_of(request)))
    return redirect(f"/app/projects/{project.id}", done="project_adopted")


@get("/app/frameworks/designs/{design_id:int}/theory-of-change", sync_to_thread=True)
def theory_of_change_page(request: PageRequest, db: DB, me: Me, design_id: FromPath[int]) -> Template:
    row = svc.design(db, me, design_id)
    framework = Framework.model_validate(row.content)
    language = language_of(request)
    context = theory_of_change_context(framework, language)
    return render(request, "design/theory_of_change.html", me, row=row, doc=context)


@get("/app/frameworks/designs/{design_id:int}/theory-of-change.pdf", sync_to_thread=True)
def theory_of_change_download(
    request: PageRequest, db: DB, me: Me, design_id: FromPath[int]
) -> Response[bytes]:
    row = svc.design(db, me, design_id)
    language = language_of(request)
    content = theory_of_change_pdf(Framework.model_validate(row.content), "en" if language == "en" else "it")
    name = f"{row.framework_id}-{row.version}-theory-of-change.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@get("/app/grants/{grant_id:int}/framework", sync_to_thread=True)
def grant_framework_page(request: PageRequest, db: DB, me: Me, grant_id: FromPath[int]) -> Template:
    grant, framework = svc.grant_requirement(db, me, grant_id)
    return _grant_page(request, db, me, grant, framework)


def _grant_page(
    request: PageRequest,
    db: DB,
    me: Me,
    grant: Grant,
    framework: Framework | None,
    errors: dict[str, str] | None = None,
) -> Template:
    is_funder = me.is_admin or grant.funder_id in me.funder_ids
    return render(
        request,
        "design/grant.html",
        me,
        status=422 if errors else 200,
        grant=grant,
        framework=framework,
        is_funder=is_funder,
        bases=_bases(db) if is_funder else [],
        errors=errors or {},
    )


@post("/app/grants/{grant_id:int}/framework", sync_to_thread=True)
def require_framework(
    request: PageRequest, db: DB, me: Me, grant_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]
) -> Any:
    grant, framework = svc.grant_requirement(db, me, grant_id)
    try:
        reference = form_text(data, "framework", required=True, max_length=121)
        svc.require_for_grant(db, me, grant_id, reference, None)
    except ImpactkitError as exc:
        return _grant_page(request, db, me, grant, framework, field_errors(exc, language_of(request)))
    return redirect(f"/app/grants/{grant_id}/framework", done="required_done")


ROUTES = [
    frameworks_page,
    start_design,
    design_page,
    save_indicators,
    new_indicator,
    save_theory_of_change,
    publish,
    next_version,
    use_in_project,
    adopt_in_project,
    theory_of_change_page,
    theory_of_change_download,
    grant_framework_page,
    require_framework,
]
