"""Reading and checking framework files: every problem named, at once."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from impactkit._paths import data_dir
from impactkit.errors import FrameworkError
from impactkit.frameworks import (
    check_framework,
    get_framework,
    load_framework,
    plan_objective_ids,
    sdg_target_ids,
    shipped_frameworks,
)

SHIPPED = sorted(p.name for p in data_dir("frameworks").glob("*.yaml"))


def _simplified_raw() -> dict[str, Any]:
    raw = yaml.safe_load((data_dir("frameworks") / "simplified-kpis.yaml").read_text("utf-8"))
    assert isinstance(raw, dict)
    return raw


def _write(tmp_path: Path, raw: dict[str, Any]) -> Path:
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def _indicator(raw: dict[str, Any], indicator_id: str) -> dict[str, Any]:
    return next(i for i in raw["indicators"] if i["id"] == indicator_id)


@pytest.mark.parametrize("file_name", SHIPPED)
def test_every_shipped_framework_checks_clean(file_name: str) -> None:
    assert check_framework(data_dir("frameworks") / file_name) == []


def test_every_shipped_framework_is_listed() -> None:
    ids = {f.id for f in shipped_frameworks()}
    assert ids == {
        "simplified-kpis",
        "plan-objectives",
        "sdg-map",
        "work-integration",
        "care",
        "youth-neet",
        "culture-community",
    }


def test_the_plan_tree_has_objectives_1_1_to_6_3_as_the_plan_lists_them() -> None:
    assert plan_objective_ids() == {
        "1.1", "1.2", "1.3", "2.1", "3.1", "3.2", "4.1", "4.2", "4.3", "4.4",
        "5.1", "5.2", "5.3", "6.1", "6.2", "6.3",
    }  # fmt: skip
    tree = get_framework("plan-objectives")
    objective_62 = next(o for t in tree.themes for o in t.objectives if o.id == "6.2")
    assert "territori rurali e montani" in objective_62.title.it


def test_the_sdg_map_knows_all_169_targets() -> None:
    targets = sdg_target_ids()
    assert len(targets) == 169
    assert {"8.5", "17.19", "1.b", "10.2"} <= targets
    assert "17.a" not in targets


def test_simplified_kpis_have_about_a_dozen_indicators_each_tagged() -> None:
    framework = get_framework("simplified-kpis")
    assert 12 <= len(framework.indicators) <= 18
    for indicator in framework.indicators:
        assert indicator.labels.it and indicator.labels.en
        assert indicator.definition.it and indicator.definition.en
        assert indicator.tags.imp_dimensions, indicator.id


def test_a_malformed_framework_is_refused_with_every_problem_named(tmp_path: Path) -> None:
    raw = _simplified_raw()
    _indicator(raw, "beneficiaries_improved")["source"]["expression"] = "(${wellbeing} + ${autonomyy}) div 2"
    _indicator(raw, "beneficiary_satisfaction")["source"]["filter"] = "${consent} = = 'yes'"
    _indicator(raw, "beneficiaries_satisfied")["disaggregations"] = ["gender", "religion"]
    _indicator(raw, "volunteers")["id"] = "people_reached"
    _indicator(raw, "volunteer_hours")["kind"] = "average"
    _indicator(raw, "volunteer_hours_median")["tags"]["plan_objectives"] = ["7.1"]
    _indicator(raw, "work_placements_disadvantaged")["tags"]["sdg_targets"] = ["8.11"]
    _indicator(raw, "disadvantaged_workers_share")["source"] = {
        "reported": "organisation_self_report.worker_disadvantaged"
    }
    path = _write(tmp_path, raw)

    with pytest.raises(FrameworkError) as caught:
        load_framework(path)

    found = {(p.location, p.code) for p in caught.value.problems}
    assert found == {
        ("indicators[beneficiaries_improved].source.expression", "unknown_field"),
        ("indicators[beneficiary_satisfaction].source.filter", "bad_expression"),
        ("indicators[beneficiaries_satisfied].disaggregations", "unknown_disaggregation"),
        ("indicators[people_reached].id", "duplicate_id"),
        ("indicators[volunteer_hours].kind", "literal_error"),
        ("indicators[volunteer_hours_median].tags.plan_objectives", "unknown_objective"),
        ("indicators[work_placements_disadvantaged].tags.sdg_targets", "unknown_sdg_target"),
        ("indicators[disadvantaged_workers_share].source.field", "unknown_field"),
        # Ids shipped before that now compute something else (a changed definition needs a new id).
        ("indicators[beneficiaries_improved].source", "definition_changed"),
        ("indicators[beneficiary_satisfaction].source", "definition_changed"),
        ("indicators[people_reached].source", "definition_changed"),
        ("indicators[disadvantaged_workers_share].source", "definition_changed"),
    }
    messages = {p.location: p.message for p in caught.value.problems}
    assert "${autonomyy}" in messages["indicators[beneficiaries_improved].source.expression"]
    assert "'religion'" in messages["indicators[beneficiaries_satisfied].disaggregations"]
    assert "'average'" in messages["indicators[volunteer_hours].kind"]
    assert "unknown kind" in messages["indicators[volunteer_hours].kind"]


def test_an_unknown_form_and_a_missing_denominator_are_named(tmp_path: Path) -> None:
    raw = _simplified_raw()
    _indicator(raw, "people_reached")["source"] = {"reported": "annual_report.people_reached"}
    del _indicator(raw, "surplus_reinvested_share")["denominator"]
    problems = check_framework(_write(tmp_path, raw))
    by_location = {p.location: p.message for p in problems}
    assert "unknown form 'annual_report'" in by_location["indicators[people_reached].source.form"]
    assert "needs a 'denominator'" in by_location["indicators[surplus_reinvested_share]"]


def test_a_disaggregation_needs_its_field_in_the_source_form(tmp_path: Path) -> None:
    raw = _simplified_raw()
    raw["disaggregations"].append(
        {"id": "education", "labels": {"it": "Istruzione", "en": "Education"}, "field": "edu"}
    )
    _indicator(raw, "beneficiary_satisfaction")["disaggregations"] = ["education"]
    problems = check_framework(_write(tmp_path, raw))
    assert [(p.location, p.code) for p in problems] == [
        ("indicators[beneficiary_satisfaction].disaggregations", "unknown_field")
    ]


def test_fields_are_checked_against_the_forms_given(tmp_path: Path) -> None:
    path = data_dir("frameworks") / "simplified-kpis.yaml"
    forms = {
        "beneficiary_outcomes": {"consent", "satisfaction", "wellbeing"},
        "organisation_self_report": {"people_reached"},
        "volunteer_survey": {"consent", "hours_in_period", "age", "gender"},
    }
    locations = {p.location for p in check_framework(path, forms)}
    assert "indicators[beneficiaries_improved].source.expression" in locations
    assert "indicators[volunteers].source.field" in locations
    assert "indicators[people_reached].source.field" not in locations


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nversion: [1\n", "utf-8")
    [problem] = check_framework(path)
    assert problem.location.startswith("broken.yaml:")
    assert "not valid YAML" in problem.message


def test_a_misspelt_key_is_refused_rather_than_ignored(tmp_path: Path) -> None:
    raw = _simplified_raw()
    _indicator(raw, "people_reached")["taget"] = {"value": 10}
    problems = check_framework(_write(tmp_path, raw))
    assert [(p.location, p.code) for p in problems] == [
        ("indicators[people_reached].taget", "extra_forbidden")
    ]


def test_the_sdg_map_must_agree_with_the_indicator_tags(tmp_path: Path) -> None:
    raw = yaml.safe_load((data_dir("frameworks") / "sdg-map.yaml").read_text("utf-8"))
    raw["mappings"][0]["sdg_targets"] = ["1.1"]
    raw["mappings"].append(
        {"framework": "simplified-kpis", "indicator": "no_such_indicator", "sdg_targets": []}
    )
    problems = check_framework(_write(tmp_path, raw))
    appended = len(raw["mappings"]) - 1
    assert {p.location for p in problems} == {"mappings[0].sdg_targets", f"mappings[{appended}].indicator"}


def test_content_hash_is_stable_and_changes_with_any_edit(tmp_path: Path) -> None:
    shipped = get_framework("simplified-kpis")
    reloaded = load_framework(data_dir("frameworks") / "simplified-kpis.yaml")
    assert shipped.content_hash() == reloaded.content_hash()
    assert len(shipped.content_hash()) == 64
    raw = copy.deepcopy(_simplified_raw())
    _indicator(raw, "people_reached")["labels"]["en"] = "People served"
    edited = load_framework(_write(tmp_path, raw))
    assert edited.content_hash() != shipped.content_hash()


def test_asking_for_an_unknown_framework_lists_the_shipped_ones() -> None:
    with pytest.raises(FrameworkError, match="simplified-kpis"):
        get_framework("no-such-framework")


def test_a_framework_id_written_with_underscores_finds_the_shipped_one() -> None:
    assert get_framework("simplified_kpis").id == "simplified-kpis"


def test_shipped_frameworks_are_read_once_until_a_file_changes() -> None:
    first = get_framework("simplified-kpis")
    assert get_framework("simplified-kpis") is first
