"""Properties of hashing and payment by results, over generated inputs; and the public names."""

from __future__ import annotations

import doctest
import json
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import impactkit.reports
from impactkit.reports import _text, canonical_json, checklist, model, payment_by_results

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False, allow_infinity=False, width=64)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
@settings(max_examples=200, deadline=None)
def test_canonical_json_is_valid_json_and_stable_under_a_round_trip(value: Any) -> None:
    encoded = canonical_json(value)
    decoded = json.loads(encoded, parse_float=Decimal)
    assert canonical_json(decoded) == encoded


@given(
    achieved=st.floats(min_value=0, max_value=10_000, allow_nan=False),
    target=st.floats(min_value=0, max_value=10_000, allow_nan=False),
    price=st.floats(min_value=0, max_value=5_000, allow_nan=False),
    cap=st.none() | st.floats(min_value=0, max_value=1_000_000, allow_nan=False),
    basis=st.sampled_from(["all_units_when_met", "units_beyond_target"]),
    direction=st.sampled_from(["at_least", "at_most"]),
)
@settings(max_examples=200, deadline=None)
def test_the_amount_payable_is_never_negative_nor_above_the_cap(
    achieved: float, target: float, price: float, cap: float | None, basis: str, direction: str
) -> None:
    (line,) = payment_by_results(
        [{"indicator_id": "k", "value": achieved}],
        [
            {
                "indicator_id": "k",
                "target": target,
                "price_per_unit": price,
                "cap": cap,
                "basis": basis,
                "direction": direction,
            }
        ],
    )
    assert line.amount_payable >= 0
    if cap is not None:
        assert line.amount_payable <= round(cap, 2) + 0.005
    if not line.met and basis == "all_units_when_met":
        assert line.amount_payable == 0


@given(
    low=st.floats(min_value=0, max_value=1000, allow_nan=False),
    extra=st.floats(min_value=0, max_value=1000, allow_nan=False),
    target=st.floats(min_value=0, max_value=1000, allow_nan=False),
)
@settings(max_examples=100, deadline=None)
def test_achieving_more_never_pays_less_on_an_at_least_target(
    low: float, extra: float, target: float
) -> None:
    def payable(value: float) -> float:
        (line,) = payment_by_results(
            [{"indicator_id": "k", "value": value}],
            [{"indicator_id": "k", "target": target, "price_per_unit": 10}],
        )
        return line.amount_payable

    assert payable(low + extra) >= payable(low)


def test_the_docstring_examples_run() -> None:
    for module in (model, _text, checklist):
        failures, _ = doctest.testmod(module)
        assert failures == 0, module.__name__


def test_the_public_names_are_pinned() -> None:
    assert sorted(impactkit.reports.__all__) == sorted(
        [
            "ApartEntry",
            "GrantLine",
            "GrantTerms",
            "GranteeSummary",
            "Portfolio",
            "build_portfolio",
            "grant_lines",
            "indigo_projects",
            "stage_of",
            "write_portfolio_workbook",
            "CheckItem",
            "MIN_JUSTIFICATION_CHARS",
            "FrozenCheck",
            "has_kpi_values",
            "validation_blockers",
            "Choice",
            "ColumnSpec",
            "Disaggregation",
            "FrameworkRef",
            "KpiResult",
            "KpiTags",
            "Layout",
            "Organisation",
            "OutcomeTarget",
            "PaymentLine",
            "Period",
            "PortfolioEntry",
            "PortfolioFramework",
            "PortfolioIndicator",
            "Project",
            "ReportContent",
            "ReportStats",
            "ResponseCount",
            "Section",
            "SroiSection",
            "ValidationStamp",
            "VerifyResult",
            "WorkflowEvent",
            "canonical_json",
            "column_specs_from_dictionary",
            "content_hash",
            "frozen_document",
            "load_content",
            "load_layout",
            "neutralise",
            "payment_by_results",
            "portfolio_columns",
            "portfolio_csv",
            "portfolio_json",
            "portfolio_rows",
            "report_sections",
            "run_checklist",
            "target_met",
            "to_csv",
            "to_json",
            "verify_bytes",
            "verify_file",
            "write_csv",
            "write_portfolio_xlsx",
            "write_report_xlsx",
        ]
    )
    for name in impactkit.reports.__all__:
        assert hasattr(impactkit.reports, name)
