"""SROI value maps in the service: quantities linked to KPI results are resolved from stored data."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from impactkit.errors import NotFoundError, Problem, ValueMapError
from impactkit.sroi import ValueMap, kpi_links, parse_value_map, resolve_quantities
from impactkit.store.kpi_cache import cached_project_kpis
from impactkit.store.principals import Principal
from impactkit.store.tables import Project


def prepare_value_map(
    session: Session, principal: Principal, data: Any, *, report_project_id: int | None = None
) -> ValueMap:
    """Check a value map and replace each KPI-linked quantity with the KPI's value.

    A link may name only projects the caller can read (members and administrators) or, when
    the map belongs to a report (``report_project_id``), that report's own project, which its
    evaluator may link to; any other is reported as not found, like the rest of the API.
    """
    value_map = parse_value_map(data)
    links = kpi_links(value_map)
    if not links:
        return value_map
    quantities: dict[int, float] = {}
    problems: list[Problem] = []
    for index, link in links.items():
        where = f"outcomes[{index}].quantity"
        try:
            project_id, period_id = int(link.project_id), int(link.period_id)
        except (TypeError, ValueError):
            problems.append(Problem("project_id and period_id must be numbers", where))
            continue
        project = session.get(Project, project_id)
        readable = project is not None and (
            principal.is_admin
            or project.organisation_id in principal.roles
            or project.id == report_project_id
        )
        if project is None or not readable:
            problems.append(Problem(f"project {project_id} not found", where, "not_found"))
            continue
        try:
            result = cached_project_kpis(session, project_id, period_id).get(link.kpi)
        except NotFoundError as exc:
            problems.append(Problem(exc.message, where, "not_found"))
            continue
        except KeyError:
            problems.append(Problem(f"the project's framework has no indicator {link.kpi!r}", where))
            continue
        if result.value is None:
            problems.append(
                Problem(f"KPI {link.kpi!r} has no value for period {period_id} (no data yet)", where)
            )
            continue
        quantities[index] = float(result.value)
    if problems:
        raise ValueMapError("the value map's KPI links cannot be resolved", problems)
    return resolve_quantities(value_map, quantities)
