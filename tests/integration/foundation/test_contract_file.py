"""The committed API contract (api/openapi.json) is the one the app serves."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_committed_openapi_document_matches_the_app() -> None:
    spec = importlib.util.spec_from_file_location("export_openapi", ROOT / "scripts" / "export_openapi.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = module.render(module.openapi_document())
    committed = (ROOT / "api" / "openapi.json").read_text(encoding="utf-8")
    assert committed == current, "api/openapi.json has drifted: run .venv/bin/python scripts/export_openapi.py"
