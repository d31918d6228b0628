"""Typed settings read from the environment once: database URL, data folder, secrets, limits.

Where the instance is (documented in docs/administrators.md, printed by ``impactkit info``):

1. ``--data-dir DIR`` on the command line, else
2. ``IMPACTKIT_DATA_DIR``, else
3. the platform's data folder for applications (``~/.local/share/impactkit`` on Linux, from
   platformdirs) — never the current directory unless one of the above names it.

The database is ``--database-url`` or ``IMPACTKIT_DATABASE_URL`` when either is given (typically
PostgreSQL), else the SQLite file ``impactkit.db`` in the data folder. The data folder also keeps
the generated secret key (unless ``IMPACTKIT_SECRET_KEY`` is set).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from impactkit.errors import ConfigError

DATABASE_FILE = "impactkit.db"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    """Everything the service needs to start, read from ``IMPACTKIT_*`` variables.

    Attributes:
        data_dir: folder for the embedded SQLite database, secrets and exports.
        database_url: SQLAlchemy URL; defaults to ``sqlite:///<data_dir>/impactkit.db``.
        secret_key: signs session cookies and CSRF tokens; generated once into the data folder.
        max_body_bytes: largest request body accepted (bigger gets 413).
        max_batch: most responses accepted in one batch request.
        public_base_url: the address printed in survey links.
        check_processes: helper processes per server process that check large batches of
            responses (0: the server process checks them itself).
        kpi_processes: helper processes per server process that compute KPIs (0: the server
            process computes them itself; see :mod:`impactkit.store.kpi_helpers`).
        kpi_tasks: KPI computations a helper makes before a fresh one takes its place.
    """

    data_dir: Path
    database_url: str
    secret_key: str
    max_body_bytes: int = 10 * 1024 * 1024
    max_batch: int = 1000
    check_processes: int = 0
    kpi_processes: int = 0
    kpi_tasks: int = 50
    public_base_url: str = "http://127.0.0.1:8000"
    cookie_secure: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    log_level: str = "info"
    """``debug``, ``info``, ``warning`` or ``error``: the server's log level."""
    log_format: str = "text"
    """``text`` or ``json`` (one object a line): the server's log format."""
    access_log: bool = True
    """One line per request (``impactkit.access``, at level info)."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses or networks of the reverse proxies whose ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` are believed (none by default: the connecting address is the client)."""
    redis_url: str = ""
    """Redis for the rate limits of every server process (else PostgreSQL, or each process)."""
    redis_prefix: str = "impactkit:"
    """Prefix of impactkit's keys in Redis (instances sharing one Redis need different ones)."""
    data_dir_source: str = "given"
    """Where :attr:`data_dir` came from: ``--data-dir``, ``IMPACTKIT_DATA_DIR`` or ``platform default``."""
    database_source: str = "given"
    """Where :attr:`database_url` came from: ``--database-url``, ``IMPACTKIT_DATABASE_URL`` or
    ``data folder``."""
    max_submission_bytes: int = 50 * 1024 * 1024
    """Largest OpenRosa submission (XML and media files together) one request may carry; ODK
    Collect splits a larger one over several requests."""
    max_attachment_bytes: int = 20 * 1024 * 1024
    """Largest media file (photo, audio, video, file) of an answer."""
    open_data_licence: str = "CC-BY-4.0"
    """Licence of the observatory's open data (``IMPACTKIT_OPEN_DATA_LICENCE``): CC-BY-4.0,
    CC0-1.0, CC-BY-SA-4.0 or IODL-2.0."""
    open_data_publisher: str = "impactkit"
    """Who publishes the observatory's open data (``IMPACTKIT_OPEN_DATA_PUBLISHER``), its
    identifier (``IMPACTKIT_OPEN_DATA_PUBLISHER_ID``, an IPA code or VAT number) and contact email
    (``IMPACTKIT_OPEN_DATA_CONTACT``), as the DCAT-AP_IT catalogue names them."""
    open_data_publisher_id: str = "impactkit"
    open_data_contact: str = "opendata@example.org"

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``: the engine behind :attr:`database_url`."""
        return self.database_url.split(":", 1)[0].split("+", 1)[0]


def default_check_processes() -> int:
    """Helpers checking large batches, per server process: one per core, up to 4 (none on one core)."""
    cores = os.cpu_count() or 1
    return min(4, cores) if cores > 1 else 0


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / DATABASE_FILE).resolve()}"


def platform_data_dir() -> Path:
    """The platform's folder for this application's data (``~/.local/share/impactkit`` on Linux)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("impactkit", appauthor=False))


def secret_key_source(data_dir: Path) -> str:
    """Where the secret key comes from: the environment, the data folder's file, or nowhere yet."""
    if os.environ.get("IMPACTKIT_SECRET_KEY"):
        return "IMPACTKIT_SECRET_KEY"
    path = data_dir / SECRET_KEY_FILE
    return str(path) if path.exists() else f"{path} (not created yet)"


