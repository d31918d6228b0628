"""ODK's XPath dialect in impactkit's validator: predicates, instance(), current(), indexed-repeat(),
position(), choices from a repeat, last-saved, once() and ODK's function list, with the meaning
JavaRosa (ODK Collect) gives them. What impactkit cannot hold is refused at import, with the cell."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impactkit.errors import ExpressionError, FormError
from impactkit.surveys import (
    EvaluationContext,
    Form,
    evaluate_form,
    load_xlsform,
    parse_expression,
    validate_response,
)
from tests.unit.surveys.conftest import build_xlsform

HEADER = ["type", "name", "label", "calculation", "relevant", "choice_filter", "constraint"]


def form_of(rows: list[list[Any]], choices: list[list[Any]] | None = None) -> Form:
    return load_xlsform(
        build_xlsform([HEADER, *rows], choices, [["form_id", "version"], ["dialect", "1"]]), "d.xlsx"
    )


HOUSEHOLD = form_of(
    [
        ["select_one villages", "village", "Village"],
        ["begin repeat", "household", "Household"],
        ["text", "member_name", "Name"],
        ["integer", "member_age", "Age"],
        ["begin repeat", "visit", "Visit"],
        ["integer", "cost", "Cost"],
        ["end repeat", "", ""],
        ["end repeat", "", ""],
        ["calculate", "kids", "", "count(${household}[${member_age} < 18])"],
        ["calculate", "village_label", "", "instance('villages')/root/item[name = ${village}]/label"],
        ["calculate", "village_zone", "", "instance('villages')/root/item[name = ${village}]/zone"],
        ["select_one ${member_name}", "head", "Head of household", "", "", "${member_age} >= 18"],
        ["calculate", "head_age", "", "${household}[${member_name} = ${head}]/member_age"],
        ["calculate", "second_visit_of_first", "", "indexed-repeat(${cost}, ${household}, 1, ${visit}, 2)"],
        ["text", "kids_note", "About the children", "", "count(${household}[${member_age} < 18]) > 0"],
    ],
    [
        ["list_name", "name", "label", "zone"],
        ["villages", "usseaux", "Usseaux", "mountain"],
        ["villages", "pinerolo", "Pinerolo", "urban"],
    ],
)
FAMILY = [
    {"member_name": "Ana", "member_age": 34, "visit": [{"cost": 10}, {"cost": 25}]},
    {"member_name": "Bia", "member_age": 7},
    {"member_name": "Caio", "member_age": 2},
]


def test_the_issue_examples_mean_what_they_mean_in_odk() -> None:
    clean = validate_response(HOUSEHOLD, {"village": "usseaux", "household": FAMILY, "head": "Ana"})
    assert clean["kids"] == 2
    assert clean["village_label"] == "Usseaux"
    assert clean["village_zone"] == "mountain"
    assert clean["head_age"] == 34
    assert clean["second_visit_of_first"] == 25
    assert "kids_note" not in clean  # relevant, but unanswered
    state = evaluate_form(HOUSEHOLD, {"household": [{"member_name": "Dario", "member_age": 40}]})
    assert not state.field("kids_note").relevant  # type: ignore[union-attr]


def test_choices_from_a_repeat_are_its_answers_filtered_per_instance() -> None:
    answers = {"village": "usseaux", "household": FAMILY}
    assert validate_response(HOUSEHOLD, {**answers, "head": "Ana"})["head"] == "Ana"
    problems = evaluate_form(HOUSEHOLD, {**answers, "head": "Bia"}).problems
    assert [(p.location, p.code) for p in problems] == [("answers.head", "choice_filtered")]
    problems = evaluate_form(HOUSEHOLD, {**answers, "head": "Zoe"}).problems
    assert [(p.location, p.code) for p in problems] == [("answers.head", "not_a_choice")]
    assert "${member_name}" in problems[0].message


def test_a_select_from_a_field_outside_any_repeat_is_refused_with_its_cell() -> None:
    with pytest.raises(FormError) as caught:
        form_of([["text", "name", "Name"], ["select_one ${name}", "pick", "Pick"]])
    [problem] = caught.value.problems
    assert problem.location == "survey!A3 type"
    assert problem.code == "choices_not_in_repeat"


def test_what_impactkit_cannot_hold_is_refused_at_import_with_the_cell() -> None:
    with pytest.raises(FormError) as caught:
        form_of(
            [
                ["text", "code", "Code"],
                ["calculate", "price", "", "pulldata('prices', 'price', 'code', ${code})"],
                ["calculate", "crop", "", "instance('crops')/root/item[name = ${code}]/label"],
            ]
        )
    found = {(p.location, p.code) for p in caught.value.problems}
    assert found == {("survey!D3 calculation", "bad_expression"), ("survey!D4 calculation", "unsupported")}
    messages = " ".join(p.message for p in caught.value.problems)
    assert messages.count("not supported") == 2


def test_a_numbered_predicate_is_accepted_with_a_warning_since_odk_collect_selects_nothing() -> None:
    form = form_of(
        [
            ["begin repeat", "r", "R"],
            ["text", "x", "X"],
            ["end repeat", "", ""],
            ["calculate", "second", "", "/data/r[2]/x"],
            ["calculate", "also_second", "", "/data/r[position() = 2]/x"],
        ]
    )
    assert any("[position() = 2]" in warning for warning in form.warnings)
    clean = validate_response(form, {"r": [{"x": "a"}, {"x": "b"}]})
    assert "second" not in clean
    assert clean["also_second"] == "b"


def test_positions_in_repeats_groups_and_predicates() -> None:
    form = form_of(
        [
            ["begin repeat", "r", "R"],
            ["integer", "n", "N"],
            ["calculate", "place", "", "position(..)"],
            [
                "calculate",
                "bigger_before",
                "",
                "count(../../r[position() < position(current()/..) and n > current()/../n])",
            ],
            ["begin group", "g", "G"],
            ["calculate", "place_in_group", "", "position(..)"],
            ["end group", "", ""],
            ["end repeat", "", ""],
        ]
    )
    clean = validate_response(form, {"r": [{"n": 5}, {"n": 3}, {"n": 9}, {"n": 1}]})
    assert [row["place"] for row in clean["r"]] == [1, 2, 3, 4]
    assert [row["bigger_before"] for row in clean["r"]] == [0, 1, 0, 3]
    assert [row["place_in_group"] for row in clean["r"]] == [1, 1, 1, 1]  # a group has no index


def test_indexed_repeat_reaches_any_depth() -> None:
    form = form_of(
        [
            ["begin repeat", "a", "A"],
            ["begin repeat", "b", "B"],
            ["begin repeat", "c", "C"],
            ["text", "leaf", "Leaf"],
            ["end repeat", "", ""],
            ["end repeat", "", ""],
            ["end repeat", "", ""],
            ["calculate", "picked", "", "indexed-repeat(${leaf}, ${a}, 2, ${b}, 1, ${c}, 3)"],
            ["calculate", "beyond", "", "indexed-repeat(${leaf}, ${a}, 9, ${b}, 1, ${c}, 1)"],
        ]
    )
    deep = {"a": [{"b": [{"c": [{"leaf": "x"}]}]}, {"b": [{"c": [{"leaf": f"2.1.{k}"} for k in (1, 2, 3)]}]}]}
    clean = validate_response(form, deep)
    assert clean["picked"] == "2.1.3"
    assert "beyond" not in clean
    with pytest.raises(ExpressionError, match="must name a repeat"):
        parse_expression("indexed-repeat(${leaf}, 'a', 1)")


def test_once_and_device_values_keep_what_was_sent() -> None:
    form = form_of(
        [
            ["text", "name", "Name"],
            ["calculate", "first_name", "", "once(${name})"],
            ["calculate", "draw", "", "random()"],
            ["calculate", "enumerator", "", "${last-saved#name}"],
        ]
    )
    assert any("last-saved" in warning for warning in form.warnings)
    sent = validate_response(form, {"name": "Bea", "first_name": "Ada", "draw": "0.25", "enumerator": "Eva"})
    assert sent["first_name"] == "Ada" and sent["draw"] == "0.25" and sent["enumerator"] == "Eva"
    computed = validate_response(form, {"name": "Bea"})
    assert computed["first_name"] == "Bea" and "enumerator" not in computed
    assert 0 <= float(computed["draw"]) < 1
    saved = EvaluationContext(values={}, last_saved={"name": "Eva"})
    assert parse_expression("concat(${last-saved#name}, '!')").evaluate(saved) == "Eva!"


def test_values_read_the_way_odk_collect_reads_them() -> None:
    assert parse_expression("regex('abc', 'b')").evaluate() is False  # the whole text must match
    assert parse_expression("regex('abc', 'a.c')").evaluate() is True
    assert parse_expression("number('1e3') = number('1e3')").evaluate() is False
    assert parse_expression("number('+5') = number('+5')").evaluate() is False
    assert parse_expression("string(5 * 1000000000)").evaluate() == "5.0E9"
    assert parse_expression("string(1 div 8)").evaluate() == "0.125"
    assert parse_expression("string(0.00001)").evaluate() == "1.0E-5"
    assert parse_expression("min(3, 'x', 1) + max('x')").evaluate() != parse_expression("1").evaluate()
    assert parse_expression("min(3, 'x', 1)").evaluate() == 1.0
    assert parse_expression("checklist(1, 2, 'yes', 'no', 'yes')").evaluate() is False  # 'no' is true too
    with pytest.raises(ExpressionError, match="cannot be converted to a date"):
        parse_expression("date('2024-02-30')").evaluate()
    assert parse_expression("date('')").evaluate() == ""


def test_the_geographic_hash_and_checklist_functions() -> None:
    trail = "45.0 7.0 0 0; 45.001 7.0 0 0"
    assert parse_expression(f"distance('{trail}')").evaluate() == pytest.approx(111.32, abs=0.01)
    square = "45 7 0 0;45.001 7 0 0;45.001 7.001 0 0;45 7.001 0 0;45 7 0 0"
    values = {"plot": square, "spot": "45.0005 7.0005"}
    assert parse_expression("area(${plot})").evaluate(values) == pytest.approx(8_759, rel=1e-3)
    assert parse_expression("geofence(${spot}, ${plot})").evaluate(values) is True
    with pytest.raises(ExpressionError, match="takes a field"):
        parse_expression(f"area('{square}')").evaluate()
    assert parse_expression("digest('abc', 'SHA-256', 'hex')").evaluate().startswith("ba7816bf")
    assert parse_expression("digest('abc', 'MD5')").evaluate() == "kAFQmDzST7DWlj99KOF/cg=="
    assert parse_expression("base64-decode('Y2l0dMOg')").evaluate() == "città"
    assert parse_expression("weighted-checklist(2, 4, 'yes', 1, '', 5, 'x', 2)").evaluate() is True
    assert len(parse_expression("uuid(12)").evaluate()) == 12


def test_paths_walk_plain_answers_without_a_form() -> None:
    answers = {"household": [{"age": 40, "name": "Ana"}, {"age": 9, "name": "Bia"}]}
    assert parse_expression("count(${household}[${age} < 18])").evaluate(answers) == 1.0
    assert parse_expression("${household}[${age} < 18]/name").evaluate(answers) == "Bia"
    lists = {"villages": [{"name": "u", "label": "Usseaux"}]}
    context = EvaluationContext(values={"v": "u"}, lists=lists)
    assert (
        parse_expression("instance('villages')/root/item[name = ${v}]/label").evaluate(context) == "Usseaux"
    )


@settings(max_examples=60, deadline=None)
@given(ages=st.lists(st.integers(0, 99), max_size=12), limit=st.integers(0, 100), index=st.integers(1, 14))
def test_counting_filtering_and_indexing_repeats_agree_with_python(
    ages: list[int], limit: int, index: int
) -> None:
    form = form_of(
        [
            ["integer", "limit", "Limit"],
            ["begin repeat", "member", "Member"],
            ["integer", "age", "Age"],
            ["end repeat", "", ""],
            ["calculate", "under", "", "count(${member}[${age} < ${limit}])"],
            ["calculate", "under_sum", "", "sum(${member}[${age} < ${limit}]/age)"],
            ["calculate", "nth", "", f"indexed-repeat(${{age}}, ${{member}}, {index})"],
            ["calculate", "nth_by_position", "", f"${{member}}[position() = {index}]/age"],
        ]
    )
    clean = validate_response(form, {"limit": limit, "member": [{"age": a} for a in ages]})
    assert clean["under"] == sum(1 for a in ages if a < limit)
    assert clean["under_sum"] == sum(a for a in ages if a < limit)
    expected = ages[index - 1] if index <= len(ages) else None
    assert clean.get("nth") == expected
    assert clean.get("nth_by_position") == expected
