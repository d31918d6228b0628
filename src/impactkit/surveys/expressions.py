"""The safe expression language of XLSForm (relevant, constraint, calculation, choice_filter).

A hand-written tokenizer and Pratt parser turn the text into a tree of small frozen
dataclasses, compiled once into nested closures that evaluate it. Nothing is ever handed to
Python's ``eval``.
Every parse and every evaluation is bounded (length, depth, steps), so a hostile
expression is refused quickly with :class:`~impactkit.errors.ExpressionError`.

    >>> expression = parse_expression("${age} >= 15 and selected(${services}, 'housing')")
    >>> sorted(expression.references)
    ['age', 'services']
    >>> expression.evaluate({"age": 17, "services": "food housing"})
    True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from impactkit.errors import ExpressionError
from impactkit.keyed_texts import keyed
from impactkit.surveys._compiler import MAX_STEPS, Evaluator, compile_tree
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
    Step,
    children,
    walk,
)
from impactkit.surveys._xpath_functions import FUNCTIONS, REFUSED_FUNCTIONS, Environment, compile_regex
from impactkit.surveys._xpath_values import to_bool
from impactkit.surveys.problem_texts import form_problem

if TYPE_CHECKING:
    import pandas as pd

MAX_EXPRESSION_LENGTH = 10_000
"""Longest expression accepted (characters)."""
MAX_DEPTH = 64
"""Deepest nesting of the expression tree."""

LAST_SAVED_PREFIX = "last-saved#"
"""``${last-saved#name}``: the answer in the form saved last on the device."""
_NODESET_FUNCTIONS = frozenset(name for name, spec in FUNCTIONS.items() if spec.nodeset_args) | {
    "position",
    "indexed-repeat",
}
_CURLY_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


@dataclass
class EvaluationContext:
    """What an expression can see when it runs.

    Attributes:
        values: field name -> answer (None or '' when unanswered). Inside a repeat, pass a
            mapping that looks in the current instance first (e.g. ``collections.ChainMap``).
        current: the value of ``.`` (the answer a constraint is checking).
        position: 1-based index of the current repeat instance, for ``position(..)``.
        today: the date ``today()`` returns (default: the machine's date).
        now: the moment ``now()`` returns (default: the machine's clock, naive local time).
        collect: name -> every repeat instance's value, for sum(), count(), indexed-repeat().
        choice_label: (field name, choice name) -> label, for ``jr:choice-name``.
        seed: makes ``random()`` and ``uuid()`` deterministic.
        nodes: what bare names and paths read, when they are not fields: in a
            ``choice_filter`` they name the columns of the choice being filtered.
        document: the answers tree the expression runs in (the container: the form's
            answers or one repeat instance, see ``_xpath_nodes.Container``); the validator gives
            it, so that paths, predicates and repeat functions mean what they mean in ODK
            Collect. Without it, paths walk ``values`` (a repeat being a list of mappings).
        node: the node the expression belongs to (a field, a group), for ``..`` and current().
        last_saved: the answers of the form saved last (``${last-saved#name}``); None: none.
        lists: choice lists for ``instance('name')`` when there is no ``document``: name ->
            items, each a mapping of its columns (``name``, ``label``...).
    """

    values: Mapping[str, Any] = field(default_factory=dict)
    current: Any = None
    position: int | None = None
    today: date | None = None
    now: datetime | None = None
    collect: Callable[[str], list[Any]] | None = None
    choice_label: Callable[[str, Any], str | None] | None = None
    seed: int = 0
    nodes: Mapping[str, Any] | None = None
    document: Any = None
    node: Any = None
    last_saved: Mapping[str, Any] | None = None
    lists: Mapping[str, list[Mapping[str, Any]]] | None = None


# --- tokenizer -----------------------------------------------------------------------------

_NUMBER, _STRING, _REF, _NAME, _OPERATOR, _PUNCT, _END = (
    "number",
    "string",
    "reference",
    "name",
    "operator",
    "punctuation",
    "end",
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    position: int  # 0-based character offset


def _error(key: str, position: int, text: str, **values: Any) -> ExpressionError:
    """The error of an expression that cannot be read: ``key`` names its text in
    :data:`~impactkit.surveys.problem_texts.FORM_PROBLEM_TEXTS`, ``values`` fill it."""
    column = position + 1
    found = form_problem(key, f"character {column}", code="expression_syntax", **values)
    problem = replace(found, details={"position": column, "expression": text, **found.details})
    return ExpressionError(f"{problem.message} (at character {column} of {text!r})", problems=[problem])


def _is_name_start(char: str) -> bool:
    return char.isalpha() or char == "_"


def _is_name_char(char: str) -> bool:
    return char.isalnum() or char in "_-."


_OPERAND_END = {_NUMBER, _STRING, _REF}
_DIGITS = frozenset("0123456789")


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    index = 0
    length = len(text)

    def previous_ends_operand() -> bool:
        if not tokens:
            return False
        last = tokens[-1]
        if last.kind in _OPERAND_END:
            return True
        if last.kind == _NAME:
            return True
        return last.kind == _PUNCT and last.text in (")", ".", "..", "]")

    while index < length:
        char = text[index]
        if char.isspace():
            index += 1
            continue
        start = index
        if char == "$":
            if index + 1 >= length or text[index + 1] != "{":
                raise _error("expression_problem_dollar", start, text)
            end = text.find("}", index + 2)
            if end < 0:
                raise _error("expression_problem_unclosed_reference", start, text)
            name = text[index + 2 : end].strip()
            field_name = name.removeprefix(LAST_SAVED_PREFIX)
            if (
                not field_name
                or not _is_name_start(field_name[0])
                or not all(_is_name_char(c) for c in field_name)
            ):
                raise _error("expression_problem_bad_field_name", start, text, name=name)
            tokens.append(_Token(_REF, name, start))
            index = end + 1
            continue
        if char in "'\"":
            end = text.find(char, index + 1)
            if end < 0:
                raise _error("expression_problem_unclosed_quote", start, text)
            tokens.append(_Token(_STRING, text[index + 1 : end], start))
            index = end + 1
            continue
        if char in _DIGITS or (char == "." and index + 1 < length and text[index + 1] in _DIGITS):
            index += 1
            while index < length and (text[index] in _DIGITS or text[index] == "."):
                index += 1
            number_text = text[start:index]
            if number_text.count(".") > 1:
                raise _error("expression_problem_not_a_number", start, text, number=number_text)
            tokens.append(_Token(_NUMBER, number_text, start))
            continue
        if _is_name_start(char):
            index += 1
            while index < length and (
                _is_name_char(text[index])
                or (
                    text[index] == ":"
                    and index + 1 < length
                    and _is_name_start(text[index + 1])
                    and ":" not in text[start:index]
                )
            ):
                index += 1
            # A trailing '-' or '.' belongs to what follows (e.g. "x -1" written as "x-1" is rare;
            # names like "count-selected" keep their hyphen).
            while text[index - 1] in "-." and index - 1 > start:
                index -= 1
            word = text[start:index]
            if word in ("and", "or", "div", "mod") and previous_ends_operand():
                tokens.append(_Token(_OPERATOR, word, start))
            else:
                tokens.append(_Token(_NAME, word, start))
            continue
        two = text[index : index + 2]
        if two in ("!=", "<=", ">=", ".."):
            tokens.append(_Token(_PUNCT if two == ".." else _OPERATOR, two, start))
            index += 2
            continue
        if char in "=<>+-|":
            tokens.append(_Token(_OPERATOR, char, start))
            index += 1
            continue
        if char == "*":
            if not previous_ends_operand():
                raise _error("expression_problem_wildcard", start, text)
            tokens.append(_Token(_OPERATOR, "*", start))
            index += 1
            continue
        if char in "(),./[]@":
            tokens.append(_Token(_PUNCT, char, start))
            index += 1
            continue
        raise _error("expression_problem_unexpected_character", start, text, char=char)
    tokens.append(_Token(_END, "", length))
    return tokens


# --- parser --------------------------------------------------------------------------------

_BINDING_POWER = {
    "or": 1,
    "and": 2,
    "=": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "div": 6,
    "mod": 6,
}
_UNARY_POWER = 7


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0
        self.predicates = 0
        """How many predicates ``[...]`` the parser is inside."""
        # pyxform writes ${name} inside a predicate as current()/... when the expression reads
        # a secondary instance (its own test, on the text): see Reference.anchored.
        self.reads_instance = "instance(" in text.replace(" ", "")

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, text: str) -> bool:
        token = self.tokens[self.index]
        return token.kind == _PUNCT and token.text == text

    def expect(self, text: str) -> _Token:
        token = self.advance()
        if token.text != text or token.kind not in (_PUNCT, _OPERATOR):
            if token.kind == _END:
                raise _error("expression_problem_expected_at_end", token.position, self.text, wanted=text)
            raise _error(
                "expression_problem_expected", token.position, self.text, wanted=text, found=token.text
            )
        return token

    def parse(self) -> Node:
        node = self.expression(0)
        token = self.peek()
        if token.kind != _END:
            raise _error("expression_problem_unexpected", token.position, self.text, found=token.text)
        return node

    def expression(self, right_power: int) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _error("expression_problem_too_deep", self.peek().position, self.text, depth=MAX_DEPTH)
        left = self.prefix(self.advance())
        while True:
            token = self.peek()
            power = _BINDING_POWER.get(token.text, 0) if token.kind == _OPERATOR else 0
            if token.kind == _OPERATOR and token.text == "|":
                raise _error("expression_problem_union", token.position, self.text)
            if power <= right_power:
                break
            self.advance()
            right = self.expression(power)
            left = Binary(token.text, left, right)
        self.depth -= 1
        return left

    def prefix(self, token: _Token) -> Node:
        if token.kind == _NUMBER:
            return Literal(float(token.text))
        if token.kind == _STRING:
            return Literal(token.text)
        if token.kind == _REF:
            if token.text.startswith(LAST_SAVED_PREFIX):
                return self.postfix(LastSaved(token.text[len(LAST_SAVED_PREFIX) :]))
            inside = self.predicates > 0
            return self.postfix(Reference(token.text, inside, inside and self.reads_instance))
        if token.kind == _OPERATOR and token.text == "-":
            self.depth += 1
            operand = self.expression(_UNARY_POWER)
            self.depth -= 1
            return Negate(operand)
        if token.kind == _PUNCT:
            if token.text == "(":
                inner = self.expression(0)
                self.expect(")")
                return self.postfix(inner)
            if token.text == ".":
                if not self.at("/") and self.predicates == 0:
                    self.refuse_predicate(".")
                    return Current()
                return self.path(None, [Step("self")])
            if token.text == "..":
                return self.path(None, [Step("parent")])
            if token.text == "/":
                if self.at("/"):
                    raise _error("expression_problem_double_slash", token.position, self.text)
                if self.peek().kind != _NAME:
                    return Path("/", (), ())
                return self.path("/", [self.step()])
            if token.text == "@":
                raise _error("expression_problem_attributes", token.position, self.text)
        if token.kind == _NAME:
            if self.at("("):
                return self.postfix(self.call(token))
            self.back()
            return self.path(None, [self.step()])
        if token.kind == _END:
            raise _error("expression_problem_expected_value_at_end", token.position, self.text)
        raise _error("expression_problem_expected_value", token.position, self.text, found=token.text)

    def back(self) -> None:
        self.index -= 1

    def refuse_predicate(self, after: str) -> None:
        if self.at("["):
            raise _error("expression_problem_predicate_after", self.peek().position, self.text, after=after)

    def predicate_list(self) -> tuple[Node, ...]:
        found: list[Node] = []
        while self.at("["):
            self.advance()
            self.predicates += 1
            found.append(self.expression(0))
            self.predicates -= 1
            self.expect("]")
        return tuple(found)

    def step(self) -> Step:
        token = self.advance()
        if token.kind == _NAME and not self.at("("):
            return Step("child", token.text, self.predicate_list())
        if token.kind == _PUNCT and token.text in (".", ".."):
            self.refuse_predicate(token.text)
            return Step("self" if token.text == "." else "parent")
        if token.kind == _PUNCT and token.text == "@":
            raise _error("expression_problem_attributes", token.position, self.text)
        if token.kind == _PUNCT and token.text == "/":
            raise _error("expression_problem_double_slash", token.position, self.text)
        raise _error("expression_problem_field_after_slash", token.position, self.text)

    def path(self, base: Node | str | None, steps: list[Step], predicates: tuple[Node, ...] = ()) -> Node:
        while self.at("/"):
            self.advance()
            steps.append(self.step())
        return Path(base, predicates, tuple(steps))

    def postfix(self, node: Node) -> Node:
        """``${x}``, a call or ``(...)`` followed by predicates or steps: a path from it."""
        predicates = self.predicate_list()
        if not predicates and not self.at("/"):
            return node
        return self.path(node, [], predicates)

    def call(self, token: _Token) -> Node:
        name = token.text
        self.expect("(")
        arguments: list[Node] = []
        if not (self.peek().kind == _PUNCT and self.peek().text == ")"):
            while True:
                arguments.append(self.expression(0))
                if self.peek().kind == _PUNCT and self.peek().text == ",":
                    self.advance()
                    continue
                break
        self.expect(")")
        if name in REFUSED_FUNCTIONS:
            raise _error(
                "expression_problem_refused_function",
                token.position,
                self.text,
                name=name,
                reason=keyed(REFUSED_FUNCTIONS[name]),
            )
        if name == "instance":
            if (
                len(arguments) != 1
                or not isinstance(arguments[0], Literal)
                or not isinstance(arguments[0].value, str)
            ):
                raise _error("expression_problem_instance_argument", token.position, self.text)
            return Instance(arguments[0].value)
        spec = FUNCTIONS.get(name)
        if spec is None:
            raise _error("expression_problem_unknown_function", token.position, self.text, name=name)
        count = len(arguments)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            if spec.max_args is None:
                key, wanted = "expression_problem_argument_count_at_least", {"wanted": spec.min_args}
            elif spec.min_args == spec.max_args:
                key, wanted = "expression_problem_argument_count", {"wanted": spec.min_args}
            else:
                key = "expression_problem_argument_count_between"
                wanted = {"low": spec.min_args, "high": spec.max_args}
            raise _error(key, token.position, self.text, name=name, count=count, **wanted)
        if name == "current":
            return Current()
        if name == "indexed-repeat":
            self.check_indexed_repeat(token, arguments)
        if name in ("string-length", "normalize-space") and not arguments:
            arguments = [Current()]  # the value of the question the expression belongs to
        if name == "regex" and isinstance(arguments[1], Literal):
            try:
                compile_regex(str(arguments[1].value))
            except ExpressionError as error:
                raise _error(
                    "expression_problem_regex", token.position, self.text, detail=error.message
                ) from None
        return Call(name, tuple(arguments))

    def check_indexed_repeat(self, token: _Token, arguments: list[Node]) -> None:
        if len(arguments) % 2 == 0:
            raise _error("expression_problem_indexed_repeat_arguments", token.position, self.text)
        for index in (0, *range(1, len(arguments), 2)):
            argument = arguments[index]
            if not (isinstance(argument, Reference) or (isinstance(argument, Path) and argument.name)):
                what = "field" if index == 0 else "repeat"
                raise _error(
                    f"expression_problem_indexed_repeat_{what}", token.position, self.text, number=index + 1
                )


@dataclass(frozen=True)
class Expression:
    """A parsed expression, ready to evaluate many times.

    Attributes:
        text: the expression as written (curly quotes normalised).
        tree: the root of the syntax tree.
        references: the field names it reads as ``${name}`` (inside predicates too).
        path_references: field names read through paths (``../zone``, ``/data/x``, the steps
            after ``${household}``...): the last step of each path, outside choice lists (in a
            choice_filter, the bare names such as ``district`` are the choice columns).
        functions: the function names it calls.
        evaluator: the tree compiled into closures, built once with the expression.
        relative_references: the last step of each relative path outside predicates
            (``district``, ``../zone``): in a choice_filter, the columns of the choices sheet.
        instances: the choice lists it reads as ``instance('name')``.
        last_saved: the names it reads as ``${last-saved#name}``.
        uses_nodes: True when it walks the answers tree (paths, predicates, instance(),
            repeat functions): its value depends on more than the ``${names}`` it reads.
    """

    text: str
    tree: Node
    references: frozenset[str]
    path_references: frozenset[str]
    functions: frozenset[str]
    evaluator: Evaluator = field(init=False, repr=False, compare=False)
    relative_references: frozenset[str] = frozenset()
    instances: frozenset[str] = frozenset()
    last_saved: frozenset[str] = frozenset()
    uses_nodes: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "evaluator", compile_tree(self.tree))

    @property
    def uses_current(self) -> bool:
        """True when the expression reads ``.`` or current() (the node it belongs to)."""
        return any(isinstance(node, Current) for node in walk(self.tree))

    def evaluate(self, context: EvaluationContext | Mapping[str, Any] | None = None) -> Any:
        """Evaluate against answers.

        Args:
            context: an :class:`EvaluationContext`, or just a mapping of field name -> value
                (a repeat's answer being a list of mappings, which paths and predicates walk).

        Returns:
            An XPath value: ``str``, ``float``, ``bool``, ``date``/``datetime``, or what a
            reference holds (e.g. a list for a select_multiple answer, None when unanswered).

        Raises:
            ExpressionError: a runtime limit was reached (steps, string length, regex time), or
                ODK Collect would stop too (a repeated field used as one value, a text that is
                no date given to date()...).
        """
        if context is None:
            context = EvaluationContext()
        elif not isinstance(context, EvaluationContext):
            context = EvaluationContext(values=context)
        return self.evaluator(Environment(context))

    def evaluate_bool(self, context: EvaluationContext | Mapping[str, Any] | None = None) -> bool:
        """Evaluate and convert to a boolean as XPath's boolean() does."""
        return to_bool(self.evaluate(context))

    def evaluate_frame(self, frame: pd.DataFrame) -> pd.Series:
        """Evaluate once per row of ``frame``, vectorised where possible.

        Columns are named like the fields; missing values (NaN, None) count as unanswered.
        Supports literals, ${field}, arithmetic, comparisons, and/or/not, if(), selected()
        and count-selected() on space-separated strings, coalesce(), number(), int(), round(),
        string-length(), contains() and the other pure string and math functions.

        Raises:
            ExpressionError: the expression reads a column the frame does not have, or
                calls a function that needs a form or a clock (named in the message).
        """
        from impactkit.surveys._vectorised import evaluate_frame

        return evaluate_frame(self.tree, frame)


