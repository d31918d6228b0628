"""KPIs of a project and period, from its stored responses with its framework (shipped or designed)."""

from __future__ import annotations

from array import array
from math import copysign
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
    session: Session,
    organisation_ids: list[int],
    project_id: int | None,
    period_id: int | None,
    *,
    instance_ids: bool = True,
) -> dict[str, pd.DataFrame]:
    """form_id → one row per stored (not erased) response, answers and ``_metadata`` columns
    (``_instance_id`` left out with ``instance_ids=False``: the KPIs do not read it, and it is
    the one column whose every value is a new string)."""

    territory = {
        org.id: org.territory_type
        for org in (session.get(Organisation, org_id) for org_id in organisation_ids)
        if org is not None
    }
    metadata = [(c, name) for c, name in METADATA_COLUMNS.items() if instance_ids or c != "instance_id"]
    tables: dict[str, _Columns] = {}
    ids: dict[str, array[int]] = {}
    flt = ResponseFilter(organisation_ids=organisation_ids, project_id=project_id, period_id=period_id)
    for stored in iter_responses(session, flt):
        row = _flat(stored["answers"] or {})
        for column, name in metadata:
            row[name] = stored[column]
        row["_territory_type"] = territory.get(stored["organisation_id"])
        code = row.get("respondent_code")
        if code in (None, "") and stored["respondent_code"]:
            row["respondent_code"] = stored["respondent_code"]
        elif code == stored["respondent_code"]:
            row["_respondent_code"] = code  # one string for both columns, not two equal ones
        tables.setdefault(stored["form_id"], _Columns()).add(row)
        ids.setdefault(stored["form_id"], array("q")).append(stored["id"])
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
    """Responses kept column by column, each value once: a column's repeated values (the answer
    "yes", the score 4, the wave) are stored as small integer codes into its distinct values, so a
    response costs a few bytes per column instead of a Python object per answer. A column with
    more distinct values than ``_DISTINCT`` (codes, free text) keeps its values as they are.

    The frame is the one ``DataFrame.from_records`` builds from the rows as dicts: a column missing
    from a row is NaN there, and each column gets the type pandas infers from its values.
    """

    def __init__(self) -> None:
        self.columns: dict[str, _Column] = {}
        self.count = 0

    def add(self, row: dict[str, Any]) -> None:
        columns = self.columns
        for name, value in row.items():
            column = columns.get(name)
            if column is None:
                column = columns[name] = _Column(missing=self.count)
            column.append(value)
        self.count += 1
        if len(row) != len(columns):
            for column in columns.values():
                if column.length < self.count:
                    column.append(_MISSING)

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        series = {}
        for name in list(self.columns):
            column = self.columns.pop(name)
            series[name] = pd.Series(column.values(), copy=False).infer_objects()
            del column
        return pd.DataFrame(series)


_MISSING = float("nan")
_DISTINCT = 1024
"""Distinct values a column keeps as codes; above, its values are kept as they are."""
_NEGATIVE_ZERO = object()  # -0.0 == 0.0 as a key: kept apart so each keeps its sign


class _Column:
    __slots__ = ("codes", "distinct", "index", "length", "plain")

    def __init__(self, missing: int) -> None:
        self.codes = array("i")
        self.distinct: list[Any] = []
        self.index: dict[Any, int] = {}
        self.plain: list[Any] | None = None
        self.length = 0
        if missing:
            self.append(_MISSING)
            self.codes.extend(array("i", [self.codes[0]]) * (missing - 1))
            self.length = missing

    def append(self, value: Any) -> None:
        self.length += 1
        if self.plain is not None:
            self.plain.append(value)
            return
        # 1, 1.0 and True are equal keys: the type keeps them apart (and pandas types them apart)
        key = (value.__class__, value)
        if value.__class__ is float and value == 0 and copysign(1.0, value) < 0:
            key = (float, _NEGATIVE_ZERO)
        try:
            code = self.index.get(key)
        except TypeError:  # an unhashable value (a dict): this column keeps values as they are
            code = None
            self._keep_values()
        if code is None and self.plain is None and len(self.distinct) >= _DISTINCT:
            self._keep_values()
        if self.plain is not None:
            self.plain.append(value)
            return
        if code is None:
            code = self.index[key] = len(self.distinct)
            self.distinct.append(value)
        self.codes.append(code)

    def _keep_values(self) -> None:
        distinct = self.distinct
        self.plain = [distinct[code] for code in self.codes]
        self.codes, self.distinct, self.index = array("i"), [], {}

    def values(self) -> Any:
        """The column as a NumPy array of objects (the distinct values shared, not copied)."""
        import numpy as np

        if self.plain is not None:
            values = np.fromiter(self.plain, dtype=object, count=len(self.plain))
            self.plain = []
            return values
        distinct = np.fromiter(self.distinct, dtype=object, count=len(self.distinct))
        codes = np.frombuffer(self.codes, dtype=np.int32) if self.codes else np.zeros(0, dtype=np.int32)
        return distinct[codes]


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
    frames = response_frames(session, [project.organisation_id], project_id, period_id, instance_ids=False)
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
        period: response_frames(session, [project.organisation_id], project_id, period, instance_ids=False)
        for period in periods
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
