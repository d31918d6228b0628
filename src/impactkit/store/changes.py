"""A change counter per project: what is computed from a project's responses is reused until they change.

Every write that changes what a project's KPIs are read from — responses stored, erased or edited,
flags set or lifted — calls :func:`touch_projects` in its own transaction. Any server process then
sees the new :func:`project_revision` as soon as the write commits, and drops what it had computed
at the old one (:mod:`impactkit.store.kpi_cache`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session

__all__ = ["Revision", "project_revision", "touch_projects"]

_BUMP = text(
    "INSERT INTO project_change (project_id, revision, stamp) VALUES (:project_id, 1, :stamp) "
    "ON CONFLICT (project_id) DO UPDATE SET revision = project_change.revision + 1"
)


class Revision(NamedTuple):
    """Where a project's responses stand: equal revisions mean nothing changed in between."""

    stamp: str
    revision: int


def touch_projects(connection: Session | Connection, project_ids: Iterable[int | None]) -> None:
    """Record that these projects' responses changed (in the caller's transaction).

    Projects are bumped in id order, so two transactions touching the same projects on
    PostgreSQL wait for each other instead of deadlocking.
    """
    ids = sorted({project_id for project_id in project_ids if project_id is not None})
    if not ids:
        return
    connection.execute(
        _BUMP, [{"project_id": project_id, "stamp": secrets.token_hex(8)} for project_id in ids]
    )


def project_revision(connection: Session | Connection, project_id: int) -> Revision | None:
    """The project's current revision; None when its responses never changed (nothing to reuse)."""
    row = connection.execute(
        text("SELECT stamp, revision FROM project_change WHERE project_id = :project_id"),
        {"project_id": project_id},
    ).first()
    return None if row is None else Revision(str(row[0]), int(row[1]))
