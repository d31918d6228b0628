"""What ``impactkit.sroi`` offers a notebook user is exactly what it says it offers."""

from __future__ import annotations

import impactkit.sroi as sroi

PROMISED = {
    "ValueMap",
    "Outcome",
    "Input",
    "Stakeholder",
    "FinancialProxy",
    "Conventions",
    "load_value_map",
    "compute",
    "SroiResult",
    "sensitivity",
    "SensitivityResult",
    "simulate",
    "MonteCarloResult",
    "deadweight_from_comparison",
    "deadweight_from_did",
    "write_value_map",
    "export_value_map",
    "import_value_map",
}


def test_the_promised_names_are_exported() -> None:
    assert set(sroi.__all__) >= PROMISED


def test_every_exported_name_exists_and_is_public() -> None:
    for name in sroi.__all__:
        assert hasattr(sroi, name), name
        assert not name.startswith("_")
    assert sorted(sroi.__all__) == sorted(set(sroi.__all__))
