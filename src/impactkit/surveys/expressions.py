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
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from impactkit.errors import ExpressionError, Problem
from impactkit.surveys._compiler import MAX_STEPS, Evaluator, compile_tree
from impactkit.surveys._tree import Binary, Call, Current, Literal, Negate, Node, Parent, Reference, walk
from impactkit.surveys._xpath_functions import FUNCTIONS, REFUSED_FUNCTIONS, Environment, compile_regex
from impactkit.surveys._xpath_values import to_bool

if TYPE_CHECKING:
    import pandas as pd

MAX_EXPRESSION_LENGTH = 10_000
"""Longest expression accepted (characters)."""
MAX_DEPTH = 64
"""Deepest nesting of the expression tree."""

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


def _error(message: str, position: int, text: str) -> ExpressionError:
    column = position + 1
    full = f"{message} (at character {column} of {text!r})"
    return ExpressionError(
        full,
        problems=[
            Problem(
                message,
                location=f"character {column}",
                code="expression_syntax",
                details={"position": column, "expression": text},
            )
        ],
    )


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
                raise _error("'$' must start a reference like ${name}", start, text)
            end = text.find("}", index + 2)
            if end < 0:
                raise _error("reference '${' is not closed with '}'", start, text)
            name = text[index + 2 : end].strip()
            if not name or not _is_name_start(name[0]) or not all(_is_name_char(c) for c in name):
                raise _error(f"'{name}' is not a valid field name", start, text)
            tokens.append(_Token(_REF, name, start))
            index = end + 1
            continue
        if char in "'\"":
            end = text.find(char, index + 1)
            if end < 0:
                raise _error("text in quotes is not closed", start, text)
            tokens.append(_Token(_STRING, text[index + 1 : end], start))
            index = end + 1
            continue
        if char in _DIGITS or (char == "." and index + 1 < length and text[index + 1] in _DIGITS):
            index += 1
            while index < length and (text[index] in _DIGITS or text[index] == "."):
                index += 1
            number_text = text[start:index]
            if number_text.count(".") > 1:
                raise _error(f"'{number_text}' is not a number", start, text)
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
                raise _error("'*' wildcards are not supported", start, text)
            tokens.append(_Token(_OPERATOR, "*", start))
            index += 1
            continue
        if char in "(),./[]@":
            tokens.append(_Token(_PUNCT, char, start))
            index += 1
            continue
        raise _error(f"unexpected character {char!r}", start, text)
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

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> _Token:
        token = self.advance()
        if token.text != text or token.kind not in (_PUNCT, _OPERATOR):
            found = "the end" if token.kind == _END else repr(token.text)
            raise _error(f"expected {text!r}, found {found}", token.position, self.text)
        return token

    def parse(self) -> Node:
        node = self.expression(0)
        token = self.peek()
        if token.kind != _END:
            if token.text == "[":
                raise _error(
                    "predicates [...] are not supported; use indexed-repeat()",
                    token.position,
                    self.text,
                )
            raise _error(f"unexpected {token.text!r}", token.position, self.text)
        return node

    def expression(self, right_power: int) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _error(
                f"expression nested deeper than {MAX_DEPTH} levels",
                self.peek().position,
                self.text,
            )
        left = self.prefix(self.advance())
        while True:
            token = self.peek()
            power = _BINDING_POWER.get(token.text, 0) if token.kind == _OPERATOR else 0
            if token.kind == _OPERATOR and token.text == "|":
                raise _error("node-set union '|' is not supported", token.position, self.text)
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
            return Reference(token.text)
        if token.kind == _OPERATOR and token.text == "-":
            self.depth += 1
            operand = self.expression(_UNARY_POWER)
            self.depth -= 1
            return Negate(operand)
        if token.kind == _PUNCT:
            if token.text == "(":
                inner = self.expression(0)
                self.expect(")")
                return inner
            if token.text in (".", ".."):
                return self.path(Current() if token.text == "." else Parent(), token)
            if token.text == "/":
                return self.absolute_path(token)
        if token.kind == _NAME:
            if self.peek().kind == _PUNCT and self.peek().text == "(":
                return self.call(token)
            return self.path(Reference(token.text, path=True), token)
        found = "the end of the expression" if token.kind == _END else repr(token.text)
        raise _error(f"expected a value, found {found}", token.position, self.text)

    def path(self, start: Node, token: _Token) -> Node:
        node = start
        while self.peek().kind == _PUNCT and self.peek().text == "/":
            self.advance()
            step = self.advance()
            if step.kind == _NAME:
                node = Reference(step.text, path=True)
            elif step.kind == _PUNCT and step.text == "..":
                node = Parent()
            elif step.kind == _PUNCT and step.text == ".":
                continue
            else:
                raise _error("expected a field name after '/'", step.position, self.text)
        if self.peek().kind == _PUNCT and self.peek().text == "[":
            raise _error(
                "predicates [...] are not supported; use indexed-repeat()",
                self.peek().position,
                self.text,
            )
        return node

    def absolute_path(self, token: _Token) -> Node:
        step = self.advance()
        if step.kind != _NAME:
            raise _error("expected a field name after '/'", step.position, self.text)
        # /data/group/field: the last step names the field (names are unique form-wide).
        return self.path(Reference(step.text, path=True), step)

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
            raise _error(f"{name}() is not supported: {REFUSED_FUNCTIONS[name]}", token.position, self.text)
        spec = FUNCTIONS.get(name)
        if spec is None:
            raise _error(f"unknown function {name}()", token.position, self.text)
        count = len(arguments)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            if spec.max_args is None:
                wanted = f"at least {spec.min_args}"
            elif spec.min_args == spec.max_args:
                wanted = str(spec.min_args)
            else:
                wanted = f"{spec.min_args} to {spec.max_args}"
            raise _error(f"{name}() takes {wanted} argument(s), got {count}", token.position, self.text)
        if name == "current":
            return self.path(Current(), token)
        if name == "regex" and isinstance(arguments[1], Literal):
            try:
                compile_regex(str(arguments[1].value))
            except ExpressionError as error:
                raise _error(error.message, token.position, self.text) from None
        return Call(name, tuple(arguments))


