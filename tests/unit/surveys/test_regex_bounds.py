"""regex() gives a time budget only to the matches that could need one."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest

from impactkit.surveys import EvaluationContext, parse_expression
from impactkit.surveys._regex_bounds import TEXT_LENGTH, is_simple
from impactkit.surveys._xpath_functions import _PATTERN_CACHE, REGEX_TIMEOUT_SECONDS, _known_pattern


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[A-Z0-9]{2,8}-[0-9]{1,6}$",
        r"^[0-9]{10}$",
        r"^-?\d+(\.\d+)?$",
        r"^(?i:yes|no)$",
        r"^(\d{1,3}\.){3}\d{1,3}$",
        r"^(?P<year>[0-9]{4})-[0-9]{2}$",
        r"\d+$",
        r"^.*$",
    ],
)
def test_the_patterns_forms_write_are_simple(pattern: str) -> None:
    assert is_simple(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        r"^(a+)+$",
        r"(a|ab)*c",
        r"^(a?){25}a{25}$",
        r"\d+\d+$",
        r".*.*=.*",
        r"^[\w.+-]+@[\w-]+\.[\w.]+$",
        r"(\w)\1",
        r"(?=a)b",
        r"(?(1)a|b)",
        r"a{e<=1}",
        r"\p{L}+",
        r"[[:alpha:]]+",
        r"[[a-z]--[aeiou]]",
        r"(",
    ],
)
def test_patterns_that_may_backtrack_badly_are_not_simple(pattern: str) -> None:
    assert not is_simple(pattern)


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"\A\d+\d+$", "1" * (TEXT_LENGTH - 1) + "x"),
        (r"\d+$", "1" * (TEXT_LENGTH - 1) + "x"),
        (r"^-?\d+(\.\d+)?$", "1" * (TEXT_LENGTH - 1) + "x"),
        (r"^(?:\d{3}-)*\d+$", "123-" * (TEXT_LENGTH // 4 - 1) + "12x"),
    ],
)
def test_a_simple_pattern_at_its_worst_is_far_inside_the_time_budget(pattern: str, text: str) -> None:
    assert is_simple(pattern)
    compiled = _known_pattern(pattern).compiled
    started = time.perf_counter()
    compiled.search(text)
    assert time.perf_counter() - started < REGEX_TIMEOUT_SECONDS / 4


class _Spy:
    """Stands in for a compiled pattern and notes how each match was asked for."""

    def __init__(self, real: Any, searches: list[dict[str, Any]]) -> None:
        self.real = real
        self.searches = searches

    def fullmatch(self, text: str, **options: Any) -> Any:
        self.searches.append(options)
        return self.real.fullmatch(text, **options)


def test_only_a_simple_pattern_on_short_text_runs_without_the_time_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("regex", reason="the regex package gives regex() its match timeout")
    searches: list[dict[str, Any]] = []
    for pattern in ("^[0-9]{3}$", "^(a+)+$"):
        known = _known_pattern(pattern)
        monkeypatch.setitem(_PATTERN_CACHE, pattern, replace(known, compiled=_Spy(known.compiled, searches)))

    def matches(pattern: str, text: str) -> Any:
        return parse_expression(f"regex(., '{pattern}')").evaluate(EvaluationContext(current=text))

    assert matches("^[0-9]{3}$", "123") is True
    assert searches[-1] == {}
    assert matches("^[0-9]{3}$", "1" * (TEXT_LENGTH + 1)) is False
    assert searches[-1] == {"timeout": REGEX_TIMEOUT_SECONDS}
    assert matches("^(a+)+$", "aaaa") is True
    assert searches[-1] == {"timeout": REGEX_TIMEOUT_SECONDS}
