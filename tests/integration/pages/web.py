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


def collect_responses(engine: Engine, web: WebWorld, count: int = 12, wave: str | None = "baseline") -> None:
    """Store ``count`` beneficiary responses (baseline unless told) in project A's period."""
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
                    wave=wave,
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


def small_xlsform(*, version: str = "2026.9", mistake: bool = False) -> bytes:
    """An organisation's own short version of the beneficiary form (the KPIs read it by its id).

    With ``mistake`` the age question has an unknown type, ``integr``, in cell survey!A5.
    """
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    survey.append(
        ["type", "name", "label::Italiano (it)", "label::English (en)", "required", "relevant", "constraint"]
    )
    survey.append(
        [
            "select_one yes_no",
            "consent",
            "Acconsenti a rispondere?",
            "Do you agree to answer?",
            "yes",
            None,
            None,
        ]
    )
    survey.append(
        [
            "text",
            "respondent_code",
            "Codice partecipante",
            "Participant code",
            "yes",
            "${consent} = 'yes'",
            None,
        ]
    )
    survey.append(["select_one gender", "gender", "Genere", "Gender", "yes", "${consent} = 'yes'", None])
    survey.append(
        [
            "integr" if mistake else "integer",
            "age",
            "Età",
            "Age",
            "yes",
            "${consent} = 'yes'",
            ". >= 14 and . <= 110",
        ]
    )
    survey.append(
        [
            "select_one territory_type",
            "territory_type",
            "Dove vivi?",
            "Where do you live?",
            "yes",
            "${consent} = 'yes'",
            None,
        ]
    )
    survey.append(
        [
            "select_one scale_5",
            "satisfaction",
            "Quanto sei soddisfatta o soddisfatto?",
            "How satisfied are you?",
            "yes",
            "${consent} = 'yes'",
            None,
        ]
    )
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", "label::Italiano (it)", "label::English (en)"])
    for row in [
        ("yes_no", "yes", "Sì", "Yes"),
        ("yes_no", "no", "No", "No"),
        ("gender", "female", "Donna", "Woman"),
        ("gender", "male", "Uomo", "Man"),
        ("gender", "nonbinary", "Non binario", "Non-binary"),
        ("territory_type", "urban", "Città", "Town or city"),
        ("territory_type", "rural", "Campagna", "Countryside"),
        ("territory_type", "mountain", "Montagna", "Mountains"),
        *[("scale_5", str(i), str(i), str(i)) for i in range(1, 6)],
    ]:
        choices.append(list(row))
    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append(["Esiti in breve / Outcomes in short", "beneficiary_outcomes", version, "Italiano (it)"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def answer_by_link(
    client: httpx.Client, token: str, answers: dict[str, str], language: str = "it"
) -> httpx.Response:
    """Answer a survey link as a respondent's browser without script does: consent first, then the rest."""
    page = client.get(f"/s/{token}?lang={language}")
    instance = hidden(page.text, "_ik_instance")
    fields = {"_csrf_token": csrf_of(page.text), "_ik_instance": instance, "_ik_lang": language}
    first = client.post(
        f"/s/{token}", data={**fields, "_ik_shown": hidden(page.text, "_ik_shown"), "consent": "yes"}
    )
    return client.post(
        f"/s/{token}",
        data={**fields, "_ik_shown": hidden(first.text, "_ik_shown"), "consent": "yes", **answers},
        follow_redirects=False,
    )
