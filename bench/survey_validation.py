"""Validation speed of one response, next to a baseline in the same run.

Run: .venv/bin/python bench/survey_validation.py
Baseline: pydantic validating the same 20 values into a plain typed model (no expressions).
Each figure is the best of several rounds, the rounds of all lines taken in turn, so that a
busy machine slows them alike and spares the best round of each.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import create_model

from impactkit._paths import data_dir
from impactkit.surveys import Choice, Field, Form, load_xlsform, validate_response

FIELDS: list[Field] = []
ANSWERS: dict[str, Any] = {}
for index in range(5):
    FIELDS += [
        Field(name=f"age_{index}", type="integer", required="true()", constraint=". >= 0 and . < 120"),
        Field(name=f"consent_{index}", type="select_one", list_name="yes_no", required="true()"),
        Field(name=f"note_{index}", type="text", relevant=f"${{consent_{index}}} = 'yes'"),
        Field(name=f"services_{index}", type="select_multiple", list_name="services"),
    ]
    ANSWERS |= {
        f"age_{index}": 30 + index,
        f"consent_{index}": "yes",
        f"note_{index}": "fine",
        f"services_{index}": "housing food",
    }
FORM = Form(
    form_id="bench",
    version="1",
    title="bench",
    children=FIELDS,
    choices={
        "yes_no": [Choice(name="yes"), Choice(name="no")],
        "services": [Choice(name=n) for n in ("housing", "food", "work")],
    },
)
BASELINE = create_model(  # type: ignore[call-overload]
    "Baseline",
    **{name: (int if name.startswith("age") else str, ...) for name in ANSWERS},
)
BENEFICIARY_ANSWERS: dict[str, Any] = {
    "consent": "yes",
    "respondent_code": "TO-0042",
    "gender": "female",
    "age": 34,
    "territory_type": "urban",
    "vulnerable_conditions": ["unemployment", "low_income"],
    "employment_status": "unemployed",
    "months_unemployed": 7,
    "wellbeing": "3",
    "autonomy": "4",
    "social_connections": "2",
    "satisfaction": "4",
    "would_recommend": "yes",
}
"""A complete, valid response to the shipped beneficiary_outcomes form."""


def best_per_call(
    lines: dict[str, Callable[[], Any]], rounds: int = 7, calls: int = 2_000
) -> dict[str, float]:
    """µs per call of each line: the best of ``rounds`` rounds of ``calls`` calls."""
    best = dict.fromkeys(lines, float("inf"))
    for function in lines.values():
        function()
    for _ in range(rounds):
        for name, function in lines.items():
            start = time.perf_counter()
            for _ in range(calls):
                function()
            best[name] = min(best[name], (time.perf_counter() - start) / calls * 1e6)
    return best


if __name__ == "__main__":
    today = date(2026, 1, 1)
    beneficiary = load_xlsform(data_dir("surveys") / "beneficiary_outcomes.xlsx")
    figures = best_per_call(
        {
            "ours": lambda: validate_response(FORM, ANSWERS, today=today),
            "baseline": lambda: BASELINE.model_validate(ANSWERS),
            "beneficiary": lambda: validate_response(beneficiary, BENEFICIARY_ANSWERS, today=today),
        }
    )
    for label, name in [
        ("validate_response, 20 fields (5 relevants, 5 constraints, 10 required)", "ours"),
        ("baseline pydantic model_validate of the same 20 values", "baseline"),
        ("validate_response, the shipped beneficiary_outcomes form (21 fields)", "beneficiary"),
    ]:
        print(f"{label + ':':<74}{figures[name]:8.1f} µs")
