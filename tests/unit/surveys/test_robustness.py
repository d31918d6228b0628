"""Hostile or broken input gets a clear refusal, never a crash (the API must never answer 500)."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impactkit.errors import ExpressionError, FormError, ResponseError
from impactkit.surveys import Choice, Field, Form, Group, Repeat, load_xlsform, parse_expression
from impactkit.surveys._xpath_functions import FUNCTIONS

ATOMS = [
    "${a}",
    "${b}",
    "${s}",
    ".",
    "1",
    "0",
    "-1",
    "2.5",
    "'x'",
    "(1 div 0)",
    "(-1 div 0)",
    "''",
    "'2024-02-29'",
    "'a b'",
    "1797693134862315700000000000000000000000000000000000000000000000000000000000000000000",
    "true()",
    "today()",
    "zone",
    "../b",
]


@st.composite
def expression_texts(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 3 or draw(st.booleans()):
        return draw(st.sampled_from(ATOMS))
    choice = draw(st.integers(0, 2))
    if choice == 0:
        operator = draw(st.sampled_from(["+", "-", "*", "div", "mod", "=", "!=", "<", ">=", "and", "or"]))
        return f"({draw(expression_texts(depth + 1))} {operator} {draw(expression_texts(depth + 1))})"
    name = draw(st.sampled_from(sorted(FUNCTIONS)))
    spec = FUNCTIONS[name]
    count = draw(
        st.integers(spec.min_args, spec.max_args if spec.max_args is not None else spec.min_args + 2)
    )
    arguments = [draw(expression_texts(depth + 1)) for _ in range(count)]
    if name == "regex" and len(arguments) == 2:
        arguments[1] = draw(st.sampled_from(["'^a+$'", "'[0-9]{3}'", "${s}"]))
    if name == "indexed-repeat":  # a field, then a repeat and an index per level
        arguments = ["${a}", "${s}", arguments[-1]]
    return f"{name}({', '.join(arguments)})"


values = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.sampled_from(["a", "b"]), max_size=3),
    st.dates(),
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(text=expression_texts(), a=values, b=values, s=values, current=values)
def test_any_well_formed_expression_evaluates_or_raises_expression_error(
    text: str, a: Any, b: Any, s: Any, current: Any
) -> None:
    expression = parse_expression(text)
    from impactkit.surveys import EvaluationContext

    context = EvaluationContext(
        values={"a": a, "b": b, "s": s}, current=current, position=1, today=date(2026, 1, 1)
    )
    try:
        result = expression.evaluate(context)
    except ExpressionError as error:
        assert error.message
    else:
        assert result is None or isinstance(result, str | int | float | bool | date | list)


@pytest.mark.parametrize(
    "text",
    [
        "substr('abc', 1 div 0)",
        "substr('abc', -1 div 0, 1 div 0)",
        "selected-at('a b', 1 div 0)",
        "indexed-repeat(${x}, ${r}, 1 div 0)",
    ],
)
def test_an_infinite_position_is_beyond_every_end_not_a_crash(text: str) -> None:
    assert parse_expression(text).evaluate({"a": "x", "r": [{"x": "y"}]}) in ("", "abc")


def test_an_infinite_repeat_count_checks_nothing_and_does_not_crash() -> None:
    from impactkit.surveys import validate_response

    form = Form(
        form_id="f",
        version="1",
        title="f",
        children=[Repeat(name="r", repeat_count="1 div 0", children=[Field(name="x", type="text")])],
    )
    assert validate_response(form, {"r": [{"x": "a"}]}) == {"r": [{"x": "a"}]}


@settings(max_examples=400)
@given(text=st.text(max_size=60))
def test_any_text_parses_or_raises_expression_error(text: str) -> None:
    try:
        parse_expression(text)
    except ExpressionError as error:
        assert error.problems


@settings(max_examples=100)
@given(data=st.binary(max_size=2_000))
def test_any_bytes_import_or_raise_form_error(data: bytes) -> None:
    with pytest.raises(FormError):
        load_xlsform(data, filename="upload.xlsx")


@settings(max_examples=100)
@given(data=st.binary(max_size=500))
def test_a_zip_that_is_not_a_workbook_is_a_form_error(data: bytes) -> None:
    import zipfile
    from io import BytesIO

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", data)
    with pytest.raises(FormError):
        load_xlsform(buffer.getvalue(), filename="upload.xlsx")


FORM = Form(
    form_id="robust",
    version="1",
    title="Robust",
    children=[
        Field(name="n", type="integer", constraint=". > 0", required="${t} = 'x'"),
        Field(name="d", type="decimal"),
        Field(name="t", type="text"),
        Field(name="when", type="date"),
        Field(name="at", type="datetime"),
        Field(name="clock", type="time"),
        Field(name="pick", type="select_one", list_name="l", choice_filter="name != ${t}"),
        Field(name="picks", type="select_multiple", list_name="l"),
        Field(name="spot", type="geopoint"),
        Field(name="ok", type="acknowledge"),
        Field(name="score", type="range", parameters={"start": "1", "end": "5"}),
        Field(name="c", type="calculate", calculation="${n} div ${d}"),
        Group(name="g", relevant="${n} > 2", children=[Field(name="inner", type="text")]),
        Repeat(name="r", repeat_count="${n}", children=[Field(name="item", type="integer")]),
    ],
    choices={"l": [Choice(name="x"), Choice(name="y")]},
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=15),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["item", "x", "n"]), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    answers=st.dictionaries(
        st.sampled_from(
            [
                "n",
                "d",
                "t",
                "when",
                "at",
                "clock",
                "pick",
                "picks",
                "spot",
                "ok",
                "score",
                "c",
                "inner",
                "r",
                "zzz",
            ]
        ),
        json_values,
        max_size=8,
    )
)
def test_any_json_answers_validate_or_raise_response_error(answers: dict[str, Any]) -> None:
    try:
        clean = validate(answers)
    except ResponseError as error:
        assert error.problems
        assert all(p.location.startswith("answers") for p in error.problems)
    else:
        assert all(not (isinstance(v, float) and math.isnan(v)) for v in clean.values())


def validate(answers: dict[str, Any]) -> dict[str, Any]:
    from impactkit.surveys import validate_response

    return validate_response(FORM, answers, today=date(2026, 1, 1))
