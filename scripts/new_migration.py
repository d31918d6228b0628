"""Write a new Alembic migration from the difference between the tables and the migrated schema.

Usage: .venv/bin/python scripts/new_migration.py "what changes" 0002
"""
import sys
from alembic import command
from impactkit.store.db import make_engine
from impactkit.store.migrate import alembic_config, upgrade
engine = make_engine("sqlite:////tmp/ik_autogen.db")
upgrade(engine)
cfg = alembic_config(engine)
command.revision(cfg, message=sys.argv[1], autogenerate=True, rev_id=sys.argv[2])
import glob, re
for path in glob.glob("src/impactkit/store/migrations/versions/%s_*.py" % sys.argv[2]):
    text = open(path).read()
    text = text.replace("sqlmodel.sql.sqltypes.AutoString", "sa.String").replace("UTCDateTime(timezone=True)", "UTCDateTime()").replace("astext_type=Text()", "astext_type=sa.Text()")
    open(path, "w").write(text)
