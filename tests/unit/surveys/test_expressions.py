"""The expression language, as form authors write it and as the server evaluates it."""

from __future__ import annotations

import math
import operator
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impactkit.errors import ExpressionError
from impactkit.surveys import EvaluationContext, parse_expression


def evaluate(text: str, values: dict[str, Any] | None = None, **context: Any) -> Any:
    return parse_expression(text).evaluate(EvaluationContext(values=values or {}, **context))


# --- what real forms write -----------------------------------------------------------------


def test_a_relevance_rule_reads_the_answers_it_names() -> None:
    rule = parse_expression("${age} >= 15 and selected(${services}, 'housing')")
    assert rule.references == frozenset({"age", "services"})
    assert rule.evaluate({"age": 17, "services": "food housing"}) is True
    assert rule.evaluate({"age": 14, "services": "food housing"}) is False
    assert rule.evaluate({"age": 30, "services": ["food"]}) is False


def test_excel_curly_quotes_read_as_straight_quotes() -> None:
    assert evaluate("${consent} = ‘yes’", {"consent": "yes"}) is True
    assert evaluate("${name} != “”", {"name": "Ada"}) is True


def test_an_unanswered_field_equals_the_empty_string_and_is_not_a_number() -> None:
    assert evaluate("${x} = ''", {}) is True
    assert evaluate("${x} = ''", {"x": None}) is True
    assert evaluate("${x} > 0", {}) is False
    assert math.isnan(evaluate("${x} + 1", {}))
    assert evaluate("${x} = 0", {"x": 0}) is True
    assert evaluate("${x} = ''", {"x": 0}) is False


def test_numbers_written_as_text_compare_as_numbers() -> None:
    assert evaluate("${n} > 9", {"n": "10"}) is True
    assert evaluate("${n} = 10", {"n": "10.0"}) is True
    assert evaluate("${n} = '10'", {"n": 10}) is True


def test_booleans_compare_as_booleans() -> None:
    assert evaluate("true() = 1") is True
    assert evaluate("false() = ''") is True
    assert evaluate("not(${a})", {"a": ""}) is True


def test_arithmetic_follows_xpath_doubles() -> None:
    assert evaluate("7 div 2") == 3.5
    assert evaluate("7 mod 3") == 1.0
    assert evaluate("-7 mod 3") == -1.0
    assert evaluate("1 div 0") == math.inf
    assert evaluate("-1 div 0") == -math.inf
    assert math.isnan(evaluate("0 div 0"))
    assert evaluate("2 + 3 * 4 - 10 div 5") == 12.0
    assert evaluate("--3") == 3.0


def test_dates_subtract_as_days() -> None:
    assert (
        evaluate("${end} - ${start}", {"start": date(2024, 1, 30), "end": date(2024, 3, 1)})
        == (date(2024, 3, 1) - date(2024, 1, 30)).days
    )
    assert evaluate("today() - date('2024-01-01')", today=date(2024, 1, 11)) == 10.0
    assert evaluate(". >= today()", current=date(2024, 5, 1), today=date(2024, 4, 30)) is True
    assert evaluate("${d} < '2000-01-01'", {"d": "1999-12-31"}) is True
    assert evaluate("format-date(date(${d}), '%d/%m/%Y')", {"d": "2024-02-09"}) == "09/02/2024"
    assert evaluate("decimal-date-time('1970-01-02T12:00:00')") == 1.5
    assert evaluate("now()", now=datetime(2024, 1, 1, 8, 30)) == datetime(2024, 1, 1, 8, 30)


