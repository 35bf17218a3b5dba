"""The budget adds up (items to yearly totals, payers to 100% of each item), follows the regime's payers and
pay rule, dates facility capital by the opening year; the budget cap names what it leaves unpaid."""

from __future__ import annotations

from collections import defaultdict

import pytest

from optimize import analyse_cap, budget, plan_facilities, plan_split
from optimize.budget import pay_in
from optimize.budget_cap import notices, to_dict
from tests.optimize.conftest import load
from tests.optimize.test_facilities import demand, scenario


@pytest.fixture(scope="module")
def shandong():
    s, r = load("shandong-20k.toml")
    p = plan_split(s, r, time_limit=5)
    return s, r, p, budget(p, s, r)


def by_item(b):
    out: dict = defaultdict(dict)
    for row in b.rows:
        out[row.year, row.item][row.payer] = row.amount_cny
    return out


def test_items_sum_to_the_yearly_totals_and_each_item_splits_by_its_payer_rule(shandong):
    s, r, p, b = shandong
    items = by_item(b)
    for y in b.years:
        assert sum(b.items(y).values()) == pytest.approx(b.total(y))
        assert sum(sum(v.values()) for (yy, _), v in items.items() if yy == y) == pytest.approx(b.total(y))
    for row in b.rows:
        assert row.basis and row.payer_basis, row
        rule = r.rule(row.payer_basis) if "." in row.payer_basis else None
        shares = rule.value.as_dict()
        total = sum(items[row.year, row.item].values())
        assert row.amount_cny == pytest.approx(total * shares[row.payer], abs=0.01), row


def test_shandong_splits_only_sd22s_items_city_county_5_5(shandong):
    s, r, p, b = shandong
    payer_rule = {row.item: row.payer_basis for row in b.rows}
    # SD-22 §三(三): funds, pay, members' allowances (with their insurance and housing fund) and service space
    assert {i for i, rule in payer_rule.items() if rule == "SD-22.cost_sharing"} == {
        "staff_pay", "employer_insurance", "housing_fund", "member_allowances", "operating_funds", "office_fitout",
        "social_worker_pay", "social_worker_insurance", "social_worker_housing_fund"}
    for (y, item), parts in by_item(b).items():
        if payer_rule[item] == "SD-22.cost_sharing":
            assert set(parts) == {"city", "county"} and parts["city"] == pytest.approx(parts["county"], abs=0.01)
    # training is the basic-level government's (SD-22 §二(一)2); no SD-22 clause names the start-up subsidy
    assert (payer_rule["training"], {row.payer for row in b.rows if row.item == "training"}) == (
        "SD-22.training_payer", {"county"})
    assert payer_rule["startup_subsidy"] == "money.payer_unassigned"
    assert any("it_systems (SD-22.cost_sharing) is not costed" in n for n in b.notes)


def test_shandong_pays_at_least_last_years_average_wage_grown_past_the_last_figure(shandong):
    s, r, p, b = shandong
    workers = b.worker_years
    # SD-22 §三(三): pay ≥ last year's average wage. money.average_wage_cq ends in 2024 (117,546), so the
    # floor grows at money.wage_growth_cq (5.8%) from it: 2027 pays 2026's wage, 2028 pays 2027's
    for y, years_on in ((2027, 2), (2028, 3)):
        wage = 117_546 * 1.058 ** years_on
        assert pay_in(y, s, r) == (pytest.approx(wage), "SD-22.pay_floor; money.average_wage_cq; money.wage_growth_cq")
        assert b.items(y)["staff_pay"] == pytest.approx(workers[y] * wage, abs=0.05)
    assert any("SD-22.pay_floor" in n for n in b.notes)
    # the same estate under Chongqing's rules (no pay floor) pays the entry pay, read as the first year's, grown
    cq, rcq = load("chongqing-20k.toml")
    assert pay_in(2027, cq, rcq) == (53_200.0, "money.worker_pay_cq_entry")
    assert pay_in(2028, cq, rcq) == (pytest.approx(53_200 * 1.058), "money.worker_pay_cq_entry; money.wage_growth_cq")


def test_shandong_pays_members_allowances_at_the_floor(shandong):
    s, r, p, b = shandong
    members = sum(c.committee_members.value for c in p.communities)    # all delivered by 2029
    floor = 117_546 * 1.058 ** 5                                          # 2030 pays 2029's wage
    assert b.items(2030)["member_allowances"] == pytest.approx(members * floor, abs=0.05)
    # insurance and housing fund on staff pay and on the allowances alike (25.3% + 12%)
    paid = b.items(2030)["staff_pay"] + b.items(2030)["member_allowances"]
    assert b.items(2030)["employer_insurance"] == pytest.approx(paid * 0.253, abs=0.05)
    assert b.items(2030)["housing_fund"] == pytest.approx(paid * 0.12, abs=0.05)


def test_the_budget_works_without_a_facility_plan(shandong):
    s, r, p, b = shandong
    assert not any(row.item.startswith("facility_") for row in b.rows)
    assert {row.item for row in b.rows} == {"staff_pay", "employer_insurance", "housing_fund", "member_allowances",
                                           "operating_funds", "training", "startup_subsidy", "office_fitout",
                                           # SD-22 §一(三)'s social workers (optimize/regime_items.py)
                                           "social_worker_pay", "social_worker_insurance", "social_worker_housing_fund"}
    assert b.staffing == "full_strength" and b.notes[0].startswith("Staff paid at full strength")


