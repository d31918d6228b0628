"""Once-only things stay once-only under races (issue 15: every limit enforced with the write it
limits), over real HTTP on both databases: of many people accepting the same invitation link at
the same moment exactly one account joins, and an expired link joins nobody; of several requests
drafting the report of one period at once (a client resending after a timeout, to another
server) exactly one drafts it and the others are told so (409), never a 500.

(A survey link's maximum and once-only links: tests/integration/surveys/test_link_limits.py and
tests/reliability/test_link_limits.py; rate limits across processes:
tests/integration/foundation/test_rate_limits.py and tests/integration/production/.)"""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx
from sqlalchemy import func
from sqlmodel import Session, select

from impactkit.domain import MemberRole
from impactkit.store.db import session_scope
from impactkit.store.invitations import invite
from impactkit.store.tables import Invitation, Membership, Report, User
from impactkit.store.types import utcnow
from tests.conftest import LiveServer
from tests.factories import build_world
from tests.integration.pages.web import csrf_of

RACERS = 8
PASSWORD = "a long enough password"


def _invitation(live_server: LiveServer, organisation_id: int, email: str) -> str:
    with session_scope(live_server.engine) as session:
        _, url = invite(
            session,
            organisation_id=organisation_id,
            email=email,
            role=MemberRole.editor,
            invited_by=None,
            public_base_url=live_server.settings.public_base_url,
        )
    return url[len(live_server.settings.public_base_url.rstrip("/")) :]


def _race(live_server: LiveServer, path: str) -> list[int]:
    """RACERS browsers open the link, then all accept it at the same moment."""
    clients = [live_server.client() for _ in range(RACERS)]
    forms = [client.get(path) for client in clients]
    assert all(form.status_code == 200 for form in forms), [form.status_code for form in forms]
    barrier = threading.Barrier(RACERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def accept(client: httpx.Client, form: httpx.Response, index: int) -> None:
        data = {
            "_csrf_token": csrf_of(form.text),
            "name": f"Racer {index}",
            "password": PASSWORD,
            "password_again": PASSWORD,
        }
        barrier.wait()
        answer = client.post(path, data=data, follow_redirects=False)
        with lock:
            statuses.append(answer.status_code)

    threads = [
        threading.Thread(target=accept, args=(client, form, index))
        for index, (client, form) in enumerate(zip(clients, forms, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_of_many_acceptances_of_one_link_at_once_exactly_one_joins(live_server: LiveServer) -> None:
    world = build_world(live_server.engine)
    path = _invitation(live_server, world.org_a, "racer@example.org")
    statuses = _race(live_server, path)
    assert sorted(statuses).count(303) == 1, statuses
    assert all(status < 500 for status in statuses), statuses
    with Session(live_server.engine) as session:
        users = session.exec(select(User).where(User.email == "racer@example.org")).all()
        assert len(users) == 1
        members = session.exec(
            select(func.count()).select_from(Membership).where(Membership.user_id == users[0].id)
        ).one()
        assert members == 1
        invitation = session.exec(select(Invitation).where(Invitation.email == "racer@example.org")).one()
        assert invitation.used_by == users[0].id and invitation.used_at is not None
    assert live_server.client().get(path).status_code == 410, "the link works once"


def test_an_expired_link_joins_nobody(live_server: LiveServer) -> None:
    world = build_world(live_server.engine)
    path = _invitation(live_server, world.org_a, "late@example.org")
    client = live_server.client()
    form = client.get(path)
    assert form.status_code == 200
    with session_scope(live_server.engine) as session:
        invitation = session.exec(select(Invitation).where(Invitation.email == "late@example.org")).one()
        invitation.expires_at = utcnow() - timedelta(seconds=1)
        session.add(invitation)
    data = {
        "_csrf_token": csrf_of(form.text),
        "name": "Late",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    late = client.post(path, data=data, follow_redirects=False)
    assert late.status_code == 410, late.status_code
    assert live_server.client().get(path).status_code == 410
    with Session(live_server.engine) as session:
        assert session.exec(select(User).where(User.email == "late@example.org")).first() is None


def test_of_several_drafts_of_one_periods_report_at_once_exactly_one_is_made(live_server: LiveServer) -> None:
    world = build_world(live_server.engine)
    clients = [live_server.client(world.tokens["owner_a"]) for _ in range(RACERS)]
    barrier = threading.Barrier(RACERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def draft(client: httpx.Client) -> None:
        barrier.wait()
        answer = client.post(
            f"/api/v1/projects/{world.project_a}/reports", json={"period_id": world.period_a}
        )
        with lock:
            statuses.append(answer.status_code)

    threads = [threading.Thread(target=draft, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [201] + [409] * (RACERS - 1), statuses
    with Session(live_server.engine) as session:
        assert session.exec(select(func.count()).select_from(Report)).one() == 1
