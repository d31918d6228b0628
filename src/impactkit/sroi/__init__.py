"""SROI: value maps, the Guide's calculation, sensitivity, Monte Carlo, deadweight, Excel.

From a notebook::

    from impactkit.sroi import load_value_map, compute
    result = compute(load_value_map("value-map.yaml"))
    print(result.table())
"""

from __future__ import annotations

from impactkit.sroi._deadweight import (
    ComparisonDeadweight,
    DidDeadweight,
    deadweight_from_comparison,
    deadweight_from_did,
)
from impactkit.sroi._diff import MapChange, diff_value_maps
from impactkit.sroi._engine import Notice, OutcomeResult, Payback, SroiResult, StakeholderTotal, compute
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
from impactkit.sroi._montecarlo import MonteCarloResult, Summary, simulate
from impactkit.sroi._sensitivity import (
    BreakEven,
    EstimateSensitivity,
    SensitivityResult,
    SensitivityStep,
    sensitivity,
)
from impactkit.sroi.excel import export_value_map, import_value_map, write_value_map
from impactkit.sroi.svi import export_svi_value_map, import_svi_value_map, write_svi_value_map

__all__ = [
    "BreakEven",
    "ComparisonDeadweight",
    "Conventions",
    "DidDeadweight",
    "EstimateSensitivity",
    "FinancialProxy",
    "Input",
    "KpiLink",
    "LogNormal",
    "MapChange",
    "MonteCarloResult",
    "Normal",
    "Notice",
    "Outcome",
    "OutcomeResult",
    "Payback",
    "Pert",
    "SensitivityResult",
    "SensitivityStep",
    "SroiResult",
    "Stakeholder",
    "StakeholderTotal",
    "Summary",
    "Triangular",
    "Uniform",
    "ValueMap",
    "check_value_map",
    "compute",
    "deadweight_from_comparison",
    "deadweight_from_did",
    "diff_value_maps",
    "export_svi_value_map",
    "export_value_map",
    "import_svi_value_map",
    "import_value_map",
    "kpi_links",
    "load_value_map",
    "parse_value_map",
    "resolve_quantities",
    "sensitivity",
    "simulate",
    "write_svi_value_map",
    "write_value_map",
]