def test_the_string_functions_real_forms_use() -> None:
    assert evaluate("concat(${first}, ' ', ${last})", {"first": "Ada", "last": "Byron"}) == ("Ada Byron")
    assert evaluate("contains('cooperativa', 'oper')") is True
    assert evaluate("starts-with('cooperativa', 'coop')") is True
    assert evaluate("ends-with('cooperativa', 'iva')") is True
    assert evaluate("substr('cooperativa', 0, 4)") == "coop"
    assert evaluate("substring-before('a-b', '-')") == "a"
    assert evaluate("substring-after('a-b', '-')") == "b"
    assert evaluate("string-length('città')") == 5.0
    assert evaluate("normalize-space('  a   b ')") == "a b"
    assert evaluate("translate('abc', 'abc', 'AB')") == "AB"
    assert evaluate("coalesce(${a}, 'fallback')", {"a": ""}) == "fallback"
    assert evaluate("string(12)") == "12"
    assert evaluate("string(1.5)") == "1.5"


def test_selections_are_space_separated_or_lists() -> None:
    assert evaluate("count-selected(${s})", {"s": "a b c"}) == 3.0
    assert evaluate("count-selected(${s})", {"s": ["a", "b"]}) == 2.0
    assert evaluate("selected-at(${s}, 1)", {"s": "a b c"}) == "b"
    assert evaluate("selected-at(${s}, 5)", {"s": "a b c"}) == ""
    assert evaluate("selected(${s}, 'b')", {"s": "abc"}) is False


def test_the_math_functions_real_forms_use() -> None:
    assert evaluate("round(2.5)") == 3.0
    assert evaluate("round(-2.5)") == -2.0
    assert evaluate("round(2.345, 2)") == 2.35
    assert evaluate("int(-3.7)") == -3.0
    assert evaluate("floor(-1.5) + ceiling(1.2)") == 0.0
    assert evaluate("abs(-4) + pow(2, 3) + sqrt(9)") == 15.0
    assert evaluate("atan2(1, 1)") == pytest.approx(math.pi / 4)
    assert evaluate("cos(0) + sin(0) + exp(0) + log(1) + log10(100)") == 4.0
    assert math.isnan(evaluate("sqrt(-1)"))
    assert evaluate("min(3, 1, 2) + max(3, 1, 2)") == 4.0
    assert evaluate("number('3.5') + number('x') = number('x')") is False


def test_if_only_evaluates_the_branch_it_takes() -> None:
    assert evaluate("if(${a} > 1, 'big', 'small')", {"a": 2}) == "big"
    assert evaluate("if(${a} > 1, 'big', 'small')", {"a": 0}) == "small"


def test_repeat_functions_see_every_instance() -> None:
    instances = {"amount": [10, 20, 5]}
    context = EvaluationContext(collect=lambda name: instances.get(name, []), position=2)
    assert parse_expression("sum(${amount})").evaluate(context) == 35.0
    assert parse_expression("count(${amount})").evaluate(context) == 3.0
    assert parse_expression("max(${amount})").evaluate(context) == 20.0
    assert parse_expression("indexed-repeat(${amount}, ${rep}, 2)").evaluate(context) == 20
    assert parse_expression("position(..)").evaluate(context) == 2.0
    assert parse_expression("join(', ', ${amount})").evaluate(context) == "10, 20, 5"


def test_choice_names_come_from_the_form_or_fall_back_to_the_value() -> None:
    labels = {("colour", "r"): "Red"}
    context = EvaluationContext(
        values={"colour": "r"}, choice_label=lambda field, value: labels.get((field, value))
    )
    assert parse_expression("jr:choice-name(${colour}, '${colour}')").evaluate(context) == "Red"
    assert evaluate("jr:choice-name(${colour}, '${colour}')", {"colour": "r"}) == "r"


def test_paths_walk_the_answers_like_the_xml_odk_sees() -> None:
    rule = parse_expression("/data/household/size > 3 or ../zone = '1_NW'")
    assert rule.path_references == frozenset({"size", "zone"})
    assert rule.references == frozenset()
    assert rule.evaluate({"household": [{"size": 2}], "zone": "1_NW"}) is True
    assert rule.evaluate({"household": [{"size": 2}], "zone": "2_NE"}) is False
    assert parse_expression("current()/../zone").path_references == frozenset({"zone"})


