"""A report's SROI value map: saved by its organisation or by its evaluator, every version kept.

The organisation changes the map of its draft (or makes a new draft of a returned or
validated report, as any change does); the evaluator the report was submitted to attaches or
replaces the map of the submitted version they are reviewing — building the SROI analysis is
the evaluator's job. Each save stores the map as its author wrote it (KPI links kept) as a new
:class:`ValueMapVersion`, and the report's content gets the map with those links resolved,
its result, sensitivity and (when estimates carry distributions) Monte Carlo.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from impactkit.errors import NotFoundError, PermissionDeniedError, ReportStateError
from impactkit.reports import ReportContent
from impactkit.sroi import MapChange, ValueMap, diff_value_maps, parse_value_map
from impactkit.store import reports as workflow
from impactkit.store.principals import Principal
from impactkit.store.sroi import prepare_value_map
from impactkit.store.tables import Report, ReportVersion, ValueMapVersion

SOURCES = ("editor", "upload", "template", "api", "organisation")


def _role(session: Session, principal: Principal, report: Report) -> str:
    """``member`` (may edit as the organisation), ``evaluator`` (assigned), or NotFoundError."""
    if principal.is_admin or report.organisation_id in principal.roles:
        role = principal.role_in(report.organisation_id)
        if not principal.is_admin and (role is None or role.value not in ("owner", "editor")):
            raise PermissionDeniedError("changing the value map needs the editor role or higher")
        return "member"
    if report.evaluator_user_id == principal.user_id:
        latest = workflow.version(session, report)
        if latest.state != "submitted" or latest.evaluator_user_id != principal.user_id:
            raise ReportStateError(
                f"the report is {latest.state}, not with you: an evaluator changes the value map only "
                "while the report is submitted to them"
            )
        return "evaluator"
    raise NotFoundError(f"report {report.id} not found")


def can_edit(session: Session, principal: Principal, report: Report) -> bool:
    """Whether the caller may save a value map on this report now."""
    try:
        _role(session, principal, report)
    except (NotFoundError, PermissionDeniedError, ReportStateError):
        return False
    latest = workflow.version(session, report)
    return latest.state != "submitted" or report.evaluator_user_id == principal.user_id


def save_value_map(
    session: Session,
    principal: Principal,
    report: Report,
    data: Any,
    *,
    source: str = "api",
    note: str = "",
) -> tuple[ReportVersion, ValueMapVersion]:
    """Check the map, resolve its KPI links, put it in the report and keep it as a new version.

    Raises:
        ValueMapError: the map has impossible inputs or links that cannot be resolved (every
            problem located).
        ReportStateError: the report is not in a state the caller may change.
        NotFoundError: the caller may not see the report.
    """
    role = _role(session, principal, report)
    as_written = parse_value_map(data)
    resolved = prepare_value_map(session, principal, data, report_project_id=report.project_id)
    resolved_data = resolved.model_dump(mode="json")
    if role == "evaluator":
        row = workflow.version(session, report)
        content = dict(row.content)
        content["sroi"] = workflow._sroi_section(resolved_data)
        ReportContent.model_validate(content)
        row.content = content
        session.add(row)
    else:
        row = workflow.update_report(session, principal, report, sroi_value_map=resolved_data)
    number = (
        session.exec(
            select(ValueMapVersion.number)
            .where(ValueMapVersion.report_id == report.id)
            .order_by(ValueMapVersion.number.desc())  # type: ignore[attr-defined]
        ).first()
        or 0
    ) + 1
    saved = ValueMapVersion(
        report_id=report.id or 0,
        number=number,
        value_map=as_written.model_dump(mode="json"),
        sroi_ratio=float(row.content["sroi"]["result"]["sroi_ratio"]),
        author_user_id=principal.user_id,
        source=source if source in SOURCES else "api",
        note=note[:500],
    )
    session.add(saved)
    workflow._event(
        session,
        principal,
        report,
        "report.value_map_saved",
        row.state,
        row.state,
        note[:500],
        {"value_map_version": number, "by": role, "source": saved.source},
    )
    session.flush()
    return row, saved


def _visible(session: Session, principal: Principal, report: Report) -> None:
    """Members, administrators and the report's evaluator see its value-map versions."""
    if principal.is_admin or report.organisation_id in principal.roles:
        return
    if report.evaluator_user_id == principal.user_id:
        return
    raise NotFoundError(f"report {report.id} not found")


def versions(session: Session, principal: Principal, report: Report) -> list[ValueMapVersion]:
    """Every saved version of the report's value map, oldest first."""
    _visible(session, principal, report)
    return list(
        session.exec(
            select(ValueMapVersion)
            .where(ValueMapVersion.report_id == report.id)
            .order_by(ValueMapVersion.number)  # type: ignore[arg-type]
        ).all()
    )


def get_version(session: Session, principal: Principal, report: Report, number: int) -> ValueMapVersion:
    _visible(session, principal, report)
    row = session.exec(
        select(ValueMapVersion).where(
            ValueMapVersion.report_id == report.id, ValueMapVersion.number == number
        )
    ).first()
    if row is None:
        raise NotFoundError(f"report {report.id} has no value map version {number}")
    return row


def latest_map(session: Session, principal: Principal, report: Report) -> ValueMap | None:
    """The newest saved version, or the map in the report's content, or None."""
    rows = versions(session, principal, report)
    if rows:
        return ValueMap.model_validate(rows[-1].value_map)
    content = workflow.version(session, report).content
    sroi = content.get("sroi") or {}
    return ValueMap.model_validate(sroi["value_map"]) if sroi.get("value_map") else None


def diff(session: Session, principal: Principal, report: Report, first: int, second: int) -> list[MapChange]:
    """What changed from version ``first`` to version ``second`` of the report's value map."""
    before = get_version(session, principal, report, first)
    after = get_version(session, principal, report, second)
    return diff_value_maps(before.value_map, after.value_map)
