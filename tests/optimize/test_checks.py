"""Checks that can fail, and say why (issue 10, item 7): each check on an input made to break it and
on one where it passes."""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace

import pytest
import tomli_w

from estate.cli import main
from optimize import PlanStatus, audit, plan_split, verify
from optimize import planner
from optimize.solver import SolveStatus
from optimize.verify import Provided, check_communities
from scenarios import layout, rules_of
from scenarios.loader import validate
from scenarios.schema import Building
from scenarios.writer import to_data
from standards import formulas as f
from tests.optimize.conftest import ROOT, load, with_buildings


def rows(checks, rule, entity):
    return [k for k in checks if k.rule == rule and k.entity == entity]


def row(checks, rule, entity):
    [k] = rows(checks, rule, entity)
    return k


def rebuilt(s, **change):
    """The scenario ``s`` with top-level fields changed, validated again as a file would be."""
    data = to_data(s) | change
    s2 = validate(data, "changed.toml", ROOT / "scenarios")
    return s2, rules_of(s2)


def with_office_space(s, space: dict[str, float]):
    return s.model_copy(update={"buildings": [b.model_copy(update={"office_space_m2": space.get(b.id, 0.0)})
                                              for b in s.buildings]})


# -- office space ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cq_plan():
    s, r = load("chongqing-20k.toml")
    return s, r, plan_split(s, r, time_limit=5)


def test_a_community_with_no_planned_space_fails_with_its_whole_requirement(cq_plan):
    s, r, p = cq_plan
    c = p.communities[0]
    # the layout plans space, but none in this community's buildings
    space = {b.id: 3000.0 for b in s.buildings if b.id not in c.buildings}
    checks = verify(p, with_office_space(s, space), r)
    for req in f.office_space_requirements(c.households, c.floor_area_m2, r):
        k = row(checks, req.rule_id, c.id)
        assert k.passed is False and k.status == "failed"
        assert k.shortfall == pytest.approx(req.required, abs=0.05) and k.provided == "0.0 m²"
    site = row(checks, "CQ-73.office_largest_site", c.id)
    assert site.passed is False and site.shortfall == 500.0
    # the other communities have 3,000 m² in each building: enough
    other = p.communities[1]
    assert all(k.passed for k in checks if k.entity == other.id and k.rule in
               ("CQ-73.office_floor_share", "CQ-30.office_per_100_households", "CQ-73.office_largest_site"))


def test_planned_space_that_suffices_passes(cq_plan):
    s, r, p = cq_plan
    c = p.communities[0]
    checks = verify(p, with_office_space(s, {c.office_building: 2500.0}), r)
    assert row(checks, "CQ-73.office_floor_share", c.id).passed is True
    assert row(checks, "CQ-73.office_largest_site", c.id).passed is True
    assert row(checks, "CQ-73.office_floor_share", p.communities[1].id).passed is False


def test_a_layout_planning_no_space_anywhere_is_not_checked_unless_the_plan_proposes_too_little():
    s, r = load("small-2400.toml")
    p = plan_split(s, r)
    [c] = p.communities
    checks = verify(p, s, r)
    k = row(checks, "CQ-73.office_floor_share", c.id)
    assert (k.passed, k.status, k.shortfall) == (None, "not checked", None)
    assert "no office space planned in the layout" in k.provided and "1,140.0" in k.provided
    short = replace(p, communities=(replace(c, office_area_m2=replace(c.office_area_m2, value=1000.0)),))
    k = row(verify(short, s, r), "CQ-73.office_floor_share", c.id)
    assert k.passed is False and k.shortfall == 140.0


# -- siting: the centre --------------------------------------------------------------------------------

def line_of(units=(300, 300, 300, 300, 300)):
    """Five towers 100 m apart on a line; the household-weighted centre is the middle one when equal."""
    return [Building(id=f"L{i}", units=u, floor_area_m2=u * 80.0, cluster="L", x=100.0 * i, y=0.0, delivery_month=0)
            for i, u in enumerate(units)]


def centre_check(office: str, overrides=()):
    base, _ = load("small-2400.toml")
    s = with_buildings(base, line_of())
    s, r = rebuilt(s, overrides=list(overrides))
    com = Provided("C1", tuple(b.id for b in s.buildings), office, 16, 7, 3, None, None)
    return row(check_communities([com], s, r), "CQ-73.office_centre", "C1")