def test_a_choice_filter_reads_choice_columns_by_bare_name_and_answers_by_reference() -> None:
    choice_filter = parse_expression("district = ${district} and name != 'other'")
    assert choice_filter.references == frozenset({"district"})
    assert choice_filter.path_references == frozenset({"district", "name"})
    context = EvaluationContext(
        values={"district": "north"}, nodes={"district": "north", "name": "village_a"}
    )
    assert choice_filter.evaluate(context) is True
    context = EvaluationContext(
        values={"district": "north"}, nodes={"district": "south", "name": "village_b"}
    )
    assert choice_filter.evaluate(context) is False


def test_odk_regexes_that_python_refuses_are_translated() -> None:
    email = "regex(., '^[\\w-\\.]+@([\\w-]+\\.)+[\\w-]{2,}$')"
    assert evaluate(email, current="ada.byron-king@example.org") is True
    assert evaluate(email, current="not an email") is False


@pytest.mark.parametrize(
    ("pattern", "matching", "not_matching"),
    [
        ("^\\Q1.5\\E$", "1.5", "125"),
        ("^(?<year>[0-9]{4})-[0-9]{2}$", "2024-05", "24-05"),
        ("^\\p{javaLowerCase}+$", "città", "Città"),
    ],
)
def test_java_regex_idioms_mean_what_they_mean_in_odk(pattern: str, matching: str, not_matching: str) -> None:
    if "\\p{" in pattern:
        pytest.importorskip("regex", reason="Unicode categories need the regex package")
    rule = parse_expression(f"regex(., '{pattern}')")
    assert evaluate(rule.text, current=matching) is True
    assert evaluate(rule.text, current=not_matching) is False


def test_a_regex_that_cannot_compile_is_refused_at_parse_time() -> None:
    with pytest.raises(ExpressionError, match="regular expression"):
        parse_expression("regex(., '[a-')")


def test_a_catastrophic_regex_on_a_long_answer_is_bounded() -> None:
    pytest.importorskip("regex", reason="the regex package gives regex() its match timeout")
    rule = parse_expression("regex(., '^(a+)+$')")
    try:
        result = rule.evaluate(EvaluationContext(current="a" * 5_000 + "!"))
    except ExpressionError as error:
        assert "too long" in str(error)
    else:
        assert result is False


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("${age} >", 9, "expected a value"),
        ("${age", 1, "not closed"),
        ("agee(1)", 1, "unknown function agee()"),
        ("selected(${a})", 1, "takes 2 argument(s), got 1"),
        ("'open", 1, "quotes is not closed"),
        ("1 + # 2", 5, "unexpected character"),
        ("pulldata('fruits', 'name', 'key', ${x})", 1, "not supported"),
        ("${rep}[1", 9, "expected ']'"),
        ("${a} | ${b}", 6, "union"),
        ("//name", 1, "'//' is not supported"),
        ("(1 + 2", 7, "expected ')'"),
    ],
)
def test_a_bad_expression_names_the_character_where_it_goes_wrong(
    text: str, position: int, fragment: str
) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert fragment in str(caught.value)
    assert caught.value.problems[0].details["position"] == position


def test_a_hostile_expression_is_refused_quickly() -> None:
    with pytest.raises(ExpressionError, match="deeper than 64"):
        parse_expression("(" * 500 + "1" + ")" * 500)
    with pytest.raises(ExpressionError, match="deeper than 64"):
        parse_expression("-" * 500 + "1")
    with pytest.raises(ExpressionError, match="longer than"):
        parse_expression("1 + " * 5_000 + "1")
    with pytest.raises(ExpressionError, match="deeper than 64"):
        parse_expression("not(" * 100 + "1" + ")" * 100)


def test_python_code_is_just_an_unknown_function() -> None:
    with pytest.raises(ExpressionError):
        parse_expression("__import__('os').system('true')")


# --- property: the evaluator agrees with an independent reference --------------------------

