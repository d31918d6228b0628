"""KPIs of a project and period, from its stored responses with its framework (shipped or designed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from impactkit.errors import NotFoundError
from impactkit.frameworks.results import KpiResults
from impactkit.store.flags import left_out
from impactkit.store.surveys import ResponseFilter, iter_responses
from impactkit.store.tables import Organisation, Project, ReportingPeriod

if TYPE_CHECKING:
    import pandas as pd

# pandas and the KPI engine (scipy, statsmodels) are imported where KPIs are computed: a server
# process or a command that computes none starts without them (seconds of start-up).

DEFAULT_FRAMEWORK = "simplified-kpis"

METADATA_COLUMNS = {
    "instance_id": "_instance_id",
    "organisation_id": "_organisation_id",
    "project_id": "_project_id",
    "period_id": "_period_id",
    "wave": "_wave",
    "submitted_at": "_submitted_at",
    "weight": "_weight",
    "respondent_code": "_respondent_code",
}


def _flat(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers as one row: select_multiple lists become space-separated text; repeats are left out."""
    row: dict[str, Any] = {}
    for name, value in answers.items():
        if isinstance(value, list):
            if value and isinstance(value[0], dict):
                continue
            row[name] = " ".join(str(v) for v in value)
        else:
            row[name] = value
    return row


def response_frames(
    session: Session, organisation_ids: list[int], project_id: int | None, period_id: int | None
) -> dict[str, pd.DataFrame]:
    """form_id → one row per stored (not erased) response, answers and ``_metadata`` columns."""

    territory = {
        org.id: org.territory_type
        for org in (session.get(Organisation, org_id) for org_id in organisation_ids)
        if org is not None
    }
    tables: dict[str, _Columns] = {}
    ids: dict[str, list[int]] = {}
    flt = ResponseFilter(organisation_ids=organisation_ids, project_id=project_id, period_id=period_id)
    for stored in iter_responses(session, flt):
        row = _flat(stored["answers"] or {})
        for column, name in METADATA_COLUMNS.items():
            row[name] = stored[column]
        row["_territory_type"] = territory.get(stored["organisation_id"])
        if row.get("respondent_code") in (None, "") and stored["respondent_code"]:
            row["respondent_code"] = stored["respondent_code"]
        tables.setdefault(stored["form_id"], _Columns()).add(row)
        ids.setdefault(stored["form_id"], []).append(stored["id"])
    # Responses flagged out of the KPIs (test answers, duplicates not chosen …) carry the reason:
    # compute_kpis leaves them out and says how many, and why.
    reasons = left_out(session, [i for form_ids in ids.values() for i in form_ids])
    frames = {}
    for form_id, table in tables.items():
        frame = table.frame()
        frame["_excluded"] = [reasons.get(i) for i in ids[form_id]]
        frames[form_id] = frame
    return frames


class _Columns:
    """Rows kept as lists of values by column position, not as dicts (a dict per response costs
    about a kilobyte): the frame is built as ``DataFrame.from_records`` builds it from dicts,
    a column missing from a row being NaN, so every column has the type it had."""

    def __init__(self) -> None:
        self.position: dict[str, int] = {}
        self.rows: list[list[Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        values: list[Any] = [_MISSING] * len(self.position)
        for name, value in row.items():
            at = self.position.get(name)
            if at is None:
                at = self.position[name] = len(self.position)
                values.append(value)
            else:
                values[at] = value
        self.rows.append(values)

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        width = len(self.position)
        for values in self.rows:
            values.extend([_MISSING] * (width - len(values)))
        frame = pd.DataFrame.from_records(self.rows, columns=list(self.position))
        self.rows = []
        return frame


_MISSING = float("nan")


def project_kpis(
    session: Session, project_id: int, period_id: int | None = None, *, framework_id: str | None = None
) -> KpiResults:
    """Every KPI of the project's framework for one period, from the responses stored for it.

    The population for the finite-population correction is the project's stated population
    when it has one, else the organisation's reported figure.
    """
    project = session.get(Project, project_id)
    if project is None:
        raise NotFoundError(f"project {project_id} not found")
    if period_id is not None:
        period = session.get(ReportingPeriod, period_id)
        if period is None or period.project_id != project_id:
            raise NotFoundError(f"period {period_id} not found in project {project_id}")
    from impactkit.store.frameworks import resolve_framework

    # A shipped framework by id; a designed one at the version the project adopted.
    reference = framework_id or project.framework_id or DEFAULT_FRAMEWORK
    framework = resolve_framework(session, reference, None if framework_id else project.framework_version)
    frames = response_frames(session, [project.organisation_id], project_id, period_id)
    from impactkit.frameworks.compute import compute_kpis

    results = compute_kpis(framework, frames, population=project.population)
    if period_id is not None:
        return results
    # All periods together: each period's KPIs are published too, and a figure over all periods
    # is the sum of the periods' figures — protect the total together with them.
    periods = [
        row.id
        for row in session.exec(select(ReportingPeriod).where(ReportingPeriod.project_id == project_id))
        if row.id is not None
    ]
    by_period = {
        period: response_frames(session, [project.organisation_id], project_id, period) for period in periods
    }
    by_period = {period: found for period, found in by_period.items() if found}
    if len(by_period) < 2:
        return results
    from impactkit.frameworks.periods import protect_across_periods

    published = [
        (
            compute_kpis(framework, found, population=project.population),
            compute_kpis(framework, found, population=project.population, suppress_below=1),
        )
        for found in by_period.values()
    ]
    raw = compute_kpis(framework, frames, population=project.population, suppress_below=1)
    return protect_across_periods(framework, results, raw, published)
