"""The social-report workflow: draft → submitted → validated | returned → new draft.

A validated version is frozen: its content, SHA-256 hash and validation stamp never change;
any later change makes a new draft version. Every move is recorded in the audit log.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from impactkit.errors import NotFoundError, PermissionDeniedError, Problem, ReportStateError, ValueMapError
from impactkit.frameworks import get_framework
from impactkit.reports import (
    CheckItem,
    ColumnSpec,
    FrozenCheck,
    Portfolio,
    PortfolioEntry,
    ReportContent,
    ReportStats,
    ResponseCount,
    ValidationStamp,
    WorkflowEvent,
    build_portfolio,
    content_hash,
    frozen_document,
    load_content,
    portfolio_csv,
    portfolio_json,
    report_sections,
    run_checklist,
    validation_blockers,
    write_portfolio_workbook,
    write_report_xlsx,
)
from impactkit.reports.grants import GrantTerms, stage_of
from impactkit.reports.indigo import STANDARD as INDIGO_STANDARD
from impactkit.reports.indigo import indigo_projects
from impactkit.store.admin import audit, get
from impactkit.store.kpi_cache import cached_project_kpis
from impactkit.store.logos import current_logo, logo_of_content, reference, with_current_logo
from impactkit.store.principals import Principal
from impactkit.store.references import require_period, unknown
from impactkit.store.surveys import ResponseFilter, form_of, iter_responses
from impactkit.store.tables import (
    AuditEvent,
    EvaluatorAccreditation,
    FormVersion,
    Funder,
    Grant,
    Membership,
    Organisation,
    Project,
    Report,
    ReportingPeriod,
    ReportVersion,
    User,
)
from impactkit.store.types import utcnow
from impactkit.surveys.model import Field as FormField
from impactkit.surveys.model import Repeat, pick_translation

EDITABLE = {"draft"}


def _sroi_section(value_map: dict[str, Any] | None) -> dict[str, Any] | None:
    if not value_map:
        return None
    from impactkit.sroi import ValueMap, compute, sensitivity

    try:
        parsed = ValueMap.model_validate(value_map)
    except Exception as exc:  # pydantic's ValidationError: reported with its fields
        problems = [
            Problem(str(item.get("msg")), "sroi." + ".".join(map(str, item.get("loc", ()))))
            for item in getattr(exc, "errors", lambda: [])()
        ]
        raise ValueMapError(
            "the SROI value map is not valid", problems or [Problem(str(exc), "sroi")]
        ) from None
    result = compute(parsed)
    tornado = sensitivity(parsed)
    section: dict[str, Any] = {
        "value_map": parsed.model_dump(mode="json"),
        "result": result.model_dump(mode="json"),
        "sensitivity": tornado.model_dump(mode="json"),
    }
    if parsed.discount_rate_distribution is not None or any(o.distributions for o in parsed.outcomes):
        from impactkit.sroi import simulate

        # A fixed seed: the frozen content says exactly what anyone recomputing it will find.
        uncertainty = simulate(parsed, draws=REPORT_DRAWS, seed=REPORT_SEED)
        section["monte_carlo"] = uncertainty.model_dump(mode="json")
    return section


REPORT_DRAWS = 10_000
"""Monte Carlo draws of the SROI analysis stored in a report."""
REPORT_SEED = 2030
"""Seed of the report's Monte Carlo, so the frozen figures can be reproduced exactly."""


def _targets(session: Session, project: Project, period: ReportingPeriod) -> list[dict[str, Any]]:
    """The grants' targets that apply to this report: those of its stage for each grant (interim
    when the period ends before the grant does, final otherwise), in the grant's currency."""
    grants = session.exec(select(Grant).where(Grant.organisation_id == project.organisation_id)).all()
    targets: list[dict[str, Any]] = []
    for grant in grants:
        if grant.project_id not in (None, project.id):
            continue
        stage = stage_of(period.ends_on, grant_terms(grant))
        for target in grant.targets:
            if target.get("stage", "final") != stage:
                continue
            targets.append({**target, "currency": grant.currency, "grant": grant.title})
    return targets


