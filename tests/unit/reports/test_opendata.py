"""The observatory's pure parts: comparable aggregates with disclosure control, feed and sitemap."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

from impactkit.reports.opendata import FeedEntry, PublishedValues, atom_feed, sitemap, territory_aggregates


def kpi(value: float, indicator: str = "wellbeing_mean") -> dict[str, object]:
    return {
        "indicator_id": indicator,
        "label_it": "Benessere",
        "label_en": "Wellbeing",
        "unit": "score",
        "value": value,
        "hidden": False,
    }


def publication(organisation: int, zone: str, value: float, version: str = "2026.1") -> PublishedValues:
    return PublishedValues(organisation, zone, "aps", "simplified-kpis", version, [kpi(value)])


def test_only_comparable_results_are_pooled_and_small_groups_are_hidden() -> None:
    items = [publication(i, "Torino", float(i)) for i in range(1, 9)]  # 8 in Torino
    items += [publication(20 + i, "Pinerolese", 3.0) for i in range(2)]  # 2 in Pinerolese
    items += [publication(40 + i, "Torino", 9.0, version="2027.1") for i in range(6)]  # another version
    result = territory_aggregates(items, threshold=5)
    rows = {(r["framework_version"], r["breakdown"], r["category"]): r for r in result.rows}
    total = rows[("2026.1", "all", "")]
    assert total["n"] == 10 and total["median"] == 3.5, "the 2027.1 results are not pooled with 2026.1"
    assert rows[("2027.1", "all", "")]["n"] == 6 and rows[("2027.1", "all", "")]["median"] == 9.0
    assert rows[("2026.1", "zone", "Pinerolese")]["hidden"] == "primary"
    torino = rows[("2026.1", "zone", "Torino")]
    assert torino["hidden"] == "secondary" and torino["n"] is None and torino["median"] is None, (
        "Torino = total − Pinerolese would give Pinerolese away"
    )
    assert rows[("2026.1", "legal_form", "aps")]["n"] == 10


def test_one_value_per_organisation_its_latest() -> None:
    items = [
        publication(1, "Torino", 1.0),
        *[publication(i, "Torino", 5.0) for i in range(2, 7)],
        publication(1, "Torino", 5.0),
    ]
    [total] = [r for r in territory_aggregates(items, threshold=5).rows if r["breakdown"] == "all"]
    assert total["n"] == 6 and total["q1"] == 5.0


def test_the_feed_and_the_sitemap_are_well_formed_xml() -> None:
    entry = FeedEntry(
        "https://x/osservatorio/rapporti/a",
        "A & B <coop>",
        "https://x/osservatorio/rapporti/a",
        datetime(2026, 12, 6, tzinfo=UTC),
        "simplified-kpis",
    )
    feed = ET.fromstring(
        atom_feed(
            feed_id="https://x/f", title="T", self_url="https://x/f", home_url="https://x", entries=[entry]
        )
    )
    assert (
        feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title").text
        == "A & B <coop>"
    )
    urls = ET.fromstring(sitemap([("https://x/osservatorio?a=1&b=2", date(2026, 12, 6))]))
    assert urls[0][0].text == "https://x/osservatorio?a=1&b=2"
