"""From a scenario to a Plan: solve the split, size each community, explain any relaxation."""

from __future__ import annotations

from optimize.conflicts import explain
from optimize.plan import Plan, PlanStatus
from optimize.sizing import size_community, size_zones
from optimize.solver import SolveStatus
from optimize.split import Weights, split_indices
from scenarios.schema import Scenario
from standards.ruleset import RuleSet


def plan_split(scenario: Scenario, rules: RuleSet, *, solver: str | None = None, time_limit: float | None = None,
               gap: float | None = None) -> Plan:
    """The community split of ``scenario`` with every community sized, at full occupancy.

    ``optimal``: every rule met and the split proven within the gap; ``feasible``: every rule met, not
    proven (time limit, or the heuristic's split kept); ``relaxed``: no split meets the size band, the
    one returned has the fewest households outside it and the explanation names each breach, its rule
    and the smallest relaxation that works."""
    o = scenario.optimizer
    w = Weights(community=o.community_weight, household_km=o.household_km_weight, cluster_split=o.cluster_split_weight)
    g, h, res, (low, high), rid = split_indices(
        scenario, rules, solver=solver or o.solver, time_limit=time_limit or o.time_limit_s,
        gap=o.gap if gap is None else gap, weights=w, cut_factor=o.adjacency_cut_factor)
    b = scenario.buildings
    coms = []
    for n, (members, office) in enumerate(res.communities, start=1):
        coms.append(size_community(f"C{n}", tuple(b[i].id for i in members), [b[i].units for i in members],
                                   float(sum(b[i].floor_area_m2 for i in members)), b[office].id, rules,
                                   office_planned_m2=sum(b[i].office_space_m2 for i in members)))
    expl = explain([(c.id, members) for c, (members, _) in zip(coms, res.communities)], g, h,
                   [x.cluster for x in b], rules, o.adjacency_cut_factor)
    s = res.solve
    if expl:
        status = PlanStatus.RELAXED
    elif s.status is SolveStatus.OPTIMAL:
        status = PlanStatus.OPTIMAL
    else:
        status = PlanStatus.FEASIBLE
    gap_txt = f"gap {s.gap:.2%}" if s.gap is not None else "gap unknown"
    obj_txt = f"objective {s.objective:,.3f}, bound {s.bound:,.3f}, {gap_txt}" if s.objective is not None and \
        s.bound is not None else (f"objective {s.objective:,.3f}, {gap_txt}" if s.objective is not None else gap_txt)
    note = (f"split by {res.method} ({s.solver}: {s.status.value}"
            + (f", '{s.solver_status}'" if s.solver_status else "") + f"; {obj_txt}; {res.seconds:.1f} s)")
    return Plan(status, tuple(expl) + (note,), tuple(coms), s.solver, res.method, s.objective, s.gap, res.seconds,
                property_zones=size_zones(scenario.total_floor_area_m2, rules))
