"""The demo's KPIs recomputed from its exported answers by an independent pandas/scipy script.

The script below is written from the documented definitions (docs/frameworks.md, "How each kind
is computed", "Change", "Finite-population correction", and each indicator's definition in
frameworks/simplified-kpis.yaml), not from impactkit's code: it reads the responses as the
organisation downloads them (`/api/v1/responses/export.csv`), links baseline and endline by the
participant code, and computes every figure with pandas, scipy and plain formulas. impactkit's
figures come from the API over HTTP, with disclosure control on; every figure it shows must be
the script's, and every figure the script finds for 1 to 4 people must be hidden.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats
from sqlmodel import Session, select

from impactkit.cli import main
from impactkit.store.tables import Project
from tests.conftest import LiveServer

Z = stats.norm.ppf(0.975)
POPULATION = 80  # the self-report's population_served: the finite-population correction's N
AGE_BANDS = [("15-35", 15, 35), ("36-64", 36, 64), ("65+", 65, 200), ("14", 0, 14)]


def _wilson(successes: float, n: float) -> tuple[float, float]:
    """Wilson score interval, written out (n may be an effective, non-whole size)."""
    p = successes / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return centre - half, centre + half


def _fpc(n: int) -> float:
    return math.sqrt((POPULATION - n) / (POPULATION - 1))


def _t_interval(values: pd.Series, correction: float = 1.0) -> tuple[float, float]:
    n = len(values)
    half = stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / math.sqrt(n) * correction
    return values.mean() - half, values.mean() + half


def _recompute(export: pd.DataFrame) -> dict[str, Any]:
    """Every survey KPI of the demo, per the documented definitions."""
    answered = export[export["consent"] == "yes"].copy()
    for item in ("wellbeing", "autonomy", "social_connections", "satisfaction", "age"):
        answered[item] = answered[item].astype(int)
    answered["age_band"] = [next(b for b, lo, hi in AGE_BANDS if lo <= age <= hi) for age in answered["age"]]
    answered["youth_15_35"] = np.where(answered["age"].between(15, 35), "yes", "no")
    dimensions = ["gender", "age_band", "youth_15_35", "territory_type"]
    found: dict[str, Any] = {"declined": int((export["consent"] != "yes").sum())}

    # Satisfaction: endline answers (baseline left out); mean with a t interval, share 4 or 5 with
    # Wilson; the headline corrected for the population of 80, the breakdown cells not.
    endline = answered[answered["wave"] == "endline"]
    n = len(endline)
    found["beneficiary_satisfaction"] = {
        "value": endline["satisfaction"].mean(),
        "n": n,
        "ci": _t_interval(endline["satisfaction"], _fpc(n)),
        "cells": {
            (dim, cat): (part["satisfaction"].mean(), len(part), _t_interval(part["satisfaction"]))
            for dim in dimensions
            for cat, part in endline.groupby(dim)
        },
    }
    satisfied = endline["satisfaction"] >= 4
    found["beneficiaries_satisfied"] = {
        "value": satisfied.mean(),
        "n": n,
        "ci": _wilson(satisfied.sum() * 1.0 / _fpc(n) ** 2, n / _fpc(n) ** 2),
        "cells": {
            (dim, cat): (
                (part["satisfaction"] >= 4).mean(),
                len(part),
                _wilson((part["satisfaction"] >= 4).sum(), len(part)),
            )
            for dim in dimensions
            for cat, part in endline.groupby(dim)
        },
    }

    # Change: mean of the three items, baseline and endline linked by the participant code;
    # d = endline − baseline in thirds of a point (the exact scale).
    answered["thirds"] = answered["wellbeing"] + answered["autonomy"] + answered["social_connections"]
    waves = answered.pivot_table(index="respondent_code", columns="wave", values="thirds", aggfunc="last")
    linked = waves.dropna()
    d = (linked["endline"] - linked["baseline"]).astype(int)
    people = answered.drop_duplicates("respondent_code", keep="last").set_index("respondent_code")
    improved = d > 0
    m = len(d)
    wilcoxon = stats.wilcoxon(d, zero_method="pratt", method="asymptotic", correction=False)
    paired = stats.ttest_rel(linked["endline"] / 3, linked["baseline"] / 3)
    dz = (d / 3).mean() / (d / 3).std(ddof=1)
    se_dz = math.sqrt(1 / m + dz**2 / (2 * m))
    found["beneficiaries_improved"] = {
        "value": improved.mean(),
        "n": m,
        "ci": _wilson(improved.sum(), m),  # change: no finite-population correction (documented)
        "change": {
            "n_linked": m,
            "n_baseline_only": int(waves["endline"].isna().sum()),
            "n_endline_only": int(waves["baseline"].isna().sum()),
            "mean_baseline": (linked["baseline"] / 3).mean(),
            "mean_endline": (linked["endline"] / 3).mean(),
            "mean_change": (d / 3).mean(),
            "share_worsened": (d < 0).mean(),
            "t_statistic": paired.statistic,
            "t_p_value": paired.pvalue,
            "wilcoxon_statistic": wilcoxon.statistic,
            "wilcoxon_p_value": wilcoxon.pvalue,
            "cohens_dz": dz,
            "cohens_dz_ci_low": dz - Z * se_dz,
            "cohens_dz_ci_high": dz + Z * se_dz,
            "scale": 3,
        },
        "mean_change_ci": _t_interval(d / 3),
        "cells": {
            (dim, cat): (
                improved[part.index].mean(),
                len(part),
                _wilson(improved[part.index].sum(), len(part)),
            )
            for dim in dimensions
            for cat, part in people.loc[d.index].groupby(dim)
        },
    }
    return found


REPORTED = {  # the self-report's figures, per each indicator's definition
    "people_reached": 80,
    "young_people_reached": 49,
    "vulnerable_people_reached": 52,
    "volunteers": 14,
    "volunteer_hours": 1200,
    "disadvantaged_workers_share": 9 / 22,
    "work_placements_disadvantaged": 12,
    "surplus_reinvested_share": 16500 / 18000,
    "members_in_governance_share": 27 / 41,
    "active_partnerships": 3 + 2 + 5,
    "mountain_rural_share": 30 / 80,
    "women_in_governing_body_share": 4 / 7,
}


def _demo_on(live_server: LiveServer, tmp_path: Any) -> tuple[Any, Any, str]:
    env = {"IMPACTKIT_DATABASE_URL": live_server.settings.database_url, "IMPACTKIT_DATA_DIR": str(tmp_path)}
    loaded = CliRunner().invoke(main, ["demo"], env=env)
    assert loaded.exit_code == 0, loaded.output
    token = next(line.split()[-1] for line in loaded.output.splitlines() if "owner@coop-aurora" in line)
    client = live_server.client(token)
    evaluator = live_server.client(
        next(line.split()[-1] for line in loaded.output.splitlines() if "evaluator@demo" in line)
    )
    with Session(live_server.engine) as session:
        project = session.exec(select(Project).where(Project.name == "Lavoro e autonomia 2026")).one()
    return client, evaluator, str(project.id)


def test_the_demos_kpis_equal_an_independent_recomputation_from_its_export(
    live_server: LiveServer, tmp_path: Any
) -> None:
    client, evaluator, project_id = _demo_on(live_server, tmp_path)
    exported = client.get(
        "/api/v1/responses/export.csv", params={"form_id": "beneficiary_outcomes", "project_id": project_id}
    )
    assert exported.status_code == 200, exported.text
    export = pd.read_csv(io.StringIO(exported.text), dtype={"respondent_code": str})
    expected = _recompute(export)
    answer = client.get(f"/api/v1/projects/{project_id}/kpis")
    assert answer.status_code == 200, answer.text
    kpis = {r["indicator_id"]: r for r in answer.json()["results"]}

    # A believable year: some improve, some do not, some leave, small groups exist.
    improved = expected["beneficiaries_improved"]
    assert 0.5 < improved["value"] < 0.8 and improved["change"]["share_worsened"] > 0.1
    assert improved["change"]["n_baseline_only"] >= 8 and improved["change"]["n_endline_only"] >= 1
    small = [key for key, (_, n, _) in improved["cells"].items() if n < 5]
    assert len(small) >= 2, "the demo has small groups for disclosure control to hide"

    for indicator_id in ("beneficiaries_improved", "beneficiary_satisfaction", "beneficiaries_satisfied"):
        want, got = expected[indicator_id], kpis[indicator_id]
        assert got["n"] == want["n"], indicator_id
        assert got["value"] == pytest.approx(want["value"], rel=1e-9), indicator_id
        assert (got["ci_low"], got["ci_high"]) == pytest.approx(want["ci"], rel=1e-9), indicator_id
        shown = hidden = 0
        listed = {(cell["dimension"], cell["category"]): cell for cell in got["disaggregations"]}
        assert set(listed) == set(want["cells"]), indicator_id
        for key, (value, n, interval) in want["cells"].items():
            cell = listed[key]
            if cell["suppressed"]:
                hidden += 1
                assert cell["n"] is None and cell["value"] is None and cell["ci_low"] is None
                continue
            assert n >= 5, f"{indicator_id} {key}: {n} people shown"
            shown += 1
            assert cell["n"] == n, (indicator_id, key)
            assert cell["value"] == pytest.approx(value, rel=1e-9), (indicator_id, key)
            assert (cell["ci_low"], cell["ci_high"]) == pytest.approx(interval, rel=1e-9), (indicator_id, key)
        assert shown >= 3 and hidden >= 2, indicator_id
        assert got["disclosure"]["en"].startswith("Privacy: cells with fewer than 5 people")

    change = kpis["beneficiaries_improved"]["change"]
    for name, value in expected["beneficiaries_improved"]["change"].items():
        assert change[name] == pytest.approx(value, rel=1e-9, abs=1e-12), name
    assert (change["mean_change_ci_low"], change["mean_change_ci_high"]) == pytest.approx(
        expected["beneficiaries_improved"]["mean_change_ci"], rel=1e-9
    )
    assert change["wilcoxon_method"] == "normal approximation (Pratt zeros, tie-corrected)"
    reasons = {e["reason"]: e["count"] for e in kpis["beneficiaries_improved"]["exclusions"]}
    assert reasons == {
        "filter": expected["declined"],
        "baseline_only": change["n_baseline_only"],
        "endline_only": change["n_endline_only"],
    }

    for indicator_id, value in REPORTED.items():
        assert kpis[indicator_id]["value"] == pytest.approx(value, rel=1e-12), indicator_id
        assert kpis[indicator_id]["ci_low"] is None, indicator_id
    assert kpis["volunteer_hours_median"]["value"] is None  # no volunteer survey in the demo year
    # The validated demo report's checklist: response rates of the survey waves against the
    # population of 80 (72 and 64 answers), none for the organisation's own self-report.
    [report] = evaluator.get("/api/v1/reports").json()
    checks = {c["id"]: c for c in evaluator.get(f"/api/v1/reports/{report['id']}/checklist").json()}
    assert checks["response_rate"]["status"] == "pass", checks["response_rate"]
    assert checks["response_rate"]["detail"] == (
        "beneficiary_outcomes (baseline): 72/80 = 90%; beneficiary_outcomes (endline): 64/80 = 80%"
    )
    assert kpis["beneficiaries_satisfied"]["target_met"] is bool(
        expected["beneficiaries_satisfied"]["value"] >= 0.8
    )
