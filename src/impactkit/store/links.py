"""Survey links: public, unguessable addresses that let respondents answer one form for a project.

The token is derived from the instance secret and the link's nonce with HMAC-SHA256, so staff
can copy a link again at any time; only the token's SHA-256 hash is stored and looked up.
A response that arrives through a link is stored with ``source = "link:<id>"``, which is what
counts against the link's ``max_responses``. The limit holds under races, across threads and
server processes, on both databases: whatever path stores a response (a page, the group-commit
writer, a chunk checked by a helper process) goes through
:func:`~impactkit.store.surveys.insert_prepared`, which in the very transaction of the insert
locks each link's row (:func:`claim_link_places`: an ``UPDATE`` of the row, a row lock on
PostgreSQL and the write lock on SQLite), reads its counter, refuses what does not fit, and adds
what it inserted to the counter (:func:`count_link_responses`) before committing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.engine import Connection
from sqlmodel import Session

from impactkit.errors import NotFoundError, Problem
from impactkit.store.references import REFERENCE, refused
from impactkit.store.tables import FormVersion, Project, ReportingPeriod, SurveyLink, SurveyResponse
from impactkit.store.types import utcnow

_TOKEN_CONTEXT = b"impactkit survey link v1:"
LINK_SOURCE_PREFIX = "link:"

_link = SurveyLink.__table__  # type: ignore[attr-defined]
_response = SurveyResponse.__table__  # type: ignore[attr-defined]
_version = FormVersion.__table__  # type: ignore[attr-defined]


class LinkStatus(StrEnum):
    """Whether a link still takes answers, and if not, why."""

    open = "open"
    closed = "closed"
    expired = "expired"
    full = "full"


def link_token(secret_key: str, nonce: str) -> str:
    """The public token of a link: 32 URL-safe characters (192 bits) derived from the secret."""
    digest = hmac.new(secret_key.encode("utf-8"), _TOKEN_CONTEXT + nonce.encode("ascii"), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:24]).decode("ascii")


def token_hash(token: str) -> str:
    """SHA-256 of a link token (hex): what the table stores and looks up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_source(link_id: int) -> str:
    """The ``source`` recorded on responses that came through link ``link_id``."""
    return f"{LINK_SOURCE_PREFIX}{link_id}"


def link_of_source(source: str) -> int | None:
    """The link a response's ``source`` names, or None (``"link:12"`` -> 12, ``"api"`` -> None)."""
    if not source.startswith(LINK_SOURCE_PREFIX):
        return None
    digits = source[len(LINK_SOURCE_PREFIX) :]
    return int(digits) if digits.isdigit() else None


def claim_link_places(connection: Connection, rows: Sequence[dict[str, Any]]) -> dict[str, Problem]:
    """Lock the links that ``rows`` came through and say which of their new responses they refuse.

    Called inside the transaction that inserts ``rows``, before the insert. Each link's row is
    locked by an ``UPDATE`` in the order of their ids (PostgreSQL holds the row lock, SQLite the
    write lock, until the commit), so that concurrent writers of the same link take turns; its
    counter is read under that lock. A response already stored under its instance id is a
    resend: it takes no place and is never refused. A new one is refused when the link was
    closed, is past its closing date, or has no place left (the first ones in order take the
    places that remain).

    Returns:
        instance id -> the problem, for every response refused (location ``link``, code
        ``closed``, ``expired``, ``full`` or ``not_found``).
    """
    by_link: dict[int, list[str]] = {}
    for row in rows:
        link_id = link_of_source(row["source"])
        if link_id is not None:
            by_link.setdefault(link_id, []).append(row["instance_id"])
    if not by_link:
        return {}
    c = _link.c
    states = {
        link_id: connection.execute(
            update(_link)
            .where(c.id == link_id)
            .values(responses=c.responses)
            .returning(c.responses, c.max_responses, c.closed_at, c.closes_at)
        ).first()
        for link_id in sorted(by_link)
    }
    every_id = [instance_id for ids in by_link.values() for instance_id in ids]
    stored = set(
        connection.execute(
            select(_response.c.instance_id).where(_response.c.instance_id.in_(every_id))
        ).scalars()
    )
    now = utcnow()
    refused: dict[str, Problem] = {}
    for link_id, ids in by_link.items():
        new = [instance_id for instance_id in ids if instance_id not in stored]
        state = states[link_id]
        if not new:
            continue
        if state is None:
            problem = Problem("this survey link does not exist", "link", "not_found")
        elif state.closed_at is not None:
            problem = Problem("this survey link was closed and takes no more answers", "link", "closed")
        elif state.closes_at is not None and state.closes_at <= now:
            problem = Problem("this survey link is past its closing date", "link", "expired")
        elif state.max_responses is not None and len(new) > state.max_responses - state.responses:
            room = max(0, state.max_responses - state.responses)
            full = Problem(
                f"this survey link takes at most {state.max_responses} answers and has them all",
                "link",
                "full",
            )
            refused.update((instance_id, full) for instance_id in new[room:])
            continue
        else:
            continue
        refused.update((instance_id, problem) for instance_id in new)
    return refused


