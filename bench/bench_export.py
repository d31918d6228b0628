"""Bench: the responses CSV export streamed a row at a time, next to the whole table built first
(pandas frames, then the CSV text: the export before this bench), same data, same run.

Run: .venv/bin/python bench/bench_export.py [--responses 5000 50000] [--backend sqlite|postgresql]

For each size, a fresh migrated database (as ``bench_pages.py``: the test world, the shipped
forms, beneficiary answers stored through the store's bulk path), then in process, labels in
Italian as the soak asks for them:

  - streamed: :func:`impactkit.surveys.tabular.stream_table` into
    :func:`impactkit.api.downloads.spooled_csv` (what ``/api/v1/responses/export.csv`` and the
    project page's CSV do now: rows written to a spooled temporary file, then sent in blocks);
  - baseline: :func:`impactkit.surveys.tabular.responses_to_tables` and ``to_csv`` (the whole
    table in memory, then the whole text).

Prints seconds (best of ``--repeat``), the traced peak of Python allocations (tracemalloc, a
separate run) and checks that both give the same bytes (SHA-256). Goal (issue 15, R16): the streamed
export's peak does not grow with the number of responses.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_pages import seeded, timed_and_traced  # noqa: E402

from impactkit.api.downloads import BLOCK, spooled_csv  # noqa: E402
from impactkit.reports import neutralise  # noqa: E402
from impactkit.store import surveys as store  # noqa: E402
from impactkit.store.db import session_scope  # noqa: E402
from impactkit.surveys.tabular import responses_to_tables, stream_table  # noqa: E402

FORM = "beneficiary_outcomes"
MIB = 1024 * 1024


def compare(db: Session, project_id: int, count: int, repeat: int) -> None:
    versions = [row for row in store.list_form_versions(db, None) if row.form_id == FORM]
    forms = [store.form_of(row) for row in sorted(versions, key=lambda r: r.id or 0)]
    flt = store.ResponseFilter(organisation_ids=None, form_id=FORM, project_id=project_id)

    def streamed() -> bytes:
        table = stream_table(forms, store.iter_responses(db, flt), labels=True, language="it")
        file, _ = spooled_csv(table)
        digest = hashlib.sha256()
        with file:  # read as the server sends it, in blocks
            for block in iter(lambda: file.read(BLOCK), b""):
                digest.update(block)
        return digest.digest()

    def whole() -> bytes:
        frame = responses_to_tables(forms, store.iter_responses(db, flt), labels=True, language="it")["main"]
        text = frame.map(lambda v: neutralise(v) if isinstance(v, str) else v)
        return hashlib.sha256(text.to_csv(index=False).encode("utf-8")).digest()

    new_s, new_peak, new_bytes = timed_and_traced(streamed, repeat)
    old_s, old_peak, old_bytes = timed_and_traced(whole, repeat)
    same = "same bytes" if new_bytes == old_bytes else "DIFFERENT BYTES"
    print(
        f"{count:>10,}  {new_s:>10.2f}  {new_peak / MIB:>8.1f}  {old_s:>13.2f}  "
        f"{old_peak / MIB:>8.1f}  {same}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    print(f"{'responses':>10}  {'streamed s':>10}  {'peak MiB':>8}  {'whole table s':>13}  {'peak MiB':>8}")
    for count in args.responses:
        with seeded(args.backend, count) as (engine, world), session_scope(engine) as db:
            compare(db, world.project_a, count, args.repeat)


if __name__ == "__main__":
    main()
