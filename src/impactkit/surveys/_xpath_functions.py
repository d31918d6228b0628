"""The XPath / ODK function library of the expression language (pure functions on values)."""

from __future__ import annotations

import math
import random as random_module
import re
import sys
import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from impactkit.errors import ExpressionError, Problem
from impactkit.surveys import _regex_bounds
from impactkit.surveys._xpath_values import (
    TIME_PATTERN,
    as_list,
    is_empty,
    split_selection,
    to_bool,
    to_date,
    to_number,
    to_string,
)

try:  # the `regex` package offers a match timeout, which the standard `re` lacks
    import regex as _regex_engine

    _HAS_TIMEOUT = True
except ImportError:  # pragma: no cover - exercised only where the package is missing
    _regex_engine = re
    _HAS_TIMEOUT = False

if TYPE_CHECKING:
    from impactkit.surveys.expressions import EvaluationContext

MAX_STRING_LENGTH = 1_000_000
"""Longest string an expression may build (characters)."""
MAX_REGEX_INPUT = 10_000
"""Longest text regex() will test (characters); longer text does not match."""
REGEX_TIMEOUT_SECONDS = 1.0
"""Wall-clock budget of one regex() match. Generous, because a thread may wait its turn for the
interpreter under load: a short budget would refuse valid answers at random. A simple pattern
on text of at most 1,000 characters (see ``_regex_bounds``) runs without it: it cannot take
long, and a match with a budget costs several times more."""
MAX_PATTERN_LENGTH = 2_000


class Environment:
    """What a running evaluation knows: the caller's context, the clock, a step budget."""

    __slots__ = ("context", "now", "steps", "today")

    def __init__(self, context: EvaluationContext) -> None:
        self.context = context
        self.steps = 0
        self.now = context.now or datetime.now()
        self.today = context.today or self.now.date()


Implementation = Callable[[Environment, list[Any]], Any]


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """One function: how many arguments it takes and what it does."""

    name: str
    min_args: int
    max_args: int | None
    implementation: Implementation
    nodeset_args: tuple[int, ...] = ()
    """Argument positions given as a list of every repeat instance's value when they are ${refs}."""
    vectorised: bool = True
    """Whether evaluate_frame may apply it row by row (False: it needs a form or a clock)."""


def _checked(text: str) -> str:
    if len(text) > MAX_STRING_LENGTH:
        raise ExpressionError(
            f"expression result longer than {MAX_STRING_LENGTH} characters",
            problems=[Problem("string result too long", code="expression_limit")],
        )
    return text


# --- regular expressions -------------------------------------------------------------------

_CLASS_ESCAPE_THEN_HYPHEN = re.compile(r"(\\[wWdDsS])-(?=[^\]])")


_QUOTED_LITERAL = re.compile(r"\\Q(.*?)(?:\\E|$)", re.DOTALL)
_JAVA_NAMED_GROUP = re.compile(r"\(\?<(?=[A-Za-z])")
_JAVA_PROPERTIES = {
    r"\p{javaLowerCase}": r"\p{Ll}",
    r"\p{javaUpperCase}": r"\p{Lu}",
    r"\p{javaLetter}": r"\p{L}",
    r"\p{javaDigit}": r"\d",
    r"\p{javaWhitespace}": r"\s",
}


def translate_odk_regex(pattern: str) -> str:
    """Rewrite the Java/ODK regex idioms Python refuses into their Python equivalent.

    Only rewrites that keep the meaning: ``\\Q...\\E`` quoting becomes escaped text,
    ``(?<name>...)`` becomes ``(?P<name>...)``, ``\\p{javaLowerCase}`` and its kin become
    Unicode categories, and inside a character class a hyphen right after a class escape
    (``[\\w-\\.]``) is escaped, since Java reads it as a literal hyphen.
    """
    pattern = _QUOTED_LITERAL.sub(lambda match: re.escape(match[1]), pattern)
    pattern = _JAVA_NAMED_GROUP.sub("(?P<", pattern)
    for java, python in _JAVA_PROPERTIES.items():
        pattern = pattern.replace(java, python)
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            pair = pattern[index : index + 2]
            out.append(pair)
            index += 2
            if (
                in_class
                and pair[1] in "wWdDsS"
                and index < len(pattern)
                and pattern[index] == "-"
                and index + 1 < len(pattern)
                and pattern[index + 1] != "]"
            ):
                out.append("\\-")
                index += 1
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


