"""SROI: value maps, the Guide's calculation, sensitivity, Monte Carlo, evidence-based deadweight, Excel.

From a notebook::

    from impactkit.sroi import load_value_map, compute
    result = compute(load_value_map("value-map.yaml"))
    print(result.table())
"""

from __future__ import annotations

from impactkit.sroi._engine import Notice, OutcomeResult, SroiResult, StakeholderTotal, compute
from impactkit.sroi._model import (
    Conventions,
    FinancialProxy,
    Input,
    KpiLink,
    LogNormal,
    Normal,
    Outcome,
    Pert,
    Stakeholder,
    Triangular,
    Uniform,
    ValueMap,
    check_value_map,
    kpi_links,
    load_value_map,
    parse_value_map,
    resolve_quantities,
)

__all__ = [
    "Conventions",
    "FinancialProxy",
    "Input",
    "KpiLink",
    "LogNormal",
    "Normal",
    "Notice",
    "Outcome",
    "OutcomeResult",
    "Pert",
    "SroiResult",
    "Stakeholder",
    "StakeholderTotal",
    "Triangular",
    "Uniform",
    "ValueMap",
    "check_value_map",
    "compute",
    "kpi_links",
    "load_value_map",
    "parse_value_map",
    "resolve_quantities",
]
