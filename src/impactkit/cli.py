"""The ``impactkit`` command: serve, migrate, demo data, administration, and the library's tools."""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar, cast

import click

from impactkit import __version__
from impactkit.errors import ImpactkitError

F = TypeVar("F", bound=Callable[..., Any])


EXIT_INVALID = 2
"""Exit code for input that is not valid (the problems are listed)."""
EXIT_FAILED = 1
"""Exit code for an instance that is not ready (no database, not migrated) or an operation that failed."""


def friendly_errors(func: F) -> F:
    """Turn every error into a clear message and a non-zero exit code, never a traceback.

    Bad input exits 2 with every problem listed; an instance that is not ready, a database
    that refuses, a file that cannot be read, or anything unexpected exits 1 with one line
    (``IMPACTKIT_DEBUG=1`` shows the traceback of an unexpected failure).
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # the one place that turns errors into messages
            code = _report(exc)
            if code is None:
                raise
            sys.exit(code)

    return wrapper  # type: ignore[return-value]


def _report(exc: Exception) -> int | None:
    """Print ``exc`` for a person and return the exit code (None: let it propagate, for debugging)."""
    from pydantic import ValidationError  # imported here: only when something failed

    from impactkit.store.migrate import DatabaseNotReady

    if isinstance(exc, DatabaseNotReady):
        click.echo(f"error: {exc}", err=True)
        return EXIT_FAILED
    if isinstance(exc, ImpactkitError):
        click.echo(f"error: {exc}", err=True)
        return EXIT_INVALID
    if isinstance(exc, ValidationError):
        click.echo("error: invalid input", err=True)
        for item in exc.errors():
            where = ".".join(str(part) for part in item["loc"])
            click.echo(f"  - {where}: {item['msg']}", err=True)
        return EXIT_INVALID
    if os.environ.get("IMPACTKIT_DEBUG") == "1":
        return None
    if type(exc).__module__.startswith("sqlalchemy."):
        from impactkit.store.migrate import connection_problem

        reason = connection_problem(exc) if hasattr(exc, "orig") else str(exc).splitlines()[0]  # type: ignore[arg-type]
        click.echo(f"error: the database refused the operation: {reason}", err=True)
    elif isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        click.echo(f"error: {exc.strerror or exc}{where}", err=True)
    else:
        first = str(exc).splitlines()[0] if str(exc) else ""
        click.echo(
            f"error: unexpected {type(exc).__name__}: {first} (IMPACTKIT_DEBUG=1 shows where)", err=True
        )
    return EXIT_FAILED


class Group(click.Group):
    """A click group whose commands all report errors plainly."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        _wrap_errors(cmd)
        super().add_command(cmd, name)