def _survey(tree: Node) -> dict[str, set[str]]:
    """What an expression reads, by kind (see the attributes of :class:`Expression`)."""
    found: dict[str, set[str]] = {
        "references": set(),
        "paths": set(),
        "relative": set(),
        "instances": set(),
        "last_saved": set(),
        "functions": set(),
        "nodes": set(),
    }

    def visit(node: Node, in_items: bool, top: bool) -> None:
        """``in_items``: inside the predicate of a choice list path, where relative names are
        the list's columns; ``top``: outside every predicate."""
        if isinstance(node, Reference):
            found["references"].add(node.name)
            if node.in_predicate:
                found["nodes"].add("predicate")
        elif isinstance(node, LastSaved):
            found["last_saved"].add(node.name)
            found["nodes"].add("last-saved")
        elif isinstance(node, Instance):
            found["instances"].add(node.name)
            found["nodes"].add("instance")
        elif isinstance(node, Call):
            found["functions"].add(node.name)
            if node.name in _NODESET_FUNCTIONS:
                found["nodes"].add(node.name)
        if isinstance(node, Path):
            found["nodes"].add("path")
            base = node.base
            of_items = isinstance(base, Instance | LastSaved)
            relative = base is None
            name = node.name
            if name is not None and not of_items and not (relative and in_items):
                found["paths"].add(name)
            if name is not None and relative and top:
                found["relative"].add(name)
            if base is not None and not isinstance(base, str):
                visit(base, in_items, top)
            for predicate in node.base_predicates:
                visit(predicate, in_items or of_items, False)
            for step in node.steps:
                for predicate in step.predicates:
                    visit(predicate, in_items or of_items, False)
            return
        for child in children(node):
            visit(child, in_items, top)

    visit(tree, False, True)
    return found


