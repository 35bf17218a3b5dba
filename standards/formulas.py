"""Small pure functions that apply the rules. The simulation and the optimizer both call these;
neither re-derives the arithmetic. Each docstring names the role it applies; the rule behind the role
(and so its citation) depends on the regime. Worked examples at the boundaries of each function are
data, in ``tests/standards/worked_examples.toml``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from standards.catalog import Citation, Rule
from standards.ruleset import RuleSet
from standards.shapes import (Approximate, Bands, Minimum, Range, Ratio, RatioRange, Share,
                              Threshold)

_EPS = 1e-9


def _ceil(x: float) -> int:
    """Ceiling that ignores float noise (0.1 * 3 / 0.3 must give 1, not 2)."""
    return max(0, math.ceil(x - _EPS))


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def band(rule: Rule) -> tuple[float, float]:
    """The inclusive (low, high) band of a range or an "about N" rule."""
    v = rule.value
    if isinstance(v, Range):
        return (v.min, v.max)
    if isinstance(v, Approximate):
        return (v.about * (1 - v.tolerance), v.about * (1 + v.tolerance))
    raise TypeError(f"{rule.id} is a {rule.shape}, not a range")


def ratio_count(base: float, rule: Rule) -> int:
    """Whole units needed for ``base`` under a ratio rule: ceil(base × amount / per)."""
    v = rule.value
    if not isinstance(v, Ratio):
        raise TypeError(f"{rule.id} is a {rule.shape}, not a ratio")
    return _ceil(base * v.amount / v.per)


def required_staff(households: int, rules: RuleSet) -> int:
    """Full-time community workers for ``households`` (role ``fulltime_staff``; CQ-73 §一(三) in Chongqing)."""
    return ratio_count(households, rules.role("fulltime_staff")) if households > 0 else 0


def community_size_status(households: int, rules: RuleSet) -> str:
    """"below", "within" or "above" the community-size band (role ``community_households``)."""
    low, high = band(rules.role("community_households"))
    if households < low - _EPS:
        return "below"
    if households > high + _EPS:
        return "above"
    return "within"


def _scaled_in_range(households: int, member_rule: Rule, rules: RuleSet) -> int:
    """Members scaled linearly across the community band: the band's low end gets the minimum,
    its high end the maximum, rounded half up and clipped (the reading stated on the rule)."""
    lo_m, hi_m = band(member_rule)
    low, high = band(rules.role("community_households"))
    if high <= low:
        return int(lo_m)
    t = min(1.0, max(0.0, (households - low) / (high - low)))
    return _round_half_up(lo_m + t * (hi_m - lo_m))


def committee_members(households: int, rules: RuleSet) -> int:
    """Residents' committee members for a community (role ``committee_members``; 5–9 in every regime)."""
    return _scaled_in_range(households, rules.role("committee_members"), rules)


def supervisory_members(households: int, rules: RuleSet) -> int | None:
    """Supervisory committee members (role ``supervisory_members``), or None where the regime sets none."""
    if not rules.has("supervisory_members"):
        return None
    return _scaled_in_range(households, rules.role("supervisory_members"), rules)


def groups_in_building(households: int, rules: RuleSet) -> int:
    """Resident groups formed in one building (role ``resident_group_households``).

    A building whose households fit within the "about N" band's upper end is one group (CQ-73 allows
    one building = one group); a larger one is split into groups of about N, rounded half up.
    """
    if households <= 0:
        return 0
    rule = rules.role("resident_group_households")
    _, high = band(rule)
    if households <= high + _EPS:
        return 1
    return max(1, _round_half_up(households / rule.value.about))


def resident_groups(households_by_building: Iterable[int], rules: RuleSet) -> int:
    """Resident groups of a community: the sum over its buildings of ``groups_in_building``."""
    return sum(groups_in_building(h, rules) for h in households_by_building)


def grids(households: int, rules: RuleSet) -> int:
    """Management grids for ``households`` (role ``grid_households``; GZ-3 §四(三)):
    households / about, rounded half up, at least one when anyone lives there."""
    if households <= 0:
        return 0
    return max(1, _round_half_up(households / rules.role("grid_households").value.about))


