"""Expression trees compiled once into nested closures, so evaluating one is a chain of calls.

The choices an interpreter makes on every visit of a node (which kind of node, which
operator, which function) are made once, here. Nothing is handed to Python's ``eval`` or
``compile``: each closure calls the XPath value semantics of ``_xpath_values`` and the
function library of ``_xpath_functions``, in the order a walk of the tree would.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from impactkit.errors import ExpressionError, Problem
from impactkit.surveys._tree import Binary, Call, Current, Literal, Negate, Node, Parent, Reference
from impactkit.surveys._xpath_functions import FUNCTIONS, Environment, FunctionSpec, regex_matcher
from impactkit.surveys._xpath_values import (
    arithmetic,
    compare,
    split_selection,
    to_bool,
    to_number,
    to_string,
)

MAX_STEPS = 100_000
"""Most function calls (each read of a node-set included) one evaluation may make."""

Evaluator = Callable[[Environment], Any]
"""A compiled node: called with the running evaluation's environment, it returns the value."""

_ORDERINGS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_TRUTH_OPERATORS = frozenset({"and", "or", "=", "!=", *_ORDERINGS})
_TRUTH_FUNCTIONS = frozenset(
    {
        "not",
        "boolean",
        "boolean-from-string",
        "true",
        "false",
        "selected",
        "contains",
        "starts-with",
        "ends-with",
        "regex",
    }
)
"""Functions that always return a bool."""
_SIMPLE_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
}


def compile_tree(node: Node) -> Evaluator:
    """The evaluator of ``node``: call it with an :class:`Environment` to get the node's value."""
    if isinstance(node, Literal):
        return _constant(node.value)
    if isinstance(node, Reference):
        return _path(node.name) if node.path else _reference(node.name)
    if isinstance(node, Current):
        return _current
    if isinstance(node, Parent):
        return _constant(None)  # only meaningful as position(..)'s argument
    if isinstance(node, Negate):
        return _negate(compile_tree(node.operand))
    if isinstance(node, Binary):
        return _binary(node)
    return _call(node)


def _step_limit() -> ExpressionError:
    return ExpressionError(
        f"evaluation took more than {MAX_STEPS} steps",
        problems=[Problem("evaluation step limit reached", code="expression_limit")],
    )


# --- values --------------------------------------------------------------------------------


def _constant(value: Any) -> Evaluator:
    def constant(environment: Environment) -> Any:
        return value

    return constant


def _reference(name: str) -> Evaluator:
    def reference(environment: Environment) -> Any:
        return environment.context.values.get(name)

    return reference


def _path(name: str) -> Evaluator:
    """A bare name or path: a column of the choice being filtered, else the field."""

    def path(environment: Environment) -> Any:
        context = environment.context
        nodes = context.nodes
        return context.values.get(name) if nodes is None else nodes.get(name)

    return path


def _current(environment: Environment) -> Any:
    return environment.context.current


def _negate(operand: Evaluator) -> Evaluator:
    def negate(environment: Environment) -> float:
        return -to_number(operand(environment))

    return negate


# --- operators -----------------------------------------------------------------------------


def _binary(node: Binary) -> Evaluator:
    symbol = node.operator
    left, right = compile_tree(node.left), compile_tree(node.right)
    if symbol == "and":
        return _and(left, right, truths=_gives_truth(node.left) and _gives_truth(node.right))
    if symbol == "or":
        return _or(left, right, truths=_gives_truth(node.left) and _gives_truth(node.right))
    if symbol in ("=", "!="):
        equality = _equality(node.left, node.right, left, right)
        return equality if symbol == "=" else _not(equality)
    if symbol in _ORDERINGS:
        return _ordering(_ORDERINGS[symbol], node.left, node.right, left, right)
    if symbol in _SIMPLE_ARITHMETIC:
        return _simple_arithmetic(_SIMPLE_ARITHMETIC[symbol], left, right)

    def other(environment: Environment) -> float:
        return arithmetic(symbol, left(environment), right(environment))

    return other


