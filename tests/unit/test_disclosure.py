"""The disclosure-control step: primary and secondary suppression, attacked by integer programming."""

from __future__ import annotations

import doctest
from collections.abc import Hashable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import impactkit.disclosure as disclosure
from impactkit.disclosure import Cell, Publication, Relation, default_threshold, protect
from impactkit.errors import ConfigError
from impactkit.settings import load_settings
from tests.disclosure_attack import Sight, attack, bounds


def sight_of(publication: Publication, hidden: set[Hashable]) -> tuple[Sight, dict[Hashable, int]]:
    """What a reader sees of a protected publication, and the true counts."""
    sight = Sight()
    truth: dict[Hashable, int] = {}
    for cell in publication.cells:
        if cell.sensitive:
            truth[cell.key] = cell.count
        if not cell.published:
            sight.unknown(cell.key)
        elif cell.key in hidden:
            sight.hide(cell.key)
        else:
            sight.show(cell.key, cell.count)
    for relation in publication.relations:
        sight.sum(relation.total, relation.parts)
    return sight, truth


def test_the_worked_example_in_the_module_docstring_runs() -> None:
    outcome = doctest.testmod(disclosure)
    assert outcome.attempted > 0 and outcome.failed == 0


def test_a_small_cell_beside_its_total_gets_a_complement() -> None:
    publication = Publication(
        cells=[
            Cell("total", 23),
            Cell("female", 3),
            Cell("male", 20),
            Cell("rest", 0, published=False, sensitive=False),
        ],
        relations=[Relation("total", ("female", "male", "rest"))],
    )
    # Without protection the reader subtracts: female = 23 − 20 − rest ≤ 3.
    naked, truth = sight_of(publication, {"female"})
    assert bounds(naked, ["female"]) == {"female": (1, 3)}
    protection = protect(publication, threshold=5)
    assert protection.hidden == {"female": "primary", "male": "secondary"}
    sight, truth = sight_of(publication, set(protection.hidden))
    assert attack(sight, truth, threshold=5) == []
    assert protection.intervals["female"] == (1.0, 22.0)


def test_two_small_cells_that_add_up_to_less_than_the_threshold_need_a_third() -> None:
    publication = Publication(
        cells=[Cell("t", 30), Cell("a", 2), Cell("b", 2), Cell("c", 26)],
        relations=[Relation("t", ("a", "b", "c"))],
    )
    protection = protect(publication, threshold=5)
    assert set(protection.hidden) == {"a", "b", "c"}
    sight, truth = sight_of(publication, set(protection.hidden))
    assert attack(sight, truth, threshold=5) == []


def test_the_threshold_is_an_instance_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert default_threshold() == 5
    monkeypatch.setenv("IMPACTKIT_DISCLOSURE_THRESHOLD", "10")
    assert default_threshold() == 10
    publication = Publication(cells=[Cell("t", 7)])
    assert protect(publication).hidden == {"t": "primary"}
    monkeypatch.setenv("IMPACTKIT_DISCLOSURE_THRESHOLD", "ten")
    with pytest.raises(ConfigError, match="whole number"):
        default_threshold()
    monkeypatch.setenv("IMPACTKIT_DISCLOSURE_THRESHOLD", "1")
    with pytest.raises(ConfigError, match="from 2 to 100"):
        default_threshold()
    # Every command and the server read the settings first: a malformed threshold stops them there.
    with pytest.raises(ConfigError, match="IMPACTKIT_DISCLOSURE_THRESHOLD must be from 2 to 100, got 1"):
        load_settings(database_url="sqlite:///unused.db", data_dir=tmp_path, need_secret=False)
    monkeypatch.setenv("IMPACTKIT_DISCLOSURE_THRESHOLD", "7")
    assert load_settings(database_url="sqlite:///unused.db", data_dir=tmp_path, need_secret=False)


def test_an_earlier_period_already_published_is_kept_and_the_new_total_is_protected() -> None:
    # Period 1 was published with female (3) and male (secondary) hidden; the total over
    # periods 1 and 2 must not give them away.
    cells = [
        Cell(("p1", "n"), 23, fixed=True),
        Cell(("p1", "female"), 3, fixed=True, hidden=True),
        Cell(("p1", "male"), 20, fixed=True, hidden=True),
        Cell(("p2", "n"), 30),
        Cell(("p2", "female"), 12),
        Cell(("p2", "male"), 18),
        Cell(("all", "n"), 53),
        Cell(("all", "female"), 15),
        Cell(("all", "male"), 38),
    ]
    relations = [
        Relation((view, "n"), ((view, "female"), (view, "male"))) for view in ("p1", "p2", "all")
    ] + [Relation(("all", cat), (("p1", cat), ("p2", cat))) for cat in ("n", "female", "male")]
    publication = Publication(cells=cells, relations=relations)
    protection = protect(publication, threshold=5)
    assert protection.hidden[("p1", "female")] == "primary"
    assert protection.hidden[("p1", "male")] == "secondary"
    assert ("all", "female") in protection.hidden
    sight, truth = sight_of(publication, set(protection.hidden))
    assert attack(sight, truth, threshold=5) == []


