"""The shipped forms feed the shipped simplified KPIs; large-data paths agree with direct ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from impactkit.frameworks import compute_kpis, get_framework, shipped_form_fields
from impactkit.frameworks.synthetic import synthetic_responses
from impactkit.surveys import parse_expression
from tests.unit.frameworks.reference import scipy_wilcoxon


@pytest.fixture(scope="module")
def responses() -> dict[str, pd.DataFrame]:
    return synthetic_responses(3_000, 6, seed=11)


def test_synthetic_responses_only_use_fields_of_the_shipped_forms(
    responses: dict[str, pd.DataFrame],
) -> None:
    forms = shipped_form_fields()
    for form_id, frame in responses.items():
        answers = {c for c in frame.columns if not c.startswith("_")}
        assert answers <= forms[form_id], answers - forms[form_id]


def test_every_simplified_kpi_is_computed_from_the_shipped_forms(
    responses: dict[str, pd.DataFrame],
) -> None:
    results = compute_kpis(get_framework("simplified-kpis"), responses)
    assert len(results.results) == len(get_framework("simplified-kpis").indicators)
    for result in results.results:
        assert result.value is not None, result.indicator_id
        assert not any(flag.startswith("no_data") for flag in result.flags), result.flags
        assert result.method


def test_headline_figures_match_a_plain_pandas_computation(
    responses: dict[str, pd.DataFrame],
) -> None:
    results = compute_kpis(get_framework("simplified-kpis"), responses)
    reports = responses["organisation_self_report"]
    beneficiaries = responses["beneficiary_outcomes"]
    assert results.get("people_reached").value == reports["people_reached"].sum()
    assert results.get("women_in_governing_body_share").value == pytest.approx(
        reports["board_women"].sum() / reports["board_members"].sum()
    )
    endline = beneficiaries[beneficiaries["_wave"] == "endline"]
    assert results.get("beneficiaries_satisfied").value == pytest.approx(
        (endline["satisfaction"] >= 4).mean()
    )
    scores = ["wellbeing", "autonomy", "social_connections"]
    frame = beneficiaries.assign(score=beneficiaries[scores].mean(axis=1))
    key = ["_organisation_id", "respondent_code"]
    linked = frame[frame["_wave"] == "baseline"].merge(
        frame[frame["_wave"] == "endline"], on=key, suffixes=("_b", "_e")
    )
    difference = linked["score_e"] - linked["score_b"]
    improved = results.get("beneficiaries_improved")
    assert improved.n == len(linked)
    assert improved.value == pytest.approx((difference > 0).mean())
    # More than 50 pairs with ties and zeros: scipy's normal approximation (Pratt's zeros), on
    # whole-number changes of the three-item sum (the exact scale: ties tie).
    whole = (
        linked[[f"{s}_e" for s in scores]].sum(axis=1) - linked[[f"{s}_b" for s in scores]].sum(axis=1)
    ).to_numpy()
    assert (improved.change.wilcoxon_statistic, improved.change.wilcoxon_p_value) == pytest.approx(
        scipy_wilcoxon(whole), rel=1e-9, abs=1e-12
    )


def test_grouped_wilcoxon_matches_scipy_for_large_and_small_groups(
    responses: dict[str, pd.DataFrame],
) -> None:
    beneficiaries = responses["beneficiary_outcomes"]
    small = beneficiaries[beneficiaries["respondent_code"] < "TO-000020"].assign(_organisation_id="small-org")
    frames = {**responses, "beneficiary_outcomes": pd.concat([beneficiaries, small])}
    results = compute_kpis(
        get_framework("simplified-kpis"), frames, group_by="_organisation_id", suppress_below=1
    )
    scores = ["wellbeing", "autonomy", "social_connections"]
    for organisation, frame in frames["beneficiary_outcomes"].groupby("_organisation_id"):
        frame = frame.assign(score=frame[scores].sum(axis=1))
        linked = frame[frame["_wave"] == "baseline"].merge(
            frame[frame["_wave"] == "endline"], on="respondent_code", suffixes=("_b", "_e")
        )
        expected = scipy_wilcoxon((linked["score_e"] - linked["score_b"]).to_numpy())
        change = results.get("beneficiaries_improved", organisation).change
        assert (change.wilcoxon_statistic, change.wilcoxon_p_value) == pytest.approx(
            expected, rel=1e-9, abs=1e-12
        ), organisation


def test_evaluating_once_per_distinct_answer_equals_evaluating_every_row() -> None:
    rng = np.random.default_rng(4)
    n = 5_000
    frame = pd.DataFrame(
        {
            "consent": rng.choice(["yes", "no", None], n),
            "satisfaction": rng.choice(["1", "2", "3", "4", "5", None], n),
            "vulnerable_conditions": rng.choice(["none", "low_income neet", "neet", None], n),
        }
    )
    text = "${consent} = 'yes' and ${satisfaction} >= 4 and not(selected(${vulnerable_conditions}, 'none'))"
    framework = get_framework("simplified-kpis").model_copy(
        update={
            "indicators": [
                get_framework("simplified-kpis")
                .indicator("beneficiaries_satisfied")
                .model_copy(
                    update={
                        "source": get_framework("simplified-kpis")
                        .indicator("beneficiaries_satisfied")
                        .source.model_copy(update={"expression": text, "filter": None}),
                        "disaggregations": [],
                        "target": None,
                    }
                )
            ]
        }
    )
    result = compute_kpis(framework, {"beneficiary_outcomes": frame}, min_n=1)
    numeric = frame.assign(satisfaction=pd.to_numeric(frame["satisfaction"]))
    direct = parse_expression(text).evaluate_frame(numeric)
    answered = frame.notna().all(axis=1)
    expected = direct[answered].astype(bool)
    [only] = result.results
    assert only.n == int(answered.sum())
    assert only.value == pytest.approx(expected.mean())


def _answers(record: dict[str, object], types: dict[str, str]) -> dict[str, object]:
    answers: dict[str, object] = {}
    for name, value in record.items():
        if name.startswith("_") or value is None or value != value:
            continue
        kind = types[name]
        if kind.startswith("select"):
            answers[name] = str(value)
        elif kind == "integer":
            answers[name] = int(value)  # type: ignore[call-overload]
        elif kind == "decimal":
            answers[name] = float(value)  # type: ignore[arg-type]
        else:
            answers[name] = value
    return answers


def test_synthetic_responses_pass_the_shipped_forms_validation(
    responses: dict[str, pd.DataFrame],
) -> None:
    from impactkit._paths import data_dir
    from impactkit.errors import ResponseError
    from impactkit.surveys import load_xlsform
    from impactkit.surveys.validation import validate_response

    for form_id, frame in responses.items():
        form = load_xlsform(data_dir("surveys") / f"{form_id}.xlsx")
        types = {field.name: field.type for field in form.fields()}
        for record in frame.head(25).to_dict("records"):
            validate_response(form, _answers(record, types))

    form = load_xlsform(data_dir("surveys") / "beneficiary_outcomes.xlsx")
    types = {field.name: field.type for field in form.fields()}
    record = responses["beneficiary_outcomes"].iloc[0].to_dict()
    record.update(respondent_code="Maria Rossi", age=12)
    with pytest.raises(ResponseError) as caught:
        validate_response(form, _answers(record, types))
    assert {p.location for p in caught.value.problems} == {
        "answers.respondent_code",
        "answers.age",
    }