def secret_key(data_dir: Path, *, create: bool = True) -> str:
    """The instance's secret key: ``IMPACTKIT_SECRET_KEY``, else the data folder's ``secret_key``
    file, generated there on first use when ``create`` (else ``""``)."""
    from_env = os.environ.get("IMPACTKIT_SECRET_KEY")
    if from_env:
        return from_env
    path = data_dir / SECRET_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    if not create:
        return ""
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def normalise_database_url(url: str) -> str:
    """Accept ``postgres://`` and ``postgresql://`` and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if not (url.startswith("sqlite") or url.startswith("postgresql")):
        raise ConfigError(
            f"unsupported database URL {url.split(':', 1)[0]!r}: use sqlite:///PATH or "
            "postgresql://USER@HOST:PORT/DB"
        )
    return url


def _choice_env(name: str, choices: tuple[str, ...], default: str) -> str:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def _networks_env(name: str) -> tuple[str, ...]:
    import ipaddress

    raw = os.environ.get(name, "")
    entries = tuple(part.strip() for part in raw.split(",") if part.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(
                f"{name}: {entry!r} is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/8)"
            ) from None
    return entries


def _flag_env(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
        raise ConfigError(f"{name} must be 1 or 0, got {raw!r}")
    return raw in ("1", "true", "yes", "on")


def load_settings(
    database_url: str | None = None,
    data_dir: str | Path | None = None,
    *,
    need_secret: bool = True,
) -> Settings:
    """Build the settings from arguments first, then ``IMPACTKIT_*`` variables, then defaults.

    With ``need_secret=False`` a missing secret key is not generated (``secret_key`` is then
    ``""``): commands that only read or administer the database create no file.
    """
    if data_dir:
        folder, folder_source = Path(data_dir), "--data-dir"
    elif os.environ.get("IMPACTKIT_DATA_DIR"):
        folder, folder_source = Path(os.environ["IMPACTKIT_DATA_DIR"]), "IMPACTKIT_DATA_DIR"
    else:
        folder, folder_source = platform_data_dir(), "platform default"
    folder = folder.expanduser().absolute()
    if database_url:
        url, url_source = database_url, "--database-url"
    elif os.environ.get("IMPACTKIT_DATABASE_URL"):
        url, url_source = os.environ["IMPACTKIT_DATABASE_URL"], "IMPACTKIT_DATABASE_URL"
    else:
        url, url_source = default_database_url(folder), "data folder"
    from impactkit.disclosure import default_threshold

    default_threshold()  # a malformed IMPACTKIT_DISCLOSURE_THRESHOLD stops the start, named
    return Settings(
        data_dir=folder,
        data_dir_source=folder_source,
        database_url=normalise_database_url(url),
        database_source=url_source,
        secret_key=secret_key(folder, create=need_secret),
        max_body_bytes=_int_env("IMPACTKIT_MAX_BODY_BYTES", 10 * 1024 * 1024),
        max_batch=_int_env("IMPACTKIT_MAX_BATCH", 1000),
        check_processes=max(0, _int_env("IMPACTKIT_CHECK_PROCESSES", default_check_processes())),
        kpi_processes=max(0, _int_env("IMPACTKIT_KPI_PROCESSES", 1)),
        kpi_tasks=max(1, _int_env("IMPACTKIT_KPI_TASKS", 50)),
        public_base_url=os.environ.get("IMPACTKIT_PUBLIC_URL", "http://127.0.0.1:8000"),
        cookie_secure=os.environ.get("IMPACTKIT_COOKIE_SECURE", "0") == "1",
        log_level=_choice_env("IMPACTKIT_LOG_LEVEL", ("debug", "info", "warning", "error"), "info"),
        log_format=_choice_env("IMPACTKIT_LOG_FORMAT", ("text", "json"), "text"),
        access_log=_flag_env("IMPACTKIT_ACCESS_LOG", True),
        trusted_proxies=_networks_env("IMPACTKIT_TRUSTED_PROXIES"),
        redis_url=os.environ.get("IMPACTKIT_REDIS_URL", "").strip(),
        redis_prefix=os.environ.get("IMPACTKIT_REDIS_PREFIX", "impactkit:"),
        max_submission_bytes=_int_env("IMPACTKIT_MAX_SUBMISSION_BYTES", 50 * 1024 * 1024),
        max_attachment_bytes=_int_env("IMPACTKIT_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024),
        open_data_licence=_choice_env(
            "IMPACTKIT_OPEN_DATA_LICENCE", ("cc-by-4.0", "cc0-1.0", "cc-by-sa-4.0", "iodl-2.0"), "cc-by-4.0"
        ).upper(),
        open_data_publisher=os.environ.get("IMPACTKIT_OPEN_DATA_PUBLISHER", "impactkit").strip()
        or "impactkit",
        open_data_publisher_id=os.environ.get("IMPACTKIT_OPEN_DATA_PUBLISHER_ID", "impactkit").strip()
        or "impactkit",
        open_data_contact=os.environ.get("IMPACTKIT_OPEN_DATA_CONTACT", "opendata@example.org").strip()
        or "opendata@example.org",
    )
