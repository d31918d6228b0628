"""Respondents racing a capped survey link through two server processes: exactly the maximum stored.

Two ``impactkit serve`` processes share one database (SQLite file, or PostgreSQL). Respondents
open the link's page (one client each, on either server), then all send their complete answers
at the same moment. Exactly ``max_responses`` are thanked (303 to the thank-you page) and
stored; every other one gets the friendly "this survey has all its answers" page with 410;
no answer is a server error. A once-only link (maximum 1) takes exactly one answer.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from impactkit.store import links
from impactkit.store.db import session_scope
from impactkit.store.surveys import find_form_version
from impactkit.store.tables import SurveyLink, SurveyResponse
from tests.reliability.conftest import Deployment

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

COMPLETE = {
    "consent": "yes",
    "gender": "female",
    "age": "34",
    "territory_type": "mountain",
    "vulnerable_conditions": ["unemployment", "low_income"],
    "employment_status": "unemployed",
    "months_unemployed": "8",
    "wellbeing": "4",
    "autonomy": "3",
    "social_connections": "4",
    "satisfaction": "5",
    "would_recommend": "yes",
}
SHOWN = (
    "consent respondent_code gender age territory_type municipality vulnerable_conditions education_level "
    "employment_status months_unemployed months_in_programme wellbeing autonomy social_connections "
    "satisfaction would_recommend comments"
)
"""Every question the complete answers make visible (as a respondent who saw them all posts)."""
NO_RATE_LIMIT = {"IMPACTKIT_RATE_SURVEY_PER_MINUTE": "100000"}


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"the page has no hidden field {name}"
    return match[1]


def _capped_link(deployment: Deployment, maximum: int) -> tuple[int, str]:
    world = deployment.world
    with session_scope(deployment.engine) as session:
        version = find_form_version(session, world.org_a, "beneficiary_outcomes")
        assert version.id is not None
        link, token = links.create_link(
            session,
            secret_key="reliability-secret",
            project_id=world.project_a,
            period_id=world.period_a,
            form_version_id=version.id,
            wave="baseline",
            created_by=world.users["owner_a"],
            max_responses=maximum,
        )
        assert link.id is not None
        return link.id, token


def _race(base_urls: list[str], token: str, respondents: int) -> Counter[int]:
    """Every respondent opens the page, then all post their answers at once; the statuses."""
    clients = [httpx.Client(base_url=base_urls[n % len(base_urls)], timeout=60) for n in range(respondents)]
    forms = []
    for number, client in enumerate(clients):
        page = client.get(f"/s/{token}")
        assert page.status_code == 200, page.text[:300]
        forms.append(
            {
                "_csrf_token": _hidden(page.text, "_csrf_token"),
                "_ik_instance": _hidden(page.text, "_ik_instance"),
                "_ik_lang": _hidden(page.text, "_ik_lang"),
                "_ik_shown": SHOWN,
                "respondent_code": f"RACE-{number:03d}",
                **COMPLETE,
            }
        )
    barrier = threading.Barrier(respondents)
    statuses: Counter[int] = Counter()
    bodies: list[str] = []
    lock = threading.Lock()

    def answer(number: int) -> None:
        barrier.wait()
        response = clients[number].post(f"/s/{token}", data=forms[number])
        with lock:
            statuses[response.status_code] += 1
            if response.status_code == 410:
                bodies.append(response.text)

    threads = [threading.Thread(target=answer, args=(n,)) for n in range(respondents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for client in clients:
        client.close()
    assert all("tutte le risposte previste" in body for body in bodies), bodies[:1]
    return statuses


def _stored(deployment: Deployment, link_id: int) -> tuple[int, int]:
    with Session(deployment.engine) as session:
        rows = session.execute(
            select(func.count()).where(SurveyResponse.source == links.link_source(link_id))  # type: ignore[arg-type]
        ).scalar_one()
        link = session.get(SurveyLink, link_id)
        assert link is not None
        return int(rows), link.responses


def test_respondents_racing_capped_links_through_two_server_processes(deployment: Deployment) -> None:
    deployment.start_server(env=NO_RATE_LIMIT)
    deployment.start_server(env=NO_RATE_LIMIT)
    started = time.perf_counter()
    capped, capped_token = _capped_link(deployment, 5)
    statuses = _race(deployment.base_urls, capped_token, 24)
    assert statuses == {303: 5, 410: 19}, statuses
    assert _stored(deployment, capped) == (5, 5)

    once, once_token = _capped_link(deployment, 1)
    statuses = _race(deployment.base_urls, once_token, 12)
    assert statuses == {303: 1, 410: 11}, statuses
    assert _stored(deployment, once) == (1, 1)
    print(
        f"\nlink limits, 2 server processes: 24 respondents on a link of 5 and 12 on a once-only link, "
        f"exactly 5 and 1 stored, the others 410, no server error ({time.perf_counter() - started:.1f} s)"
    )
