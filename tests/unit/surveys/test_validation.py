"""Checking a respondent's answers against the form version they answered."""

from __future__ import annotations

import gc
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impactkit.errors import ResponseError
from impactkit.surveys import (
    Choice,
    Field,
    Form,
    Group,
    Repeat,
    evaluate_form,
    load_xlsform,
    validate_response,
)

CORPUS = Path(__file__).resolve().parents[2] / "data" / "xlsform"


def labels(en: str, it: str) -> dict[str, str]:
    return {"English (en)": en, "Italiano (it)": it}


def outcome_form() -> Form:
    return Form(
        form_id="outcomes",
        version="1",
        title="Outcomes",
        default_language="Italiano (it)",
        languages=["Italiano (it)", "English (en)"],
        children=[
            Field(name="respondent_code", type="text", required="true()"),
            Field(
                name="age",
                type="integer",
                required="true()",
                constraint=". >= 15 and . <= 120",
                constraint_message=labels("Age must be 15 to 120", "Età tra 15 e 120"),
                required_message=labels("Age is needed", "Serve l'età"),
            ),
            Field(name="consent", type="select_one", list_name="yes_no", required="true()"),
            Group(
                name="profile",
                relevant="${consent} = 'yes'",
                children=[
                    Field(name="services", type="select_multiple", list_name="services"),
                    Field(
                        name="service_count",
                        type="calculate",
                        calculation="count-selected(${services})",
                    ),
                    Field(name="wellbeing", type="decimal", constraint=". <= 10"),
                    Field(name="district", type="select_one", list_name="district"),
                    Field(
                        name="village",
                        type="select_one",
                        list_name="village",
                        choice_filter="district = ${district}",
                    ),
                    Field(name="school", type="text", relevant="${age} < 18", required="true()"),
                ],
            ),
            Repeat(
                name="household",
                children=[
                    Field(name="member_age", type="integer", required="true()"),
                    Field(name="member_position", type="calculate", calculation="position(..)"),
                    Field(
                        name="older_than_respondent",
                        type="calculate",
                        calculation="if(${member_age} > ${age}, 'yes', 'no')",
                    ),
                ],
            ),
            Field(name="household_total_age", type="calculate", calculation="sum(${member_age})"),
            Field(name="visit_date", type="date", constraint=". <= today()"),
            Field(name="where", type="geopoint"),
            Field(name="intro", type="note"),
        ],
        choices={
            "yes_no": [Choice(name="yes"), Choice(name="no")],
            "services": [Choice(name="housing"), Choice(name="food"), Choice(name="work")],
            "district": [Choice(name="north"), Choice(name="south")],
            "village": [
                Choice(name="a", columns={"district": "north"}),
                Choice(name="b", columns={"district": "south"}),
            ],
        },
    )


TODAY = date(2026, 6, 30)


def problems_of(form: Form, answers: dict[str, Any], **options: Any) -> list[tuple[str, str]]:
    with pytest.raises(ResponseError) as caught:
        validate_response(form, answers, today=TODAY, **options)
    return [(p.location, p.code) for p in caught.value.problems]


def test_a_complete_response_comes_back_typed_with_calculates_computed() -> None:
    answers = {
        "respondent_code": "R-001",
        "age": "34",
        "consent": "yes",
        "services": "housing food",
        "wellbeing": "7.5",
        "district": "north",
        "village": "a",
        "household": [{"member_age": 40}, {"member_age": 12}],
        "visit_date": "2026-06-01",
        "where": "45.07 7.69",
    }
    clean = validate_response(outcome_form(), answers, today=TODAY)
    assert clean == {
        "respondent_code": "R-001",
        "age": 34,
        "consent": "yes",
        "services": ["housing", "food"],
        "service_count": 2,
        "wellbeing": 7.5,
        "district": "north",
        "village": "a",
        "household": [
            {"member_age": 40, "member_position": 1, "older_than_respondent": "yes"},
            {"member_age": 12, "member_position": 2, "older_than_respondent": "no"},
        ],
        "household_total_age": 52,
        "visit_date": "2026-06-01",
        "where": "45.07 7.69 0 0",
    }
    assert json.loads(json.dumps(clean)) == clean


