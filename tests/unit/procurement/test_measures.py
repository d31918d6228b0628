"""The shared measure set: every value sourced, every unsourced measure counted, not monetised."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from impactkit._paths import data_dir
from impactkit.procurement import measure_set_problems, shipped_measure_set, unit_value

SHIPPED = data_dir("frameworks") / "procurement" / "measures.yaml"


def raw_set() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(SHIPPED.read_text(encoding="utf-8")))


def test_the_shipped_set_has_the_measures_the_plan_asks_for() -> None:
    ids = {m.id for m in shipped_measure_set().measures}
    assert {
        "local_employment_disadvantaged",
        "type_b_cooperative_placements",
        "training_hours_youth",
        "work_placements",
        "social_economy_spend_local",
        "volunteering_hours",
        "mountain_rural_initiatives",
        "emissions_avoided",
    } <= ids
    for measure in shipped_measure_set().measures:
        assert "2.1" in measure.plan_objectives
        assert measure.unit.it and measure.unit.en and measure.evidence.it and measure.evidence.en


def test_every_monetised_measure_has_a_source_and_a_year_and_the_others_say_why() -> None:
    for measure in shipped_measure_set().measures:
        value = unit_value(shipped_measure_set(), measure.id)
        if measure.counted_not_monetised:
            assert value is None and measure.why is not None
        else:
            assert value is not None and value.year >= 1900 and value.source.strip()


def test_volunteering_hours_take_the_banks_sourced_replacement_cost() -> None:
    value = unit_value(shipped_measure_set(), "volunteering_hours")
    assert value is not None
    assert (value.value, value.currency, value.year) == (18.57, "EUR", 2024)
    assert "Ministero del Lavoro" in value.source
    assert value.reference == "impactkit-proxies@2026.1#social_coop_hour_lowest_level_2024"


def test_a_value_without_source_and_year_is_refused_unless_counted_not_monetised() -> None:
    raw = raw_set()
    measure = raw["measures"][0]
    for key in ("counted_not_monetised", "why"):
        measure.pop(key)
    measure["value"] = 1200.0
    measure["currency"] = "EUR"
    _, problems = measure_set_problems(raw)
    assert problems and "source" in problems[0].message and "price_year" in problems[0].message
    assert (
        "measures[local_employment_disadvantaged]" in problems[0].location
        or "measures[0]" in problems[0].location
    )


def test_a_value_with_source_but_no_year_is_refused() -> None:
    raw = raw_set()
    measure = raw["measures"][0]
    for key in ("counted_not_monetised", "why"):
        measure.pop(key)
    measure.update(
        value=1200.0,
        currency="EUR",
        price_year=2024,
        source={"title": "Some report", "publisher": "ISTAT", "url": "https://www.istat.it/"},
    )
    _, problems = measure_set_problems(raw)
    assert problems and "year" in problems[0].location


def test_a_sourced_value_is_accepted_and_used() -> None:
    raw = raw_set()
    measure = raw["measures"][0]
    for key in ("counted_not_monetised", "why"):
        measure.pop(key)
    measure.update(
        value=1200.0,
        currency="EUR",
        price_year=2024,
        source={"title": "Some report", "publisher": "ISTAT", "year": 2024, "url": "https://www.istat.it/"},
    )
    measure_set, problems = measure_set_problems(raw)
    assert not problems and measure_set is not None
    value = unit_value(measure_set, measure["id"])
    assert value is not None and value.value == 1200.0 and "ISTAT (2024)" in value.source


def test_a_measure_neither_valued_nor_marked_counted_is_refused() -> None:
    raw = raw_set()
    for key in ("counted_not_monetised", "why"):
        raw["measures"][1].pop(key)
    _, problems = measure_set_problems(raw)
    assert problems and "counted_not_monetised" in problems[0].message


def test_counted_without_why_is_refused() -> None:
    raw = raw_set()
    raw["measures"][1].pop("why")
    _, problems = measure_set_problems(raw)
    assert problems and "why" in problems[0].message


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("plan_objectives", ["2.1", "9.9"], "unknown_objective"),
        ("sdg_targets", ["8.99"], "unknown_target"),
        ("proxy", "no_such_proxy", "unknown_proxy"),
    ],
)
def test_tags_and_proxies_must_exist(field: str, value: Any, code: str) -> None:
    raw = raw_set()
    volunteering = next(m for m in raw["measures"] if m["id"] == "volunteering_hours")
    volunteering[field] = value
    _, problems = measure_set_problems(raw)
    assert [p.code for p in problems] == [code]
    assert problems[0].location == f"measures.yaml: measures[volunteering_hours].{field}"
