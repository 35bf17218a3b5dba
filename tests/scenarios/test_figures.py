"""The one resolver: an override of each kind of figure reaches the simulation's parameters, the facility
plan and the budget alike (overrides once reached the budget but not the simulation)."""

from __future__ import annotations

from pathlib import Path

import pytest

import scenarios
from optimize import budget, plan_facilities, plan_split
from scenarios import figures_of
from scenarios.demand import Band, Demand
from scenarios.services import PLANNED, SERVICES, service
from sim import EstateModel
from sim.params import params_of
from standards.errors import InputError
from standards.ruleset import Override

ROOT = Path(__file__).resolve().parents[2]


def small(overrides=(), horizon: int = 36, **costs):
    s = scenarios.load(ROOT / "scenarios" / "small-2400.toml")
    c = s.costs.model_copy(update={"eldercare_running_cny_per_bed_year": 60_000.0, **costs})
    s = s.model_copy(update={"horizon_months": horizon, "costs": c,
                             "overrides": [scenarios.schema.OverrideSpec(rule=r, value=v, reason="test")
                                           for r, v in overrides]})
    return s, scenarios.rules_of(s)


def flat_demand(months: int, level: float = 10.0) -> Demand:
    est = {s.metric: Band(s.metric, s.unit, (level,) * months, (level,) * months, (level,) * months)
           for s in SERVICES}
    return Demand(months, est, {})


@pytest.mark.parametrize("rule, value, field, expected", [
    ("allocation.lease_term", {"months": 12}, "lease_months", 12),                                   # period
    ("demography.persons_per_household_cq_prh", {"value": 4.0}, "persons_per_household", 4.0),    # quantity
    ("demography.birth_rate_cq_2023", {"value": 0.02}, "birth_monthly", 0.02 / 12),                  # quantity
])
def test_an_override_reaches_the_simulation_parameters(rule, value, field, expected):
    base = params_of(*small())
    s, r = small([(rule, value)])
    p = params_of(s, r)
    assert getattr(p, field) == pytest.approx(expected)
    assert getattr(base, field) != pytest.approx(expected)


def test_an_override_of_a_shares_figure_reaches_the_simulation():
    s, r = small([("demography.age_shares_cq_2020", {"parts": {"0-14": 0.5, "15-59": 0.3, "60+": 0.2}})])
    p = params_of(s, r)
    assert sorted(p.band_probs.round(6)) == [0.2, 0.3, 0.5]


def test_an_override_of_a_sizing_ratio_reaches_the_simulation_and_the_facility_plan():
    s0, r0 = small()
    s, r = small([("facilities.primary_class_size", {"per": 20})])
    sizing = {x.metric: x.rule_id for x in params_of(s, r).services}
    assert r.rule(sizing["primary_classes"]).value.per == 20
    fp0 = plan_facilities(flat_demand(36), s0, r0, gap=0.0)
    fp = plan_facilities(flat_demand(36), s, r, gap=0.0)
    run0 = fp0.service("primary").modules[0].running_cny_per_year.value
    run = fp.service("primary").modules[0].running_cny_per_year.value
    assert run == pytest.approx(run0 * 20 / r0.rule("facilities.primary_class_size").value.per)


def test_an_override_of_a_cost_figure_reaches_the_facility_plan():
    s0, r0 = small()
    rid = s0.costs.kindergarten_capital_cny_per_class
    s, r = small([(rid, {"value": 1_000_000.0})])
    fp = plan_facilities(flat_demand(36), s, r, gap=0.0)
    m = fp.service("kindergarten").modules[0]
    assert m.capital_cny.value == pytest.approx(1_000_000.0 * m.size.value)
    assert m.capital_cny.rule == rid


def test_an_override_of_pay_and_of_insurance_rates_reaches_the_budget():
    s0, r0 = small()
    plan = plan_split(s0, r0, time_limit=5)
    b0 = budget(plan, s0, r0)
    s, r = small([(s0.costs.staff_pay_cny_per_year, {"value": 100_000.0}),
                  ("money.employer_insurance", {"rates": {"pension": 0.5}})])
    b = budget(plan, s, r)
    y = b.years[1]
    pay, ins = b.items(y)["staff_pay"], b.items(y)["employer_insurance"]
    assert pay != pytest.approx(b0.items(y)["staff_pay"])
    assert ins == pytest.approx(pay * 0.5)


def test_an_override_of_persons_per_household_fills_flats_with_that_many_residents():
    """Done-when of the issue: 4.0 persons per household simulate about 4.0 residents per occupied flat."""
    s, r = small([("demography.persons_per_household_cq_prh", {"value": 4.0})], horizon=48)
    m = EstateModel(s, r, rng=3)
    m.run()
    late = m.series()[-12:, -1]
    ix = {name: i for i, name in enumerate(m.metrics)}
    assert late[:, ix["households"]].min() > 1000
    per_household = late[:, ix["residents"]].sum() / late[:, ix["households"]].sum()
    assert per_household == pytest.approx(4.0, rel=0.05)


def test_the_resolver_names_its_basis_and_fails_plainly():
    s, r = small()
    f = figures_of(s, r)
    assert f.field("households.persons_per_household").basis == "demography.persons_per_household_cq_prh"
    assert f.field("costs.fitout_cny_per_m2").basis == "scenario:costs.fitout_cny_per_m2"
    wage = f.field("costs.reference_wage", 2020)
    assert wage.year == 2020 and wage.rule == "money.average_wage_cq"
    assert f.series("costs.reference_wage")[0][0] <= 2020 < f.series("costs.reference_wage")[-1][0]
    missing = s.model_copy(update={"costs": s.costs.model_copy(update={"eldercare_running_cny_per_bed_year": None})})
    with pytest.raises(InputError, match="costs.eldercare_running_cny_per_bed_year is required to plan eldercare"):
        figures_of(missing, r).number("costs.eldercare_running_cny_per_bed_year", required_for="eldercare")
    with pytest.raises(InputError, match="has no single figure"):
        f.rule("facilities.primary_class_size")


def test_the_schema_takes_its_service_fields_from_the_registry():
    fac = scenarios.schema.Facilities.model_fields
    costs = scenarios.schema.Costs.model_fields
    for s in SERVICES:
        assert fac[s.sizing_field].default == s.sizing_default
        if s.planned:
            assert fac[s.modules_field].default == s.modules_default
            assert costs[s.capital.name].default == s.capital.default
            assert costs[s.running.name].default == s.running.default
    assert service("primary").calendar == "school_year" and service("clinic").calendar == "quarter"
    assert [x.name for x in PLANNED] == ["kindergarten", "primary", "junior_middle", "eldercare", "eldercare_space",
                                         "clinic"]
