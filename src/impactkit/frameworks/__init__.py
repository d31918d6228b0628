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
from impactkit.frameworks.proxies import (
    AdjustedProxy,
    PriceIndex,
    ProxyBank,
    ProxyEntry,
    SourceReference,
    adjust_proxy,
    adjust_value,
    check_proxy_bank,
    financial_proxy,
    load_proxy_bank,
    price_factor,
    shipped_proxy_bank,
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
    "AdjustedProxy",
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
    "PriceIndex",
    "ProxyBank",
    "ProxyEntry",
    "Source",
    "SourceReference",
    "Tags",
    "Target",
    "adjust_proxy",
    "adjust_value",
    "check_framework",
    "check_proxy_bank",
    "compute_kpis",
    "financial_proxy",
    "framework_problems",
    "get_framework",
    "load_framework",
    "load_proxy_bank",
    "plan_objective_ids",
    "price_factor",
    "sdg_target_ids",
    "shipped_form_fields",
    "shipped_frameworks",
    "shipped_proxy_bank",
]


def __getattr__(name: str) -> Any:
    # compute_kpis pulls in scipy and statsmodels (seconds to import): load it on first use,
    # so that listing or checking frameworks stays quick.
    if name == "compute_kpis":
        from impactkit.frameworks.compute import compute_kpis

        return compute_kpis
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
