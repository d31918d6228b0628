"""A project's KPIs are computed once per change of its responses, whichever process made the change."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from sqlalchemy.engine import Engine

from impactkit.settings import Settings
from impactkit.store import kpi_cache
from impactkit.store.changes import project_revision
from impactkit.store.db import session_scope
from impactkit.store.kpi_cache import cached_project_kpis
from impactkit.store.surveys import erase_responses
from tests.integration.pages.web import build_web_world, collect_responses

ANOTHER_PROCESS = textwrap.dedent(
    """
    import json, sys, uuid
    from impactkit.store.db import make_engine, session_scope
    from impactkit.store.surveys import Submission, store_responses
    url, project, period = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    answers = json.loads(sys.argv[4])
    engine = make_engine(url)
    with session_scope(engine) as session:
        [result] = store_responses(session, [Submission(instance_id=str(uuid.uuid4()),
            form_id="beneficiary_outcomes", form_version="2026.1", project_id=project,
            period_id=period, answers=answers)], allowed_organisations=None)
    print(result.status)
    """
)


def test_kpis_are_reused_until_any_process_changes_the_responses(engine: Engine, settings: Settings) -> None:
    web = build_web_world(engine, settings)
    collect_responses(engine, web, count=8, wave=None)
    project, period = web.world.project_a, web.world.period_a
    kpi_cache.clear()
    with session_scope(engine) as session:
        first = cached_project_kpis(session, project, period)
        revision = project_revision(session, project)
    with session_scope(engine) as session:
        assert cached_project_kpis(session, project, period) is first, "the same result, not computed again"
    assert first.get("beneficiary_satisfaction").n == 8

    answers = {
        "consent": "yes",
        "respondent_code": "TO-9999",
        "gender": "female",
        "age": 40,
        "territory_type": "rural",
        "vulnerable_conditions": ["none"],
        "employment_status": "employed",
        "wellbeing": "5",
        "autonomy": "5",
        "social_connections": "5",
        "satisfaction": "5",
        "would_recommend": "yes",
    }
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    stored = subprocess.run(
        [
            sys.executable,
            "-c",
            ANOTHER_PROCESS,
            settings.database_url,
            str(project),
            str(period),
            json.dumps(answers),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert stored.stdout.strip() == "stored", stored.stderr
    with session_scope(engine) as session:
        assert project_revision(session, project) != revision, "the other process moved the counter"
        second = cached_project_kpis(session, project, period)
    assert second is not first and second.get("beneficiary_satisfaction").n == 9

    with session_scope(engine) as session:
        erase_responses(session, web.world.org_a, respondent_code="TO-9999")
    with session_scope(engine) as session:
        third = cached_project_kpis(session, project, period)
    assert third is not second and third.get("beneficiary_satisfaction").n == 8, (
        "an erasure counts as a change"
    )
    with session_scope(engine) as session:
        other_period = cached_project_kpis(session, project, None)
    assert other_period is not third, "each period has its own result"


def test_a_flag_set_or_withdrawn_counts_as_a_change(engine: Engine, settings: Settings) -> None:
    from sqlmodel import select

    from impactkit.store import flags
    from impactkit.store.tables import SurveyResponse

    web = build_web_world(engine, settings)
    collect_responses(engine, web, count=8, wave=None)
    project, period = web.world.project_a, web.world.period_a
    kpi_cache.clear()
    with session_scope(engine) as session:
        before = cached_project_kpis(session, project, period)
        response = session.exec(select(SurveyResponse)).first()
        assert response is not None
        flag = flags.flag_response(session, response, "test_answer", "", actor_user_id=None)
        flag_id = flag.id
    assert before.get("beneficiary_satisfaction").n == 8
    with session_scope(engine) as session:
        flagged = cached_project_kpis(session, project, period)
    assert flagged is not before and flagged.get("beneficiary_satisfaction").n == 7, (
        "the KPIs leave the flagged answer out at once"
    )
    with session_scope(engine) as session:
        response = session.exec(select(SurveyResponse)).first()
        assert response is not None and flag_id is not None
        flags.withdraw_flag(session, response, flag_id, actor_user_id=None)
    with session_scope(engine) as session:
        withdrawn = cached_project_kpis(session, project, period)
    assert withdrawn.get("beneficiary_satisfaction").n == 8, "and count it again when the flag is withdrawn"