@pytest.fixture(scope="module")
def with_school():
    # small-2400 from 2027-07: primary demand from 2028-09 (month 14), so a 12-class school opens then
    s, r = scenario(horizon=36, costs={"pay_growth": 0.0})
    p = plan_split(s, r)
    fp = plan_facilities(demand(36, primary=lambda m: 10.0 if m >= 14 else 0.0), s, r, gap=0.0)
    return s, r, p, fp


def test_facility_capital_is_in_the_opening_year_and_running_from_the_opening_month(with_school):
    s, r, p, fp = with_school
    (school,) = fp.modules
    assert (school.service, school.size.value, school.opening) == ("primary", 12.0, "2028-09")
    b = budget(p, s, r, facilities=fp)
    assert b.items(2028)["facility_capital:primary"] == pytest.approx(12 * 2_729_017, abs=0.05)
    assert "facility_capital:primary" not in b.items(2027) and "facility_capital:primary" not in b.items(2029)
    yearly = 12 * 45 * 12_791.64
    assert b.items(2028)["facility_running:primary"] == pytest.approx(yearly * 4 / 12, abs=0.05)   # Sep–Dec
    assert b.items(2029)["facility_running:primary"] == pytest.approx(yearly, abs=0.05)
    assert "facility_running:primary" not in b.items(2027)
    for y in b.years:
        assert sum(b.items(y).values()) == pytest.approx(b.total(y))


def test_a_small_cap_names_the_staffing_ratio_and_what_it_would_drop_to():
    s, r = scenario(horizon=36, costs={"budget_cap_cny_per_year": 500_000.0, "pay_growth": 0.0})
    p = plan_split(s, r)
    b = budget(p, s, r)
    cap = analyse_cap(b, p, s, r)
    y = cap.year(2028)
    # 2028: 12 workers (CQ-73 §一(三): 1 per 200 of 2,400 households) at 53,200 with 25.3% insurance and a 12%
    # housing fund = 876,523.2 CNY; training 24,000; operating funds 200,000
    assert y.total_cny == pytest.approx(1_100_523.2)
    assert y.over_cny == pytest.approx(600_523.2)
    staff, training, funds = y.shortfalls
    assert (staff.tier, staff.rule, staff.citation) == ("staff", "CQ-73.fulltime_staff", "CQ-73 §一(三)")
    assert staff.required == pytest.approx(12.0)
    assert staff.affordable == pytest.approx(12 * 500_000 / 876_523.2)
    assert staff.shortfall_cny == pytest.approx(376_523.2)
    assert "from 1 per 200 households to 1 per 351" in staff.explanation
    assert (training.rule, training.shortfall_cny, training.affordable) == ("CQ-30.training_interval", pytest.approx(24_000), 0)
    assert funds.rule == "CQ-73.operating_funds" and funds.shortfall_cny == pytest.approx(200_000)
    assert funds.affordable == 0 and funds.required == 200_000
    assert sum(x.shortfall_cny for x in y.shortfalls) == pytest.approx(y.over_cny)
    # every year over the cap; the first year also lacks the start-up subsidy and office fit-out
    assert cap.years_within == () and [x.year for x in cap.years_over] == [2027, 2028, 2029, 2030]
    setup = [x for x in cap.year(2027).shortfalls if x.tier == "setup"][0]
    assert (setup.rule, setup.required, setup.affordable) == ("CQ-73.startup_subsidy", 1.0, 0.0)
    assert setup.shortfall_cny == pytest.approx(300_000 + 1500 * 1140)
    assert notices(cap)[0].startswith("Budget cap: 2027:")
    assert to_dict(cap)["years_over"][1]["shortfalls"][0]["rule"] == "CQ-73.fulltime_staff"


def test_a_cap_above_the_community_costs_slips_the_facility(with_school):
    s, r, p, fp = with_school
    s = s.model_copy(update={"costs": s.costs.model_copy(update={"budget_cap_cny_per_year": 3_000_000.0})})
    b = budget(p, s, r, facilities=fp)
    cap = analyse_cap(b, p, s, r, facilities=fp)
    assert [x.year for x in cap.years_over] == [2028, 2029, 2030]
    y = cap.year(2028)
    running, capital = y.shortfalls
    # the community's 1,100,523.2 is paid first; the school's running (Sep–Dec) gets the rest
    assert (running.tier, running.part, running.rule) == ("primary", "running", "facilities.primary_class_size")
    assert running.required == pytest.approx(4.0)                       # 12 classes × 4 months
    assert running.shortfall_cny == pytest.approx(12 * 45 * 12_791.64 / 3 - (3_000_000 - 1_100_523.2), abs=0.1)
    assert (capital.part, capital.rule, capital.unit) == ("capital", "facilities.school_modules", "classes")
    assert capital.shortfall_units == 12 and capital.shortfall_cny == pytest.approx(12 * 2_729_017, abs=0.1)
    assert "12 classes opening 2028-09" in capital.explanation
    assert sum(x.shortfall_cny for x in y.shortfalls) == pytest.approx(y.over_cny)


def test_a_facility_plan_made_under_the_cap_reports_the_demand_it_left(with_school):
    s, r, p, _ = with_school
    s = s.model_copy(update={"costs": s.costs.model_copy(update={"budget_cap_cny_per_year": 3_000_000.0})})
    fp = plan_facilities(demand(36, primary=lambda m: 10.0 if m >= 14 else 0.0), s, r, plan=p, gap=0.0)
    assert fp.modules == ()
    cap = analyse_cap(budget(p, s, r, facilities=fp), p, s, r, facilities=fp)
    assert cap.years_over == ()
    (run,) = cap.facility_unmet
    assert (run.service, run.first, run.last, run.months, run.max_shortfall) == ("primary", "2028-09", "2030-06", 22, 10.0)
    assert "budget cap" in cap.explanation[0]
