"""Payback as the Guide means it: the month the cumulative value reaches the investment, worked by hand."""

from __future__ import annotations

import io
import math

import openpyxl
import pytest
import xlsxwriter

from impactkit.sroi import ValueMap, compute
from impactkit.sroi.excel import write_value_map


def staggered_map(inputs: float = 30_000, **extra: object) -> ValueMap:
    """Outcomes starting in years 1, 2 and 3, one negative, with drop-off (3.5 %, Guide conventions)."""
    return ValueMap.model_validate(
        {
            "stakeholders": [{"name": "Participants"}, {"name": "Families"}],
            "inputs": [{"description": "Grant", "amount": inputs}],
            "outcomes": [
                {  # 10 × 1,000 from year 1, 10 % drop-off: 10,000 · 9,000 · 8,100
                    "name": "Into work",
                    "stakeholder": "Participants",
                    "quantity": 10,
                    "proxy": {"value": 1000, "source": "wages"},
                    "drop_off": 0.10,
                    "duration": 3,
                },
                {  # 5 × 2,000 from year 2 for two years: 0 · 10,000 · 10,000
                    "name": "Stable housing",
                    "stakeholder": "Participants",
                    "quantity": 5,
                    "proxy": {"value": 2000, "source": "rent"},
                    "duration": 2,
                    "start_year": 2,
                },
                {  # 4 × 1,500 in year 3 only: 0 · 0 · 6,000
                    "name": "Family time",
                    "stakeholder": "Families",
                    "quantity": 4,
                    "proxy": {"value": 1500, "source": "survey"},
                    "duration": 1,
                    "start_year": 3,
                },
                {  # negative, 2 × 1,000 from year 1, 50 % drop-off: −2,000 · −1,000 · 0
                    "name": "Lost benefits",
                    "stakeholder": "Participants",
                    "quantity": 2,
                    "proxy": {"value": 1000, "source": "benefit rates"},
                    "negative": True,
                    "drop_off": 0.5,
                    "duration": 2,
                },
            ],
            **extra,
        }
    )


def test_payback_follows_start_years_drop_off_and_a_negative_outcome() -> None:
    result = compute(staggered_map())
    # Year values: 10,000 − 2,000 = 8,000; 9,000 + 10,000 − 1,000 = 18,000; 8,100 + 10,000 + 6,000 = 24,100.
    assert result.values_by_year == pytest.approx([8_000, 18_000, 24_100])
    # Cumulative 8,000 then 26,000: 4,000 more are needed in year 3, at 24,100 / 12 = 2,008.33 a month:
    # 1.99 months, reached in the 2nd month of year 3 = month 26.
    assert result.payback is not None
    assert result.payback.undiscounted_month == 26
    assert result.payback.undiscounted_months == pytest.approx(round(24 + 4_000 / (24_100 / 12), 2))
    # Discounted at 3.5 % (year 1 too): 7,729.47 · 16,803.19 · 21,736.82; cumulative 24,532.66 after
    # year 2; 5,467.34 more at 1,811.40 a month = 3.02 months: the 4th month of year 3 = month 28.
    d = [v / 1.035 ** (t + 1) for t, v in enumerate([8_000, 18_000, 24_100])]
    assert result.discounted_by_year == pytest.approx(d)
    assert d == pytest.approx([7_729.47, 16_803.19, 21_736.82], abs=0.01)  # the figures above
    assert result.payback.discounted_months == pytest.approx(24 + 5_467.34 / 1_811.40, abs=0.01)
    need = 30_000 - d[0] - d[1]
    assert result.payback.discounted_month == 24 + math.ceil(need / (d[2] / 12)) == 28
    # The Guide's simple formula counts every outcome's first-year impact as if all came in year 1:
    # 10,000 + 10,000 + 6,000 − 2,000 = 24,000 a year → 30,000 / 2,000 = 15 months.
    assert result.payback_months == pytest.approx(15.0)
    assert result.payback.simple_formula_months == pytest.approx(15.0)
    assert result.payback.horizon_months == 36 and result.payback.note == ""
    text = result.table()
    assert "Payback (Guide's simple formula)   15.0 months" in text
    assert "Payback month, undiscounted          26" in text


