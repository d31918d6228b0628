"""Expression trees compiled once into nested closures, so evaluating one is a chain of calls.

The choices an interpreter makes on every visit of a node (which kind of node, which
operator, which function) are made once, here. Nothing is handed to Python's ``eval`` or
``compile``: each closure calls the XPath value semantics of ``_xpath_values`` and the
function library of ``_xpath_functions``, in the order a walk of the tree would.
"""

from __future__ import annotations

import math
import operator
import sys
from collections.abc import Callable
from typing import Any

from impactkit.errors import ExpressionError, Problem
from impactkit.surveys._tree import (
    Binary,
    Call,
    Current,
    Instance,
    LastSaved,
    Literal,
    Negate,
    Node,
    Path,
    Reference,
)
from impactkit.surveys._xpath_functions import FUNCTIONS, Environment, FunctionSpec, regex_matcher
from impactkit.surveys._xpath_nodes import (
    REPEAT,
    Container,
    Document,
    Element,
    Leaf,
    Location,
    MappingContainer,
    NodeSet,
    Secondary,
    XNode,
    apply_predicates,
    children_named,
    container_chain,
    distinct,
    locate,
    node_container,
    parent_of,
    position_of,
    relative_steps,
    resolve,
    unpack,
    walk_steps,
)
from impactkit.surveys._xpath_values import (
    arithmetic,
    compare,
    is_empty,
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
    """The evaluator of ``node``: call it with an :class:`Environment` to get the node's value
    (a node-set is unpacked into one value, as ODK Collect does)."""
    if isinstance(node, Literal):
        return _constant(node.value)
    if isinstance(node, Reference):
        if node.in_predicate and not node.anchored:
            return _predicate_reference(node.name)
        return _reference(node.name)
    if isinstance(node, Current):
        return _current
    if isinstance(node, Negate):
        return _negate(compile_tree(node.operand))
    if isinstance(node, Binary):
        return _binary(node)
    if isinstance(node, Call):
        return _call(node)
    if isinstance(node, Path) and not node.base and not node.base_predicates and len(node.steps) == 1:
        step = node.steps[0]
        if step.axis == "child" and not step.predicates and step.name is not None:
            return _bare_name(step.name, _nodes(node))
    return _unpacked(_nodes(node))


def compile_nodes(node: Node) -> Evaluator:
    """The evaluator of ``node`` as a node-set, where a function takes one (count(), sum()...):
    a :class:`NodeSet` for paths, ``${name}`` and instance(); any other node's plain value."""
    if isinstance(node, Path | Instance | LastSaved):
        nodes = _nodes(node)
        return lambda environment: NodeSet(nodes(environment))
    if isinstance(node, Reference):
        return _nodeset(node, compile_tree(node))
    return compile_tree(node)


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
    """``${name}``: the nearest answer. A name that is in no repeat around the expression is
    found through the answers tree (every instance's answer, unpacked as ODK Collect does)."""

    def reference(environment: Environment) -> Any:
        context = environment.context
        value = context.values.get(name)
        if value is None:
            document = context.document
            if document is not None and name in document.foreign:
                return unpack(NodeSet(_absolute(environment, name, document)))
        return value

    return reference


def _predicate_reference(name: str) -> Evaluator:
    """``${name}`` inside a predicate: read from the node being filtered (see ``_from_focus``)."""
    nearest = _reference(name)

    def predicate_reference(environment: Environment) -> Any:
        focus = environment.focus
        if focus is None:
            return nearest(environment)
        return unpack(NodeSet(_from_focus(environment, name, focus)))

    return predicate_reference


def _bare_name(name: str, general: Evaluator) -> Evaluator:
    """A bare name such as ``district``: in a choice_filter, the column of the choice being
    filtered; without a form, the answer of that name; else the child of the context node."""

    def bare_name(environment: Environment) -> Any:
        if environment.focus is None:
            context = environment.context
            columns = context.nodes
            if columns is not None:
                return columns.get(name)
            if context.document is None and context.node is None:
                return context.values.get(name)
        return unpack(NodeSet(general(environment)))

    return bare_name


def _unpacked(nodes: Evaluator) -> Evaluator:
    def unpacked(environment: Environment) -> Any:
        return unpack(NodeSet(nodes(environment)))

    return unpacked


# --- node-sets -----------------------------------------------------------------------------


def _container(environment: Environment) -> Container:
    """The container the expression runs in: the answers tree it was given, else one built
    from the plain answers (a form-less evaluation)."""
    context = environment.context
    document = context.document
    if document is not None:
        return document  # type: ignore[no-any-return]
    return MappingContainer(context.values, lists=context.lists)


def _context_node(environment: Environment) -> XNode:
    """The node the expression belongs to (a field, a group, a repeat instance, the root)."""
    context = environment.context
    node = context.node
    if node is not None:
        return node  # type: ignore[no-any-return]
    if context.nodes is not None:  # a choice_filter: the choice being filtered
        return Secondary("", [context.nodes], 2, 0)
    # Not told: as if the expression belonged to a question of the container (``..`` is then
    # the container, ``../zone`` its field zone).
    return Leaf(_container(environment), "")


def _absolute(environment: Environment, name: str, container: Container) -> list[XNode]:
    """``${name}`` as pyxform writes it (an absolute path), contextualised against ``container``."""
    location = locate(container, name)
    return [] if location is None else resolve(location, name, container)


def _source(environment: Environment) -> tuple[Location, str] | None:
    """Where the element the expression belongs to is, and its name (None at the root)."""
    node = environment.context.node
    if type(node) is Leaf:
        container, name, kind = node.container, node.name, "field"
    elif type(node) is Element and node.groups:
        container, name, kind = node.container, node.groups[-1], "group"
    elif type(node) is Element and node.container.repeat_name is not None:
        container, name, kind = node.container, node.container.repeat_name, REPEAT
    else:
        return None
    chain = container_chain(container)[1:]
    repeats = tuple((c.repeat_name or "", () if c.layout is None else c.layout.repeat_groups) for c in chain)
    layout = container.layout
    if kind == REPEAT:
        return Location(repeats, (), REPEAT), name
    if type(node) is Element:
        return Location(repeats, node.groups[:-1], kind), name
    groups = () if layout is None else layout.group_of.get(name, ())
    return Location(repeats, groups, kind), name


def _from_focus(environment: Environment, name: str, focus: XNode) -> list[XNode]:
    """``${name}`` in a predicate, as ODK Collect reads what pyxform writes there: when the field
    and the expression share a repeat, a relative path (``../name``) taken from the node being
    filtered; else the absolute path, contextualised against that node."""
    container = node_container(focus)
    if container is None:  # an item of a choice list: references read the answers
        answers = _container(environment)
        location = locate(answers, name)
        return [] if location is None else resolve(location, name, container_chain(answers)[0])
    target = locate(container, name)
    if target is None:
        return []
    if container.layout is not None:
        source = _source(environment)
        if source is not None:
            steps = relative_steps(source[0], source[1], target, name)
            if steps is not None:
                return walk_steps([focus], steps)
    return resolve(target, name, container)


def _secondary(environment: Environment, name: str) -> list[Any]:
    context = environment.context
    document = context.document
    items = (
        document.secondary(name)
        if document is not None
        else (None if context.lists is None else context.lists.get(name))
    )
    if items is None:
        message = f"instance('{name}') is not a choice list of the form"
        raise ExpressionError(message, problems=[Problem(message, code="expression_instance")])
    return items


def _start(base: Node | str | None) -> Callable[[Environment], list[XNode]]:
    """Where a path starts."""
    if base is None:

        def from_context(environment: Environment) -> list[XNode]:
            focus = environment.focus
            return [focus] if focus is not None else [_context_node(environment)]

        return from_context
    if base == "/":
        return lambda environment: [Document(container_chain(_container(environment))[0])]
    if isinstance(base, Reference):
        name, in_predicate, anchored = base.name, base.in_predicate, base.anchored

        def from_reference(environment: Environment) -> list[XNode]:
            focus = environment.focus
            if in_predicate and not anchored and focus is not None:
                return _from_focus(environment, name, focus)
            return _absolute(environment, name, _container(environment))

        return from_reference
    if isinstance(base, Current):
        return lambda environment: [_context_node(environment)]
    if isinstance(base, Instance):
        list_name = base.name
        return lambda environment: [Secondary(list_name, _secondary(environment, list_name), 0)]
    if isinstance(base, LastSaved):
        field_name = base.name

        def last_saved(environment: Environment) -> list[XNode]:
            saved = environment.context.last_saved
            if not saved:
                return []
            root = MappingContainer(saved)
            location = root.find(field_name)
            return [] if location is None else resolve(location, field_name, root, bind=False)

        return last_saved
    assert not isinstance(base, str)
    inner = compile_nodes(base)

    def from_expression(environment: Environment) -> list[XNode]:
        value = inner(environment)
        if type(value) is not NodeSet:
            message = "only a path, ${field}, current() or instance() can be followed by '/' or '[...]'"
            raise ExpressionError(message, problems=[Problem(message, code="expression_type")])
        return value.nodes

    return from_expression


def _nodes(node: Path | Instance | LastSaved) -> Callable[[Environment], list[XNode]]:
    """A path (or instance(), ${last-saved#...}) compiled to the function giving its nodes."""
    if not isinstance(node, Path):
        return _start(node)
    start = _start(node.base)
    base_predicates = [compile_tree(predicate) for predicate in node.base_predicates]
    steps = [
        (step.axis, step.name or "", [compile_tree(predicate) for predicate in step.predicates])
        for step in node.steps
    ]

    def nodes(environment: Environment) -> list[XNode]:
        current = start(environment)
        if base_predicates:
            current = apply_predicates(current, base_predicates, environment)
        for axis, name, predicates in steps:
            if axis == "child":
                current = [child for parent in current for child in children_named(parent, name)]
            elif axis == "parent":
                current = distinct([p for p in (parent_of(n) for n in current) if p is not None])
            environment.steps += len(current) + 1
            if environment.steps > MAX_STEPS:
                raise _step_limit()
            if predicates:
                current = apply_predicates(current, predicates, environment)
        return current

    return nodes


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
        if isinstance(left_node, Reference) and not left_node.in_predicate:
            return _field_equals_text(left_node.name, right_node.value, left)
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


def _field_equals_text(name: str, text: str, reference: Evaluator) -> Evaluator:
    """``${name} = 'text'``, the relevance rule of nearly every form."""

    def field_equals_text(environment: Environment) -> bool:
        value = environment.context.values.get(name)
        if type(value) is str:
            return value == text
        if value is None:
            value = reference(environment)  # not answered here: perhaps a repeat's answers
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
    special = _SPECIAL.get(node.name)
    if special is not None:
        return _budgeted(special(node))
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
    if position in spec.nodeset_args:
        return compile_nodes(node)
    return compile_tree(node)


def _nodeset(node: Reference, alone: Evaluator) -> Evaluator:
    """A field given to sum(), count()...: in an answers tree, the nodes ODK Collect finds for
    it; else every repeat instance's value when the caller can collect them; else the nodes
    found in the plain answers."""
    name = node.name
    in_predicate = node.in_predicate and not node.anchored

    def nodeset(environment: Environment) -> Any:
        context = environment.context
        environment.steps += 1
        if environment.steps > MAX_STEPS:
            raise _step_limit()
        document = context.document
        if document is not None:
            focus = environment.focus
            if in_predicate and focus is not None:
                return NodeSet(_from_focus(environment, name, focus))
            return NodeSet(_absolute(environment, name, document))
        collect = context.collect
        if collect is not None:
            return collect(name)
        return NodeSet(_absolute(environment, name, _container(environment)))

    return nodeset


def _budgeted(evaluator: Evaluator) -> Evaluator:
    def budgeted(environment: Environment) -> Any:
        environment.steps += 1
        if environment.steps > MAX_STEPS:
            raise _step_limit()
        return evaluator(environment)

    return budgeted


def _position_call(node: Call) -> Evaluator:
    """position(): in a predicate, the place of the node being filtered; position(path): the
    index of the repeat instance the path names (1 for anything else, as in ODK Collect)."""
    legacy = FUNCTIONS["position"].implementation
    argument = compile_nodes(node.arguments[0]) if node.arguments else None

    def position(environment: Environment) -> float:
        context = environment.context
        if context.document is None and context.node is None and environment.focus is None:
            return float(legacy(environment, []))  # no answers tree: the index the caller gave
        if argument is None:
            if environment.focus is not None:
                return float(environment.focus_position)
            return float(position_of(_context_node(environment)))
        value = argument(environment)
        if type(value) is not NodeSet or not value.nodes:
            message = "position() of nothing: its argument selects no node"
            raise ExpressionError(message, problems=[Problem(message, code="expression_type")])
        return float(position_of(value.nodes[0]))

    return position


def _indexed_repeat_call(node: Call) -> Evaluator:
    """indexed-repeat(field, repeat, i[, inner repeat, j[, innermost, k]]): the field in the
    i-th instance of the repeat (and j-th of the inner one...). Repeats not named take every
    instance, as ODK Collect does."""
    arguments = node.arguments
    legacy = FUNCTIONS["indexed-repeat"].implementation
    target = arguments[0]
    target_values = compile_nodes(target)
    pairs = [
        (_path_name(arguments[index]), compile_tree(arguments[index + 1]))
        for index in range(1, len(arguments) - 1, 2)
    ]
    target_name = _path_name(target)

    def indexed_repeat(environment: Environment) -> Any:
        context = environment.context
        if context.document is None and context.collect is not None:
            values = [target_values(environment), None, *(i(environment) for _, i in pairs)]
            return legacy(environment, values)
        container = _container(environment)
        location = locate(container, target_name) if target_name else None
        if location is None:
            return ""
        chosen: dict[str, int] = {}
        repeats = [name for name, _ in location.repeats]
        for group, index in pairs:
            if group not in repeats:
                message = f"indexed-repeat(): {group!r} is not a repeat around {target_name!r}"
                raise ExpressionError(message, problems=[Problem(message, code="expression_arguments")])
            number = to_number(index(environment))
            if math.isnan(number) or number < 1:
                message = (
                    f"indexed-repeat(): the index of {group!r} must be 1 or more, not {to_string(number)}"
                )
                raise ExpressionError(message, problems=[Problem(message, code="expression_arguments")])
            chosen[group] = sys.maxsize if math.isinf(number) else int(number)
        current: list[Container] = [container_chain(container)[0]]
        for repeat in repeats:
            wanted = chosen.get(repeat)
            found: list[Container] = []
            for parent in current:
                instances = parent.instances(repeat)
                if wanted is None:
                    found.extend(instances)
                elif wanted <= len(instances):
                    found.append(instances[wanted - 1])
            current = found
        if location.kind == REPEAT:
            return unpack(NodeSet([Element(c, ()) for c in current]))
        return unpack(NodeSet([Leaf(c, target_name) for c in current]))

    return indexed_repeat


def _path_name(node: Node) -> str:
    """The field or repeat an argument names: ``${name}``, or a path's last step."""
    if isinstance(node, Reference):
        return node.name
    if isinstance(node, Path) and node.name is not None:
        return node.name
    return ""


def _once_call(node: Call) -> Evaluator:
    """once(x): the value the field already has, else x (so a value is computed only once)."""
    argument = compile_tree(node.arguments[0])

    def once(environment: Environment) -> Any:
        current = environment.context.current
        if not is_empty(current):
            return current
        return argument(environment)

    return once


_SPECIAL: dict[str, Callable[[Call], Evaluator]] = {
    "position": _position_call,
    "indexed-repeat": _indexed_repeat_call,
    "once": _once_call,
}