def group_leaders(groups: int, rules: RuleSet) -> int:
    """Group leaders for ``groups`` resident groups (role ``group_leaders``)."""
    return int(band(rules.role("group_leaders"))[0]) * groups if rules.has("group_leaders") else 0


def group_representatives(groups: int, rules: RuleSet) -> tuple[int, int]:
    """(minimum, maximum) resident representatives for ``groups`` groups (role ``group_representatives``)."""
    if not rules.has("group_representatives"):
        return (0, 0)
    lo, hi = band(rules.role("group_representatives"))
    return (int(lo) * groups, int(hi) * groups)


@dataclass(frozen=True)
class Requirement:
    """One rule's requirement on a quantity, for a report or a compliance table."""

    rule_id: str
    citation: Citation
    required: float
    basis: str


def office_space_requirements(households: int, floor_area_m2: float, rules: RuleSet) -> list[Requirement]:
    """Office and service space each rule of role ``office_space`` asks of one community, in m².

    Shares apply to the community's gross floor area, ratios to its households; for a ratio range the
    lenient end binds (SD-22's 1 m² per 10–20 households: households / 20). The largest binds.
    """
    out: list[Requirement] = []
    for rule in rules.roles("office_space"):
        v = rule.value
        if isinstance(v, Share):
            out.append(Requirement(rule.id, rule.citation, floor_area_m2 * v.share,
                                   f"{v.share:.4g} × {floor_area_m2:,.0f} m² floor area"))
        elif isinstance(v, Ratio):
            out.append(Requirement(rule.id, rule.citation, households * v.amount / v.per,
                                   f"{v.amount:g} m² per {v.per:g} households × {households:,}"))
        elif isinstance(v, RatioRange):
            out.append(Requirement(rule.id, rule.citation, households * v.amount / v.per_max,
                                   f"{v.amount:g} m² per {v.per_max:g} households × {households:,}"))
        elif isinstance(v, Minimum):
            out.append(Requirement(rule.id, rule.citation, v.min, "fixed minimum"))
    return out


def required_office_space(households: int, floor_area_m2: float, rules: RuleSet) -> float:
    """The binding (largest) office-space requirement of one community, in m²."""
    reqs = office_space_requirements(households, floor_area_m2, rules)
    return max((r.required for r in reqs), default=0.0)


def largest_site_minimum(rules: RuleSet) -> float:
    """Usable area the largest office site must have (role ``office_largest_site``), 0 if none."""
    return rules.role("office_largest_site").value.min if rules.has("office_largest_site") else 0.0


def planned_residents(flats: int, persons_per_household: float) -> float:
    """A community's planned resident count: planned flats × persons per household.

    CQ-73 §一(二) counts "planned residents" (规划居住人数) but gives no formula; this is the reading
    stated on rule CQ-73.election_trigger.
    """
    return flats * persons_per_household


def election_due(*, residents: float, planned_residents: float, occupied: int, flats: int,
                 rules: RuleSet) -> bool:
    """Whether the committee election is due (role ``election_trigger``): the measure reaches the
    threshold share (≥) of its basis: moved-in residents of planned residents (Chongqing), or occupied
    flats of flats (Shandong's occupancy). Nothing is due before anyone has moved in."""
    v: Threshold = rules.role("election_trigger").value
    if v.basis == "planned_residents":
        return residents > 0 and planned_residents > 0 and residents >= v.share * planned_residents - _EPS
    return occupied > 0 and flats > 0 and occupied >= v.share * flats - _EPS


def election_measure_needed(*, planned_residents: float, flats: int, rules: RuleSet) -> float:
    """The residents (Chongqing) or occupied flats (Shandong) at which the election becomes due."""
    v: Threshold = rules.role("election_trigger").value
    return v.share * (planned_residents if v.basis == "planned_residents" else flats)


