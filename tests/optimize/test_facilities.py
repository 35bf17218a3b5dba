"""The facility plan: cited module sizes opened in time to cover the demand, costs from cited figures,
unmet months with their reason when sites or money cap it; and one end-to-end run on a simulated ensemble."""

from __future__ import annotations

import json

import pytest

from optimize import UnmetReason, budget, plan_facilities, plan_split
from estate.facility_view import to_dict
from optimize.facilities import SERVICE_NAMES
from optimize.solver import SolveStatus
from scenarios.demand import Band, Demand
from standards.errors import InputError
from standards.ruleset import Override, ruleset
from tests.optimize.conftest import load

METRICS = {"kindergarten": "kindergarten_classes", "primary": "primary_classes",
           "junior_middle": "junior_middle_classes", "eldercare": "eldercare_beds",
           "eldercare_space": "eldercare_space_m2", "clinic": "clinic_m2"}
ELDER_RUN = 60_000.0   # the scenario's own eldercare running cost (the field has no default)


def scenario(*, horizon: int = 36, costs: dict | None = None, facilities: dict | None = None, overrides=()):
    """small-2400 (Chongqing, start 2027-07) with a shorter horizon and the given changes."""
    s, _ = load("small-2400.toml")
    c = s.costs.model_copy(update={"eldercare_running_cny_per_bed_year": ELDER_RUN, **(costs or {})})
    f = s.facilities.model_copy(update=facilities or {})
    s = s.model_copy(update={"horizon_months": horizon, "costs": c, "facilities": f, "overrides": list(overrides)})
    rules = ruleset(s.regime, [Override(o.rule, o.value, o.reason) for o in s.overrides])
    return s, rules


def demand(months: int, **series) -> Demand:
    """A synthetic Demand: each service's monthly series (a function of the month), the same at every quantile."""
    est = {}
    for service, metric in METRICS.items():
        fn = series.get(service, lambda m: 0.0)
        v = tuple(float(fn(m)) for m in range(months))
        est[metric] = Band(metric, "unit", v, v, v)
    return Demand(months, est, {})


def ramp(top: float, over: int = 24):
    return lambda m: min(top, top * (m + 1) / over)


@pytest.fixture(scope="module")
def covered():
    s, r = scenario()
    d = demand(36, kindergarten=ramp(8), primary=ramp(20), junior_middle=ramp(7), eldercare=ramp(35),
               clinic=lambda m: 250.0 if m >= 1 else 0.0)
    return s, r, d, plan_facilities(d, s, r, gap=0.0)


def test_demand_is_covered_from_the_first_opening_month(covered):
    s, r, d, fp = covered
    assert fp.status is SolveStatus.OPTIMAL and not fp.cap_applied
    for sp in fp.services:
        unmet = {m.month for m in sp.unmet}
        assert all(m.reason is UnmetReason.BEFORE_FIRST_OPENING for m in sp.unmet)
        assert all(c >= dm - 1e-9 for t, (c, dm) in enumerate(zip(sp.capacity, sp.demand)) if t not in unmet)
        # capacity never closes
        assert all(a <= b for a, b in zip(sp.capacity, sp.capacity[1:]))
    # start 2027-07: schools can open in September (month 2); July and August are unmet
    for service in ("kindergarten", "primary", "junior_middle"):
        sp = fp.service(service)
        assert [m.month for m in sp.unmet] == [0, 1]
        assert sp.unmet[1].shortfall == pytest.approx(d.estate[METRICS[service]].p50[1])
        assert all(m.opening.endswith("-09") for m in sp.modules)
    assert fp.unmet_months("eldercare") == 0 and fp.unmet_months("clinic") == 0


