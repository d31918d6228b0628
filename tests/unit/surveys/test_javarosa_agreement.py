"""impactkit's validator computes what ODK Collect computes: the same forms, filled in the same way,
go through JavaRosa (ODK Collect's engine, from pyxform's ODK_Validate.jar) and through
``evaluate_form``; every calculation and every question's relevance must agree.

The forms are built here as XLSForm workbooks, converted to XForms by pyxform (as ODK Central and
impactkit publish them) and imported by ``load_xlsform``.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pyxform.xls2xform import convert

from impactkit.surveys import Form, evaluate_form, load_xlsform
from tests.javarosa import oracle
from tests.unit.surveys.conftest import build_xlsform

HEADER = ["type", "name", "label", "calculation", "relevant", "choice_filter", "constraint"]

HOUSEHOLD = [
    HEADER,
    ["integer", "min_age", "Minimum age"],
    ["select_one yn", "consent", "Consent"],
    ["begin group", "g_info", "Information"],
    ["text", "zone", "Zone"],
    ["date", "visit_day", "Day"],
    ["end group", "", ""],
    ["select_one colours", "colour", "Colour"],
    ["geotrace", "trail", "Trail"],
    ["geoshape", "plot", "Plot"],
    ["geopoint", "spot", "Spot"],
    ["begin repeat", "household", "Household"],
    ["text", "member_name", "Name"],
    ["integer", "member_age", "Age"],
    ["select_multiple services", "member_services", "Services"],
    ["calculate", "older", "", "count(${household}[${member_age} > ${min_age}])"],
    ["calculate", "count_inside", "", "count(${household})"],
    ["calculate", "place", "", "position(..)"],
    ["calculate", "rank", "", "count(../../household[member_age > current()/../member_age])"],
    ["calculate", "tag", "", "concat(${member_name}, '@', ${zone})"],
    ["calculate", "first_name", "", "indexed-repeat(${member_name}, ${household}, 1)"],
    ["begin repeat", "visit", "Visit"],
    ["integer", "visit_cost", "Cost"],
    ["calculate", "visit_place", "", "position(..)"],
    ["calculate", "member_place", "", "position(../..)"],
    ["calculate", "visitor", "", "${member_name}"],
    ["end repeat", "", ""],
    ["calculate", "visits_total", "", "sum(${visit_cost})"],
    ["begin group", "details", "Details"],
    ["calculate", "place_in_group", "", "position(..)"],
    ["calculate", "place_of_member", "", "position(../..)"],
    ["end group", "", ""],
    ["text", "minor_note", "Note", "", "${member_age} < 18"],
    ["end repeat", "", ""],
    ["calculate", "kids", "", "count(${household}[${member_age} < 18])"],
    ["calculate", "adult_names", "", "join(' ', ${household}[${member_age} >= 18]/member_name)"],
    ["calculate", "total_age", "", "sum(${member_age})"],
    ["calculate", "oldest", "", "max(${member_age})"],
    ["calculate", "youngest", "", "min(${member_age})"],
    ["select_one ${member_name}", "pick", "Who answers?"],
    ["calculate", "picked_age", "", "${household}[${member_name} = ${pick}]/member_age"],
    ["calculate", "second_name", "", "/data/household[position() = 2]/member_name"],
    ["calculate", "numeric_predicate", "", "count(/data/household[1])"],
    ["calculate", "second_first_visit", "", "indexed-repeat(${visit_cost}, ${household}, 2, ${visit}, 1)"],
    ["calculate", "visits_of_second", "", "count(${household}[position() = 2]/visit)"],
    ["calculate", "food_users", "", "count(${household}[selected(${member_services}, 'food')])"],
    ["calculate", "all_visits", "", "count(${visit})"],
    ["calculate", "zone_by_path", "", "/data/g_info/zone"],
    ["calculate", "colour_label", "", "instance('colours')/root/item[name = ${colour}]/label"],
    ["calculate", "colour_name", "", "jr:choice-name(${colour}, '${colour}')"],
    ["calculate", "warm_colours", "", "count(instance('colours')/root/item[warmth = 'warm'])"],
    [
        "calculate",
        "first_services",
        "",
        "count-selected(indexed-repeat(${member_services}, ${household}, 1))",
    ],
    ["calculate", "only_once", "", "once(concat('z-', ${zone}))"],
    ["calculate", "zone_or_none", "", "coalesce(${zone}, 'none')"],
    ["calculate", "trail_length", "", "round(distance(${trail}), 3)"],
    ["calculate", "plot_area", "", "round(area(${plot}), 1)"],
    ["calculate", "spot_inside", "", "geofence(${spot}, ${plot})"],
    ["calculate", "zone_hash", "", "digest(${zone}, 'SHA-256', 'hex')"],
    ["calculate", "zone_md5", "", "digest(${zone}, 'MD5')"],
    ["calculate", "decoded", "", "base64-decode('Y2l0dMOg')"],
    ["calculate", "two_truths", "", "checklist(1, 2, ${consent}, ${zone}, ${pick})"],
    ["calculate", "weighted", "", "weighted-checklist(2, 4, ${consent}, 1, ${zone}, 3)"],
    ["calculate", "day_text", "", "format-date(${visit_day}, '%e %b %Y %a')"],
    ["calculate", "third", "", "round(${min_age} div 3, 2)"],
    ["calculate", "third_text", "", "string(${min_age} div 3)"],
    ["calculate", "whole_match", "", "regex(${zone}, 'ort')"],
    ["calculate", "anchored_match", "", "regex(${zone}, '^n.*h$')"],
    ["calculate", "million", "", "string(${min_age} * 1000000)"],
    ["calculate", "billion", "", "string(${min_age} * 1000000000)"],
    ["calculate", "tiny", "", "string(${min_age} div 10000000)"],
    ["calculate", "plus_sign", "", "number('+5')"],
    ["calculate", "exponent", "", "number('1e3')"],
    ["calculate", "padded", "", "number(' 12 ')"],
    ["calculate", "length_here", "", "string-length(${zone})"],
    ["calculate", "days", "", "decimal-date-time(${visit_day})"],
    ["calculate", "back_to_date", "", "date(decimal-date-time(${visit_day}) + 30)"],
    ["calculate", "sum_names", "", "sum(${member_name})"],
    ["text", "kids_note", "Note", "", "count(${household}[${member_age} < 18]) > 0"],
    ["text", "picked_note", "Note", "", "${household}[${member_name} = ${pick}]/member_age > 30"],
    ["text", "colour_note", "Note", "", "instance('colours')/root/item[name = ${colour}]/warmth = 'warm'"],
]
CHOICES = [
    ["list_name", "name", "label", "warmth"],
    ["yn", "yes", "Yes", ""],
    ["yn", "no", "No", ""],
    ["colours", "red", "Red", "warm"],
    ["colours", "blue", "Blue", "cold"],
    ["colours", "orange", "Orange", "warm"],
    ["services", "food", "Food", ""],
    ["services", "housing", "Housing", ""],
]
SETTINGS = [["form_id", "version"], ["dialect_household", "1"]]

TRAIL = "45.07 7.68 240 5;45.071 7.681 241 5;45.072 7.683 242 5"
PLOT = "45.0 7.0 0 0;45.001 7.0 0 0;45.001 7.001 0 0;45.0 7.001 0 0;45.0 7.0 0 0"
ANSWERS: list[dict[str, Any]] = [
    {
        "min_age": 5,
        "consent": "yes",
        "zone": "north",
        "visit_day": "2024-02-09",
        "colour": "orange",
        "trail": TRAIL,
        "plot": PLOT,
        "spot": "45.0005 7.0005 0 0",
        "household": [
            {
                "member_name": "Ana",
                "member_age": 34,
                "member_services": ["food", "housing"],
                "visit": [{"visit_cost": 10}, {"visit_cost": 5}],
            },
            {
                "member_name": "Bia",
                "member_age": 7,
                "member_services": ["housing"],
                "visit": [{"visit_cost": 7}],
            },
            {"member_name": "Caio", "member_age": 2, "member_services": ["food"], "visit": []},
        ],
        "pick": "Bia",
    },
    {
        "min_age": 40,
        "consent": "no",
        "zone": "",
        "colour": "blue",
        "spot": "46 8 0 0",
        "plot": PLOT,
        "household": [{"member_name": "Dario", "member_age": 71, "visit": [{"visit_cost": 3}]}],
        "pick": "Dario",
    },
    {"consent": "yes", "zone": "south"},
]


@pytest.fixture(scope="module")
def household(tmp_path_factory: pytest.TempPathFactory) -> tuple[Form, str]:
    workbook = build_xlsform(HOUSEHOLD, CHOICES, SETTINGS)
    path: Path = tmp_path_factory.mktemp("forms") / "dialect_household.xlsx"
    path.write_bytes(workbook)
    xform = convert(xlsform=str(path), validate=False).xform
    return load_xlsform(workbook, "dialect_household.xlsx"), xform


@pytest.fixture(scope="module")
def verdicts(household: tuple[Form, str]) -> list[dict[str, Any]]:
    form, xform = household
    cases = [{"xform": xform, "instance": oracle.instance_xml(form, answers)} for answers in ANSWERS]
    return oracle.run(cases)


def _same(javarosa: str, ours: str) -> bool:
    if javarosa == ours:
        return True
    if javarosa == "NaN" and ours == "":
        return True  # impactkit stores a calculation that gives NaN as no answer
    if javarosa.endswith("T00:00:00.000Z") and javarosa[:10] == ours:
        return True  # a date computed into a text calculation: ODK writes it with a time
    try:  # a number, or a location (ODK writes '45.0 7.0 0.0 0.0; ...')
        theirs = [float(part) for part in javarosa.replace(";", " ").split()]
        mine = [float(part) for part in ours.replace(";", " ").split()]
    except ValueError:
        return False
    return len(theirs) == len(mine) > 0 and all(
        math.isclose(a, b, rel_tol=1e-12) for a, b in zip(theirs, mine, strict=True)
    )


@pytest.mark.parametrize("case", range(len(ANSWERS)))
def test_every_calculation_and_relevance_agrees_with_odk_collect(
    household: tuple[Form, str], verdicts: list[dict[str, Any]], case: int
) -> None:
    form, _ = household
    verdict = verdicts[case]
    assert "error" not in verdict, verdict.get("error")
    theirs = oracle.javarosa_nodes(verdict)
    state = evaluate_form(form, ANSWERS[case], today=date(2026, 1, 1))
    assert [p for p in state.problems if p.code == "expression_failed"] == []
    ours = oracle.impactkit_nodes(form, state)
    calculates = {f.name for f in form.fields() if f.type == "calculate"}
    differences = []
    for path, (their_value, their_relevance) in theirs.items():
        name = path.rsplit("/", 1)[-1].split("[")[0]
        if path not in ours:
            continue  # an element impactkit's answers do not have (a group, meta)
        our_value, our_relevance = ours[path]
        if name not in calculates and our_relevance != their_relevance:
            differences.append((path, "relevant", their_relevance, our_relevance))
        if our_relevance and their_relevance and not _same(their_value, our_value):
            differences.append((path, "value", their_value, our_value))
    assert differences == [], "\n".join(map(str, differences))
    compared = [path for path in theirs if path in ours]
    assert len(compared) >= 40 if case == 0 else len(compared) >= 10


REPEATED = [
    HEADER,
    ["begin repeat", "household", "Household"],
    ["integer", "member_age", "Age"],
    ["end repeat", "", ""],
    ["calculate", "next_age", "", "${member_age} + 1"],
]


AGES = [([], False), ([30], False), ([30, 40], True)]


@pytest.fixture(scope="module")
def repeated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Form, list[dict[str, Any]]]:
    workbook = build_xlsform(REPEATED, None, [["form_id", "version"], ["repeated", "1"]])
    path = tmp_path_factory.mktemp("forms") / "repeated.xlsx"
    path.write_bytes(workbook)
    form = load_xlsform(workbook, "repeated.xlsx")
    xform = convert(xlsform=str(path), validate=False).xform
    cases = [
        {
            "xform": xform,
            "instance": oracle.instance_xml(form, {"household": [{"member_age": a} for a in ages]}),
        }
        for ages, _ in AGES
    ]
    return form, oracle.run(cases)


@pytest.mark.parametrize("case", range(len(AGES)))
def test_a_repeated_field_read_as_one_value_fails_as_in_odk_collect(
    repeated: tuple[Form, list[dict[str, Any]]], case: int
) -> None:
    form, verdicts = repeated
    ages, fails = AGES[case]
    verdict = verdicts[case]
    answers = {"household": [{"member_age": age} for age in ages]}
    state = evaluate_form(form, answers)
    failed = [p for p in state.problems if p.code == "expression_failed"]
    assert ("error" in verdict) is fails
    assert bool(failed) is fails
    if fails:
        assert "repeated" in verdict["error"] and "repeated" in failed[0].message
        assert failed[0].location == "answers.next_age"
    else:
        their_value = oracle.javarosa_nodes(verdict)["next_age[1]"][0]
        assert _same(their_value, oracle.xpath_text(state.answers.get("next_age")))
