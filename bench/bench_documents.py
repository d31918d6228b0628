"""Benchmark: a social report with 16 KPIs, full breakdowns and an SROI analysis, as a sealed PDF
(goal: ≤ 3 s) and as DOCX, next to the Excel export of the same report in the same run.

The report: 16 KPIs (shares with Wilson-like intervals, scores, counts), each broken down by
gender (3), age band (3), young people 15–35 (2) and territory (3) — 11 cells each; a value map
of 12 outcomes with distributions on their proxies (so the PDF's SROI summary runs a Monte Carlo
of 10,000 draws) and its sensitivity analysis; targets; the eight sections written; a validation
stamp.

Each writer runs ``--repeat`` times in turns after one warm-up (fonts, templates, imports); the
table shows the best and the median (the machine is shared; the best run is the least disturbed).

Run:  .venv/bin/python bench/bench_documents.py
      .venv/bin/python bench/bench_documents.py --repeat 5 --language en
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from impactkit.reports import (
    ReportContent,
    ValidationStamp,
    content_hash,
    load_content,
    verify_bytes,
    write_report_xlsx,
)
from impactkit.reports.documents import render_docx, render_pdf
from impactkit.reports.structured import demo_figures
from impactkit.sroi import ValueMap, compute, sensitivity

CELLS = [
    ("gender", "female"),
    ("gender", "male"),
    ("gender", "nonbinary"),
    ("age_band", "15-35"),
    ("age_band", "36-64"),
    ("age_band", "65+"),
    ("youth_15_35", "yes"),
    ("youth_15_35", "no"),
    ("territory_type", "urban"),
    ("territory_type", "rural"),
    ("territory_type", "mountain"),
]


def kpi(index: int) -> dict[str, Any]:
    kind = index % 3
    unit, value, low, high = (
        ("share", 0.40 + index / 50, 0.32 + index / 50, 0.48 + index / 50)
        if kind == 0
        else ("score 1–5", 3.2 + index / 20, 3.0 + index / 20, 3.4 + index / 20)
        if kind == 1
        else ("people", 40.0 + index, None, None)
    )
    return {
        "indicator_id": f"indicator_{index:02d}",
        "labels": {"it": f"Indicatore numero {index + 1}", "en": f"Indicator number {index + 1}"},
        "unit": unit,
        "kind": "proportion" if kind == 0 else "mean" if kind == 1 else "count",
        "value": value,
        "n": 120,
        "ci_low": low,
        "ci_high": high,
        "confidence": 0.95,
        "method": "Wilson score interval" if kind == 0 else "t interval" if kind == 1 else "reported figure",
        "target": value * 0.9 if kind != 2 else 35.0,
        "direction": "at_least",
        "target_met": True,
        "disaggregations": [
            {
                "dimension": dimension,
                "category": category,
                "value": value,
                "n": 10 + position,
                "ci_low": low,
                "ci_high": high,
            }
            for position, (dimension, category) in enumerate(CELLS)
        ],
        "disclosure": {"it": "Soglia 5 persone.", "en": "Threshold 5 people."},
    }


def value_map() -> ValueMap:
    return ValueMap.model_validate(
        {
            "name": "Bench",
            "stakeholders": [{"name": "Participants"}, {"name": "Families"}],
            "inputs": [{"description": "Grant", "amount": 250_000}],
            "outcomes": [
                {
                    "name": f"Outcome {index + 1}",
                    "stakeholder": "Participants" if index % 2 else "Families",
                    "quantity": 20 + index,
                    "proxy": 1_000 + 150 * index,
                    "deadweight": 0.2,
                    "attribution": 0.25,
                    "drop_off": 0.1,
                    "duration": 3,
                    "distributions": {
                        "proxy": {"kind": "uniform", "low": 800 + 150 * index, "high": 1_200 + 150 * index}
                    },
                }
                for index in range(12)
            ],
        }
    )


def report() -> tuple[ReportContent, ValidationStamp]:
    parsed = value_map()
    content = load_content(
        {
            "organisation": {"name": "Cooperativa Bench", "legal_form": "social_cooperative_a"},
            "project": {"name": "Sedici indicatori"},
            "period": {"start": "2026-01-01", "end": "2026-12-31"},
            "framework": {"id": "simplified-kpis", "version": "2026.1"},
            "language": "it",
            "kpis": [kpi(i) for i in range(16)],
            "sroi": {
                "value_map": parsed.model_dump(mode="json"),
                "result": compute(parsed).model_dump(mode="json"),
                "sensitivity": sensitivity(parsed).model_dump(mode="json"),
            },
            "sections": {
                key: "Testo della sezione. " * 40
                for key in (
                    "methodology",
                    "general_information",
                    "structure_governance_administration",
                    "people",
                    "objectives_and_activities",
                    "economic_financial_situation",
                    "other_information",
                    "control_body_monitoring",
                )
            },
            "targets": [
                {"indicator_id": f"indicator_{i:02d}", "target": 35, "price_per_unit": 100}
                for i in range(2, 16, 3)
            ],
            "figures": demo_figures(),
        }
    )
    stamp = ValidationStamp(
        evaluator="Valutatrice di prova",
        accreditation_number="VIS-0000",
        accreditation_body="Registro di prova",
        validated_at=datetime(2027, 3, 1, 10, 0, tzinfo=UTC),
        content_hash=content_hash(content),
    )
    return content, stamp


def excel(content: ReportContent, stamp: ValidationStamp) -> bytes:
    buffer = io.BytesIO()
    write_report_xlsx(content, buffer, stamp=stamp)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--language", choices=["it", "en"], default="it")
    args = parser.parse_args()
    content, stamp = report()
    if args.language != content.language:
        content = content.model_copy(update={"language": args.language})
        stamp = stamp.model_copy(update={"content_hash": content_hash(content)})
    writers: dict[str, Callable[[], bytes]] = {
        "Excel workbook (baseline)": lambda: excel(content, stamp),
        "PDF (sealed, tagged, JSON attached)": lambda: render_pdf(content, stamp),
        "DOCX (editable)": lambda: render_docx(content, stamp),
    }
    sizes: dict[str, int] = {}
    for name, writer in writers.items():  # warm-up: imports, fonts, templates
        sizes[name] = len(writer())
    times: dict[str, list[float]] = {name: [] for name in writers}
    for _ in range(args.repeat):
        for name, writer in writers.items():
            start = time.perf_counter()
            data = writer()
            times[name].append(time.perf_counter() - start)
            sizes[name] = len(data)
    pdf = render_pdf(content, stamp)
    assert verify_bytes(pdf).validated
    baseline = min(times["Excel workbook (baseline)"])
    print(
        f"report: {len(content.kpis)} KPIs × {len(CELLS)} breakdown cells, SROI of "
        f"{len(content.sroi.value_map['outcomes']) if content.sroi else 0} outcomes with Monte Carlo, "
        f"language {content.language}; best and median of {args.repeat} after a warm-up"
    )
    print(f"{'writer':<38} {'best s':>8} {'median s':>9} {'× Excel':>8} {'KiB':>7}")
    for name in writers:
        best = min(times[name])
        print(
            f"{name:<38} {best:>8.2f} {statistics.median(times[name]):>9.2f} "
            f"{best / baseline:>8.1f} {sizes[name] / 1024:>7.0f}"
        )
    print(f"load average during the run (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    verdict = "met" if min(times["PDF (sealed, tagged, JSON attached)"]) <= 3 else "NOT met"
    print(f"goal: PDF in ≤ 3 s — {verdict}")


if __name__ == "__main__":
    main()
