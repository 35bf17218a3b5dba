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
    layout_plans_office: bool = False    # the layout plans office space in some building (of any community)

    @property
    def office_shortfall_m2(self) -> float | None:
        """Required minus planned space (0 when enough; the whole requirement for a community whose
        buildings plan none where the layout plans some), or None where the layout plans none at all."""
        if not self.office_planned_m2 and not self.layout_plans_office:
            return None
        return max(0.0, round(self.office_area_m2.value - self.office_planned_m2, 1))


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

    def split(self) -> Split:
        """The split the simulation reads."""
        return Split(tuple(CommunityAssignment(c.id, c.buildings, c.office_building) for c in self.communities),
                     SplitSource.OPTIMIZER)