def test_the_office_must_be_near_the_household_weighted_centre():
    assert centre_check("L2").passed is True                      # the centre itself
    k = centre_check("L3")                                         # 100 m out: only L2 (20%) is nearer
    assert k.passed is True and "20% of households nearer" in k.provided
    k = centre_check("L4")                                         # the end: L1, L2, L3 (60%) are nearer
    assert k.passed is False and k.shortfall == 100.0 and "60% of households nearer" in k.provided
    assert k.citation == "CQ-73 §三(九)"


def test_the_centre_reading_is_data_and_can_be_overridden():
    k = centre_check("L4", [{"rule": "CQ-73.office_centre", "value": {"rates": {"households_nearer": 0.7,
                                                                                 "equal_distance": 0.05}},
                             "reason": "a linear estate along one street"}])
    assert k.passed is True


def test_the_optimizers_offices_are_central_and_an_edge_office_fails():
    s, r = load("phased-45k.toml")
    p = plan_split(s, r)
    checks = verify(p, s, r)
    assert all(row(checks, "CQ-73.office_centre", c.id).passed for c in p.communities)
    c = p.communities[0]
    pos = {b.id: (b.x, b.y) for b in s.buildings}
    hh = {b.id: b.units for b in s.buildings}
    tot = sum(hh[b] for b in c.buildings)
    cx = sum(hh[b] * pos[b][0] for b in c.buildings) / tot
    cy = sum(hh[b] * pos[b][1] for b in c.buildings) / tot
    edge = max(c.buildings, key=lambda b: (pos[b][0] - cx) ** 2 + (pos[b][1] - cy) ** 2)
    moved = replace(p, communities=(replace(c, office_building=edge),) + p.communities[1:])
    k = row(verify(moved, s, r), "CQ-73.office_centre", c.id)
    assert k.passed is False and k.shortfall > 0


# -- siting: street level -------------------------------------------------------------------------------

def street_check(street: dict[str, float | None], office: str = "L2", space: dict[str, float] | None = None):
    base, _ = load("small-2400.toml")
    b = [x.model_copy(update={"street_level_m2": street.get(x.id), "office_space_m2": (space or {}).get(x.id, 0.0)})
         for x in line_of()]
    s, r = rebuilt(with_buildings(base, b))
    com = Provided("C1", tuple(x.id for x in s.buildings), office, 16, 7, 3, None, None)
    return row(check_communities([com], s, r), "CQ-73.office_siting", "C1")


def test_where_the_layout_marks_street_level_space_it_must_hold_the_office():
    k = street_check({})
    assert k.status == "not checked" and "marks no street-level space" in k.provided
    assert street_check({"L2": 600.0}).passed is True             # holds the 500 m² site minimum
    k = street_check({"L2": 300.0})
    assert k.passed is False and k.shortfall == 200.0
    k = street_check({"L1": 800.0})                               # marked elsewhere, none under the office
    assert k.passed is False and k.shortfall == 500.0
    k = street_check({"L2": 600.0}, space={"L2": 900.0})          # the office's planned space is 900 m²
    assert k.passed is False and k.shortfall == 300.0


def test_street_level_space_reads_from_csv_and_geojson_and_writes_back(tmp_path):
    csv_path = tmp_path / "layout.csv"
    csv_path.write_text("id,units,floor_area_m2,cluster,x,y,delivery_month,street_level_m2\n"
                        "A,300,24000,K,0,0,0,650\nB,300,24000,K,50,0,0,\n", encoding="utf-8")
    a, b = layout.read_csv(csv_path, "layout.csv")
    assert (a.street_level_m2, b.street_level_m2) == (650.0, None)
    out = tmp_path / "back.csv"
    layout.write_csv([a, b], out)
    assert [x.street_level_m2 for x in layout.read_csv(out, "back.csv")] == [650.0, None]
    gj = tmp_path / "layout.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 0]},
         "properties": {"id": "A", "units": 300, "floor_area_m2": 24000, "cluster": "K", "delivery_month": 0,
                        "street_level_m2": 420}}]}), encoding="utf-8")
    [g] = layout.read_geojson(gj, "layout.geojson")
    assert g.street_level_m2 == 420.0
    bad = tmp_path / "bad.csv"
    bad.write_text("id,units,floor_area_m2,cluster,x,y,delivery_month,street_level_m2\nA,300,24000,K,0,0,0,-5\n",
                   encoding="utf-8")
    with pytest.raises(Exception, match="street_level_m2"):
        layout.read_csv(bad, "bad.csv")


# -- the split prefers planned space as office sites -------------------------------------------------------

