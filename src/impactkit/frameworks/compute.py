"""Compute a framework's KPIs from survey responses and reported figures, vectorised with pandas.

Each responses frame (one per form_id) has one row per response: answer columns named like
the fields (select_multiple as space-separated choice names, missing as NaN/None) and the
metadata columns ``_instance_id``, ``_organisation_id``, ``_project_id``, ``_period_id``,
``_wave`` ('baseline' | 'endline' | None), ``_submitted_at``, ``_territory_type`` and,
optionally, ``_weight`` (a sampling weight).

Every statistic is computed for all groups at once (pandas groupby), never in a Python loop
over groups, except the Wilcoxon test of change indicators (one scipy call per group).
"""

from __future__ import annotations

import functools
import gc
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from pydantic import BaseModel

from impactkit.disclosure import default_threshold, method_statement
from impactkit.errors import ExpressionError, KpiError, Problem
from impactkit.frameworks import stats
from impactkit.frameworks._protection import (
    PEOPLE_UNITS,
    Decisions,
    IndicatorTables,
    decide,
    population_key,
)
from impactkit.frameworks.model import (
    SIMPLE_REFERENCE,
    Disaggregation,
    Framework,
    Indicator,
    LocalizedText,
    Source,
)
from impactkit.frameworks.results import (
    ChangeStatistics,
    DisaggregationCell,
    Exclusion,
    KpiResult,
    KpiResults,
)

GROUP = "__group"
VALUE = "__value"
WEIGHT = "__weight"
DENOMINATOR = "__denominator"
ALL = "__all__"

STAT_COLUMNS = ["value", "n", "ci_low", "ci_high"]

EXCLUSION_LABELS: dict[str, dict[str, str]] = {
    "duplicate": {
        "it": "risposte precedenti dello stesso codice nella stessa fase (conta l'ultima)",
        "en": "earlier answers of the same respondent code in the same wave (the latest counts)",
    },
    "filter": {"it": "condizione dell'indicatore non soddisfatta", "en": "the indicator's condition not met"},
    "baseline": {"it": "risposte di inizio percorso", "en": "baseline responses"},
    "unanswered": {
        "it": "domanda senza risposta (o non un numero)",
        "en": "question not answered (or not a number)",
    },
    "no_code": {"it": "senza codice partecipante", "en": "no respondent code"},
    "no_wave": {"it": "né inizio né fine percorso", "en": "neither baseline nor endline"},
    "baseline_only": {
        "it": "solo a inizio percorso (nessuna risposta finale)",
        "en": "baseline only (no endline)",
    },
    "endline_only": {
        "it": "solo a fine percorso (nessuna risposta iniziale)",
        "en": "endline only (no baseline)",
    },
    "superseded": {
        "it": "autovalutazioni precedenti della stessa organizzazione e periodo",
        "en": "earlier self-reports of the same organisation and period",
    },
}
EXCLUDED_BY_ORGANISATION: dict[str, dict[str, str]] = {
    "test_answer": {"it": "risposta di prova", "en": "test answer"},
    "suspected_duplicate": {"it": "sospetto duplicato", "en": "suspected duplicate"},
    "duplicate": {"it": "duplicato (vale un'altra risposta)", "en": "duplicate (another answer counts)"},
    "double_entry": {"it": "doppio inserimento", "en": "double entry"},
    "possible_double_entry": {
        "it": "possibile doppio inserimento (conta l'ultima finché non si sceglie)",
        "en": "possible double entry (the latest counts until one is chosen)",
    },
}


def _exclusion_label(reason: str, filter_text: str | None) -> dict[str, str]:
    if reason.startswith("excluded:"):
        why = reason.partition(":")[2]
        names = EXCLUDED_BY_ORGANISATION.get(why, {"it": why, "en": why})
        return {
            "it": f"escluse dall'organizzazione: {names['it']}",
            "en": f"excluded by the organisation: {names['en']}",
        }
    label = dict(EXCLUSION_LABELS.get(reason, {"it": reason, "en": reason}))
    if reason == "filter" and filter_text:
        label = {language: f"{text}: {filter_text}" for language, text in label.items()}
    return label


@functools.lru_cache(maxsize=512)
def _parse(text: str) -> Any:
    from impactkit.surveys.expressions import parse_expression

    return parse_expression(text)


def _truthy(values: pd.Series) -> pd.Series:
    """XPath boolean() of each value; missing is false."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.fillna(False).astype(bool)
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.fillna(0).astype(float).ne(0)
    return values.map(lambda v: bool(v) if v is not None and v == v else False).astype(bool)


def _as_number(values: pd.Series) -> pd.Series:
    """Numbers as float64, booleans as 0/1, anything else parsed (unparseable → NaN)."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("float64")
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype("float64")
    if values.dtype == object:
        booleans = values.map(lambda v: isinstance(v, bool | np.bool_))
        if booleans.any():
            values = values.where(~booleans, values.where(booleans).astype(float))
    return pd.to_numeric(values, errors="coerce").astype("float64")


# Functions whose value is not a pure function of the answers: never evaluated per distinct
# combination of answers.
_IMPURE_FUNCTIONS = frozenset({"now", "today", "random", "uuid", "once", "position", "current"})