@dataclass(frozen=True)
class Expression:
    """A parsed expression, ready to evaluate many times.

    Attributes:
        text: the expression as written (curly quotes normalised).
        tree: the root of the syntax tree.
        references: the field names it reads as ``${name}``.
        path_references: names read as bare names or paths (``../zone``, ``/data/x``; in a
            choice_filter, the choice columns such as ``district``).
        functions: the function names it calls.
        evaluator: the tree compiled into closures, built once with the expression.
    """

    text: str
    tree: Node
    references: frozenset[str]
    path_references: frozenset[str]
    functions: frozenset[str]
    evaluator: Evaluator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "evaluator", compile_tree(self.tree))

    @property
    def uses_current(self) -> bool:
        """True when the expression reads ``.`` (the value being constrained)."""
        return any(isinstance(node, Current) for node in walk(self.tree))

    def evaluate(self, context: EvaluationContext | Mapping[str, Any] | None = None) -> Any:
        """Evaluate against answers.

        Args:
            context: an :class:`EvaluationContext`, or just a mapping of field name -> value.

        Returns:
            An XPath value: ``str``, ``float``, ``bool``, ``date``/``datetime``, or what a
            reference holds (e.g. a list for a select_multiple answer, None when unanswered).

        Raises:
            ExpressionError: a runtime limit was reached (steps, string length, regex time).
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


def parse_expression(text: str) -> Expression:
    """Parse XLSForm expression text.

    Args:
        text: the expression, e.g. ``"${age} >= 15 and selected(${services}, 'housing')"``.
            Excel's curly quotes are read as straight quotes.

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
            f"expression longer than {MAX_EXPRESSION_LENGTH} characters",
            MAX_EXPRESSION_LENGTH,
            normalised[:40] + "...",
        )
    if not normalised:
        raise _error("expression is empty", 0, normalised)
    tree = _Parser(normalised).parse()
    nodes = walk(tree)
    references = frozenset(node.name for node in nodes if isinstance(node, Reference) and not node.path)
    paths = frozenset(node.name for node in nodes if isinstance(node, Reference) and node.path)
    functions = frozenset(node.name for node in nodes if isinstance(node, Call))
    return Expression(normalised, tree, references, paths, functions)


__all__ = [
    "MAX_DEPTH",
    "MAX_EXPRESSION_LENGTH",
    "MAX_STEPS",
    "Binary",
    "Call",
    "Current",
    "EvaluationContext",
    "Expression",
    "Literal",
    "Negate",
    "Node",
    "Parent",
    "Reference",
    "parse_expression",
]