def test_answers_to_questions_that_are_not_relevant_are_dropped() -> None:
    answers = {"respondent_code": "R-2", "age": 30, "consent": "no", "services": ["food"], "school": "x"}
    clean = validate_response(outcome_form(), answers, today=TODAY)
    assert "services" not in clean
    assert "school" not in clean
    assert "service_count" not in clean


def test_required_only_where_relevant() -> None:
    form = outcome_form()
    minor = {"respondent_code": "R-3", "age": 16, "consent": "yes"}
    assert problems_of(form, minor) == [("answers.school", "required")]
    adult = {"respondent_code": "R-3", "age": 36, "consent": "yes"}
    assert "school" not in validate_response(form, adult, today=TODAY)


def test_every_problem_is_located_and_in_plain_words() -> None:
    answers = {
        "age": "twelve",
        "consent": "maybe",
        "wellbeing": 3,
        "colour": "red",
        "household": [{"member_age": 30}, {"member_age": "old"}, {}],
        "visit_date": "01/02/2026",
    }
    with pytest.raises(ResponseError) as caught:
        validate_response(outcome_form(), answers, today=TODAY)
    problems = {p.location: p.message for p in caught.value.problems}
    assert problems == {
        "answers.colour": "unknown field 'colour': the form has no such question here",
        "answers.age": "expected a whole number, got 'twelve'",
        "answers.visit_date": "expected a date as YYYY-MM-DD, got '01/02/2026'",
        "answers.household[1].member_age": "expected a whole number, got 'old'",
        "answers.household[2].member_age": "an answer is required",
        "answers.respondent_code": "an answer is required",
        "answers.consent": "'maybe' is not a choice of list 'yes_no'",
    }


def test_constraint_and_required_messages_come_in_the_chosen_language() -> None:
    form = outcome_form()
    answers = {"respondent_code": "R", "age": 9, "consent": "no"}
    with pytest.raises(ResponseError) as caught:
        validate_response(form, answers, today=TODAY, language="en")
    assert [(p.location, p.message) for p in caught.value.problems] == [
        ("answers.age", "Age must be 15 to 120")
    ]
    with pytest.raises(ResponseError) as caught:
        validate_response(form, {"respondent_code": "R", "consent": "no"}, today=TODAY)
    assert [p.message for p in caught.value.problems] == ["Serve l'età"]


def test_a_choice_removed_by_the_choice_filter_is_refused() -> None:
    answers = {"respondent_code": "R", "age": 30, "consent": "yes", "district": "south", "village": "a"}
    with pytest.raises(ResponseError) as caught:
        validate_response(outcome_form(), answers, today=TODAY)
    [problem] = caught.value.problems
    assert (problem.location, problem.code) == ("answers.village", "choice_filtered")
    assert "choice_filter district = ${district}" in problem.message


def test_a_date_constraint_uses_the_given_today() -> None:
    answers = {"respondent_code": "R", "age": 30, "consent": "no", "visit_date": "2026-07-01"}
    assert problems_of(outcome_form(), answers) == [("answers.visit_date", "constraint")]


def test_wrong_shapes_are_refused_not_crashed_on() -> None:
    form = outcome_form()
    base = {"respondent_code": "R", "age": 30, "consent": "no"}
    assert problems_of(form, {**base, "household": {"member_age": 3}}) == [
        ("answers.household", "wrong_type")
    ]
    assert problems_of(form, {**base, "age": True}) == [("answers.age", "wrong_type")]
    assert problems_of(form, {**base, "where": "95 7"}) == [("answers.where", "wrong_type")]
    assert problems_of(form, {**base, "respondent_code": {"a": 1}}) == [
        ("answers.respondent_code", "wrong_type")
    ]
    state = evaluate_form(form, ["not", "an", "object"])  # type: ignore[arg-type]
    assert [(p.location, p.code) for p in state.problems] == [("answers", "wrong_type")]


def test_the_form_state_tells_a_page_what_to_show_next() -> None:
    state = evaluate_form(outcome_form(), {"age": 16, "consent": "yes"}, today=TODAY)
    school = state.field("school")
    assert school is not None and school.relevant and school.required
    services = state.field("answers.services")
    assert services is not None and services.relevant and not services.required
    assert not state.valid
    closed = evaluate_form(outcome_form(), {"age": 16, "consent": "no"}, today=TODAY)
    school = closed.field("school")
    assert school is not None and not school.relevant


