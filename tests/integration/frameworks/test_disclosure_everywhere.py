"""Everything a project publishes about its people, attacked together: nothing hidden comes back.

A project with two reporting periods of generated answers full of small groups (non-binary and
undisclosed gender, mountain villages, under 15 and over 65). A reader gathers every table
published for it over HTTP — the KPIs as JSON for each period and for all periods, the KPI
pages with their breakdown tables (HTML) for the same three views, and each period's social
report as the Excel workbook a funder downloads, validated, in the funder's portfolio (CSV and
JSON) — and combines them: each
breakdown sums to its headline, coarse age bands sum their finer bands, KPIs over the same
responses share their counts, and a figure over all periods is the sum of the periods' figures.
:func:`tests.disclosure_attack.attack` (integer programming) then bounds every hidden figure;
none that holds 1 to 4 people may be pinned, shown under 5, or left with fewer than 5 values.
Each table must also show the same figure wherever it appears (the page never shows what the
JSON hid), and the statement of the method with the threshold next to it.
"""

from __future__ import annotations

import io
import random
import re
import uuid
from collections.abc import Hashable
from datetime import date
from html import unescape
from typing import Any

import openpyxl
import pandas as pd
import pytest
from sqlmodel import Session

from impactkit.frameworks import compute_kpis
from impactkit.frameworks.results import KpiResults
from impactkit.reports.vocabulary import term
from impactkit.store.frameworks import resolve_framework
from impactkit.store.kpis import response_frames
from impactkit.store.tables import Project
from tests.conftest import LiveServer
from tests.disclosure_attack import Sight, attack, read_kpis, read_period_sums
from tests.factories import World
from tests.integration.pages.web import sign_in
from tests.integration.surveys.test_responses_api import beneficiary_answers, setup

THRESHOLD = 5
SURVEY_KPIS = ("beneficiaries_improved", "beneficiary_satisfaction", "beneficiaries_satisfied")


def _answers(rng: random.Random, code: str) -> dict[str, Any]:
    return beneficiary_answers(
        respondent_code=code,
        gender=rng.choices(["female", "male", "nonbinary", "prefer_not"], weights=[40, 40, 10, 10])[0],
        age=rng.choices(
            [14, rng.randint(15, 35), rng.randint(36, 64), rng.randint(65, 80)], weights=[8, 45, 37, 10]
        )[0],
        territory_type=rng.choices(["urban", "rural", "mountain"], weights=[70, 20, 10])[0],
        wellbeing=str(rng.randint(1, 5)),
        autonomy=str(rng.randint(1, 5)),
        social_connections=str(rng.randint(1, 5)),
        satisfaction=str(rng.choices([1, 2, 3, 4, 5], weights=[5, 10, 25, 35, 25])[0]),
    )


def _collect(live_server: LiveServer, world: World, period_id: int, people: int, seed: int) -> None:
    rng = random.Random(seed)
    items = []
    for index in range(people):
        person = _answers(rng, f"P{seed}-{index}")
        for wave in ("baseline", "endline"):
            if wave == "endline" and rng.random() < 0.15:
                continue  # left before the end
            answers = dict(person)
            if wave == "endline":
                answers.update(
                    wellbeing=str(rng.randint(1, 5)),
                    satisfaction=str(rng.choices([1, 2, 3, 4, 5], weights=[5, 10, 25, 35, 25])[0]),
                )
            items.append(
                {
                    "instance_id": str(uuid.uuid4()),
                    "form_id": "beneficiary_outcomes",
                    "form_version": "2026.1",
                    "project_id": world.project_a,
                    "period_id": period_id,
                    "wave": wave,
                    "answers": answers,
                }
            )
    editor = live_server.client(world.tokens["editor_a"])
    result = editor.post("/api/v1/responses/batch", json={"responses": items}).json()
    assert result["failed"] == 0, [r for r in result["results"] if r["errors"]][:2]