ARITHMETIC = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
}
COMPARISON = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def numbers() -> st.SearchStrategy[tuple[Any, ...]]:
    return st.integers(min_value=-50, max_value=50).map(lambda n: ("number", n))


def arithmetic_trees() -> st.SearchStrategy[tuple[Any, ...]]:
    return st.recursive(
        numbers() | st.sampled_from(["x", "y"]).map(lambda name: ("field", name)),
        lambda children: st.one_of(
            st.tuples(
                st.just("arith"),
                st.sampled_from(["+", "-", "*", "div", "mod"]),
                children,
                children,
            ),
            st.tuples(st.just("negate"), children),
        ),
        max_leaves=12,
    )


def boolean_trees() -> st.SearchStrategy[tuple[Any, ...]]:
    comparisons = st.tuples(
        st.just("compare"),
        st.sampled_from(sorted(COMPARISON)),
        arithmetic_trees(),
        arithmetic_trees(),
    )
    return st.recursive(
        comparisons | st.booleans().map(lambda b: ("boolean", b)),
        lambda children: st.one_of(
            st.tuples(st.sampled_from(["and", "or"]), children, children),
            st.tuples(st.just("not"), children),
        ),
        max_leaves=8,
    )


def render(tree: tuple[Any, ...]) -> str:
    kind = tree[0]
    if kind == "number":
        return str(tree[1]) if tree[1] >= 0 else f"(-{-tree[1]})"
    if kind == "field":
        return "${" + tree[1] + "}"
    if kind == "boolean":
        return "true()" if tree[1] else "false()"
    if kind == "arith":
        return f"({render(tree[2])} {tree[1]} {render(tree[3])})"
    if kind == "negate":
        return f"-({render(tree[1])})"
    if kind == "compare":
        return f"({render(tree[2])} {tree[1]} {render(tree[3])})"
    if kind in ("and", "or"):
        return f"({render(tree[1])} {kind} {render(tree[2])})"
    return f"not({render(tree[1])})"


def reference(tree: tuple[Any, ...], values: dict[str, float]) -> Any:
    """IEEE doubles via numpy and Python's operator module: independent of impactkit."""
    kind = tree[0]
    if kind == "number":
        return np.float64(tree[1])
    if kind == "field":
        return np.float64(values[tree[1]])
    if kind == "boolean":
        return tree[1]
    if kind == "negate":
        return -reference(tree[1], values)
    if kind == "arith":
        a = reference(tree[2], values)
        b = reference(tree[3], values)
        with np.errstate(all="ignore"):
            if tree[1] == "div":
                return np.true_divide(a, b)
            if tree[1] == "mod":
                return np.fmod(a, b)
            return ARITHMETIC[tree[1]](a, b)
    if kind == "compare":
        return bool(COMPARISON[tree[1]](reference(tree[2], values), reference(tree[3], values)))
    if kind == "and":
        return bool(reference(tree[1], values)) and bool(reference(tree[2], values))
    if kind == "or":
        return bool(reference(tree[1], values)) or bool(reference(tree[2], values))
    return not reference(tree[1], values)


def same(a: Any, b: Any) -> bool:
    if isinstance(a, bool | np.bool_) or isinstance(b, bool | np.bool_):
        return bool(a) == bool(b) and type(bool(a)) is type(bool(b))
    a, b = float(a), float(b)
    return (math.isnan(a) and math.isnan(b)) or a == b


