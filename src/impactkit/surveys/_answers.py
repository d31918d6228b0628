"""Answers as the validator reads them: each question type's accepted forms, and JSON output."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from functools import partial
from typing import Any

from impactkit.surveys.model import MULTIPLE_TYPES, Field
from impactkit.text import MAX_TEXT, text_problem

MAX_TEXT_LENGTH = MAX_TEXT
"""Longest text answer (characters): the longest text of any request."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


class InvalidAnswer(Exception):
    """An answer of the wrong type; the message says what was expected."""


def describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(value: Any, whole: bool) -> int | float:
    expected = "a whole number" if whole else "a number"
    if isinstance(value, bool):
        raise InvalidAnswer(f"expected {expected}, got {describe(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = float(text) if not whole or not re.fullmatch(r"[+-]?\d+", text) else int(text)
        except ValueError:
            raise InvalidAnswer(f"expected {expected}, got {describe(value)}") from None
        if isinstance(number, int):
            return number
    else:
        raise InvalidAnswer(f"expected {expected}, got {describe(value)}")
    if math.isnan(number) or math.isinf(number):
        raise InvalidAnswer(f"expected {expected}, got {describe(value)}")
    if whole:
        if not number.is_integer():
            raise InvalidAnswer(f"expected {expected}, got {describe(value)}")
        return int(number)
    return number


def _text_value(value: Any) -> str:
    if type(value) is str and len(value) <= MAX_TEXT_LENGTH and value.isascii() and "\x00" not in value:
        return value
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidAnswer(f"expected text, got {describe(value)}")
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidAnswer(f"text longer than {MAX_TEXT_LENGTH} characters")
    problem = text_problem(text)  # a NUL or a lone surrogate: no database stores it
    if problem is not None:
        raise InvalidAnswer(f"the text {problem}")
    return text


def _date_value(value: Any) -> date:
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidAnswer(f"expected a date as YYYY-MM-DD, got {describe(value)}")


def _datetime_value(value: Any) -> datetime:
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        if len(text) >= 16 and text[10] in "T ":
            try:
                return datetime.fromisoformat(text)
            except ValueError:
                pass
    raise InvalidAnswer(f"expected a date and time as YYYY-MM-DDTHH:MM[:SS][+HH:MM], got {describe(value)}")


def _time_value(value: Any) -> time:
    if isinstance(value, str):
        match = _TIME.match(value.strip())
        if match:
            try:
                return time(int(match[1]), int(match[2]), int(match[3] or 0))
            except ValueError:
                pass
    raise InvalidAnswer(f"expected a time as HH:MM[:SS], got {describe(value)}")


def _geopoint_value(value: Any) -> str:
    parts: list[Any]
    if isinstance(value, str):
        parts = value.split()
    elif isinstance(value, list | tuple):
        parts = list(value)
    elif isinstance(value, Mapping):
        parts = [
            value.get(k)
            for k in ("latitude", "longitude", "altitude", "accuracy")
            if value.get(k) is not None
        ]
    else:
        parts = []
    try:
        numbers = [float(p) for p in parts if not isinstance(p, bool)]
    except (TypeError, ValueError):
        numbers = []
    if (
        len(numbers) != len(parts)
        or not 2 <= len(numbers) <= 4
        or any(math.isnan(n) or math.isinf(n) for n in numbers)
        or not -90 <= numbers[0] <= 90
        or not -180 <= numbers[1] <= 180
    ):
        raise InvalidAnswer(
            "expected a location 'latitude longitude [altitude [accuracy]]' with latitude in "
            f"-90..90 and longitude in -180..180, got {describe(value)}"
        )
    numbers += [0.0] * (4 - len(numbers))
    return " ".join(_format_number(n) for n in numbers)


def _format_number(number: float) -> str:
    return str(int(number)) if number.is_integer() else repr(number)


def _selection(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if type(value) is list:  # the usual JSON list of names, checked in one pass
        names = [item.strip() for item in value if type(item) is str]
        if len(names) == len(value):
            return names
    if isinstance(value, list | tuple) and all(
        isinstance(item, str | int) and not isinstance(item, bool) for item in value
    ):
        return [str(item).strip() for item in value]
    raise InvalidAnswer(f"expected a list of choice names, got {describe(value)}")


def _choice(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidAnswer(f"expected one choice name, got {describe(value)}")
    return str(value).strip()


def _range_value(value: Any, parameters: dict[str, str]) -> int | float:
    number = _number(value, whole=False)
    start = float(parameters.get("start", "0"))
    end = float(parameters.get("end", "10"))
    step = float(parameters.get("step", "1"))
    low, high = min(start, end), max(start, end)
    if not low <= number <= high:
        raise InvalidAnswer(
            f"expected a number from {_format_number(low)} to {_format_number(high)}, got {number:g}"
        )
    if step and abs(((number - start) / step) - round((number - start) / step)) > 1e-9:
        raise InvalidAnswer(
            f"expected a number on steps of {_format_number(step)} from {_format_number(start)}"
        )
    return (
        int(number)
        if float(number).is_integer()
        and all(
            float(parameters.get(k, d)).is_integer()
            for k, d in (("start", "0"), ("end", "10"), ("step", "1"))
        )
        else float(number)
    )


def _whole_number(value: Any) -> int | float:
    return _number(value, whole=True)


def _decimal(value: Any) -> float:
    return float(_number(value, whole=False))


def _acknowledgement(value: Any) -> str:
    if value is True or (isinstance(value, str) and value.strip().upper() in ("OK", "TRUE", "YES", "1")):
        return "OK"
    raise InvalidAnswer(f"expected 'OK' (acknowledged), got {describe(value)}")


def coercer(field_: Field) -> Callable[[Any], Any]:
    """The function that gives an answer to ``field_`` its typed value (used by expressions).

    It is chosen once per field; it raises InvalidAnswer when the answer has the wrong type.
    """
    kind = field_.type
    if kind == "integer":
        return _whole_number
    if kind == "decimal":
        return _decimal
    if kind in ("select_one", "select_one_from_file"):
        return _choice
    if kind in MULTIPLE_TYPES:
        return _selection
    if kind in ("date", "today"):
        return _date_value
    if kind in ("datetime", "start", "end"):
        return _datetime_value
    if kind == "time":
        return _time_value
    if kind == "geopoint":
        return _geopoint_value
    if kind == "range":
        return partial(_range_value, parameters=field_.parameters)
    if kind == "acknowledge":
        return _acknowledgement
    return _text_value


def clean(value: Any) -> Any:
    """A typed or computed value as JSON."""
    kind = type(value)  # the exact types of most answers first
    if value is None or kind is str or kind is int or kind is bool:
        return value
    if kind is list:
        return [item if type(item) is str else clean(item) for item in value]
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [clean(item) for item in value]
    return str(value)


def computed(field_: Field, value: Any) -> Any:
    """A calculation's XPath result as the field's value (true and false as 1 and 0, the value
    ODK Collect gives them)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer() and field_.type != "decimal" and abs(value) < 2**53:
        return int(value)
    if field_.type == "integer" and isinstance(value, str) and value.strip():
        try:
            return _number(value, whole=True)
        except InvalidAnswer:
            return value
    return value