def _wrap_errors(command: click.Command) -> None:
    """Every command of a group, contributed ones included, reports errors plainly (once)."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _wrap_errors(sub)
    elif command.callback is not None and not getattr(command.callback, "_impactkit_friendly", False):
        command.callback = friendly_errors(command.callback)
        command.callback._impactkit_friendly = True  # type: ignore[attr-defined]


class LazyGroup(Group):
    """The top-level group: the library's command groups are imported only when one is run.

    Importing a group's module may pull in pandas, scipy or statsmodels (seconds of start-up);
    ``impactkit --help`` shows their one-line help from :data:`LIBRARY_COMMANDS` instead, so a
    command that needs none of them never imports them.
    """

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, tuple[str, str]] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            target, _ = self.lazy[cmd_name]
            module_name, _, attribute = target.partition(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):  # pragma: no cover - a wrong table entry
                raise TypeError(f"{target} is not a click command")
            for extra in _LIBRARY_EXTRAS.get(cmd_name, []):
                if isinstance(command, click.Group) and extra.name not in command.commands:
                    command.add_command(extra)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            command = self.commands.get(name) or click.Command(name, help=self.lazy[name][1])
            if not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _remember_data_dir(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        ctx.find_root().meta["impactkit.data_dir"] = value
    return value


data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    expose_value=False,
    callback=_remember_data_dir,
    help="The instance's data folder (default: IMPACTKIT_DATA_DIR, else the platform's; "
    "see `impactkit info`).",
)


def database_option(func: F) -> F:
    """``--database-url`` and ``--data-dir``: which instance a command works on."""
    func = click.option(
        "--database-url",
        default=None,
        help="SQLAlchemy URL (default: IMPACTKIT_DATABASE_URL, else impactkit.db in the data folder).",
    )(func)
    return data_dir_option(func)


def _chosen_data_dir() -> str | None:
    context = click.get_current_context(silent=True)
    return None if context is None else context.find_root().meta.get("impactkit.data_dir")


@contextmanager
def _engine(
    database_url: str | None, *, create: bool = False, check: bool = True, need_secret: bool = False
) -> Iterator[tuple[Any, Any]]:
    """Settings and an engine for one command; the engine is closed when it ends.

    Unless ``create``, the database must exist (nothing is created by looking for it) and, with
    ``check``, be at the newest migration; otherwise the command stops with one line naming it.
    The secret key is generated into the data folder only for a command that ``need_secret``.
    """
    from dataclasses import replace

    from impactkit.settings import load_settings, secret_key
    from impactkit.store import migrate
    from impactkit.store.db import make_engine

    settings = load_settings(database_url=database_url, data_dir=_chosen_data_dir(), need_secret=False)
    if not create:
        migrate.require_database_file(settings.database_url, f" (data folder: {settings.data_dir_source})")
    engine = make_engine(settings.database_url)
    try:
        if check and not create:
            migrate.require_current(engine)
        if need_secret:
            settings = replace(settings, secret_key=secret_key(settings.data_dir))
        yield settings, engine
    finally:
        engine.dispose()


def _print(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))


LIBRARY_COMMANDS: dict[str, tuple[str, str]] = {
    "frameworks": ("impactkit.frameworks.cli:frameworks_group", "List, show and check impact frameworks."),
    "kpis": ("impactkit.frameworks.cli:kpis_group", "Compute KPIs."),
    "sroi": (
        "impactkit.sroi.cli:sroi",
        "SROI analyses: value maps, ratio, sensitivity, uncertainty, Excel value maps.",
    ),
    "report": (
        "impactkit.reports.cli:report",
        "Social reports: verify frozen reports, exported workbooks and report PDFs.",
    ),
}
"""The library's command groups: name → (``module:attribute``, the group's one-line help)."""


@click.group(cls=LazyGroup, lazy=LIBRARY_COMMANDS)
@click.version_option(__version__, prog_name="impactkit")
@data_dir_option
def main() -> None:
    """impactkit: surveys, simplified KPIs, SROI and validated social reports for the social economy."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@database_option
@click.option("--migrate", is_flag=True, help="Apply pending migrations before starting.")
@click.option("--workers", default=1, show_default=True, type=int, help="Server processes.")
def serve(host: str, port: int, database_url: str | None, migrate: bool, workers: int) -> None:
    """Start the web page and the API."""
    import uvicorn

    from impactkit.store import migrate as migrations

    with _engine(database_url, create=migrate, need_secret=True) as (settings, engine):
        if migrate:
            migrations.upgrade(engine)
        where = migrations.shown_url(settings.database_url)
    # The server processes read the same instance from the environment.
    os.environ["IMPACTKIT_DATABASE_URL"] = settings.database_url
    os.environ["IMPACTKIT_DATA_DIR"] = str(settings.data_dir)
    if workers > 1 and not os.environ.get("IMPACTKIT_CHECK_PROCESSES"):
        os.environ["IMPACTKIT_CHECK_PROCESSES"] = str(helpers_per_worker(settings.check_processes, workers))
    base = f"http://{host}:{port}"
    banner = [f"impactkit {__version__} on {where}"]
    if settings.backend != "sqlite" and not os.environ.get("IMPACTKIT_SECRET_KEY"):
        banner.append(
            f"  note: the secret key is read from {settings.data_dir}; every machine serving this "
            "database needs the same one (set IMPACTKIT_SECRET_KEY)"
        )
    banner.append(f"  web page:  {base}/  (staff sign in at {base}/signin)")
    banner.append(f"  API docs:  {base}/schema/swagger")
    banner.append(f"  OpenAPI:   {base}/schema/openapi.json")
    if settings.trusted_proxies:
        banner.append(f"  forwarded headers believed from: {', '.join(settings.trusted_proxies)}")
    if settings.log_format == "json":  # everything the server writes is then one JSON object a line
        from impactkit.logs import json_line

        click.echo(json_line("impactkit.serve", banner[0], details=[line.strip() for line in banner[1:]]))
    else:
        click.echo("\n".join(banner))
    from impactkit.api.allocator import tune_allocator
    from impactkit.logs import logging_config

    tune_allocator()  # few arenas, large blocks mapped apart: RSS does not climb with the data (R16)
    uvicorn.run(
        "impactkit.api.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_config=logging_config(settings.log_level, settings.log_format),
        log_level=settings.log_level,
        access_log=False,  # impactkit writes its own, with secrets masked (impactkit.access)
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or None,
        server_header=False,
        timeout_graceful_shutdown=5,
    )


