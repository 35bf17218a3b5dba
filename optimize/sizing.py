"""Sizing one community through ``standards.formulas``: staff, committees, groups, grids, space."""

from __future__ import annotations

import math

from optimize.plan import CommunityPlan, Figure, PropertyZones
from standards import formulas as f
from standards.ruleset import RuleSet


def _rid(rules: RuleSet, role: str) -> str:
    return rules.role(role).id if rules.has(role) else f"(no {role} rule)"


def size_community(cid: str, buildings: tuple[str, ...], households_by_building: list[int], floor_area_m2: float,
                   office_building: str, rules: RuleSet, *, office_planned_m2: float = 0.0) -> CommunityPlan:
    """Every figure a community needs at full occupancy (households = planned flats); the space the
    scenario plans in its buildings is kept beside the requirement, for the shortfall."""
    hh = int(sum(households_by_building))
    groups = f.resident_groups(households_by_building, rules)
    rep_lo, rep_hi = f.group_representatives(groups, rules)
    sup = f.supervisory_members(hh, rules)
    reqs = f.office_space_requirements(hh, floor_area_m2, rules)
    binding = max(reqs, key=lambda r: r.required) if reqs else None
    subs = tuple(rules.role("subcommittees").value.items) if rules.has("subcommittees") else ()
    n_grids = f.grids(hh, rules)
    return CommunityPlan(
        id=cid, buildings=buildings, households=hh, floor_area_m2=floor_area_m2, office_building=office_building,
        staff=Figure(f.required_staff(hh, rules), _rid(rules, "fulltime_staff")),
        committee_members=Figure(f.committee_members(hh, rules), _rid(rules, "committee_members")),
        supervisory_members=None if sup is None else Figure(sup, _rid(rules, "supervisory_members")),
        resident_groups=Figure(groups, _rid(rules, "resident_group_households")),
        grids=Figure(n_grids, _rid(rules, "grid_households")),
        group_leaders=Figure(f.group_leaders(groups, rules), _rid(rules, "group_leaders")),
        group_representatives_min=Figure(rep_lo, _rid(rules, "group_representatives")),
        group_representatives_max=Figure(rep_hi, _rid(rules, "group_representatives")),
        subcommittees=subs,
        office_area_m2=Figure(math.ceil(max(binding.required, f.largest_site_minimum(rules)) * 10 - 1e-6) / 10 if binding
                              else f.largest_site_minimum(rules), binding.rule_id if binding else "(no office_space rule)"),
        largest_site_m2=Figure(f.largest_site_minimum(rules), _rid(rules, "office_largest_site")),
        office_planned_m2=float(office_planned_m2),
        grid_staff=tuple(f.grid_staff(n_grids, rules).items()),
        grid_staff_rule=rules.role("grid_staff").id if rules.has("grid_staff") else None,
        station_staff=Figure(f.service_station_staff(hh, rules), rules.role("service_station_staff").id)
        if rules.has("service_station_staff") else None,
        social_workers=Figure(f.social_workers(hh, rules), rules.role("social_workers").id)
        if rules.has("social_workers") else None,
    )


def size_zones(floor_area_m2: float, rules: RuleSet) -> PropertyZones | None:
    """The estate's property-service zones and their rooms (GZ-3 §六(三)), or None where the regime has no
    zone rule or the estate is not above the area."""
    rooms = f.property_zone_rooms(floor_area_m2, rules)
    if rooms == 0:
        return None
    binding = max(f.property_room_requirements(floor_area_m2, rules), key=lambda r: r.required, default=None)
    return PropertyZones(
        count=rooms, floor_area_m2=float(floor_area_m2),
        limit_m2=float(rules.role("property_zone_floor_area").value.min),
        room_area_m2=Figure(f.property_room_area(floor_area_m2, rules),
                            binding.rule_id if binding else "(no property_room_area rule)"),
        rule=rules.role("property_zone_floor_area").id, rooms_rule=rules.role("property_zone_rooms").id)
