"""The XPath / ODK function library of the expression language (pure functions on values)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import math
import random as random_module
import re
import string as string_module
import sys
import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from impactkit.errors import ExpressionError, Problem
from impactkit.surveys import _regex_bounds
from impactkit.surveys._xpath_nodes import NodeSet, iterate_values, unpack
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
    """What a running evaluation knows: the caller's context, the clock, a step budget, and,
    inside a predicate ``[...]``, the node being filtered (``focus``) and its position."""

    __slots__ = ("context", "focus", "focus_position", "focus_size", "now", "steps", "today")

    def __init__(self, context: EvaluationContext) -> None:
        self.context = context
        self.steps = 0
        self.now = context.now or datetime.now()
        self.today = context.today or self.now.date()
        self.focus: Any = None
        self.focus_position = 0
        self.focus_size = 0


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
    """Whether ``text`` matches ``pattern`` whole, as ODK Collect's regex() does (Java's
    ``matches()``: ``regex('abc', 'b')`` is false). A simple pattern (see ``_regex_bounds``) on
    text of at most ``_regex_bounds.TEXT_LENGTH`` characters runs without a time budget; any
    other match has ``REGEX_TIMEOUT_SECONDS``."""
    compiled = pattern.compiled
    if pattern.simple and len(text) <= _regex_bounds.TEXT_LENGTH:
        return compiled.fullmatch(text) is not None
    try:
        if _HAS_TIMEOUT:
            return compiled.fullmatch(text, timeout=REGEX_TIMEOUT_SECONDS) is not None
        return compiled.fullmatch(text) is not None
    except TimeoutError:
        raise ExpressionError(
            "regular expression took too long on this answer",
            problems=[Problem("regular expression timed out", code="expression_limit")],
        ) from None


# --- strings -------------------------------------------------------------------------------


def _concat(env: Environment, args: list[Any]) -> str:
    if len(args) == 1 and type(args[0]) is NodeSet:  # concat(${repeated}): every value, joined
        return _checked("".join(to_string(v) for v in args[0].values()))
    return _checked("".join(to_string(unpack(a)) for a in args))


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
    """min()/max(): one node-set gives its values; several arguments are each one value."""
    if len(args) == 1:
        return [to_number(item) for item in as_list(args[0])]
    return [to_number(unpack(arg)) for arg in args]


def _min(env: Environment, args: list[Any]) -> float:
    """The smallest number, as ODK Collect finds it: values that are not numbers (an unanswered
    question, text) are passed over; NaN when none is a number."""
    values = [value for value in _numbers(args) if not math.isnan(value)]
    return min(values) if values else math.nan


def _max(env: Environment, args: list[Any]) -> float:
    values = [value for value in _numbers(args) if not math.isnan(value)]
    return max(values) if values else math.nan


def _sum(env: Environment, args: list[Any]) -> float:
    """The sum of the numbers (as in ODK Collect, a value that is not a number adds nothing)."""
    return math.fsum(n for n in (to_number(item) for item in as_list(args[0])) if not math.isnan(n))


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


def _as_date(value: Any) -> date | datetime | None:
    """A value as a date, as ODK Collect converts it: empty gives None; text that is no date
    is an error (``date('2024-02-30')``), not an empty value."""
    converted = to_date(value)
    if converted is None and isinstance(value, str) and value.strip() != "":
        message = f"the value {value!r} cannot be converted to a date"
        raise ExpressionError(message, problems=[Problem(message, code="expression_type")])
    return converted


def _date(env: Environment, args: list[Any]) -> Any:
    value = _as_date(args[0])
    return "" if value is None else value


def _date_only(env: Environment, args: list[Any]) -> Any:
    value = _as_date(args[0])
    if value is None:
        return ""
    return value.date() if isinstance(value, datetime) else value


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _format_date(env: Environment, args: list[Any]) -> str:
    value: Any = args[0]
    if not isinstance(value, time):
        value = _as_date(value)
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
    """position() when no answers tree is known: the repeat instance's index from the context."""
    if env.context.position is None:
        raise ExpressionError(
            "position(..) is only meaningful inside a repeat",
            problems=[Problem("position(..) outside a repeat", code="expression_context")],
        )
    return float(env.context.position)


def _random(env: Environment, args: list[Any]) -> float:
    return random_module.Random(env.context.seed).random()


_UUID_ALPHABET = string_module.ascii_uppercase + string_module.ascii_lowercase + string_module.digits


