"""Designing a framework ex ante: start from a shipped one, pick and adapt indicators, add your
own, set targets, draw the theory of change. Pure: frameworks in, frameworks out.

    from impactkit.frameworks import get_framework
    from impactkit.frameworks.design import design_from, add_indicator, keep_indicators
    mine = design_from(get_framework("youth-neet"), "youth-neet-torino", title={"it": …, "en": …})
    mine = keep_indicators(mine, ["neet_share_end", "left_neet", "who5_change"])
    mine = add_indicator(mine, {"id": "course_started_share", …})

An indicator keeps the definition it has under its id (``frameworks check`` refuses a changed
definition under a shipped or published id): to measure something else, add it under a new id.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from impactkit.errors import FrameworkError, Problem
from impactkit.frameworks.model import Framework, Indicator, LocalizedText, Target, TheoryOfChange


def _problems(error: ValidationError, prefix: str, raw: Any) -> list[Problem]:
    from impactkit.frameworks.loading import _validation_problems

    return _validation_problems(error, raw if isinstance(raw, dict) else {}, prefix)


def design_from(
    base: Framework,
    framework_id: str,
    *,
    title: dict[str, str] | None = None,
    description: dict[str, str] | None = None,
    version: str = "1",
) -> Framework:
    """A new framework (a draft) that starts as a copy of ``base`` and records where it came from."""
    data = base.model_dump(mode="json")
    data.update(id=framework_id, version=version, based_on=f"{base.id}@{base.version}")
    if title is not None:
        data["title"] = title
    if description is not None:
        data["description"] = description
    return _validated(data)


def _validated(data: dict[str, Any]) -> Framework:
    try:
        return Framework.model_validate(data)
    except ValidationError as error:
        raise FrameworkError("the framework is not valid", _problems(error, "", data)) from None


def next_version(version: str) -> str:
    """``1`` → ``2``; ``2026.1`` → ``2026.2``; anything else gets ``.1`` appended."""
    head, _, last = version.rpartition(".")
    if last.isdigit():
        return f"{head}.{int(last) + 1}" if head else str(int(last) + 1)
    return f"{version}.1"


def keep_indicators(framework: Framework, indicator_ids: list[str]) -> Framework:
    """Only these indicators, in the framework's order (theory-of-change links to others dropped)."""
    unknown = [i for i in indicator_ids if i not in {x.id for x in framework.indicators}]
    if unknown:
        raise FrameworkError(
            "unknown indicators",
            [Problem(f"unknown indicator {name!r}", "indicators", "unknown_indicator") for name in unknown],
        )
    kept = [i for i in framework.indicators if i.id in set(indicator_ids)]
    return _with_indicators(framework, kept)


def _with_indicators(framework: Framework, indicators: list[Indicator]) -> Framework:
    ids = {i.id for i in indicators}
    toc = framework.theory_of_change
    if toc is not None:
        outcomes = [
            step.model_copy(update={"leads_to": [x for x in step.leads_to if x in ids]})
            for step in toc.outcomes
        ]
        toc = toc.model_copy(update={"outcomes": outcomes})
    return framework.model_copy(update={"indicators": indicators, "theory_of_change": toc})


def add_indicator(framework: Framework, data: dict[str, Any]) -> Framework:
    """The framework with one more indicator (refused, naming the field, when it is not valid)."""
    name = data.get("id", "new") if isinstance(data, dict) else "new"
    try:
        indicator = Indicator.model_validate(data)
    except ValidationError as error:
        raise FrameworkError(
            "the indicator is not valid", _problems(error, f"indicators[{name}]", data)
        ) from None
    if indicator.id in {i.id for i in framework.indicators}:
        raise FrameworkError(
            f"indicator {indicator.id!r} is already in the framework",
            [
                Problem(
                    "an indicator with this id is already in the framework",
                    f"indicators[{indicator.id}].id",
                    "duplicate_id",
                )
            ],
        )
    return _with_indicators(framework, [*framework.indicators, indicator])


def set_target(
    framework: Framework, indicator_id: str, value: float | None, direction: str = "at_least"
) -> Framework:
    """The framework with this indicator's target set (None removes it)."""
    indicators = []
    for indicator in framework.indicators:
        if indicator.id == indicator_id:
            target = (
                None if value is None else Target.model_validate({"value": value, "direction": direction})
            )
            indicator = indicator.model_copy(update={"target": target})
        indicators.append(indicator)
    if indicator_id not in {i.id for i in framework.indicators}:
        raise FrameworkError(
            "unknown indicator", [Problem(f"unknown indicator {indicator_id!r}", "indicator_id")]
        )
    return framework.model_copy(update={"indicators": indicators})


def set_theory_of_change(framework: Framework, data: dict[str, Any] | TheoryOfChange | None) -> Framework:
    """The framework with this theory of change (activities → outputs → outcomes → indicators)."""
    if data is None or isinstance(data, TheoryOfChange):
        return framework.model_copy(update={"theory_of_change": data})
    try:
        toc = TheoryOfChange.model_validate(data)
    except ValidationError as error:
        raise FrameworkError(
            "the theory of change is not valid", _problems(error, "theory_of_change", data)
        ) from None
    return framework.model_copy(update={"theory_of_change": toc})


def describe(
    framework: Framework, title: dict[str, str], description: dict[str, str] | None = None
) -> Framework:
    """The framework with a new title (and description)."""
    update: dict[str, Any] = {"title": LocalizedText.model_validate(title)}
    if description is not None:
        update["description"] = LocalizedText.model_validate(description)
    return framework.model_copy(update=update)


__all__ = [
    "add_indicator",
    "describe",
    "design_from",
    "keep_indicators",
    "next_version",
    "set_target",
    "set_theory_of_change",
]
