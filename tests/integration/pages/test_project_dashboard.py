"""The project page counts responses per day and shows the KPIs with their intervals as SVG."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from impactkit.store.db import session_scope
from impactkit.store.kpis import project_kpis
from impactkit.store.surveys import Submission, store_responses
from tests.conftest import LiveServer
from tests.integration.pages.web import build_web_world, sign_in


def _answers(index: int) -> dict[str, object]:
    return {
        "consent": "yes",
        "respondent_code": f"TO-{index:04d}",
        "gender": "female" if index % 2 else "male",
        "age": 20 + index,
        "territory_type": "mountain",
        "vulnerable_conditions": ["unemployment"],
        "employment_status": "employed",
        "wellbeing": str(1 + index % 5),
        "autonomy": "3",
        "social_connections": "4",
        "satisfaction": "5",
        "would_recommend": "yes",
    }


def test_the_dashboard_counts_todays_responses_and_draws_kpis(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    with session_scope(live_server.engine) as session:
        results = store_responses(
            session,
            [
                Submission(
                    instance_id=str(uuid.uuid4()),
                    form_id="beneficiary_outcomes",
                    form_version="2026.1",
                    project_id=web.world.project_a,
                    period_id=web.world.period_a,
                    answers=_answers(i),
                )
                for i in range(7)
            ],
            allowed_organisations=None,
        )
    assert [r.status for r in results] == ["stored"] * 7
    client = live_server.client()
    sign_in(client, "viewer_a@example.org")
    page = client.get(f"/app/projects/{web.world.project_a}?period={web.world.period_a}&lang=en")
    assert page.status_code == 200
    assert re.search(r'id="response-total" data-total="7">7<', page.text)
    today = datetime.now(UTC).date().isoformat()
    assert f'data-day="{today}" data-count="7"' in page.text
    assert page.text.count("data-count=") == 30, "one bar per day for the last 30 days"
    with session_scope(live_server.engine) as session:
        kpis = project_kpis(session, web.world.project_a, web.world.period_a)
    satisfied = next(r for r in kpis.results if r.group is None and r.unit == "share" and r.n == 7)
    assert satisfied.value == 1.0, "all seven answered 5 on a 1–5 scale"
    row = re.search(rf'<tr data-indicator="{satisfied.indicator_id}">.*?</tr>', page.text, re.S)
    assert row, "every indicator has its row"
    cells = row[0]
    assert '<td class="num">100.0\xa0%</td>' in cells
    assert f"<td>{satisfied.ci_low * 100:.1f}\xa0% – 100.0\xa0%</td>" in cells  # type: ignore[operator]
    assert 'class="error-bar"' in cells, "the interval is drawn as an error bar"
    if satisfied.target is not None:
        assert 'class="target"' in cells
