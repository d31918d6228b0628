"""The one rule for text a database can store: NUL characters, lone surrogates, over-long text."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

import impactkit.text
from impactkit.errors import UnstorableTextError
from impactkit.surveys._xlsform_sheets import Sheet, unstorable_cells
from impactkit.text import MAX_TEXT, check_storable, check_text, shown, text_problem, unstorable_text


def test_the_examples_in_the_module_hold() -> None:
    failures, _ = doctest.testmod(impactkit.text, optionflags=doctest.ELLIPSIS)
    assert failures == 0


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF)))
def test_text_is_storable_exactly_when_it_has_a_utf8_form_and_no_nul(text: str) -> None:
    try:
        text.encode("utf-8")
        encodable = True
    except UnicodeEncodeError:
        encodable = False
    assert (text_problem(text) is None) == (encodable and "\x00" not in text)
    assert text_problem(shown(text, limit=10**6)) is None  # what is shown can always be stored


def test_every_unstorable_place_is_named_keys_and_nested_lists_too() -> None:
    data = {"name": "ok", "answers": {"note": "a\x00", "x\ud800": "1", "list": ["fine", "\udfff"]}}
    problems = unstorable_text(data, "body")
    assert sorted(problem.location for problem in problems) == [
        "body.answers.list[1]",
        "body.answers.note",
        "body.answers.x\\ud800",
    ]
    assert unstorable_text({"long": "x" * 11}, max_length=10)[0].location == "long"
    assert unstorable_text([["\x00"] * 100], limit=5).__len__() == 5


def test_refusals_are_422_errors_naming_the_field() -> None:
    with pytest.raises(UnstorableTextError) as refused:
        check_text("x" * (MAX_TEXT + 1), "label", max_length=MAX_TEXT)
    assert refused.value.status_code == 422
    assert refused.value.problems[0].location == "label"
    with pytest.raises(UnstorableTextError) as nested:
        check_storable({"sections": {"intro": "a\x00"}}, what="the report")
    assert "sections.intro" in str(nested.value)
    assert check_text("Bussoleno, Val di Susa", "municipality") == "Bussoleno, Val di Susa"


def test_a_workbook_cell_holding_a_nul_is_named_by_its_cell() -> None:
    sheet = Sheet("survey", [(0, "type"), (1, "name"), (2, "label")])
    sheet.rows = [(2, ["text", "note", "ok"]), (3, ["text", "other", "bad\x00label"])]
    [problem] = unstorable_cells({"survey": sheet})
    assert problem.location == "survey!C3"
    assert "NUL" in problem.message
