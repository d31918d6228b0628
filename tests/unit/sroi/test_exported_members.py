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


def test_every_result_is_json_ready_for_the_api() -> None:
    import json

    import pandas as pd

    from .conftest import case_a_data

    data = case_a_data()
    data["outcomes"][0]["distributions"] = {"proxy": {"kind": "pert", "low": 800, "mode": 1000, "high": 1500}}
    value_map = sroi.ValueMap.model_validate(data)
    frame = pd.DataFrame({"done": [1, 0, 1, 1], "group": ["comparison"] * 4})
    results = [
        sroi.compute(value_map),
        sroi.sensitivity(value_map),
        sroi.simulate(value_map, draws=100, seed=1),
        sroi.deadweight_from_comparison(frame, "done", "group"),
        value_map,
    ]
    for result in results:
        text = json.dumps(result.model_dump(mode="json"), allow_nan=False)
        assert type(result).model_validate(json.loads(text)) == result
