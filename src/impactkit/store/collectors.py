"""Collector access: how field workers' apps (ODK Collect, KoBoCollect, Enketo) reach a project.

Like ODK Central's app users: an organisation creates an access for one project and gives its
server address to the field workers' devices (typed in, or scanned from a QR code); the secret is
part of that address (``https://host/collect/<secret>``), so the apps need no account. Revoking
the access locks every device that has it out at once.

The secret is derived from the instance secret and the access's nonce with HMAC-SHA256, so staff
can show the address again; only its SHA-256 hash is stored and looked up. Responses that arrive
through an access are stored with ``source = "collect:<id>"``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import weakref
import zlib
from dataclasses import dataclass, field
from datetime import date
from threading import Lock
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from impactkit.errors import NotFoundError, Problem
from impactkit.store.principals import authorisation_changed, current_epoch, epoch_check_due, note_epoch
from impactkit.store.references import REFERENCE, refused
from impactkit.store.tables import CollectorAccess, FormSource, FormVersion, Project, ReportingPeriod
from impactkit.store.types import utcnow

_SECRET_CONTEXT = b"impactkit collector access v1:"

_access = CollectorAccess.__table__  # type: ignore[attr-defined]


def collector_secret(secret_key: str, nonce: str) -> str:
    """The secret of an access: 43 URL-safe characters (256 bits) derived from the instance secret."""
    digest = hmac.new(secret_key.encode("utf-8"), _SECRET_CONTEXT + nonce.encode("ascii"), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode("ascii").rstrip("=")


def secret_hash(secret: str) -> str:
    """SHA-256 of a collector secret (hex): what the table stores and looks up."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def collector_source(access_id: int) -> str:
    """The ``source`` recorded on responses that came through access ``access_id``."""
    return f"collect:{access_id}"


def collector_url(base_url: str, secret: str) -> str:
    """The server address ODK Collect is given: it adds ``/formList`` and ``/submission``."""
    return f"{base_url.rstrip('/')}/collect/{secret}"