def test_modules_are_cited_sizes_costed_from_cited_figures(covered):
    s, r, d, fp = covered
    for m in fp.modules:
        assert m.size.value in r.rule(m.size.rule).value.values
    assert {m.size.rule for m in fp.modules} == {"facilities.kindergarten_modules", "facilities.school_modules",
                                                 "facilities.eldercare_modules", "facilities.clinic_modules"}
    primary = fp.service("primary").modules
    assert sum(m.size.value for m in primary) >= 20
    for m in primary:
        assert m.capital_cny.rule == "facility_costs.primary_capital_per_class_zhangjiachuan_2021"
        assert m.capital_cny.value == pytest.approx(m.size.value * 2_729_017)
        # 45 pupils per class (JB102-2002) × 12,791.64 CNY per pupil (2022, the latest year before 2027)
        assert m.running_cny_per_year.value == pytest.approx(m.size.value * 45 * 12_791.64)
        assert m.running_cny_per_year.rule == "facility_costs.primary_budget_per_pupil_cn × facilities.primary_class_size"
    kg = fp.service("kindergarten").modules
    assert [m.size.value for m in kg] == [9.0]           # 8 classes of demand: the smallest module that covers it
    assert kg[0].capital_cny.value == pytest.approx(9 * 1_538_378)
    assert kg[0].running_cny_per_year.value == pytest.approx(9 * 30 * 10_198.39)
    clinic = fp.service("clinic").modules
    # demand from August: the quarter starting in July (periods of facilities.opening_interval) covers it
    assert [(m.size.value, m.opening) for m in clinic] == [(250.0, "2027-07")]
    assert clinic[0].capital_cny.value == pytest.approx(250 * 6620)
    assert clinic[0].running_cny_per_year.value == pytest.approx(10_000 * 89)   # the 5–10k band × 89 CNY (2023)
    elder = fp.service("eldercare").modules
    assert all(m.running_cny_per_year.value == pytest.approx(m.size.value * ELDER_RUN) for m in elder)
    assert {m.running_cny_per_year.rule for m in elder} == {"scenario"}


def test_a_cap_on_sites_leaves_months_unmet_by_how_much():
    s, r = scenario(facilities={"max_sites": {"primary": 1}})
    fp = plan_facilities(demand(36, primary=lambda m: 40.0), s, r, gap=0.0)
    sp = fp.service("primary")
    assert [m.size.value for m in sp.modules] == [30.0]
    capped = [m for m in sp.unmet if m.reason is UnmetReason.MAX_SITES]
    assert len(capped) == 34 and all(m.shortfall == pytest.approx(10.0) for m in capped)
    runs = sp.unmet_runs()
    assert [(r_.reason, r_.months, r_.first, r_.last) for r_ in runs] == [
        (UnmetReason.BEFORE_FIRST_OPENING, 2, "2027-07", "2027-08"), (UnmetReason.MAX_SITES, 34, "2027-09", "2030-06")]
    assert "10.0 classes short of facilities.max_sites" in runs[1].line()
    assert any("facilities.max_sites" in u["line"] for svc in to_dict(fp)["services"] for u in svc["unmet"])


def test_the_budget_cap_leaves_what_does_not_fit_unmet():
    # 5 M CNY a year and nothing committed: a 12-class school (32.7 M of capital) never fits, 10-bed
    # eldercare modules (2.5 M) do, one a year
    s, r = scenario(costs={"budget_cap_cny_per_year": 5_000_000.0})
    d = demand(36, primary=lambda m: 10.0, eldercare=lambda m: 20.0)
    fp = plan_facilities(d, s, r, committed_cny_by_year={}, gap=0.0)
    assert fp.cap_applied and dict(fp.headroom_cny) == {2027: 5e6, 2028: 5e6, 2029: 5e6, 2030: 5e6}
    assert fp.service("primary").modules == ()
    assert fp.unmet_months("primary", UnmetReason.BUDGET_CAP) == 34
    elder = fp.service("eldercare").modules
    assert elder and fp.unmet_months("eldercare", UnmetReason.BUDGET_CAP) > 0
    # facility spending in each year stays within the cap
    spend: dict[int, float] = {}
    for m in fp.modules:
        y = int(m.opening[:4])
        spend[y] = spend.get(y, 0.0) + m.capital_cny.value
        for month in range(m.opening_month, s.horizon_months):
            yy = 2027 + (6 + month) // 12
            spend[yy] = spend.get(yy, 0.0) + dict(m.running_cny_by_year)[yy] / 12
    assert all(v <= 5e6 + 1 for v in spend.values())
    # without the community's costs the cap is not applied, and the plan says so
    free = plan_facilities(d, s, r)
    assert not free.cap_applied and "not applied" in free.notes[0]


