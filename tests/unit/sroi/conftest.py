"""Shared value maps for the SROI tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from impactkit.sroi import ValueMap, load_value_map

REPO = Path(__file__).resolve().parents[3]
CASE_A_PATH = REPO / "docs" / "examples" / "value-map-case-a.yaml"


def case_a_data() -> dict[str, Any]:
    """Case A of tests/data/sroi/README.md as plain data."""
    return {
        "name": "Case A",
        "stakeholders": [{"name": "Young people"}],
        "inputs": [{"description": "Grant", "amount": 20000, "source": "agreement"}],
        "outcomes": [
            {
                "name": "Into work",
                "stakeholder": "Young people",
                "quantity": 50,
                "proxy": {"value": 1000, "source": "illustrative"},
                "deadweight": 0.20,
                "displacement": 0.0,
                "attribution": 0.25,
                "drop_off": 0.10,
                "duration": 3,
            }
        ],
    }


@pytest.fixture
def case_a() -> ValueMap:
    return load_value_map(CASE_A_PATH)
