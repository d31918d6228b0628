"""Frameworks designed in the browser: drafts, published versions, adoption and grant requirements.

A design belongs to an organisation (or a consortium's lead organisation) or to a funder (for
its call). Drafts are seen and edited by their owners only; a published version is frozen, seen
by every signed-in user, adopted by projects and required by grants. Publishing checks the
framework like ``impactkit frameworks check`` (fields of the forms it reads, circular
definitions, a changed definition under a shipped or previously published id, proxies with
sources), so nothing that would make figures wrong or incomparable is published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from impactkit.domain import MemberRole
from impactkit.errors import ConflictError, FrameworkError, NotFoundError, PermissionDeniedError, Problem
from impactkit.frameworks import get_framework, shipped_form_fields, shipped_frameworks
from impactkit.frameworks.design import design_from, next_version
from impactkit.frameworks.loading import _validate, framework_problems
from impactkit.frameworks.model import Framework
from impactkit.store.principals import ROLE_RANK, Principal
from impactkit.store.references import require_framework, require_row, unknown
from impactkit.store.surveys import form_of
from impactkit.store.tables import (
    DesignedFramework,
    FormVersion,
    Funder,
    Grant,
    GrantFramework,
    Organisation,
    Project,
)
from impactkit.store.types import utcnow


def require_member(principal: Principal, organisation_id: int, at_least: MemberRole) -> None:
    """Members with at least this role pass (404 to strangers, 403 to a lower role)."""
    if principal.is_admin:
        return
    role = principal.role_in(organisation_id)
    if role is None:
        raise NotFoundError(f"organisation {organisation_id} not found")
    if ROLE_RANK[role] < ROLE_RANK[at_least]:
        raise PermissionDeniedError(
            f"this action needs the {at_least.value} role or higher; you are {role.value}"
        )


def require_funder(principal: Principal, funder_id: int) -> None:
    """Members of the funder pass (404 to others)."""
    if not (principal.is_admin or funder_id in principal.funder_ids):
        raise NotFoundError(f"funder {funder_id} not found")


DRAFT = "draft"
PUBLISHED = "published"


@dataclass(frozen=True)
class FrameworkChoice:
    """A framework a project can adopt: shipped, or designed and published."""

    id: str
    version: str
    title: dict[str, str]
    indicators: int
    origin: str
    """``shipped`` or ``designed``."""


def _is_shipped(framework_id: str) -> bool:
    return any(f.id == framework_id for f in shipped_frameworks())


def _framework(row: DesignedFramework) -> Framework:
    return Framework.model_validate(row.content)


def owns(principal: Principal, row: DesignedFramework, *, write: bool = False) -> bool:
    """True when the caller may see (or, ``write``, edit) this design's drafts."""
    if principal.is_admin:
        return True
    if row.organisation_id is not None:
        role = principal.role_in(row.organisation_id)
        if role is None:
            return False
        return not write or role in {MemberRole.owner, MemberRole.editor}
    return row.funder_id is not None and row.funder_id in principal.funder_ids


def design(
    session: Session, principal: Principal, design_id: int, *, write: bool = False
) -> DesignedFramework:
    """One design version the caller may see (404 otherwise; 403 to write without the role)."""
    row = session.get(DesignedFramework, design_id)
    if row is None or (row.state != PUBLISHED and not owns(principal, row)):
        raise NotFoundError(f"framework design {design_id} not found")
    if write and not owns(principal, row, write=True):
        if owns(principal, row):
            raise PermissionDeniedError("editing a framework needs the editor role or higher")
        raise NotFoundError(f"framework design {design_id} not found")
    return row


def designs(session: Session, principal: Principal) -> list[DesignedFramework]:
    """Every published design, and the caller's own drafts, newest first."""
    rows = session.exec(select(DesignedFramework).order_by(col(DesignedFramework.id).desc())).all()
    return [row for row in rows if row.state == PUBLISHED or owns(principal, row)]


