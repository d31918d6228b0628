"""Synthetic, seeded responses to the shipped forms, for demos, end-to-end tests and benches.

No real person is behind any row. Beneficiaries answer at baseline and at endline (half the
responses each), linked by their respondent code; every organisation also files one
self-report and a few volunteers answer the volunteer survey. ``form_responses`` answers any
form from its own choices, constraints and relevance rules (the sector frameworks' forms).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

GENDERS = np.array(["female", "male", "nonbinary", "prefer_not"])
GENDER_SHARES = [0.52, 0.44, 0.02, 0.02]
TERRITORIES = np.array(["urban", "rural", "mountain"])
VULNERABILITY = np.array(
    ["none", "low_income", "unemployment", "disability migrant_background", "neet", "elderly_alone"]
)
EMPLOYMENT = np.array(["employed", "unemployed", "student", "training", "retired", "other"])


def synthetic_responses(
    n_responses: int = 1_000,
    n_organisations: int = 10,
    *,
    seed: int = 2030,
    period_id: str = "2026",
) -> dict[str, pd.DataFrame]:
    """Responses to the shipped forms, keyed by form_id, with the metadata columns.

    Args:
        n_responses: beneficiary responses in all (baseline and endline together; even).
        n_organisations: organisations the beneficiaries are spread across.
        seed: random seed; the same seed gives the same frames.
        period_id: the reporting period of every response.

    Returns:
        ``beneficiary_outcomes``, ``organisation_self_report`` and ``volunteer_survey``
        frames, one row per response.
    """
    rng = np.random.default_rng(seed)
    people = max(n_responses // 2, 1)
    organisations = pd.Series([f"org-{i:04d}" for i in range(n_organisations)])
    organisation_territory = TERRITORIES[rng.integers(0, 3, n_organisations)]
    person_organisation = rng.integers(0, n_organisations, people)
    gender = GENDERS[rng.choice(4, people, p=GENDER_SHARES)]
    age = rng.integers(14, 91, people)
    own_territory = rng.random(people) < 0.7
    territory = np.where(
        own_territory,
        organisation_territory[person_organisation],
        TERRITORIES[rng.integers(0, 3, people)],
    )
    baseline_score = rng.integers(1, 6, (people, 3))
    shift = rng.choice([-1, 0, 0, 1, 1, 2], (people, 3))
    endline_score = np.clip(baseline_score + shift, 1, 5)
    codes = "TO-" + pd.Series(np.arange(people)).astype(str).str.zfill(6)

    def wave_frame(wave: str, scores: np.ndarray, day: str) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "consent": "yes",
                "respondent_code": codes,
                "gender": gender,
                "age": age,
                "territory_type": territory,
                "vulnerable_conditions": VULNERABILITY[rng.integers(0, 6, people)],
                "employment_status": EMPLOYMENT[rng.integers(0, 6, people)],
                "wellbeing": scores[:, 0],
                "autonomy": scores[:, 1],
                "social_connections": scores[:, 2],
                "satisfaction": rng.choice([2, 3, 4, 4, 5, 5], people),
                "would_recommend": np.where(rng.random(people) < 0.8, "yes", "no"),
                "_organisation_id": organisations.to_numpy()[person_organisation],
                "_project_id": "project-1",
                "_period_id": period_id,
                "_wave": wave,
                "_submitted_at": pd.Timestamp(day),
                "_territory_type": organisation_territory[person_organisation],
            }
        )

    beneficiaries = pd.concat(
        [
            wave_frame("baseline", baseline_score, "2026-01-15"),
            wave_frame("endline", endline_score, "2026-11-15"),
        ],
        ignore_index=True,
    )
    beneficiaries.insert(0, "_instance_id", [f"b-{i}" for i in range(len(beneficiaries))])

    reached = np.bincount(person_organisation, minlength=n_organisations) + rng.integers(
        0, 20, n_organisations
    )
    workers = rng.integers(1, 40, n_organisations)
    members = rng.integers(3, 200, n_organisations)
    board = rng.integers(3, 12, n_organisations)
    surplus = rng.normal(20_000, 15_000, n_organisations).round(2)
    self_report = pd.DataFrame(
        {
            "_instance_id": [f"s-{i}" for i in range(n_organisations)],
            "people_reached": reached,
            "people_reached_youth_15_35": (reached * rng.uniform(0.1, 0.5, n_organisations)).astype(int),
            "people_reached_vulnerable": (reached * rng.uniform(0.2, 0.8, n_organisations)).astype(int),
            "people_reached_mountain_rural": np.where(
                organisation_territory == "urban",
                (reached * 0.1).astype(int),
                (reached * 0.8).astype(int),
            ),
            "population_served": reached,
            "volunteers": rng.integers(0, 60, n_organisations),
            "volunteer_hours": rng.integers(0, 5_000, n_organisations).astype(float),
            "workers_total": workers,
            "workers_disadvantaged": (workers * rng.uniform(0, 0.5, n_organisations)).astype(int),
            "work_placements_disadvantaged": rng.integers(0, 10, n_organisations),
            "surplus": surplus,
            "surplus_reinvested": np.where(
                surplus > 0, (surplus * rng.uniform(0.3, 1.0, n_organisations)).round(2), 0.0
            ),
            "members": members,
            "members_in_governance": (members * rng.uniform(0.1, 0.9, n_organisations)).astype(int),
            "board_members": board,
            "board_women": (board * rng.uniform(0, 0.8, n_organisations)).astype(int),
            "partnerships_public": rng.integers(0, 6, n_organisations),
            "partnerships_private": rng.integers(0, 6, n_organisations),
            "partnerships_third_sector": rng.integers(0, 10, n_organisations),
            "_organisation_id": organisations,
            "_period_id": period_id,
            "_wave": None,
            "_submitted_at": pd.Timestamp("2027-01-31"),
            "_territory_type": organisation_territory,
        }
    )

    n_volunteers = max(n_responses // 10, 1)
    volunteer_organisation = rng.integers(0, n_organisations, n_volunteers)
    volunteers = pd.DataFrame(
        {
            "_instance_id": [f"v-{i}" for i in range(n_volunteers)],
            "consent": "yes",
            "age": rng.integers(14, 91, n_volunteers),
            "gender": GENDERS[rng.choice(4, n_volunteers, p=GENDER_SHARES)],
            "hours_in_period": rng.gamma(2.0, 40.0, n_volunteers).round(1),
            "satisfaction": rng.choice([3, 4, 4, 5, 5], n_volunteers),
            "skills_gained": rng.choice(["teamwork", "communication digital", "none"], n_volunteers),
            "intends_to_continue": rng.choice(["yes", "maybe", "no"], n_volunteers),
            "_organisation_id": organisations.to_numpy()[volunteer_organisation],
            "_period_id": period_id,
            "_wave": None,
            "_submitted_at": pd.Timestamp("2026-12-01"),
            "_territory_type": organisation_territory[volunteer_organisation],
        }
    )
    return {
        "beneficiary_outcomes": beneficiaries,
        "organisation_self_report": self_report,
        "volunteer_survey": volunteers,
    }


# --- responses to any form, from the form's own rules -------------------------------------

_BOUND = re.compile(r"\.\s*(>=|>|<=|<)\s*(-?\d+(?:\.\d+)?|\$\{([A-Za-z_][A-Za-z0-9_.-]*)\})")
STABLE_FIELDS = frozenset(
    {"respondent_code", "gender", "age", "territory_type", "respondent_role", "disadvantage", "consent"}
)
"""Answers a person gives identically at baseline and at endline (who they are, not outcomes)."""


def _bounds(field: Any, answers: dict[str, Any]) -> tuple[float, float]:
    """Numeric range read from a constraint such as ``. >= 0 and . <= ${total}`` (0–100 else)."""
    low, high = 0.0, 100.0
    for operator, literal, reference in _BOUND.findall(field.constraint or ""):
        if reference:
            value = answers.get(reference)
            if not isinstance(value, int | float):
                continue
            number = float(value)
        else:
            number = float(literal)
        if operator in {">=", ">"}:
            low = number + (1 if operator == ">" else 0)
        else:
            high = number - (1 if operator == "<" else 0)
    return low, max(low, high)


def _candidate(form: Any, field: Any, answers: dict[str, Any], rng: np.random.Generator, person: int) -> Any:
    base = field.type.split()[0]
    if field.name == "consent":
        return "yes"
    if base in {"select_one", "select_multiple"}:
        names = [choice.name for choice in form.choices.get(field.list_name or "", [])]
        if base == "select_one":
            return str(rng.choice(names))
        picked = [name for name in names if rng.random() < 0.3] or [str(rng.choice(names))]
        return " ".join(picked)
    if base in {"integer", "decimal", "range"}:
        low, high = _bounds(field, answers)
        if base == "decimal":
            return round(float(rng.uniform(low, high)), 2)
        # Skewed towards small numbers, as hours, counts and money usually are.
        span = high - low
        return (
            int(low + np.floor(span * rng.beta(1.0, 5.0) + 0.5))
            if span > 20
            else int(rng.integers(int(low), int(high) + 1))
        )
    if base == "text":
        if "regex(" in (field.constraint or ""):
            return f"TO-{person:06d}"
        return None if not field.required else "—"
    if base == "date":
        return "2026-03-01"
    return None


def _answer(
    form: Any, fields: list[Any], answers: dict[str, Any], rng: np.random.Generator, person: int
) -> None:
    from impactkit.errors import KpiError
    from impactkit.surveys import evaluate_form

    for field in fields:
        if field.type in {"note", "calculate", "start", "end", "today", "deviceid"} or field.name in answers:
            continue
        state = evaluate_form(form, answers).field(field.name)
        if state is None or not state.relevant:
            continue
        for _ in range(50):
            candidate = _candidate(form, field, answers, rng, person)
            if candidate is None:
                break
            answers[field.name] = candidate
            checked = evaluate_form(form, answers).field(field.name)
            if checked is not None and not checked.errors:
                break
        else:
            raise KpiError(f"no answer to {field.name!r} of form {form.form_id!r} meets its constraint")


def form_responses(
    form: Any,
    n_people: int = 60,
    *,
    waves: bool = True,
    seed: int = 2030,
    organisation_id: str = "org-0001",
    period_id: str = "2026",
) -> pd.DataFrame:
    """Synthetic responses to any form, made from the form's own types, choices and rules.

    Every answer is drawn from the question's choices or from the range its constraint allows,
    only for questions that are relevant given the answers before it, then checked by the
    survey engine (``evaluate_form``) and redrawn until the form's constraint holds; each
    complete response passes ``validate_response``.

    Args:
        form: an ``impactkit.surveys.Form`` (e.g. from ``load_xlsform``).
        n_people: people answering.
        waves: True: each person answers at baseline and endline (who they are — code, gender,
            age, territory, role — kept, outcomes drawn again); False: one response each.
        seed: random seed; the same seed gives the same frame.

    Returns:
        One row per response with the answer columns (select_multiple as space-separated
        names) and the metadata columns ``compute_kpis`` reads.
    """
    from impactkit.surveys import validate_response

    rng = np.random.default_rng(seed)
    fields = list(form.fields())
    rows: list[dict[str, Any]] = []
    for person in range(n_people):
        baseline: dict[str, Any] = {}
        _answer(form, fields, baseline, rng, person)
        plan = [("baseline", baseline)]
        if waves:
            endline = {k: v for k, v in baseline.items() if k in STABLE_FIELDS}
            _answer(form, fields, endline, rng, person)
            plan.append(("endline", endline))
        for wave, answers in plan:
            clean = validate_response(form, answers)
            row = {key: " ".join(value) if isinstance(value, list) else value for key, value in clean.items()}
            row.update(
                _instance_id=f"{form.form_id}-{person}-{wave}",
                _organisation_id=organisation_id,
                _project_id="project-1",
                _period_id=period_id,
                _wave=wave if waves else None,
                _submitted_at=pd.Timestamp("2026-01-15" if wave == "baseline" else "2026-11-15"),
                _territory_type="rural",
            )
            rows.append(row)
    return pd.DataFrame(rows)


__all__ = ["STABLE_FIELDS", "form_responses", "synthetic_responses"]
