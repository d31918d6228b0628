"""The syntax tree of an expression: one small frozen dataclass per kind of node."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Literal:
    """A string or number written in the expression."""

    value: str | float


@dataclass(frozen=True, slots=True)
class Reference:
    """``${name}``: the answer to the field ``name`` as ODK resolves it from where the expression
    is (the nearest one: the same repeat instance, else an enclosing one).

    ``in_predicate`` is True inside ``[...]``, where ODK resolves it from the node being filtered
    (see :mod:`impactkit.surveys._xpath_nodes`); ``anchored`` is True when pyxform writes it there
    as ``current()/...`` (the expression also reads a secondary instance).
    """

    name: str
    in_predicate: bool = False
    anchored: bool = False


@dataclass(frozen=True, slots=True)
class LastSaved:
    """``${last-saved#name}``: the answer ``name`` had in the form saved last on the device."""

    name: str


@dataclass(frozen=True, slots=True)
class Current:
    """``.`` (outside a predicate) or ``current()``: the node the expression belongs to, whose
    value is the answer a constraint is checking."""


@dataclass(frozen=True, slots=True)
class Instance:
    """``instance('name')``: a secondary instance, for impactkit a choice list of the form."""

    name: str


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a location path: ``name`` (a child), ``..`` (the parent) or ``.`` (itself),
    with its predicates ``[...]``."""

    axis: str
    """``child``, ``parent`` or ``self``."""
    name: str | None = None
    predicates: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True)
class Path:
    """A location path such as ``../zone``, ``/data/household[age < 18]/name``,
    ``${household}[${age} > 3]`` or ``instance('villages')/root/item[name = ${v}]/label``.

    ``base`` is where it starts: None for the context node (a relative path, or inside a
    predicate the node being filtered), ``"/"`` for the root of the answers, or a node
    (``${name}``, ``current()``, ``instance('x')``, a parenthesised expression) whose own
    predicates are in ``base_predicates``.
    """

    base: Node | str | None
    base_predicates: tuple[Node, ...]
    steps: tuple[Step, ...]

    @property
    def name(self) -> str | None:
        """The name of the last child step (what a plain ``../zone`` reads), if any."""
        for step in reversed(self.steps):
            if step.axis == "child":
                return step.name
            if step.axis == "parent":
                return None
        return None


@dataclass(frozen=True, slots=True)
class Negate:
    """Unary minus."""

    operand: Node


@dataclass(frozen=True, slots=True)
class Binary:
    """``left operator right`` for and, or, comparisons and arithmetic."""

    operator: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Call:
    """A function call ``name(arguments...)``."""

    name: str
    arguments: tuple[Node, ...]


Node = Literal | Reference | LastSaved | Current | Instance | Path | Negate | Binary | Call


def children(node: Node) -> list[Node]:
    """The nodes directly under ``node`` (arguments, operands, a path's base and predicates)."""
    if isinstance(node, Binary):
        return [node.left, node.right]
    if isinstance(node, Negate):
        return [node.operand]
    if isinstance(node, Call):
        return list(node.arguments)
    if isinstance(node, Path):
        found: list[Node] = []
        if node.base is not None and not isinstance(node.base, str):
            found.append(node.base)
        found.extend(node.base_predicates)
        for step in node.steps:
            found.extend(step.predicates)
        return found
    return []


def walk(node: Node) -> list[Node]:
    """Every node of the tree under ``node`` (itself included), in no particular order."""
    found: list[Node] = []
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children(current))
    return found
