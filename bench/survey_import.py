"""XLSForm import time per corpus form, next to pyxform (the reference implementation) in the same run.

Run: .venv/bin/python bench/survey_import.py
Baseline: pyxform.xls2json.parse_file_to_json (reading and checking, no XML output).
"""

from __future__ import annotations

import contextlib
import time
import warnings
from pathlib import Path

from pyxform.xls2json import parse_file_to_json

from impactkit.surveys import load_xlsform

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "xlsform"
FORMS = [
    "UCL_Biomass_Plot_Form.xlsx",  # declares A1:AMJ1048576
    "grains.xlsx",  # 364 rows styled out to 256 columns
    "select_one_choices_test.xlsx",
    "subdistrict_profiling_tool.xlsx",  # 5,668-row external_choices sheet
    "widgets.xls",
]


def best_of(function: object, rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        with contextlib.suppress(Exception):  # a refusal (FormError, PyXFormError) is timed too
            function()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


if __name__ == "__main__":
    print(f"{'form':34s} {'impactkit':>10s} {'pyxform':>10s}")
    for name in FORMS:
        path = CORPUS / name
        ours = best_of(lambda path=path: load_xlsform(path))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reference = best_of(lambda path=path: parse_file_to_json(str(path), warnings=[]))
        print(f"{name:34s} {ours * 1000:8.0f} ms {reference * 1000:8.0f} ms")
