"""The budget follows its rules: staff paid as simulated with the hiring lead, training on each rule's
interval, payers from the clause that names them (or the scenario's own), and GZ-3's property-fee subsidy."""

from __future__ import annotations

from collections import defaultdict

import pytest

from optimize import budget, plan_facilities, plan_split
from optimize.budget import Simulated
from standards.ruleset import Override, ruleset
from tests.optimize.conftest import load
from tests.optimize.test_facilities import demand


def small(regime: str = "chongqing", horizon: int = 36, delay: int = 0, overrides=(), **costs):
    """small-2400 (one community of 2,400 flats, start 2027-07, first delivery in month 0 + ``delay``)."""
    s, _ = load("small-2400.toml")
    blds = [b.model_copy(update={"delivery_month": b.delivery_month + delay}) for b in s.buildings]
    s = s.model_copy(update={"regime": regime, "horizon_months": horizon, "buildings": blds,
                             "costs": s.costs.model_copy(update=costs), "overrides": list(overrides)})
    r = ruleset(regime, [Override(o.rule, o.value, o.reason) for o in s.overrides])
    return s, r, plan_split(s, r)


def sim(p, staff, households=lambda m: 0.0, months: int = 36) -> Simulated:
    (c,) = p.communities
    return Simulated("p50", {c.id: tuple(float(staff(m)) for m in range(months))},
                     {c.id: tuple(float(households(m)) for m in range(months))})


def amounts(b, item: str) -> dict[int, float]:
    out: dict[int, float] = defaultdict(float)
    for r in b.rows:
        if r.item == item:
            out[r.year] += r.amount_cny
    return dict(out)


# ---- staff follow the simulation -------------------------------------------------------------------------

def test_paid_staff_are_the_simulated_staff_three_months_ahead_never_above_full_strength():
    s, r, p = small()
    (c,) = p.communities
    assert c.staff.value == 12                      # CQ-73 §一(三): 2,400 households / 200
    b = budget(p, s, r, simulated=sim(p, staff=lambda m: m))
    # month m pays the staff month m + 3 needs (money.hire_lead): months 0..5 of 2027 pay 3, 4, …, 8
    assert b.worker_years[2027] == pytest.approx((3 + 4 + 5 + 6 + 7 + 8) / 12)
    assert amounts(b, "staff_pay")[2027] == pytest.approx(33 / 12 * 53_200, abs=0.05)
    # from month 9 the simulation asks for more than 12: paid at full strength, never above it
    assert b.worker_years[2029] == pytest.approx(12.0)
    assert max(b.worker_years.values()) <= 12.0
    assert b.staffing == "simulated" and "hired 3 months ahead" in b.notes[0]
    # the same budget at full strength (estate plan) pays 12 from the first delivery
    full = budget(p, s, r)
    assert full.worker_years[2027] == pytest.approx(12 * 6 / 12) and full.staffing == "full_strength"


def test_the_hiring_lead_is_a_scenario_input_and_staff_are_hired_before_the_first_delivery():
    s, r, p = small(hire_lead_months=0)
    b = budget(p, s, r, simulated=sim(p, staff=lambda m: m))
    assert b.worker_years[2027] == pytest.approx((0 + 1 + 2 + 3 + 4 + 5) / 12)
    # first delivery in month 6: with the 3-month lead the first staff are paid from month 3 (2027-10)
    s, r, p = small(delay=6)
    b = budget(p, s, r, simulated=sim(p, staff=lambda m: 0 if m < 6 else 2))
    assert b.worker_years[2027] == pytest.approx(2 * 3 / 12)        # Oct, Nov, Dec
    assert 2027 not in budget(p, s, r).worker_years                  # full strength: from the delivery (2028-01)


# ---- training follows each rule's interval ---------------------------------------------------------------

def test_chongqing_trains_every_worker_once_a_year():
    s, r, p = small()
    b = budget(p, s, r)
    # CQ-30 §三(三): all workers yearly, from the community's first month (2027-07): 12 × 2,000 in each of
    # 2027-07, 2028-07, 2029-07; the horizon ends 2030-06, before the next
    assert amounts(b, "training") == pytest.approx({2027: 24_000, 2028: 24_000, 2029: 24_000})


def test_shandong_trains_the_director_yearly_and_the_other_members_every_two_years():
    s, r, p = small("shandong")
    (c,) = p.communities
    members = c.committee_members.value
    b = budget(p, s, r)
    # SD-22 §二(一)2: the director in 2027-07, 2028-07 and 2029-07; the other members (and the staff, our
    # reading) in 2027-07 and 2029-07 only
    everyone = (1 + (members - 1) + 12) * 2_000
    assert amounts(b, "training") == pytest.approx({2027: everyone, 2028: 2_000, 2029: everyone})
    assert {row.payer_basis for row in b.rows if row.item == "training"} == {"SD-22.training_payer"}


# ---- payers --------------------------------------------------------------------------------------------

