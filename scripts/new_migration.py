"""Write a new Alembic migration from the difference between the tables and the migrated schema.

Usage: .venv/bin/python scripts/new_migration.py "what changes" 0003
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from impactkit.store.db import make_engine
from impactkit.store.migrate import alembic_config, upgrade

VERSIONS = Path(__file__).resolve().parents[1] / "src" / "impactkit" / "store" / "migrations" / "versions"
# Autogenerate writes SQLModel's own types; the migrations use plain SQLAlchemy ones.
REPLACEMENTS = {
    "sqlmodel.sql.sqltypes.AutoString": "sa.String",
    "UTCDateTime(timezone=True)": "UTCDateTime()",
    "astext_type=Text()": "astext_type=sa.Text()",
}


def main(message: str, revision: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/autogenerate.db")
        upgrade(engine)
        command.revision(alembic_config(engine), message=message, autogenerate=True, rev_id=revision)
        engine.dispose()
    for path in VERSIONS.glob(f"{revision}_*.py"):
        text = path.read_text()
        for old, new in REPLACEMENTS.items():
            text = text.replace(old, new)
        path.write_text(text)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
