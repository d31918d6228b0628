"""The evaluator's automated checklist."""

from __future__ import annotations

from typing import Any

from impactkit.reports import CheckItem, load_content, run_checklist
from tests.unit.reports.helpers import report_data, value_map_data


def by_id(items: list[CheckItem]) -> dict[str, CheckItem]:
    return {item.id: item for item in items}


def check(data: dict[str, Any] | None = None, stats: dict[str, Any] | None = None) -> dict[str, CheckItem]:
    return by_id(run_checklist(load_content(data or report_data()), stats or {}))


def test_a_complete_report_passes_the_data_completeness_checks() -> None:
    items = check()
    assert items["kpi_values"].status == "pass"
    assert items["sections"].status == "pass"


def test_missing_kpi_values_and_empty_sections_fail_naming_them() -> None:
    data = report_data()
    data["kpis"][1]["value"] = None
    data["sections"]["people"] = "   "
    del data["sections"]["control_body_monitoring"]
    items = check(data)
    assert items["kpi_values"].status == "fail"
    assert "wellbeing_improved" in items["kpi_values"].detail
    assert items["sections"].status == "fail"
    assert "people" in items["sections"].detail
    assert "control_body_monitoring" in items["sections"].detail


def test_response_rates_are_measured_against_the_stated_population() -> None:
    stats = {
        "population": 80,
        "responses": [
            {"form_id": "beneficiaries", "wave": "baseline", "responses": 60},
            {"form_id": "beneficiaries", "wave": "endline", "responses": 30},
        ],
    }
    item = check(stats=stats)["response_rate"]
    assert item.status == "warn"  # 30 / 80 = 38 % is below the 50 % threshold
    assert "60/80 = 75%" in item.detail and "30/80 = 38%" in item.detail


def test_more_responses_than_people_fails() -> None:
    stats = {"responses": [{"form_id": "staff", "responses": 13, "population": 12}]}
    assert check(stats=stats)["response_rate"].status == "fail"


def test_small_samples_and_suppressed_cells_are_flagged() -> None:
    data = report_data()
    data["kpis"][1]["n"] = 12
    items = check(data)
    assert items["sample_size"].status == "warn"
    assert "wellbeing_improved (n=12)" in items["sample_size"].detail
    assert items["suppressed_cells"].status == "warn"
    assert "people_employed: gender=other" in items["suppressed_cells"].detail


def test_an_outlying_answer_is_found_by_its_robust_z_score() -> None:
    # median 30, absolute deviations 0,1,1,2,2,... → MAD 2; 95 has z = 0.6745 × 65 / 2 ≈ 21.9.
    ages = [28, 29, 30, 31, 32, 30, 29, 31, 95]
    item = check(stats={"response_values": {"age": ages}})["outliers"]
    assert item.status == "warn"
    assert "age: 1 outlier(s) (95)" in item.detail


def test_ordinary_answers_raise_no_outlier() -> None:
    assert check(stats={"response_values": {"age": [20, 25, 30, 35, 40]}})["outliers"].status == ("pass")


def test_proxies_without_a_source_fail_and_estimates_without_evidence_warn() -> None:
    value_map = value_map_data()
    outcome = value_map["outcomes"][0]
    outcome["proxy"]["source"] = ""
    outcome["evidence"] = {"quantity": "payroll"}
    items = check(report_data(sroi={"value_map": value_map}))
    assert items["proxy_sources"].status == "fail"
    assert "Into work" in items["proxy_sources"].detail
    assert items["sroi_evidence"].status == "warn"
    assert "Into work (deadweight, attribution, drop_off)" in items["sroi_evidence"].detail


def test_a_well_evidenced_value_map_passes_the_sroi_checks() -> None:
    items = check(report_data(sroi={"value_map": value_map_data()}))
    assert items["proxy_sources"].status == "pass"
    assert items["sroi_evidence"].status == "pass"


def test_the_eight_principles_of_social_value_are_each_checked_or_left_to_the_evaluator() -> None:
    items = run_checklist(load_content(report_data()), {})
    principles = [item for item in items if item.principle]
    assert [p.principle for p in principles] == [
        "involve_stakeholders",
        "understand_what_changes",
        "value_what_matters",
        "include_only_what_is_material",
        "do_not_over_claim",
        "be_transparent",
        "verify_the_result",
        "be_responsive",
    ]
    for item in principles:
        assert item.title["it"] and item.title["en"]
        if item.status == "warn":
            assert "evaluator to confirm" in item.detail or ":" in item.detail


def test_stakeholder_responses_and_two_waves_are_evidence_for_the_first_two_principles() -> None:
    stats = {
        "stakeholder_groups_consulted": ["beneficiaries", "volunteers"],
        "responses": [
            {"form_id": "b", "wave": "baseline", "responses": 40, "population": 50},
            {"form_id": "b", "wave": "endline", "responses": 35, "population": 50},
        ],
    }
    items = check(stats=stats)
    assert items["principle_1_involve_stakeholders"].status == "pass"
    assert items["principle_2_understand_what_changes"].status == "pass"


def test_an_outcome_claimed_without_deadweight_or_attribution_is_over_claiming() -> None:
    value_map = value_map_data()
    for estimate in ("deadweight", "attribution"):
        value_map["outcomes"][0][estimate] = 0
    items = check(report_data(sroi={"value_map": value_map}))
    assert items["principle_5_do_not_over_claim"].status == "warn"
    assert "Into work" in items["principle_5_do_not_over_claim"].detail


def test_principle_5_asks_intervals_of_sample_estimates_not_of_reported_figures() -> None:
    data = report_data()
    data["kpis"].append(
        {
            "indicator_id": "people_reached",
            "kind": "count",
            "unit": "people",
            "value": 80,
            "n": 1,
            "method": "reported figure (latest self-report per organisation and period, summed)",
        }
    )
    data["kpis"].append(
        {"indicator_id": "members_share", "kind": "proportion", "value": 0.6, "n": 1, "method": "ratio of reported figures"}
    )
    item = check(data)["principle_5_do_not_over_claim"]
    assert "people_reached" not in item.detail and "members_share" not in item.detail
    assert "survey KPIs without an interval" not in item.detail
    data["kpis"].append({"indicator_id": "satisfied", "kind": "proportion", "value": 0.7, "n": 40, "method": "Wilson"})
    item = check(data)["principle_5_do_not_over_claim"]
    assert item.status == "warn"
    assert "sample estimates (survey means, shares, changes) without a confidence interval: satisfied" in item.detail
