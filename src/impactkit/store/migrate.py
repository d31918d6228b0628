"""Schema migrations with Alembic: upgrade, and the check the server makes before it starts."""

from __future__ import annotations

import re
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError

from impactkit.errors import ConfigError

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` (the newest by default)."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def pending(engine: Engine) -> bool:
    """True when the database is not at the newest migration."""
    return current_revision(engine) != head_revision(engine)


class DatabaseNotReady(ConfigError):
    """The instance's database is missing, unreachable or not at the newest migration.

    Its message is one line that names the database and says what to do.
    """


def shown_url(url: str) -> str:
    """The database URL as shown to a person: no password, no driver name."""
    parsed = make_url(url)
    return parsed.set(drivername=parsed.get_backend_name()).render_as_string(hide_password=True)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    return Path(database)


def require_database_file(url: str, hint: str = "") -> None:
    """Refuse a SQLite file that does not exist, before anything creates it by connecting."""
    path = sqlite_file(url)
    if path is not None and not path.exists():
        raise DatabaseNotReady(
            f"no impactkit database at {path}{hint}: create it with `impactkit db upgrade`, or name "
            "another instance with --data-dir or IMPACTKIT_DATABASE_URL (see `impactkit info`)"
        )


def connection_problem(error: DBAPIError) -> str:
    """The driver's reason, on one line, without the noise around it."""
    text = str(error.orig) if error.orig is not None else str(error)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    reason = lines[0] if lines else type(error).__name__
    reason = re.sub(r"^connection failed: ", "", reason)
    return re.sub(r"^.*? failed: (FATAL: +)?", "", reason)


def state(engine: Engine) -> tuple[str | None, str | None]:
    """(current revision, newest revision) of the database; raises :class:`DatabaseNotReady`
    when it cannot be reached."""
    where = shown_url(engine.url.render_as_string(hide_password=False))
    try:
        current = current_revision(engine)
    except DBAPIError as error:
        reason = connection_problem(error)
        if "does not exist" in reason and "database" in reason:
            name = engine.url.database or ""
            raise DatabaseNotReady(
                f"the database {where} does not exist: create it (createdb {name}) and run "
                "`impactkit db upgrade`"
            ) from None
        raise DatabaseNotReady(f"cannot reach the database {where}: {reason}") from None
    return current, head_revision(engine)


def require_current(engine: Engine) -> None:
    """Refuse a database that is unreachable or not at the newest migration, in one line that
    names it and the command to run."""
    where = shown_url(engine.url.render_as_string(hide_password=False))
    current, head = state(engine)
    if current == head:
        return
    if current is None:
        raise DatabaseNotReady(
            f"the database {where} has no impactkit tables yet: run `impactkit db upgrade`"
        )
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    known = {script.revision for script in scripts.walk_revisions()}
    if current not in known:
        raise DatabaseNotReady(
            f"the database {where} is at migration {current}, which this version of impactkit does not "
            "know (a newer impactkit migrated it): install that version"
        )
    raise DatabaseNotReady(
        f"the database {where} is at migration {current}, this impactkit needs {head}: "
        "run `impactkit db upgrade`"
    )
