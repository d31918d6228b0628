"""Exporting responses as tables: a funder's CSV, an evaluator's data frame."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from impactkit.surveys import Choice, Field, Form, Group, Repeat
from impactkit.surveys.tabular import (
    data_dictionary,
    responses_to_tables,
    stream_table,
    table_names,
    write_csv,
)

SERVICES = [
    Choice(name="housing", label={"English (en)": "Housing", "Italiano (it)": "Casa"}),
    Choice(name="food", label={"English (en)": "Food", "Italiano (it)": "Cibo"}),
]


def version_one() -> Form:
    return Form(
        form_id="outcomes",
        version="1",
        title="Outcomes",
        default_language="Italiano (it)",
        children=[
            Field(name="age", type="integer", label={"English (en)": "Age", "Italiano (it)": "Età"}),
            Group(
                name="profile",
                children=[
                    Field(name="services", type="select_multiple", list_name="services"),
                    Field(name="main_service", type="select_one", list_name="services"),
                ],
            ),
            Repeat(
                name="household",
                children=[
                    Field(name="member_age", type="integer"),
                    Repeat(name="jobs", children=[Field(name="job", type="text")]),
                ],
            ),
            Field(name="intro", type="note"),
        ],
        choices={"services": SERVICES},
    )


def version_two() -> Form:
    form = version_one()
    children = list(form.children)
    children.insert(1, Field(name="wellbeing", type="decimal"))
    return form.model_copy(update={"version": "2", "children": children})


RESPONSES: list[dict[str, Any]] = [
    {
        "instance_id": "uuid-1",
        "form_version": "1",
        "submitted_at": "2026-03-01T10:00:00+00:00",
        "project": "p1",
        "answers": {
            "age": 34,
            "services": ["housing", "food"],
            "main_service": "food",
            "household": [
                {"member_age": 40, "jobs": [{"job": "cook"}, {"job": "driver"}]},
                {"member_age": 12},
            ],
        },
    },
    {
        "instance_id": "uuid-2",
        "form_version": "2",
        "submitted_at": "2026-03-02T10:00:00+00:00",
        "project": "p1",
        "answers": {"age": 19, "wellbeing": 7.5},
    },
]


def test_one_row_per_response_with_fields_from_every_version_in_form_order() -> None:
    tables = responses_to_tables([version_one(), version_two()], RESPONSES)
    main = tables["main"]
    assert list(main.columns) == [
        "instance_id",
        "form_version",
        "submitted_at",
        "project",
        "age",
        "wellbeing",
        "services",
        "main_service",
    ]
    assert main["instance_id"].tolist() == ["uuid-1", "uuid-2"]
    assert main["age"].tolist() == [34, 19]
    assert main["age"].dtype == "Int64"
    assert main["services"].tolist()[0] == "housing food"
    assert pd.isna(main["services"].tolist()[1])
    assert pd.isna(main["wellbeing"].iloc[0]) and main["wellbeing"].iloc[1] == 7.5


def test_select_multiple_splits_into_zero_one_columns() -> None:
    main = responses_to_tables([version_one()], RESPONSES, split_multiple=True)["main"]
    assert main["services/housing"].tolist()[0] == 1
    assert main["services/food"].tolist()[0] == 1
    assert pd.isna(main["services/food"].iloc[1])


def test_labels_in_the_chosen_language() -> None:
    main = responses_to_tables([version_one()], RESPONSES, labels=True, language="en")["main"]
    assert "Age" in main.columns
    assert main["services"].iloc[0] == "Housing Food"
    assert main["main_service"].iloc[0] == "Food"
    italian = responses_to_tables([version_one()], RESPONSES, labels=True)["main"]
    assert italian["Età"].iloc[0] == 34
    assert italian["services"].iloc[0] == "Casa Cibo"


def test_repeats_become_tables_linked_by_parent_key() -> None:
    tables = responses_to_tables([version_one()], RESPONSES)
    household = tables["household"]
    assert household[["_parent_key", "_index", "member_age"]].values.tolist() == [
        ["uuid-1", 1, 40],
        ["uuid-1", 2, 12],
    ]
    jobs = tables["jobs"]
    assert jobs["_parent_key"].tolist() == [household["_key"].iloc[0]] * 2
    assert jobs["job"].tolist() == ["cook", "driver"]


def test_no_responses_still_gives_every_table_with_its_columns() -> None:
    tables = responses_to_tables([version_one()], [])
    assert set(tables) == {"main", "household", "jobs"}
    assert list(tables["jobs"].columns) == ["_parent_key", "_index", "_key", "job"]


def test_the_data_dictionary_describes_every_column() -> None:
    dictionary = data_dictionary([version_one(), version_two()], language="en")
    rows = dictionary.set_index("name")
    assert rows.loc["age", "label"] == "Age"
    assert rows.loc["services", "choices"] == "housing=Housing; food=Food"
    assert rows.loc["wellbeing", "versions"] == "2"
    assert rows.loc["age", "versions"] == "1 2"
    assert rows.loc["job", "table"] == "jobs"
    assert "intro" not in rows.index


@pytest.mark.parametrize("labels", [False, True])
@pytest.mark.parametrize("split", [False, True])
@pytest.mark.parametrize("versions", [1, 2])
def test_a_table_streamed_row_by_row_is_the_csv_of_the_whole_table(labels: bool, split: bool, versions: int) -> None:
    forms = [version_one(), version_two()][:versions]
    rows = [*RESPONSES, {**RESPONSES[0], "instance_id": "uuid-3", "answers": {"age": 7.0, "wellbeing": 2}}]
    tables = responses_to_tables(forms, rows, labels=labels, split_multiple=split, language="en")
    assert table_names(forms) == list(tables)
    for name, frame in tables.items():
        out = io.StringIO()
        stream = stream_table(forms, iter(rows), table=name, labels=labels, split_multiple=split, language="en")
        assert write_csv(stream, out) == len(frame)
        assert out.getvalue() == frame.to_csv(index=False), name


def test_a_streamed_table_that_does_not_exist_is_a_key_error_before_any_row() -> None:
    with pytest.raises(KeyError):
        stream_table([version_one()], RESPONSES, table="nope")
    empty = io.StringIO()
    assert write_csv(stream_table([version_one()], [], table="jobs"), empty) == 0
    assert empty.getvalue() == "_parent_key,_index,_key,job\n"


def _many(count: int) -> Iterator[dict[str, Any]]:
    for number in range(count):
        yield {
            "instance_id": f"uuid-{number}",
            "form_version": "1",
            "submitted_at": "2026-03-01T10:00:00+00:00",
            "answers": {"age": number % 90, "services": ["housing"], "household": [{"member_age": 3}]},
        }


def test_streaming_holds_one_response_at_a_time_not_the_table() -> None:
    class Sink(io.StringIO):
        def write(self, text: str) -> int:
            return len(text)  # discard: only the writer's own memory is measured

    def peak(count: int) -> int:
        tracemalloc.start()
        try:
            write_csv(stream_table([version_one()], _many(count), split_multiple=True), Sink())
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(500), peak(20_000)
    whole = responses_to_tables([version_one()], list(_many(2_000)))["main"].memory_usage(deep=True).sum()
    assert large < 2 * small + 64 * 1024, (small, large)  # 40 times the rows, not 40 times the memory
    assert large < whole  # less than a tenth of the rows held as a table