def test_a_repeat_count_fixes_the_number_of_instances() -> None:
    form = Form(
        form_id="f",
        version="1",
        title="f",
        children=[
            Field(name="children", type="integer"),
            Repeat(
                name="child", repeat_count="${children}", children=[Field(name="child_age", type="integer")]
            ),
        ],
    )
    assert validate_response(form, {"children": 1, "child": [{"child_age": 3}]}) == {
        "children": 1,
        "child": [{"child_age": 3}],
    }
    assert problems_of(form, {"children": 2, "child": [{"child_age": 3}]}) == [
        ("answers.child", "repeat_count")
    ]


def test_nested_repeats_locate_problems_at_each_level() -> None:
    form = load_xlsform(CORPUS / "nested_repeats.xlsx")
    kids = [{"kids_name": "Ada", "kids_age": 3, "kids_immunization": [{"immunization_info": "polio"}]}]
    clean = validate_response(form, {"has_kids": "1", "kids_details": kids})
    assert clean["kids_details"] == kids
    kids[0]["kids_immunization"] = [{"immunization_info": "polio"}, {"immunization_info": ["x"]}]
    assert problems_of(form, {"has_kids": "1", "kids_details": kids}) == [
        ("answers.kids_details[0].kids_immunization[1].immunization_info", "wrong_type")
    ]
    # The repeat is relevant only when has_kids is '1': otherwise its instances are dropped.
    assert "kids_details" not in validate_response(form, {"has_kids": "0", "kids_details": kids})


def test_a_corpus_form_validates_a_hand_written_response() -> None:
    form = load_xlsform(CORPUS / "tutorial.xlsx")
    types = form.field_types()
    assert types["age"] == "integer"
    state = evaluate_form(form, {"age": 30})
    assert state.field("age") is not None
    assert all(p.location != "answers.age" for p in state.problems)
    assert any(p.location == "answers.age" for p in evaluate_form(form, {"age": "x"}).problems)


# --- property: generated valid responses pass, mutated ones fail at the mutated field --------

PROPERTY_FORM = Form(
    form_id="property",
    version="1",
    title="Property",
    children=[
        Field(name="name", type="text"),
        Field(name="count", type="integer", constraint=". >= 0"),
        Field(name="share", type="decimal", constraint=". >= 0 and . <= 1"),
        Field(name="colour", type="select_one", list_name="colours"),
        Field(name="tags", type="select_multiple", list_name="colours"),
        Field(name="born", type="date"),
        Field(name="score", type="range", parameters={"start": "0", "end": "10", "step": "1"}),
        Field(name="spot", type="geopoint"),
    ],
    choices={"colours": [Choice(name="red"), Choice(name="green"), Choice(name="blue")]},
)

VALID = {
    # any text a database can store: no NUL, no lone surrogate (both refused, see impactkit.text)
    "name": st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        min_size=1,
        max_size=20,
    ).filter(lambda s: s.strip() != ""),
    "count": st.integers(0, 10_000),
    "share": st.floats(0, 1, allow_nan=False),
    "colour": st.sampled_from(["red", "green", "blue"]),
    "tags": st.lists(st.sampled_from(["red", "green", "blue"]), unique=True, min_size=1),
    "born": st.dates(date(1900, 1, 1), date(2030, 1, 1)).map(date.isoformat),
    "score": st.integers(0, 10),
    "spot": st.tuples(st.floats(-90, 90), st.floats(-180, 180)).map(lambda p: f"{p[0]} {p[1]}"),
}
INVALID = {
    "name": st.sampled_from([{"x": 1}, [1, 2], True]),
    "count": st.one_of(st.integers(max_value=-1), st.just("many"), st.just(1.5)),
    "share": st.one_of(st.floats(1.01, 100), st.just("half")),
    "colour": st.sampled_from(["purple", "", "Red"]).filter(bool),
    "tags": st.sampled_from([["red", "pink"], "red red", [1.5]]),
    "born": st.sampled_from(["2020-13-01", "yesterday", "01/01/2020"]),
    "score": st.sampled_from([11, -1, 2.5, "ten"]),
    "spot": st.sampled_from(["91 0", "north", "1", "0 181"]),
}


