"""Tenders' terms, bids checked against them, scores side by side, committed vs delivered."""

from __future__ import annotations

import pytest

from impactkit.errors import BidError
from impactkit.procurement import (
    check_commitments,
    delivery_checklist,
    delivery_lines,
    make_terms,
    score_bids,
)

TERMS = [
    {"measure_id": "local_employment_disadvantaged", "weight": 12, "minimum": 2},
    {"measure_id": "training_hours_youth", "weight": 8},
    {"measure_id": "volunteering_hours", "weight": 5, "deadweight": 0.1, "attribution": 0.2},
]


def terms():  # type: ignore[no-untyped-def]
    return make_terms("Servizio di pulizia degli uffici comunali", TERMS)


def bid(**quantities: object) -> list[tuple[str, object, str]]:
    return [(key, value, f"commitments.{key}") for key, value in quantities.items()]


def test_terms_fix_the_value_per_unit_of_monetised_measures_only() -> None:
    made = terms()
    assert made.measure_set == "procurement-measures@2026.1"
    assert made.max_points == 25
    [employment, training, volunteering] = made.measures
    assert employment.unit_value is None and training.unit_value is None
    assert volunteering.unit_value is not None and volunteering.unit_value.value == 18.57


def test_terms_with_an_unknown_measure_or_a_bad_weight_name_the_field() -> None:
    with pytest.raises(BidError) as caught:
        make_terms(
            "x",
            [{"measure_id": "free_lunches", "weight": 1}, {"measure_id": "work_placements", "weight": -3}],
        )
    locations = [p.location for p in caught.value.problems]
    assert locations == ["measures[0].measure_id", "measures[1].weight"]


def test_a_good_bid_gives_every_measure_a_quantity() -> None:
    quantities = check_commitments(terms(), bid(local_employment_disadvantaged=3, volunteering_hours="120,5"))
    assert quantities == {
        "local_employment_disadvantaged": 3.0,
        "training_hours_youth": 0.0,
        "volunteering_hours": 120.5,
    }


@pytest.mark.parametrize(
    ("quantities", "location", "code"),
    [
        (
            {"local_employment_disadvantaged": 3, "training_hours_youth": -5},
            "commitments.training_hours_youth",
            "negative_quantity",
        ),
        (
            {"local_employment_disadvantaged": 3, "emissions_avoided": 4},
            "commitments.emissions_avoided",
            "measure_not_in_tender",
        ),
        (
            {"local_employment_disadvantaged": 1},
            "commitments.local_employment_disadvantaged",
            "below_minimum",
        ),
        ({"training_hours_youth": 10}, "commitments.local_employment_disadvantaged", "below_minimum"),
        (
            {"local_employment_disadvantaged": "tre"},
            "commitments.local_employment_disadvantaged",
            "not_a_number",
        ),
    ],
)
def test_a_bad_bid_is_refused_naming_the_field(
    quantities: dict[str, object], location: str, code: str
) -> None:
    with pytest.raises(BidError) as caught:
        check_commitments(terms(), bid(**quantities))
    assert [(p.location, p.code) for p in caught.value.problems] == [(location, code)]


def test_bids_are_scored_against_the_best_offer_per_measure() -> None:
    made = terms()
    scores = score_bids(
        made,
        {
            "Cooperativa Il Sole": {
                "local_employment_disadvantaged": 4,
                "training_hours_youth": 100,
                "volunteering_hours": 50,
            },
            "Pulizie Rapide srl": {
                "local_employment_disadvantaged": 2,
                "training_hours_youth": 200,
                "volunteering_hours": 200,
            },
        },
    )
    first, second = scores
    # Il Sole: 12·4/4 + 8·100/200 + 5·50/200 = 12 + 4 + 1.25 = 17.25; Rapide: 6 + 8 + 5 = 19
    assert (first.bidder, first.points, first.rank) == ("Pulizie Rapide srl", 19.0, 1)
    assert (second.bidder, second.points, second.rank) == ("Cooperativa Il Sole", 17.25, 2)
    # net value = 200 h × 18.57 € × 0.9 × 0.8; counted measures add no money
    assert second.net_value == pytest.approx(50 * 18.57 * 0.9 * 0.8)
    assert first.net_value == pytest.approx(200 * 18.57 * 0.72)
    assert [m.net_value for m in first.measures][:2] == [None, None]


def test_nobody_offering_a_measure_scores_zero_on_it_and_equal_bids_share_the_rank() -> None:
    scores = score_bids(
        terms(), {"A": {"local_employment_disadvantaged": 2}, "B": {"local_employment_disadvantaged": 2}}
    )
    assert [(s.points, s.rank) for s in scores] == [(12.0, 1), (12.0, 1)]


def test_committed_vs_delivered_over_two_periods() -> None:
    made = terms()
    committed = {"local_employment_disadvantaged": 4, "training_hours_youth": 100, "volunteering_hours": 50}
    periods = [
        {"local_employment_disadvantaged": 2, "training_hours_youth": 40, "volunteering_hours": 30},
        {"local_employment_disadvantaged": 2, "training_hours_youth": 70, "volunteering_hours": 10},
    ]
    lines = {line.measure_id: line for line in delivery_lines(made, committed, periods)}
    assert lines["training_hours_youth"].delivered == 110 and lines["training_hours_youth"].share == 1.1
    assert lines["volunteering_hours"].delivered_by_period == [30, 10]
    assert lines["volunteering_hours"].net_value_delivered == pytest.approx(40 * 18.57 * 0.72)
    assert lines["local_employment_disadvantaged"].net_value_delivered is None
    checks = {
        c.id: c for c in delivery_checklist(made, committed, periods, [{"training_hours_youth": 1}, {}])
    }
    assert (
        checks["commitments_delivered"].status == "fail"
        and "volunteering_hours" in checks["commitments_delivered"].detail
    )
    assert checks["evidence_for_every_delivery"].status == "fail"
    assert "1:local_employment_disadvantaged" in checks["evidence_for_every_delivery"].detail