def helpers_per_worker(helpers: int, workers: int) -> int:
    """The cores are shared among the server processes: so are the helpers that check batches
    (at least one each, unless there are to be none).

    >>> helpers_per_worker(2, 2), helpers_per_worker(4, 3), helpers_per_worker(0, 2)
    (1, 1, 0)
    """
    return max(1, helpers // workers) if helpers else 0


@main.group(cls=Group)
def db() -> None:
    """Database schema migrations."""


@db.command("upgrade")
@database_option
def db_upgrade(database_url: str | None) -> None:
    """Create the database or apply every pending migration; publish the shipped forms."""
    from impactkit.store import migrate

    with _engine(database_url, create=True) as (settings, engine):
        migrate.upgrade(engine)
        where = migrate.shown_url(settings.database_url)
        click.echo(f"database {where} at revision {migrate.current_revision(engine)}")
        _publish_shipped(engine)


def _publish_shipped(engine: Any, *, quiet: bool = False) -> None:
    """Publish the shipped forms; say which were new (``quiet``: say nothing if none was)."""
    from impactkit.store.db import session_scope
    from impactkit.store.surveys import publish_shipped_forms

    with session_scope(engine) as session:
        results = publish_shipped_forms(session)
    new = [row for row, created in results if created]
    for row in new:
        click.echo(f"shared form {row.form_id} version {row.version}: published")
    if not new and not quiet:
        click.echo(f"shared forms: all {len(results)} already published")


@db.command("current")
@database_option
def db_current(database_url: str | None) -> None:
    """Show the migration the database is at, and whether any is pending."""
    from impactkit.store import migrate

    with _engine(database_url, check=False) as (_, engine):
        state = "pending migrations" if migrate.pending(engine) else "up to date"
        click.echo(f"{migrate.current_revision(engine)} (head {migrate.head_revision(engine)}): {state}")


@main.command()
@database_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def info(database_url: str | None, as_json: bool) -> None:
    """Where this instance is (data folder, database), its state, and the order it is looked for in."""
    from impactkit.settings import load_settings, platform_data_dir, secret_key_source

    settings = load_settings(database_url=database_url, data_dir=_chosen_data_dir(), need_secret=False)
    details: dict[str, Any] = {
        "version": __version__,
        "python": sys.executable,
        "data_dir": str(settings.data_dir),
        "data_dir_from": settings.data_dir_source,
        "data_dir_exists": settings.data_dir.is_dir(),
        "database": _shown_url(settings.database_url),
        "database_from": settings.database_source,
        "database_state": _database_state(settings.database_url),
        "secret_key": secret_key_source(settings.data_dir),
        "rate_limits": _rate_limit_store(settings),
        "public_url": settings.public_base_url,
        "logs": {
            "level": settings.log_level,
            "format": settings.log_format,
            "access_log": settings.access_log,
        },
        "trusted_proxies": list(settings.trusted_proxies),
        "search_order": ["--data-dir", "IMPACTKIT_DATA_DIR", "IMPACTKIT_DATABASE_URL", "platform default"],
        "platform_default": str(platform_data_dir()),
    }
    if as_json:
        _print(details)
        return
    folder_note = "" if details["data_dir_exists"] else ", not created yet"
    click.echo(f"impactkit {__version__} (Python at {sys.executable})")
    click.echo(f"data folder   {settings.data_dir}  (from {settings.data_dir_source}{folder_note})")
    click.echo(f"database      {details['database']}  (from {settings.database_source})")
    click.echo(f"              {details['database_state']}")
    click.echo(f"secret key    {details['secret_key']}")
    click.echo(f"rate limits   {details['rate_limits']}")
    click.echo(f"public URL    {settings.public_base_url}")
    access = "with" if settings.access_log else "without"
    click.echo(f"logs          {settings.log_format}, level {settings.log_level}, {access} the access log")
    proxies = ", ".join(settings.trusted_proxies) or "none (the connecting address is the client)"
    click.echo(f"proxies       forwarded headers believed from: {proxies}")
    click.echo(
        "looked for    --data-dir, then IMPACTKIT_DATA_DIR, then IMPACTKIT_DATABASE_URL, "
        f"then the platform default ({details['platform_default']})"
    )


def _rate_limit_store(settings: Any) -> str:
    if settings.redis_url:
        return f"shared by every process, in Redis ({_shown_url(settings.redis_url)})"
    if settings.backend == "postgresql":
        return "shared by every process, in the PostgreSQL database"
    return "counted by each server process on its own"


def _shown_url(url: str) -> str:
    from impactkit.store.migrate import shown_url

    return shown_url(url)


def _database_state(url: str) -> str:
    """The database's state in words, without creating anything."""
    from impactkit.store import migrate
    from impactkit.store.db import make_engine

    path = migrate.sqlite_file(url)
    if path is not None and not path.exists():
        return "missing: create it with `impactkit db upgrade`"
    engine = make_engine(url)
    try:
        migrate.require_current(engine)
        return f"ready (migration {migrate.current_revision(engine)})"
    except migrate.DatabaseNotReady as problem:
        return f"not ready: {problem}"
    finally:
        engine.dispose()


@main.command()
@database_option
@click.option(
    "--welcome",
    "welcome_only",
    is_flag=True,
    help="Only print what to open and with which user (no loading).",
)
def demo(database_url: str | None, welcome_only: bool) -> None:
    """Load the demo data (safe to run again: nothing is duplicated)."""
    from impactkit.demo import DEMO_PASSWORD, load_demo, load_demo_link, load_demo_report, load_demo_responses
    from impactkit.demo import welcome as welcome_text

    with _engine(database_url, need_secret=True) as (settings, engine):
        if welcome_only:
            link = load_demo_link(engine, settings.secret_key)
            click.echo(welcome_text(settings.public_base_url, f"{settings.public_base_url}/s/{link}"))
            return
        _publish_shipped(engine, quiet=True)
        result = load_demo(engine, settings.secret_key)
        stored = load_demo_responses(engine)
        click.echo(f"demo survey responses: {stored} new (136 beneficiary answers and a self-report in all)")
        click.echo(load_demo_report(engine))
        link = load_demo_link(engine, settings.secret_key)
        click.echo(f"demo survey link (beneficiary survey, endline): {settings.public_base_url}/s/{link}")
        from impactkit.demo import load_demo_collector
        from impactkit.store.collectors import collector_url

        collector = collector_url(settings.public_base_url, load_demo_collector(engine, settings.secret_key))
        click.echo(f"demo address for ODK Collect / KoBoCollect (QR code on the project page): {collector}")
        click.echo("demo data ready; API tokens (send as 'Authorization: Bearer <token>'):")
        for email, token in result.tokens.items():
            click.echo(f"  {email:32} {token}")
        click.echo(f"web sign-in password for every demo user: {DEMO_PASSWORD}")


@main.group(cls=Group)
def admin() -> None:
    """Administration: organisations, projects, users, memberships, tokens, evaluators, funders, grants."""


def _create(build: Callable[[Any], Any]) -> Any:
    from impactkit.store.db import session_scope

    def run(database_url: str | None) -> Any:
        with _engine(database_url) as (_, engine), session_scope(engine) as session:
            row = build(session)
            return row.model_dump() if hasattr(row, "model_dump") else row

    return run


@admin.command("create-organisation")
@database_option
@click.option("--name", required=True)
@click.option("--legal-form", required=True, help="social_cooperative_a, social_cooperative_b, aps, odv, …")
@click.option("--tax-code", required=True)
@click.option("--municipality", required=True)
@click.option("--zone", default=None)
@click.option("--territory-type", required=True, type=click.Choice(["urban", "rural", "mountain"]))
@click.option("--size-class", required=True, type=click.Choice(["micro", "small", "medium", "large"]))
def create_organisation(database_url: str | None, **values: Any) -> None:
    """Create an organisation."""
    from impactkit.store import admin as svc
    from impactkit.store import schemas as s

    data = s.OrganisationIn(**values)
    _print(_create(lambda session: svc.create_organisation(session, data))(database_url))


@admin.command("create-project")
@database_option
@click.option("--organisation-id", required=True, type=int)
@click.option("--name", required=True)
@click.option("--framework-id", default="simplified-kpis", show_default=True)
@click.option("--population", default=None, type=int)
def create_project(database_url: str | None, organisation_id: int, **values: Any) -> None:
    """Create a project of an organisation."""
    from impactkit.store import admin as svc
    from impactkit.store import schemas as s

    data = s.ProjectIn(**values)
    _print(_create(lambda session: svc.create_project(session, organisation_id, data))(database_url))


@admin.command("create-period")
@database_option
@click.option("--project-id", required=True, type=int)
@click.option("--label", required=True)
@click.option("--starts-on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--ends-on", required=True, type=click.DateTime(["%Y-%m-%d"]))
def create_period(
    database_url: str | None, project_id: int, label: str, starts_on: Any, ends_on: Any
) -> None:
    """Add a reporting period to a project."""
    from impactkit.store import admin as svc
    from impactkit.store import schemas as s

    data = s.PeriodIn(label=label, starts_on=starts_on.date(), ends_on=ends_on.date())
    _print(_create(lambda session: svc.create_period(session, project_id, data))(database_url))


@admin.command("create-user")
@database_option
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", default=None, help="For web sign-in (10 characters or more).")
@click.option("--admin", "is_admin", is_flag=True, help="Make the user an administrator.")
def create_user(database_url: str | None, **values: Any) -> None:
    """Create a user."""
    from impactkit.store import admin as svc
    from impactkit.store import schemas as s

    data = s.UserIn(**values)
    row = _create(lambda session: svc.create_user(session, data))(database_url)
    row.pop("password_hash", None)
    _print(row)


@admin.command("add-member")
@database_option
@click.option("--organisation-id", required=True, type=int)
@click.option("--user-id", required=True, type=int)
@click.option("--role", required=True, type=click.Choice(["owner", "editor", "viewer"]))
def add_member(database_url: str | None, organisation_id: int, user_id: int, role: str) -> None:
    """Make a user a member of an organisation."""
    from impactkit.store import admin as svc
    from impactkit.store import schemas as s

    data = s.MembershipIn(user_id=user_id, role=role)
    _print(_create(lambda session: svc.add_member(session, organisation_id, data))(database_url))


@admin.command("create-token")
@database_option
@click.option("--user-id", required=True, type=int)
@click.option("--name", default="api", show_default=True)
def create_token(database_url: str | None, user_id: int, name: str) -> None:
    """Issue an API token; it is printed once and only its hash is stored."""
    from impactkit.store import admin as svc
    from impactkit.store import schemas as s
    from impactkit.store.db import session_scope

    with _engine(database_url) as (_, engine), session_scope(engine) as session:
        row, token = svc.create_token(session, user_id, s.TokenIn(name=name))
        click.echo(f"token {row.id} for user {user_id} (shown once, store it now):")
        click.echo(token)


@admin.command("add-accreditation")
@database_option
@click.option("--user-id", required=True, type=int)
@click.option("--number", required=True)
@click.option("--body", required=True, help="The accrediting body.")
@click.option("--valid-from", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--valid-until", required=True, type=click.DateTime(["%Y-%m-%d"]))
def add_accreditation(database_url: str | None, valid_from: Any, valid_until: Any, **values: Any) -> None:
    """Record an evaluator's accreditation."""
    from impactkit.store import admin as svc
    from impactkit.store import schemas as s

    data = s.AccreditationIn(valid_from=valid_from.date(), valid_until=valid_until.date(), **values)
    _print(_create(lambda session: svc.create_accreditation(session, data))(database_url))


@admin.command("create-funder")
@database_option
@click.option("--name", required=True)
@click.option(
    "--kind",
    required=True,
    type=click.Choice(["foundation", "bank", "public_body", "outcome_fund", "other"]),
)
@click.option("--member-user-id", type=int, multiple=True, help="Users who act for the funder.")
def create_funder(database_url: str | None, name: str, kind: str, member_user_id: tuple[int, ...]) -> None:
    """Create a funder (and let users act for it)."""
    from impactkit.store import admin as svc
    from impactkit.store import schemas as s

    data = s.FunderIn(name=name, kind=kind)

    def build(session: Any) -> Any:
        funder = svc.create_funder(session, data)
        for user_id in member_user_id:
            svc.add_funder_member(session, cast(int, funder.id), user_id)
        return funder

    _print(_create(build)(database_url))


@admin.command("create-grant")
@database_option
@click.option("--funder-id", required=True, type=int)
@click.option("--organisation-id", required=True, type=int)
@click.option("--project-id", type=int, default=None)
@click.option("--title", required=True)
@click.option("--amount", type=float, default=0.0)
@click.option("--outcome-based", is_flag=True)
def create_grant(database_url: str | None, funder_id: int, **values: Any) -> None:
    """Record a grant from a funder to an organisation (and project)."""
    from impactkit.store import admin as svc
    from impactkit.store import schemas as s

    data = s.GrantIn(**values)
    _print(_create(lambda session: svc.create_grant(session, funder_id, data))(database_url))


@admin.command("list")
@database_option
@click.argument("what", type=click.Choice(["organisations", "users", "funders", "grants", "projects"]))
def list_records(database_url: str | None, what: str) -> None:
    """List organisations, users, funders, grants or projects."""
    from sqlmodel import Session, SQLModel, select

    from impactkit.store import tables as t

    tables: dict[str, type[SQLModel]] = {
        "organisations": t.Organisation,
        "users": t.User,
        "funders": t.Funder,
        "grants": t.Grant,
        "projects": t.Project,
    }
    table = tables[what]
    with _engine(database_url) as (_, engine):
        with Session(engine) as session:
            rows = [row.model_dump(exclude={"password_hash"}) for row in session.exec(select(table)).all()]
        _print(rows)


@main.group(cls=Group)
def forms() -> None:
    """Survey forms (XLSForm): check, publish, list."""


@forms.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def forms_check(path: str) -> None:
    """Check an XLSForm file without publishing it: every problem, with its cell."""
    from impactkit.surveys.xlsform import load_xlsform

    form = load_xlsform(path)
    fields = sum(1 for _ in form.fields())
    click.echo(
        f"ok: form {form.form_id} version {form.version}, {fields} fields, "
        f"languages: {', '.join(form.languages) or '-'}"
    )
    for warning in form.warnings:
        click.echo(f"  note: {warning}")


@forms.command("import")
@database_option
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--organisation-id", type=int, default=None, help="Owner organisation (omit: shared by all).")
def forms_import(database_url: str | None, path: str, organisation_id: int | None) -> None:
    """Check an XLSForm (.xlsx/.xls) and publish it as a new form version."""
    from pathlib import Path

    from impactkit.store.db import session_scope
    from impactkit.store.surveys import publish_form
    from impactkit.surveys.xlsform import load_xlsform

    with _engine(database_url) as (_, engine), session_scope(engine) as session:
        source = Path(path).read_bytes()
        form = load_xlsform(source, Path(path).name)
        if organisation_id is not None:
            from impactkit.store.admin import get
            from impactkit.store.tables import Organisation

            get(session, Organisation, organisation_id, "organisation")
        row, created = publish_form(
            session, form, organisation_id=organisation_id, source_filename=Path(path).name, source=source
        )
        state = "published" if created else "already published (identical)"
        click.echo(f"form {row.form_id} version {row.version}: {state} (id {row.id})")
    for warning in form.warnings:
        click.echo(f"  note: {warning}")


@forms.command("list")
@database_option
def forms_list(database_url: str | None) -> None:
    """List published form versions."""
    from sqlmodel import Session

    from impactkit.store.surveys import list_form_versions

    with _engine(database_url) as (_, engine), Session(engine) as session:
        for row in list_form_versions(session, None):
            owner = "shared" if row.organisation_id is None else f"organisation {row.organisation_id}"
            click.echo(f"{row.id:5}  {row.form_id:32} {row.version:16} {owner:18} {row.title}")


# --- responses: imports of KoBoToolbox, ODK Central and impactkit exports ----------------------


@main.group(cls=Group)
def responses() -> None:
    """Responses: import the exports of KoBoToolbox, ODK Central or impactkit."""


@responses.command("import")
@database_option
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--form-version", "form_version_id", required=True, type=int, help="Form version id (forms list)."
)
@click.option("--project-id", required=True, type=int, help="The project the responses belong to.")
@click.option("--period-id", type=int, default=None, help="Their reporting period.")
@click.option("--wave", default=None, help="Their wave (e.g. baseline, endline).")
@click.option("--dry-run", is_flag=True, help="Check every row and store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
def responses_import(
    database_url: str | None,
    files: tuple[str, ...],
    form_version_id: int,
    project_id: int,
    period_id: int | None,
    wave: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Import an export (CSV, XLSX, or ODK Central's ZIP; the main table first, then any repeat
    tables) as responses of a form version: every row validated, stored once by its instance id.

    Exits 1 when a row was refused (each one is listed with why), 0 when every row was stored or
    was already there.
    """
    from dataclasses import asdict
    from pathlib import Path

    from impactkit.store.db import session_scope
    from impactkit.store.imports import import_responses

    given = [(Path(path).name, Path(path).read_bytes()) for path in files]
    with _engine(database_url) as (_, engine), session_scope(engine) as session:
        report = import_responses(
            session,
            form_version_id=form_version_id,
            project_id=project_id,
            period_id=period_id,
            wave=wave,
            files=given,
            allowed_organisations=None,
            dry_run=dry_run,
        )
    if as_json:
        _print({**asdict(report), "counts": report.counts})
    else:
        click.echo(f"form {report.form_id} version {report.form_version}, from {report.source}:")
        for table in report.tables:
            click.echo(f"  {table.name} ({table.scope}): {table.rows} rows, {table.dialect}")
        for note in report.notes:
            click.echo(f"  note: {note}")
        counts = report.counts
        click.echo(
            "  "
            + ", ".join(f"{counts.get(status, 0)} {status.replace('_', ' ')}" for status in _IMPORT_STATUSES)
            + (" (dry run: nothing stored)" if dry_run else "")
        )
        for row in report.rows:
            if row.status in ("stored", "already_stored", "valid"):
                continue
            click.echo(f"  {row.where} ({row.instance_id or 'no id'}): {row.status}")
            for problem in row.problems:
                column = f" [{problem['column']}]" if problem.get("column") else ""
                click.echo(f"    - {problem.get('location') or ''}{column}: {problem.get('message')}")
    if any(row.status not in ("stored", "already_stored", "valid") for row in report.rows):
        sys.exit(EXIT_FAILED)


_IMPORT_STATUSES = ("stored", "already_stored", "valid", "conflict", "erased", "refused")


# --- ODK Collect / KoBoCollect: collector accesses ---------------------------------------------


@main.group(cls=Group)
def collect() -> None:
    """Field workers' apps (ODK Collect, KoBoCollect): collector access addresses and QR codes."""


@collect.command("url")
@database_option
@click.option("--project-id", required=True, type=int, help="The project the devices collect for.")
@click.option("--label", default="", help="Who or which devices a new access is for.")
@click.option("--new", "create_new", is_flag=True, help="Create a new access even if one is open.")
@click.option("--qr", is_flag=True, help="Also print the settings QR code ODK Collect scans.")
def collect_url(database_url: str | None, project_id: int, label: str, create_new: bool, qr: bool) -> None:
    """Print the server address of a project's collector access (creating one if it has none).

    Give the address to ODK Collect or KoBoCollect (Settings > Project management > Configure
    with QR code, or type it as the server URL): it lists the project's forms and sends the
    answers to impactkit. The address is the credential; revoke it with `impactkit collect revoke`.
    Set IMPACTKIT_PUBLIC_URL to the address devices reach the server at.
    """
    from impactkit.store import collectors
    from impactkit.store.db import session_scope
    from impactkit.store.tables import Organisation, Project

    with _engine(database_url, need_secret=True) as (settings, engine), session_scope(engine) as session:
        project = session.get(Project, project_id)
        if project is None:
            raise ImpactkitError(f"project {project_id} not found")
        open_ones = [a for a in collectors.project_accesses(session, project_id) if a.revoked_at is None]
        if open_ones and not create_new:
            access, secret = open_ones[0], collectors.view(open_ones[0], settings.secret_key).secret
            state = "existing"
        else:
            access, secret = collectors.create_access(
                session, secret_key=settings.secret_key, project_id=project_id, created_by=None, label=label
            )
            state = "new"
        url = collectors.collector_url(settings.public_base_url, secret)
        organisation = session.get(Organisation, project.organisation_id)
        name = " · ".join(part for part in (organisation.name if organisation else "", project.name) if part)
        click.echo(url)
        click.echo(f"  ({state} collector access {access.id} of project {project_id}: {name})", err=True)
        if qr:
            import segno

            code = collectors.settings_code(collectors.collect_settings(url, name))
            segno.make(code, micro=False, error="m").terminal(compact=True)


@collect.command("revoke")
@database_option
@click.option("--access-id", required=True, type=int, help="The collector access to revoke.")
def collect_revoke(database_url: str | None, access_id: int) -> None:
    """Revoke a collector access: every device using its address is refused from now on."""
    from impactkit.store import collectors
    from impactkit.store.db import session_scope

    with _engine(database_url) as (_, engine), session_scope(engine) as session:
        access = collectors.revoke_access(session, access_id)
        click.echo(f"collector access {access_id} revoked at {access.revoked_at}")


@click.command("project")
@database_option
@click.option("--project-id", required=True, type=int)
@click.option("--period-id", type=int, default=None, help="One reporting period (default: all).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def project_kpis_command(
    database_url: str | None, project_id: int, period_id: int | None, as_json: bool
) -> None:
    """Every KPI of a project's framework from its stored responses."""
    from sqlmodel import Session

    from impactkit.store.kpis import project_kpis

    with _engine(database_url) as (_, engine), Session(engine) as session:
        results = project_kpis(session, project_id, period_id)
    if as_json:
        click.echo(results.model_dump_json(indent=2))
        return
    for result in results.results:
        interval = f"[{result.ci_low:.3g}, {result.ci_high:.3g}]" if result.ci_low is not None else ""
        value = "-" if result.value is None else f"{result.value:.4g}"
        met = {True: "met", False: "not met", None: ""}[result.target_met]
        click.echo(f"{result.indicator_id:36} {value:>10} {interval:24} n={result.n!s:6} {met}")


_LIBRARY_EXTRAS: dict[str, list[click.Command]] = {"kpis": [project_kpis_command]}
"""Commands added to a library group when it is loaded (they need the store; the library does not)."""
