"""Node-sets: the answers as the tree ODK sees, and how XPath paths walk it (JavaRosa's rules).

ODK Collect evaluates expressions with JavaRosa over the form's XML instance. impactkit keeps
answers as one JSON object (groups transparent, a repeat a list of objects), so this module lets
paths walk those answers as if they were that XML tree:

- a *container* is the root of the answers or one repeat instance (``Container``); the elements
  inside it are its fields and groups, and the instances of the repeats directly inside it;
- a node is an element with children (``Element``: the root, a repeat instance, a group), a
  field (``Leaf``), or part of a secondary instance (``instance('list')/root/item/name``);
- ``${name}`` is, as pyxform writes it into the XForm, the absolute path to the field
  *contextualised* against where the expression is (JavaRosa binds each repeat on the way to the
  one the expression sits in): the nearest answer, or every instance's answer when the field is
  in a repeat that does not enclose the expression;
- a node-set used as one value is *unpacked* as JavaRosa does it: no node gives ``''``, one node
  its value, more than one is an error ("this field is repeated").

Predicates keep a node only when they are exactly true (JavaRosa: ``[2]`` selects nothing; write
``[position() = 2]``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from impactkit.errors import ExpressionError, Problem

if TYPE_CHECKING:
    from impactkit.surveys._xpath_functions import Environment

FIELD, GROUP, REPEAT = "field", "group", "repeat"


# --- the shape of a form ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Location:
    """Where an element sits: the repeats on the way to it (each with the groups it sits in,
    inside its own container), then the groups inside its container."""

    repeats: tuple[tuple[str, tuple[str, ...]], ...]
    groups: tuple[str, ...]
    kind: str
    """``field``, ``group`` or ``repeat`` (a repeat's own level is the last of ``repeats``)."""

    def element_path(self, name: str) -> tuple[str, ...]:
        """Every element name from the root (excluded) down to this one (included)."""
        steps: list[str] = []
        for repeat, groups in self.repeats:
            steps.extend(groups)
            steps.append(repeat)
        if self.kind != REPEAT:
            steps.extend(self.groups)
            steps.append(name)
        return tuple(steps)


class Layout:
    """The shape of one container (the form's top level, or one repeat): which element each
    name is, and in which group. Built once per form version."""

    __slots__ = ("children", "group_of", "locations", "repeat_groups", "root_name")

    def __init__(self, root_name: str) -> None:
        self.children: dict[tuple[str, ...], dict[str, str]] = {(): {}}
        """Group path -> {child name: field | group | repeat}."""
        self.group_of: dict[str, tuple[str, ...]] = {}
        """Field or repeat name -> the group path it sits in, in this container."""
        self.repeat_groups: tuple[str, ...] = ()
        """For a repeat's layout: the groups the repeat sits in, in its parent container."""
        self.locations: dict[str, Location] = {}
        """Form-wide (shared by every layout of one form): name -> where it is."""
        self.root_name = root_name

    def add(self, groups: tuple[str, ...], name: str, kind: str) -> None:
        self.children.setdefault(groups, {})[name] = kind
        if kind == GROUP:
            self.children.setdefault((*groups, name), {})
        else:
            self.group_of[name] = groups


# --- containers -------------------------------------------------------------------------------


class Container(Protocol):
    """The root of the answers, or one repeat instance, as paths see it."""

    @property
    def foreign(self) -> frozenset[str]:
        """Names of fields in repeats that do not enclose this container (``${name}`` is then
        read through the tree, not from the answers in reach)."""
        ...

    @property
    def parent(self) -> Container | None: ...

    @property
    def position(self) -> int:
        """1-based index among the instances of its repeat (1 for the root)."""
        ...

    @property
    def repeat_name(self) -> str | None:
        """The repeat this container is an instance of (None for the root)."""
        ...

    @property
    def layout(self) -> Layout | None:
        """The container's exact shape, or None when only the answers are known (no form)."""
        ...

    def answer(self, name: str) -> Any:
        """The answer to the field ``name`` in this container (not in enclosing ones)."""
        ...

    def instances(self, name: str) -> Sequence[Container]:
        """The instances of the repeat ``name`` directly in this container."""
        ...

    def secondary(self, name: str) -> Sequence[Mapping[str, Any]] | None:
        """The items of the secondary instance ``name`` (a choice list), or None."""
        ...


class MappingContainer:
    """Answers given as plain mappings, without a form: a repeat is a key holding a list of
    mappings; groups are unknown, so any other step is read through as a group."""

    __slots__ = ("_instances", "_lists", "parent", "position", "repeat_name", "values")

    layout: Layout | None = None
    foreign: frozenset[str] = frozenset()

    def __init__(
        self,
        values: Mapping[str, Any],
        parent: MappingContainer | None = None,
        position: int = 1,
        repeat_name: str | None = None,
        lists: Mapping[str, list[Mapping[str, Any]]] | None = None,
    ) -> None:
        self.values = values
        self.parent = parent
        self.position = position
        self.repeat_name = repeat_name
        self._instances: dict[str, list[MappingContainer]] = {}
        self._lists = lists

    def answer(self, name: str) -> Any:
        value = self.values.get(name)
        return None if _is_instances(value) else value

    def instances(self, name: str) -> Sequence[MappingContainer]:
        known = self._instances.get(name)
        if known is None:
            rows = self.values.get(name)
            known = (
                [MappingContainer(row, self, index, name) for index, row in enumerate(rows, 1)]
                if rows is not None and _is_instances(rows)
                else []
            )
            self._instances[name] = known
        return known

    def secondary(self, name: str) -> Sequence[Mapping[str, Any]] | None:
        root: MappingContainer = self
        while root.parent is not None:
            root = root.parent
        return None if root._lists is None else root._lists.get(name)

    def find(self, name: str) -> Location | None:
        """Where ``name`` is in these answers (the first place found, breadth first)."""
        queue: list[tuple[MappingContainer, tuple[tuple[str, tuple[str, ...]], ...]]] = [(self, ())]
        while queue:
            container, repeats = queue.pop(0)
            if name in container.values:
                value = container.values[name]
                if _is_instances(value):
                    return Location((*repeats, (name, ())), (), REPEAT)
                return Location(repeats, (), FIELD)
            for key, value in container.values.items():
                if _is_instances(value):
                    for instance in container.instances(key)[:1]:
                        queue.append((instance, (*repeats, (key, ()))))
        return None


def _is_instances(value: Any) -> bool:
    return type(value) is list and bool(value) and all(isinstance(row, Mapping) for row in value)


# --- nodes ------------------------------------------------------------------------------------


class Element:
    """An element with children: the root (``groups == ()`` and no parent container), a repeat
    instance (``groups == ()``), or a group inside one of them."""

    __slots__ = ("container", "groups")

    def __init__(self, container: Container, groups: tuple[str, ...]) -> None:
        self.container = container
        self.groups = groups

    def key(self) -> tuple[Any, ...]:
        return ("element", id(self.container), self.groups)

    def value(self) -> Any:
        return ""


class Leaf:
    """A field (its value is the answer)."""

    __slots__ = ("container", "name")

    def __init__(self, container: Container, name: str) -> None:
        self.container = container
        self.name = name

    def key(self) -> tuple[Any, ...]:
        return ("leaf", id(self.container), self.name)

    def value(self) -> Any:
        return self.container.answer(self.name)


class Document:
    """What ``/`` selects: the parent of the root element."""

    __slots__ = ("root",)

    def __init__(self, root: Container) -> None:
        self.root = root

    def key(self) -> tuple[Any, ...]:
        return ("document", id(self.root))

    def value(self) -> Any:
        return ""


class Secondary:
    """A node of a secondary instance: the instance (level 0), its ``root`` (1), an ``item`` (2)
    or a column of an item (3)."""

    __slots__ = ("column", "index", "items", "level", "name")

    def __init__(
        self,
        name: str,
        items: Sequence[Mapping[str, Any]],
        level: int,
        index: int = 0,
        column: str | None = None,
    ) -> None:
        self.name = name
        self.items = items
        self.level = level
        self.index = index
        self.column = column

    def key(self) -> tuple[Any, ...]:
        return ("secondary", self.name, self.level, self.index, self.column)

    def value(self) -> Any:
        if self.level == 3 and self.column is not None:
            return self.items[self.index].get(self.column)
        return ""


XNode = Element | Leaf | Document | Secondary


class NodeSet:
    """The value of a path: nodes in document order."""

    __slots__ = ("nodes",)

    def __init__(self, nodes: list[XNode]) -> None:
        self.nodes = nodes

    def values(self) -> list[Any]:
        return [node.value() for node in self.nodes]

    def __repr__(self) -> str:
        return f"NodeSet({self.values()!r})"


def unpack(value: Any) -> Any:
    """A node-set as one value, as JavaRosa does: none -> '', one -> its value, more -> error."""
    if type(value) is not NodeSet:
        return value
    nodes = value.nodes
    if not nodes:
        return ""
    if len(nodes) == 1:
        return nodes[0].value()
    message = (
        f"this field is repeated ({len(nodes)} values): use indexed-repeat() or a predicate "
        "such as [position() = 1] to say which one"
    )
    raise ExpressionError(message, problems=[Problem(message, code="expression_repeated")])


# --- walking ----------------------------------------------------------------------------------


def children_named(node: XNode, name: str) -> list[XNode]:
    """The child step ``name`` from ``node``."""
    if type(node) is Element:
        container, groups = node.container, node.groups
        layout = container.layout
        if layout is None:
            instances = container.instances(name)
            if instances:
                return [Element(instance, ()) for instance in instances]
            if container.answer(name) is not None or name in getattr(container, "values", {}):
                return [Leaf(container, name)]
            return [Element(container, (*groups, name))]
        kind = layout.children.get(groups, {}).get(name)
        if kind == FIELD:
            return [Leaf(container, name)]
        if kind == GROUP:
            return [Element(container, (*groups, name))]
        if kind == REPEAT:
            return [Element(instance, ()) for instance in container.instances(name)]
        return []
    if type(node) is Document:
        root = node.root
        layout = root.layout
        if layout is None or name == layout.root_name:
            return [Element(root, ())]
        return []
    if type(node) is Secondary:
        if node.level == 0:
            return [Secondary(node.name, node.items, 1)] if name == "root" else []
        if node.level == 1:
            if name != "item":
                return []
            return [Secondary(node.name, node.items, 2, index) for index in range(len(node.items))]
        if node.level == 2 and name in node.items[node.index]:
            return [Secondary(node.name, node.items, 3, node.index, name)]
    return []


def parent_of(node: XNode) -> XNode | None:
    """The ``..`` step from ``node``."""
    if type(node) is Leaf:
        layout = node.container.layout
        groups = () if layout is None else layout.group_of.get(node.name, ())
        return Element(node.container, groups)
    if type(node) is Element:
        if node.groups:
            return Element(node.container, node.groups[:-1])
        container = node.container
        parent = container.parent
        if parent is None:
            return Document(container)
        layout = container.layout
        return Element(parent, () if layout is None else layout.repeat_groups)
    if type(node) is Secondary and node.level > 0:
        return Secondary(node.name, node.items, node.level - 1, node.index if node.level == 3 else 0)
    return None


def position_of(node: XNode) -> int:
    """What ``position(node)`` gives: a repeat instance's index, an item's, else 1."""
    if type(node) is Element and not node.groups and node.container.parent is not None:
        return node.container.position
    if type(node) is Secondary and node.level == 2:
        return node.index + 1
    return 1


def distinct(nodes: list[XNode]) -> list[XNode]:
    seen: set[tuple[Any, ...]] = set()
    kept: list[XNode] = []
    for node in nodes:
        key = node.key()
        if key not in seen:
            seen.add(key)
            kept.append(node)
    return kept


Predicate = Callable[["Environment"], Any]


def apply_predicates(
    nodes: list[XNode], predicates: Sequence[Predicate], environment: Environment
) -> list[XNode]:
    """Keep the nodes for which every predicate is exactly true (JavaRosa keeps nothing else)."""
    for predicate in predicates:
        saved = environment.focus, environment.focus_position, environment.focus_size
        size = len(nodes)
        kept: list[XNode] = []
        try:
            for index, node in enumerate(nodes, 1):
                environment.focus = node
                environment.focus_position = index
                environment.focus_size = size
                if predicate(environment) is True:
                    kept.append(node)
        finally:
            environment.focus, environment.focus_position, environment.focus_size = saved
        nodes = kept
    return nodes


def container_chain(container: Container) -> list[Container]:
    """The containers from the root down to ``container``."""
    chain: list[Container] = []
    current: Container | None = container
    while current is not None:
        chain.append(current)
        current = current.parent
    chain.reverse()
    return chain


def node_container(node: XNode) -> Container | None:
    if type(node) is Element or type(node) is Leaf:
        return node.container
    if type(node) is Document:
        return node.root
    return None


def resolve(location: Location, name: str, context: Container, bind: bool = True) -> list[XNode]:
    """The nodes of the absolute path to ``name`` (at ``location``), contextualised against the
    container ``context`` as JavaRosa does: while the path goes through the repeat instances the
    context is in, it stays in them; past that, it takes every instance.

    With ``bind`` False the last repeat level is never bound (``select_one ${name}`` offers the
    answers of every instance, the one being answered included).
    """
    chain = container_chain(context)
    root = chain[0]
    current: list[Container] = [root]
    matched = True
    levels = len(location.repeats)
    for level, (repeat, _) in enumerate(location.repeats):
        inside = chain[level + 1] if level + 1 < len(chain) else None
        last = level == levels - 1
        if matched and inside is not None and inside.repeat_name == repeat and (bind or not last):
            current = [inside]
            continue
        matched = False
        current = [instance for container in current for instance in container.instances(repeat)]
    if location.kind == REPEAT:
        return [Element(container, ()) for container in current]
    if location.kind == GROUP:
        return [Element(container, (*location.groups, name)) for container in current]
    return [Leaf(container, name) for container in current]


def locate(context: Container, name: str) -> Location | None:
    """Where the element ``name`` is, from the form when known, else from the answers."""
    root = container_chain(context)[0]
    layout = root.layout
    if layout is not None:
        return layout.locations.get(name)
    if isinstance(root, MappingContainer):
        return root.find(name)
    return None


def relative_steps(
    source: Location, source_name: str, target: Location, target_name: str
) -> list[str] | None:
    """The path pyxform writes for ``${target}`` in an expression of ``source`` when both are in
    one repeat (``..`` steps to their lowest common ancestor, then down), else None (pyxform then
    writes the absolute path)."""
    source_repeats = [name for name, _ in source.repeats]
    if source.kind == REPEAT:
        source_repeats = source_repeats[:-1]  # a repeat's own rules sit on it, not inside it
    target_repeats = [name for name, _ in target.repeats]
    shared = 0
    while (
        shared < len(source_repeats)
        and shared < len(target_repeats)
        and source_repeats[shared] == target_repeats[shared]
    ):
        shared += 1
    if shared == 0:
        return None
    source_path = source.element_path(source_name)
    target_path = target.element_path(target_name)
    common = 0
    while (
        common < len(source_path) - 1
        and common < len(target_path) - 1
        and source_path[common] == target_path[common]
    ):
        common += 1
    ups = len(source_path) - common
    return [".."] * ups + list(target_path[common:])


def walk_steps(nodes: list[XNode], steps: Sequence[str]) -> list[XNode]:
    """Follow plain steps (names and ``..``) from ``nodes``."""
    for step in steps:
        if step == "..":
            nodes = distinct([p for p in (parent_of(node) for node in nodes) if p is not None])
        else:
            nodes = [child for node in nodes for child in children_named(node, step)]
    return nodes


def iterate_values(value: Any) -> Iterator[Any]:
    """The values of a node-set, or the items of a list, or the one value."""
    if type(value) is NodeSet:
        for node in value.nodes:
            yield node.value()
    elif isinstance(value, list | tuple):
        yield from value
    elif value is not None:
        yield value
