"""Helpers for page tests: a world with the shipped forms published, a survey link, and signing in."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml
from sqlalchemy.engine import Engine

from impactkit.api.access import load_principal
from impactkit.settings import Settings
from impactkit.store import links, reports
from impactkit.store.db import session_scope
from impactkit.store.surveys import Submission, find_form_version, publish_shipped_forms, store_responses
from impactkit.store.tables import User
from tests.factories import World, build_world

PASSWORD = "correct horse battery"
"""The password build_world gives every user (hashed with argon2 by the store)."""


@dataclass
class WebWorld:
    world: World
    token: str
    link_id: int
    form_version_id: int


def build_web_world(engine: Engine, settings: Settings, **link_options: object) -> WebWorld:
    """build_world, the shipped forms published, and a beneficiary survey link for project A."""
    world = build_world(engine)
    with session_scope(engine) as session:
        publish_shipped_forms(session)
        version = find_form_version(session, world.org_a, "beneficiary_outcomes")
        assert version.id is not None
        link, token = links.create_link(
            session,
            secret_key=settings.secret_key,
            project_id=world.project_a,
            period_id=world.period_a,
            form_version_id=version.id,
            wave="baseline",
            created_by=world.users["owner_a"],
            **link_options,  # type: ignore[arg-type]
        )
        assert link.id is not None
        return WebWorld(world, token, link.id, version.id)


def csrf_of(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the page carries no CSRF token"
    return match[1]


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"the page has no hidden field {name}"
    return match[1]


def sign_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    page = client.get("/signin")
    return client.post(
        "/signin",
        data={"email": email, "password": password, "_csrf_token": csrf_of(page.text), "next": "/app"},
    )


VALUE_MAP_FILE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "value-map-case-a.yaml"


def collect_responses(engine: Engine, web: WebWorld, count: int = 12) -> None:
    """Store ``count`` beneficiary responses (baseline) in project A's period."""
    with session_scope(engine) as session:
        results = store_responses(
            session,
            [
                Submission(
                    instance_id=str(uuid.uuid4()),
                    form_id="beneficiary_outcomes",
                    form_version="2026.1",
                    project_id=web.world.project_a,
                    period_id=web.world.period_a,
                    wave="baseline",
                    answers={
                        "consent": "yes",
                        "respondent_code": f"TO-{index:04d}",
                        "gender": "female" if index % 2 else "male",
                        "age": 18 + index,
                        "territory_type": "mountain",
                        "vulnerable_conditions": ["unemployment"],
                        "employment_status": "employed",
                        "wellbeing": str(1 + index % 5),
                        "autonomy": "3",
                        "social_connections": "4",
                        "satisfaction": str(3 + index % 3),
                        "would_recommend": "yes",
                    },
                )
                for index in range(count)
            ],
            allowed_organisations=None,
        )
    assert all(result.status == "stored" for result in results)


def submitted_report(engine: Engine, web: WebWorld, evaluator: str = "evaluator") -> int:
    """A report of project A with the SROI case A value map, submitted by its editor to ``evaluator``."""
    value_map = yaml.safe_load(VALUE_MAP_FILE.read_text())
    with session_scope(engine) as session:
        editor = session.get(User, web.world.users["editor_a"])
        assert editor is not None
        principal = load_principal(session, editor)
        report = reports.create_report(
            session,
            principal,
            web.world.project_a,
            web.world.period_a,
            language="en",
            sroi_value_map=value_map,
        )
        reports.submit_report(session, principal, report, web.world.users[evaluator])
        assert report.id is not None
        return report.id


def store_self_report(engine: Engine, web: WebWorld) -> None:
    """The organisation's self-report for project A's period: the KPIs a report needs to be validated."""
    from tests.integration.reports.test_reports_api import SELF_REPORT

    with session_scope(engine) as session:
        [result] = store_responses(
            session,
            [
                Submission(
                    instance_id=str(uuid.uuid4()),
                    form_id="organisation_self_report",
                    form_version="2026.1",
                    project_id=web.world.project_a,
                    period_id=web.world.period_a,
                    answers=SELF_REPORT,
                )
            ],
            allowed_organisations=None,
        )
    assert result.status == "stored", result.errors