field_values = st.fixed_dictionaries(
    {"x": st.integers(-20, 20).map(float), "y": st.integers(-20, 20).map(float)}
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(tree=arithmetic_trees(), values=field_values)
def test_arithmetic_agrees_with_ieee_doubles(tree: tuple[Any, ...], values: dict[str, float]) -> None:
    result = parse_expression(render(tree)).evaluate(values)
    assert same(result, reference(tree, values)), render(tree)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(tree=boolean_trees(), values=field_values)
def test_boolean_logic_agrees_with_python(tree: tuple[Any, ...], values: dict[str, float]) -> None:
    result = parse_expression(render(tree)).evaluate(values)
    assert result is reference(tree, values), render(tree)


# --- property: evaluate and evaluate_frame agree -------------------------------------------

maybe_number = st.one_of(st.none(), st.integers(-5, 5).map(float))
maybe_text = st.one_of(
    st.none(),
    st.sampled_from(["", "a", "b", "a b", "b c a", "3", "x y"]),
)

frame_expressions = st.sampled_from(
    [
        "${x} + ${y} * 2",
        "${x} div ${y}",
        "${x} mod ${y}",
        "-${x}",
        "${x} = ${y}",
        "${x} = ''",
        "${x} != ''",
        "${x} < 3 or ${y} >= 1",
        "not(${x} > 0) and ${y} != 2",
        "if(${x} > 0, ${x}, ${y})",
        "if(${x} > 0, 'positive', ${s})",
        "selected(${s}, 'a')",
        "count-selected(${s}) + 1",
        "coalesce(${s}, 'none')",
        "number(${s}) + 1",
        "int(${x} div 2)",
        "round(${x} div 4)",
        "string-length(${s})",
        "contains(${s}, 'b')",
        "${s} = 'a b'",
        "${s} = ${x}",
        "${s} > 2",
        "concat(${s}, '-', ${x})",
        "abs(${x}) + floor(${y} div 3)",
        "${x}",
        "${s}",
        "3 > 2",
        "'constant'",
    ]
)


def cells_equal(a: Any, b: Any) -> bool:
    a = None if a is pd.NA else a
    if a is None or b is None:
        return (a is None or a == "" or (isinstance(a, float) and math.isnan(a))) and (
            b is None or b == "" or (isinstance(b, float) and math.isnan(b))
        )
    if isinstance(a, float | np.floating) and isinstance(b, float | np.floating):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return bool(a == b)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=frame_expressions,
    rows=st.lists(st.tuples(maybe_number, maybe_number, maybe_text), min_size=1, max_size=8),
    text_dtype=st.sampled_from([object, "str"]),
    number_dtype=st.sampled_from(["float64", "Int64"]),
)
def test_evaluating_a_table_agrees_with_evaluating_each_row(
    text: str, rows: list[tuple[Any, Any, Any]], text_dtype: Any, number_dtype: str
) -> None:
    frame = pd.DataFrame(
        {
            "x": pd.Series([r[0] for r in rows], dtype="float64").astype(number_dtype),
            "y": pd.Series([r[1] for r in rows], dtype="float64"),
            "s": pd.Series([r[2] for r in rows], dtype=text_dtype),
        }
    )
    expression = parse_expression(text)
    column = expression.evaluate_frame(frame)
    assert len(column) == len(rows)
    for position, (x, y, s) in enumerate(rows):
        expected = expression.evaluate({"x": x, "y": y, "s": s})
        actual = column.iloc[position]
        if isinstance(actual, np.generic):
            actual = actual.item()
        assert cells_equal(actual, expected), (text, (x, y, s), actual, expected)


def test_evaluating_a_table_names_what_it_cannot_do() -> None:
    frame = pd.DataFrame({"x": [1.0]})
    with pytest.raises(ExpressionError, match=r"today\(\)"):
        parse_expression("today() - ${x}").evaluate_frame(frame)
    with pytest.raises(ExpressionError, match="no column 'age'"):
        parse_expression("${age} > 3").evaluate_frame(frame)


def test_evaluating_a_large_table_keeps_numbers_numeric() -> None:
    frame = pd.DataFrame({"age": np.arange(100_000, dtype="float64")})
    youth = parse_expression("${age} >= 15 and ${age} <= 35").evaluate_frame(frame)
    assert youth.dtype == bool
    assert int(youth.sum()) == 21
    doubled = parse_expression("if(${age} > 10, ${age} * 2, 0)").evaluate_frame(frame)
    assert doubled.dtype == "float64"
    assert doubled.iloc[11] == 22.0
