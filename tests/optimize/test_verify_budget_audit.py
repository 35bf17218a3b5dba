from __future__ import annotations

import csv
import json
from dataclasses import replace

import pytest

from estate.cli import main
from optimize import audit, budget, plan_split, verify
from optimize.plan import Figure
from standards import formulas as f
from tests.optimize.conftest import ROOT, load


@pytest.fixture(scope="module")
def planned():
    s, r = load("phased-45k.toml")
    return s, r, plan_split(s, r)


def failed(plan, s, r):
    return sorted({(k.rule, k.entity) for k in verify(plan, s, r) if k.passed is False})


def test_good_plan_passes_every_check(planned):
    s, r, p = planned
    assert failed(p, s, r) == []


def _bad(plan, **change):
    c0 = replace(plan.communities[0], **change)
    return replace(plan, communities=(c0,) + plan.communities[1:])


@pytest.mark.parametrize("change, rule", [
    (lambda c: {"staff": Figure(c.staff.value - 1, "x")}, "CQ-73.fulltime_staff"),
    (lambda c: {"committee_members": Figure(4, "x")}, "CQ-73.committee_members"),
    (lambda c: {"committee_members": Figure(10, "x")}, "CQ-73.committee_members"),
    (lambda c: {"supervisory_members": Figure(2, "x")}, "CQ-73.supervisory_members"),
    (lambda c: {"resident_groups": Figure(c.resident_groups.value - 1, "x")}, "CQ-73.resident_group_households"),
    (lambda c: {"grids": Figure(c.grids.value + 1, "x")}, "GZ-3.grid_households"),
    (lambda c: {"office_area_m2": Figure(c.office_area_m2.value - 1, "x")}, "CQ-73.office_floor_share"),
    (lambda c: {"largest_site_m2": Figure(499, "x")}, "CQ-73.office_largest_site"),
    (lambda c: {"office_building": "nowhere"}, "plan.office"),
])
def test_verifier_fails_each_hand_made_bad_plan(planned, change, rule):
    s, r, p = planned
    bad = _bad(p, **change(p.communities[0]))
    assert (rule, p.communities[0].id) in failed(bad, s, r)


def test_verifier_fails_a_missing_building_a_split_community_and_a_band_breach(planned):
    s, r, p = planned
    c0 = p.communities[0]
    dropped = _bad(p, buildings=c0.buildings[1:])
    assert ("plan.partition", "estate") in failed(dropped, s, r)
    pos = {x.id: (x.x, x.y) for x in s.buildings}
    ox, oy = pos[c0.office_building]
    k, far = max(((k, bid) for k, c in enumerate(p.communities[1:], 1) for bid in c.buildings),
                 key=lambda t: (pos[t[1]][0] - ox) ** 2 + (pos[t[1]][1] - oy) ** 2)
    ck = replace(p.communities[k], buildings=tuple(x for x in p.communities[k].buildings if x != far))
    rest = tuple(ck if j == k else c for j, c in enumerate(p.communities) if j > 0)
    moved = replace(p, communities=(replace(c0, buildings=c0.buildings + (far,)),) + rest)
    assert ("plan.contiguity", c0.id) in failed(moved, s, r)
    merged = replace(p, communities=(replace(c0, buildings=c0.buildings + p.communities[1].buildings),)
                     + p.communities[2:])
    assert ("CQ-73.community_households", c0.id) in failed(merged, s, r)


def test_sizing_uses_the_formulas(planned):
    s, r, p = planned
    for c in p.communities:
        assert c.staff.value == f.required_staff(c.households, r) and c.staff.rule == "CQ-73.fulltime_staff"
        assert c.committee_members.value == f.committee_members(c.households, r)
        assert c.office_area_m2.value >= f.required_office_space(c.households, c.floor_area_m2, r) - 1e-9
        assert c.office_area_m2.value - f.required_office_space(c.households, c.floor_area_m2, r) < 0.1


