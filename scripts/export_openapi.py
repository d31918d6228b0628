"""Write the API contract (api/openapi.json) from the app, so changes to it show up in review.

Usage: .venv/bin/python scripts/export_openapi.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def openapi_document() -> dict[str, object]:
    from impactkit.api.app import create_app
    from impactkit.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/contract.db"
        settings = Settings(data_dir=Path(folder), database_url=url, secret_key="contract-only")  # noqa: S106
        app = create_app(settings, migrate_on_start=True)
        document: dict[str, object] = app.openapi_schema.to_schema()
        app.state.engine.dispose()
    return document


def render(document: dict[str, object]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    target = ROOT / "api" / "openapi.json"
    target.write_text(render(openapi_document()), encoding="utf-8")
    sys.stdout.write(f"wrote {target.relative_to(ROOT)}\n")