def start_design(
    session: Session,
    principal: Principal,
    *,
    base: str,
    framework_id: str,
    title: Mapping[str, str] | None = None,
    organisation_id: int | None = None,
    funder_id: int | None = None,
) -> DesignedFramework:
    """A new draft, version 1, copied from a shipped or published framework."""
    if (organisation_id is None) == (funder_id is None):
        raise FrameworkError(
            "a design belongs to one organisation or one funder",
            [Problem("give organisation_id or funder_id (one of them)", "organisation_id")],
        )
    if organisation_id is not None:
        require_member(principal, organisation_id, MemberRole.editor)
    if funder_id is not None:
        require_funder(principal, funder_id)
    if (
        _is_shipped(framework_id)
        or session.exec(
            select(DesignedFramework).where(DesignedFramework.framework_id == framework_id)
        ).first()
    ):
        raise ConflictError(
            f"a framework with id {framework_id!r} exists",
            [Problem(f"the id {framework_id!r} is taken: choose another", "framework_id", "conflict")],
        )
    if organisation_id is not None:
        require_row(session, Organisation, organisation_id, "organisation_id", "organisation")
    if funder_id is not None:
        require_row(session, Funder, funder_id, "funder_id", "funder")
    try:
        origin = resolve_framework(session, base, principal=principal)
    except NotFoundError:
        raise unknown("base", f"no shipped or published framework {base!r} to start from") from None
    try:
        framework = design_from(origin, framework_id, title=dict(title) if title else None)
    except FrameworkError as error:
        raise FrameworkError(error.message, error.problems) from None
    row = DesignedFramework(
        framework_id=framework.id,
        version=framework.version,
        organisation_id=organisation_id,
        funder_id=funder_id,
        state=DRAFT,
        content=framework.model_dump(mode="json"),
        created_by=principal.user_id,
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def parse_design(content: Any) -> Framework:
    """A framework from plain data, refused with every structural problem named."""
    if not isinstance(content, dict):
        raise FrameworkError("a framework must be an object", [Problem("expected an object", "framework")])
    framework, problems = _validate(content)
    if framework is None or problems:
        raise FrameworkError("the framework is not valid", problems)
    if framework.kind != "indicators":
        raise FrameworkError(
            "only indicator frameworks are designed", [Problem("expected kind: indicators", "kind")]
        )
    return framework


def save_design(
    session: Session, principal: Principal, design_id: int, framework: Framework
) -> DesignedFramework:
    """Replace a draft's content (its id and version stay those of the draft)."""
    row = design(session, principal, design_id, write=True)
    if row.state != DRAFT:
        raise ConflictError(
            f"{row.framework_id} {row.version} is published and never changes",
            [
                Problem(
                    "a published version is frozen: start the next version to edit it", "state", "conflict"
                )
            ],
        )
    kept = framework.model_copy(update={"id": row.framework_id, "version": row.version})
    row.content = kept.model_dump(mode="json")
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def known_form_fields(
    session: Session, principal: Principal, row: DesignedFramework
) -> dict[str, frozenset[str]]:
    """form_id → field names of every form the design may read: shipped, shared and the owner's."""
    fields: dict[str, frozenset[str]] = dict(shipped_form_fields())
    query = select(FormVersion).where(
        (col(FormVersion.organisation_id).is_(None))
        | (col(FormVersion.organisation_id) == row.organisation_id)
    )
    for version in session.exec(query.order_by(col(FormVersion.id))).all():
        form = form_of(version)
        fields[form.form_id] = fields.get(form.form_id, frozenset()) | frozenset(
            f.name for f in form.fields()
        )
    return fields


def latest_published(session: Session, framework_id: str) -> DesignedFramework | None:
    """The newest published version of a designed framework."""
    rows = session.exec(
        select(DesignedFramework)
        .where(DesignedFramework.framework_id == framework_id, DesignedFramework.state == PUBLISHED)
        .order_by(col(DesignedFramework.id).desc())
    ).all()
    return rows[0] if rows else None


def design_problems(session: Session, principal: Principal, row: DesignedFramework) -> list[Problem]:
    """Every problem publishing would refuse (an empty list when it can be published)."""
    framework = _framework(row)
    previous_row = latest_published(session, row.framework_id)
    previous = _framework(previous_row) if previous_row is not None and previous_row.id != row.id else None
    return framework_problems(framework, known_form_fields(session, principal, row), previous)


def publish_design(session: Session, principal: Principal, design_id: int) -> DesignedFramework:
    """Check and freeze a draft; from now on projects can adopt it and grants require it."""
    row = design(session, principal, design_id, write=True)
    if row.state == PUBLISHED:
        return row
    problems = design_problems(session, principal, row)
    if problems:
        raise FrameworkError(f"{row.framework_id} {row.version} cannot be published", problems)
    framework = _framework(row)
    row.state = PUBLISHED
    row.content_hash = framework.content_hash()
    row.published_at = utcnow()
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def next_draft(session: Session, principal: Principal, design_id: int) -> DesignedFramework:
    """The draft of the next version of a published design (the existing one if there is one)."""
    row = design(session, principal, design_id, write=True)
    if row.state == DRAFT:
        return row
    draft = session.exec(
        select(DesignedFramework).where(
            DesignedFramework.framework_id == row.framework_id, DesignedFramework.state == DRAFT
        )
    ).first()
    if draft is not None:
        return draft
    version = next_version(row.version)
    framework = _framework(row).model_copy(update={"version": version})
    draft = DesignedFramework(
        framework_id=row.framework_id,
        version=version,
        organisation_id=row.organisation_id,
        funder_id=row.funder_id,
        state=DRAFT,
        content=framework.model_dump(mode="json"),
        created_by=principal.user_id,
    )
    session.add(draft)
    session.commit()
    session.refresh(draft)
    return draft


def resolve_framework(
    session: Session, framework_id: str, version: str | None = None, *, principal: Principal | None = None
) -> Framework:
    """A shipped framework, or a published designed one (the given version, else the newest).

    With ``principal`` the caller's own drafts are found too (to design from a draft).
    """
    reference, _, pinned = framework_id.partition("@")
    version = version or pinned or None
    if _is_shipped(reference):
        return get_framework(reference)
    query = select(DesignedFramework).where(DesignedFramework.framework_id == reference)
    if version is not None:
        query = query.where(DesignedFramework.version == version)
    for row in session.exec(query.order_by(col(DesignedFramework.id).desc())).all():
        if row.state == PUBLISHED or (principal is not None and owns(principal, row)):
            return _framework(row)
    raise NotFoundError(
        f"framework {framework_id!r} not found",
        [Problem(f"no shipped or published framework {framework_id!r}", "framework_id", "not_found")],
    )


def framework_choices(session: Session) -> list[FrameworkChoice]:
    """Frameworks a project can adopt: the shipped indicator frameworks and every published design."""
    out = [
        FrameworkChoice(f.id, f.version, f.title.model_dump(), len(f.indicators), "shipped")
        for f in shipped_frameworks()
        if f.kind == "indicators"
    ]
    rows = session.exec(
        select(DesignedFramework)
        .where(DesignedFramework.state == PUBLISHED)
        .order_by(col(DesignedFramework.id))
    ).all()
    for row in rows:
        framework = _framework(row)
        out.append(
            FrameworkChoice(
                row.framework_id,
                row.version,
                framework.title.model_dump(),
                len(framework.indicators),
                "designed",
            )
        )
    return out


def adopt(
    session: Session, principal: Principal, project_id: int, framework_id: str, version: str | None
) -> Project:
    """The project reports with this framework (shipped, or a published design)."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFoundError(f"project {project_id} not found")
    require_member(principal, project.organisation_id, MemberRole.editor)
    framework = require_framework(session, framework_id, version, version_field="version")
    assert framework is not None
    project.framework_id = framework.id
    project.framework_version = framework.version
    session.add(project)
    session.commit()
    session.refresh(project)
    return project


def require_for_grant(
    session: Session, principal: Principal, grant_id: int, framework_id: str, version: str | None
) -> GrantFramework:
    """The funder requires the grant's project to report with this framework."""
    grant = session.get(Grant, grant_id)
    if grant is None:
        raise NotFoundError(f"grant {grant_id} not found")
    require_funder(principal, grant.funder_id)
    framework = require_framework(session, framework_id, version, version_field="version")
    assert framework is not None
    row = session.get(GrantFramework, grant_id) or GrantFramework(
        grant_id=grant_id, framework_id=framework.id, framework_version=framework.version
    )
    row.framework_id, row.framework_version = framework.id, framework.version
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def grant_requirement(
    session: Session, principal: Principal, grant_id: int
) -> tuple[Grant, Framework | None]:
    """The grant and the framework it requires (None when it requires none).

    Seen by the funder's members and by the members of the organisation that holds the grant.
    """
    grant = session.get(Grant, grant_id)
    if grant is None:
        raise NotFoundError(f"grant {grant_id} not found")
    if not (
        principal.is_admin
        or grant.funder_id in principal.funder_ids
        or principal.role_in(grant.organisation_id) is not None
    ):
        raise NotFoundError(f"grant {grant_id} not found")
    row = session.get(GrantFramework, grant_id)
    if row is None:
        return grant, None
    return grant, resolve_framework(session, row.framework_id, row.framework_version)


__all__ = [
    "FrameworkChoice",
    "adopt",
    "design",
    "design_problems",
    "designs",
    "framework_choices",
    "grant_requirement",
    "known_form_fields",
    "next_draft",
    "parse_design",
    "publish_design",
    "require_for_grant",
    "resolve_framework",
    "save_design",
    "start_design",
]