def test_payback_not_reached_within_the_horizon_is_said_so() -> None:
    result = compute(staggered_map(inputs=60_000))
    assert result.payback is not None
    assert (result.payback.undiscounted_month, result.payback.discounted_month) == (None, None)
    assert result.payback.note == "the value does not reach the inputs within the 3-year horizon"
    assert "not reached within the horizon" in result.table()
    # Reached undiscounted (50,100 ≥ 50,000) but not discounted (46,269 < 50,000).
    result = compute(staggered_map(inputs=50_000))
    assert result.payback is not None
    assert result.payback.undiscounted_month == 36 and result.payback.discounted_month is None
    assert result.payback.note.startswith("reached undiscounted in month 36")


def test_reference_case_a_pays_back_in_month_8_and_9_discounted() -> None:
    value_map = ValueMap.model_validate(
        {
            "stakeholders": [{"name": "Young people"}],
            "inputs": [{"description": "Grant", "amount": 20000}],
            "outcomes": [
                {
                    "name": "Into work",
                    "stakeholder": "Young people",
                    "quantity": 50,
                    "proxy": {"value": 1000, "source": "wage data"},
                    "deadweight": 0.2,
                    "attribution": 0.25,
                    "drop_off": 0.1,
                    "duration": 3,
                }
            ],
        }
    )
    result = compute(value_map)
    assert result.payback_months == pytest.approx(8.0)  # ../shared/corpus/sroi case A: 8.0 months
    assert result.payback is not None
    # 20,000 at 2,500 a month: exactly the end of month 8; discounted 28,985.51 / 12 a month: 8.28.
    assert (result.payback.undiscounted_month, result.payback.undiscounted_months) == (8, 8.0)
    assert (result.payback.discounted_month, result.payback.discounted_months) == (9, 8.28)


def test_the_value_map_workbook_shows_the_payback_month_beside_the_guides_formula() -> None:
    value_map = staggered_map()
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    write_value_map(workbook, value_map, compute(value_map), language="it")
    workbook.close()
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    row = next(r for r in sheet.iter_rows() if r[0].value == "Recupero, formula semplice della Guida (mesi)")
    assert [c.value for c in row[2:6]] == [
        "Mese di recupero (valore cumulato)",
        26,
        "Mese di recupero (attualizzato)",
        28,
    ]


def test_a_late_outcome_with_drop_off_after_a_first_year_in_the_red_by_hand() -> None:
    # Year 1 holds only a negative outcome (1 × 3,000); the positive one starts in year 2 and drops
    # off 20 % a year from its own first year: 10 × 1,000 = 10,000 · 8,000 · 6,400 (years 2–4).
    value_map = ValueMap.model_validate(
        {
            "stakeholders": [{"name": "Participants"}],
            "inputs": [{"description": "Grant", "amount": 20_000}],
            "outcomes": [
                {
                    "name": "Into work, later",
                    "stakeholder": "Participants",
                    "quantity": 10,
                    "proxy": {"value": 1000, "source": "wages"},
                    "drop_off": 0.2,
                    "duration": 3,
                    "start_year": 2,
                },
                {
                    "name": "Benefits lost at the start",
                    "stakeholder": "Participants",
                    "quantity": 1,
                    "proxy": {"value": 3000, "source": "benefit rates"},
                    "negative": True,
                    "duration": 1,
                },
            ],
        }
    )
    result = compute(value_map)
    assert result.values_by_year == pytest.approx([-3_000, 10_000, 8_000, 6_400])
    # Cumulative −3,000 · 7,000 · 15,000: 5,000 more in year 4 at 6,400 / 12 = 533.33 a month is
    # 9.375 months — the 10th month of year 4, month 46 (45.38 months).
    assert result.payback is not None
    assert (result.payback.undiscounted_month, result.payback.undiscounted_months) == (46, 45.38)
    # Discounted at 3.5 %: −2,898.55 · 9,335.11 · 7,215.54 · 5,577.23 = 19,229.33 < 20,000.
    assert result.discounted_by_year == pytest.approx([-2_898.55, 9_335.11, 7_215.54, 5_577.23], abs=0.01)
    assert result.payback.discounted_month is None
    assert result.payback.horizon_months == 48
    assert (
        result.payback.note == "reached undiscounted in month 46; discounted, not within the 4-year horizon"
    )
    # The Guide's simple formula: first-year impacts 10,000 − 3,000 = 7,000 a year → 20,000 / 583.33.
    assert result.payback.simple_formula_months == pytest.approx(34.29, abs=0.01)
