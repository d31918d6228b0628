"""The tree-walking interpreter expressions used before they were compiled into closures.

Kept as an oracle: property tests check that compiled evaluation gives the same values and
the same errors. It counts a step per node visited, where the compiled form counts a step
per function call; no expression of legal length reaches either limit. Paths, node-sets and
the functions that walk the answers tree (position(), indexed-repeat(), once()) are not its
business: it hands them to the compiled form, and checks the operators and functions around.
"""

from __future__ import annotations

from typing import Any

from impactkit.errors import ExpressionError, Problem
from impactkit.surveys._compiler import compile_tree
from impactkit.surveys._xpath_functions import FUNCTIONS, Environment
from impactkit.surveys._xpath_nodes import unpack
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
    Path,
    Reference,
)

_DELEGATED_CALLS = frozenset({"position", "indexed-repeat", "once"})

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
    if isinstance(node, Reference) and not node.in_predicate:
        return environment.context.values.get(node.name)
    delegated = (
        isinstance(node, Reference)
        or (isinstance(node, Call) and node.name in _DELEGATED_CALLS)
        or not isinstance(node, Literal | Binary | Call | Negate | Current)
    )
    if delegated:
        return compile_tree(node)(environment)
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
    assert isinstance(node, Current)
    return environment.context.current


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
        elif position in spec.nodeset_args and isinstance(argument, Path | Reference):
            arguments.append(_nodes(argument, environment))
        else:
            value = _evaluate(argument, environment)
            arguments.append(value if position in spec.nodeset_args else unpack(value))
    return spec.implementation(environment, arguments)


def _nodes(path: Path | Reference, environment: Environment) -> Any:
    from impactkit.surveys._compiler import compile_nodes

    return compile_nodes(path)(environment)