class _FormData:
    """One form's responses, with cached column conversions, expressions and dimensions."""

    def __init__(self, form_id: str, frame: pd.DataFrame, groups: pd.Series) -> None:
        self.form_id = form_id
        self.frame = frame
        self.groups = groups
        self.weighted = "_weight" in frame.columns and bool(frame["_weight"].notna().any())
        self._columns: dict[str, pd.Series] = {}
        self._codes: dict[str, tuple[np.ndarray, int]] = {}
        self._expressions: dict[str, pd.Series] = {}
        self._answered: dict[str, pd.Series] = {}
        self._dimensions: dict[str, pd.Series | None] = {}
        self.masks: dict[tuple[str | None, bool, str | None], pd.Series] = {}
        self.exclusions: dict[tuple[str | None, bool, str | None], dict[str, np.ndarray]] = {}
        self._latest: _FormData | None = None
        self._counted: pd.Series | None = None
        self.removed: dict[str, np.ndarray] = {}
        """Reason → responses per group left out before any indicator (organisation's flags,
        earlier answers of a respondent code in the same wave)."""

    def tally(self, mask: pd.Series | np.ndarray) -> np.ndarray:
        """Responses per group (by group code) where ``mask`` is true."""
        codes = np.asarray(self.groups.cat.codes, dtype=np.int64)
        chosen = codes[np.asarray(mask, dtype=bool) & (codes >= 0)]
        return np.bincount(chosen, minlength=len(self.groups.cat.categories))

    def counted(self) -> pd.Series:
        """True for the responses that count at all: not excluded by the organisation (``_excluded``
        gives the reason) and not an earlier answer of the same respondent code in the same wave
        (the latest counts, until the organisation chooses another)."""
        if self._counted is not None:
            return self._counted
        keep = pd.Series(True, index=self.frame.index)
        if "_excluded" in self.frame.columns:
            reasons = self.frame["_excluded"]
            flagged = reasons.notna() & reasons.astype(str).str.strip().ne("")
            if flagged.any():
                for reason in sorted(set(reasons[flagged].astype(str))):
                    self.removed[f"excluded:{reason}"] = self.tally(flagged & reasons.astype(str).eq(reason))
                keep &= ~flagged
        duplicate = self._earlier_duplicates(keep)
        if duplicate is not None and duplicate.any():
            self.removed["duplicate"] = self.tally(duplicate)
            keep &= ~duplicate
        self._counted = keep
        return keep

    def _earlier_duplicates(self, keep: pd.Series) -> pd.Series | None:
        code_column = next(
            (
                c
                for c in ("_respondent_code", "respondent_code")
                if c in self.frame.columns and self.frame[c].notna().any()
            ),
            None,
        )
        if code_column is None:
            return None
        key = np.asarray(self.groups.cat.codes, dtype=np.int64) + 1
        capacity = len(self.groups.cat.categories) + 1
        for column in ("_organisation_id", "_project_id", "_period_id", "_wave", code_column):
            if column not in self.frame.columns:
                continue
            codes, count = self.codes(column)
            capacity *= count + 1
            if capacity > 2**62:
                return None
            key = key * (count + 1) + codes
        code_present = self.frame[code_column].notna().to_numpy() & keep.to_numpy()
        candidates = pd.Series(np.where(code_present, key, -1 - np.arange(len(key))), index=self.frame.index)
        if not candidates.duplicated().any():
            return pd.Series(False, index=self.frame.index)
        order = (
            np.argsort(self.frame["_submitted_at"].to_numpy(), kind="stable")
            if "_submitted_at" in self.frame.columns
            else np.arange(len(key))
        )
        ordered = candidates.iloc[order]
        earlier = ordered.duplicated(keep="last")
        return earlier.reindex(self.frame.index)

    def column(self, name: str) -> pd.Series:
        """A field's answers; text columns that hold only numbers read as numbers (as XPath)."""
        if name not in self._columns:
            if name not in self.frame.columns:
                column = pd.Series(np.nan, index=self.frame.index, dtype="float64")
            else:
                column = _numbers_if_all_numeric(self.frame[name])
            self._columns[name] = column
        return self._columns[name]

    def codes(self, name: str) -> tuple[np.ndarray, int]:
        """Integer codes of a column's distinct values (missing is a value too) and their count."""
        if name not in self._codes:
            column = self.column(name)
            if len(column) and column.notna().all() and bool((column == column.iloc[0]).all()):
                # One value throughout (a single project, say): no need to hash every row.
                self._codes[name] = (np.zeros(len(column), dtype=np.int64), 1)
            else:
                codes, uniques = pd.factorize(column, use_na_sentinel=False)
                self._codes[name] = (codes.astype(np.int64), len(uniques))
        return self._codes[name]

    def evaluate(self, text: str) -> pd.Series:
        """The expression evaluated on every response (``${field}`` reads the column).

        A pure expression is evaluated once per distinct combination of the answers it reads
        and spread back to the rows: on a million responses with 1–5 scales and yes/no
        answers that is a few dozen evaluations instead of a million.
        """
        if text not in self._expressions:
            simple = SIMPLE_REFERENCE.match(text)
            self._expressions[text] = (
                self.column(simple.group(1)) if simple else self._evaluate_expression(text)
            )
        return self._expressions[text]

    def _evaluate_expression(self, text: str) -> pd.Series:
        expression = _parse(text)
        names = sorted(expression.references)
        sub = pd.DataFrame({name: self.column(name) for name in names}, index=self.frame.index)
        representatives: np.ndarray | None = None
        inverse: np.ndarray | None = None
        if names and not (expression.functions & _IMPURE_FUNCTIONS) and len(sub) > 64:
            combined = self._combined_codes(names)
            if combined is not None:
                representatives, inverse = _distinct(*combined)
                if len(representatives) > len(sub) // 4:
                    representatives = None
        try:
            if representatives is not None and inverse is not None:
                distinct = sub.iloc[representatives].reset_index(drop=True)
                values = expression.evaluate_frame(distinct).to_numpy()
                return pd.Series(values[inverse.ravel()], index=self.frame.index)
            evaluated: pd.Series = expression.evaluate_frame(sub)
            return evaluated
        except ExpressionError as error:
            raise KpiError(
                f"cannot evaluate {text!r} on the responses to {self.form_id!r}",
                problems=[Problem(error.message, f"responses[{self.form_id}]")],
            ) from error

    def _combined_codes(self, names: list[str]) -> tuple[np.ndarray, int] | None:
        """One integer per distinct combination of the columns' values, and how many can be."""
        key = np.zeros(len(self.frame), dtype=np.int64)
        capacity = 1
        for name in names:
            codes, count = self.codes(name)
            capacity *= count + 1
            if capacity > 2**62:
                return None
            key = key * (count + 1) + codes
        return key, capacity

    def latest_reports(self) -> _FormData:
        """The latest response of each organisation for each period (reported figures)."""
        if self._latest is None:
            counted = self.counted()
            latest, groups = _latest_reports(self, counted)
            self._latest = _FormData(self.form_id, latest.drop(columns=[GROUP]), groups)
            superseded = counted.copy()
            superseded[latest.index] = False
            self._latest.removed = {**self.removed, "superseded": self.tally(superseded)}
        return self._latest

    def answered(self, text: str) -> pd.Series:
        """True where every field the expression reads is answered."""
        if text not in self._answered:
            simple = SIMPLE_REFERENCE.match(text)
            names = [simple.group(1)] if simple else sorted(_parse(text).references)
            mask = pd.Series(True, index=self.frame.index)
            for name in names:
                mask &= self.column(name).notna()
            self._answered[text] = mask
        return self._answered[text]

    def dimension(self, spec: Disaggregation) -> pd.Series | None:
        """Each response's category in a disaggregation, as a pandas Categorical (NaN: unknown)."""
        if spec.id not in self._dimensions:
            source: pd.Series | None = None
            if spec.field in self.frame.columns:
                source = self.frame[spec.field]
                if spec.fallback is not None and spec.fallback in self.frame.columns:
                    source = source.where(source.notna(), self.frame[spec.fallback])
            elif spec.fallback is not None and spec.fallback in self.frame.columns:
                source = self.frame[spec.fallback]
            if source is not None and spec.bands:
                numbers = _as_number(_numbers_if_all_numeric(source))
                conditions = []
                for band in spec.bands:
                    condition = numbers.notna()
                    if band.min is not None:
                        condition &= numbers >= band.min
                    if band.max is not None:
                        condition &= numbers <= band.max
                    conditions.append(condition.to_numpy())
                categories = list(dict.fromkeys(band.category for band in spec.bands))
                position = {category: i for i, category in enumerate(categories)}
                chosen = np.select(conditions, [position[b.category] for b in spec.bands], -1)
                source = pd.Series(
                    pd.Categorical.from_codes(chosen, categories=pd.Index(categories)),
                    index=self.frame.index,
                )
            elif source is not None:
                codes, uniques = pd.factorize(source, sort=True)
                labels = [_category_text(value) for value in uniques]
                source = pd.Series(
                    pd.Categorical.from_codes(codes, categories=pd.Index(labels)),
                    index=self.frame.index,
                )
            self._dimensions[spec.id] = source
        return self._dimensions[spec.id]


def _distinct(key: np.ndarray, capacity: int) -> tuple[np.ndarray, np.ndarray]:
    """First row of each distinct key and, for every row, the position of its key."""
    if capacity <= 4 * len(key) + 1024:
        # Dense keys: no sort needed (O(n) instead of O(n log n)).
        first = np.full(capacity, -1, dtype=np.int64)
        first[key[::-1]] = np.arange(len(key) - 1, -1, -1, dtype=np.int64)
        present = np.flatnonzero(first >= 0)
        lookup = np.zeros(capacity, dtype=np.int64)
        lookup[present] = np.arange(len(present), dtype=np.int64)
        return first[present], lookup[key]
    _, representatives, inverse = np.unique(key, return_index=True, return_inverse=True)
    return representatives, inverse.ravel()


def _numbers_if_all_numeric(raw: pd.Series) -> pd.Series:
    """The column as float64 if every answer in it is a number, else unchanged."""
    if pd.api.types.is_numeric_dtype(raw.dtype) or pd.api.types.is_bool_dtype(raw.dtype):
        return raw
    sample = raw.dropna().head(200)
    if sample.empty or pd.to_numeric(sample, errors="coerce").isna().any():
        return raw
    codes, uniques = pd.factorize(raw)
    numbers = pd.to_numeric(pd.Series(uniques), errors="coerce").to_numpy(dtype="float64")
    if np.isnan(numbers).any():
        return raw
    values = np.where(codes >= 0, numbers[np.clip(codes, 0, None)], np.nan)
    return pd.Series(values, index=raw.index, dtype="float64")


