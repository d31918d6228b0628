"""The tree-walking interpreter expressions used before they were compiled into closures.

Kept as an oracle: property tests check that compiled evaluation gives the same values and
the same errors. It counts a step per node visited, where the compiled form counts a step
per function call; no expression of legal length reaches either limit.
"""

from __future__ import annotations

from typing import Any

from impactkit.errors import ExpressionError, Problem
from impactkit.surveys._xpath_functions import FUNCTIONS, Environment
from impactkit.surveys._xpath_values import arithmetic, compare, to_bool, to_number
from impactkit.surveys.expressions import (
    MAX_STEPS,
    Binary,
    Call,
    Current,
    EvaluationContext,
    Literal,
    Negate,
    Node,
    Reference,
)

_COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})


def evaluate_by_walking(tree: Node, context: EvaluationContext) -> Any:
    """The value of ``tree`` in ``context``, found by walking the tree node by node."""
    return _evaluate(tree, Environment(context))


def _step(environment: Environment) -> None:
    environment.steps += 1
    if environment.steps > MAX_STEPS:
        raise ExpressionError(
            f"evaluation took more than {MAX_STEPS} steps",
            problems=[Problem("evaluation step limit reached", code="expression_limit")],
        )


def _evaluate(node: Node, environment: Environment) -> Any:
    _step(environment)
    if isinstance(node, Reference):
        context = environment.context
        if node.path and context.nodes is not None:
            return context.nodes.get(node.name)
        return context.values.get(node.name)
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Binary):
        if node.operator == "and":
            return to_bool(_evaluate(node.left, environment)) and to_bool(_evaluate(node.right, environment))
        if node.operator == "or":
            return to_bool(_evaluate(node.left, environment)) or to_bool(_evaluate(node.right, environment))
        left = _evaluate(node.left, environment)
        right = _evaluate(node.right, environment)
        if node.operator in _COMPARISONS:
            return compare(node.operator, left, right)
        return arithmetic(node.operator, left, right)
    if isinstance(node, Call):
        return _call(node, environment)
    if isinstance(node, Negate):
        return -to_number(_evaluate(node.operand, environment))
    if isinstance(node, Current):
        return environment.context.current
    return None  # Parent: only meaningful as position(..)'s argument


def _call(node: Call, environment: Environment) -> Any:
    if node.name == "if":
        condition = to_bool(_evaluate(node.arguments[0], environment))
        return _evaluate(node.arguments[1 if condition else 2], environment)
    spec = FUNCTIONS[node.name]
    arguments: list[Any] = []
    for position, argument in enumerate(node.arguments):
        if (
            position in spec.nodeset_args
            and isinstance(argument, Reference)
            and environment.context.collect is not None
        ):
            _step(environment)
            arguments.append(environment.context.collect(argument.name))
        else:
            arguments.append(_evaluate(argument, environment))
    return spec.implementation(environment, arguments)
