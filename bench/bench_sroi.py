"""Bench: Monte Carlo of 10,000 draws over a 50-outcome, 10-year value map, next to one compute().

Run: .venv/bin/python bench/bench_sroi.py
Goal (issue 5): the Monte Carlo in ≤ 0.5 s on the project machine.
"""

from __future__ import annotations

import time
from typing import Any

from impactkit.sroi import ValueMap, compute, simulate

DRAWS = 10_000
OUTCOMES = 50
YEARS = 10
REPEATS = 5


def big_map() -> ValueMap:
    kinds: list[dict[str, Any]] = [
        {"kind": "triangular", "low": 700, "mode": 1000, "high": 1400},
        {"kind": "pert", "low": 600, "mode": 1000, "high": 1500},
        {"kind": "lognormal", "mean": 1000, "sd": 250},
    ]
    outcomes = [
        {
            "name": f"Outcome {i}",
            "stakeholder": "People",
            "quantity": 10 + i,
            "proxy": {"value": 1000, "source": "bench"},
            "deadweight": 0.2,
            "attribution": 0.25,
            "drop_off": 0.1,
            "duration": 1 + i % YEARS,
            "start_year": 1,
            "distributions": {
                "proxy": kinds[i % 3],
                "deadweight": {"kind": "normal", "mean": 0.2, "sd": 0.08},
                "drop_off": {"kind": "uniform", "low": 0.05, "high": 0.3},
                "quantity": {"kind": "normal", "mean": 10 + i, "sd": 3},
            },
        }
        for i in range(OUTCOMES)
    ]
    return ValueMap.model_validate(
        {
            "stakeholders": [{"name": "People"}],
            "inputs": [{"description": "Grant", "amount": 500_000}],
            "outcomes": outcomes,
            "horizon_years": YEARS,
            "discount_rate_distribution": {"kind": "uniform", "low": 0.0, "high": 0.07},
        }
    )


def best_of(function: Any) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    value_map = big_map()
    compute(value_map)
    simulate(value_map, 100, seed=0)  # warm-up
    deterministic = best_of(lambda: compute(value_map))
    monte_carlo = best_of(lambda: simulate(value_map, DRAWS, seed=1))
    result = simulate(value_map, DRAWS, seed=1)
    print(f"value map: {OUTCOMES} outcomes × {YEARS} years, 4 uncertain estimates per outcome")
    print(f"compute() once (baseline):        {deterministic * 1000:9.2f} ms")
    print(f"simulate() {DRAWS:,} draws:         {monte_carlo * 1000:9.2f} ms  (best of {REPEATS})")
    print(f"per draw:                          {monte_carlo / DRAWS * 1e6:9.2f} µs")
    print(f"Monte Carlo / one compute():       {monte_carlo / deterministic:9.1f} ×")
    print(f"goal ≤ 500 ms: {'met' if monte_carlo <= 0.5 else 'NOT met'}")
    print(f"ratio median {result.ratio.median:.4f}, p5 {result.ratio.p5:.4f}, p95 {result.ratio.p95:.4f}")


if __name__ == "__main__":
    main()