def _category_text(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class _Output:
    """One indicator computed for every group: headline table, cells, method and flags."""

    overall: pd.DataFrame  # index: group; columns: value, n, ci_low, ci_high
    method: str | pd.Series
    cells: pd.DataFrame | None = None  # columns: group, dimension, category, value, n, ci…
    flags: dict[Any, list[str]] = field(default_factory=dict)
    common_flags: list[str] = field(default_factory=list)
    change: pd.DataFrame | None = None
    population: str | None = None
    """Fingerprint of the responses counted (survey KPIs), for disclosure control."""
    measure_range: tuple[float, float] | None = None
    """Range of one person's value where value × n is a sum (unweighted means and shares)."""
    numerator: pd.Series | None = None
    denominator: pd.Series | None = None
    exclusions: dict[str, np.ndarray] = field(default_factory=dict)
    """Reason → responses left out, per group code (see EXCLUSION_LABELS)."""


def _empty_output(method: str, flag: str) -> _Output:
    return _Output(
        overall=pd.DataFrame(columns=STAT_COLUMNS, dtype="float64"),
        method=method,
        common_flags=[flag],
    )


# --- survey-based statistics -------------------------------------------------------------


_DENSE_LIMIT = 50_000_000


def _dense_keys(
    work: pd.DataFrame, keys: list[str]
) -> tuple[np.ndarray, np.ndarray, list[pd.Index], int] | None:
    """One dense integer per combination of categorical keys (None if there are too many)."""
    key = np.zeros(len(work), dtype=np.int64)
    valid = np.ones(len(work), dtype=bool)
    categories: list[pd.Index] = []
    length = 1
    for name in keys:
        column = work[name]
        if not isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype("category")
        codes = column.cat.codes.to_numpy().astype(np.int64)
        size = len(column.cat.categories)
        length *= max(size, 1)
        if length > _DENSE_LIMIT:
            return None
        valid &= codes >= 0
        key = key * max(size, 1) + np.where(codes >= 0, codes, 0)
        categories.append(column.cat.categories)
    return (key if valid.all() else key[valid]), valid, categories, length


def _index_of(present: np.ndarray, categories: list[pd.Index], keys: list[str]) -> pd.Index:
    parts = []
    rest = present
    for names in reversed(categories):
        size = max(len(names), 1)
        parts.append(names.take(rest % size))
        rest = rest // size
    parts.reverse()
    if len(keys) == 1:
        single: pd.Index = pd.Index(parts[0], name=keys[0])
        return single
    return pd.MultiIndex.from_arrays(parts, names=keys)


def _sums(work: pd.DataFrame, keys: list[str], weighted: bool, variance: bool = True) -> pd.DataFrame:
    """Per key: n, Σw, Σw², Σwy and the weighted variance Σw(y − ȳ)² / Σw (two-pass;
    NaN when ``variance`` is False, e.g. for shares, which do not need it).

    Keys are categorical, so the sums are ``numpy.bincount`` over dense key codes; this is
    several times quicker than a pandas groupby on a million rows. w = 1 without weights.
    """
    dense = _dense_keys(work, keys)
    y_all = work[VALUE].to_numpy(dtype="float64")
    w_all = work[WEIGHT].to_numpy(dtype="float64") if weighted else None
    if dense is None:
        return _sums_by_groupby(work, keys, weighted)
    key, valid, categories, length = dense
    everything = bool(valid.all())
    y = y_all if everything else y_all[valid]
    w = w_all if w_all is None or everything else w_all[valid]
    n = np.bincount(key, minlength=length)
    present = np.flatnonzero(n)
    sw = np.bincount(key, w, length) if w is not None else n.astype("float64")
    swy = np.bincount(key, y if w is None else w * y, length)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = swy / sw
    if variance:
        deviation = (y - mean[key]) ** 2
        sdev = np.bincount(key, deviation if w is None else w * deviation, length)
        with np.errstate(divide="ignore", invalid="ignore"):
            variances = sdev / sw
    else:
        variances = np.full(length, np.nan)
    sw2 = np.bincount(key, w * w, length) if w is not None else n.astype("float64")
    return pd.DataFrame(
        {
            "n": n[present].astype("float64"),
            "sw": sw[present],
            "sw2": sw2[present],
            "swy": swy[present],
            "variance": variances[present],
        },
        index=_index_of(present, categories, keys),
    )


def _sums_by_groupby(work: pd.DataFrame, keys: list[str], weighted: bool) -> pd.DataFrame:
    y = work[VALUE].to_numpy(dtype="float64")
    w = work[WEIGHT].to_numpy(dtype="float64") if weighted else np.ones(len(work))
    table = pd.DataFrame({"n": 1.0, "sw": w, "sw2": w * w, "swy": w * y}, index=work.index)
    for key in keys:
        table[key] = work[key]
    sums = table.groupby(keys, sort=False, observed=True, dropna=True).sum()
    grouped_mean = table.groupby(keys, observed=True)["swy"].transform("sum") / table.groupby(
        keys, observed=True
    )["sw"].transform("sum")
    table["sdev"] = w * (y - grouped_mean.to_numpy()) ** 2
    sdev = table.groupby(keys, sort=False, observed=True, dropna=True)["sdev"].sum()
    sums["variance"] = sdev.reindex(sums.index) / sums["sw"]
    return sums


def _mean_or_share(
    work: pd.DataFrame,
    keys: list[str],
    weighted: bool,
    kind: str,
    confidence: float,
    populations: pd.Series | None = None,
) -> pd.DataFrame:
    """Mean (t interval) or share (Wilson) per key; with ``populations`` (group → N) the
    intervals get the finite-population correction and a ``population`` column says N."""
    sums = _sums(work, keys, weighted, variance=kind != "proportion")
    sw = sums["sw"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sums["swy"].to_numpy() / sw
    n = sums["n"].to_numpy()
    n_eff = stats.effective_n(n, sw, sums["sw2"].to_numpy()) if weighted else n
    factor = None
    usable = None
    if populations is not None:
        population = populations.reindex(sums.index).to_numpy(dtype="float64")
        usable = np.where(population >= n, population, np.nan)
        factor = stats.fpc_factor(n, usable)
    if kind == "proportion":
        low, high = stats.wilson_interval(mean, n_eff, confidence, factor)
    else:
        low, high = stats.t_interval(mean, sums["variance"].to_numpy(), n_eff, confidence, factor)
    table = pd.DataFrame({"value": mean, "n": n, "ci_low": low, "ci_high": high}, index=sums.index)
    if usable is not None:
        table["population"] = usable
    return table


def _median(work: pd.DataFrame, keys: list[str], weighted: bool, confidence: float) -> pd.DataFrame:
    # Rows with an unknown category would sort inside the blocks of the groups and shift the
    # order statistics: they belong to no cell, so they go first.
    ordered = work.dropna(subset=keys).sort_values([*keys, VALUE], kind="stable")
    grouped = ordered.groupby(keys, sort=False, observed=True)
    sizes = grouped.size()
    if weighted:
        cumulative = grouped[WEIGHT].cumsum()
        total = grouped[WEIGHT].transform("sum")
        reached = ordered[cumulative >= total / 2.0]
        value = reached.groupby(keys, sort=False, observed=True)[VALUE].first()
        value = value.reindex(sizes.index)
        nan = np.full(len(sizes), np.nan)
        return pd.DataFrame(
            {"value": value.to_numpy(), "n": sizes.to_numpy(), "ci_low": nan, "ci_high": nan},
            index=sizes.index,
        )
    medians = grouped[VALUE].median().reindex(sizes.index)
    starts = np.concatenate([[0], np.cumsum(sizes.to_numpy())[:-1]])
    lower_rank, upper_rank = stats.median_interval_ranks(sizes.to_numpy(), confidence)
    values = ordered[VALUE].to_numpy()
    has_interval = lower_rank > 0
    low = np.full(len(sizes), np.nan)
    high = np.full(len(sizes), np.nan)
    low[has_interval] = values[starts[has_interval] + lower_rank[has_interval] - 1]
    high[has_interval] = values[starts[has_interval] + upper_rank[has_interval] - 1]
    return pd.DataFrame(
        {"value": medians.to_numpy(), "n": sizes.to_numpy(), "ci_low": low, "ci_high": high},
        index=sizes.index,
    )


def _total(work: pd.DataFrame, keys: list[str], weighted: bool, kind: str) -> pd.DataFrame:
    sums = _sums(work, keys, weighted, variance=False)
    value = sums["sw"] if kind == "count" else sums["swy"]
    nan = np.full(len(sums), np.nan)
    return pd.DataFrame(
        {"value": value.to_numpy(), "n": sums["n"].to_numpy(), "ci_low": nan, "ci_high": nan},
        index=sums.index,
    )


def _ratio(work: pd.DataFrame, keys: list[str], weighted: bool, per: float) -> pd.DataFrame:
    w = work[WEIGHT] if weighted else 1.0
    table = pd.DataFrame({"num": work[VALUE] * w, "den": work[DENOMINATOR] * w, "n": 1.0}, index=work.index)
    for key in keys:
        table[key] = work[key]
    sums = table.groupby(keys, sort=False, observed=True).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(sums["den"] != 0, sums["num"] / sums["den"] * per, np.nan)
    nan = np.full(len(sums), np.nan)
    return pd.DataFrame(
        {"value": value, "n": sums["n"].to_numpy(), "ci_low": nan, "ci_high": nan},
        index=sums.index,
    )


@dataclass
class _Context:
    framework: Framework
    forms: dict[str, _FormData]
    confidence: float
    suppress_below: int
    min_n: int
    populations: pd.Series | None  # group → population size N
    specs: dict[str, Disaggregation]
    group_by: str | None = None
    categories: list[Any] = field(default_factory=list)
    """The groups every form's group codes index (shared by all forms)."""

    def form(self, form_id: str) -> _FormData | None:
        return self.forms.get(form_id)


def _survey_rows(data: _FormData, source: Source, value_expression: str | None) -> pd.Series:
    """Mask of the responses that count: filter true, baseline left out if asked, answered."""
    key = (source.filter, source.exclude_baseline, value_expression)
    cached = data.masks.get(key)
    if cached is not None:
        return cached.copy()
    mask = data.counted().copy()
    excluded: dict[str, np.ndarray] = dict(data.removed)
    if source.filter:
        passes = _truthy(data.evaluate(source.filter))
        excluded["filter"] = data.tally(mask & ~passes)
        mask &= passes
    if source.exclude_baseline and "_wave" in data.frame.columns:
        later = data.frame["_wave"].ne("baseline").fillna(True).astype(bool)
        excluded["baseline"] = data.tally(mask & ~later)
        mask &= later
    if value_expression is not None:
        answered = data.answered(value_expression)
        excluded["unanswered"] = data.tally(mask & ~answered)
        mask &= answered
    data.masks[key] = mask
    data.exclusions[key] = excluded
    return mask.copy()


def _exclusions_of(data: _FormData, source: Source, value_expression: str | None) -> dict[str, np.ndarray]:
    """Responses left out per reason and group (a copy, for one indicator to add to)."""
    return dict(data.exclusions[(source.filter, source.exclude_baseline, value_expression)])


def _work_frame(
    data: _FormData,
    indicator: Indicator,
    mask: pd.Series,
    values: pd.Series,
    specs: Mapping[str, Disaggregation],
) -> pd.DataFrame:
    selected = mask.to_numpy()
    columns: dict[str, Any] = {
        GROUP: _select_categorical(data.groups, selected),
        VALUE: values.to_numpy()[selected],
    }
    if data.weighted:
        weights = data.frame["_weight"].to_numpy(dtype="float64", na_value=np.nan)
        columns[WEIGHT] = np.where(np.isnan(weights), 1.0, weights)[selected]
    for name in indicator.disaggregations:
        spec = specs.get(name)
        if spec is not None:
            dimension = data.dimension(spec)
            if dimension is not None:
                columns[f"dim:{name}"] = _select_categorical(dimension, selected)
    return pd.DataFrame(columns, index=data.frame.index[selected])


def _select_categorical(column: pd.Series, selected: np.ndarray) -> pd.Categorical:
    """The selected rows of a categorical column, without re-checking its codes."""
    return pd.Categorical.from_codes(
        column.cat.codes.to_numpy()[selected], categories=column.cat.categories, validate=False
    )


def _method_with_population(base: str, fpc_used: pd.Series | None) -> str | pd.Series:
    if fpc_used is None or fpc_used.empty:  # no answer counted: the method, not an empty Series
        return base
    return fpc_used.map(
        lambda population: (
            f"{base}, finite-population correction N={int(population)}" if population == population else base
        )
    )


def _survey_indicator(indicator: Indicator, context: _Context) -> _Output:
    data = context.form(indicator.measured.form)
    kind = indicator.kind
    if data is None or data.frame.empty:
        return _empty_output(
            _survey_method(indicator, weighted=False),
            f"no_data: no responses to form {indicator.measured.form!r}",
        )
    expression = indicator.value_expression
    mask = _survey_rows(data, indicator.measured, expression)
    exclusions = _exclusions_of(data, indicator.measured, expression)
    if expression is None:
        values = pd.Series(1.0, index=data.frame.index)
    elif kind == "proportion":
        values = _truthy(data.evaluate(expression)).astype("float64")
    elif kind == "count":
        values = _truthy(data.evaluate(expression)).astype("float64")
        mask &= values > 0
    else:
        values = _as_number(data.evaluate(expression))
        not_number = mask & values.isna()
        if not_number.any():
            exclusions["unanswered"] = exclusions.get("unanswered", 0) + data.tally(not_number)
        mask &= values.notna()
    work = _work_frame(data, indicator, mask, values, context.specs)
    if kind == "rate":
        assert indicator.denominator is not None
        denominator_expression = indicator.denominator.value_expression or "1"
        den = _as_number(data.evaluate(denominator_expression))
        work[DENOMINATOR] = den[mask.to_numpy()]
        work = work[work[DENOMINATOR].notna()]

    def statistic(keys: list[str], populations: pd.Series | None) -> pd.DataFrame:
        if kind in {"mean", "proportion"}:
            return _mean_or_share(work, keys, data.weighted, kind, context.confidence, populations)
        if kind == "median":
            return _median(work, keys, data.weighted, context.confidence)
        if kind == "rate":
            return _ratio(work, keys, data.weighted, indicator.per)
        return _total(work, keys, data.weighted, kind)

    overall = statistic([GROUP], context.populations)
    population_used = overall.pop("population") if "population" in overall.columns else None
    cells = _cells(work, indicator, lambda keys: statistic(keys, None), context)
    method = _method_with_population(_survey_method(indicator, data.weighted), population_used)
    measure_range: tuple[float, float] | None = None
    if not data.weighted and kind == "proportion":
        measure_range = (0.0, 1.0)
    elif not data.weighted and kind == "mean" and len(work):
        measure_range = (float(work[VALUE].min()), float(work[VALUE].max()))
    return _Output(
        overall=overall,
        method=method,
        cells=cells,
        population=population_key(indicator.measured.form, work.index),
        measure_range=measure_range,
        exclusions=exclusions,
    )


def _survey_method(indicator: Indicator, weighted: bool) -> str:
    kind = indicator.kind
    if kind == "proportion":
        method = "Wilson score interval (statsmodels proportion_confint)"
        return method + (", weighted: Kish effective sample size" if weighted else "")
    if kind == "mean":
        method = "t interval (statsmodels DescrStatsW)"
        return method + (", weighted: weights scaled to Kish effective sample size" if weighted else "")
    if kind == "median":
        if weighted:
            return "weighted median (no interval)"
        return "median with distribution-free order-statistic interval (binomial ranks)"
    if kind == "count":
        return "weighted count (sum of sampling weights)" if weighted else "count of responses"
    if kind == "sum":
        return "weighted sum of answers" if weighted else "sum of answers"
    return "ratio of sums over responses (no interval)"


def _cells(
    work: pd.DataFrame,
    indicator: Indicator,
    statistic: Any,
    context: _Context,
) -> pd.DataFrame | None:
    frames = []
    for name in indicator.disaggregations:
        column = f"dim:{name}"
        if column not in work.columns:
            continue
        table = statistic([GROUP, column]).reset_index()
        table = table.rename(columns={column: "category"})
        table["dimension"] = name
        spec = context.specs[name]
        order = (
            {band.category: position for position, band in enumerate(spec.bands)}
            if spec.bands
            else {
                category: position
                for position, category in enumerate(sorted(set(table["category"].astype(str))))
            }
        )
        table["__order"] = table["category"].astype(str).map(order)
        frames.append(table.sort_values([GROUP, "__order"], kind="stable").drop(columns="__order"))
    if not frames:
        return None
    cells: pd.DataFrame = pd.concat(frames, ignore_index=True)
    cells["suppressed"] = False
    return cells


# --- change ------------------------------------------------------------------------------


def _change_indicator(indicator: Indicator, context: _Context) -> _Output:
    assert indicator.change is not None
    spec = indicator.change
    method = (
        "share improved: Wilson score interval (statsmodels proportion_confint) over linked "
        "respondents; mean change: t interval; paired t-test (scipy ttest_rel); Wilcoxon "
        "signed-rank on the exact scale of the answers (exact distribution up to 50 pairs without "
        "ties or zeros, else normal approximation with Pratt's zeros and tie correction); "
        "Cohen's dz with normal-approximation interval"
    )
    if spec.report == "mean_change":
        method = "mean change: t interval over linked respondents" + method.partition(";")[2]
    data = context.form(indicator.measured.form)
    if data is None or data.frame.empty or "_wave" not in data.frame.columns:
        return _empty_output(method, f"no_data: no baseline/endline responses to {indicator.measured.form!r}")
    expression = indicator.value_expression
    assert expression is not None
    mask = _survey_rows(data, indicator.measured, expression)
    values = _as_number(data.evaluate(expression))
    link = data.column(spec.link_by) if spec.link_by in data.frame.columns else None
    if link is None:
        return _empty_output(method, f"no_data: responses have no {spec.link_by!r} to link by")
    wave = data.frame["_wave"]
    exclusions = _exclusions_of(data, indicator.measured, expression)
    for reason, missing in (
        ("unanswered", values.isna()),
        ("no_code", link.isna()),
        ("no_wave", ~wave.isin(["baseline", "endline"])),
    ):
        left_out = mask & missing
        if left_out.any():
            exclusions[reason] = exclusions.get(reason, 0) + data.tally(left_out)
        mask &= ~missing
    work = _work_frame(data, indicator, mask, values, context.specs)
    # One integer per person: group, organisation, project and respondent code together
    # (codes are the organisation's own, so the same code in two organisations is two people).
    person = np.asarray(data.groups.cat.codes, dtype=np.int64)
    capacity = len(data.groups.cat.categories) + 1
    for column in ("_organisation_id", "_project_id", spec.link_by):
        if column in data.frame.columns and column != context.group_by:
            codes, count = data.codes(column)
            capacity *= count + 1
            if capacity > 2**62:
                raise KpiError(
                    "too many distinct respondents to link",
                    problems=[Problem("cannot link so many codes", f"responses[{data.form_id}]")],
                )
            person = person * (count + 1) + codes
    selected = mask.to_numpy()
    work["__person"] = person[selected]
    work["__endline"] = (wave[selected] == "endline").to_numpy()
    answer_key = pd.Series(work["__person"].to_numpy() * 2 + work["__endline"].to_numpy())
    if answer_key.duplicated().any():
        # The same person answered a wave twice: the latest submission counts.
        if "_submitted_at" in data.frame.columns:
            work["__submitted"] = data.frame["_submitted_at"][selected]
            work = work.sort_values("__submitted", kind="stable")
        before = work.index
        work = work.drop_duplicates(["__person", "__endline"], keep="last")
        dropped = pd.Series(False, index=data.frame.index)
        dropped[before.difference(work.index)] = True
        exclusions["duplicate"] = exclusions.get("duplicate", 0) + data.tally(dropped)
    baseline = work[~work["__endline"]]
    endline = work[work["__endline"]]
    # Each person has at most one answer per wave now: a hash lookup links them.
    position = pd.Index(endline["__person"].to_numpy()).get_indexer(baseline["__person"].to_numpy())
    found = position >= 0
    linked = baseline[found].rename(columns={VALUE: f"{VALUE}_baseline"})
    linked[VALUE] = endline[VALUE].to_numpy()[position[found]]
    sign = 1.0 if spec.improved_if == "higher" else -1.0
    # Differences on the exact scale of the answers: whole multiples of 1/D (ties tie exactly).
    scale = exact_scale(np.concatenate([linked[VALUE].to_numpy(), linked[f"{VALUE}_baseline"].to_numpy()]))
    if scale is not None:
        scaled = (
            np.round(linked[VALUE].to_numpy() * scale)
            - np.round(linked[f"{VALUE}_baseline"].to_numpy() * scale)
        ) * sign
        linked["__scaled_difference"] = scaled
        linked["__difference"] = scaled / scale
    else:
        linked["__difference"] = (linked[VALUE] - linked[f"{VALUE}_baseline"]) * sign
        linked["__scaled_difference"] = linked["__difference"]
    linked["__improved"] = (linked["__difference"] > 0).astype("float64")
    linked["__worsened"] = (linked["__difference"] < 0).astype("float64")
    counts_baseline = baseline.groupby(GROUP, sort=False, observed=True).size()
    counts_endline = work[work["__endline"]].groupby(GROUP, sort=False, observed=True).size()

    grouped = linked.groupby(GROUP, sort=False, observed=True)
    n = grouped.size()
    mean_difference = grouped["__difference"].mean()
    sd_difference = grouped["__difference"].std(ddof=1)
    share = grouped["__improved"].mean()
    share_low, share_high = stats.wilson_interval(share.to_numpy(), n.to_numpy(), context.confidence)
    mean_low, mean_high = stats.t_interval(
        mean_difference.to_numpy(),
        (sd_difference.fillna(0.0) ** 2 * (n - 1) / n).to_numpy(),
        n.to_numpy(),
        context.confidence,
    )
    t_statistic, t_p = stats.paired_t_test(mean_difference, sd_difference.fillna(0.0), n)
    dz, dz_low, dz_high = stats.cohens_dz(mean_difference, sd_difference.fillna(0.0), n, context.confidence)
    wilcoxon = _wilcoxon_by_group(linked)
    change = pd.DataFrame(
        {
            "n_linked": n,
            "n_baseline_only": (counts_baseline.reindex(n.index).fillna(0) - n),
            "n_endline_only": (counts_endline.reindex(n.index).fillna(0) - n),
            "mean_baseline": grouped[f"{VALUE}_baseline"].mean(),
            "mean_endline": grouped[VALUE].mean(),
            "mean_change": mean_difference,
            "mean_change_ci_low": mean_low,
            "mean_change_ci_high": mean_high,
            "share_improved": share,
            "share_improved_ci_low": share_low,
            "share_improved_ci_high": share_high,
            "share_worsened": grouped["__worsened"].mean(),
            "t_statistic": t_statistic,
            "t_p_value": t_p,
            "wilcoxon_statistic": wilcoxon["statistic"].reindex(n.index),
            "wilcoxon_p_value": wilcoxon["p_value"].reindex(n.index),
            "wilcoxon_exact": wilcoxon["exact"].reindex(n.index).astype("float64"),
            "scale": float(scale) if scale is not None else np.nan,
            "cohens_dz": dz,
            "cohens_dz_ci_low": dz_low,
            "cohens_dz_ci_high": dz_high,
        },
        index=n.index,
    )
    if spec.report == "share_improved":
        overall = pd.DataFrame(
            {"value": share, "n": n, "ci_low": share_low, "ci_high": share_high}, index=n.index
        )
    else:
        overall = pd.DataFrame(
            {
                "value": change["mean_change"],
                "n": n,
                "ci_low": change["mean_change_ci_low"],
                "ci_high": change["mean_change_ci_high"],
            },
            index=n.index,
        )

    def cell_statistic(keys: list[str]) -> pd.DataFrame:
        cell_work = linked.rename(columns={VALUE: "__endline"})
        if spec.report == "share_improved":
            cell_work = cell_work.assign(**{VALUE: cell_work["__improved"]})
            return _mean_or_share(cell_work, keys, False, "proportion", context.confidence)
        cell_work = cell_work.assign(**{VALUE: cell_work["__difference"]})
        return _mean_or_share(cell_work, keys, False, "mean", context.confidence)

    cells = _cells(linked, indicator, cell_statistic, context)
    differences = linked["__difference"]
    measure_range = (
        (0.0, 1.0)
        if spec.report == "share_improved"
        else ((float(differences.min()), float(differences.max())) if len(differences) else None)
    )
    categories = data.groups.cat.categories
    linked_n = n.reindex(categories).fillna(0).to_numpy()
    exclusions["baseline_only"] = counts_baseline.reindex(categories).fillna(0).to_numpy() - linked_n
    exclusions["endline_only"] = counts_endline.reindex(categories).fillna(0).to_numpy() - linked_n
    return _Output(
        overall=overall,
        method=method,
        cells=cells,
        change=change,
        population=population_key(f"{indicator.measured.form}:linked", linked.index),
        measure_range=measure_range,
        exclusions=exclusions,
    )


def _wilcoxon_by_group(linked: pd.DataFrame) -> pd.DataFrame:
    """Wilcoxon signed-rank test per group on the exact-scale differences (stats.signed_rank_by_group)."""
    categories = linked[GROUP].cat.categories
    codes = np.asarray(linked[GROUP].cat.codes, dtype=np.int64)
    statistic, p_value, exact = stats.signed_rank_by_group(
        codes, linked["__scaled_difference"].to_numpy(dtype="float64"), len(categories)
    )
    present = np.flatnonzero(np.bincount(codes, minlength=len(categories)) > 0)
    return pd.DataFrame(
        {"statistic": statistic[present], "p_value": p_value[present], "exact": exact[present]},
        index=categories[present],
    )


def exact_scale(values: np.ndarray, max_denominator: int = 3600) -> int | None:
    """The smallest whole D with every value × D a whole number (to 1e-9), or None.

    Means of 1–5 items are multiples of 1/3 (three items) or 1/2 …: on that scale equal changes
    are exactly equal, so they tie in a rank test and a change of 0 is exactly 0. None for
    values that are not such fractions (continuous measures).
    """
    finite = values[np.isfinite(values)]
    if not len(finite):
        return 1
    distinct = np.unique(finite)
    if len(distinct) > 5_000:
        return None
    denominator = 1
    for value in distinct.tolist():
        fraction = Fraction(value).limit_denominator(max_denominator)
        if abs(float(fraction) - value) > 1e-9 * max(1.0, abs(value)):
            return None
        denominator = math.lcm(denominator, fraction.denominator)
        if denominator > max_denominator:
            return None
    return denominator


# --- reported figures --------------------------------------------------------------------


def _latest_reports(data: _FormData, counted: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """The latest self-report of each organisation for each period, with its group."""
    frame = data.frame.assign(**{GROUP: data.groups})[counted.to_numpy()]
    if "_submitted_at" in frame.columns:
        frame = frame.sort_values("_submitted_at", kind="stable")
    keys = [c for c in ("_organisation_id", "_period_id") if c in frame.columns]
    if keys:
        frame = frame.drop_duplicates(keys, keep="last")
    return frame, frame[GROUP]


def _reported_indicator(indicator: Indicator, context: _Context) -> _Output:
    source = indicator.measured
    ratio = indicator.denominator is not None
    method = (
        "ratio of reported figures (sum of numerators / sum of denominators over organisations)"
        if ratio
        else "reported figure (latest self-report per organisation and period, summed)"
    )
    data = context.form(source.form)
    if data is None or data.frame.empty:
        return _empty_output(method, f"no_data: no responses to form {source.form!r}")
    latest_data = data.latest_reports()
    groups = latest_data.groups
    latest = latest_data.frame
    expression = source.value_expression
    assert expression is not None
    numerator = _as_number(latest_data.evaluate(expression))
    table = pd.DataFrame({GROUP: groups, "num": numerator}, index=latest.index)
    if ratio:
        assert indicator.denominator is not None
        denominator_expression = indicator.denominator.value_expression
        assert denominator_expression is not None
        table["den"] = _as_number(latest_data.evaluate(denominator_expression))
        table = table.dropna(subset=["num", "den"])
    else:
        table = table.dropna(subset=["num"])
    table["n"] = 1.0
    sums = table.groupby(GROUP, sort=False).sum()
    if ratio:
        factor = indicator.per
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(sums["den"] > 0, sums["num"] / sums["den"] * factor, np.nan)
    else:
        value = sums["num"].to_numpy()
    nan = np.full(len(sums), np.nan)
    overall = pd.DataFrame(
        {"value": value, "n": sums["n"].to_numpy(), "ci_low": nan, "ci_high": nan},
        index=sums.index,
    )
    flags: dict[Any, list[str]] = {}
    if ratio:
        for group in sums.index[~(sums["den"] > 0).to_numpy()]:
            flags[group] = ["undefined: the denominator is zero or negative"]
    cells = None
    if indicator.breakdown is not None:
        parts = []
        for category, field_name in indicator.breakdown.parts.items():
            part = pd.DataFrame(
                {GROUP: groups, "value": _as_number(latest_data.column(field_name)), "n": 1.0}
            ).dropna(subset=["value"])
            summed = part.groupby(GROUP, sort=False).sum().reset_index()
            summed["category"] = category
            parts.append(summed)
        cells = pd.concat(parts, ignore_index=True)
        cells["dimension"] = indicator.breakdown.dimension
        cells["ci_low"] = np.nan
        cells["ci_high"] = np.nan
        cells["suppressed"] = False
    return _Output(
        overall=overall,
        method=method,
        cells=cells,
        flags=flags,
        numerator=sums["num"] if ratio else None,
        denominator=sums["den"] if ratio else None,
        exclusions=dict(latest_data.removed),
    )


# --- assembly ----------------------------------------------------------------------------


def derivation_order(framework: Framework) -> list[Indicator]:
    """The derived indicators, each after the derived indicators it reads.

    Raises:
        KpiError: a circular definition (the problem names the cycle).
    """
    from impactkit.frameworks.loading import derivation_cycle

    derived = {i.id: i for i in framework.indicators if i.kind == "derived"}
    cycle = derivation_cycle(framework)
    if cycle:
        raise KpiError(
            f"circular definition: {' → '.join(cycle)}",
            problems=[
                Problem(f"circular definition: {' → '.join(cycle)}", f"indicators[{cycle[0]}].derived")
            ],
        )
    ordered: list[Indicator] = []
    seen: set[str] = set()

    def visit(indicator: Indicator) -> None:
        if indicator.id in seen:
            return
        seen.add(indicator.id)
        for name in sorted(_parse(indicator.derived or "0").references):
            if name in derived:
                visit(derived[name])
        ordered.append(indicator)

    for indicator in derived.values():
        visit(indicator)
    return ordered


def _derived_indicator(indicator: Indicator, computed: Mapping[str, _Output]) -> _Output:
    """Evaluate a derived indicator's expression, group by group, over the other values."""
    from impactkit.surveys.expressions import EvaluationContext

    expression = _parse(indicator.derived or "")
    names = sorted(expression.references)
    groups: set[Any] = set()
    for name in names:
        groups.update(computed[name].overall.index)
    rows = []
    undefined: dict[Any, list[str]] = {}
    for group in sorted(groups, key=str):
        values: dict[str, Any] = {}
        for name in names:
            table = computed[name].overall
            value: Any = table.at[group, "value"] if group in table.index else None
            values[name] = None if value is None or pd.isna(value) else float(value)
        missing = [name for name, value in values.items() if value is None]
        result = None if missing else expression.evaluate(EvaluationContext(values=values))
        number = float(result) if isinstance(result, int | float) and not isinstance(result, bool) else None
        if number is None or not math.isfinite(number):
            reason = f"no value for {', '.join(missing)}" if missing else "not a finite number"
            undefined[group] = [f"undefined: {reason}"]
            number = None
        rows.append({"group": group, "value": number, "n": None, "ci_low": None, "ci_high": None})
    overall = pd.DataFrame(rows, columns=["group", *STAT_COLUMNS]).set_index("group")
    return _Output(overall=overall, method=f"derived: {indicator.derived}", flags=undefined)


def _populations(
    framework: Framework, forms: Mapping[str, _FormData], population: int | None
) -> pd.Series | None:
    if population is not None:
        groups: set[Any] = set()
        for data in forms.values():
            groups.update(data.groups.cat.categories)
        return pd.Series(float(population), index=sorted(groups, key=str), dtype="float64")
    source = framework.population
    if source is None or source.form not in forms or forms[source.form].frame.empty:
        return None
    latest_data = forms[source.form].latest_reports()
    report_groups = latest_data.groups
    expression = source.value_expression
    assert expression is not None
    values = _as_number(latest_data.evaluate(expression))
    table = pd.DataFrame({GROUP: report_groups, "population": values}).dropna()
    if table.empty:
        return None
    return table.groupby(GROUP, sort=False)["population"].sum()


def _target_met(indicator: Indicator, value: float | None) -> bool | None:
    if indicator.target is None or value is None:
        return None
    if indicator.target.direction == "at_least":
        return value >= indicator.target.value
    return value <= indicator.target.value


def _group_columns(responses: Mapping[str, pd.DataFrame], group_by: str | None) -> list[pd.Series]:
    """Each frame's group of every row, as a Categorical shared by all frames (fast groupby)."""
    if group_by is None:
        return [
            pd.Series(
                pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), pd.Index([ALL])),
                index=frame.index,
            )
            for frame in responses.values()
        ]
    missing = [
        form_id for form_id, frame in responses.items() if group_by not in frame.columns and len(frame)
    ]
    if missing:
        raise KpiError(
            f"cannot group by {group_by!r}",
            problems=[
                Problem(f"the responses to {form_id!r} have no column {group_by!r}", f"responses[{form_id}]")
                for form_id in missing
            ],
        )
    factorized = [
        pd.factorize(frame[group_by] if group_by in frame.columns else pd.Series([], dtype=object))
        for frame in responses.values()
    ]
    values: set[Any] = set()
    for _, uniques in factorized:
        values.update(v for v in uniques.tolist() if v == v)
    categories = pd.Index(sorted(values, key=str))
    columns = []
    for (codes, uniques), frame in zip(factorized, responses.values(), strict=True):
        lookup = np.append(categories.get_indexer(uniques), -1)
        columns.append(
            pd.Series(
                pd.Categorical.from_codes(lookup[codes], categories=categories),
                index=frame.index,
            )
        )
    return columns


def compute_kpis(
    framework: Framework,
    responses: Mapping[str, pd.DataFrame],
    *,
    population: int | None = None,
    group_by: str | None = None,
    min_n: int = 30,
    suppress_below: int | None = None,
    confidence: float = stats.CONFIDENCE,
) -> KpiResults:
    """Compute every indicator of a framework, with intervals, methods and disaggregations.

    Args:
        framework: an indicator framework (e.g. ``get_framework("simplified-kpis")``).
        responses: form_id → one row per response (answer columns named like the fields,
            plus the metadata columns ``_organisation_id``, ``_period_id``, ``_wave``,
            ``_submitted_at``, ``_territory_type``, optionally ``_weight``).
        population: the number of people the survey sample is drawn from, for the
            finite-population correction; default the framework's reported population
            (e.g. ``population_served`` of the self-report) per group, or none.
        group_by: a column to compute every indicator for each of its values (e.g.
            ``"_organisation_id"``); None computes over all responses together.
        min_n: a value computed from fewer responses is flagged ``small_n``.
        suppress_below: the disclosure-control threshold k (default: the instance's, 5): a
            headline figure or cell counting 1 to k − 1 people is hidden, and further cells
            so that none can be worked out from the others (:mod:`impactkit.disclosure`);
            1 hides nothing (for an organisation's own analysis only).
        confidence: the confidence level of every interval (0.95 = 95 %).

    Returns:
        The results, one per indicator (and group), in the framework's order.

    Raises:
        KpiError: the framework is not an indicator framework, or the responses cannot be
            grouped or evaluated (the problem names the form and column).

    Example:
        >>> import pandas as pd
        >>> from impactkit.frameworks import get_framework
        >>> frame = pd.DataFrame({"consent": ["yes"] * 8, "satisfaction": [5, 4, 3, 4, 2, 5, 4, 4]})
        >>> kpis = compute_kpis(get_framework("simplified-kpis"), {"beneficiary_outcomes": frame})
        >>> kpis.get("beneficiaries_satisfied").value
        0.75
    """
    if framework.kind != "indicators":
        raise KpiError(
            f"framework {framework.id!r} is a {framework.kind}, not an indicator framework",
            problems=[Problem("only indicator frameworks have KPIs to compute", "framework")],
        )
    forms = {
        form_id: _FormData(form_id, frame, groups)
        for (form_id, frame), groups in zip(
            responses.items(), _group_columns(responses, group_by), strict=True
        )
    }
    threshold = default_threshold() if suppress_below is None else suppress_below
    context = _Context(
        framework=framework,
        forms=forms,
        confidence=confidence,
        suppress_below=threshold,
        min_n=min_n,
        populations=_populations(framework, forms, population),
        specs={spec.id: spec for spec in framework.disaggregations},
        group_by=group_by,
        categories=(list(next(iter(forms.values())).groups.cat.categories) if forms else [ALL]),
    )
    computed: dict[str, _Output] = {}
    for indicator in framework.indicators:
        if indicator.kind == "derived":
            continue
        if indicator.kind == "change":
            output = _change_indicator(indicator, context)
        elif indicator.measured.reported:
            output = _reported_indicator(indicator, context)
        else:
            output = _survey_indicator(indicator, context)
        computed[indicator.id] = output
    # Disclosure control first: derived indicators then read only figures that are shown.
    hidden = _protect([(i, computed[i.id]) for i in framework.indicators if i.id in computed], context)
    for indicator in derivation_order(framework):
        computed[indicator.id] = _derived_indicator(indicator, computed)
    outputs = [(indicator, computed[indicator.id]) for indicator in framework.indicators]

    groups: list[Any] = [ALL]
    if group_by is not None:
        present: set[Any] = set()
        for data in forms.values():
            present.update(data.groups.cat.remove_unused_categories().cat.categories)
        groups = sorted(present, key=str)
    payload = {
        "framework_id": framework.id,
        "framework_version": framework.version,
        "framework_hash": framework.content_hash(),
        "group_by": group_by,
        "confidence": confidence,
        "min_n": min_n,
        "suppress_below": threshold,
        "disclosure": {
            "threshold": threshold,
            "hidden_primary": hidden.primary,
            "hidden_secondary": hidden.secondary,
            "method": method_statement(threshold, hidden.primary, hidden.secondary),
        },
        "results": _assemble_without_gc(outputs, groups, group_by, context, hidden),
    }
    return KpiResults.model_validate(payload)


def _people_fields(framework: Framework) -> set[str]:
    """Fields of reported counts of people (the denominators a reported share is "of whom")."""
    return {
        indicator.source.field
        for indicator in framework.indicators
        if indicator.source is not None
        and indicator.source.reported
        and indicator.kind in {"count", "sum"}
        and indicator.unit in PEOPLE_UNITS
        and indicator.source.field is not None
    }


def _protect(outputs: list[tuple[Indicator, _Output]], context: _Context) -> Decisions:
    """Disclosure control of every headline figure and cell (impactkit.disclosure), applied."""
    people = _people_fields(context.framework)
    tables = []
    for indicator, output in outputs:
        part_of = None
        if indicator.measured.reported and indicator.denominator is not None:
            field_name = indicator.denominator.field
            part_of = field_name if field_name in people else None
        tables.append(
            IndicatorTables(
                indicator=indicator,
                overall=output.overall,
                cells=output.cells,
                population=output.population,
                measure_range=output.measure_range,
                people_count=indicator.measured.reported
                and indicator.kind in {"count", "sum"}
                and indicator.unit in PEOPLE_UNITS,
                part_of=part_of,
                numerator=output.numerator if part_of else None,
                denominator=output.denominator if part_of else None,
            )
        )
    decisions = decide(tables, context.specs, context.suppress_below)
    for indicator, output in outputs:
        hidden_groups = decisions.overall.get(indicator.id, {})
        if hidden_groups:
            rows = output.overall.index.isin(list(hidden_groups))
            output.overall.loc[rows, STAT_COLUMNS] = np.nan
            if output.change is not None:
                change_rows = output.change.index.isin(list(hidden_groups))
                output.change.loc[change_rows, :] = np.nan
        reasons = decisions.cells.get(indicator.id)
        if output.cells is not None and reasons is not None and len(reasons):
            hidden = reasons != ""
            output.cells["suppressed"] = hidden
            output.cells["suppression"] = reasons
            if hidden.any():
                output.cells.loc[hidden, STAT_COLUMNS] = np.nan
    return decisions


def _assemble_without_gc(
    outputs: list[tuple[Indicator, _Output]],
    groups: list[Any],
    group_by: str | None,
    context: _Context,
    hidden: Decisions,
) -> list[KpiResult]:
    # Tens of thousands of small acyclic objects: the cyclic garbage collector would run a
    # hundred times for nothing (a second on a million responses). Paused, then restored.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _assemble(outputs, groups, group_by, context, hidden)
    finally:
        if was_enabled:
            gc.enable()


_Model = TypeVar("_Model", bound=BaseModel)


def _trusted(model: type[_Model], data: dict[str, Any]) -> _Model:
    """A model instance from data this module has just computed, without re-validating it.

    What ``model_construct`` does, minus its per-field default handling: ``data`` has every
    field, already of the right Python type (floats, ints, str, None). Validating the
    ~70,000 result and cell objects of a 1,000-organisation run would take longer than
    computing them; ``test_trusted_results_are_valid`` re-validates a full result.
    """
    instance = model.__new__(model)
    object.__setattr__(instance, "__dict__", data)
    object.__setattr__(instance, "__pydantic_fields_set__", set(data))
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


def _nullable(values: Any, integer: bool = False) -> list[Any]:
    """A numeric column as a list of Python numbers, None where missing."""
    array = np.asarray(values, dtype="float64")
    missing = np.isnan(array)
    listed: list[Any] = (np.where(missing, 0, array).astype(np.int64) if integer else array).tolist()
    if missing.any():
        for position in np.flatnonzero(missing).tolist():
            listed[position] = None
    return listed


def _cells_by_group(cells: pd.DataFrame | None) -> dict[Any, list[DisaggregationCell]]:
    if cells is None or cells.empty:
        return {}
    by_group: dict[Any, list[DisaggregationCell]] = {}
    reasons = cells["suppression"].tolist() if "suppression" in cells.columns else [""] * len(cells)
    columns = zip(
        cells[GROUP].tolist(),
        cells["dimension"].tolist(),
        cells["category"].astype(str).tolist(),
        _nullable(cells["value"]),
        _nullable(cells["n"], integer=True),
        _nullable(cells["ci_low"]),
        _nullable(cells["ci_high"]),
        cells["suppressed"].astype(bool).tolist(),
        reasons,
        strict=True,
    )
    for group, dimension, category, value, n, low, high, suppressed, reason in columns:
        by_group.setdefault(group, []).append(
            _trusted(
                DisaggregationCell,
                {
                    "dimension": dimension,
                    "category": category,
                    "value": value,
                    "n": n,
                    "ci_low": low,
                    "ci_high": high,
                    "suppressed": suppressed,
                    "suppression": reason or None,
                },
            )
        )
    return by_group


def _table_by_group(table: pd.DataFrame, integer_columns: set[str]) -> dict[Any, dict[str, Any]]:
    if table.empty:
        return {}
    columns = {name: _nullable(table[name], integer=name in integer_columns) for name in table.columns}
    names = list(columns)
    return {
        group: dict(zip(names, row, strict=True))
        for group, row in zip(table.index.tolist(), zip(*columns.values(), strict=True), strict=True)
    }


def _statements(threshold: int) -> Any:
    cache: dict[tuple[int, int], LocalizedText] = {}

    def statement(primary: int, secondary: int) -> LocalizedText:
        key = (primary, secondary)
        if key not in cache:
            cache[key] = _trusted(LocalizedText, method_statement(threshold, primary, secondary))
        return cache[key]

    return statement


def _assemble(
    outputs: list[tuple[Indicator, _Output]],
    groups: list[Any],
    group_by: str | None,
    context: _Context,
    hidden: Decisions,
) -> list[KpiResult]:
    statement = _statements(context.suppress_below)
    position = {group: i for i, group in enumerate(context.categories)}
    prepared = []
    for indicator, output in outputs:
        overall = _table_by_group(output.overall[STAT_COLUMNS], {"n"})
        methods = output.method.to_dict() if isinstance(output.method, pd.Series) else None
        change = (
            _table_by_group(output.change, {"n_linked", "n_baseline_only", "n_endline_only", "scale"})
            if output.change is not None
            else {}
        )
        labels = {
            reason: _trusted(
                LocalizedText,
                _exclusion_label(reason, indicator.source.filter if indicator.source is not None else None),
            )
            for reason in output.exclusions
        }
        prepared.append((indicator, output, overall, methods, change, _cells_by_group(output.cells), labels))
    results: list[KpiResult] = []
    for group in groups:
        for indicator, output, overall, methods, change, cells, labels in prepared:
            row = overall.get(group)
            value = row["value"] if row else None
            n = row["n"] if row else 0
            flags = list(output.common_flags) + output.flags.get(group, [])
            reason = hidden.overall.get(indicator.id, {}).get(group)
            if reason is not None:
                flags.append(
                    f"suppressed: fewer than {context.suppress_below} people"
                    if reason == "primary"
                    else "suppressed: hidden so that another figure cannot be worked out"
                )
            group_cells = cells.get(group, [])
            exclusions = []
            at = position.get(group)
            for why, counts in output.exclusions.items():
                count = int(counts[at]) if at is not None and at < len(counts) else 0
                if count > 0:
                    exclusions.append(
                        _trusted(
                            Exclusion,
                            {
                                "reason": why,
                                "count": None if reason is not None else count,
                                "label": labels[why],
                            },
                        )
                    )
            primary = (reason == "primary") + sum(1 for c in group_cells if c.suppression == "primary")
            secondary = (reason == "secondary") + sum(1 for c in group_cells if c.suppression == "secondary")
            if row is None and not output.common_flags:
                flags.append("no_data: no responses for this group")
            measured = indicator.source is not None and not indicator.source.reported
            if measured and n is not None and 0 < n < context.min_n:
                flags.append(f"small_n: n={n} < {context.min_n}")
            method = methods.get(group, output.method) if methods else output.method
            change_row = change.get(group)
            change_statistics = None
            if change_row is not None and indicator.change is not None and reason is None:
                exact = change_row.pop("wilcoxon_exact")
                change_statistics = _trusted(
                    ChangeStatistics,
                    {
                        **change_row,
                        "improved_if": indicator.change.improved_if,
                        "wilcoxon_method": (
                            None
                            if change_row["wilcoxon_p_value"] is None
                            else "exact"
                            if exact
                            else "normal approximation (Pratt zeros, tie-corrected)"
                        ),
                    },
                )
            result = _trusted(
                KpiResult,
                {
                    "indicator_id": indicator.id,
                    "group": None if group_by is None else str(group),
                    "labels": indicator.labels,
                    "unit": indicator.unit,
                    "kind": indicator.kind,
                    "value": value,
                    "n": n,
                    "ci_low": row["ci_low"] if row else None,
                    "ci_high": row["ci_high"] if row else None,
                    "confidence": context.confidence,
                    "method": str(method),
                    "target": indicator.target.value if indicator.target else None,
                    "direction": indicator.target.direction if indicator.target else None,
                    "target_met": _target_met(indicator, value),
                    "flags": flags,
                    "disaggregations": group_cells,
                    "change": change_statistics,
                    "exclusions": exclusions,
                    "suppressed": reason is not None,
                    "suppression": reason,
                    "disclosure": statement(primary, secondary),
                },
            )
            results.append(result)
    return results


__all__ = ["compute_kpis"]
