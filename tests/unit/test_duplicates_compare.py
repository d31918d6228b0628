"""Answers of a duplicate set side by side: each question once, in order, the differing ones marked."""

from __future__ import annotations

import doctest

from impactkit.api.pages.organisation import duplicates
from impactkit.api.pages.organisation.duplicates import compare


def test_the_worked_example_holds() -> None:
    failures, _ = doctest.testmod(duplicates)
    assert failures == 0


def test_an_answer_one_response_lacks_differs_and_repeats_are_compared_turn_by_turn() -> None:
    one = [
        {"group": True, "label": "Figli", "depth": 0},
        {"name": "child_age", "label": "Età", "value": "4"},
        {"name": "child_age", "label": "Età", "value": "7"},
        {"name": "note", "label": "Nota", "value": "ok"},
    ]
    two = [
        {"name": "child_age", "label": "Età", "value": "4"},
        {"name": "child_age", "label": "Età", "value": "8"},
    ]
    rows = compare([one, two])
    assert [(r.name, r.values, r.differs) for r in rows] == [
        ("child_age", ["4", "4"], False),
        ("child_age", ["7", "8"], True),
        ("note", ["ok", "—"], True),
    ]