@dataclass(frozen=True, slots=True)
class _Pattern:
    compiled: Any
    simple: bool
    """True when it may run without a time budget on short text (``_regex_bounds.is_simple``)."""


_PATTERN_CACHE: dict[str, _Pattern] = {}


def compile_regex(pattern: str) -> Any:
    """Compile an ODK regex (after translation), or raise ExpressionError saying why not."""
    return _known_pattern(pattern).compiled


def _known_pattern(pattern: str) -> _Pattern:
    cached = _PATTERN_CACHE.get(pattern)
    if cached is not None:
        return cached
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ExpressionError(
            f"regular expression longer than {MAX_PATTERN_LENGTH} characters",
            problems=[Problem("regular expression too long", code="expression_limit")],
        )
    translated = translate_odk_regex(pattern)
    try:
        compiled = _regex_engine.compile(translated)
    except Exception as error:  # both engines raise their own error classes
        message = f"regular expression {pattern!r} is not valid: {error}"
        raise ExpressionError(message, problems=[Problem(message, code="expression_regex")]) from None
    known = _Pattern(compiled, _regex_bounds.is_simple(translated))
    if len(_PATTERN_CACHE) < 4096:
        _PATTERN_CACHE[pattern] = known
    return known


def _regex(env: Environment, args: list[Any]) -> bool:
    text = to_string(args[0])
    if len(text) > MAX_REGEX_INPUT:
        return False
    return _search(_known_pattern(to_string(args[1])), text)


def regex_matcher(pattern: str) -> Callable[[str], bool]:
    """regex() for a pattern known in advance (the usual literal): text -> whether it matches.

    Raises:
        ExpressionError: the pattern does not compile.
    """
    known = _known_pattern(pattern)

    def matches(text: str) -> bool:
        return len(text) <= MAX_REGEX_INPUT and _search(known, text)

    return matches


def _search(pattern: _Pattern, text: str) -> bool:
    """A simple pattern (see ``_regex_bounds``) on text of at most ``_regex_bounds.TEXT_LENGTH``
    characters is searched without a time budget; any other search has ``REGEX_TIMEOUT_SECONDS``."""
    compiled = pattern.compiled
    if pattern.simple and len(text) <= _regex_bounds.TEXT_LENGTH:
        return compiled.search(text) is not None
    try:
        if _HAS_TIMEOUT:
            return compiled.search(text, timeout=REGEX_TIMEOUT_SECONDS) is not None
        return compiled.search(text) is not None
    except TimeoutError:
        raise ExpressionError(
            "regular expression took too long on this answer",
            problems=[Problem("regular expression timed out", code="expression_limit")],
        ) from None


# --- strings -------------------------------------------------------------------------------


def _concat(env: Environment, args: list[Any]) -> str:
    return _checked("".join(to_string(a) for a in args))


def _index(number: float) -> int:
    """A whole index from a number that is not NaN; ±Infinity lies beyond every end."""
    if math.isinf(number):
        return sys.maxsize if number > 0 else -sys.maxsize
    return int(number)


def _substr(env: Environment, args: list[Any]) -> str:
    text = to_string(args[0])
    start = to_number(args[1])
    if math.isnan(start):
        return ""
    begin = max(_index(start), 0)
    if len(args) > 2:
        end = to_number(args[2])
        if math.isnan(end):
            return ""
        return text[begin : max(_index(end), 0)]
    return text[begin:]


def _substring_before(env: Environment, args: list[Any]) -> str:
    text, needle = to_string(args[0]), to_string(args[1])
    index = text.find(needle)
    return "" if index < 0 else text[:index]


def _substring_after(env: Environment, args: list[Any]) -> str:
    text, needle = to_string(args[0]), to_string(args[1])
    index = text.find(needle)
    return "" if index < 0 else text[index + len(needle) :]


def _translate(env: Environment, args: list[Any]) -> str:
    text, source, target = (to_string(a) for a in args)
    table: dict[int, int | None] = {}
    for position, char in enumerate(source):
        if ord(char) not in table:
            table[ord(char)] = ord(target[position]) if position < len(target) else None
    return text.translate(table)


def _join(env: Environment, args: list[Any]) -> str:
    separator = to_string(args[0])
    items: list[Any] = []
    for arg in args[1:]:
        items.extend(as_list(arg))
    return _checked(separator.join(to_string(i) for i in items))


