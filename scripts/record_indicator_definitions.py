"""Record the definition of every shipped indicator in ``frameworks/registry/indicators.yaml``.

Run ``.venv/bin/python scripts/record_indicator_definitions.py`` after adding indicators to a
shipped framework. New ids are added; an id already recorded with another definition is refused
(give the changed indicator a new id): the registry only grows, so an indicator id means one
computation for good and values stay comparable across versions.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from impactkit.frameworks import shipped_frameworks

REGISTRY = Path(__file__).resolve().parents[1] / "frameworks" / "registry" / "indicators.yaml"
HEADER = """\
# Every indicator definition shipped, by framework and indicator id (written by
# scripts/record_indicator_definitions.py; it only grows). `impactkit frameworks check` refuses a
# framework whose indicator keeps an id recorded here but computes something else: a changed
# definition needs a new id. Labels, wording, disaggregations, targets and tags may change.
"""


def main() -> int:
    raw: dict[str, Any] = {}
    if REGISTRY.is_file():
        raw = yaml.safe_load(REGISTRY.read_text(encoding="utf-8")) or {}
    recorded: dict[str, dict[str, Any]] = raw.get("frameworks") or {}
    refused = []
    for framework in shipped_frameworks():
        if framework.kind != "indicators":
            continue
        known = recorded.setdefault(framework.id, {})
        for indicator in framework.indicators:
            now = indicator.computation()
            if indicator.id not in known:
                known[indicator.id] = now
            elif known[indicator.id] != now:
                refused.append(f"{framework.id}.{indicator.id}")
    if refused:
        print(f"changed definitions under recorded ids (give them new ids): {', '.join(refused)}")
        return 2
    body = yaml.safe_dump({"frameworks": recorded}, allow_unicode=True, sort_keys=True, width=100)
    REGISTRY.parent.mkdir(parents=True, exist_ok=True)
    REGISTRY.write_text(HEADER + body, encoding="utf-8")
    print(f"wrote {REGISTRY.relative_to(REGISTRY.parents[2])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