def test_the_cap_is_applied_after_the_communitys_own_costs():
    s, r = scenario(costs={"budget_cap_cny_per_year": 1_200_000.0})
    p = plan_split(s, r)
    fp = plan_facilities(demand(36, eldercare=lambda m: 10.0), s, r, plan=p, gap=0.0)
    community = budget(p, s, r)
    assert dict(fp.headroom_cny) == pytest.approx({y: 1_200_000.0 - community.total(y) for y in (2027, 2028, 2029, 2030)})
    assert fp.service("eldercare").modules == ()          # 2.5 M of capital never fits in what is left
    assert "take the whole cap in 2027" in fp.notes[0]


def test_plans_are_deterministic(covered):
    s, r, d, fp = covered
    again = plan_facilities(d, s, r, gap=0.0)
    assert [(m.service, m.size.value, m.opening_month) for m in again.modules] == \
        [(m.service, m.size.value, m.opening_month) for m in fp.modules]


def test_rules_of_the_plan_are_overridable_per_scenario():
    over = [Override("facilities.school_year_start_month", {"value": 3}, "spring intake in this city"),
            Override("facilities.school_modules", {"values": [6, 12]}, "small schools")]
    s, r = scenario()
    r = ruleset(s.regime, over)
    fp = plan_facilities(demand(36, primary=lambda m: 5.0), s, r, gap=0.0)
    mods = fp.service("primary").modules
    assert [(m.size.value, m.opening) for m in mods] == [(6.0, "2028-03")]


def test_costs_fail_plainly():
    s, r = scenario(costs={"eldercare_running_cny_per_bed_year": None})
    with pytest.raises(InputError, match="costs.eldercare_running_cny_per_bed_year is required to plan eldercare"):
        plan_facilities(demand(36), s, r)
    s, r = scenario(costs={"primary_capital_cny_per_class": "facilities.school_modules"})
    with pytest.raises(InputError, match="costs.primary_capital_cny_per_class names facilities.school_modules, a choices"):
        plan_facilities(demand(36), s, r)
    s, r = scenario(costs={"clinic_capital_cny_per_m2": 5000.0})
    fp = plan_facilities(demand(36, clinic=lambda m: 120.0), s, r)
    assert fp.service("clinic").modules[0].capital_cny.value == pytest.approx(120 * 5000)
    assert fp.service("clinic").modules[0].capital_cny.rule == "scenario"


def test_outputs_are_plain_data(covered):
    s, r, d, fp = covered
    doc = json.loads(json.dumps(to_dict(fp)))
    assert [x["service"] for x in doc["services"]] == list(SERVICE_NAMES)
    primary = doc["services"][1]
    assert primary["sizing_rule"] == "facilities.primary_class_size"
    assert sum(run["months"] for run in primary["unmet"]) == 2
    assert primary["modules"][0]["rules"]["size"] == "facilities.school_modules"


def test_end_to_end_on_a_small_simulated_ensemble():
    from sim import run_ensemble

    s, r = load("small-2400.toml")
    p = plan_split(s, r)
    sim = run_ensemble(s, r, p.split(), replications=5, seed=7)
    d = sim.demand()
    fp = plan_facilities(d, s, r, plan=p)
    assert fp.status is SolveStatus.OPTIMAL
    q = s.facilities.demand_quantile
    for sp in fp.services:
        assert sp.demand == pytest.approx(tuple(d.estate[sp.metric].quantile(q)))
        first = min((m.opening_month for m in sp.modules), default=s.horizon_months)
        # after the first opening, every month's demand is covered (no cap, no site limit)
        assert all(c >= dm - 1e-6 for t, (c, dm) in enumerate(zip(sp.capacity, sp.demand)) if t >= first)
        assert all(m.reason is UnmetReason.BEFORE_FIRST_OPENING for m in sp.unmet)
    b = budget(p, s, r, facilities=fp)
    for y in b.years:
        assert sum(b.items(y).values()) == pytest.approx(b.total(y))
    capital = sum(v for y in b.years for k, v in b.items(y).items() if k.startswith("facility_capital:"))
    assert capital == pytest.approx(sum(m.capital_cny.value for m in fp.modules), abs=1)
    assert plan_facilities(d, s, r, plan=p).modules == fp.modules