def count_link_responses(connection: Connection, inserted: Iterable[dict[str, Any]]) -> None:
    """Add the rows just inserted to their links' counters (same transaction, links locked)."""
    counts = Counter(link_of_source(row["source"]) for row in inserted)
    counts.pop(None, None)
    for link_id in sorted(counts, key=lambda n: n or 0):
        connection.execute(
            update(_link).where(_link.c.id == link_id).values(responses=_link.c.responses + counts[link_id])
        )


def uncount_link_responses(session: Session | Connection, sources: Iterable[str]) -> None:
    """Take erased responses off their links' counters (an erased response frees its place)."""
    counts = Counter(link_of_source(source) for source in sources)
    counts.pop(None, None)
    for link_id in sorted(counts, key=lambda n: n or 0):
        session.execute(
            update(_link)
            .where(_link.c.id == link_id, _link.c.responses >= counts[link_id])
            .values(responses=_link.c.responses - counts[link_id])
        )


@dataclass(frozen=True)
class LinkView:
    """A link with what staff need to see: its token, form, answers so far and status."""

    link: SurveyLink
    token: str
    form_id: str
    form_version: str
    form_title: str
    responses: int
    status: LinkStatus


def create_link(
    session: Session,
    *,
    secret_key: str,
    project_id: int,
    form_version_id: int,
    created_by: int | None,
    period_id: int | None = None,
    wave: str | None = None,
    label: str = "",
    closes_at: datetime | None = None,
    max_responses: int | None = None,
) -> tuple[SurveyLink, str]:
    """Create a survey link for a project's form version; returns the row and its token.

    Args:
        closes_at: the moment (aware, UTC) after which the link refuses answers; None = never.
        max_responses: how many answers the link takes at most; None = no limit.

    Raises:
        NotFoundError: the project, period or form version does not exist (or the form
            belongs to another organisation).
        ValidationError: every problem with the other arguments, at once.
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
    version = session.get(FormVersion, form_version_id)
    if version is None or version.organisation_id not in (None, project.organisation_id):
        problems.append(Problem(f"form version {form_version_id} not found", "form_version_id", REFERENCE))
    if max_responses is not None and max_responses < 1:
        problems.append(Problem("the maximum number of answers must be 1 or more", "max_responses"))
    if closes_at is not None:
        if closes_at.tzinfo is None:
            closes_at = closes_at.replace(tzinfo=UTC)
        if closes_at <= utcnow():
            problems.append(Problem("the closing date must be in the future", "closes_at"))
    if wave is not None and len(wave) > 20:
        problems.append(Problem("the wave is at most 20 characters (e.g. baseline, endline)", "wave"))
    if len(label) > 200:
        problems.append(Problem("the label is at most 200 characters", "label"))
    if problems:
        raise refused("the survey link cannot be created", problems)
    nonce = secrets.token_hex(16)
    token = link_token(secret_key, nonce)
    row = SurveyLink(
        organisation_id=project.organisation_id,
        project_id=project_id,
        period_id=period_id,
        form_version_id=form_version_id,
        wave=wave or None,
        label=label,
        token_hash=token_hash(token),
        nonce=nonce,
        closes_at=closes_at,
        max_responses=max_responses,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row, token


def find_link(session: Session, token: str) -> SurveyLink | None:
    """The link behind a public token, or None."""
    if not token or len(token) > 100:
        return None
    link_id = session.execute(select(_link.c.id).where(_link.c.token_hash == token_hash(token))).scalar()
    return None if link_id is None else session.get(SurveyLink, link_id)


def responses_through(session: Session, link_id: int) -> int:
    """How many responses (not erased) arrived through the link (its counter)."""
    query = select(_link.c.responses).where(_link.c.id == link_id)
    return int(session.execute(query).scalar() or 0)


def link_status(session: Session, link: SurveyLink, now: datetime | None = None) -> LinkStatus:
    """Open, or closed by staff, past its closing date, or full."""
    moment = now or utcnow()
    if link.closed_at is not None:
        return LinkStatus.closed
    if link.closes_at is not None and link.closes_at <= moment:
        return LinkStatus.expired
    if link.max_responses is not None:
        assert link.id is not None
        if responses_through(session, link.id) >= link.max_responses:  # fresh, not the loaded row's
            return LinkStatus.full
    return LinkStatus.open


def close_link(session: Session, link_id: int) -> SurveyLink:
    """Close a link now (closing a closed link changes nothing)."""
    link = session.get(SurveyLink, link_id)
    if link is None:
        raise NotFoundError(f"survey link {link_id} not found")
    if link.closed_at is None:
        link.closed_at = utcnow()
        session.add(link)
        session.flush()
    return link


def reopen_link(session: Session, link_id: int) -> SurveyLink:
    """Undo a closing: the link takes answers again (unless it expired or is full)."""
    link = session.get(SurveyLink, link_id)
    if link is None:
        raise NotFoundError(f"survey link {link_id} not found")
    if link.closed_at is not None:
        link.closed_at = None
        session.add(link)
        session.flush()
    return link


def get_link(session: Session, link_id: int) -> SurveyLink:
    link = session.get(SurveyLink, link_id)
    if link is None:
        raise NotFoundError(f"survey link {link_id} not found")
    return link


def project_links(session: Session, project_id: int, secret_key: str) -> list[LinkView]:
    """Every link of a project, newest first, with token, form, answers so far and status."""
    link_ids = session.execute(
        select(_link.c.id).where(_link.c.project_id == project_id).order_by(_link.c.id.desc())
    ).scalars()
    rows: list[tuple[SurveyLink, FormVersion]] = []
    for link_id in link_ids:
        link = session.get(SurveyLink, link_id)
        version = session.get(FormVersion, link.form_version_id) if link is not None else None
        if link is not None and version is not None:
            rows.append((link, version))
    views = []
    now = utcnow()
    for link, version in rows:
        answered = link.responses
        if link.closed_at is not None:
            status = LinkStatus.closed
        elif link.closes_at is not None and link.closes_at <= now:
            status = LinkStatus.expired
        elif link.max_responses is not None and answered >= link.max_responses:
            status = LinkStatus.full
        else:
            status = LinkStatus.open
        views.append(
            LinkView(
                link=link,
                token=link_token(secret_key, link.nonce),
                form_id=version.form_id,
                form_version=version.version,
                form_title=version.title,
                responses=answered,
                status=status,
            )
        )
    return views


def responses_per_day(
    session: Session, project_id: int, days: int = 30, today: date | None = None
) -> list[tuple[date, int]]:
    """Responses (not erased) of a project per UTC day, for the last ``days`` days, oldest first.

    Counted by the database, one sum per day in one query, so that the page reads ``days``
    numbers whatever the number of responses (it read every moment before).
    """
    last = today or datetime.now(UTC).date()
    first = last - timedelta(days=days - 1)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    bounds = [start + timedelta(days=i) for i in range(days + 1)]
    moment = _response.c.submitted_at
    sums = [
        func.sum(case((and_(moment >= bounds[i], moment < bounds[i + 1]), 1), else_=0)) for i in range(days)
    ]
    counts = session.execute(
        select(*sums).where(
            _response.c.project_id == project_id,
            _response.c.erased_at.is_(None),
            _response.c.replaced_at.is_(None),
            moment >= bounds[0],
            moment < bounds[-1],
        )
    ).one()
    return [(first + timedelta(days=i), int(count or 0)) for i, count in enumerate(counts)]


def project_response_count(session: Session, project_id: int) -> int:
    """Responses (not erased, each edited one once) stored for a project, from any source."""
    query = select(func.count()).where(
        _response.c.project_id == project_id,
        _response.c.erased_at.is_(None),
        _response.c.replaced_at.is_(None),
    )
    return int(session.execute(query).scalar_one())


__all__ = [
    "LinkStatus",
    "LinkView",
    "claim_link_places",
    "close_link",
    "count_link_responses",
    "create_link",
    "find_link",
    "get_link",
    "link_of_source",
    "link_source",
    "link_status",
    "link_token",
    "project_links",
    "project_response_count",
    "reopen_link",
    "responses_per_day",
    "token_hash",
    "uncount_link_responses",
]
