"""The KPIs' response table kept column by column gives the frame pandas builds from the rows."""

from __future__ import annotations

import random
import tracemalloc
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from impactkit.store import kpis
from impactkit.store.kpis import _Columns

NAN = float("nan")


def _built(rows: list[dict[str, Any]]) -> pd.DataFrame:
    table = _Columns()
    for row in rows:
        table.add(row)
    return table.frame()


def _expected(rows: list[dict[str, Any]]) -> pd.DataFrame:
    # pandas from the rows as dicts: the frame the KPIs were computed from before
    return pd.DataFrame.from_records(rows)


def _same(rows: list[dict[str, Any]]) -> pd.DataFrame:
    built = _built([dict(row) for row in rows])
    expected = _expected(rows)
    assert list(built.columns) == list(expected.columns)
    assert_frame_equal(built, expected, check_dtype=True, check_exact=True)
    for name in built.columns:  # equal values of another type would pass assert_frame_equal
        assert [type(v) for v in built[name].tolist()] == [type(v) for v in expected[name].tolist()], name
    return built


def test_types_as_pandas_infers_them() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    rows = [
        {"text": "sì", "score": 4, "share": 0.5, "flag": True, "when": start, "mixed": "x", "none": None},
        {
            "text": "no",
            "score": 5,
            "share": 1.0,
            "flag": False,
            "when": start + timedelta(hours=1),
            "mixed": 3,
        },
        {"text": "sì", "score": 4, "share": 0.5, "flag": True, "when": start, "mixed": 3.5, "none": None},
    ]
    built = _same(rows)
    assert built["score"].dtype == "int64" and built["when"].dtype == "datetime64[us, UTC]"


def test_equal_keys_of_other_types_stay_apart() -> None:
    # 1, 1.0 and True are one dict key; -0.0 equals 0.0: each keeps its own type and sign
    rows = [{"v": 1}, {"v": 1.0}, {"v": True}, {"v": 0.0}, {"v": -0.0}, {"v": 0}, {"v": False}, {"v": "1"}]
    built = _same(rows)
    assert [type(v) for v in built["v"]] == [int, float, bool, float, float, int, bool, str]
    assert str(built["v"][4]) == "-0.0"


def test_columns_missing_from_some_rows_are_nan() -> None:
    rows = [{"a": 1}, {"a": 2, "b": "late"}, {"b": "only b"}, {"c": 3.5}, {"a": 4, "b": "x", "c": 1.0}]
    _same(rows)


def test_unhashable_and_odd_values() -> None:
    rows = [
        {"point": {"lat": 45.1, "lon": 7.6}, "amount": Decimal("1.50"), "big": 2**70, "n": NAN},
        {"point": {"lat": 45.2, "lon": 7.7}, "amount": Decimal("2"), "big": 1, "n": NAN},
        {"amount": None, "big": 3},
    ]
    _same(rows)


def test_a_column_with_many_distinct_values_is_kept_as_it_is() -> None:
    rng = random.Random(15)
    rows = [
        {"code": f"P-{i:05d}", "score": rng.randint(1, 5), "note": rng.choice(["a", "b", None])}
        for i in range(kpis._DISTINCT * 3)
    ]
    rows[kpis._DISTINCT + 7]["code"] = {"not": "hashable"}
    _same(rows)


def test_no_rows_and_one_row() -> None:
    assert _built([]).empty
    _same([{"only": "one", "n": 1}])


@pytest.mark.parametrize("count", [2_000, 20_000])
def test_repeated_answers_cost_bytes_not_objects(count: int) -> None:
    """Held answers do not grow by a Python object per answer: 20,000 responses of thirteen
    repeated answers and three unique codes are held in well under what the rows as lists held."""
    rng = random.Random(7)
    choices = ["yes", "no", "female", "male", "urban", "mountain", "employed", "unemployed"]
    rows = []
    for i in range(count):
        row: dict[str, Any] = {f"q{k}": rng.choice(choices) for k in range(8)}
        row.update({f"s{k}": rng.randint(1, 5) for k in range(5)})
        row.update({"_instance_id": f"{i:036d}", "respondent_code": f"R{i // 2:07d}", "_wave": "baseline"})
        rows.append(row)
    tracemalloc.start()
    table = _Columns()
    for row in rows:
        table.add(row)
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per_response = held / count
    # rows as lists of values: 16 pointers (128 bytes) plus a list header (56 bytes) per response
    assert per_response < 16 * 8 + 56, per_response