def _uuid(env: Environment, args: list[Any]) -> str:
    """A version 4 UUID; ``uuid(n)``: a random identifier of ``n`` letters and digits."""
    generator = random_module.Random(env.context.seed)
    if args:
        length = to_number(args[0])
        if math.isnan(length) or length < 0:
            return ""
        return "".join(generator.choice(_UUID_ALPHABET) for _ in range(min(_index(length), 10_000)))
    return str(uuid_module.UUID(int=generator.getrandbits(128), version=4))


# --- checklists, hashes --------------------------------------------------------------------


def _factors(args: list[Any]) -> list[Any]:
    """checklist()'s answers: one node-set gives its values, else each argument."""
    if len(args) == 1 and type(args[0]) is NodeSet:
        return args[0].values()
    return [unpack(arg) for arg in args]


def _within(count: float, low: float, high: float) -> bool:
    """Whether ``count`` is within [low, high]; -1 (any negative) means no bound, as in ODK."""
    return (low < 0 or count >= low) and (high < 0 or count <= high)


def _checklist(env: Environment, args: list[Any]) -> bool:
    """True when the number of true answers (boolean(): 'yes', but also 'no', is true) is within
    min and max, as ODK Collect counts them."""
    count = sum(1 for value in _factors(args[2:]) if to_bool(value))
    return _within(count, to_number(unpack(args[0])), to_number(unpack(args[1])))


def _weighted_checklist(env: Environment, args: list[Any]) -> bool:
    pairs = [unpack(arg) for arg in args[2:]]
    if len(pairs) % 2:
        raise ExpressionError(
            "weighted-checklist() takes an answer and a weight for each item",
            problems=[Problem("weighted-checklist() needs pairs", code="expression_arguments")],
        )
    total = math.fsum(
        to_number(weight) for value, weight in zip(pairs[::2], pairs[1::2], strict=True) if to_bool(value)
    )
    return _within(total, to_number(unpack(args[0])), to_number(unpack(args[1])))


_DIGESTS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _digest(env: Environment, args: list[Any]) -> str:
    algorithm = to_string(args[1])
    encoding = to_string(args[2]) if len(args) > 2 else "base64"
    name = _DIGESTS.get(algorithm)
    if name is None or encoding not in ("base64", "hex"):
        message = (
            f"digest() supports the algorithms {', '.join(_DIGESTS)} and the encodings base64 and "
            f"hex, not {algorithm!r} / {encoding!r}"
        )
        raise ExpressionError(message, problems=[Problem(message, code="expression_arguments")])
    hashed = hashlib.new(name, to_string(args[0]).encode("utf-8"))
    return hashed.hexdigest() if encoding == "hex" else base64.b64encode(hashed.digest()).decode("ascii")


def _base64_decode(env: Environment, args: list[Any]) -> str:
    """The UTF-8 text a base64 value holds ('' when it is not base64 or not UTF-8)."""
    try:
        return _checked(base64.b64decode(to_string(args[0]), validate=True).decode("utf-8"))
    except (binascii.Error, ValueError):
        return ""


# --- geography -----------------------------------------------------------------------------

EARTH_RADIUS_METRES = 6_378_100.0
"""The Earth's equatorial radius ODK Collect uses for distance() and area()."""


def _points(name: str, text: str) -> list[tuple[float, float]]:
    """The (latitude, longitude) pairs of a geopoint, geotrace or geoshape ('lat lon alt acc; ...')."""
    points: list[tuple[float, float]] = []
    for part in text.split(";"):
        numbers = part.split()
        if not numbers:
            continue
        try:
            latitude, longitude = float(numbers[0]), float(numbers[1])
        except (IndexError, ValueError):
            message = f"{name}() received a value that is not GPS coordinates: {part.strip()!r}"
            raise ExpressionError(message, problems=[Problem(message, code="expression_type")]) from None
        points.append((latitude, longitude))
    return points


def _located(name: str, args: list[Any], field_only: bool) -> list[tuple[float, float]]:
    """The points of geo functions' arguments: several geopoint nodes or arguments, or one trace."""
    if field_only and (len(args) != 1 or type(args[0]) is not NodeSet):
        message = f"{name}() takes a field (a geoshape, or a repeated geopoint) as its argument"
        raise ExpressionError(message, problems=[Problem(message, code="expression_arguments")])
    values = list(iterate_values(args[0])) if len(args) == 1 else [unpack(arg) for arg in args]
    points: list[tuple[float, float]] = []
    for value in values:
        points.extend(_points(name, to_string(value)))
    return points