def _page_cells(html: str) -> dict[tuple[str, str], int | None]:
    """(dimension, category) → n as the KPI page prints it (None: the row says it is hidden)."""
    cells: dict[tuple[str, str], int | None] = {}
    for table in re.finditer(r'<table class="breakdown" data-dimension="([^"]+)">(.*?)</table>', html, re.S):
        dimension, body = table.group(1), table.group(2)
        for row in re.finditer(r'<tr data-category="([^"]*)"( class="suppressed")?>(.*?)</tr>', body, re.S):
            category = unescape(row.group(1))
            if row.group(2):
                cells[(dimension, category)] = None
                continue
            numbers = re.findall(r'<td class="num">([^<]*)</td>', row.group(3))
            cells[(dimension, category)] = int(re.sub(r"\D", "", numbers[-1]))
    return cells


def _report_workbook_shows_the_same(
    live_server: LiveServer, world: World, period: int, kpis: KpiResults
) -> None:
    """The period's social report, as the Excel workbook a funder gets: every KPI's N and every
    breakdown cell as the JSON has them (hidden ones blank, with the reason)."""
    editor = live_server.client(world.tokens["editor_a"])
    draft = editor.post(
        f"/api/v1/projects/{world.project_a}/reports",
        json={"period_id": period, "language": "en", "sections": {"methodology": "Surveys."}},
    )
    assert draft.status_code == 201, draft.text
    workbook = openpyxl.load_workbook(
        io.BytesIO(editor.get(f"/api/v1/reports/{draft.json()['id']}/export.xlsx").content), read_only=True
    )
    headline: dict[str, Any] = {}
    cells: dict[tuple[str, str, str], Any] = {}
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        header = next((i for i, row in enumerate(rows) if row and row[0] == "Id"), None)
        if header is None:
            continue
        names = list(rows[header])
        for row in rows[header + 1 :]:
            if not row or row[0] is None:
                continue
            record = dict(zip(names, row, strict=False))
            if "Dimension" in names:
                cells[(str(record["Id"]), str(record["Dimension"]), str(record["Category"]))] = record
            elif "N" in names:
                headline[str(record["Id"])] = record
    assert headline and cells, "the workbook has its KPI and breakdown sheets"
    for indicator_id in SURVEY_KPIS:
        result = kpis.get(indicator_id)
        assert headline[indicator_id]["N"] == result.n, indicator_id
        for cell in result.disaggregations:
            # the workbook names dimensions and categories in the report's language (here English)
            row = cells[
                (indicator_id, term("dimension", cell.dimension, "en"), term("category", cell.category, "en"))
            ]
            assert row["N"] == cell.n, (indicator_id, cell.dimension, cell.category)
            if cell.suppressed:
                assert row["Value"] is None and row["Hidden (privacy)"], (indicator_id, cell.category)
        listed = {(d, c) for (i, d, c) in cells if i == indicator_id}
        assert listed == {
            (term("dimension", c.dimension, "en"), term("category", c.category, "en"))
            for c in result.disaggregations
        }, indicator_id
    return int(draft.json()["id"])


def _portfolio_shows_the_same(
    live_server: LiveServer, world: World, reports: dict[str, tuple[int, KpiResults]]
) -> None:
    """Each period's report validated; the funder's portfolio (CSV and JSON) shows each KPI's
    N and value as the period's JSON does (hidden ones blank)."""
    editor = live_server.client(world.tokens["editor_a"])
    evaluator = live_server.client(world.tokens["evaluator"])
    for report_id, _ in reports.values():
        submitted = editor.post(
            f"/api/v1/reports/{report_id}/submit", json={"evaluator_user_id": world.users["evaluator"]}
        )
        assert submitted.status_code == 200, submitted.text
        failing = [
            c["id"]
            for c in evaluator.get(f"/api/v1/reports/{report_id}/checklist").json()
            if c["status"] == "fail"
        ]
        reasons = {
            check: f"Accepted for {check}: generated data for the disclosure attack." for check in failing
        }
        validated = evaluator.post(
            f"/api/v1/reports/{report_id}/validate", json={"comments": "Checked.", "justifications": reasons}
        )
        assert validated.status_code == 200, validated.text
    funder = live_server.client(world.tokens["funder_a"])
    rows = funder.get(f"/api/v1/funders/{world.funder_a}/portfolio.json").json()
    csv = funder.get(f"/api/v1/funders/{world.funder_a}/portfolio", params={"format": "csv"})
    assert csv.status_code == 200, csv.text
    table = pd.read_csv(io.StringIO(csv.text))
    for view, (_, kpis) in reports.items():
        start = {"p1": None, "p2": "2027-01-01"}[view]
        for indicator_id in SURVEY_KPIS:
            result = kpis.get(indicator_id)
            mine = [
                r
                for r in rows
                if r["indicator_id"] == indicator_id
                and (r["period_start"] == start if start else r["period_start"] != "2027-01-01")
            ]
            assert len(mine) == 1, (view, indicator_id, mine)
            assert mine[0]["n"] == result.n and mine[0]["value"] == result.value, (view, indicator_id)
            in_csv = table[
                (table["indicator_id"] == indicator_id)
                & (table["period_start"].astype(str) == mine[0]["period_start"])
            ]
            assert len(in_csv) == 1
            n = in_csv["n"].iloc[0]
            assert (None if pd.isna(n) else int(n)) == result.n, (view, indicator_id)


