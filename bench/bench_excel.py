"""Benchmark: streaming the responses of a report to Excel, against plain library baselines.

Two shapes, as in the reports issue: 100,000 responses × 30 fields and 10,000 × 300 fields.
For each, in the same run and each in its own fresh process (so peak RSS is its own):

* ``impactkit``   — ``write_report_xlsx`` (labels for codes, select_multiple split into 0/1
  columns, text neutralised, plus cover, KPI, dictionary and hidden content sheets, and the
  file seal);
* ``xlsxwriter``  — XlsxWriter ``constant_memory`` mode, the same responses as plain rows
  (``write_row`` of the raw values: codes, not labels);
* ``pandas``      — ``DataFrame(...).to_excel`` of the same raw values.

Each writer's time is the best of ``--repeat`` runs taken in turns (the machine is shared;
the best run is the least disturbed). "cells/s" counts the cells of the responses sheet:
impactkit writes more of them (one 0/1 cell per choice of each select_multiple).

Run:  .venv/bin/python bench/bench_excel.py                      (both shapes, all writers)
      .venv/bin/python bench/bench_excel.py --quick              (a tenth of the rows)
      .venv/bin/python bench/bench_excel.py --repeat 3 --writers impactkit,xlsxwriter
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SHAPES = {"100k x 30": (100_000, 30), "10k x 300": (10_000, 300)}
CHOICES = ["housing", "work", "training", "health", "culture"]


def columns(fields: int) -> list[dict[str, Any]]:
    """Field specs: a mix of integers, decimals, select_one, select_multiple and text."""
    specs: list[dict[str, Any]] = []
    for index in range(fields):
        kind = index % 5
        name = f"q{index:03d}"
        label = {"it": f"Domanda {index}", "en": f"Question {index}"}
        choices = [{"name": c, "label": {"it": c.upper(), "en": c.title()}} for c in CHOICES]
        if kind == 0:
            specs.append({"name": name, "label": label, "type": "integer"})
        elif kind == 1:
            specs.append({"name": name, "label": label, "type": "decimal"})
        elif kind == 2:
            specs.append({"name": name, "label": label, "type": "select_one c", "choices": choices})
        elif kind == 3 and index % 15 == 3:
            specs.append({"name": name, "label": label, "type": "select_multiple c", "choices": choices})
        else:
            specs.append({"name": name, "label": label, "type": "text"})
    return specs


def responses(count: int, specs: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Deterministic synthetic responses, generated lazily."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for row in range(count):
        answers: dict[str, Any] = {}
        for index, spec in enumerate(specs):
            kind = spec["type"].split()[0]
            seed = row * 31 + index * 7
            if kind == "integer":
                answers[spec["name"]] = seed % 97
            elif kind == "decimal":
                answers[spec["name"]] = (seed % 1000) / 7
            elif kind == "select_one":
                answers[spec["name"]] = CHOICES[seed % 5]
            elif kind == "select_multiple":
                answers[spec["name"]] = f"{CHOICES[seed % 5]} {CHOICES[(seed + 2) % 5]}"
            else:
                answers[spec["name"]] = f"risposta libera {seed % 1013}"
        yield {
            "instance_id": f"uuid:{row:08d}",
            "submitted_at": (start + timedelta(seconds=row)).isoformat(),
            "form_version": "2025-01",
            "wave": "baseline",
            "answers": answers,
        }


def cells(writer: str, rows: int, fields: int) -> int:
    """Cells of the responses sheet (header included) that a writer produces."""
    width = 4 + sum(
        len(CHOICES) if writer == "impactkit" and spec["type"].startswith("select_multiple") else 1
        for spec in columns(fields)
    )
    return (rows + 1) * width


def flat(response: dict[str, Any]) -> list[Any]:
    head = [response["instance_id"], response["submitted_at"], response["form_version"], response["wave"]]
    return head + list(response["answers"].values())


def run_impactkit(path: Path, rows: int, fields: int) -> None:
    from impactkit.reports import load_content, write_report_xlsx

    content = load_content(
        {
            "organisation": {"name": "Bench coop"},
            "project": {"name": "Bench"},
            "period": {"start": "2025-01-01", "end": "2025-12-31"},
            "framework": {"id": "simplified-kpis", "version": "1.0"},
            "language": "en",
            "kpis": [{"indicator_id": "k1", "value": 1.0, "n": rows, "ci_low": 0.9, "ci_high": 1.1}],
        }
    )
    specs = columns(fields)
    write_report_xlsx(content, path, responses=responses(rows, specs), columns=specs)


def run_xlsxwriter(path: Path, rows: int, fields: int) -> None:
    import xlsxwriter

    specs = columns(fields)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Responses")
    sheet.write_row(
        0, 0, ["instance_id", "submitted_at", "form_version", "wave"] + [s["name"] for s in specs]
    )
    for row, response in enumerate(responses(rows, specs), start=1):
        sheet.write_row(row, 0, flat(response))
    workbook.close()


def run_pandas(path: Path, rows: int, fields: int) -> None:
    import pandas as pd

    specs = columns(fields)
    names = ["instance_id", "submitted_at", "form_version", "wave"] + [s["name"] for s in specs]
    frame = pd.DataFrame([flat(r) for r in responses(rows, specs)], columns=names)
    frame.to_excel(path, sheet_name="Responses", index=False)


RUNNERS = {"impactkit": run_impactkit, "xlsxwriter": run_xlsxwriter, "pandas": run_pandas}


def child(writer: str, rows: int, fields: int, trace: bool) -> None:
    """Run one writer once in this (fresh) process and print its figures as JSON."""
    import tracemalloc

    # Import everything first so the baseline RSS is that of a ready interpreter.
    import pandas  # noqa: F401
    import xlsxwriter  # noqa: F401

    import impactkit.reports  # noqa: F401

    ready_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "out.xlsx"
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        RUNNERS[writer](path, rows, fields)
        seconds = time.perf_counter() - started
        traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
        size = path.stat().st_size / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mib": peak,
                "ready_rss_mib": ready_rss,
                "tracemalloc_peak_mib": traced,
                "file_mib": size,
            }
        )
    )


def measure(writer: str, rows: int, fields: int, trace: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", writer, str(rows), str(fields)]
    if trace:
        command.append("--trace")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the rows")
    parser.add_argument(
        "--trace", action="store_true", help="also measure Python allocations with tracemalloc (slower)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per writer, in turns (best kept)")
    parser.add_argument("--shape", choices=list(SHAPES), help="only this shape")
    parser.add_argument("--writers", default=",".join(RUNNERS), help="comma-separated writers")
    parser.add_argument("--child", nargs=3, metavar=("WRITER", "ROWS", "FIELDS"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        writer, rows, fields = arguments.child
        child(writer, int(rows), int(fields), arguments.trace)
        return
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}; each run in a fresh process, best of {arguments.repeat}"
    )
    header = (
        f"{'shape':<11} {'writer':<11} {'seconds':>8} {'× xlsxwriter':>13} {'cells/s':>10} "
        f"{'peak RSS MiB':>13} {'RSS above ready':>16} {'file MiB':>9}"
    )
    if arguments.trace:
        header += f" {'tracemalloc MiB':>16}"
    print(header)
    writers = [w for w in arguments.writers.split(",") if w]
    for shape, (rows, fields) in SHAPES.items():
        if arguments.shape and shape != arguments.shape:
            continue
        if arguments.quick:
            rows //= 10
        results: dict[str, dict[str, Any]] = {}
        for _ in range(arguments.repeat):
            for writer in writers:
                figures = measure(writer, rows, fields, arguments.trace)
                best = results.get(writer)
                if best is None or figures["seconds"] < best["seconds"]:
                    results[writer] = figures
        base = results["xlsxwriter"]["seconds"] if "xlsxwriter" in results else float("nan")
        for writer, figures in results.items():
            rate = cells(writer, rows, fields) / figures["seconds"]
            line = (
                f"{shape:<11} {writer:<11} {figures['seconds']:>8.2f} "
                f"{figures['seconds'] / base:>12.2f}× {rate:>10,.0f} {figures['peak_rss_mib']:>13.0f} "
                f"{figures['peak_rss_mib'] - figures['ready_rss_mib']:>16.0f} "
                f"{figures['file_mib']:>9.1f}"
            )
            if arguments.trace:
                line += f" {figures['tracemalloc_peak_mib']:>16.1f}"
            print(line, flush=True)
    print("goals: impactkit ≤ 1.2× xlsxwriter's time, ≤ 300 MiB peak")


if __name__ == "__main__":
    main()