# --- selections ----------------------------------------------------------------------------


def _selected(env: Environment, args: list[Any]) -> bool:
    return to_string(args[1]).strip() in split_selection(args[0])


def _selected_at(env: Environment, args: list[Any]) -> str:
    choices = split_selection(args[0])
    index = to_number(args[1])
    if math.isnan(index) or index < 0 or _index(index) >= len(choices):
        return ""
    return choices[int(index)]


def _choice_name(env: Environment, args: list[Any]) -> str:
    value = to_string(args[0])
    reference = to_string(args[1]).strip()
    if reference.startswith("${") and reference.endswith("}"):
        reference = reference[2:-1]
    lookup = env.context.choice_label
    if lookup is None:
        return value
    label = lookup(reference, value)
    return value if label is None else label


# --- numbers -------------------------------------------------------------------------------


def _int(env: Environment, args: list[Any]) -> float:
    number = to_number(args[0])
    if math.isnan(number) or math.isinf(number):
        return number
    return float(math.trunc(number))


def _round(env: Environment, args: list[Any]) -> float:
    number = to_number(args[0])
    if math.isnan(number) or math.isinf(number):
        return number
    if len(args) == 1:
        return float(math.floor(number + 0.5))
    digits = to_number(args[1])
    if math.isnan(digits):
        return math.nan
    try:
        quantum = Decimal(1).scaleb(-int(digits))
        return float(Decimal(repr(number)).quantize(quantum, rounding=ROUND_HALF_UP))
    except (InvalidOperation, OverflowError):
        return math.nan


def _math1(operation: Callable[[float], float]) -> Implementation:
    def apply(env: Environment, args: list[Any]) -> float:
        number = to_number(args[0])
        try:
            return float(operation(number))
        except (ValueError, OverflowError):
            return math.nan

    return apply


def _log(number: float) -> float:
    if number < 0 or math.isnan(number):
        return math.nan
    return -math.inf if number == 0 else math.log(number)


def _log10(number: float) -> float:
    if number < 0 or math.isnan(number):
        return math.nan
    return -math.inf if number == 0 else math.log10(number)


def _pow(env: Environment, args: list[Any]) -> float:
    base, exponent = to_number(args[0]), to_number(args[1])
    try:
        result = math.pow(base, exponent)
    except OverflowError:
        return math.inf
    except ValueError:
        return math.nan
    return result


def _atan2(env: Environment, args: list[Any]) -> float:
    return math.atan2(to_number(args[0]), to_number(args[1]))


def _numbers(args: list[Any]) -> list[float]:
    values: list[float] = []
    for arg in args:
        values.extend(to_number(item) for item in as_list(arg))
    return values


def _min(env: Environment, args: list[Any]) -> float:
    values = _numbers(args)
    if not values or any(math.isnan(v) for v in values):
        return math.nan
    return min(values)


def _max(env: Environment, args: list[Any]) -> float:
    values = _numbers(args)
    if not values or any(math.isnan(v) for v in values):
        return math.nan
    return max(values)


def _sum(env: Environment, args: list[Any]) -> float:
    return math.fsum(_numbers(args)) if args else 0.0


def _count(env: Environment, args: list[Any]) -> float:
    return float(len(as_list(args[0])))


def _count_non_empty(env: Environment, args: list[Any]) -> float:
    return float(sum(1 for item in as_list(args[0]) if not is_empty(item)))


def _count_selected(env: Environment, args: list[Any]) -> float:
    return float(len(split_selection(args[0])))


def _indexed_repeat(env: Environment, args: list[Any]) -> Any:
    values = as_list(args[0])
    index = to_number(args[2])
    if math.isnan(index) or index < 1 or _index(index) > len(values):
        return ""
    return values[int(index) - 1]


# --- dates ---------------------------------------------------------------------------------


def _date(env: Environment, args: list[Any]) -> Any:
    value = to_date(args[0])
    return "" if value is None else value