def test_chongqing_payers_follow_cq73():
    s, r, p = small()
    b = budget(p, s, r)
    payer = {(row.item, row.payer): row.payer_basis for row in b.rows}
    assert payer == {("staff_pay", "district"): "CQ-73.payer_district",
                     ("employer_insurance", "district"): "CQ-73.payer_district",
                     ("housing_fund", "district"): "CQ-73.payer_district",
                     ("training", "district"): "CQ-73.payer_district",
                     ("operating_funds", "district"): "CQ-73.payer_district",
                     ("startup_subsidy", "city"): "CQ-73.payer_city_startup",
                     ("office_fitout", "owner"): "CQ-73.payer_owner_office"}


def test_scenario_payers_replace_every_payer_rule():
    s, r, p = small(payers={"government": 1.0})
    b = budget(p, s, r)
    assert {(row.payer, row.payer_basis) for row in b.rows} == {("government", "scenario:costs.payers")}


def test_facilities_go_to_the_district_unless_the_scenario_names_their_payer():
    s, r, p = small(eldercare_running_cny_per_bed_year=10_000.0)
    fp = plan_facilities(demand(36, primary=lambda m: 10.0 if m >= 14 else 0.0), s, r, gap=0.0)
    rows = [row for row in budget(p, s, r, facilities=fp).rows if row.item.startswith("facility_")]
    assert rows and {(row.payer, row.payer_basis) for row in rows} == {("district", "money.payer_unassigned")}
    s2, r2, _ = small(eldercare_running_cny_per_bed_year=10_000.0, facility_payers={"city": 0.2, "district": 0.8})
    rows2 = [row for row in budget(p, s2, r2, facilities=fp).rows if row.item == "facility_capital:primary"]
    parts = {row.payer: row.amount_cny for row in rows2}
    assert parts["city"] == pytest.approx(0.25 * parts["district"], abs=0.01)
    assert {row.payer_basis for row in rows2} == {"scenario:costs.facility_payers"}


def test_guangzhou_splits_city_district_by_a_ratio_the_scenario_can_set():
    s, r, p = small("guangzhou")
    pay = [row for row in budget(p, s, r).rows if row.item == "staff_pay" and row.year == 2028]
    assert {row.payer: row.amount_cny for row in pay} == {"city": pytest.approx(pay[0].amount_cny),
                                                          "district": pytest.approx(pay[0].amount_cny)}
    assert {row.payer_basis for row in pay} == {"GZ-3.funding_levels"}
    from scenarios.schema import OverrideSpec
    ov = OverrideSpec(rule="GZ-3.funding_levels", value={"parts": {"city": 0.3, "district": 0.7}},
                      reason="the district's matching ratio")
    s, r, p = small("guangzhou", overrides=[ov])
    parts = {row.payer: row.amount_cny for row in budget(p, s, r).rows if row.item == "staff_pay" and row.year == 2028}
    assert parts["city"] == pytest.approx(parts["district"] * 3 / 7, abs=0.01)


def test_guangzhou_costs_the_property_fee_subsidy_of_low_income_households():
    s, r, p = small("guangzhou", property_fee_cny_per_m2_month=2.5, property_fee_subsidy_share=0.6)
    b = budget(p, s, r)
    flats = sum(x.units for x in s.buildings)
    flat_m2 = sum(x.floor_area_m2 for x in s.buildings) / flats
    assert max(x.delivery_month for x in s.buildings) <= 6         # every flat delivered by 2028-01
    # GZ-3 §六(二): low-income households × fee × the share the government pays, 12 months of 2028
    expected = flats * s.households.low_income_share * 2.5 * flat_m2 * 0.6 * 12
    rows = [row for row in b.rows if row.item == "property_fee_subsidy" and row.year == 2028]
    assert [(row.payer, row.payer_basis) for row in rows] == [("city", "GZ-3.payer_fee_subsidy")]
    assert rows[0].amount_cny == pytest.approx(expected, abs=0.05)
    assert rows[0].basis.startswith("GZ-3.property_fee_subsidy; scenario:households.low_income_share")
    # with the simulation, the simulated households
    b2 = budget(p, s, r, simulated=sim(p, staff=lambda m: 12, households=lambda m: 1000))
    assert amounts(b2, "property_fee_subsidy")[2028] == pytest.approx(
        1000 * s.households.low_income_share * 2.5 * flat_m2 * 0.6 * 12, abs=0.05)
    # without the fee or the share (GZ-3 gives neither, none shipped): not costed, and said so
    s, r, p = small("guangzhou")
    b = budget(p, s, r)
    assert "property_fee_subsidy" not in {row.item for row in b.rows}
    assert any("property_fee_subsidy (GZ-3.property_fee_subsidy) is not costed" in n for n in b.notes)
    # and no other regime has the item
    s, r, p = small(property_fee_cny_per_m2_month=2.5, property_fee_subsidy_share=0.6)
    assert "property_fee_subsidy" not in {row.item for row in budget(p, s, r).rows}