@st.composite
def valid_responses(draw: st.DrawFn) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(sorted(VALID)), unique=True))
    return {name: draw(VALID[name]) for name in chosen}


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(answers=valid_responses())
def test_generated_valid_responses_pass(answers: dict[str, Any]) -> None:
    clean = validate_response(PROPERTY_FORM, answers)
    assert set(clean) == set(answers)
    assert json.loads(json.dumps(clean)) == clean


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(answers=valid_responses(), data=st.data())
def test_a_mutated_response_fails_naming_the_mutated_field(
    answers: dict[str, Any], data: st.DataObject
) -> None:
    target = data.draw(st.sampled_from(sorted(INVALID)))
    answers[target] = data.draw(INVALID[target])
    with pytest.raises(ResponseError) as caught:
        validate_response(PROPERTY_FORM, answers)
    assert [p.location for p in caught.value.problems] == [f"answers.{target}"]


def test_a_calculation_can_show_the_label_of_a_choice_in_the_chosen_language() -> None:
    form = Form(
        form_id="f",
        version="1",
        title="f",
        children=[
            Field(name="service", type="select_one", list_name="services"),
            Field(
                name="service_label", type="calculate", calculation="jr:choice-name(${service}, '${service}')"
            ),
        ],
        choices={"services": [Choice(name="housing", label=labels("Housing", "Casa"))]},
    )
    assert validate_response(form, {"service": "housing"}, language="it")["service_label"] == "Casa"
    assert validate_response(form, {"service": "housing"}, language="en")["service_label"] == "Housing"


def test_a_response_with_too_many_repeat_instances_is_refused_without_checking_them_all() -> None:
    form = Form(
        form_id="f",
        version="1",
        title="f",
        children=[
            Repeat(
                name="outer",
                children=[Repeat(name="inner", children=[Field(name="x", type="integer")])],
            )
        ],
    )
    answers = {"outer": [{"inner": [{"x": 1}] * 1_000} for _ in range(10)]}
    with pytest.raises(ResponseError) as caught:
        validate_response(form, answers)
    codes = {p.code for p in caught.value.problems}
    assert codes == {"too_many_instances"}
    assert caught.value.problems[0].location == "answers.outer[4].inner"


# --- relevance worked out once per pass, and again when what it reads changes ------------------


def test_a_relevance_that_reads_repeat_answers_sees_every_instance() -> None:
    form = Form(
        form_id="f",
        version="1",
        title="f",
        children=[
            Repeat(name="member", children=[Field(name="member_name", type="text")]),
            Field(
                name="names_checked",
                type="acknowledge",
                relevant="join(' ', ${member_name}) != '' and count-non-empty(${member_name}) > 0",
                required="true()",
            ),
        ],
    )
    assert problems_of(form, {"member": [{"member_name": "Ada"}]}) == [("answers.names_checked", "required")]
    assert validate_response(form, {"member": [{}]}) == {"member": [{}]}


def test_a_relevance_shared_by_many_questions_follows_the_values_it_reads() -> None:
    form = Form(
        form_id="f",
        version="1",
        title="f",
        children=[
            Field(name="before", type="text", relevant="${double} > 1 and ${hidden} = ''"),
            Field(name="n", type="integer"),
            Field(name="hidden", type="text", relevant="${n} > 5"),
            Field(name="double", type="calculate", calculation="${n} * 2"),
            Field(name="after", type="text", relevant="${double} > 1 and ${hidden} = ''"),
        ],
    )
    state = evaluate_form(form, {"n": 1, "hidden": "dropped, since n is not above 5"})
    assert [(s.name, s.relevant) for s in state.fields] == [
        ("before", True),
        ("n", True),
        ("hidden", False),
        ("double", True),
        ("after", True),
    ]
    assert state.answers == {"n": 1, "double": 2}
    closed = evaluate_form(form, {"n": 0})
    assert [s.name for s in closed.fields if s.relevant] == ["n", "double"]


def test_checking_a_response_leaves_nothing_for_the_garbage_collector() -> None:
    form = outcome_form()
    answers = {"age": 30, "consent": "yes", "household": [{"member_age": 3}, {"member_age": "x"}]}
    evaluate_form(form, answers, today=TODAY)
    gc.collect()
    gc.disable()
    try:
        for _ in range(20):
            evaluate_form(form, answers, today=TODAY)
        assert gc.collect() == 0, "a reference cycle keeps each checked response alive until a collection"
    finally:
        gc.enable()