def test_the_split_puts_the_office_in_planned_space(small):
    s, r = small
    medoid = plan_split(s, r).communities[0].office_building
    other = next(b.id for b in s.buildings if b.id != medoid)
    planned = with_office_space(s, {other: 600.0})
    assert plan_split(planned, r).communities[0].office_building == other
    off = planned.model_copy(update={"optimizer": planned.optimizer.model_copy(update={"office_site_weight": 0.0})})
    assert plan_split(off, r).communities[0].office_building == medoid


# -- audit --------------------------------------------------------------------------------------------------

def built(**per_community):
    """The built 20k estate with fields of its existing communities changed (None removes a field)."""
    s, _ = load("chongqing-20k-built.toml")
    data = to_data(s)
    for c in data["existing"]["communities"]:
        for k, v in per_community.get(c["id"], {}).items():
            if v is None:
                c.pop(k, None)
            else:
                c[k] = v
    s = validate(data, "built.toml", ROOT / "scenarios")
    return s, rules_of(s)


def test_a_missing_largest_site_is_not_checked_never_the_office_area():
    s, r = built(C2={"largest_site_m2": None})                    # C2's office area is 600 m² ≥ 500
    k = row(audit(s, r), "CQ-73.office_largest_site", "C2")
    assert (k.status, k.passed, k.shortfall) == ("not checked", None, None)
    assert k.provided == "largest_site_m2 not given"
    s, r = built(C2={"largest_site_m2": 450.0})
    assert row(audit(s, r), "CQ-73.office_largest_site", "C2").shortfall == 50.0


def test_missing_groups_representatives_and_committee_are_not_checked():
    s, r = built(C1={"committee_members": None, "resident_groups": None, "representatives": None})
    checks = audit(s, r)
    for rule in ("CQ-73.committee_members", "CQ-73.resident_group_households", "CQ-73.group_representatives"):
        assert row(checks, rule, "C1").status == "not checked"
    assert not rows(checks, "GZ-3.grid_households", "C1")          # not a figure the audit takes


def test_resident_groups_and_representatives_are_checked():
    s, r = built(C1={"resident_groups": 11, "representatives": 25},   # 2,940 households in 7 towers
                 C2={"resident_groups": 2, "representatives": 10})
    checks = audit(s, r)
    assert row(checks, "CQ-73.resident_group_households", "C1").passed is True
    assert row(checks, "CQ-73.group_representatives", "C1").passed is True
    k = row(checks, "CQ-73.resident_group_households", "C2")
    hh = sum(b.units for b in s.buildings if b.id in s.existing.communities[1].buildings)
    low = -(-hh // 450)                                           # about 300 households, at most 450 a group
    assert k.passed is False and k.shortfall == low - 2
    k = row(checks, "CQ-73.group_representatives", "C2")          # 2–3 for each of its 2 groups
    assert k.passed is False and k.required.startswith("4–6") and k.shortfall == 4


def test_a_community_above_the_band_is_told_the_enlargement_clause_and_the_override_that_works():
    s, r = load("chongqing-20k-built.toml")
    k = row(audit(s, r), "CQ-73.community_households", "C4")      # cluster D whole: 6,220 households
    assert k.passed is False and "CQ-73 §一(一)" in k.note and "C4 is the whole of cluster D" in k.note
    toml = k.note[k.note.index("[[overrides]]"):]
    assert toml.splitlines()[:3] == ["[[overrides]]", 'rule = "CQ-73.community_households"', "value = { max = 6220 }"]
    s2, r2 = rebuilt(s, overrides=tomllib.loads(toml)["overrides"])
    assert row(audit(s2, r2), "CQ-73.community_households", "C4").passed is True
    assert row(audit(s, r), "CQ-73.community_households", "C1").note == ""


def test_without_an_enlargement_clause_the_note_says_only_an_override_admits_it():
    s, _ = load("chongqing-20k-built.toml")
    s, r = rebuilt(s, regime="shandong")
    k = row(audit(s, r), "SD-22.community_households", "C4")
    assert k.passed is False and "has no clause allowing a larger community" in k.note
    assert "[[overrides]]" in k.note and 'rule = "SD-22.community_households"' in k.note


def test_cli_audit_json_says_not_checked(tmp_path, capsys):
    s, _ = built(C3={"largest_site_m2": None, "committee_members": None})
    path = tmp_path / "built.toml"
    path.write_text(tomli_w.dumps(to_data(s)), encoding="utf-8")
    assert main(["audit", str(path), "--out", str(tmp_path / "a")]) == 1     # some checks fail (report written)
    doc = json.loads((tmp_path / "a" / "audit.json").read_text(encoding="utf-8"))
    assert doc["passed"] is False
    assert {"id", "citation", "entity", "required", "provided", "passed", "shortfall", "status", "note"} <= set(
        doc["rules"][0])
    c3 = {x["id"]: x for x in doc["rules"] if x["entity"] == "C3"}
    site = c3["CQ-73.office_largest_site"]
    assert (site["status"], site["passed"], site["shortfall"]) == ("not checked", None, None)
    assert c3["CQ-73.committee_members"]["status"] == "not checked"
    assert {x["status"] for x in doc["rules"]} == {"passed", "failed", "not checked"}


# -- infeasible is reported infeasible -------------------------------------------------------------------------

def test_a_split_the_solver_reports_infeasible_is_never_labelled_feasible(monkeypatch, cq):
    s, r = cq
    real = planner.split_indices

    def infeasible(*a, **k):
        g, h, res, band, rid = real(*a, **k)
        solve = replace(res.solve, status=SolveStatus.INFEASIBLE, objective=None, solver_status="Infeasible")
        return g, h, replace(res, solve=solve), band, rid

    monkeypatch.setattr(planner, "split_indices", infeasible)
    p = plan_split(s, r, time_limit=5)
    assert p.status is PlanStatus.INFEASIBLE
    assert p.explanation[0].startswith("estate: ") and "CQ-73.community_households (CQ-73 §一(一))" in p.explanation[0]


def test_a_split_breaking_contiguity_is_infeasible_with_the_rule_named(monkeypatch, cq):
    s, r = cq
    real = planner.split_indices

    def swapped(*a, **k):
        g, h, res, band, rid = real(*a, **k)
        (m0, o0), (m1, o1), *rest = res.communities
        # one building of the second community handed to the first, far from it
        far = max(m1, key=lambda i: g.dist[o0, i])
        coms = ((tuple(sorted(m0 + (far,))), o0), (tuple(i for i in m1 if i != far), o1), *rest)
        return g, h, replace(res, communities=coms), band, rid

    monkeypatch.setattr(planner, "split_indices", swapped)
    p = plan_split(s, r, time_limit=5)
    assert p.status is PlanStatus.INFEASIBLE
    assert any(line.startswith("C1: breaks plan.contiguity") for line in p.explanation)


def test_a_plan_that_meets_the_rules_is_not_infeasible(cq):
    s, r = cq
    assert plan_split(s, r, time_limit=5).status in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE)
    small, rs = load("small-2400.toml")
    assert plan_split(small, rs).status is PlanStatus.RELAXED       # below the band, least violation: relaxed


