"""XPath 1.0 value semantics as ODK uses them: coercions, comparison, arithmetic, dates."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from impactkit.surveys._xpath_nodes import NodeSet

EPOCH_DATE = date(1970, 1, 1)
EPOCH_DATETIME = datetime(1970, 1, 1)
SECONDS_PER_DAY = 86_400.0

_DATE_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_DATETIME_RE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
TIME_PATTERN = re.compile(r"^\s*(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$")
_NUMBER_RE = re.compile(r"^\s*-?(\d+(\.\d*)?|\.\d+)\s*$")
"""A number as JavaRosa reads text: digits with an optional '-' and decimal point (no '+', no
exponent: ``number('1e3')`` is NaN in ODK Collect)."""
_INT_MAX = 2_147_483_647


def is_empty(value: Any) -> bool:
    """True for an unanswered value: None, '' or an empty selection."""
    if value is None:
        return True
    kind = type(value)  # the exact types of answers first: this runs for every answer
    if kind is str or kind is list:
        return len(value) == 0
    if kind is int or kind is float:
        return False
    if isinstance(value, str):
        return value == ""
    if isinstance(value, list | tuple):
        return len(value) == 0
    return False


def parse_date_text(text: str) -> date | datetime | None:
    """An ISO date or date-time in ``text``, or None."""
    match = _DATE_RE.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    match = _DATETIME_RE.match(text)
    if match:
        try:
            micro = int((match[7] or "0").ljust(6, "0"))
            moment = datetime(
                int(match[1]),
                int(match[2]),
                int(match[3]),
                int(match[4]),
                int(match[5]),
                int(match[6] or 0),
                micro,
            )
        except ValueError:
            return None
        zone = match[8]
        if zone and zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            digits = zone[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            moment = moment - sign * offset
        return moment
    return None


def to_number(value: Any) -> float:
    """XPath number(): strings parse as decimals (or ISO dates, as days since 1970), else NaN."""
    kind = type(value)  # the exact numeric types first: this runs on every comparison
    if kind is float:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return float(value)
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return float((value - EPOCH_DATETIME).total_seconds()) / SECONDS_PER_DAY
    if isinstance(value, date):
        return float((value - EPOCH_DATE).days)
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / SECONDS_PER_DAY
    if isinstance(value, str):
        if _NUMBER_RE.match(value):
            return float(value.strip())
        parsed = parse_date_text(value)
        if parsed is not None:
            return to_number(parsed)
        return math.nan
    if isinstance(value, list | tuple):
        return to_number(" ".join(to_string(v) for v in value)) if value else math.nan
    return math.nan


def format_number(number: float) -> str:
    """string() of a number as ODK Collect writes it: a whole number within Java's int range
    without a decimal point, else Java's notation (``0.5``, ``1.0E-6``, ``1.2345678901234568E17``),
    NaN, Infinity."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == int(number) and abs(number) <= _INT_MAX:
        return str(int(number))
    return _java_double(number)


def _java_double(number: float) -> str:
    """Java's ``Double.toString``: plain from 0.001 to 10^7, else ``d.dddE±n`` (shortest digits)."""
    sign = "-" if number < 0 else ""
    exact = Decimal(repr(abs(number))).normalize()
    _, digit_tuple, exponent = exact.as_tuple()
    digits = "".join(str(d) for d in digit_tuple)
    point = len(digits) + int(exponent)  # the value is 0.<digits> × 10^point
    if 1e-3 <= abs(number) < 1e7:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{sign}{digits}{'0' * (point - len(digits))}.0"
        return f"{sign}{digits[:point]}.{digits[point:]}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{point - 1}"


def to_string(value: Any) -> str:
    """XPath string(): the text form of a value ('' for empty)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return " ".join(to_string(v) for v in value)
    if hasattr(value, "nodes") and hasattr(value, "values"):  # a node-set: its first node's value
        values = value.values()
        return to_string(values[0]) if values else ""
    return str(value)


def to_bool(value: Any) -> bool:
    """XPath boolean(): numbers are true unless 0 or NaN, strings unless empty."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, str):
        return value != ""
    if isinstance(value, list | tuple):
        return len(value) > 0
    return True


def _is_numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_temporal(value: Any) -> bool:
    return isinstance(value, date | datetime | time)


def compare(operator: str, left: Any, right: Any) -> bool:
    """XPath comparison: booleans first, then numbers (dates count as numbers), then strings."""
    if operator in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = to_bool(left) == to_bool(right)
        elif _is_numeric(left) or _is_numeric(right) or _is_temporal(left) or _is_temporal(right):
            equal = left is not None and right is not None and to_number(left) == to_number(right)
        else:
            equal = to_string(left) == to_string(right)
        return equal if operator == "=" else not equal
    a = to_number(left)
    b = to_number(right)
    if operator == "<":
        return a < b
    if operator == "<=":
        return a <= b
    if operator == ">":
        return a > b
    return a >= b


def arithmetic(operator: str, left: Any, right: Any) -> float:
    """XPath + - * div mod on doubles (IEEE: division by zero gives ±Infinity or NaN)."""
    a = to_number(left)
    b = to_number(right)
    if operator == "+":
        return a + b
    if operator == "-":
        return a - b
    if operator == "*":
        return a * b
    if operator == "div":
        if b == 0:
            if a == 0 or math.isnan(a):
                return math.nan
            return math.copysign(math.inf, a) * math.copysign(1.0, b)
        return a / b
    # mod: the remainder keeps the sign of the dividend (truncated division), as in XPath.
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.fmod(a, b)


def to_date(value: Any) -> date | datetime | None:
    """A value as a date: dates pass, ISO strings parse, numbers are days since 1970."""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str):
        if value.strip() == "":
            return None
        parsed = parse_date_text(value)
        if parsed is not None:
            return parsed
        number = to_number(value)
    elif _is_numeric(value):
        number = float(value)
    else:
        return None
    if math.isnan(number) or math.isinf(number) or abs(number) > 3_000_000:
        return None
    if number == int(number):
        return EPOCH_DATE + timedelta(days=int(number))
    return EPOCH_DATETIME + timedelta(days=number)


def split_selection(value: Any) -> list[str]:
    """The choices of a select_multiple value: a list, or a space-separated string."""
    if value is None:
        return []
    if type(value) is list:  # an answer's list of names: no conversion to do
        names = [v for v in value if type(v) is str]
        if len(names) == len(value):
            return [name for name in names if name]
    if isinstance(value, list | tuple):
        return [to_string(v) for v in value if not is_empty(v)]
    return to_string(value).split()


def as_list(value: Any) -> Sequence[Any]:
    """A node-set as a list of values: lists pass, empty is [], anything else is one item."""
    if type(value) is NodeSet:
        return value.values()
    if isinstance(value, list | tuple):
        return value
    if value is None:
        return []
    return [value]
