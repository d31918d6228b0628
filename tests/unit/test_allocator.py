"""serve asks glibc for two arenas and a fixed mapping threshold, unless the operator chose."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

from impactkit.api.allocator import ARENAS, MAPPED_FROM

PROBE = (
    "import json, os; from impactkit.api.allocator import tune_allocator; "
    "applied = tune_allocator(); "
    "print(json.dumps([applied, {k: v for k, v in os.environ.items() if k.startswith('MALLOC_')}]))"
)


def _probe(**preset: str) -> tuple[dict[str, int], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")} | preset
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    applied, seen = json.loads(out.stdout)
    return applied, seen


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc's mallopt only"
)
def test_both_settings_applied_here_and_passed_to_worker_processes() -> None:
    applied, seen = _probe()
    assert applied == {"MALLOC_ARENA_MAX": ARENAS, "MALLOC_MMAP_THRESHOLD_": MAPPED_FROM}
    assert seen == {"MALLOC_ARENA_MAX": str(ARENAS), "MALLOC_MMAP_THRESHOLD_": str(MAPPED_FROM)}


def test_the_operators_own_setting_is_kept() -> None:
    applied, seen = _probe(MALLOC_ARENA_MAX="4")
    assert "MALLOC_ARENA_MAX" not in applied
    assert seen["MALLOC_ARENA_MAX"] == "4"
    assert seen["MALLOC_MMAP_THRESHOLD_"] == str(MAPPED_FROM)
