"""Expressions compiled into closures give exactly what walking their tree gives."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impactkit.errors import ExpressionError
from impactkit.surveys import EvaluationContext, parse_expression
from tests.unit.surveys.reference_interpreter import evaluate_by_walking
from tests.unit.surveys.test_robustness import expression_texts, values


def outcome(evaluate: Callable[[], Any]) -> tuple[str, Any]:
    """What an evaluation gives, comparable with ==: NaN equals NaN, types count."""
    try:
        value = evaluate()
    except ExpressionError as error:
        return ("refused", error.message)
    except Exception as error:
        return ("raised", type(error).__name__)
    if isinstance(value, float) and math.isnan(value):
        return ("NaN", None)
    return (type(value).__name__, value)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=expression_texts(),
    a=values,
    b=values,
    s=values,
    current=values,
    instances=st.lists(values, max_size=3),
    zone=st.one_of(st.none(), values),
    can_collect=st.booleans(),
)
def test_compiled_evaluation_agrees_with_walking_the_tree(
    text: str,
    a: Any,
    b: Any,
    s: Any,
    current: Any,
    instances: list[Any],
    zone: Any,
    can_collect: bool,
) -> None:
    answers = {"a": a, "b": b, "s": s}

    def collect(name: str) -> list[Any]:
        return list(instances) if name == "s" else [answers[name]] if name in answers else []

    context = EvaluationContext(
        values=answers,
        current=current,
        position=2,
        today=date(2026, 1, 1),
        now=datetime(2026, 1, 1, 9, 30),
        collect=collect if can_collect else None,
        choice_label=lambda field, choice: f"label of {choice}",
        nodes=None if zone is None else {"zone": zone},
    )
    expression = parse_expression(text)
    compiled = outcome(lambda: expression.evaluate(context))
    assert compiled == outcome(lambda: evaluate_by_walking(expression.tree, context)), text


@pytest.mark.parametrize(
    ("text", "answers", "current"),
    [
        ("${consent} = 'yes'", {"consent": "yes"}, None),
        ("${consent} = 'yes'", {"consent": True}, None),
        ("'yes' != ${consent}", {"consent": True}, None),
        ("${age} = 30", {"age": "30"}, None),
        ("${age} >= 15 and ${age} < '18'", {"age": 17}, None),
        ("3 < ${age}", {"age": None}, None),
        (". >= 14 and . <= 110", {}, 30),
        (". <= 120", {}, "2024-01-01"),
        ("not(selected(., 'none') and count-selected(.) > 1)", {}, ["none", "work"]),
        ("not(${a})", {"a": ""}, None),
        ("selected(${s}, 1) or selected(${s}, ' b ')", {"s": "1 b"}, None),
        ("regex(., '^[A-Z0-9]{2,8}-[0-9]{1,6}$')", {}, "TO-0042"),
        ("regex(${code}, '^(a+)+$')", {"code": "a" * 20 + "!"}, None),
        ("${a} - ${b} * 2 + -${a}", {"a": "2024-01-03", "b": 1}, None),
        ("count(${s}) + sum(${s})", {"s": [1, 2]}, None),
        ("if(${a} > 1, concat('big ', ${a}), 'small')", {"a": 2}, None),
    ],
)
def test_the_shortcuts_of_the_compiler_keep_xpath_semantics(
    text: str, answers: dict[str, Any], current: Any
) -> None:
    expression = parse_expression(text)
    context = EvaluationContext(values=answers, current=current)
    assert outcome(lambda: expression.evaluate(context)) == outcome(
        lambda: evaluate_by_walking(expression.tree, context)
    )


def test_an_evaluation_stops_at_its_step_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("impactkit.surveys._compiler.MAX_STEPS", 3)
    expression = parse_expression("concat(concat('a'), concat('b'), concat('c'))")
    with pytest.raises(ExpressionError, match="more than 3 steps") as caught:
        expression.evaluate({})
    assert caught.value.problems[0].code == "expression_limit"
    assert parse_expression("concat(concat('a'), concat('b'))").evaluate({}) == "ab"
