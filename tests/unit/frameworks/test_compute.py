"""KPI computation, checked against hand sums and direct statsmodels / scipy calls."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from impactkit.errors import KpiError
from impactkit.frameworks import Framework, KpiResults, compute_kpis, get_framework
from tests.unit.frameworks.reference import scipy_wilcoxon

LABELS = {"it": "x", "en": "x"}
DISAGGREGATIONS = [
    {"id": "gender", "labels": LABELS, "field": "gender"},
    {
        "id": "age_band",
        "labels": LABELS,
        "field": "age",
        "bands": [
            {"category": "14", "max": 14},
            {"category": "15-35", "min": 15, "max": 35},
            {"category": "36-64", "min": 36, "max": 64},
            {"category": "65+", "min": 65},
        ],
    },
    {
        "id": "territory_type",
        "labels": LABELS,
        "field": "territory_type",
        "fallback": "_territory_type",
    },
]


def _framework(*indicators: dict[str, Any], **extra: Any) -> Framework:
    return Framework.model_validate(
        {
            "id": "test-kpis",
            "version": "1",
            "title": LABELS,
            "description": LABELS,
            "disaggregations": DISAGGREGATIONS,
            "indicators": [
                {"labels": LABELS, "definition": LABELS, "unit": "u", **indicator} for indicator in indicators
            ],
            **extra,
        }
    )


def _one(framework: Framework, responses: dict[str, pd.DataFrame], **options: Any) -> Any:
    # These tests check the arithmetic on a handful of answers; disclosure control (which
    # would hide counts under 5) has its own tests below and in tests/unit/test_disclosure.py.
    options.setdefault("suppress_below", 1)
    results = compute_kpis(framework, responses, **options)
    [result] = results.results
    return result


def _survey(**columns: Any) -> pd.DataFrame:
    return pd.DataFrame(columns)


# --- one hand-computed case per kind ----------------------------------------------------


def test_count_counts_the_responses_where_the_expression_holds() -> None:
    frame = _survey(
        consent=["yes", "yes", "yes", "no", "yes"],
        vulnerable_conditions=["low_income disability", "none", "low_income", None, "low_income"],
    )
    framework = _framework(
        {
            "id": "low_income",
            "kind": "count",
            "source": {
                "form": "f",
                "expression": "selected(${vulnerable_conditions}, 'low_income')",
                "filter": "${consent} = 'yes'",
            },
        }
    )
    result = _one(framework, {"f": frame})
    assert (result.value, result.n) == (3, 3)
    assert result.method == "count of responses"
    assert result.ci_low is None


def test_sum_adds_the_answers() -> None:
    frame = _survey(hours=[10, 20.5, None, 4])
    framework = _framework({"id": "hours", "kind": "sum", "source": {"form": "f", "field": "hours"}})
    result = _one(framework, {"f": frame})
    assert (result.value, result.n) == (34.5, 3)


def test_mean_of_a_1_to_5_scale_stored_as_text_with_its_t_interval() -> None:
    frame = _survey(satisfaction=["5", "4", "3", "4", None, "2"])
    framework = _framework(
        {"id": "satisfaction", "kind": "mean", "source": {"form": "f", "field": "satisfaction"}}
    )
    result = _one(framework, {"f": frame})
    assert result.value == pytest.approx(18 / 5)
    assert result.n == 5
    expected = DescrStatsW(np.array([5.0, 4, 3, 4, 2])).tconfint_mean(alpha=0.05)
    assert (result.ci_low, result.ci_high) == pytest.approx(expected, rel=1e-12)
    assert result.method == "t interval (statsmodels DescrStatsW)"
    assert result.flags == ["small_n: n=5 < 30"]


def test_median_with_its_order_statistic_interval() -> None:
    frame = _survey(hours=[9, 1, 10, 2, 8, 3, 7, 4, 6, 5])
    framework = _framework({"id": "hours", "kind": "median", "source": {"form": "f", "field": "hours"}})
    result = _one(framework, {"f": frame})
    # n = 10: the 95 % interval runs from the 2nd to the 9th smallest value.
    assert (result.value, result.ci_low, result.ci_high) == (5.5, 2, 9)
    assert "order-statistic" in result.method


def test_proportion_with_a_wilson_interval_equal_to_statsmodels() -> None:
    frame = _survey(satisfaction=[5, 4, 3, 4, 1, 5, 2, None])
    framework = _framework(
        {
            "id": "satisfied",
            "kind": "proportion",
            "source": {"form": "f", "expression": "${satisfaction} >= 4"},
        }
    )
    result = _one(framework, {"f": frame})
    assert (result.value, result.n) == (4 / 7, 7)
    expected = proportion_confint(4, 7, alpha=0.05, method="wilson")
    assert (result.ci_low, result.ci_high) == pytest.approx(expected, rel=1e-12)


def test_rate_is_the_ratio_of_sums_times_per() -> None:
    frame = _survey(incidents=[1, 0, 2, 1], days=[30, 31, 28, None])
    framework = _framework(
        {
            "id": "incidents_per_100_days",
            "kind": "rate",
            "per": 100,
            "source": {"form": "f", "field": "incidents"},
            "denominator": {"form": "f", "field": "days"},
        }
    )
    result = _one(framework, {"f": frame})
    assert result.value == pytest.approx(3 / 89 * 100)
    assert result.n == 3


def test_reported_figures_take_the_latest_report_of_each_organisation() -> None:
    frame = _survey(
        people_reached=[100, 120, 50],
        _organisation_id=["a", "a", "b"],
        _period_id=["2026", "2026", "2026"],
        _submitted_at=pd.to_datetime(["2026-01-01", "2026-03-01", "2026-02-01"]),
    )
    framework = _framework({"id": "people", "kind": "count", "source": {"reported": "self.people_reached"}})
    result = _one(framework, {"self": frame})
    assert (result.value, result.n) == (170, 2)
    assert result.method.startswith("reported figure")
    assert result.flags == []


def test_a_reported_share_is_the_sum_of_parts_over_the_sum_of_totals() -> None:
    frame = _survey(board_women=[2, 3, 9], board_members=[5, 5, 0], _organisation_id=["a", "b", "c"])
    framework = _framework(
        {
            "id": "women",
            "kind": "proportion",
            "source": {"reported": "self.board_women"},
            "denominator": {"reported": "self.board_members"},
            "target": {"value": 0.4, "direction": "at_least"},
        }
    )
    results = compute_kpis(framework, {"self": frame}, group_by="_organisation_id")
    assert results.get("women", "a").value == 0.4
    assert results.get("women", "a").target_met is True
    assert results.get("women", "b").value == 0.6
    assert results.get("women", "c").value is None
    assert results.get("women", "c").target_met is None
    assert results.get("women", "c").flags == ["undefined: the denominator is zero or negative"]
    total = _one(framework, {"self": frame})
    assert total.value == pytest.approx(14 / 10)


def test_a_breakdown_splits_a_reported_total_into_its_parts() -> None:
    frame = _survey(public=[1, 2], private=[0, 1], _organisation_id=["a", "b"])
    framework = _framework(
        {
            "id": "partnerships",
            "kind": "sum",
            "source": {"form": "self", "expression": "${public} + ${private}", "reported": True},
            "breakdown": {"dimension": "partner_kind", "parts": {"public": "public", "private": "private"}},
        }
    )
    result = _one(framework, {"self": frame})
    assert result.value == 4
    assert [(c.category, c.value) for c in result.disaggregations] == [("public", 3), ("private", 1)]


# --- change --------------------------------------------------------------------------------


def _change_frame() -> pd.DataFrame:
    rows = [
        # code, wave, score, submitted
        ("A", "baseline", 1, "2026-01-01"),  # resubmitted below: the later answer counts
        ("A", "baseline", 2, "2026-01-02"),
        ("B", "baseline", 3, "2026-01-01"),
        ("C", "baseline", 3, "2026-01-01"),
        ("D", "baseline", 4, "2026-01-01"),
        ("E", "baseline", 2, "2026-01-01"),
        ("F", "baseline", 5, "2026-01-01"),  # never came back
        ("A", "endline", 3, "2026-06-01"),
        ("B", "endline", 3, "2026-06-01"),
        ("C", "endline", 4, "2026-06-01"),
        ("D", "endline", 5, "2026-06-01"),
        ("E", "endline", 1, "2026-06-01"),
    ]
    return pd.DataFrame(
        {
            "respondent_code": [r[0] for r in rows],
            "_wave": [r[1] for r in rows],
            "wellbeing": [r[2] for r in rows],
            "_submitted_at": pd.to_datetime([r[3] for r in rows]),
            "gender": ["female"] * len(rows),
        }
    )


def _change_framework(improved_if: str = "higher", report: str = "share_improved") -> Framework:
    return _framework(
        {
            "id": "improved",
            "kind": "change",
            "source": {"form": "f", "field": "wellbeing"},
            "change": {"link_by": "respondent_code", "improved_if": improved_if, "report": report},
            "disaggregations": ["gender"],
        }
    )


def test_change_links_baseline_and_endline_by_respondent_code() -> None:
    result = _one(_change_framework(), {"f": _change_frame()})
    before = np.array([2.0, 3, 3, 4, 2])
    after = np.array([3.0, 3, 4, 5, 1])
    d = after - before  # [1, 0, 1, 1, -1]
    assert (result.value, result.n) == (0.6, 5)
    assert (result.ci_low, result.ci_high) == pytest.approx(
        proportion_confint(3, 5, alpha=0.05, method="wilson")
    )
    change = result.change
    assert (change.n_linked, change.n_baseline_only, change.n_endline_only) == (5, 1, 0)
    assert change.mean_baseline == pytest.approx(2.8)
    assert change.mean_endline == pytest.approx(3.2)
    assert change.mean_change == pytest.approx(0.4)
    assert change.share_worsened == pytest.approx(0.2)
    assert (change.mean_change_ci_low, change.mean_change_ci_high) == pytest.approx(
        DescrStatsW(d).tconfint_mean()
    )
    paired = scipy_stats.ttest_rel(after, before)
    assert (change.t_statistic, change.t_p_value) == pytest.approx((paired.statistic, paired.pvalue))
    assert (change.wilcoxon_statistic, change.wilcoxon_p_value) == pytest.approx(scipy_wilcoxon(d), abs=1e-12)
    assert change.wilcoxon_method == "normal approximation (Pratt zeros, tie-corrected)"
    assert change.scale == 1
    assert change.cohens_dz == pytest.approx(0.4 / d.std(ddof=1))
    assert change.cohens_dz_ci_low < change.cohens_dz < change.cohens_dz_ci_high
    assert "small_n: n=5 < 30" in result.flags
    [cell] = result.disaggregations
    assert (cell.category, cell.value, cell.n) == ("female", 0.6, 5)


def test_change_where_lower_is_better_counts_a_fall_as_an_improvement() -> None:
    result = _one(_change_framework("lower", "mean_change"), {"f": _change_frame()})
    assert result.value == pytest.approx(-0.4)  # positive means better; here scores rose
    assert result.change.share_improved == pytest.approx(0.2)
    d = -np.array([1.0, 0, 1, 1, -1])
    assert (result.ci_low, result.ci_high) == pytest.approx(DescrStatsW(d).tconfint_mean())


# --- disaggregation, suppression, weights, population ---------------------------------


def _satisfaction_frame() -> pd.DataFrame:
    genders = ["female"] * 8 + ["male"] * 3 + ["nonbinary"] * 1
    return _survey(
        satisfaction=[5, 4, 4, 3, 5, 2, 4, 4, 3, 5, 1, 4],
        gender=genders,
        age=[15, 20, 35, 36, 70, 14, 40, 22, 30, 33, 66, 90],
        _territory_type=["mountain"] * 12,
    )


def test_cells_with_fewer_than_five_people_are_suppressed() -> None:
    framework = _framework(
        {
            "id": "satisfied",
            "kind": "proportion",
            "source": {"form": "f", "expression": "${satisfaction} >= 4"},
            "disaggregations": ["gender", "age_band", "territory_type"],
        }
    )
    shown = _one(framework, {"f": _satisfaction_frame()}, suppress_below=1)
    cells = {(c.dimension, c.category): c for c in shown.disaggregations}
    female = cells[("gender", "female")]
    assert (female.value, female.n, female.suppressed) == (6 / 8, 8, False)
    assert (female.ci_low, female.ci_high) == pytest.approx(
        proportion_confint(6, 8, alpha=0.05, method="wilson")
    )
    youth = cells[("age_band", "15-35")]
    # ages 15, 20, 35, 22, 30, 33 are 15–35; their answers 5, 4, 4, 4, 3, 5: five of six ≥ 4.
    assert (youth.value, youth.n) == (5 / 6, 6)

    result = _one(framework, {"f": _satisfaction_frame()}, suppress_below=5)
    assert result.flags == ["small_n: n=12 < 30"]
    assert (result.value, result.n) == (8 / 12, 12)
    cells = {(c.dimension, c.category): c for c in result.disaggregations}
    # male 3 and nonbinary 1 are under 5; together they would be 4 = 12 − 8, so the reader
    # could tell both are small: female is hidden too (secondary suppression).
    assert {k: c.suppression for k, c in cells.items() if k[0] == "gender"} == {
        ("gender", "female"): "secondary",
        ("gender", "male"): "primary",
        ("gender", "nonbinary"): "primary",
    }
    # ages: 1 under 15, 6 aged 15–35, 2 aged 36–64, 3 over 64: three small bands hold 6 people
    # together, which would bound each under 5, so 15–35 is hidden as well.
    assert {k[1]: c.suppression for k, c in cells.items() if k[0] == "age_band"} == {
        "14": "primary",
        "15-35": "secondary",
        "36-64": "primary",
        "65+": "primary",
    }
    for cell in result.disaggregations:
        if cell.suppressed:
            assert (cell.value, cell.n, cell.ci_low, cell.ci_high) == (None, None, None, None)
    assert [c.category for c in result.disaggregations if c.dimension == "age_band"] == [
        "14",
        "15-35",
        "36-64",
        "65+",
    ]
    # territory comes from the organisation when the form has no territory question
    assert cells[("territory_type", "mountain")].n == 12
    assert result.disclosure is not None and "fewer than 5 people" in result.disclosure.en


def test_weighted_proportion_uses_kish_effective_sample_size() -> None:
    frame = _survey(ok=[1, 1, 0, 0, 1], _weight=[2.0, 1, 1, 3, 1])
    framework = _framework(
        {"id": "ok", "kind": "proportion", "source": {"form": "f", "expression": "${ok} = 1"}}
    )
    result = _one(framework, {"f": frame})
    w = np.array([2.0, 1, 1, 3, 1])
    p = 4 / 8
    n_eff = w.sum() ** 2 / (w**2).sum()
    assert result.value == pytest.approx(p)
    assert (result.ci_low, result.ci_high) == pytest.approx(
        proportion_confint(p * n_eff, n_eff, alpha=0.05, method="wilson")
    )
    assert "Kish" in result.method


def test_weighted_mean_equals_descrstatsw() -> None:
    x = np.array([1.0, 2, 3, 4, 5, 5, 4])
    w = np.array([1.0, 2, 1, 1, 3, 1, 1])
    framework = _framework({"id": "mean", "kind": "mean", "source": {"form": "f", "field": "score"}})
    result = _one(framework, {"f": _survey(score=x, _weight=w)})
    n_eff = w.sum() ** 2 / (w**2).sum()
    stats_w = DescrStatsW(x, weights=w * n_eff / w.sum())
    assert result.value == pytest.approx(stats_w.mean)
    assert (result.ci_low, result.ci_high) == pytest.approx(stats_w.tconfint_mean())


def test_finite_population_correction_for_60_answers_out_of_80() -> None:
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, 60).astype(float)
    framework = _framework({"id": "mean", "kind": "mean", "source": {"form": "f", "field": "score"}})
    result = _one(framework, {"f": _survey(score=x)}, population=80)
    se = x.std(ddof=1) / math.sqrt(60) * math.sqrt((80 - 60) / (80 - 1))
    half = scipy_stats.t.ppf(0.975, 59) * se
    assert (result.ci_low, result.ci_high) == pytest.approx((x.mean() - half, x.mean() + half))
    assert result.method == "t interval (statsmodels DescrStatsW), finite-population correction N=80"


def test_the_reported_population_of_each_organisation_corrects_its_own_interval() -> None:
    framework = _framework(
        {"id": "ok", "kind": "proportion", "source": {"form": "f", "expression": "${ok} = 1"}},
        population={"reported": "self.population_served"},
    )
    survey = _survey(ok=[1, 0, 1, 1] * 10, _organisation_id=["a"] * 20 + ["b"] * 20)
    reports = _survey(population_served=[20, 1000], _organisation_id=["a", "b"])
    results = compute_kpis(framework, {"f": survey, "self": reports}, group_by="_organisation_id")
    census = results.get("ok", "a")
    assert census.ci_low == census.ci_high == census.value  # everyone answered
    assert results.get("ok", "b").method.endswith("finite-population correction N=1000")


# --- grouping, output, errors -----------------------------------------------------------


def test_grouped_results_equal_each_organisation_computed_alone() -> None:
    rng = np.random.default_rng(3)
    frame = _survey(
        satisfaction=rng.integers(1, 6, 300),
        gender=rng.choice(["female", "male"], 300),
        _organisation_id=rng.choice(["a", "b", "c"], 300),
    )
    framework = _framework(
        {
            "id": "satisfied",
            "kind": "proportion",
            "source": {"form": "f", "expression": "${satisfaction} >= 4"},
            "disaggregations": ["gender"],
        },
        {"id": "mean", "kind": "mean", "source": {"form": "f", "field": "satisfaction"}},
        {"id": "median", "kind": "median", "source": {"form": "f", "field": "satisfaction"}},
    )
    grouped = compute_kpis(framework, {"f": frame}, group_by="_organisation_id")
    for organisation in ["a", "b", "c"]:
        alone = compute_kpis(framework, {"f": frame[frame["_organisation_id"] == organisation]})
        for result in alone.results:
            together = grouped.get(result.indicator_id, organisation)
            assert together.model_dump(exclude={"group"}) == result.model_dump(exclude={"group"})


def test_results_round_trip_through_json() -> None:
    result = compute_kpis(_change_framework(), {"f": _change_frame()})
    again = KpiResults.model_validate_json(result.model_dump_json())
    assert again == result


def test_grouping_by_a_column_the_responses_lack_names_the_form() -> None:
    framework = _framework({"id": "n", "kind": "count", "source": {"form": "f"}})
    with pytest.raises(KpiError) as caught:
        compute_kpis(framework, {"f": _survey(x=[1])}, group_by="_organisation_id")
    assert caught.value.problems[0].location == "responses[f]"


def test_an_indicator_without_responses_is_flagged_not_fatal() -> None:
    framework = _framework({"id": "n", "kind": "count", "source": {"form": "missing"}})
    result = _one(framework, {})
    assert (result.value, result.n) == (None, 0)
    assert result.flags == ["no_data: no responses to form 'missing'"]


def test_a_tagging_framework_has_no_kpis() -> None:
    with pytest.raises(KpiError):
        compute_kpis(get_framework("plan-objectives"), {})


def test_trusted_results_are_valid() -> None:
    from impactkit.frameworks.synthetic import synthetic_responses

    results = compute_kpis(
        get_framework("simplified-kpis"),
        synthetic_responses(800, 3, seed=5),
        group_by="_organisation_id",
    )
    assert KpiResults.model_validate(results.model_dump()) == results
    assert KpiResults.model_validate_json(results.model_dump_json()) == results
    for result in results.results:
        assert type(result.value) in (float, type(None)), result.indicator_id
        assert type(result.n) is int or (result.suppressed and result.n is None)
        for cell in result.disaggregations:
            assert type(cell.value) in (float, type(None))
            assert type(cell.n) in (int, type(None))
            assert type(cell.category) is str
        if result.change is not None:
            assert type(result.change.n_linked) is int
            assert type(result.change.mean_change) is float


def test_the_worked_example_in_the_docstring_runs() -> None:
    import doctest

    import impactkit.frameworks.compute as module

    outcome = doctest.testmod(module)
    assert outcome.attempted > 0
    assert outcome.failed == 0


def test_the_package_exports_what_a_notebook_needs() -> None:
    import impactkit.frameworks as package

    assert {
        "Framework",
        "Indicator",
        "KpiResult",
        "KpiResults",
        "check_framework",
        "compute_kpis",
        "get_framework",
        "load_framework",
        "shipped_frameworks",
    } <= set(package.__all__)
    for name in package.__all__:
        assert getattr(package, name) is not None


def test_a_form_without_any_response_yet_does_not_stop_grouping() -> None:
    framework = _framework(
        {"id": "n", "kind": "count", "source": {"form": "f"}},
        {"id": "m", "kind": "count", "source": {"form": "empty"}},
    )
    frame = _survey(x=[1, 2, 3], _organisation_id=["a", "a", "b"])
    results = compute_kpis(
        framework, {"f": frame, "empty": pd.DataFrame()}, group_by="_organisation_id", suppress_below=1
    )
    assert results.get("n", "a").value == 2
    assert results.get("m", "a").flags == ["no_data: no responses to form 'empty'"]


def test_median_cells_ignore_people_of_unknown_category() -> None:
    hours = list(range(1, 21))
    frame = _survey(
        hours=hours * 2,
        gender=(["female"] * 10 + [None] * 10) * 2,
        _organisation_id=["a"] * 20 + ["b"] * 20,
    )
    framework = _framework(
        {
            "id": "hours",
            "kind": "median",
            "source": {"form": "f", "field": "hours"},
            "disaggregations": ["gender"],
        }
    )
    results = compute_kpis(framework, {"f": frame}, group_by="_organisation_id")
    for organisation in ("a", "b"):
        [cell] = results.get("hours", organisation).disaggregations
        # women answered 1 … 10: median 5.5, 95 % interval from the 2nd to the 9th value
        assert (cell.value, cell.n, cell.ci_low, cell.ci_high) == (5.5, 10, 2, 9)


# --- what is left out, and why ------------------------------------------------------------


def test_a_code_answering_a_wave_twice_counts_once_and_every_exclusion_is_named() -> None:
    frame = _survey(
        respondent_code=["A", "A", "A", "B", "C", "D", "E", "F", "G", "H"],
        _wave=["endline"] * 3 + ["endline"] * 6 + ["baseline"],
        _submitted_at=pd.to_datetime(["2026-05-01", "2026-05-03", "2026-05-02"] + ["2026-05-01"] * 7),
        consent=["yes", "yes", "yes", "yes", "no", "yes", "yes", "yes", "yes", "yes"],
        satisfaction=[1, 5, 2, 4, 4, None, 3, 5, 4, 5],
        _excluded=[None] * 7 + ["test_answer", None, None],
    )
    framework = _framework(
        {
            "id": "satisfied",
            "kind": "proportion",
            "source": {
                "form": "f",
                "expression": "${satisfaction} >= 4",
                "filter": "${consent} = 'yes'",
                "exclude_baseline": True,
            },
        }
    )
    result = _one(framework, {"f": frame})
    # A counts once, with its latest answer (5, sent on 3 May); then B 4, E 3, G 4: 3 of 4.
    assert (result.value, result.n) == (0.75, 4)
    excluded = {e.reason: (e.count, e.label.en) for e in result.exclusions}
    assert excluded == {
        "excluded:test_answer": (1, "excluded by the organisation: test answer"),
        "duplicate": (2, "earlier answers of the same respondent code in the same wave (the latest counts)"),
        "filter": (1, "the indicator's condition not met: ${consent} = 'yes'"),
        "baseline": (1, "baseline responses"),
        "unanswered": (1, "question not answered (or not a number)"),
    }
    # Hidden figure (four people): the counts left out are hidden with it.
    protected = _one(framework, {"f": frame}, suppress_below=5)
    assert protected.suppressed and all(e.count is None for e in protected.exclusions)


def test_a_change_says_who_could_not_be_linked() -> None:
    result = _one(_change_framework(), {"f": _change_frame()})
    excluded = {e.reason: e.count for e in result.exclusions}
    assert excluded == {
        "duplicate": 1,
        "baseline_only": 1,
    }  # A answered the baseline twice; F never came back
    assert result.change.n_baseline_only == 1
