"""`impactkit frameworks check` refuses what would make figures wrong or incomparable, naming the
file, the indicator and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from impactkit._paths import data_dir
from impactkit.errors import FrameworkError, KpiError
from impactkit.frameworks import check_framework, compute_kpis, load_framework
from impactkit.frameworks.cli import frameworks_group


def _raw(framework_id: str) -> dict[str, Any]:
    return yaml.safe_load((data_dir("frameworks") / f"{framework_id}.yaml").read_text("utf-8"))


def _write(tmp_path: Path, raw: dict[str, Any], name: str = "designed.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _indicator(raw: dict[str, Any], indicator_id: str) -> dict[str, Any]:
    return next(i for i in raw["indicators"] if i["id"] == indicator_id)


def _check(path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(frameworks_group, ["check", str(path), *args])
    return result.exit_code, result.output


def test_an_unknown_source_question_is_refused_naming_file_indicator_and_field(tmp_path: Path) -> None:
    raw = _raw("youth-neet")
    _indicator(raw, "in_work_end")["source"]["expression"] = "${statuss} = 'employed'"
    code, output = _check(_write(tmp_path, raw))
    assert code == 2
    assert (
        "designed.yaml: indicators[in_work_end].source.expression: unknown field ${statuss}: "
        "form 'youth_pathways' has no such field"
    ) in output


def _with_derived(raw: dict[str, Any], *pairs: tuple[str, str]) -> dict[str, Any]:
    for indicator_id, expression in pairs:
        raw["indicators"].append(
            {
                "id": indicator_id,
                "labels": {"it": indicator_id, "en": indicator_id},
                "definition": {"it": expression, "en": expression},
                "unit": "ratio",
                "kind": "derived",
                "derived": expression,
            }
        )
    return raw


def test_a_circular_definition_is_refused(tmp_path: Path) -> None:
    raw = _with_derived(
        _raw("work-integration"),
        ("hours_per_placement", "${training_hours_total} div ${placements_per_hour}"),
        ("placements_per_hour", "${placements_started} div ${hours_per_placement}"),
    )
    problems = check_framework(_write(tmp_path, raw))
    assert [(p.location, p.message, p.code) for p in problems] == [
        (
            "indicators[hours_per_placement].derived",
            "circular definition: hours_per_placement → placements_per_hour → hours_per_placement",
            "circular_definition",
        )
    ]
    code, output = _check(_write(tmp_path, raw))
    assert code == 2 and "designed.yaml: indicators[hours_per_placement].derived: circular" in output


def test_a_derived_indicator_is_computed_from_the_others_and_a_cycle_never_is(tmp_path: Path) -> None:
    raw = _with_derived(
        _raw("work-integration"),
        ("training_hours_per_record", "${training_hours_total} div ${placements_started}"),
    )
    framework = load_framework(_write(tmp_path, raw))
    frame = pd.DataFrame(
        {
            "consent": ["yes"] * 4,
            "followup": ["placement", "placement", "month_6", "month_12"],
            "training_hours": [10, 20, 30, 40],
            "in_work": ["yes", "yes", "yes", "no"],
        }
    )
    # Four answers: below the disclosure threshold, so it is set to 1 to see the arithmetic.
    results = compute_kpis(framework, {"work_integration_followup": frame}, suppress_below=1)
    derived = results.get("training_hours_per_record")
    assert derived.value == pytest.approx(100 / 2) and derived.method.startswith("derived: ")
    cyclic = _with_derived(
        _raw("work-integration"), ("a_ratio", "${b_ratio} + 1"), ("b_ratio", "${a_ratio} * 2")
    )
    with pytest.raises(FrameworkError, match="not valid"):
        load_framework(_write(tmp_path, cyclic, "cyclic.yaml"))
    from impactkit.frameworks.model import Framework

    with pytest.raises(KpiError, match="circular definition"):
        compute_kpis(Framework.model_validate(cyclic), {"work_integration_followup": frame})


def test_an_indicator_that_changed_its_definition_needs_a_new_id(tmp_path: Path) -> None:
    raw = _raw("youth-neet")
    _indicator(raw, "neet_share_end")["source"]["filter"] = "${consent} = 'yes' and ${age} >= 18"
    problems = check_framework(_write(tmp_path, raw))
    assert [(p.location, p.code) for p in problems] == [
        ("indicators[neet_share_end].source", "definition_changed")
    ]
    assert "give the changed indicator a new id" in problems[0].message
    # Wording, targets and disaggregations may change under the same id; a new id is a new indicator.
    _indicator(raw, "neet_share_end")["id"] = "neet_share_end_adults"
    _indicator(raw, "in_work_end")["labels"]["en"] = "Young people working at the end"
    _indicator(raw, "in_work_end")["target"] = {"value": 0.5}
    # The theory of change still points at the old id: named, until it follows the new one.
    problems = check_framework(_write(tmp_path, raw))
    assert [(p.location, p.code) for p in problems] == [
        ("theory_of_change.outcomes[back_in_education_or_work].leads_to", "unknown_reference")
    ]
    outcome = raw["theory_of_change"]["outcomes"][0]
    outcome["leads_to"] = [
        "neet_share_end_adults" if x == "neet_share_end" else x for x in outcome["leads_to"]
    ]
    assert check_framework(_write(tmp_path, raw)) == []


def test_a_designed_framework_is_compared_with_its_base_and_with_its_previous_version(tmp_path: Path) -> None:
    raw = _raw("youth-neet")
    raw.update(id="youth-neet-torino", version="1", based_on="youth-neet@2026.1")
    _indicator(raw, "in_work_end")["unit"] = "people"
    problems = check_framework(_write(tmp_path, raw))
    assert [(p.location, p.code) for p in problems] == [
        ("indicators[in_work_end].unit", "definition_changed")
    ]

    first = _raw("youth-neet")
    first.update(id="youth-neet-torino", version="1")
    previous = _write(tmp_path, first, "v1.yaml")
    second = _raw("youth-neet")
    second.update(id="youth-neet-torino", version="2")
    _indicator(second, "qualification_obtained")["source"]["exclude_baseline"] = False
    code, output = _check(_write(tmp_path, second, "v2.yaml"), "--previous", str(previous))
    assert code == 2
    assert "v2.yaml: indicators[qualification_obtained].source: the definition changed" in output
    assert "in youth-neet-torino 1" in output


def test_a_proxy_without_a_source_is_refused(tmp_path: Path) -> None:
    raw = _raw("care")
    raw["proxies"] = [
        {
            "id": "respite_day_guess",
            "labels": {"it": "Giornata di sollievo", "en": "Respite day"},
            "value": 90,
            "currency": "EUR",
            "unit": {"it": "giorno", "en": "day"},
            "price_year": 2024,
            "geography": "IT",
            "method": {"it": "Stima.", "en": "An estimate."},
        }
    ]
    _indicator(raw, "carer_relief_hours")["proxy"] = "respite_day_guess"
    code, output = _check(_write(tmp_path, raw))
    assert code == 2
    assert "designed.yaml: proxies[respite_day_guess].source: Field required" in output
    raw["proxies"] = []
    _indicator(raw, "carer_relief_hours")["proxy"] = "respite_day_guess"
    problems = check_framework(_write(tmp_path, raw))
    assert [(p.location, p.code) for p in problems] == [
        ("indicators[carer_relief_hours].proxy", "unknown_proxy")
    ]


def test_every_shipped_indicator_is_recorded_with_the_definition_it_ships_with() -> None:
    from impactkit.frameworks import shipped_frameworks
    from impactkit.frameworks.loading import published_definitions

    for framework in shipped_frameworks():
        recorded = published_definitions(framework.id)
        for indicator in framework.indicators:
            assert recorded.get(indicator.id) == indicator.computation(), (framework.id, indicator.id)
