"""Bench: the KPIs' read of a period's responses (``response_frames``) column by column, each
repeated value once, next to the rows kept as lists of values (the read before this bench),
same data, same run.

Run: .venv/bin/python bench/bench_kpi_read.py [--responses 5000 50000] [--backend sqlite|postgresql]

For each size, a fresh migrated database (as ``bench_pages.py``: the test world, the shipped
forms, beneficiary answers stored through the store's bulk path), then in process:

  - columns: :func:`impactkit.store.kpis.response_frames` as the KPIs read it now (a column's
    repeated answers as small integer codes into its distinct values, no instance ids);
  - baseline: the same responses kept as one list of values per response, then
    ``DataFrame.from_records`` (the read before).

Prints seconds (best of ``--repeat``), the traced peak of Python allocations (tracemalloc, a
separate run), the growth of that peak per response between the sizes, and checks that both
give the same frame but for the instance ids (``assert_frame_equal``, types included). Goal
(issue 15, R16): a KPI computation holds far less per response, so a server's memory does not
climb with its data.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd
from pandas.testing import assert_frame_equal
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_pages import seeded, timed_and_traced  # noqa: E402

from impactkit.store.db import session_scope  # noqa: E402
from impactkit.store.flags import left_out  # noqa: E402
from impactkit.store.kpis import METADATA_COLUMNS, _flat, response_frames  # noqa: E402
from impactkit.store.surveys import (  # noqa: E402
    ResponseFilter,
    iter_responses,
)
from impactkit.store.tables import Organisation  # noqa: E402

FORM = "beneficiary_outcomes"
MIB = 1024 * 1024
_MISSING = float("nan")


def rows_as_lists(db: Session, organisation_id: int, project_id: int, period_id: int) -> pd.DataFrame:
    """The read before: one list of values per response, in column order, then from_records."""
    organisation = db.get(Organisation, organisation_id)
    territory = organisation.territory_type if organisation else None
    position: dict[str, int] = {}
    rows: list[list[Any]] = []
    ids: list[int] = []
    flt = ResponseFilter(organisation_ids=[organisation_id], project_id=project_id, period_id=period_id)
    for stored in iter_responses(db, flt):
        row = _flat(stored["answers"] or {})
        for column, name in METADATA_COLUMNS.items():
            row[name] = stored[column]
        row["_territory_type"] = territory
        if row.get("respondent_code") in (None, "") and stored["respondent_code"]:
            row["respondent_code"] = stored["respondent_code"]
        values: list[Any] = [_MISSING] * len(position)
        for name, value in row.items():
            at = position.get(name)
            if at is None:
                position[name] = len(position)
                values.append(value)
            else:
                values[at] = value
        rows.append(values)
        ids.append(stored["id"])
    for values in rows:
        values.extend([_MISSING] * (len(position) - len(values)))
    frame = pd.DataFrame.from_records(rows, columns=list(position))
    reasons = left_out(db, ids)
    frame["_excluded"] = [reasons.get(i) for i in ids]
    return frame


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    print(f"{'responses':>10}  {'columns s':>9}  {'peak MiB':>8}  {'rows as lists s':>15}  {'peak MiB':>8}")
    peaks: list[tuple[int, int, int]] = []
    for count in args.responses:
        with seeded(args.backend, count) as (engine, world), session_scope(engine) as db:
            org, project, period = world.org_a, world.project_a, world.period_a
            new_s, new_peak, new = timed_and_traced(
                lambda: response_frames(db, [org], project, period, instance_ids=False)[FORM],  # noqa: B023
                args.repeat,
            )
            old_s, old_peak, old = timed_and_traced(
                lambda: rows_as_lists(db, org, project, period),  # noqa: B023
                args.repeat,
            )
            # the KPIs no longer read the instance ids; every other column is the same
            old = old.drop(columns="_instance_id")
            assert_frame_equal(new, old, check_dtype=True, check_exact=True)
            del new, old
        peaks.append((count, new_peak, old_peak))
        print(
            f"{count:>10,}  {new_s:>9.2f}  {new_peak / MIB:>8.1f}  "
            f"{old_s:>15.2f}  {old_peak / MIB:>8.1f}  same frame"
        )
    if len(peaks) > 1:
        (low, new_low, old_low), (high, new_high, old_high) = peaks[0], peaks[-1]
        per = high - low
        print(
            f"peak growth per response: columns {(new_high - new_low) / per:.0f} B, "
            f"rows as lists {(old_high - old_low) / per:.0f} B"
        )


if __name__ == "__main__":
    main()
