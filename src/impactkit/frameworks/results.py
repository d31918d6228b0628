"""KPI results: one value per indicator (and group) with its interval, method and cells."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from impactkit.frameworks.model import IndicatorKind, LocalizedText

if TYPE_CHECKING:
    import pandas as pd


SuppressionReason = Literal["primary", "secondary"]


class DisaggregationCell(BaseModel):
    """One cell of a disaggregation; value, n and interval are hidden (None) when suppressed."""

    model_config = ConfigDict(frozen=True)

    dimension: str
    category: str
    value: float | None
    n: int | None
    ci_low: float | None = None
    ci_high: float | None = None
    suppressed: bool = False
    suppression: SuppressionReason | None = None
    """Why it is hidden: ``primary`` (fewer people than the threshold) or ``secondary`` (so that
    a small cell cannot be worked out from this one and the totals)."""


class ChangeStatistics(BaseModel):
    """Baseline→endline change for respondents linked by their code."""

    model_config = ConfigDict(frozen=True)

    n_linked: int
    """Respondents with both a baseline and an endline answer."""
    n_baseline_only: int
    n_endline_only: int
    improved_if: str
    mean_baseline: float | None
    mean_endline: float | None
    mean_change: float | None
    """Endline minus baseline (sign turned when lower is better: positive = better)."""
    mean_change_ci_low: float | None
    mean_change_ci_high: float | None
    share_improved: float | None
    share_improved_ci_low: float | None
    share_improved_ci_high: float | None
    share_worsened: float | None
    t_statistic: float | None
    t_p_value: float | None
    """Paired t-test, two-sided (scipy.stats.ttest_rel)."""
    wilcoxon_statistic: float | None
    """min(W⁺, W⁻) of the Wilcoxon signed-rank test."""
    wilcoxon_p_value: float | None
    """Two-sided: the exact null distribution up to 50 pairs with no ties and no zero change;
    otherwise the normal approximation with Pratt's treatment of zeros and the tie correction
    (``scipy.stats.wilcoxon(d, zero_method="pratt", method="asymptotic", correction=False)``)."""
    wilcoxon_method: str | None = None
    """``exact`` or ``normal approximation (Pratt zeros, tie-corrected)``."""
    scale: int | None = None
    """Changes are whole multiples of 1/scale of the answers' scale (3: means of three items), so
    equal changes are exactly equal; None for continuous measures."""
    cohens_dz: float | None
    cohens_dz_ci_low: float | None
    cohens_dz_ci_high: float | None


class Exclusion(BaseModel):
    """Responses left out of a KPI, and why."""

    model_config = ConfigDict(frozen=True)

    reason: str
    """``excluded:<why>`` (the organisation excluded them: test answer, duplicate …), ``duplicate``
    (earlier answers of a respondent code in the same wave: the latest counts), ``filter``,
    ``baseline``, ``unanswered``, ``no_code``, ``no_wave``, ``baseline_only``, ``endline_only``,
    ``superseded`` (earlier self-reports of the same organisation and period)."""
    count: int | None
    """None when the KPI's figure is hidden (the count would give it away)."""
    label: LocalizedText


class KpiResult(BaseModel):
    """The value of one indicator for one group (or for all the data), and how it was found."""

    model_config = ConfigDict(frozen=True)

    indicator_id: str
    group: str | None = None
    labels: LocalizedText
    unit: str
    kind: IndicatorKind
    value: float | None
    n: int | None
    """People (survey responses) or organisations (reported figures) behind the value."""
    ci_low: float | None = None
    ci_high: float | None = None
    confidence: float = 0.95
    method: str
    target: float | None = None
    direction: str | None = None
    target_met: bool | None = None
    flags: list[str] = []
    disaggregations: list[DisaggregationCell] = []
    change: ChangeStatistics | None = None
    exclusions: list[Exclusion] = []
    """What was left out, and why (reasons with no response left out are not listed)."""
    suppressed: bool = False
    """The headline figure (value, n, interval, change statistics) is hidden."""
    suppression: SuppressionReason | None = None
    disclosure: LocalizedText | None = None
    """The disclosure-control method, to print next to this KPI's table (it, en)."""


class DisclosureSummary(BaseModel):
    """How the results were protected (:mod:`impactkit.disclosure`)."""

    model_config = ConfigDict(frozen=True)

    threshold: int
    """Counts from 1 to threshold − 1 are hidden, with further cells so none can be derived."""
    hidden_primary: int = 0
    hidden_secondary: int = 0
    method: LocalizedText


class KpiResults(BaseModel):
    """Every indicator of a framework computed over a set of responses."""

    model_config = ConfigDict(frozen=True)

    framework_id: str
    framework_version: str
    framework_hash: str
    group_by: str | None = None
    confidence: float = 0.95
    min_n: int = 30
    suppress_below: int = 5
    disclosure: DisclosureSummary | None = None
    results: list[KpiResult]

    def get(self, indicator_id: str, group: str | None = None) -> KpiResult:
        """The result of one indicator (for one group when grouped)."""
        for result in self.results:
            if result.indicator_id == indicator_id and result.group == group:
                return result
        raise KeyError((indicator_id, group))

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator (and group): the headline figures, without cells."""
        import pandas as pd

        rows: list[dict[str, Any]] = [
            {
                "group": r.group,
                "indicator_id": r.indicator_id,
                "unit": r.unit,
                "kind": r.kind,
                "value": r.value,
                "n": r.n,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "method": r.method,
                "target": r.target,
                "target_met": r.target_met,
                "flags": "; ".join(r.flags),
            }
            for r in self.results
        ]
        return pd.DataFrame(rows)
