"""The proxy bank: every entry sourced, dated and placed; the price adjustment done by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from impactkit._paths import data_dir
from impactkit.errors import FrameworkError
from impactkit.frameworks.proxies import (
    adjust_proxy,
    adjust_value,
    check_proxy_bank,
    financial_proxy,
    load_proxy_bank,
    price_factor,
    shipped_proxy_bank,
)
from impactkit.sroi import check_value_map, parse_value_map

SHIPPED = data_dir("frameworks") / "proxies"


def test_every_shipped_proxy_has_a_checkable_source_a_price_year_and_a_geography() -> None:
    bank = shipped_proxy_bank()
    assert check_proxy_bank() == []
    assert len(bank.proxies) >= 3
    for entry in bank.proxies:
        assert entry.source.title and entry.source.publisher and entry.source.year
        assert entry.source.url or entry.source.identifier
        assert entry.source.quote, f"{entry.id}: the figure's wording is kept"
        assert 1990 <= entry.price_year <= bank.index.latest_year
        assert entry.geography in {"IT", "GB"} or entry.geography.startswith("IT-")
        assert entry.method.it and entry.method.en
    for year in bank.index.years:
        assert year.source.quote and (year.source.url or year.source.identifier)


def _copy_bank(tmp_path: Path) -> Path:
    folder = tmp_path / "proxies"
    shutil.copytree(SHIPPED, folder)
    return folder


def _edit_first_proxy(folder: Path, edit: dict[str, object], drop: str | None = None) -> None:
    path = folder / "bank.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = raw["proxies"][0]
    entry.update(edit)
    if drop is not None:
        parent, _, key = drop.rpartition(".")
        (entry[parent] if parent else entry).pop(key)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("drop", "field"),
    [("source", "source"), ("price_year", "price_year"), ("geography", "geography")],
)
def test_an_entry_without_source_price_year_or_geography_is_refused(
    tmp_path: Path, drop: str, field: str
) -> None:
    folder = _copy_bank(tmp_path)
    _edit_first_proxy(folder, {}, drop=drop)
    with pytest.raises(FrameworkError) as raised:
        load_proxy_bank(folder)
    locations = [p.location for p in raised.value.problems]
    assert f"bank.yaml: proxies[social_coop_hour_lowest_level_2024].{field}" in locations


def test_a_source_that_cannot_be_checked_is_refused(tmp_path: Path) -> None:
    folder = _copy_bank(tmp_path)
    raw = yaml.safe_load((folder / "bank.yaml").read_text(encoding="utf-8"))
    source = raw["proxies"][1]["source"]
    source.pop("url")
    source.pop("identifier")
    (folder / "bank.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    problems = check_proxy_bank(folder)
    assert [str(p) for p in problems] == [
        "bank.yaml: proxies[social_coop_hour_level_a1_2019].source: a source needs a 'url' or an "
        "'identifier' so that it can be checked"
    ]


def test_the_adjustment_of_the_2019_hourly_cost_to_2024_reproduced_by_hand() -> None:
    bank = shipped_proxy_bank()
    adjusted = adjust_proxy(bank.proxy("social_coop_hour_level_a1_2019"), 2024, bank.index)
    # €17.00 in 2019 prices; NIC annual average changes 2020 −0.2 %, 2021 +1.9 %, 2022 +8.1 %,
    # 2023 +5.7 %, 2024 +1.0 %.
    by_hand = 17.00 * 0.998 * 1.019 * 1.081 * 1.057 * 1.010
    assert adjusted.value == pytest.approx(by_hand, rel=1e-12)
    assert round(adjusted.value, 2) == 19.95
    assert adjusted.steps == [(2020, -0.002), (2021, 0.019), (2022, 0.081), (2023, 0.057), (2024, 0.01)]


def test_the_2024_hourly_cost_moved_back_to_2021_prices_reproduced_by_hand() -> None:
    bank = shipped_proxy_bank()
    adjusted = adjust_proxy(bank.proxy("social_coop_hour_lowest_level_2024"), 2021, bank.index)
    by_hand = 18.57 / (1.081 * 1.057 * 1.010)
    assert adjusted.value == pytest.approx(by_hand, rel=1e-12)
    assert round(adjusted.value, 2) == 16.09
    assert adjust_value(18.57, 2024, 2024, bank.index) == 18.57


def test_a_year_without_a_cited_figure_is_not_guessed() -> None:
    bank = shipped_proxy_bank()
    with pytest.raises(FrameworkError) as raised:
        price_factor(bank.index, 2024, bank.index.latest_year + 1)
    assert raised.value.problems[0].code == "missing_year"


def test_a_proxy_in_another_currency_is_not_adjusted_with_italian_prices() -> None:
    bank = shipped_proxy_bank()
    with pytest.raises(FrameworkError) as raised:
        adjust_proxy(bank.proxy("wellby_uk_2019"), 2024, bank.index)
    assert raised.value.problems[0].location == "proxies[wellby_uk_2019].currency"


def test_a_value_map_records_the_bank_version_it_took_a_proxy_from() -> None:
    bank = shipped_proxy_bank()
    proxy = financial_proxy(bank, "social_coop_hour_level_a1_2019", 2024)
    assert proxy.value == 19.95 and proxy.year == 2024
    assert proxy.bank == f"{bank.reference}#social_coop_hour_level_a1_2019"
    assert "Decreto direttoriale n. 7" in proxy.source and "factor 1.1736" in proxy.source
    data = {
        "stakeholders": [{"name": "Volunteers"}],
        "inputs": [{"description": "Grant", "amount": 1000}],
        "outcomes": [
            {
                "name": "Volunteer time",
                "stakeholder": "Volunteers",
                "quantity": 100,
                "proxy": proxy.model_dump(mode="json"),
            }
        ],
    }
    unrecorded = parse_value_map(data)
    _, warnings = check_value_map(unrecorded)
    assert [w.location for w in warnings] == ["outcomes[0].proxy.bank (Volunteer time)"]
    recorded = parse_value_map({**data, "proxy_bank": bank.reference})
    assert check_value_map(recorded) == ([], [])


def test_the_docstring_example_runs() -> None:
    import doctest

    import impactkit.frameworks.proxies as module

    failures, attempted = doctest.testmod(module)
    assert failures == 0 and attempted > 0


def test_frameworks_check_reads_a_proxy_bank_and_names_the_entry_without_a_source(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from impactkit.frameworks.cli import frameworks_group

    assert CliRunner().invoke(frameworks_group, ["check", str(SHIPPED / "bank.yaml")]).exit_code == 0
    folder = _copy_bank(tmp_path)
    _edit_first_proxy(folder, {}, drop="source")
    result = CliRunner().invoke(frameworks_group, ["check", str(folder / "bank.yaml")])
    assert result.exit_code == 2
    assert "bank.yaml: proxies[social_coop_hour_lowest_level_2024].source" in result.output


def test_each_shipped_indicator_says_how_it_is_valued() -> None:
    from impactkit.frameworks import get_framework
    from impactkit.frameworks.toc import monetisation

    care = get_framework("care")
    valued = monetisation(care, "carer_relief_hours", "it")
    assert (
        valued.startswith("Costo orario del lavoro nelle cooperative sociali") and "18,57 EUR / ora" in valued
    )
    assert "Decreto direttoriale n. 30" in valued
    assert monetisation(care, "autonomy_improved", "en").startswith("Counted, not monetised")