def parse_expression(text: str, *, predicate: bool = False) -> Expression:
    """Parse XLSForm expression text.

    Args:
        text: the expression, e.g. ``"${age} >= 15 and selected(${services}, 'housing')"``.
            Excel's curly quotes are read as straight quotes.
        predicate: read it as the inside of a predicate ``[...]`` (the choice_filter of a
            ``select_one ${name}``, which ODK applies to each instance of the repeat).

    Returns:
        The parsed :class:`Expression`.

    Raises:
        ExpressionError: the text is empty, too long, too deep, or not valid; the problem's
            ``details["position"]`` is the 1-based character where it went wrong.
    """
    if not isinstance(text, str):
        raise ExpressionError("expression must be text")
    normalised = text.translate(_CURLY_QUOTES).strip()
    if len(normalised) > MAX_EXPRESSION_LENGTH:
        raise _error(
            "expression_problem_too_long",
            MAX_EXPRESSION_LENGTH,
            normalised[:40] + "...",
            max_length=MAX_EXPRESSION_LENGTH,
        )
    if not normalised:
        raise _error("expression_problem_empty", 0, normalised)
    parser = _Parser(normalised)
    parser.predicates = 1 if predicate else 0
    tree = parser.parse()
    found = _survey(tree)
    return Expression(
        normalised,
        tree,
        frozenset(found["references"]),
        frozenset(found["paths"]),
        frozenset(found["functions"]),
        relative_references=frozenset(found["relative"]),
        instances=frozenset(found["instances"]),
        last_saved=frozenset(found["last_saved"]),
        uses_nodes=bool(found["nodes"]),
    )


__all__ = [
    "LAST_SAVED_PREFIX",
    "MAX_DEPTH",
    "MAX_EXPRESSION_LENGTH",
    "MAX_STEPS",
    "Binary",
    "Call",
    "Current",
    "EvaluationContext",
    "Expression",
    "Instance",
    "LastSaved",
    "Literal",
    "Negate",
    "Node",
    "Path",
    "Reference",
    "Step",
    "parse_expression",
]
