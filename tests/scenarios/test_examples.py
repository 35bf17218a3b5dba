"""The bundled example scenarios load and look like the estates they stand for."""

from pathlib import Path

import pytest

from scenarios import figures_of, load, rules_of
from standards import formulas

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "scenarios").glob("*.toml"))


def test_there_are_at_least_four_examples():
    assert {p.name for p in EXAMPLES} >= {"chongqing-20k.toml", "shandong-20k.toml", "phased-45k.toml",
                                          "small-2400.toml"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_loads_and_has_towers_of_a_few_hundred_flats(path):
    s = load(path)
    assert s.buildings
    for b in s.buildings:
        assert 300 <= b.units <= 600, b
        assert 40 <= b.floor_area_m2 / b.units / 1.3 <= 80 or s.name.startswith("Small"), b


def test_the_20k_pair_differs_only_in_regime():
    cq, sd = load(ROOT / "scenarios/chongqing-20k.toml"), load(ROOT / "scenarios/shandong-20k.toml")
    assert cq.total_units == sd.total_units == 20000
    assert cq.buildings == sd.buildings
    assert (cq.regime, sd.regime) == ("chongqing", "shandong")
    assert cq.allocation == sd.allocation


def test_phased_45k_is_delivered_over_two_to_four_years():
    s = load(ROOT / "scenarios/phased-45k.toml")
    assert 44000 <= s.total_units <= 46000
    months = {b.delivery_month for b in s.buildings}
    assert 24 <= max(months) - min(months) < 48
    assert len({b.cluster for b in s.buildings}) >= 6
    assert rules_of(s).role("community_households").value.max == 6500


def test_small_estate_is_below_the_community_minimum():
    s = load(ROOT / "scenarios/small-2400.toml")
    assert s.total_units == 2400
    assert formulas.community_size_status(s.total_units, rules_of(s)) == "below"


def test_built_example_names_its_communities():
    s = load(ROOT / "scenarios/chongqing-20k-built.toml")
    assert [c.id for c in s.existing.communities] == ["C1", "C2", "C3", "C4", "C5"]
    assert sum(len(c.buildings) for c in s.existing.communities) == len(s.buildings)


def test_defaults_resolve_to_cited_figures():
    s = load(ROOT / "scenarios/chongqing-20k.toml")
    figures = figures_of(s)
    f = figures.field("households.persons_per_household")
    assert f.value == 2.47 and f.source.startswith("demography.persons_per_household_cq_prh (PD-2025-10-26")
    assert f.basis == "demography.persons_per_household_cq_prh"
    wage = figures.field("costs.reference_wage", 2023)
    assert wage.value == 113653 and "2023" in wage.source
    assert figures.field("allocation.lease_months").value == 60
    own = figures.field("costs.housing_fund_rate")
    assert own.source == "scenario" and own.basis == "scenario:costs.housing_fund_rate"