def property_zones(floor_area_m2: float, rules: RuleSet) -> int:
    """Property-service zones an estate may be split into (role ``property_zone_floor_area``; GZ-3
    §六(三)): one up to the area, then ceil(area / the area). 1 where the regime has no such rule."""
    if not rules.has("property_zone_floor_area"):
        return 1
    limit = rules.role("property_zone_floor_area").value.min
    return max(1, _ceil(floor_area_m2 / limit))


def band_value(x: float, rule: Rule) -> float:
    """The value of the band ``x`` falls in (bands apply below their ``upto``); the last band beyond."""
    v = rule.value
    if not isinstance(v, Bands):
        raise TypeError(f"{rule.id} is a {rule.shape}, not bands")
    for b in v.bands:
        if x < b.upto:
            return b.value
    return v.bands[-1].value


def property_zone_rooms(floor_area_m2: float, rules: RuleSet) -> int:
    """Property-management rooms GZ-3 §六(三) adds (roles ``property_zone_floor_area`` and
    ``property_zone_rooms``): one per zone where the estate exceeds the area and is split, else 0 (an
    estate not split has the one room every estate has, which the clause does not add)."""
    if not (rules.has("property_zone_floor_area") and rules.has("property_zone_rooms")):
        return 0
    if floor_area_m2 <= rules.role("property_zone_floor_area").value.min + _EPS:
        return 0
    return property_zones(floor_area_m2, rules)


def property_room_requirements(floor_area_m2: float, rules: RuleSet) -> list[Requirement]:
    """The area each rule of role ``property_room_area`` asks of one zone's property-management room, m²:
    a share applies to the zone's floor area (the estate's ÷ its zones), a minimum as it is. Empty where
    the estate adds no rooms (``property_zone_rooms``)."""
    rooms = property_zone_rooms(floor_area_m2, rules)
    if rooms == 0:
        return []
    zone_area = floor_area_m2 / rooms
    out: list[Requirement] = []
    for rule in rules.roles("property_room_area"):
        v = rule.value
        if isinstance(v, Share):
            out.append(Requirement(rule.id, rule.citation, zone_area * v.share,
                                   f"{v.share:.4g} × {zone_area:,.0f} m² zone floor area"))
        elif isinstance(v, Minimum):
            out.append(Requirement(rule.id, rule.citation, v.min, "fixed minimum"))
    return out


def property_room_area(floor_area_m2: float, rules: RuleSet) -> float:
    """Area of each zone's property-management room, m² to 0.1 (the largest of
    ``property_room_requirements``); 0 where the estate adds no rooms."""
    return round(max((r.required for r in property_room_requirements(floor_area_m2, rules)), default=0.0), 1)


def grid_staff(grids: int, rules: RuleSet) -> dict[str, int]:
    """Staff of each role in ``grids`` grids (role ``grid_staff``; GZ-3 §四(三)): ceil(grids × the share of
    grids with one person of the role) for each role; empty where the regime names no grid staff."""
    if not rules.has("grid_staff") or grids <= 0:
        return {}
    return {role: _ceil(grids * per) for role, per in rules.role("grid_staff").value.rates}


def service_station_staff(households: int, rules: RuleSet) -> int:
    """Full-time staff of a community's service station (role ``service_station_staff``; GZ-3 §四(四)):
    the minimum per community, or ceil(households × ratio); 0 where the regime sets none or no one lives
    there."""
    if not rules.has("service_station_staff") or households <= 0:
        return 0
    rule = rules.role("service_station_staff")
    if isinstance(rule.value, Ratio):
        return ratio_count(households, rule)
    return _ceil(rule.value.min)


def social_workers(households: int, rules: RuleSet) -> int:
    """Social-work professionals of a community (role ``social_workers``; SD-22 §一(三): at least one per
    community); 0 where the regime sets no target or no one lives there."""
    if not rules.has("social_workers") or households <= 0:
        return 0
    return _ceil(rules.role("social_workers").value.min)


def sites_at_least(sizes: Iterable[float], site_minimum: float) -> tuple[float, ...]:
    """The module sizes a facility plan may open where every site must have at least ``site_minimum``
    (e.g. facilities.eldercare_site_minimum, 350 m²)."""
    return tuple(s for s in sizes if s >= site_minimum - _EPS)
