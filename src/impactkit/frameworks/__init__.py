"""Impact frameworks: indicator models, shipped frameworks, checks and KPI computation.

from impactkit.frameworks import get_framework, compute_kpis
kpis = compute_kpis(get_framework("simplified-kpis"), {"beneficiary_outcomes": frame})
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from impactkit.frameworks.loading import (
    check_framework,
    framework_problems,
    get_framework,
    load_framework,
    plan_objective_ids,
    sdg_target_ids,
    shipped_form_fields,
    shipped_frameworks,
)
from impactkit.frameworks.model import (
    AgeBand,
    Breakdown,
    ChangeSpec,
    Disaggregation,
    Framework,
    Indicator,
    IndicatorKind,
    LocalizedText,
    Source,
    Tags,
    Target,
)

if TYPE_CHECKING:
    from impactkit.frameworks.compute import compute_kpis
from impactkit.frameworks.results import (
    ChangeStatistics,
    DisaggregationCell,
    KpiResult,
    KpiResults,
)

__all__ = [
    "AgeBand",
    "Breakdown",
    "ChangeSpec",
    "ChangeStatistics",
    "Disaggregation",
    "DisaggregationCell",
    "Framework",
    "Indicator",
    "IndicatorKind",
    "KpiResult",
    "KpiResults",
    "LocalizedText",
    "Source",
    "Tags",
    "Target",
    "check_framework",
    "compute_kpis",
    "framework_problems",
    "get_framework",
    "load_framework",
    "plan_objective_ids",
    "sdg_target_ids",
    "shipped_form_fields",
    "shipped_frameworks",
]


def __getattr__(name: str) -> Any:
    # compute_kpis pulls in scipy and statsmodels (seconds to import): load it on first use,
    # so that listing or checking frameworks stays quick.
    if name == "compute_kpis":
        from impactkit.frameworks.compute import compute_kpis

        return compute_kpis
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