def test_shandong_example_communities_without_planned_space_fail_in_the_plan_and_its_file(tmp_path):
    s, r = load("shandong-20k.toml")
    p = plan_split(s, r, time_limit=5)
    planned = {b.id for b in s.buildings if b.office_space_m2}
    bare = [c for c in p.communities if not set(c.buildings) & planned]
    assert bare, "the example's layout plans space in some clusters only"
    checks = verify(p, s, r)
    for c in bare:
        assert c.office_shortfall_m2 == pytest.approx(c.office_area_m2.value, abs=0.05)
        k = row(checks, "SD-22.committee_space_minimum", c.id)
        assert k.passed is False and k.shortfall == 300.0
    assert main(["plan", str(ROOT / "scenarios/shandong-20k.toml"), "--out", str(tmp_path)]) == 0
    doc = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    com = {c["id"]: c for c in doc["communities"]}
    for c in bare:
        assert com[c.id]["office_planned_m2"] == 0.0 and com[c.id]["office_shortfall_m2"] == c.office_shortfall_m2


def test_the_report_and_the_tables_say_not_checked():
    from types import SimpleNamespace

    from estate.tables import compliance, compliance_view
    s, r = built(C1={"largest_site_m2": None})
    result = SimpleNamespace(audit=audit(s, r), checks=[])
    [k] = [x for x in compliance_view(result, "en") if x["Rule"] == "CQ-73.office_largest_site" and x["Entity"] == "C1"]
    assert k["Passed"] == "—" and k["Shortfall"] is None
    assert {x["status"] for x in compliance(result)} == {"passed", "failed", "not checked"}


def test_the_built_example_audits_its_groups_and_representatives():
    s, r = load("chongqing-20k-built.toml")
    checks = audit(s, r)
    k = row(checks, "CQ-73.group_representatives", "C3")          # 18 for 10 groups, at least 20
    assert (k.passed, k.shortfall) == (False, 2.0)
    assert row(checks, "CQ-73.resident_group_households", "C3").passed is True   # one group a building
    assert row(checks, "CQ-73.resident_group_households", "C5").status == "not checked"
