"""CQ-73 §二(四)'s community eldercare centre or station (社区养老服务中心（站）): planned from the
simulated community eldercare space in sites no smaller than the cited minimum, and costed through the
generic facility items of budget.csv. The service is one record of the registry plus its rules."""

from __future__ import annotations

import csv
import json

import pytest

import scenarios.schema
from estate.plan_outputs import write_budget
from optimize import budget, plan_facilities, plan_split
from estate.facility_view import to_dict
from scenarios.services import PLANNED, service
from standards import formulas
from standards.errors import InputError
from tests.optimize.conftest import load
from tests.optimize.test_facilities import demand, ramp, scenario

CAPITAL = 4_997.2          # facility_costs.eldercare_capital_per_m2_youxi_2025, CNY per m²


def test_the_centre_is_one_record_of_the_registry_with_cited_defaults():
    s = service("eldercare_space")
    assert s.planned and s in PLANNED
    assert (s.sizing_default, s.modules_default, s.site_minimum, s.requirement) == (
        "facilities.eldercare_space_per_households", "facilities.eldercare_centre_modules",
        "facilities.eldercare_site_minimum", "CQ-73.eldercare_centre")
    # the schema's fields come from the record, each default a cited rule (running: none published)
    assert scenarios.schema.Facilities.model_fields["eldercare_space_modules"].default == s.modules_default
    costs = scenarios.schema.Costs.model_fields
    assert costs["eldercare_space_capital_cny_per_m2"].default == "facility_costs.eldercare_capital_per_m2_youxi_2025"
    assert costs["eldercare_space_running_cny_per_m2_year"].default is None


def test_sites_at_least_the_minimum():
    assert formulas.sites_at_least((350, 700, 1050), 350) == (350, 700, 1050)
    assert formulas.sites_at_least((350, 700, 1050), 350.01) == (700, 1050)
    assert formulas.sites_at_least((350,), 351) == ()


def elder(**kw):
    s, r = scenario(**kw)
    d = demand(36, eldercare_space=ramp(900, over=18))   # 20 m² per 100 households as 4,500 households move in
    return s, r, d, plan_facilities(d, s, r, gap=0.0)


def test_modules_cover_the_space_from_the_first_quarter_and_cost_the_cited_capital():
    s, r, d, fp = elder()
    sp = fp.service("eldercare_space")
    assert sp.unmet == ()
    assert all(c >= dm - 1e-9 for c, dm in zip(sp.capacity, sp.demand))
    assert {m.size.value for m in sp.modules} <= {350.0, 700.0, 1050.0, 1400.0}
    assert sum(m.size.value for m in sp.modules) == pytest.approx(1050.0)    # the least capacity covering 900 m²
    for m in sp.modules:
        assert m.size.rule == "facilities.eldercare_centre_modules"
        assert m.capital_cny.value == pytest.approx(m.size.value * CAPITAL)
        assert m.capital_cny.rule == "facility_costs.eldercare_capital_per_m2_youxi_2025"
        assert m.running_cny_per_year.value == 0.0
    # no published running cost: counted as 0 and said so, naming the field to give
    assert any("costs.eldercare_space_running_cny_per_m2_year" in n for n in fp.notes)


def test_a_running_cost_given_by_the_scenario_is_costed_per_m2():
    s, r, d, fp = elder(costs={"eldercare_space_running_cny_per_m2_year": 300.0})
    mods = fp.service("eldercare_space").modules
    assert mods and all(m.running_cny_per_year.value == pytest.approx(m.size.value * 300.0) for m in mods)
    assert not any("eldercare_space_running" in n for n in fp.notes)


def test_an_override_of_the_site_minimum_reaches_the_plan():
    ov = [{"rule": "facilities.eldercare_site_minimum", "value": {"min": 700}, "reason": "the city's 700 m² minimum"}]
    s, r, d, fp = elder(overrides=[scenarios.schema.OverrideSpec(**o) for o in ov])
    sizes = [m.size.value for m in fp.service("eldercare_space").modules]
    assert sizes and min(sizes) >= 700
    assert any("facilities.eldercare_site_minimum (700 m²)" in n for n in fp.notes)
    ov[0]["value"] = {"min": 2000}
    with pytest.raises(InputError, match="facilities.eldercare_space_modules: every size of "
                                         "facilities.eldercare_centre_modules is below the site minimum"):
        elder(overrides=[scenarios.schema.OverrideSpec(**o) for o in ov])


def test_budget_csv_costs_the_centre_through_the_facility_items(tmp_path):
    s, r = scenario(costs={"eldercare_space_running_cny_per_m2_year": 300.0})
    p = plan_split(s, r)
    fp = plan_facilities(demand(36, eldercare_space=lambda m: 400.0 if m >= 6 else 0.0), s, r, gap=0.0)
    write_budget(budget(p, s, r, fp), tmp_path / "budget.csv")
    (tmp_path / "facilities.json").write_text(json.dumps(to_dict(fp)), encoding="utf-8")
    rows: dict[tuple[int, str], float] = {}
    with (tmp_path / "budget.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = (int(row["year"]), row["item"])
            rows[key] = rows.get(key, 0.0) + float(row["amount_cny"])
    doc = json.loads((tmp_path / "facilities.json").read_text(encoding="utf-8"))
    centre = next(x for x in doc["services"] if x["service"] == "eldercare_space")
    assert centre["requirement"] == "CQ-73.eldercare_centre"
    (mod,) = centre["modules"]
    assert (mod["size"], mod["opening"]) == (700, "2028-01")      # 400 m² from month 6: the 700 m² site, Jan 2028
    assert rows[(2028, "facility_capital:eldercare_space")] == pytest.approx(700 * CAPITAL, abs=0.05)
    assert rows[(2028, "facility_running:eldercare_space")] == pytest.approx(700 * 300.0, abs=0.05)
    assert (2027, "facility_capital:eldercare_space") not in rows


def test_planned_from_the_simulated_eldercare_space():
    from sim import run_ensemble

    s, r = load("small-2400.toml")
    p = plan_split(s, r)
    d = run_ensemble(s, r, p.split(), replications=3, seed=11).demand()
    fp = plan_facilities(d, s, r, plan=p)
    sp = fp.service("eldercare_space")
    band = d.estate["eldercare_space_m2"].quantile(s.facilities.demand_quantile)
    assert sp.metric == "eldercare_space_m2" and max(band) > 0
    assert sp.demand == pytest.approx(tuple(max(0.0, float(x)) for x in band))
    assert sp.modules and all(m.size.value >= 350 for m in sp.modules)
    assert all(c >= dm - 1e-9 for c, dm in zip(sp.capacity, sp.demand))