def test_no_hidden_figure_comes_back_from_everything_a_project_publishes(live_server: LiveServer) -> None:
    world = setup(live_server)
    owner = live_server.client(world.tokens["owner_a"])
    second = owner.post(
        f"/api/v1/projects/{world.project_a}/periods",
        json={"label": "2027", "starts_on": str(date(2027, 1, 1)), "ends_on": str(date(2027, 12, 31))},
    )
    assert second.status_code == 201, second.text
    periods = {"p1": world.period_a, "p2": second.json()["id"]}
    _collect(live_server, world, periods["p1"], 46, seed=1)
    _collect(live_server, world, periods["p2"], 38, seed=2)

    sight, truth = Sight(), dict[Hashable, int]()
    views: dict[str, int | None] = {**periods, "all": None}
    with Session(live_server.engine) as session:
        project = session.get(Project, world.project_a)
        assert project is not None and project.framework_id == "simplified-kpis"
        framework = resolve_framework(session, "simplified-kpis", None)
        raw = {
            view: compute_kpis(
                framework,
                response_frames(session, [project.organisation_id], world.project_a, period),
                population=project.population,
                suppress_below=1,
            )
            for view, period in views.items()
        }
    viewer = live_server.client(world.tokens["viewer_a"])
    browser = live_server.client()
    assert sign_in(browser, "viewer_a@example.org").status_code in (302, 303)
    published: dict[str, Any] = {}
    reports: dict[str, tuple[int, KpiResults]] = {}
    for view, period in views.items():
        params = {"period_id": period} if period is not None else {}
        answer = viewer.get(f"/api/v1/projects/{world.project_a}/kpis", params=params)
        assert answer.status_code == 200, answer.text
        published[view] = KpiResults.model_validate(answer.json())
        read_kpis(sight, truth, framework, published[view], view=view, raw=raw[view])
        # The pages: each survey KPI's breakdown tables show exactly what the JSON shows.
        for indicator_id in SURVEY_KPIS:
            query = f"?period={period}" if period is not None else ""
            page = browser.get(f"/app/projects/{world.project_a}/kpis/{indicator_id}{query}")
            assert page.status_code == 200, page.text[:300]
            result = published[view].get(indicator_id)
            on_page = _page_cells(page.text)
            in_json = {(c.dimension, c.category): c.n for c in result.disaggregations}
            assert {k: v for k, v in on_page.items() if v != 0} == in_json, (view, indicator_id)
            statement = re.search(r'id="disclosure">([^<]*)<', page.text)
            assert statement is not None and "5" in statement.group(1), (view, indicator_id)
        if period is not None:
            reports[view] = (
                _report_workbook_shows_the_same(live_server, world, period, published[view]),
                published[view],
            )
    _portfolio_shows_the_same(live_server, world, reports)
    read_period_sums(sight, framework, published["all"], total_view="all", views=["p1", "p2"])

    hidden = [key for key in sight.floors if 1 <= truth.get(key, 0) < THRESHOLD]
    assert len(hidden) >= 12, f"only {len(hidden)} small hidden figures: the data are not hard enough"
    findings = attack(sight, truth, threshold=THRESHOLD)
    assert findings == [], [str(f) for f in findings[:10]]


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
