"""From a scenario to a Plan: solve the split, size each community, explain any relaxation."""

from __future__ import annotations

from optimize.conflicts import explain_band
from optimize.plan import Plan, PlanStatus
from optimize.sizing import size_community
from optimize.solver import SolveStatus
from optimize.split import Weights, split_indices
from scenarios.schema import Scenario
from standards.ruleset import RuleSet


def plan_split(scenario: Scenario, rules: RuleSet, *, solver: str | None = None, time_limit: float | None = None,
               gap: float | None = None) -> Plan:
    """The community split of ``scenario`` with every community sized, at full occupancy."""
    o = scenario.optimizer
    w = Weights(community=o.community_weight, household_km=o.household_km_weight, cluster_split=o.cluster_split_weight)
    g, h, res, (low, high), rid = split_indices(
        scenario, rules, solver=solver or o.solver, time_limit=time_limit or o.time_limit_s,
        gap=o.gap if gap is None else gap, weights=w, cut_factor=o.adjacency_cut_factor)
    b = scenario.buildings
    coms = []
    for n, (members, office) in enumerate(res.communities, start=1):
        coms.append(size_community(f"C{n}", tuple(b[i].id for i in members), [b[i].units for i in members],
                                   float(sum(b[i].floor_area_m2 for i in members)), b[office].id, rules))
    comp = [int(h[c].sum()) for c in g.components()]
    expl = explain_band({c.id: c.households for c in coms}, rules, comp)
    if expl:
        status = PlanStatus.RELAXED
    elif res.method == "mip" and res.solve.status == SolveStatus.OPTIMAL:
        status = PlanStatus.OPTIMAL
    else:
        status = PlanStatus.FEASIBLE
    note = [f"split by {res.method} ({res.solve.solver}, solver status {res.solve.status.value})"]
    return Plan(status, tuple(expl) + tuple(note), tuple(coms), res.solve.solver, res.method, res.solve.objective,
                res.solve.gap, res.solve.seconds)