def _gives_truth(node: Node) -> bool:
    """True when the node's value is always a bool, so boolean() would leave it as it is."""
    if isinstance(node, Binary):
        return node.operator in _TRUTH_OPERATORS
    return isinstance(node, Call) and node.name in _TRUTH_FUNCTIONS


def _and(left: Evaluator, right: Evaluator, *, truths: bool) -> Evaluator:
    """``and``; when both sides give bools (``. >= 14 and . <= 110``) they need no boolean()."""

    def both(environment: Environment) -> bool:
        return to_bool(left(environment)) and to_bool(right(environment))

    def both_truths(environment: Environment) -> bool:
        return left(environment) and right(environment)  # type: ignore[no-any-return]

    return both_truths if truths else both


def _or(left: Evaluator, right: Evaluator, *, truths: bool) -> Evaluator:
    def either(environment: Environment) -> bool:
        return to_bool(left(environment)) or to_bool(right(environment))

    def either_truth(environment: Environment) -> bool:
        return left(environment) or right(environment)  # type: ignore[no-any-return]

    return either_truth if truths else either


def _not(test: Evaluator) -> Evaluator:
    def negated(environment: Environment) -> bool:
        return not test(environment)

    return negated


def _equality(left_node: Node, right_node: Node, left: Evaluator, right: Evaluator) -> Evaluator:
    """XPath ``=``; two strings (the usual ``${consent} = 'yes'``) compare without coercion."""
    if isinstance(right_node, Literal) and isinstance(right_node.value, str):
        if isinstance(left_node, Reference) and not left_node.path:
            return _field_equals_text(left_node.name, right_node.value)
        return _equals_text(left, right_node.value, text_first=False)
    if isinstance(left_node, Literal) and isinstance(left_node.value, str):
        return _equals_text(right, left_node.value, text_first=True)

    def equals(environment: Environment) -> bool:
        a = left(environment)
        b = right(environment)
        if type(a) is str and type(b) is str:
            return a == b
        return compare("=", a, b)

    return equals


def _field_equals_text(name: str, text: str) -> Evaluator:
    """``${name} = 'text'``, the relevance rule of nearly every form."""

    def field_equals_text(environment: Environment) -> bool:
        value = environment.context.values.get(name)
        if type(value) is str:
            return value == text
        return compare("=", value, text)

    return field_equals_text


def _equals_text(other: Evaluator, text: str, *, text_first: bool) -> Evaluator:
    def equals_text(environment: Environment) -> bool:
        value = other(environment)
        if type(value) is str:
            return value == text
        return compare("=", text, value) if text_first else compare("=", value, text)

    return equals_text


def _ordering(
    test: Callable[[float, float], bool],
    left_node: Node,
    right_node: Node,
    left: Evaluator,
    right: Evaluator,
) -> Evaluator:
    """``<`` ``<=`` ``>`` ``>=`` compare numbers; a literal side is converted once, here."""
    if isinstance(right_node, Literal):
        bound = to_number(right_node.value)

        def current_against_right(environment: Environment) -> bool:
            return test(to_number(environment.context.current), bound)

        if isinstance(left_node, Current):  # a constraint such as ``. <= 120``
            return current_against_right

        def against_right(environment: Environment) -> bool:
            return test(to_number(left(environment)), bound)

        return against_right
    if isinstance(left_node, Literal):
        start = to_number(left_node.value)

        def against_left(environment: Environment) -> bool:
            return test(start, to_number(right(environment)))

        return against_left

    def ordered(environment: Environment) -> bool:
        return test(to_number(left(environment)), to_number(right(environment)))

    return ordered


def _simple_arithmetic(
    apply: Callable[[float, float], float], left: Evaluator, right: Evaluator
) -> Evaluator:
    """``+`` ``-`` ``*`` on doubles (div and mod have their own rules in ``arithmetic``)."""

    def applied(environment: Environment) -> float:
        return apply(to_number(left(environment)), to_number(right(environment)))

    return applied


# --- function calls ------------------------------------------------------------------------


