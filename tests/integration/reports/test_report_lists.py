"""Report lists read only what their reader may see, and never the reports' content.

Each role's list (the API's and the store's) is compared with every report of the instance
tried one by one against the same visibility rule, on SQLite and PostgreSQL: reading fewer rows
is a way of costing less, never a change of who sees what.
"""

from __future__ import annotations

from sqlalchemy import inspect
from sqlmodel import Session, select

from impactkit.errors import NotFoundError
from impactkit.store.principals import load_principal
from impactkit.store.reports import list_reports, visible_version
from impactkit.store.tables import Report, User
from tests.conftest import LiveServer
from tests.integration.reports.test_reports_api import collect, draft
from tests.integration.surveys.test_responses_api import setup


def test_each_role_lists_exactly_the_reports_it_may_read(live_server: LiveServer) -> None:
    world = setup(live_server)
    collect(live_server, world)
    submitted = draft(live_server, world)
    editor = live_server.client(world.tokens["editor_a"])
    answer = editor.post(
        f"/api/v1/reports/{submitted['id']}/submit", json={"evaluator_user_id": world.users["evaluator"]}
    )
    assert answer.status_code == 200, answer.text
    owner_b = live_server.client(world.tokens["owner_b"])
    other = owner_b.post(f"/api/v1/projects/{world.project_b}/reports", json={"period_id": world.period_b})
    assert other.status_code == 201, other.text

    with Session(live_server.engine) as session:
        every_report = session.exec(select(Report)).all()
        assert len(every_report) == 2
        for key, user_id in sorted(world.users.items()):
            user = session.get(User, user_id)
            assert user is not None
            principal = load_principal(session, user)
            expected = []
            for report in every_report:
                try:
                    expected.append((report.id, visible_version(session, principal, report).number))
                except NotFoundError:
                    continue
            with Session(live_server.engine) as fresh:  # its own identity map: nothing loaded before
                listed = list_reports(fresh, principal)
                assert [(report.id, row.number) for report, row in listed] == sorted(expected), key
                for _, row in listed:
                    assert "content" in inspect(row).unloaded, f"{key}: a list should not read the content"
                by_project = list_reports(fresh, principal, project_id=world.project_b)
            assert [r.id for r, _ in by_project] == [
                r for r, _ in sorted(expected) if r == other.json()["id"]
            ]
            if key in world.tokens:
                api = live_server.client(world.tokens[key]).get("/api/v1/reports")
                assert api.status_code == 200, api.text
                assert [(r["id"], r["version"]) for r in api.json()] == sorted(expected), key
    # who sees what, spelled out for the roles that matter
    seen = {
        key: [r["id"] for r in live_server.client(token).get("/api/v1/reports").json()]
        for key, token in world.tokens.items()
    }
    assert seen["owner_a"] == seen["viewer_a"] == [submitted["id"]]
    assert seen["owner_b"] == [other.json()["id"]]
    assert seen["evaluator"] == [submitted["id"]]  # submitted to them
    assert seen["evaluator_other"] == [] and seen["funder_a"] == []  # not validated: not the funder's yet
    assert seen["admin"] == [submitted["id"], other.json()["id"]]
    # a version read from a list still gives its content when it is asked for
    with Session(live_server.engine) as session:
        user = session.get(User, world.users["owner_a"])
        assert user is not None
        _, row = list_reports(session, load_principal(session, user))[0]
        assert row.content["project"]["id"] == str(world.project_a)