def _between(first: tuple[float, float], second: tuple[float, float]) -> float:
    """Metres between two points by the spherical law of cosines, on ODK's Earth."""
    longitude = math.radians(first[1] - second[1])
    lat1, lat2 = math.radians(first[0]), math.radians(second[0])
    cosine = math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(longitude)
    return math.acos(max(-1.0, min(1.0, cosine))) * EARTH_RADIUS_METRES


def _distance(env: Environment, args: list[Any]) -> float:
    """Metres along the points (a geotrace's length, a geoshape's perimeter), as ODK Collect."""
    points = _located("distance", args, field_only=False)
    return math.fsum(_between(points[i - 1], points[i]) for i in range(1, len(points)))


def _area(env: Environment, args: list[Any]) -> float:
    """Square metres inside a geoshape: ODK Collect's flat approximation around the first point
    (east-west metres shrink with the cosine of the latitude)."""
    points = _located("area", args, field_only=True)
    if len(points) < 3:
        return 0.0
    circumference = 2 * math.pi * EARTH_RADIUS_METRES
    origin_latitude, origin_longitude = points[0]
    offsets = [
        (
            (longitude - origin_longitude) * circumference * math.cos(math.radians(latitude)) / 360.0,
            (latitude - origin_latitude) * circumference / 360.0,
        )
        for latitude, longitude in points[1:]
    ]
    doubled = math.fsum(
        offsets[i - 1][1] * offsets[i][0] - offsets[i - 1][0] * offsets[i][1] for i in range(1, len(offsets))
    )
    return abs(doubled / 2)


def _geofence(env: Environment, args: list[Any]) -> bool:
    """Whether a geopoint lies inside a geoshape (crossing count of a ray, as ODK Collect)."""
    if any(type(arg) is not NodeSet for arg in args):
        message = "geofence() takes fields (a geopoint and a geoshape) as its arguments"
        raise ExpressionError(message, problems=[Problem(message, code="expression_arguments")])
    point = _points("geofence", to_string(unpack(args[0])))
    shape = _points("geofence", to_string(unpack(args[1])))
    if not point or len(shape) < 3:
        return False
    latitude, longitude = point[0]
    inside = False
    for (lat1, lon1), (lat2, lon2) in itertools.pairwise(shape):
        if (lat2 > latitude) != (lat1 > latitude) and longitude < (lon1 - lon2) * (latitude - lat2) / (
            lat1 - lat2
        ) + lon2:
            inside = not inside
    return inside


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
        _spec("concat", 0, None, _concat, nodeset_args=(0,)),
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
        _spec("string-length", 0, 1, lambda env, args: float(len(to_string(args[0])))),
        _spec("normalize-space", 0, 1, lambda env, args: " ".join(to_string(args[0]).split())),
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
        _spec("indexed-repeat", 3, 7, _indexed_repeat, nodeset_args=(0,), vectorised=False),
        _spec("once", 1, 1, _identity, vectorised=False),
        _spec("uuid", 0, 1, _uuid, vectorised=False),
        _spec("random", 0, 0, _random, vectorised=False),
        _spec("randomize", 1, 2, lambda env, args: args[0], nodeset_args=(0,), vectorised=False),
        _spec("checklist", 2, None, _checklist, nodeset_args=(2,)),
        _spec("weighted-checklist", 2, None, _weighted_checklist),
        _spec("digest", 2, 3, _digest),
        _spec("base64-decode", 1, 1, _base64_decode),
        _spec("distance", 1, None, _distance, nodeset_args=(0,), vectorised=False),
        _spec("area", 1, 1, _area, nodeset_args=(0,), vectorised=False),
        _spec("geofence", 2, 2, _geofence, nodeset_args=(0, 1), vectorised=False),
        # current() is parsed into the current node; listed here for the arity check.
        _spec("current", 0, 0, _const(None), vectorised=False),
    ]
}

REFUSED_FUNCTIONS: dict[str, str] = {
    "pulldata": "expression_reason_pulldata",
    "extract-signed": "expression_reason_extract_signed",
    "last": "expression_reason_last",
    "encrypt-string": "expression_reason_not_odk",
    "decrypt-string": "expression_reason_not_odk",
}
"""Functions refused when a form is imported, with the key of the reason the message gives
(its texts are in :mod:`impactkit.surveys.problem_texts`)."""
