"""From a scenario to a Plan: solve the split, size each community, explain any relaxation."""

from __future__ import annotations

from dataclasses import replace

from optimize.conflicts import explain
from optimize.plan import CommunityPlan, Plan, PlanStatus
from optimize.sizing import size_community, size_zones
from optimize.solver import SolveResult, SolveStatus
from optimize.split import Weights, split_indices
from optimize.verify import Provided, check_communities
from scenarios.schema import Scenario
from standards.ruleset import RuleSet


def plan_split(scenario: Scenario, rules: RuleSet, *, solver: str | None = None, time_limit: float | None = None,
               gap: float | None = None) -> Plan:
    """The community split of ``scenario`` with every community sized, at full occupancy.

    ``optimal``: every rule met and the split proven within the gap; ``feasible``: every rule met, not
    proven (time limit, or the heuristic's split kept); ``relaxed``: no split meets the size band, the
    one returned has the fewest households outside it and the explanation names each breach, its rule
    and the smallest relaxation that works; ``infeasible``: the solver reports a part infeasible or
    unsolved, or the split breaks a rule the planner never relaxes (each building in one community,
    contiguity, the office in its community), each named with its rule in the explanation. A failed solve is never labelled feasible."""
    o = scenario.optimizer
    w = Weights(community=o.community_weight, household_km=o.household_km_weight, cluster_split=o.cluster_split_weight,
                office_site=o.office_site_weight)
    want = o.gap if gap is None else gap
    g, h, res, (low, high), rid = split_indices(
        scenario, rules, solver=solver or o.solver, time_limit=time_limit or o.time_limit_s,
        gap=want, weights=w, cut_factor=o.adjacency_cut_factor)
    b = scenario.buildings
    anywhere = any(x.office_space_m2 for x in b)
    coms = []
    for n, (members, office) in enumerate(res.communities, start=1):
        c = size_community(f"C{n}", tuple(b[i].id for i in members), [b[i].units for i in members],
                           float(sum(b[i].floor_area_m2 for i in members)), b[office].id, rules,
                           office_planned_m2=sum(b[i].office_space_m2 for i in members))
        coms.append(replace(c, layout_plans_office=anywhere))
    members = [(c.id, m) for c, (m, _) in zip(coms, res.communities)]
    expl = explain(members, g, h, [x.cluster for x in b], rules, o.adjacency_cut_factor)
    expl_zh = explain(members, g, h, [x.cluster for x in b], rules, o.adjacency_cut_factor, lang="zh")
    s = res.solve
    broken, broken_zh = unmet(coms, s, scenario, rules)
    if broken:
        status, expl, expl_zh = PlanStatus.INFEASIBLE, broken + expl, broken_zh + expl_zh
    elif expl:
        status = PlanStatus.RELAXED
    elif s.status is SolveStatus.OPTIMAL and s.gap is not None and s.gap <= want + 1e-9:
        status = PlanStatus.OPTIMAL
    elif s.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        status = PlanStatus.FEASIBLE      # an "optimal" whose proven gap is above the gap asked is feasible
    else:  # unmet() has reported every other solver status
        raise AssertionError(f"unexpected solver status {s.status}")
    gap_txt = (f"proven gap {s.gap:.2%} (asked {want:.2%})" if s.gap is not None
               else f"gap unknown (asked {want:.2%})")
    obj_txt = f"objective {s.objective:,.3f}, bound {s.bound:,.3f}, {gap_txt}" if s.objective is not None and \
        s.bound is not None else (f"objective {s.objective:,.3f}, {gap_txt}" if s.objective is not None else gap_txt)
    note = (f"split by {res.method} ({s.solver}: {s.status.value}"
            + (f", '{s.solver_status}'" if s.solver_status else "") + f"; {obj_txt}; {res.seconds:.1f} s)")
    return Plan(status, tuple(expl) + (note,), tuple(coms), s.solver, res.method, s.objective, s.gap, res.seconds,
                property_zones=size_zones(scenario.total_floor_area_m2, rules), explanation_zh=tuple(expl_zh))


# Rules of the split itself that no relaxation bends: a split breaking one is infeasible, not relaxed.
_HARD = ("plan.partition", "plan.contiguity", "plan.office")
_HARD_ZH = {"plan.partition": "每栋楼恰属一个社区", "plan.contiguity": "社区楼栋相邻连片",
            "plan.office": "办公用房设在本社区楼栋内"}


def unmet(coms: list[CommunityPlan], solve: SolveResult, scenario: Scenario,
          rules: RuleSet) -> tuple[list[str], list[str]]:
    """Explanation lines for what makes the split infeasible (empty when nothing does), in English and in
    Chinese (the rules in words and by citation): a solve the solver reports infeasible or unsolved, named
    with the rules of the model it failed (the size band of role ``community_households`` and contiguity),
    and each rule of ``_HARD`` the split breaks, checked by the independent verifier rather than taken
    from the solver."""
    en: list[str] = []
    zh: list[str] = []
    if solve.status in (SolveStatus.INFEASIBLE, SolveStatus.NOT_SOLVED):
        band = rules.role("community_households") if rules.has("community_households") else None
        rule = f"{band.id} ({band.citation})" if band else "the community split"
        words = f" ('{solve.solver_status}')" if solve.solver_status else ""
        proved = solve.status is SolveStatus.INFEASIBLE
        what = "proved no split" if proved else "found no split in its time"
        en.append(f"estate: {solve.solver} {what}{words} with communities within the band of {rule}, contiguous "
                  "(plan.contiguity) and each building in one community (plan.partition): infeasible, the split "
                  "below is not a plan that meets them")
        size = f"社区规模区间（{band.citation}）" if band else "社区规模区间"
        zh.append(f"全小区：求解器{'证明不存在' if proved else '在时限内未找到'}同时满足{size}、社区楼栋相邻连片、"
                  "每栋楼恰属一个社区的划分：不可行，下列划分并不满足这些规则")
    provided = [Provided(c.id, c.buildings, c.office_building, None, None, None, None, None) for c in coms]
    for k in check_communities(provided, scenario, rules):
        if k.rule in _HARD and k.passed is False:
            en.append(f"{k.entity}: breaks {k.rule} ({k.citation}): {k.required} required, {k.provided}: infeasible")
            zh.append(f"{k.entity}：不满足“{_HARD_ZH[k.rule]}”：不可行")
    return en, zh