def grant_terms(grant: Grant, funder: str = "") -> GrantTerms:
    """A stored grant as the portfolio reads it."""
    return GrantTerms(
        id=grant.id or 0,
        title=grant.title,
        funder=funder,
        amount=grant.amount,
        currency=grant.currency,
        outcome_based=grant.outcome_based,
        starts_on=grant.starts_on,
        ends_on=grant.ends_on,
        targets=[{**t, "currency": grant.currency} for t in grant.targets],
    )


def assemble_content(
    session: Session,
    project: Project,
    period: ReportingPeriod,
    *,
    language: str = "it",
    sections: dict[str, str] | None = None,
    sroi_value_map: dict[str, Any] | None = None,
    figures: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The report content: organisation, project, period, KPI results, SROI, sections, targets,
    and the figures the organisation entered for the decree's sections."""
    organisation = get(session, Organisation, project.organisation_id, "organisation")
    kpis = cached_project_kpis(session, project.id or 0, period.id)
    framework = get_framework(kpis.framework_id)
    tags = {indicator.id: indicator.tags.model_dump(mode="json") for indicator in framework.indicators}
    content = ReportContent.model_validate(
        {
            "organisation": {
                **organisation.model_dump(mode="json"),
                "logo": reference(current_logo(session, organisation.id or 0)),
            },
            "project": {"id": str(project.id), "name": project.name, "description": project.description},
            "period": {"label": period.label, "start": period.starts_on, "end": period.ends_on},
            "framework": {"id": kpis.framework_id, "version": kpis.framework_version},
            "language": language,
            "kpis": [
                {**r.model_dump(mode="json"), "tags": tags.get(r.indicator_id, {})}
                for r in kpis.results
                if r.group is None
            ],
            "sroi": _sroi_section(sroi_value_map),
            "sections": sections or {},
            "targets": _targets(session, project, period),
            "figures": figures or None,
        }
    )
    return content.model_dump(mode="json")


def _versions(with_content: bool) -> SelectOfScalar[ReportVersion]:
    """A query of report versions, their content (the sealed report, tens of KiB) left unread
    until it is used when ``with_content`` is False: lists show versions, not what they hold."""
    query = select(ReportVersion)
    return query if with_content else query.options(defer(ReportVersion.content))  # type: ignore[arg-type]


def _latest(session: Session, report: Report, with_content: bool = True) -> ReportVersion:
    row = session.exec(
        _versions(with_content).where(
            ReportVersion.report_id == report.id, ReportVersion.number == report.current_version
        )
    ).one()
    return row


def version(
    session: Session, report: Report, number: int | None = None, *, with_content: bool = True
) -> ReportVersion:
    if number is None:
        return _latest(session, report, with_content)
    row = session.exec(
        _versions(with_content).where(ReportVersion.report_id == report.id, ReportVersion.number == number)
    ).first()
    if row is None:
        raise NotFoundError(f"report {report.id} has no version {number}")
    return row


def create_report(
    session: Session,
    principal: Principal,
    project_id: int,
    period_id: int,
    *,
    language: str = "it",
    sections: dict[str, str] | None = None,
    sroi_value_map: dict[str, Any] | None = None,
    figures: dict[str, Any] | None = None,
) -> Report:
    project = get(session, Project, project_id, "project")
    period = require_period(session, project_id, period_id)
    existing = session.exec(
        select(Report).where(Report.project_id == project_id, Report.period_id == period_id)
    ).first()
    if existing is not None:
        raise ReportStateError(
            f"project {project_id} already has report {existing.id} for period {period_id}; change that one"
        )
    content = assemble_content(
        session,
        project,
        period,
        language=language,
        sections=sections,
        sroi_value_map=sroi_value_map,
        figures=figures,
    )
    report = Report(organisation_id=project.organisation_id, project_id=project_id, period_id=period_id)
    session.add(report)
    try:
        session.flush()
    except IntegrityError:
        # the same draft asked for twice at once (a client resending after a timeout, to another
        # server): the second finds the first's row at insert, and gets what the check above says
        session.rollback()
        raise ReportStateError(
            f"project {project_id} already has a report for period {period_id}; change that one"
        ) from None
    session.add(ReportVersion(report_id=report.id or 0, number=1, content=content))
    _event(session, principal, report, "report.created", None, "draft")
    session.flush()
    return report


def update_report(
    session: Session,
    principal: Principal,
    report: Report,
    *,
    language: str | None = None,
    sections: dict[str, str] | None = None,
    sroi_value_map: dict[str, Any] | None = None,
    refresh_kpis: bool = False,
    figures: dict[str, Any] | None = None,
) -> ReportVersion:
    """Change a report: in place while it is a draft; as a new draft version once it was
    returned or validated (the validated version never changes); refused while submitted."""
    latest = _latest(session, report)
    if latest.state == "submitted":
        raise ReportStateError("the report is with the evaluator; it can change once returned or validated")
    project = get(session, Project, report.project_id, "project")
    period = get(session, ReportingPeriod, report.period_id, "period")
    old = latest.content
    content = (
        assemble_content(
            session,
            project,
            period,
            language=language or old.get("language", "it"),
            sections=sections if sections is not None else old.get("sections", {}),
            sroi_value_map=sroi_value_map
            if sroi_value_map is not None
            else (old.get("sroi") or {}).get("value_map"),
            figures=figures if figures is not None else old.get("figures"),
        )
        if refresh_kpis or sroi_value_map is not None
        else {
            **old,
            "language": language or old.get("language", "it"),
            "sections": sections if sections is not None else old.get("sections", {}),
        }
    )
    if figures is not None and not (refresh_kpis or sroi_value_map is not None):
        content["figures"] = figures
    if sections is not None or figures is not None:
        content = load_content(content).model_dump(mode="json")
    # a draft prints the organisation's logo of now (a kept version keeps the one it was sealed with)
    content = with_current_logo(session, report.organisation_id, content)
    if latest.state in EDITABLE:
        latest.content = content
        session.add(latest)
        _event(session, principal, report, "report.updated", "draft", "draft")
        session.flush()
        return latest
    new = ReportVersion(report_id=report.id or 0, number=latest.number + 1, content=content)
    report.current_version = new.number
    report.state = "draft"
    session.add_all([new, report])
    _event(session, principal, report, "report.new_version", latest.state, "draft", f"version {new.number}")
    session.flush()
    return new


def _valid_accreditation(session: Session, user_id: int, day: date) -> EvaluatorAccreditation | None:
    return session.exec(
        select(EvaluatorAccreditation).where(
            EvaluatorAccreditation.user_id == user_id,
            EvaluatorAccreditation.valid_from <= day,
            EvaluatorAccreditation.valid_until >= day,
        )
    ).first()


def _is_member(session: Session, user_id: int, organisation_id: int) -> bool:
    return (
        session.exec(
            select(Membership).where(
                Membership.user_id == user_id, Membership.organisation_id == organisation_id
            )
        ).first()
        is not None
    )


def submit_report(
    session: Session, principal: Principal, report: Report, evaluator_user_id: int
) -> ReportVersion:
    latest = _latest(session, report)
    if latest.state != "draft":
        raise ReportStateError(f"only a draft can be submitted; this version is {latest.state}")
    evaluator = session.get(User, evaluator_user_id)
    today = datetime.now(UTC).date()
    if evaluator is None or _valid_accreditation(session, evaluator_user_id, today) is None:
        raise unknown(
            "evaluator_user_id",
            f"user {evaluator_user_id} is not an evaluator with an accreditation valid today",
        )
    if _is_member(session, evaluator_user_id, report.organisation_id):
        raise ReportStateError(
            "the evaluator is a member of the organisation; choose an independent evaluator"
        )
    latest.state = "submitted"
    latest.submitted_at = utcnow()
    latest.evaluator_user_id = evaluator_user_id
    report.state = "submitted"
    report.evaluator_user_id = evaluator_user_id
    session.add_all([latest, report])
    _event(
        session,
        principal,
        report,
        "report.submitted",
        "draft",
        "submitted",
        f"to evaluator {evaluator_user_id}",
    )
    session.flush()
    return latest


def _require_assigned_evaluator(
    session: Session, principal: Principal, report: Report
) -> EvaluatorAccreditation:
    if report.evaluator_user_id != principal.user_id:
        raise NotFoundError(f"report {report.id} not found")
    accreditation = _valid_accreditation(session, principal.user_id, datetime.now(UTC).date())
    if accreditation is None:
        raise PermissionDeniedError(
            "your accreditation is not valid today; a report can be validated only under a valid one"
        )
    if _is_member(session, principal.user_id, report.organisation_id):
        raise PermissionDeniedError("you are a member of this organisation; an evaluator must be independent")
    return accreditation


def validate_report(
    session: Session,
    principal: Principal,
    report: Report,
    comments: str = "",
    justifications: dict[str, str] | None = None,
) -> ReportVersion:
    """Freeze the submitted version: hash, stamp, evaluator, accreditation, time and checklist.

    The checklist is run on the very content being frozen and stored in the stamp with the
    evaluator's justifications. The gate (:func:`impactkit.reports.validation_blockers`) refuses
    a report without any KPI value, and a report with a failing check that has no written
    justification: the error names every check still open.
    """
    accreditation = _require_assigned_evaluator(session, principal, report)
    latest = _latest(session, report)
    if latest.state != "submitted":
        raise ReportStateError(f"only a submitted report can be validated; this version is {latest.state}")
    content = ReportContent.model_validate(latest.content)
    items = run_checklist(content, report_stats(session, report))
    blockers = validation_blockers(content, items, justifications)
    if blockers:
        raise ReportStateError("the report cannot be validated yet", blockers)
    justified = {key: text.strip() for key, text in (justifications or {}).items() if text.strip()}
    digest = content_hash(content)
    now = utcnow()
    stamp = ValidationStamp(
        evaluator=principal.name,
        accreditation_number=accreditation.number,
        accreditation_body=accreditation.body,
        validated_at=now,
        content_hash=digest,
        checklist=[FrozenCheck.model_validate(item.model_dump()) for item in items],
        justifications=justified,
    )
    latest.state = "validated"
    latest.content_hash = digest
    latest.stamp = stamp.model_dump(mode="json")
    latest.validated_at = now
    latest.accreditation_id = accreditation.id
    latest.comments = comments
    report.state = "validated"
    session.add_all([latest, report])
    _event(
        session,
        principal,
        report,
        "report.validated",
        "submitted",
        "validated",
        comments,
        {
            "content_hash": digest,
            "justifications": justified,
            "failed_checks": [item.id for item in items if item.status == "fail"],
        },
    )
    session.flush()
    return latest


def return_report(
    session: Session,
    principal: Principal,
    report: Report,
    comments: str,
    section_comments: dict[str, str] | None = None,
) -> ReportVersion:
    """Send the submitted version back to the organisation with comments, overall and per section.

    ``section_comments`` is keyed by the section keys of the Decree of 4 July 2019
    (:func:`impactkit.reports.report_sections`); empty texts are dropped.
    """
    _require_assigned_evaluator(session, principal, report)
    latest = _latest(session, report)
    if latest.state != "submitted":
        raise ReportStateError(f"only a submitted report can be returned; this version is {latest.state}")
    known = {section.key for section in report_sections()}
    by_section = {
        key: text.strip() for key, text in (section_comments or {}).items() if text and text.strip()
    }
    unknown = sorted(set(by_section) - known)
    if unknown:
        raise ReportStateError(
            "comments for sections that do not exist",
            [
                Problem(f"no section {key!r}; expected one of {sorted(known)}", f"section_comments.{key}")
                for key in unknown
            ],
        )
    if not comments.strip() and not by_section:
        raise ReportStateError(
            "a returned report needs comments",
            [Problem("say what the organisation should change, overall or per section", "comments")],
        )
    latest.state = "returned"
    latest.comments = comments.strip()
    latest.section_comments = by_section or None
    report.state = "returned"
    session.add_all([latest, report])
    _event(
        session,
        principal,
        report,
        "report.returned",
        "submitted",
        "returned",
        comments.strip(),
        {"section_comments": by_section} if by_section else None,
    )
    session.flush()
    return latest


def last_returned(session: Session, report: Report) -> ReportVersion | None:
    """The newest version the evaluator sent back (its comments are what the organisation acts on)."""
    return session.exec(
        select(ReportVersion)
        .where(ReportVersion.report_id == report.id, ReportVersion.state == "returned")
        .order_by(ReportVersion.number.desc())  # type: ignore[attr-defined]
    ).first()


def _event(
    session: Session,
    principal: Principal,
    report: Report,
    action: str,
    from_state: str | None,
    to_state: str | None,
    comment: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    audit(
        session,
        action,
        actor_user_id=principal.user_id,
        organisation_id=report.organisation_id,
        target=f"report:{report.id}",
        details={
            "actor": principal.name,
            "from": from_state,
            "to": to_state,
            "comment": comment,
            "version": report.current_version,
            **(extra or {}),
        },
    )


def events(session: Session, report: Report) -> list[WorkflowEvent]:
    rows = session.exec(
        select(AuditEvent).where(AuditEvent.target == f"report:{report.id}").order_by(AuditEvent.id)  # type: ignore[arg-type]
    ).all()
    return [
        WorkflowEvent(
            at=row.at,
            actor=str(row.details.get("actor", row.actor_user_id)),
            action=row.action,
            from_state=row.details.get("from"),
            to_state=row.details.get("to"),
            comment=_event_comment(row.details),
        )
        for row in rows
    ]


def _event_comment(details: dict[str, Any]) -> str | None:
    """The comment of a workflow event, with the justifications and section comments it carried."""
    parts = [str(details.get("comment") or "").strip()]
    for check, text in (details.get("justifications") or {}).items():
        parts.append(f"[{check}] {text}")
    for section, text in (details.get("section_comments") or {}).items():
        parts.append(f"[{section}] {text}")
    joined = " · ".join(part for part in parts if part)
    return joined or None


# --- who sees what -------------------------------------------------------------------------


def visible_version(
    session: Session,
    principal: Principal,
    report: Report,
    number: int | None = None,
    *,
    with_content: bool = True,
) -> ReportVersion:
    """The version the caller may read, or NotFoundError.

    Members (and administrators) read every version; the assigned evaluator reads versions
    that were submitted to them; a funder of the organisation reads validated versions only.
    With ``with_content`` False the version's content is read only if it is used.
    """
    if principal.is_admin or report.organisation_id in principal.roles:
        return version(session, report, number, with_content=with_content)
    if report.evaluator_user_id == principal.user_id:
        row = version(session, report, number, with_content=with_content)
        if row.state != "draft" and row.evaluator_user_id == principal.user_id:
            return row
        raise NotFoundError(f"report {report.id} version {row.number} is not submitted to you")
    if _funds(session, principal, report):
        if number is not None:
            row = version(session, report, number, with_content=with_content)
            if row.state == "validated":
                return row
            raise NotFoundError(f"report {report.id} has no validated version {number}")
        validated = session.exec(
            _versions(with_content)
            .where(ReportVersion.report_id == report.id, ReportVersion.state == "validated")
            .order_by(ReportVersion.number.desc())  # type: ignore[attr-defined]
        ).first()
        if validated is not None:
            return validated
    raise NotFoundError(f"report {report.id} not found")


def _funds(session: Session, principal: Principal, report: Report) -> bool:
    if not principal.funder_ids:
        return False
    grants = session.exec(
        select(Grant).where(
            Grant.organisation_id == report.organisation_id,
            Grant.funder_id.in_(principal.funder_ids),  # type: ignore[attr-defined]
        )
    ).all()
    return any(grant.project_id in (None, report.project_id) for grant in grants)


def get_report(session: Session, principal: Principal, report_id: int) -> Report:
    report = session.get(Report, report_id)
    if report is None:
        raise NotFoundError(f"report {report_id} not found")
    visible_version(session, principal, report)
    return report


def list_reports(
    session: Session, principal: Principal, *, project_id: int | None = None
) -> list[tuple[Report, ReportVersion]]:
    """Each report the caller may see (of one project with ``project_id``), with the version they
    see, its content read only if it is used.

    Only the reports the caller could see are read (their organisation's, those assigned to them,
    those of organisations their funders fund), not every report of the instance: a list costs
    what it shows.
    """
    query = select(Report).order_by(Report.id)  # type: ignore[arg-type]
    if project_id is not None:
        query = query.where(Report.project_id == project_id)
    if not principal.is_admin:
        reachable = [Report.organisation_id.in_(list(principal.roles))]  # type: ignore[attr-defined]
        if principal.user_id is not None:
            reachable.append(Report.evaluator_user_id == principal.user_id)
        if principal.funder_ids:
            funded = select(Grant.organisation_id).where(
                Grant.funder_id.in_(principal.funder_ids)  # type: ignore[attr-defined]
            )
            reachable.append(Report.organisation_id.in_(funded))  # type: ignore[attr-defined]
        query = query.where(or_(*reachable))
    out: list[tuple[Report, ReportVersion]] = []
    for report in session.exec(query).all():
        try:
            out.append((report, visible_version(session, principal, report, with_content=False)))
        except NotFoundError:
            continue
    return out


# --- what goes into the exports --------------------------------------------------------------


def _reported_forms(session: Session, project: Project) -> set[str]:
    """Forms the project's framework reads only through reported figures (self-reports)."""
    from impactkit.store.frameworks import resolve_framework
    from impactkit.store.kpis import DEFAULT_FRAMEWORK

    try:
        framework = resolve_framework(
            session,
            project.framework_id or DEFAULT_FRAMEWORK,
            project.framework_version if project.framework_id else None,
        )
    except NotFoundError:  # an unknown framework: every form keeps its rate
        return set()
    reported: set[str] = set()
    surveyed: set[str] = set()
    for indicator in framework.indicators:
        for source in (indicator.source, getattr(indicator, "denominator", None)):
            if source is None or not getattr(source, "form", None):
                continue
            (reported if source.reported else surveyed).add(source.form)
    return reported - surveyed


def report_stats(session: Session, report: Report) -> ReportStats:
    project = get(session, Project, report.project_id, "project")
    counts: dict[tuple[str, str | None], int] = {}
    values: dict[str, list[float]] = {}
    flt = ResponseFilter(
        organisation_ids=[report.organisation_id], project_id=report.project_id, period_id=report.period_id
    )
    # Forms the framework reads only as the organisation's own figures (its self-report) are not
    # samples of the people served: no response rate for them.
    reported_only = _reported_forms(session, project)
    for row in iter_responses(session, flt):
        key = (row["form_id"], row["wave"])
        if row["form_id"] not in reported_only:
            counts[key] = counts.get(key, 0) + 1
        for name, value in (row["answers"] or {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                values.setdefault(name, []).append(float(value))
    return ReportStats(
        population=project.population,
        responses=[
            ResponseCount(form_id=f, wave=w, responses=n) for (f, w), n in sorted(counts.items(), key=str)
        ],
        response_values=values,
    )


def checklist(session: Session, report: Report, row: ReportVersion) -> list[CheckItem]:
    """The checklist of a version: as frozen in the stamp once validated, else run now."""
    if row.stamp and row.stamp.get("checklist"):
        return [CheckItem.model_validate(item) for item in row.stamp["checklist"]]
    return run_checklist(ReportContent.model_validate(row.content), report_stats(session, report))


def justifications(row: ReportVersion) -> dict[str, str]:
    """The evaluator's justifications frozen with a validated version (empty otherwise)."""
    if not row.stamp:
        return {}
    return dict(row.stamp.get("justifications") or {})


def _labels(texts: dict[str, str], default_language: str | None) -> dict[str, str]:
    return {code: pick_translation(texts, code, default_language) or "" for code in ("it", "en")}


def column_specs(forms: list[tuple[FormVersion, Any]]) -> list[ColumnSpec]:
    """Columns of the responses sheets: every field of every version, in form order, once."""
    specs: dict[str, ColumnSpec] = {}
    for _, form in forms:
        for element, repeats in form.walk():
            if isinstance(element, Repeat):
                specs.setdefault(
                    f"repeat:{element.name}",
                    ColumnSpec(
                        name=element.name, type="repeat", label=_labels(element.label, form.default_language)
                    ),
                )
                continue
            if not isinstance(element, FormField) or element.type in ("note",):
                continue
            key = element.name if not repeats else f"{repeats[-1].name}/{element.name}"
            if key in specs:
                continue
            choices = (
                [
                    {"name": c.name, "label": _labels(c.label, form.default_language)}
                    for c in form.choices_of(element)
                ]
                if element.list_name
                else []
            )
            specs[key] = ColumnSpec(
                name=element.name,
                type=element.type,
                label=_labels(element.label, form.default_language),
                choices=choices,
                repeat=repeats[-1].name if repeats else None,
            )
    return list(specs.values())


def _responses_for_export(
    session: Session, report: Report
) -> tuple[Iterator[dict[str, Any]], list[ColumnSpec]]:
    flt = ResponseFilter(
        organisation_ids=[report.organisation_id], project_id=report.project_id, period_id=report.period_id
    )
    version_ids = {row["form_version_id"] for row in iter_responses(session, flt)}
    forms = [
        (row, form_of(row))
        for row in (session.get(FormVersion, vid) for vid in sorted(version_ids))
        if row is not None
    ]
    columns = column_specs(forms)

    def rows() -> Iterator[dict[str, Any]]:
        for row in iter_responses(session, flt):
            yield {
                "instance_id": row["instance_id"],
                "submitted_at": row["submitted_at"],
                "form_version": f"{row['form_id']} {row['form_version']}",
                "wave": row["wave"],
                "answers": row["answers"] or {},
            }

    return rows(), columns


def record_export(
    session: Session,
    actor_user_id: int,
    what: str,
    fmt: str,
    *,
    report: Report | None = None,
    row: ReportVersion | None = None,
    funder_id: int | None = None,
) -> None:
    """Every download of a report or portfolio goes to the audit log, whichever door it used."""
    if report is not None:
        audit(
            session,
            f"{what}.exported",
            actor_user_id=actor_user_id,
            organisation_id=report.organisation_id,
            target=f"report:{report.id}",
            details={"version": row.number if row else None, "format": fmt},
        )
    else:
        audit(
            session,
            f"{what}.exported",
            actor_user_id=actor_user_id,
            target=f"funder:{funder_id}",
            details={"format": fmt},
        )


def export_xlsx(session: Session, report: Report, row: ReportVersion, *, actor_user_id: int) -> bytes:
    """The standard-layout workbook of one report version (stamped when validated); audited."""
    record_export(session, actor_user_id, "report", "xlsx", report=report, row=row)
    responses, columns = _responses_for_export(session, report)
    buffer = io.BytesIO()
    write_report_xlsx(
        ReportContent.model_validate(row.content),
        buffer,
        responses=responses,
        columns=columns,
        stamp=ValidationStamp.model_validate(row.stamp) if row.stamp else None,
        checklist=checklist(session, report, row),
        events=events(session, report),
    )
    return buffer.getvalue()


def export_frozen_json(session: Session, report: Report, row: ReportVersion, *, actor_user_id: int) -> bytes:
    """The frozen document of a validated version (content, stamp, seal); audited."""
    if row.state != "validated" or row.stamp is None:
        raise ReportStateError("only a validated version has a frozen document; this one is " + row.state)
    record_export(session, actor_user_id, "report", "json", report=report, row=row)
    return frozen_document(
        ReportContent.model_validate(row.content), ValidationStamp.model_validate(row.stamp)
    )


def export_document(
    session: Session, report: Report, row: ReportVersion, fmt: str, *, actor_user_id: int
) -> bytes:
    """The report as a document: ``pdf`` (sealed, the frozen document attached) or ``docx``
    (editable); a draft when the version is not validated; audited."""
    from impactkit.reports.documents import render_docx, render_pdf

    record_export(session, actor_user_id, "report", fmt, report=report, row=row)
    content = ReportContent.model_validate(row.content)
    stamp = ValidationStamp.model_validate(row.stamp) if row.state == "validated" and row.stamp else None
    logo = logo_of_content(session, report.organisation_id, row.content)
    if fmt == "docx":
        return render_docx(content, stamp, logo=logo)
    return render_pdf(content, stamp, logo=logo)


def funder_portfolio(
    session: Session, funder_id: int, framework_id: str | None = None, framework_version: str | None = None
) -> Portfolio:
    """The newest validated report of each project the funder's grants cover, with those grants.

    Reports of the framework and version most of them share (or the one asked for) are
    compared; the others are kept apart with the reason. Targets and payments come from the
    funder's own grants only.
    """
    funder = get(session, Funder, funder_id, "funder")
    grants = session.exec(select(Grant).where(Grant.funder_id == funder_id).order_by(Grant.id)).all()  # type: ignore[arg-type]
    entries: list[PortfolioEntry] = []
    for report in session.exec(select(Report).order_by(Report.id)).all():  # type: ignore[arg-type]
        covering = [
            g
            for g in grants
            if g.organisation_id == report.organisation_id and g.project_id in (None, report.project_id)
        ]
        if not covering:
            continue
        row = session.exec(
            select(ReportVersion)
            .where(ReportVersion.report_id == report.id, ReportVersion.state == "validated")
            .order_by(ReportVersion.number.desc())  # type: ignore[attr-defined]
        ).first()
        if row is None:
            continue
        entries.append(
            PortfolioEntry(
                content=ReportContent.model_validate(row.content),
                stamp=ValidationStamp.model_validate(row.stamp),
                grants=[grant_terms(g, funder.name) for g in covering],
                report_id=report.id,
            )
        )
    return build_portfolio(
        entries, funder=funder.name, framework_id=framework_id, framework_version=framework_version
    )


def portfolio(
    session: Session, funder_id: int, framework_id: str | None = None
) -> tuple[list[PortfolioEntry], dict[str, Any]]:
    """The reports compared in the funder's portfolio, and their shared framework."""
    built = funder_portfolio(session, funder_id, framework_id)
    return built.compared, built.framework.model_dump()


def portfolio_export(
    session: Session,
    funder_id: int,
    fmt: str,
    framework_id: str | None,
    language: str,
    *,
    actor_user_id: int,
    framework_version: str | None = None,
) -> bytes:
    """The portfolio as xlsx (with payments and INDIGO sheets), csv or json bytes; audited."""
    record_export(session, actor_user_id, "portfolio", fmt, funder_id=funder_id)
    built = funder_portfolio(session, funder_id, framework_id, framework_version)
    if fmt == "csv":
        return portfolio_csv(built.compared, built.framework, language=language).encode("utf-8")  # type: ignore[arg-type]
    if fmt == "json":
        return portfolio_json(built.compared, built.framework, language=language).encode("utf-8")  # type: ignore[arg-type]
    if fmt == "indigo":
        return json.dumps(
            {"standard": INDIGO_STANDARD, "projects": indigo_projects(built.grantees)},
            ensure_ascii=False,
            indent=1,
        ).encode("utf-8")
    buffer = io.BytesIO()
    write_portfolio_workbook(built, buffer, language=language)  # type: ignore[arg-type]
    return buffer.getvalue()
