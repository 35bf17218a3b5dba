"""The Plan: the community split, with each community's groups, grids and sizing, each figure tagged
with the rule it came from, and how the split was solved."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from scenarios.split import CommunityAssignment, Split, SplitSource


class PlanStatus(str, Enum):
    OPTIMAL = "optimal"        # every rule met, split proven within the gap
    FEASIBLE = "feasible"      # every rule met, optimality not proven (time limit, or heuristic)
    RELAXED = "relaxed"        # some rule cannot be met; the smallest relaxation found, named in `explanation`
    INFEASIBLE = "infeasible"  # no split meets the rules the planner never relaxes (or the solver found none), named in `explanation`


@dataclass(frozen=True)
class Figure:
    """One sized quantity and the rule id it came from."""

    value: float
    rule: str


@dataclass(frozen=True)
class CommunityPlan:
    id: str
    buildings: tuple[str, ...]
    households: int
    floor_area_m2: float
    office_building: str
    staff: Figure
    committee_members: Figure
    supervisory_members: Figure | None
    resident_groups: Figure
    grids: Figure
    group_leaders: Figure
    group_representatives_min: Figure
    group_representatives_max: Figure
    subcommittees: tuple[str, ...]
    office_area_m2: Figure
    largest_site_m2: Figure
    office_planned_m2: float = 0.0       # the scenario's planned space in the community's buildings
    # regime-specific staff (0 / empty where the regime sets none): GZ-3 §四(三) grid staff by role,
    # GZ-3 §四(四) service-station staff, SD-22 §一(三) social workers
    grid_staff: tuple[tuple[str, int], ...] = ()
    grid_staff_rule: str | None = None
    station_staff: Figure | None = None
    social_workers: Figure | None = None
    layout_plans_office: bool = False    # the layout plans office space in some building (of any community)

    @property
    def office_shortfall_m2(self) -> float | None:
        """Required minus planned space (0 when enough; the whole requirement for a community whose
        buildings plan none where the layout plans some), or None where the layout plans none at all."""
        if not self.office_planned_m2 and not self.layout_plans_office:
            return None
        return max(0.0, round(self.office_area_m2.value - self.office_planned_m2, 1))


@dataclass(frozen=True)
class PropertyZones:
    """GZ-3 §六(三): an estate above the area is split into property-service zones, each with its own
    management room of ``room_area_m2`` (role ``property_room_area``)."""

    count: int                   # zones (ceil(floor area / the area)); rooms = count
    floor_area_m2: float         # the estate's gross floor area
    limit_m2: float              # the area above which the estate is split
    room_area_m2: Figure         # area of each zone's room, with the rule that sets it
    rule: str                    # the zone rule (role property_zone_floor_area)
    rooms_rule: str              # the room rule (role property_zone_rooms)

    @property
    def rooms_m2(self) -> float:
        return round(self.count * self.room_area_m2.value, 1)


@dataclass(frozen=True)
class Plan:
    status: PlanStatus
    explanation: tuple[str, ...]
    communities: tuple[CommunityPlan, ...]
    solver: str
    method: str
    objective: float | None
    gap: float | None
    solve_seconds: float
    property_zones: PropertyZones | None = None   # None where the regime has no zones or the estate is not split
    explanation_zh: tuple[str, ...] = ()          # the explanation's reasons in Chinese (not the solver's line)

    def split(self) -> Split:
        """The split the simulation reads."""
        return Split(tuple(CommunityAssignment(c.id, c.buildings, c.office_building) for c in self.communities),
                     SplitSource.OPTIMIZER)
