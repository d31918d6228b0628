"""How much backtracking a regular expression can do, judged once from its parsed form.

A backtracking matcher is slow only when a pattern gives it many ways to split the text:
a quantified group that itself has choices (``(a+)+``, ``(a|ab)*``), several unbounded
quantifiers in a row (``\\d+\\d+$``). A pattern is *simple* when its work is bounded:

- Python's own parser (``re._parser``) reads it, it has no backreference, lookaround or
  conditional group, and nothing that Python and the ``regex`` package read differently
  (``\\p{L}``, a fuzzy ``{e<=1}``, set operations such as ``[[a-z]--[aeiou]]``);
- on text of ``TEXT_LENGTH`` characters, its ways of matching, times the positions a
  search starts from (one when it begins with ``^`` or ``\\A``, else every position),
  times the pattern's length, come to at most ``MAX_WORK``. A sequence has the product of
  its parts' ways, an alternation the sum of its branches' ways, and a quantifier, for each
  count of repetitions it allows (up to ``TEXT_LENGTH``), the ways of its body to that power.

``^[A-Z0-9]{2,8}-[0-9]{1,6}$`` has 42 ways and ``^-?\\d+(\\.\\d+)?$`` about two million:
both are simple. ``\\d+\\d+$`` (a million ways from each of a thousand positions) and
``^(a+)+$`` (exponentially many) are not. Work of fifty million takes a backtracking matcher
tens of milliseconds, far inside the time budget regex() otherwise gives a match.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

TEXT_LENGTH = 1_000
"""Longest text the judgement holds for (characters)."""
MAX_WORK = 50_000_000
"""Most work a simple pattern may need on text of ``TEXT_LENGTH`` characters (see above)."""

# Python's regular expression parser: private, but the very one ``re.compile`` uses.
_parser: Any = importlib.import_module("re._parser")
_codes: Any = importlib.import_module("re._constants")

_ONE_WAY = frozenset({_codes.LITERAL, _codes.NOT_LITERAL, _codes.ANY, _codes.IN, _codes.AT, _codes.CATEGORY})
_REPEATS = frozenset({_codes.MAX_REPEAT, _codes.MIN_REPEAT, _codes.POSSESSIVE_REPEAT})
_READ_DIFFERENTLY = re.compile(r"\[\[|--|&&|~~|\|\||\(\?\(|\{(?!\d*(?:,\d*)?\})")
"""What Python reads otherwise than ``regex`` does (nested sets, set operations, fuzzy
constraints), or warns about while parsing; conditional groups, which are never simple."""


def is_simple(pattern: str) -> bool:
    """True when ``pattern`` (as compiled by the ``regex`` package) cannot backtrack badly on
    text of at most ``TEXT_LENGTH`` characters; the rule is in the module docstring."""
    if _READ_DIFFERENTLY.search(pattern):
        return False
    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    ways = _ways(parsed)
    return ways is not None and ways * _starts(parsed) * len(pattern) <= MAX_WORK


def _starts(parsed: Any) -> int:
    """How many positions of the text a search may try the pattern at."""
    if len(parsed) > 0:
        code, argument = parsed[0]
        if code is _codes.AT and (
            argument is _codes.AT_BEGINNING_STRING
            or (argument is _codes.AT_BEGINNING and not parsed.state.flags & _codes.SRE_FLAG_MULTILINE)
        ):
            return 1
    return TEXT_LENGTH + 1


def _ways(items: Any) -> int | None:
    """How many ways the sequence ``items`` may match, at most; None when more than ``MAX_WORK``."""
    total = 1
    for code, argument in items:
        if code in _ONE_WAY:
            continue
        if code is _codes.SUBPATTERN:
            ways = _ways(argument[3])
        elif code is _codes.ATOMIC_GROUP:
            ways = _ways(argument)
        elif code is _codes.BRANCH:
            ways = _branch_ways(argument[1])
        elif code in _REPEATS:
            ways = _repeat_ways(*argument)
        else:  # backreferences, lookarounds, conditional groups
            return None
        if ways is None:
            return None
        total *= ways
        if total > MAX_WORK:
            return None
    return total


def _branch_ways(branches: list[Any]) -> int | None:
    total = 0
    for branch in branches:
        ways = _ways(branch)
        if ways is None:
            return None
        total += ways
    return total if total <= MAX_WORK else None


def _repeat_ways(low: int, high: int, body: Any) -> int | None:
    inner = _ways(body)
    if inner is None:
        return None
    most = min(high, TEXT_LENGTH)
    if inner == 1:
        return max(1, most - low + 1)
    power = 1  # inner ** count, for count from 0 to low, then on to most
    for _ in range(low):
        power *= inner
        if power > MAX_WORK:
            return None
    total = 0
    for _ in range(low, most + 1):
        total += power
        if total > MAX_WORK:
            return None
        power *= inner
    return max(1, total)
