"""The worked examples in worked_examples.toml, plus the formulas' properties."""

import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from standards import Override, formulas, ruleset
from standards.catalog import load_catalog

CASES = tomllib.loads((Path(__file__).parent / "worked_examples.toml").read_text(encoding="utf-8"))["case"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_worked_example(case):
    rules = ruleset(case["regime"])
    fn = getattr(formulas, case["function"])
    out = fn(**case["input"], rules=rules)
    expected = None if case["output"] == "none" else case["output"]
    assert out == expected, case["name"]


def test_every_formula_taking_rules_has_a_worked_example():
    import inspect
    covered = {c["function"] for c in CASES}
    public = {name for name, fn in vars(formulas).items()
              if inspect.isfunction(fn) and not name.startswith("_") and fn.__module__ == formulas.__name__
              and "rules" in inspect.signature(fn).parameters}
    assert public - covered <= {"office_space_requirements", "property_room_requirements", "largest_site_minimum",
                                "resident_groups",
                                "group_leaders", "group_representatives", "election_measure_needed"}


def test_office_requirements_name_their_rules():
    reqs = formulas.office_space_requirements(4000, 250000, ruleset("chongqing"))
    assert [(r.rule_id, r.required) for r in reqs] == [
        ("CQ-73.office_floor_share", 1500.0), ("CQ-30.office_per_100_households", 600.0)]
    assert str(reqs[0].citation) == "CQ-73 §三(九)"


def test_group_counts():
    rules = ruleset("chongqing")
    assert formulas.resident_groups([300, 450, 451, 0], rules) == 1 + 1 + 2 + 0
    assert formulas.group_leaders(6, rules) == 6
    assert formulas.group_representatives(6, rules) == (12, 18)
    assert formulas.group_representatives(6, ruleset("shandong")) == (0, 0)


def test_an_override_reaches_the_formula():
    rules = ruleset("chongqing", [Override("CQ-73.fulltime_staff", {"per": 150}, "district pilot")])
    assert formulas.required_staff(300, rules) == 2
    assert rules.role("fulltime_staff").override_reason == "district pilot"
    assert rules.role("fulltime_staff").citation.source == "CQ-73"


def test_election_measure_needed():
    assert formulas.election_measure_needed(planned_residents=10000, flats=4000, rules=ruleset("chongqing")) == 3000
    assert formulas.election_measure_needed(planned_residents=10000, flats=4000, rules=ruleset("shandong")) == 2000


def test_band_value_of_clinic_bands():
    rule = load_catalog().rule("facilities.clinic_area_by_population")
    assert formulas.band_value(4999, rule) == 120
    assert formulas.band_value(5000, rule) == 250
    assert formulas.band_value(90000, rule) == 3500


@given(st.integers(min_value=0, max_value=200_000))
def test_staff_is_monotone_and_covers_the_ratio(h):
    rules = ruleset("chongqing")
    n = formulas.required_staff(h, rules)
    assert n * 200 >= h > (n - 1) * 200 or (h == 0 and n == 0)
    assert formulas.required_staff(h + 1, rules) >= n


@given(st.integers(min_value=1, max_value=20_000))
def test_committee_stays_in_its_range(h):
    for regime in ("chongqing", "shandong", "guangzhou"):
        assert 5 <= formulas.committee_members(h, ruleset(regime)) <= 9


def test_property_room_requirements_name_their_rules():
    reqs = formulas.property_room_requirements(1_600_000, ruleset("guangzhou"))
    assert [(r.rule_id, r.required) for r in reqs] == [("facilities.property_room_share_gz", pytest.approx(1400.0))]
    assert str(reqs[0].citation).startswith("GZ-PMR")
    assert formulas.property_room_requirements(200_000, ruleset("guangzhou")) == []
    assert formulas.property_room_requirements(1_600_000, ruleset("chongqing")) == []


def test_grid_staff_at_a_rate_below_one_rounds_up():
    rules = ruleset("guangzhou", [Override("GZ-3.grid_staff", {"rates": {
        "property_company": 1, "street_assistant": 0.5, "committee_fulltime": 1}}, "one assistant per two grids")])
    assert formulas.grid_staff(5, rules) == {"property_company": 5, "street_assistant": 3, "committee_fulltime": 5}