def _date_only(env: Environment, args: list[Any]) -> Any:
    value = to_date(args[0])
    if value is None:
        return ""
    return value.date() if isinstance(value, datetime) else value


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _format_date(env: Environment, args: list[Any]) -> str:
    value: Any = args[0]
    if not isinstance(value, time):
        value = to_date(value)
    if value is None:
        return ""
    pattern = to_string(args[1])
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char != "%" or index + 1 >= len(pattern):
            out.append(char)
            index += 1
            continue
        code = pattern[index + 1]
        index += 2
        hour = getattr(value, "hour", 0)
        has_date = isinstance(value, date)
        if code == "Y" and has_date:
            out.append(f"{value.year:04d}")
        elif code == "y" and has_date:
            out.append(f"{value.year % 100:02d}")
        elif code == "m" and has_date:
            out.append(f"{value.month:02d}")
        elif code == "n" and has_date:
            out.append(str(value.month))
        elif code == "b" and has_date:
            out.append(_MONTHS[value.month - 1])
        elif code == "d" and has_date:
            out.append(f"{value.day:02d}")
        elif code == "e" and has_date:
            out.append(str(value.day))
        elif code == "a" and has_date:
            out.append(_DAYS[value.weekday()])
        elif code == "H":
            out.append(f"{hour:02d}")
        elif code == "h":
            out.append(str(hour))
        elif code == "M":
            out.append(f"{getattr(value, 'minute', 0):02d}")
        elif code == "S":
            out.append(f"{getattr(value, 'second', 0):02d}")
        elif code == "3":
            out.append(f"{getattr(value, 'microsecond', 0) // 1000:03d}")
        else:
            out.append("%" + code)
    return "".join(out)


def _decimal_date_time(env: Environment, args: list[Any]) -> float:
    value = to_date(args[0])
    return math.nan if value is None else to_number(value)


def _decimal_time(env: Environment, args: list[Any]) -> float:
    value = args[0]
    if isinstance(value, str):
        match = TIME_PATTERN.match(value)
        if not match:
            return math.nan
        value = time(int(match[1]), int(match[2]), int(match[3] or 0))
    if isinstance(value, datetime):
        value = value.time()
    if not isinstance(value, time):
        return math.nan
    return to_number(value)


# --- the rest ------------------------------------------------------------------------------


def _position(env: Environment, args: list[Any]) -> float:
    if env.context.position is None:
        raise ExpressionError(
            "position(..) is only meaningful inside a repeat",
            problems=[Problem("position(..) outside a repeat", code="expression_context")],
        )
    return float(env.context.position)


def _random(env: Environment, args: list[Any]) -> float:
    return random_module.Random(env.context.seed).random()


def _uuid(env: Environment, args: list[Any]) -> str:
    return str(uuid_module.UUID(int=random_module.Random(env.context.seed).getrandbits(128), version=4))


def _refuse(name: str, reason: str) -> Implementation:
    def apply(env: Environment, args: list[Any]) -> Any:
        raise ExpressionError(f"{name}() is not supported: {reason}")

    return apply


def _spec(
    name: str,
    min_args: int,
    max_args: int | None,
    implementation: Implementation,
    nodeset_args: tuple[int, ...] = (),
    vectorised: bool = True,
) -> FunctionSpec:
    return FunctionSpec(name, min_args, max_args, implementation, nodeset_args, vectorised)


def _const(value: Any) -> Implementation:
    return lambda env, args: value


def _identity(env: Environment, args: list[Any]) -> Any:
    return args[0]


FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in [
        # "if" is evaluated lazily by the interpreter; the implementation here is for arity only.
        _spec("if", 3, 3, lambda env, args: args[1] if to_bool(args[0]) else args[2]),
        _spec("not", 1, 1, lambda env, args: not to_bool(args[0])),
        _spec("boolean", 1, 1, lambda env, args: to_bool(args[0])),
        _spec(
            "boolean-from-string",
            1,
            1,
            lambda env, args: to_string(args[0]).strip().lower() in ("true", "1"),
        ),
        _spec("true", 0, 0, _const(True)),
        _spec("false", 0, 0, _const(False)),
        _spec("string", 1, 1, lambda env, args: to_string(args[0])),
        _spec("number", 1, 1, lambda env, args: to_number(args[0])),
        _spec("int", 1, 1, _int),
        _spec("round", 1, 2, _round),
        _spec("floor", 1, 1, _math1(math.floor)),
        _spec("ceiling", 1, 1, _math1(math.ceil)),
        _spec("abs", 1, 1, _math1(abs)),
        _spec("pow", 2, 2, _pow),
        _spec("sqrt", 1, 1, _math1(lambda x: math.sqrt(x) if x >= 0 else math.nan)),
        _spec("exp", 1, 1, _math1(math.exp)),
        _spec("exp10", 1, 1, _math1(lambda x: 10.0**x)),
        _spec("log", 1, 1, _math1(_log)),
        _spec("log10", 1, 1, _math1(_log10)),
        _spec("sin", 1, 1, _math1(math.sin)),
        _spec("cos", 1, 1, _math1(math.cos)),
        _spec("tan", 1, 1, _math1(math.tan)),
        _spec("asin", 1, 1, _math1(math.asin)),
        _spec("acos", 1, 1, _math1(math.acos)),
        _spec("atan", 1, 1, _math1(math.atan)),
        _spec("atan2", 2, 2, _atan2),
        _spec("pi", 0, 0, _const(math.pi)),
        _spec("min", 1, None, _min, nodeset_args=(0,), vectorised=False),
        _spec("max", 1, None, _max, nodeset_args=(0,), vectorised=False),
        _spec("sum", 1, 1, _sum, nodeset_args=(0,), vectorised=False),
        _spec("count", 1, 1, _count, nodeset_args=(0,), vectorised=False),
        _spec("count-non-empty", 1, 1, _count_non_empty, nodeset_args=(0,), vectorised=False),
        _spec("join", 2, None, _join, nodeset_args=(1,), vectorised=False),
        _spec("selected", 2, 2, _selected),
        _spec("count-selected", 1, 1, _count_selected),
        _spec("selected-at", 2, 2, _selected_at),
        _spec("jr:choice-name", 2, 2, _choice_name, vectorised=False),
        _spec(
            "coalesce",
            2,
            2,
            lambda env, args: args[1] if is_empty(args[0]) else args[0],
        ),
        _spec("concat", 0, None, _concat),
        _spec("contains", 2, 2, lambda env, args: to_string(args[1]) in to_string(args[0])),
        _spec(
            "starts-with",
            2,
            2,
            lambda env, args: to_string(args[0]).startswith(to_string(args[1])),
        ),
        _spec("ends-with", 2, 2, lambda env, args: to_string(args[0]).endswith(to_string(args[1]))),
        _spec("substr", 2, 3, _substr),
        _spec("substring-before", 2, 2, _substring_before),
        _spec("substring-after", 2, 2, _substring_after),
        _spec("string-length", 1, 1, lambda env, args: float(len(to_string(args[0])))),
        _spec("normalize-space", 1, 1, lambda env, args: " ".join(to_string(args[0]).split())),
        _spec("translate", 3, 3, _translate),
        _spec("lower-case", 1, 1, lambda env, args: to_string(args[0]).lower()),
        _spec("upper-case", 1, 1, lambda env, args: to_string(args[0]).upper()),
        _spec("regex", 2, 2, _regex),
        _spec("today", 0, 0, lambda env, args: env.today, vectorised=False),
        _spec("now", 0, 0, lambda env, args: env.now, vectorised=False),
        _spec("date", 1, 1, _date_only),
        _spec("date-time", 1, 1, _date),
        _spec("decimal-date-time", 1, 1, _decimal_date_time),
        _spec("decimal-time", 1, 1, _decimal_time),
        _spec("format-date", 2, 2, _format_date),
        _spec("format-date-time", 2, 2, _format_date),
        _spec("position", 0, 1, _position, vectorised=False),
        _spec("indexed-repeat", 3, 3, _indexed_repeat, nodeset_args=(0,), vectorised=False),
        _spec("once", 1, 1, _identity, vectorised=False),
        _spec("uuid", 0, 1, _uuid, vectorised=False),
        _spec("random", 0, 0, _random, vectorised=False),
        # current() is parsed into the current node; listed here for the arity check.
        _spec("current", 0, 0, _const(None), vectorised=False),
    ]
}

REFUSED_FUNCTIONS: dict[str, str] = {
    "distance": "geographic distance is not computed on the server",
    "area": "geographic area is not computed on the server",
    "digest": "hashing inside forms is not supported",
    "pulldata": "pulldata() reads external CSV files, which impactkit does not store",
    "instance": "secondary instances (external choice files) are not supported",
    "checklist": "checklist() is not supported",
    "weighted-checklist": "weighted-checklist() is not supported",
    "base64-decode": "base64-decode() is not supported",
    "encrypt-string": "encrypt-string() is not supported",
    "decrypt-string": "decrypt-string() is not supported",
}
