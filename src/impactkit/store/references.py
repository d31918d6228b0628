"""Checks of the ids and references a request gives, made when it gives them.

A reference that names nothing the caller may use (a framework that does not exist, another
project's period, a user who is not an accredited evaluator …) is refused at once with
:class:`~impactkit.errors.UnknownReferenceError` (422) naming the field, instead of being stored
and failing later on every KPI or report call. Another organisation's row reads exactly like a
missing one, so the answer reveals nothing.
"""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, SQLModel

from impactkit.errors import ImpactkitError, NotFoundError, Problem, UnknownReferenceError
from impactkit.frameworks.model import Framework
from impactkit.store.tables import Project, ReportingPeriod

Row = TypeVar("Row", bound=SQLModel)

REFERENCE = "unknown_reference"
"""The code of a :class:`Problem` that is an id naming nothing usable."""


def refused(message: str, problems: list[Problem]) -> ImpactkitError:
    """Every problem of an input at once: a 422 when one of them is a reference, else a 400."""
    if any(problem.code == REFERENCE for problem in problems):
        return UnknownReferenceError(message, problems)
    return ImpactkitError(message, problems)


def unknown(field: str, message: str) -> UnknownReferenceError:
    """The error for one reference: ``field`` is where it was given (``period_id``, ``query.project_id``)."""
    return UnknownReferenceError(message, [Problem(message, field, REFERENCE)])


def require_row(session: Session, table: type[Row], row_id: int, field: str, what: str) -> Row:
    """The row with this id, or a 422 naming ``field``."""
    row = session.get(table, row_id)
    if row is None:
        raise unknown(field, f"{what} {row_id} not found")
    return row


def require_period(
    session: Session, project_id: int, period_id: int, field: str = "period_id"
) -> ReportingPeriod:
    """A reporting period of this project, or a 422 naming ``field``."""
    period = session.get(ReportingPeriod, period_id)
    if period is None or period.project_id != project_id:
        raise unknown(field, f"period {period_id} is not a period of project {project_id}")
    return period


def require_project_of(
    session: Session, organisation_id: int, project_id: int, field: str = "project_id"
) -> Project:
    """A project of this organisation, or a 422 naming ``field``."""
    project = session.get(Project, project_id)
    if project is None or project.organisation_id != organisation_id:
        raise unknown(field, f"project {project_id} is not a project of organisation {organisation_id}")
    return project


def require_framework(
    session: Session,
    framework_id: str | None,
    version: str | None,
    *,
    id_field: str = "framework_id",
    version_field: str = "framework_version",
) -> Framework | None:
    """The shipped or published framework named (its version if given), or a 422 naming the field.

    ``None`` when neither is given; a version without a framework is refused.
    """
    from impactkit.store.frameworks import resolve_framework

    if framework_id is None:
        if version is not None:
            raise unknown(version_field, f"a framework version needs its framework: give {id_field} too")
        return None
    try:
        framework = resolve_framework(session, framework_id, version)
    except NotFoundError:
        if version is not None and _exists(session, framework_id):
            raise unknown(
                version_field, f"framework {framework_id!r} has no shipped or published version {version!r}"
            ) from None
        raise unknown(id_field, f"no shipped or published framework {framework_id!r}") from None
    pinned = version or framework_id.partition("@")[2]
    if pinned and framework.version != pinned:
        raise unknown(
            version_field, f"framework {framework.id!r} is version {framework.version!r}, not {pinned!r}"
        )
    return framework


def _exists(session: Session, framework_id: str) -> bool:
    from impactkit.store.frameworks import resolve_framework

    try:
        resolve_framework(session, framework_id)
    except NotFoundError:
        return False
    return True


def require_indicators(framework: Framework, indicator_ids: list[str], field: str) -> None:
    """Every id is an indicator of the framework, or a 422 naming each one (``field[i]``)."""
    known = {indicator.id for indicator in framework.indicators}
    problems = [
        Problem(
            f"{indicator_id!r} is not an indicator of framework {framework.id} {framework.version}",
            f"{field}[{index}].indicator_id",
            REFERENCE,
        )
        for index, indicator_id in enumerate(indicator_ids)
        if indicator_id not in known
    ]
    if problems:
        raise UnknownReferenceError(problems[0].message, problems)


def check_filters(
    session: Session, organisation_ids: list[int] | None, project_id: int | None, period_id: int | None
) -> None:
    """A query's project (one of the caller's organisations; ``None`` = any) and its period exist,
    or a 422 naming ``query.project_id`` / ``query.period_id``: a filter naming nothing is a
    mistake to report, not an empty answer."""
    if project_id is not None:
        project = session.get(Project, project_id)
        if project is None or (
            organisation_ids is not None and project.organisation_id not in organisation_ids
        ):
            raise unknown("query.project_id", f"project {project_id} not found")
        if period_id is not None:
            require_period(session, project_id, period_id, "query.period_id")
    elif period_id is not None:
        period = session.get(ReportingPeriod, period_id)
        owner = session.get(Project, period.project_id) if period is not None else None
        if owner is None or (organisation_ids is not None and owner.organisation_id not in organisation_ids):
            raise unknown("query.period_id", f"period {period_id} not found")


def check_framework_query(session: Session, framework_id: str | None, version: str | None) -> None:
    """A query's framework (and version) exists, or a 422 naming ``query.framework_id``."""
    require_framework(
        session, framework_id, version, id_field="query.framework_id", version_field="query.framework_version"
    )


__all__ = [
    "REFERENCE",
    "check_filters",
    "check_framework_query",
    "refused",
    "require_framework",
    "require_indicators",
    "require_period",
    "require_project_of",
    "require_row",
    "unknown",
]
