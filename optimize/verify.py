"""The independent verifier: checks a finished plan (or a built estate) rule by rule.

Written apart from the models: it reads only the plan's figures, the scenario's buildings and the
rules, and recomputes each requirement from ``standards.formulas``; it never looks at the MIP.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
from scipy.spatial import Delaunay, QhullError

from scenarios.schema import Scenario
from standards import formulas as f
from standards.ruleset import RuleSet


@dataclass(frozen=True)
class Check:
    """One rule on one entity: what it requires, what the plan provides, whether it passes."""

    rule: str
    citation: str
    entity: str
    required: str
    provided: str
    passed: bool
    shortfall: float


@dataclass(frozen=True)
class Provided:
    """What a community has: from a plan, or from a built estate's scenario (audit)."""

    id: str
    buildings: tuple[str, ...]
    office_building: str | None
    staff: int | None
    committee_members: int | None
    supervisory_members: int | None
    office_area_m2: float | None
    largest_site_m2: float | None
    resident_groups: int | None = None
    grids: int | None = None


def _cite(rules: RuleSet, role: str) -> tuple[str, str]:
    r = rules.role(role)
    return r.id, str(r.citation)


def _connected(members: list[int], scenario: Scenario, cut_factor: float) -> bool:
    """Whether the members form one piece of the Delaunay graph with long edges cut (own BFS)."""
    pts = np.array([[b.x, b.y] for b in scenario.buildings])
    n = len(pts)
    if len(members) <= 1 or n < 2:
        return True
    d = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
    nn = np.median(np.where(np.eye(n, dtype=bool), np.inf, d).min(axis=1))
    adj: dict[int, set[int]] = {i: set() for i in range(n)}
    try:
        simplices = Delaunay(pts).simplices.tolist() if n >= 3 else [[0, 1, 1]]
    except QhullError:
        o = np.lexsort((pts[:, 1], pts[:, 0])).tolist()
        simplices = [[a, b, b] for a, b in zip(o, o[1:])]
    for s in simplices:
        for a in range(3):
            i, k = s[a], s[(a + 1) % 3]
            if i != k and d[i, k] <= cut_factor * nn:
                adj[i].add(k)
                adj[k].add(i)
    m = set(members)
    seen, q = {members[0]}, deque([members[0]])
    while q:
        for k in adj[q.popleft()] & m - seen:
            seen.add(k)
            q.append(k)
    return seen == m


def check_communities(coms: list[Provided], scenario: Scenario, rules: RuleSet, *, contiguity: bool = True) -> list[Check]:
    out: list[Check] = []
    idx = {b.id: i for i, b in enumerate(scenario.buildings)}
    seen: dict[str, int] = {}
    for c in coms:
        for b in c.buildings:
            seen[b] = seen.get(b, 0) + 1
    missing = [b for b in idx if seen.get(b, 0) != 1] + [b for b in seen if b not in idx]
    out.append(Check("plan.partition", "each building in exactly one community", "estate",
                     f"{len(idx)} buildings once each", f"{len(idx) - len(missing)} once", not missing, float(len(missing))))
    for c in coms:
        ok_b = [b for b in c.buildings if b in idx]
        hh = sum(scenario.buildings[idx[b]].units for b in ok_b)
        area = sum(scenario.buildings[idx[b]].floor_area_m2 for b in ok_b)
        if rules.has("community_households"):
            rid, cit = _cite(rules, "community_households")
            lo, hi = f.band(rules.role("community_households"))
            short = max(0.0, lo - hh, hh - hi)
            out.append(Check(rid, cit, c.id, f"{lo:,.0f}–{hi:,.0f} households", f"{hh:,}", short == 0, short))
        if contiguity:
            ok = _connected([idx[b] for b in ok_b], scenario, scenario.optimizer.adjacency_cut_factor)
            out.append(Check("plan.contiguity", "communities are contiguous (adjacent buildings)", c.id,
                             "one connected piece", "connected" if ok else "disconnected", ok, 0.0 if ok else 1.0))
        site_rule = ("office_siting", ) if rules.has("office_siting") else ()
        rid, cit = (_cite(rules, "office_siting") if site_rule else ("plan.office", "office in the community"))
        ok = c.office_building is not None and c.office_building in c.buildings
        out.append(Check(rid, cit, c.id, "office in one of the community's buildings", str(c.office_building), ok,
                         0.0 if ok else 1.0))
        if c.staff is not None and rules.has("fulltime_staff"):
            need = f.required_staff(hh, rules)
            rid, cit = _cite(rules, "fulltime_staff")
            out.append(Check(rid, cit, c.id, f"≥ {need}", str(c.staff), c.staff >= need, float(max(0, need - c.staff))))
        for role, have in (("committee_members", c.committee_members), ("supervisory_members", c.supervisory_members)):
            if have is None or not rules.has(role):
                continue
            lo, hi = f.band(rules.role(role))
            rid, cit = _cite(rules, role)
            out.append(Check(rid, cit, c.id, f"{lo:g}–{hi:g}", str(have), lo <= have <= hi,
                             float(max(0, lo - have, have - hi))))
        if c.resident_groups is not None and rules.has("resident_group_households"):
            need = f.resident_groups([scenario.buildings[idx[b]].units for b in ok_b], rules)
            rid, cit = _cite(rules, "resident_group_households")
            out.append(Check(rid, cit, c.id, f"{need}", str(c.resident_groups), c.resident_groups == need,
                             float(abs(need - c.resident_groups))))
        if c.grids is not None and rules.has("grid_households"):
            need = f.grids(hh, rules)
            rid, cit = _cite(rules, "grid_households")
            out.append(Check(rid, cit, c.id, f"{need}", str(c.grids), c.grids == need, float(abs(need - c.grids))))
        if c.office_area_m2 is not None:
            for r in f.office_space_requirements(hh, area, rules):
                out.append(Check(r.rule_id, str(r.citation), c.id, f"≥ {r.required:,.1f} m² ({r.basis})",
                                 f"{c.office_area_m2:,.1f} m²", c.office_area_m2 >= r.required - 1e-6,
                                 round(max(0.0, r.required - c.office_area_m2), 1)))
        if rules.has("office_largest_site"):
            need = f.largest_site_minimum(rules)
            have = c.largest_site_m2 if c.largest_site_m2 is not None else c.office_area_m2
            if have is not None:
                rid, cit = _cite(rules, "office_largest_site")
                out.append(Check(rid, cit, c.id, f"≥ {need:,.0f} m²", f"{have:,.1f} m²", have >= need - 1e-6,
                                 max(0.0, need - have)))
    return out


def verify(plan, scenario: Scenario, rules: RuleSet) -> list[Check]:
    """Every rule checked on a finished plan, pass/fail per rule and community, with its citation.

    Office space: where the scenario plans space in a community's buildings (``office_space_m2``), that
    space is what is provided (its largest single site the largest building's); otherwise the plan's
    own sizing."""
    planned = {b.id: b.office_space_m2 for b in scenario.buildings}

    def space(c) -> tuple[float, float]:
        sites = [planned[b] for b in c.buildings if planned.get(b)]
        if sites:
            return float(sum(sites)), float(max(sites))
        return float(c.office_area_m2.value), float(c.largest_site_m2.value) or float(c.office_area_m2.value)

    return check_communities([
        Provided(c.id, c.buildings, c.office_building, int(c.staff.value), int(c.committee_members.value),
                 None if c.supervisory_members is None else int(c.supervisory_members.value),
                 *space(c), int(c.resident_groups.value), int(c.grids.value))
        for c in plan.communities], scenario, rules)
