"""Bench: every simplified KPI over 1,000,000 responses from 1,000 organisations.

Computes every indicator of ``simplified-kpis`` with every disaggregation and interval,
grouped by organisation, and - in the same run, on the same data - a plain pandas baseline:
``groupby(...).agg(["mean", "count"])`` of the same answer columns by organisation and by
organisation × each disaggregation (gender, age band, territory), plus the self-report sums.

    .venv/bin/python bench/bench_kpis.py                 # 1,000,000 responses, 1,000 orgs
    .venv/bin/python bench/bench_kpis.py --responses 100000 --organisations 100

Goals on the 2-core reference machine: ≤ 10 s, ≤ 2 GiB peak, ≤ 3× the baseline.
Prints seconds (best of --repeat runs), traced peak memory (tracemalloc, in a separate run so
that tracing does not slow the timed one) and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from impactkit.frameworks import compute_kpis, get_framework
from impactkit.frameworks.synthetic import synthetic_responses

GIB = 1024**3
AGE_BINS = [-np.inf, 14, 35, 64, np.inf]
AGE_LABELS = ["14", "15-35", "36-64", "65+"]


def baseline(responses: dict[str, pd.DataFrame]) -> list[pd.DataFrame]:
    """Plain pandas: mean and count per organisation and per organisation × dimension."""
    beneficiaries = responses["beneficiary_outcomes"]
    volunteers = responses["volunteer_survey"]
    reports = responses["organisation_self_report"]
    scores = ["wellbeing", "autonomy", "social_connections", "satisfaction"]
    out = []
    for frame, columns in ((beneficiaries, scores), (volunteers, ["hours_in_period"])):
        age_band = pd.cut(frame["age"], AGE_BINS, labels=AGE_LABELS)
        territory = frame["territory_type"] if "territory_type" in frame else frame["_territory_type"]
        out.append(frame.groupby("_organisation_id")[columns].agg(["mean", "count"]))
        for dimension in (frame["gender"], age_band, territory):
            grouped = frame.groupby([frame["_organisation_id"], dimension], observed=True)
            out.append(grouped[columns].agg(["mean", "count"]))
    numeric = reports.select_dtypes("number").columns
    out.append(reports.groupby("_organisation_id")[list(numeric)].sum())
    return out


def kpis(responses: dict[str, pd.DataFrame]) -> Any:
    """Every KPI of the simplified framework, grouped by organisation."""
    return compute_kpis(get_framework("simplified-kpis"), responses, group_by="_organisation_id")


def timed(function: Callable[[], Any], repeat: int) -> tuple[float, list[float]]:
    seconds = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - start)
    return min(seconds), seconds


def traced_peak(function: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2030)
    args = parser.parse_args()

    start = time.perf_counter()
    responses = synthetic_responses(args.responses, args.organisations, seed=args.seed)
    generated = time.perf_counter() - start
    rows = {form: len(frame) for form, frame in responses.items()}
    print(f"data: {rows} ({generated:.1f} s to generate, not timed below)")

    get_framework("simplified-kpis")  # load and check the framework outside the timing
    compute_kpis(get_framework("simplified-kpis"), synthetic_responses(200, 4, seed=1))

    # Interleaved, so that both see the same load on a shared machine.
    baseline_all: list[float] = []
    kpi_all: list[float] = []
    for _ in range(args.repeat):
        baseline_all.append(timed(lambda: baseline(responses), 1)[0])
        kpi_all.append(timed(lambda: kpis(responses), 1)[0])
    baseline_best, kpi_best = min(baseline_all), min(kpi_all)
    ratios = [k / b for k, b in zip(kpi_all, baseline_all, strict=True)]
    baseline_peak = traced_peak(lambda: baseline(responses))
    kpi_peak = traced_peak(lambda: kpis(responses))
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    results = kpis(responses)
    cells = sum(len(r.disaggregations) for r in results.results)
    ratio = kpi_best / baseline_best
    print(f"results: {len(results.results)} KPI values, {cells} disaggregated cells")
    print(
        f"baseline (pandas groupby mean/count): best {baseline_best:.2f} s "
        f"(runs {', '.join(f'{s:.2f}' for s in baseline_all)}), "
        f"traced peak {baseline_peak / GIB:.2f} GiB"
    )
    print(
        f"compute_kpis (every KPI, cell, interval): best {kpi_best:.2f} s "
        f"(runs {', '.join(f'{s:.2f}' for s in kpi_all)}; median "
        f"{statistics.median(kpi_all):.2f}), traced peak {kpi_peak / GIB:.2f} GiB"
    )
    print(f"process peak RSS (data + both): {rss_peak / GIB:.2f} GiB")
    print(
        f"ratio to baseline: {ratio:.1f}x best to best (run by run: {', '.join(f'{r:.1f}' for r in ratios)})"
    )
    verdicts = [
        ("time <= 10 s", kpi_best <= 10),
        ("peak <= 2 GiB", kpi_peak <= 2 * GIB),
        ("<= 3x baseline", ratio <= 3),
    ]
    print("goals: " + ", ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in verdicts))


if __name__ == "__main__":
    main()