def test_budget_adds_up_and_payer_shares_are_whole():
    s, r = load("shandong-20k.toml")
    p = plan_split(s, r, time_limit=5)
    b = budget(p, s, r)
    by_item: dict = {}
    for row in b.rows:
        by_item.setdefault((row.year, row.item, row.payer_basis), {})[row.payer] = row.amount_cny
    for (_, item, rule), parts in by_item.items():
        if rule == "SD-22.cost_sharing":      # SD-22 §三(三)'s 5:5 covers only its own items
            assert parts["city"] == pytest.approx(parts["county"], abs=0.01), item
    assert b.total() == pytest.approx(sum(sum(v.values()) for v in by_item.values()))
    startup = sum(r_.amount_cny for r_ in b.rows if r_.item == "startup_subsidy")
    assert startup == pytest.approx(len(p.communities) * s.costs.startup_subsidy_cny_per_community, abs=0.1)


def test_audit_of_the_built_estate_names_shortfalls():
    s, r = load("chongqing-20k-built.toml")
    checks = audit(s, r)
    by = {(k.rule, k.entity): k for k in checks}
    for c in s.existing.communities:
        hh = sum(b.units for b in s.buildings if b.id in c.buildings)
        k = by[("CQ-73.fulltime_staff", c.id)]
        assert k.passed == (c.staff >= f.required_staff(hh, r))
        assert k.shortfall == max(0, f.required_staff(hh, r) - c.staff)
    assert any(not k.passed for k in checks)


def test_cli_plan_and_audit_write_their_files(tmp_path, capsys):
    out = tmp_path / "p"
    assert main(["plan", str(ROOT / "scenarios/small-2400.toml"), "--out", str(out)]) == 0
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert doc["status"] == "relaxed"
    assert len(doc["explanation_zh"]) == len(doc["explanation"]) - 1 and doc["explanation_zh"][0].startswith("C1：2,400 户")
    assert set(doc["communities"][0]) >= {"id", "buildings", "households", "office_building", "staff",
                                          "committee_members", "supervisory_members", "resident_groups",
                                          "office_area_m2"}
    rows = list(csv.DictReader((out / "budget.csv").open(encoding="utf-8")))
    assert list(rows[0]) == ["year", "item", "payer", "amount_cny", "basis", "payer_basis"]
    assert (out / "site_map.png").stat().st_size > 1000
    a = tmp_path / "a"
    assert main(["audit", str(ROOT / "scenarios/chongqing-20k-built.toml"), "--out", str(a)]) == 1   # checks fail
    ad = json.loads((a / "audit.json").read_text(encoding="utf-8"))
    assert set(ad["rules"][0]) >= {"id", "citation", "required", "provided", "passed", "shortfall"}
    f_ = tmp_path / "file"
    f_.write_text("x")
    assert main(["plan", str(ROOT / "scenarios/small-2400.toml"), "--out", str(f_)]) == 1
    assert "is a file, not a folder" in capsys.readouterr().err
    assert main(["audit", str(ROOT / "scenarios/small-2400.toml"), "--out", str(a)]) == 1


def test_planned_office_space_gives_the_shortfall():
    from pathlib import Path

    from optimize import plan_split
    from scenarios import load, rules_of
    from scenarios.loader import validate
    from scenarios.writer import to_data

    root = Path(__file__).resolve().parents[2] / "scenarios"
    s = load(root / "small-2400.toml")
    data = to_data(s)
    data["buildings"][0]["office_space_m2"] = 600.0
    data["buildings"][1]["office_space_m2"] = 100.0
    s = validate(data, "planned", root)
    [c] = plan_split(s, rules_of(s)).communities
    assert c.office_planned_m2 == 700.0
    assert c.office_shortfall_m2 == round(c.office_area_m2.value - 700.0, 1) > 0   # 0.6% of 190,000 m² = 1,140
