"""The syntax tree of an expression: one small frozen dataclass per kind of node."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Literal:
    """A string or number written in the expression."""

    value: str | float


@dataclass(frozen=True, slots=True)
class Reference:
    """``${name}``, or a path whose last step is ``name`` (``path`` is then True)."""

    name: str
    path: bool = False


@dataclass(frozen=True, slots=True)
class Current:
    """``.`` or ``current()``: the value being constrained."""


@dataclass(frozen=True, slots=True)
class Parent:
    """``..``: the enclosing repeat instance (only meaningful in ``position(..)``)."""


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


Node = Literal | Reference | Current | Parent | Negate | Binary | Call


def walk(node: Node) -> list[Node]:
    """Every node of the tree under ``node`` (itself included), in no particular order."""
    found: list[Node] = []
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        if isinstance(current, Binary):
            stack.extend((current.left, current.right))
        elif isinstance(current, Negate):
            stack.append(current.operand)
        elif isinstance(current, Call):
            stack.extend(current.arguments)
    return found