def _call(node: Call) -> Evaluator:
    if node.name == "if":
        condition, when_true, when_false = (compile_tree(argument) for argument in node.arguments)
        return _if(condition, when_true, when_false)
    shortcut = _shortcut(node)
    if shortcut is not None:
        return shortcut
    spec = FUNCTIONS[node.name]
    arguments = [_argument(spec, position, argument) for position, argument in enumerate(node.arguments)]
    implementation = spec.implementation
    if len(arguments) == 1:
        (only,) = arguments

        def call_one(environment: Environment) -> Any:
            environment.steps += 1
            if environment.steps > MAX_STEPS:
                raise _step_limit()
            return implementation(environment, [only(environment)])

        return call_one
    if len(arguments) == 2:
        first, second = arguments

        def call_two(environment: Environment) -> Any:
            environment.steps += 1
            if environment.steps > MAX_STEPS:
                raise _step_limit()
            return implementation(environment, [first(environment), second(environment)])

        return call_two

    def call(environment: Environment) -> Any:
        environment.steps += 1
        if environment.steps > MAX_STEPS:
            raise _step_limit()
        return implementation(environment, [argument(environment) for argument in arguments])

    return call


def _shortcut(node: Call) -> Evaluator | None:
    """The calls forms make on nearly every question, their constant work done once here:
    ``not(...)``, ``selected(..., 'choice')`` and ``regex(..., 'pattern')``."""
    arguments = node.arguments
    if node.name == "not":
        return _negation(compile_tree(arguments[0]), truth=_gives_truth(arguments[0]))
    if len(arguments) != 2 or not isinstance(arguments[1], Literal):
        return None
    if node.name == "selected":
        return _selected(compile_tree(arguments[0]), to_string(arguments[1].value).strip())
    if node.name == "regex":
        return _matching(compile_tree(arguments[0]), regex_matcher(to_string(arguments[1].value)))
    return None


def _negation(operand: Evaluator, *, truth: bool) -> Evaluator:
    def negation(environment: Environment) -> bool:
        environment.steps += 1
        if environment.steps > MAX_STEPS:
            raise _step_limit()
        return not to_bool(operand(environment))

    def truth_negation(environment: Environment) -> bool:
        environment.steps += 1
        if environment.steps > MAX_STEPS:
            raise _step_limit()
        return not operand(environment)

    return truth_negation if truth else negation


def _selected(selection: Evaluator, choice: str) -> Evaluator:
    def selected(environment: Environment) -> bool:
        environment.steps += 1
        if environment.steps > MAX_STEPS:
            raise _step_limit()
        return choice in split_selection(selection(environment))

    return selected


def _matching(subject: Evaluator, matches: Callable[[str], bool]) -> Evaluator:
    def matching(environment: Environment) -> bool:
        environment.steps += 1
        if environment.steps > MAX_STEPS:
            raise _step_limit()
        return matches(to_string(subject(environment)))

    return matching


def _if(condition: Evaluator, when_true: Evaluator, when_false: Evaluator) -> Evaluator:
    """``if()`` evaluates only the branch it takes."""

    def choose(environment: Environment) -> Any:
        environment.steps += 1
        if environment.steps > MAX_STEPS:
            raise _step_limit()
        return when_true(environment) if to_bool(condition(environment)) else when_false(environment)

    return choose


def _argument(spec: FunctionSpec, position: int, node: Node) -> Evaluator:
    compiled = compile_tree(node)
    if position in spec.nodeset_args and isinstance(node, Reference):
        return _nodeset(node.name, compiled)
    return compiled


def _nodeset(name: str, alone: Evaluator) -> Evaluator:
    """A field given to sum(), count()...: every repeat instance's value when the caller can
    collect them, else the field's own value."""

    def nodeset(environment: Environment) -> Any:
        collect = environment.context.collect
        if collect is None:
            return alone(environment)
        environment.steps += 1
        if environment.steps > MAX_STEPS:
            raise _step_limit()
        return collect(name)

    return nodeset