def create_access(
    session: Session,
    *,
    secret_key: str,
    project_id: int,
    created_by: int | None,
    label: str = "",
    period_id: int | None = None,
    wave: str | None = None,
    form_ids: list[str] | None = None,
) -> tuple[CollectorAccess, str]:
    """Create a collector access for a project; returns the row and its secret.

    Args:
        period_id: the reporting period its responses belong to (None: the project's period
            that holds the day each response was collected).
        form_ids: the forms it offers (None or empty: every form the organisation may use).

    Raises:
        NotFoundError: no such project.
        ImpactkitError: every problem with the other arguments, at once.
    """
    project = session.get(Project, project_id)
    if project is None:
        raise NotFoundError(f"project {project_id} not found")
    problems: list[Problem] = []
    if period_id is not None:
        period = session.get(ReportingPeriod, period_id)
        if period is None or period.project_id != project_id:
            problems.append(
                Problem(f"period {period_id} is not a period of this project", "period_id", REFERENCE)
            )
    if wave is not None and len(wave) > 20:
        problems.append(Problem("the wave is at most 20 characters (e.g. baseline, endline)", "wave"))
    if len(label) > 200:
        problems.append(Problem("the label is at most 200 characters", "label"))
    wanted = sorted(set(form_ids or []))
    if wanted:
        usable = {row.form_id for row in offered_versions(session, project.organisation_id, [])}
        for index, form_id in enumerate(form_ids or []):
            if form_id not in usable:
                problems.append(
                    Problem(
                        f"form {form_id!r} is not a published form of this organisation",
                        f"form_ids[{index}]",
                        REFERENCE,
                    )
                )
    if problems:
        raise refused("the collector access cannot be created", problems)
    nonce = secrets.token_hex(16)
    secret = collector_secret(secret_key, nonce)
    row = CollectorAccess(
        organisation_id=project.organisation_id,
        project_id=project_id,
        period_id=period_id,
        wave=wave or None,
        label=label,
        form_ids=wanted,
        token_hash=secret_hash(secret),
        nonce=nonce,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row, secret


def find_access(session: Session, secret: str) -> CollectorAccess | None:
    """The access behind a secret (revoked ones too), or None."""
    if not secret or len(secret) > 100:
        return None
    access_id = session.execute(
        select(_access.c.id).where(_access.c.token_hash == secret_hash(secret))
    ).scalar()
    return None if access_id is None else session.get(CollectorAccess, access_id)


def project_accesses(session: Session, project_id: int) -> list[CollectorAccess]:
    """A project's collector accesses, newest first (revoked ones too)."""
    query = select(CollectorAccess).where(CollectorAccess.project_id == project_id)  # type: ignore[arg-type]
    rows = [row for (row,) in session.execute(query).all()]
    return sorted(rows, key=lambda row: -(row.id or 0))


def revoke_access(session: Session, access_id: int) -> CollectorAccess:
    """Revoke an access now (again: nothing changes). Devices that have it are refused from now on."""
    row = session.get(CollectorAccess, access_id)
    if row is None:
        raise NotFoundError(f"collector access {access_id} not found")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.flush()
        authorisation_changed(session)  # every other process drops its cached accesses within a second
        for caches in list(_caches.values()):
            with caches.lock:
                caches.accesses.clear()
    return row


def offered_versions(session: Session, organisation_id: int, form_ids: list[str]) -> list[FormVersion]:
    """The newest version of each form the access offers that has an XForm (a version published
    before XForms were kept has none), in form id order: the organisation's own forms, and the
    shared ones it has no own form of the same id for."""
    keys = ["shared", f"org:{organisation_id}"]
    query = (
        select(FormVersion)
        .join(FormSource, FormSource.form_version_id == FormVersion.id)  # type: ignore[arg-type]
        .where(FormVersion.owner_key.in_(keys))  # type: ignore[attr-defined]
    )
    if form_ids:
        query = query.where(FormVersion.form_id.in_(form_ids))  # type: ignore[attr-defined]
    newest: dict[str, FormVersion] = {}
    for (row,) in session.execute(query).all():
        kept = newest.get(row.form_id)
        rank = (row.owner_key != "shared", row.id or 0)
        if kept is None or rank > (kept.owner_key != "shared", kept.id or 0):
            newest[row.form_id] = row
    return [newest[form_id] for form_id in sorted(newest)]


def collect_settings(url: str, project_name: str) -> dict[str, Any]:
    """ODK Collect's settings for a device that collects through ``url``."""
    return {
        "general": {
            "server_url": url,
            "form_update_mode": "match_exactly",
            "autosend": "wifi_and_cellular",
        },
        "admin": {"automatic_update": True},
        "project": {"name": project_name[:80], "icon": (project_name.strip()[:1] or "I").upper()},
    }


def settings_code(settings: dict[str, Any]) -> str:
    """The text of a settings QR code, as ODK Collect reads it: base64 of zlib-compressed JSON."""
    return base64.b64encode(zlib.compress(json.dumps(settings, ensure_ascii=False).encode("utf-8"))).decode(
        "ascii"
    )


@dataclass(frozen=True)
class Collector:
    """What a request through an access needs to know about it (a snapshot, cached briefly)."""

    id: int
    organisation_id: int
    project_id: int
    period_id: int | None
    wave: str | None
    form_ids: tuple[str, ...]
    revoked: bool

    @property
    def source(self) -> str:
        return collector_source(self.id)


_CACHE_SECONDS = 5.0
_PERIOD_CACHE_SECONDS = 30.0


@dataclass
class _Caches:
    accesses: dict[str, tuple[float, int | None, Collector]] = field(default_factory=dict)
    """secret hash -> (read at, authentication epoch read at, collector)."""
    periods: dict[int, tuple[float, list[tuple[int, date, date]]]] = field(default_factory=dict)
    lock: Lock = field(default_factory=Lock)


_caches: weakref.WeakKeyDictionary[Engine, _Caches] = weakref.WeakKeyDictionary()


def _caches_of(engine: Engine) -> _Caches:
    found = _caches.get(engine)
    if found is None:
        found = _caches.setdefault(engine, _Caches())
    return found


def cached_collector(engine: Engine, secret: str) -> Collector | None:
    """The collector behind ``secret`` if this process read it in the last few seconds and no
    change of access rights was seen since (see :mod:`impactkit.store.principals`); else None."""
    hit = _caches_of(engine).accesses.get(secret_hash(secret))
    if hit is None or epoch_check_due():
        return None
    read_at, epoch, collector = hit
    if epoch != current_epoch() or time.monotonic() - read_at >= _CACHE_SECONDS:
        return None
    return collector


def load_collector(session: Session, engine: Engine, secret: str) -> Collector | None:
    """The collector behind ``secret`` (revoked ones too), read from the database and cached."""
    from impactkit.store.shared import read_auth_epoch

    epoch = read_auth_epoch(session)
    note_epoch(epoch)
    read_at = time.monotonic()
    row = find_access(session, secret)
    if row is None or row.id is None:
        return None
    collector = Collector(
        id=row.id,
        organisation_id=row.organisation_id,
        project_id=row.project_id,
        period_id=row.period_id,
        wave=row.wave,
        form_ids=tuple(row.form_ids),
        revoked=row.revoked_at is not None,
    )
    caches = _caches_of(engine)
    with caches.lock:
        if len(caches.accesses) > 10_000:
            caches.accesses.clear()
        caches.accesses[secret_hash(secret)] = (read_at, epoch, collector)
    return collector


def project_periods(
    session: Session | None, engine: Engine, project_id: int
) -> list[tuple[int, date, date]] | None:
    """(id, first day, last day) of each period of a project, cached for half a minute; None when
    ``session`` is None and the cache cannot answer."""
    caches = _caches_of(engine)
    hit = caches.periods.get(project_id)
    if hit is not None and time.monotonic() - hit[0] < _PERIOD_CACHE_SECONDS:
        return hit[1]
    if session is None:
        return None
    query = select(ReportingPeriod.id, ReportingPeriod.starts_on, ReportingPeriod.ends_on).where(  # type: ignore[call-overload]
        ReportingPeriod.project_id == project_id
    )
    periods = [(int(pid), start, end) for pid, start, end in session.execute(query).all()]
    caches.periods[project_id] = (time.monotonic(), periods)
    return periods


def period_on(periods: list[tuple[int, date, date]], collected_on: date) -> int | None:
    """The period holding ``collected_on`` (the latest starting one if several do), else None."""
    holding = [(start, pid) for pid, start, end in periods if start <= collected_on <= end]
    return max(holding)[1] if holding else None


@dataclass(frozen=True)
class AccessView:
    """An access with its secret, for the staff who manage it."""

    access: CollectorAccess
    secret: str

    @property
    def revoked(self) -> bool:
        return self.access.revoked_at is not None


def view(access: CollectorAccess, secret_key: str) -> AccessView:
    return AccessView(access, collector_secret(secret_key, access.nonce))


__all__ = [
    "AccessView",
    "Collector",
    "cached_collector",
    "collect_settings",
    "collector_secret",
    "collector_source",
    "collector_url",
    "create_access",
    "find_access",
    "load_collector",
    "offered_versions",
    "period_on",
    "project_accesses",
    "project_periods",
    "revoke_access",
    "secret_hash",
    "settings_code",
    "view",
]
