"""Describing a value map: YAML/JSON, percentages, every impossible input refused at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from impactkit.errors import ValueMapError
from impactkit.sroi import (
    KpiLink,
    ValueMap,
    check_value_map,
    compute,
    kpi_links,
    load_value_map,
    parse_value_map,
    resolve_quantities,
)

from .conftest import case_a_data


def test_yaml_and_json_files_give_the_same_map(tmp_path: Path, case_a: ValueMap) -> None:
    data = case_a.model_dump(mode="json")
    (tmp_path / "map.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "map.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_value_map(tmp_path / "map.json") == load_value_map(tmp_path / "map.yaml") == case_a


def test_percent_strings_are_read_as_fractions() -> None:
    data = case_a_data()
    data["outcomes"][0].update(deadweight="20%", attribution="25 %", drop_off="10%")
    outcome = parse_value_map(data).outcomes[0]
    assert (outcome.deadweight, outcome.attribution, outcome.drop_off) == (0.2, 0.25, 0.1)


def test_every_impossible_input_is_reported_at_once_with_its_place() -> None:
    data = case_a_data()
    data["inputs"][0]["amount"] = 0
    second = dict(data["outcomes"][0], name="Better health")
    data["outcomes"].append(second)
    data["outcomes"][0].update(deadweight=20, quantity=-5, duration=0)
    data["outcomes"][1].update(stakeholder="Aliens", start_year=9)
    with pytest.raises(ValueMapError) as caught:
        parse_value_map(data)
    where = {p.location for p in caught.value.problems}
    assert "outcomes[0].deadweight (Into work)" in where
    assert "outcomes[0].quantity (Into work)" in where
    assert "outcomes[0].duration (Into work)" in where
    # The rest of the map is checked too: the cross-field problems come in the same error.
    assert "outcomes[1].stakeholder (Better health)" in where
    assert "inputs" in where
    assert not any(w.startswith("outcomes[0].proxy") for w in where)
    messages = {p.location: p.message for p in caught.value.problems}
    assert "percentage outside 0–100 %" in messages["outcomes[0].deadweight (Into work)"]
    assert "negative quantity" in messages["outcomes[0].quantity (Into work)"]


def test_cross_field_problems_are_reported_together() -> None:
    data = case_a_data()
    data["inputs"][0]["amount"] = 0
    data["horizon_years"] = 3
    data["outcomes"][0].update(stakeholder="Aliens", start_year=5)
    with pytest.raises(ValueMapError) as caught:
        parse_value_map(data)
    where = {p.location for p in caught.value.problems}
    assert where >= {
        "inputs",
        "outcomes[0].stakeholder (Into work)",
        "outcomes[0].start_year (Into work)",
    }
    assert "beyond the 3-year horizon" in str(caught.value)


def test_a_percentage_above_one_hundred_is_refused() -> None:
    data = case_a_data()
    data["outcomes"][0]["attribution"] = "120%"
    with pytest.raises(ValueMapError, match="percentage outside 0–100 %"):
        parse_value_map(data)


def test_a_proxy_without_source_is_a_warning_not_an_error() -> None:
    data = case_a_data()
    data["outcomes"][0]["proxy"] = 1000
    value_map = parse_value_map(data)
    errors, warnings = check_value_map(value_map)
    assert errors == []
    assert [w.location for w in warnings] == ["outcomes[0].proxy.source (Into work)"]
    assert compute(value_map).warnings[0].message == "financial proxy has no source"


def test_a_proxy_in_another_currency_is_refused() -> None:
    data = case_a_data()
    data["outcomes"][0]["proxy"]["currency"] = "USD"
    with pytest.raises(ValueMapError, match="convert the proxy first"):
        parse_value_map(data)


def test_a_missing_file_is_a_value_map_error(tmp_path: Path) -> None:
    with pytest.raises(ValueMapError, match="cannot read"):
        load_value_map(tmp_path / "absent.yaml")


def test_a_kpi_linked_quantity_is_resolved_before_computing() -> None:
    data = case_a_data()
    data["outcomes"][0]["quantity"] = {"kpi": "employed", "project_id": 3, "period_id": "2025"}
    value_map = parse_value_map(data)
    assert kpi_links(value_map) == {0: KpiLink(kpi="employed", project_id=3, period_id="2025")}
    with pytest.raises(ValueMapError, match="has not been resolved"):
        compute(value_map)
    resolved = resolve_quantities(value_map, {0: 50})
    assert resolved.outcomes[0].quantity == 50
    assert "KPI employed of project 3, period 2025" in resolved.outcomes[0].evidence["quantity"]
    assert compute(resolved).sroi_ratio == pytest.approx(3.8054, abs=1e-4)


def test_a_negative_resolved_quantity_is_refused() -> None:
    data = case_a_data()
    data["outcomes"][0]["quantity"] = {"kpi": "employed", "project_id": 3, "period_id": 1}
    with pytest.raises(ValueMapError, match="negative quantity"):
        resolve_quantities(parse_value_map(data), {0: -1})


def test_distribution_parameters_are_checked() -> None:
    data = case_a_data()
    data["outcomes"][0]["distributions"] = {
        "deadweight": {"kind": "uniform", "low": "10%", "high": "120%"},
        "proxy": {"kind": "triangular", "low": 900, "mode": 800, "high": 1200},
    }
    with pytest.raises(ValueMapError) as caught:
        parse_value_map(data)
    where = {p.location for p in caught.value.problems}
    assert where == {
        "outcomes[0].distributions.deadweight (Into work)",
        "outcomes[0].distributions.proxy (Into work)",
    }
