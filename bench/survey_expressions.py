"""Expression speed: one evaluation, and a KPI rule over 1,000,000 rows, next to baselines.

Run: .venv/bin/python bench/survey_expressions.py
Baselines (same run): the same rule written by hand in numpy/pandas.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from impactkit.surveys import parse_expression

ROWS = 1_000_000


def seconds(function: object, rounds: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        function()  # type: ignore[operator]
    return (time.perf_counter() - start) / rounds


if __name__ == "__main__":
    generator = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "age": generator.integers(10, 90, ROWS).astype("float64"),
            "income": generator.normal(1500, 400, ROWS),
            "services": generator.choice(["housing", "food", "housing work", "", "food work"], ROWS),
        }
    )
    numeric = parse_expression("${age} >= 15 and ${age} <= 35 and ${income} * 12 < 20000")
    ours = seconds(lambda: numeric.evaluate_frame(frame))
    hand = seconds(lambda: (frame["age"] >= 15) & (frame["age"] <= 35) & (frame["income"] * 12 < 20000))
    print(f"numeric rule over {ROWS:,} rows: evaluate_frame {ours:.3f} s, hand-written pandas {hand:.3f} s")

    selection = parse_expression("selected(${services}, 'housing')")
    ours = seconds(lambda: selection.evaluate_frame(frame))
    hand = seconds(lambda: frame["services"].str.split().apply(lambda c: "housing" in c))
    print(
        f"selected() over {ROWS:,} rows:    evaluate_frame {ours:.3f} s, pandas str.split/apply {hand:.3f} s"
    )

    single = parse_expression("${age} >= 15 and selected(${services}, 'housing')")
    answers = {"age": 20, "services": "food housing"}
    per_call = seconds(lambda: single.evaluate(answers), rounds=50_000)
    print(f"one evaluation of a relevance rule: {per_call * 1e6:.1f} µs")