def test_hidden_cells_whose_people_all_answered_alike_get_one_more_complement() -> None:
    # Shares satisfied: the two hidden cells hold 3 + 6 people, all satisfied: the reader
    # would know both hidden shares are 100 %. A third cell (with a different share) hides it.
    cells = [
        Cell("n", 40, amounts={"s": 31}),
        Cell("mountain", 3, amounts={"s": 3}),
        Cell("rural", 6, amounts={"s": 6}),
        Cell("urban", 31, amounts={"s": 22}),
    ]
    publication = Publication(
        cells=cells, relations=[Relation("n", ("mountain", "rural", "urban"))], ranges={"s": (0.0, 1.0)}
    )
    protection = protect(publication, threshold=5)
    assert protection.hidden == {"mountain": "primary", "rural": "secondary", "urban": "secondary"}
    # With a complement whose share differs the two hidden shares stay unknown.
    cells[2] = Cell("rural", 6, amounts={"s": 2})
    cells[1] = Cell("mountain", 3, amounts={"s": 3})
    cells[0] = Cell("n", 40, amounts={"s": 27})
    protection = protect(
        Publication(
            cells=cells, relations=[Relation("n", ("mountain", "rural", "urban"))], ranges={"s": (0.0, 1.0)}
        ),
        threshold=5,
    )
    assert protection.hidden == {"mountain": "primary", "rural": "secondary"}


def test_a_cell_given_with_two_counts_is_refused() -> None:
    with pytest.raises(ValueError, match="two counts"):
        protect(Publication(cells=[Cell("a", 1), Cell("a", 2)]), threshold=5)
    with pytest.raises(ValueError, match="not in the publication"):
        protect(Publication(cells=[Cell("a", 1)], relations=[Relation("a", ("b",))]), threshold=5)


# --- generated publications with many small cells, attacked ------------------------------------


@st.composite
def breakdowns(draw: st.DrawFn) -> Publication:
    """A total split by 1–3 breakdowns (one with a coarser breakdown nested in it), small counts."""
    cells: list[Cell] = []
    relations: list[Relation] = []
    small = st.integers(min_value=0, max_value=6)
    breakdown_count = draw(st.integers(min_value=1, max_value=3))
    fine_counts = [draw(st.lists(small, min_size=2, max_size=5)) for _ in range(breakdown_count)]
    rests = [draw(st.integers(min_value=0, max_value=3)) for _ in range(breakdown_count)]
    totals = [sum(c) + r for c, r in zip(fine_counts, rests, strict=True)]
    total = max(totals)
    cells.append(Cell("n", total))
    for b, (counts, rest) in enumerate(zip(fine_counts, rests, strict=True)):
        rest += total - (sum(counts) + rest)
        keys = []
        for i, count in enumerate(counts):
            if count == 0:
                continue  # zeros are not listed
            keys.append((b, i))
            cells.append(Cell((b, i), count))
        cells.append(Cell((b, "rest"), rest, published=False, sensitive=False))
        relations.append(Relation("n", (*keys, (b, "rest"))))
        if b == 0 and len(keys) >= 3 and draw(st.booleans()):
            # A coarser breakdown: its first category is the sum of the first two fine ones.
            nonzero = [count for count in counts if count]
            cells.append(Cell(("coarse", 0), nonzero[0] + nonzero[1]))
            relations.append(Relation(("coarse", 0), tuple(keys[:2])))
    return Publication(cells=cells, relations=relations)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(breakdowns())
def test_no_hidden_cell_of_a_breakdown_can_be_recovered(publication: Publication) -> None:
    protection = protect(publication, threshold=5)
    sight, truth = sight_of(publication, set(protection.hidden))
    findings = attack(sight, truth, threshold=5)
    assert findings == [], [str(f) for f in findings]
    for cell in publication.cells:
        if cell.published and 1 <= cell.count < 5:
            assert cell.key in protection.hidden


@st.composite
def periods_by_category(draw: st.DrawFn) -> Publication:
    """A two-way table: periods × categories with period totals and totals over periods."""
    periods = draw(st.integers(min_value=2, max_value=3))
    categories = draw(st.integers(min_value=2, max_value=4))
    counts = [
        [draw(st.integers(min_value=0, max_value=9)) for _ in range(categories)] for _ in range(periods)
    ]
    cells: list[Cell] = []
    relations: list[Relation] = []
    for p, row in enumerate(counts):
        cells.append(Cell((p, "n"), sum(row), cost=-p))
        listed = []
        for c, count in enumerate(row):
            if count:
                cells.append(Cell((p, c), count, cost=-p))
                listed.append((p, c))
        relations.append(Relation((p, "n"), tuple(listed)))
    cells.append(Cell(("all", "n"), sum(map(sum, counts)), cost=-10))
    listed = []
    for c in range(categories):
        column = sum(row[c] for row in counts)
        if column:
            cells.append(Cell(("all", c), column, cost=-10))
            listed.append(("all", c))
            relations.append(Relation(("all", c), tuple((p, c) for p in range(periods) if counts[p][c])))
    relations.append(Relation(("all", "n"), tuple(listed)))
    relations.append(Relation(("all", "n"), tuple((p, "n") for p in range(periods))))
    return Publication(cells=cells, relations=relations)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(periods_by_category())
def test_no_hidden_cell_of_periods_and_their_total_can_be_recovered(publication: Publication) -> None:
    protection = protect(publication, threshold=5)
    sight, truth = sight_of(publication, set(protection.hidden))
    findings = attack(sight, truth, threshold=5)
    assert findings == [], [str(f) for f in findings]
