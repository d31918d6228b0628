"""Bench: a project's KPIs computed in a KPI helper process, next to the same KPIs computed in the
server process (the way before, and with ``IMPACTKIT_KPI_PROCESSES=0``), same data, same run.

Run: .venv/bin/python bench/bench_kpi_helper.py [--responses 5000 50000] [--backend sqlite|postgresql]

For each size, a fresh migrated database (as ``bench_pages.py``: the test world, the shipped
forms, beneficiary answers stored through the store's bulk path), then:

  - in the server: :func:`impactkit.store.kpis.project_kpis` in this process (the baseline);
  - in a helper: :meth:`impactkit.store.kpi_helpers.KpiHelpers.compute`, the helper started and
    warm (its imports done, one computation made) before the timed runs.

Prints seconds (best of ``--repeat``) and how much this process's resident memory rose to
compute (its high-water mark over its resident memory before, read from /proc after returning
freed pages with ``malloc_trim`` and resetting the mark): the in-server computation's peak stays
in the server, the helper's in the helper.
Both give the same KPIs (checked). Goal (issue 15, R16): the server's memory does not follow its
data, at a price in seconds that a person does not notice.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import sys
import time
from pathlib import Path

from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_pages import seeded  # noqa: E402

from impactkit.store.kpi_helpers import KpiHelpers  # noqa: E402
from impactkit.store.kpis import project_kpis  # noqa: E402

MIB = 1024.0


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def measured(function: object, repeat: int) -> tuple[float, float, object]:
    """Best seconds of ``repeat`` runs, and the rise of this process's peak RSS (MiB) in them."""
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)  # the pages an earlier run freed go back first
    before = _status("VmRSS:")
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    seconds = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()  # type: ignore[operator]
        seconds.append(time.perf_counter() - started)
    return min(seconds), (_status("VmHWM:") - before) / MIB, result


def one_size(backend: str, count: int, repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """(seconds, server peak rise) in the server and in a helper, for ``count`` responses."""
    with seeded(backend, count) as (engine, world):
        helpers = KpiHelpers(engine.url.render_as_string(hide_password=False), 1, 1000)
        try:
            helpers.compute(world.project_a, world.period_a)  # started, imported, warm
            in_helper = measured(lambda: helpers.compute(world.project_a, world.period_a), repeat)
            with Session(engine) as session:
                project_kpis(session, world.project_a, world.period_a)  # imports and caches warm
                in_server = measured(lambda: project_kpis(session, world.project_a, world.period_a), repeat)
        finally:
            helpers.close()
    assert in_helper[2] == in_server[2], "the helper's KPIs differ from the server's"
    return in_server[:2], in_helper[:2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    print(f"KPIs of one period, {arguments.backend}, best of {arguments.repeat}")
    print(f"{'responses':>10} {'where':>10} {'seconds':>9} {'server peak rise MiB':>21}")
    for count in arguments.responses:
        server, helper = one_size(arguments.backend, count, arguments.repeat)
        print(f"{count:>10} {'server':>10} {server[0]:>9.2f} {server[1]:>21.1f}   (baseline)")
        print(f"{count:>10} {'helper':>10} {helper[0]:>9.2f} {helper[1]:>21.1f}")


if __name__ == "__main__":
    main()
