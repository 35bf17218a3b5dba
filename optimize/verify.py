"""The independent verifier: checks a finished plan (or a built estate) rule by rule.

Written apart from the models: it reads only the plan's figures, the scenario's buildings and the
rules, and recomputes each requirement from ``standards.formulas``; it never looks at the MIP.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np
from scipy.spatial import Delaunay, QhullError

from optimize.conflicts import enlargeable
from scenarios.schema import Building, Scenario
from standards import formulas as f
from standards.errors import InputError
from standards.ruleset import RuleSet


@dataclass(frozen=True)
class Check:
    """One rule on one entity: what it requires, what is provided, whether it passes.

    ``passed`` is None when the rule could not be checked because the figure it needs is missing
    (``provided`` says which); such a row is ``not checked``, neither a pass nor a failure, and its
    ``shortfall`` is None. ``note`` says what could allow a failing figure (e.g. a clause a scenario
    may invoke by an override), where there is such a thing."""

    rule: str
    citation: str
    entity: str
    required: str
    provided: str
    passed: bool | None
    shortfall: float | None
    note: str = ""

    @property
    def status(self) -> str:
        """``passed``, ``failed`` or ``not checked``."""
        return "not checked" if self.passed is None else ("passed" if self.passed else "failed")


@dataclass(frozen=True)
class Provided:
    """What a community has: from a plan, or from a built estate's scenario (audit). None: not given.

    ``proposed_office_m2`` (total, largest site) is a plan's own sizing, given where the layout plans no
    office space anywhere: then no space is provided to check, and the rows are ``not checked`` unless
    the plan proposes less than a rule asks (a wrong plan still fails)."""

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
    representatives: int | None = None
    proposed_office_m2: tuple[float, float] | None = None


def _cite(rules: RuleSet, role: str) -> tuple[str, str]:
    r = rules.role(role)
    return r.id, str(r.citation)


def _adjacency(scenario: Scenario, cut_factor: float) -> dict[int, set[int]]:
    """Building neighbours: the Delaunay graph with long edges cut (built here, apart from the model's)."""
    pts = np.array([[b.x, b.y] for b in scenario.buildings])
    n = len(pts)
    adj: dict[int, set[int]] = {i: set() for i in range(n)}
    if n < 2:
        return adj
    d = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
    nn = np.median(np.where(np.eye(n, dtype=bool), np.inf, d).min(axis=1))
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
    return adj


def _connected(members: list[int], adj: dict[int, set[int]]) -> bool:
    """Whether the members form one piece of the adjacency graph (own BFS)."""
    if len(members) <= 1:
        return True
    m = set(members)
    seen, q = {members[0]}, deque([members[0]])
    while q:
        for k in adj[q.popleft()] & m - seen:
            seen.add(k)
            q.append(k)
    return seen == m


def _not_checked(rule: str, citation: str, entity: str, required: str, why: str) -> Check:
    return Check(rule, citation, entity, required, why, None, None)


def _at_least(rule: str, citation: str, entity: str, required: float, have: float | None, what: str,
              basis: str = "", proposed: float | None = None, unit: str = " m²") -> Check:
    """``have`` ≥ ``required``; a missing ``have`` is not checked, unless a plan's own ``proposed``
    figure is already below the requirement (then the plan is wrong and fails)."""
    need = f"≥ {required:,.1f}{unit}" + (f" ({basis})" if basis else "")
    if have is None:
        if proposed is not None and proposed < required - 1e-6:
            return Check(rule, citation, entity, need, f"the plan proposes {proposed:,.1f}{unit}; {what}", False,
                         round(required - proposed, 1))
        return _not_checked(rule, citation, entity, need, what + (f"; the plan proposes {proposed:,.1f}{unit}"
                                                                  if proposed is not None else ""))
    return Check(rule, citation, entity, need, f"{have:,.1f}{unit}", have >= required - 1e-6,
                 round(max(0.0, required - have), 1))


def _in_band(rule: str, citation: str, entity: str, lo: float, hi: float, have: int | None, what: str,
             required: str | None = None) -> Check:
    need = required or f"{lo:g}–{hi:g}"
    if have is None:
        return _not_checked(rule, citation, entity, need, f"{what} not given")
    return Check(rule, citation, entity, need, str(have), lo <= have <= hi, float(max(0, lo - have, have - hi)))


def _enlargement_note(cid: str, households: int, members: list[Building], scenario: Scenario, rules: RuleSet) -> str:
    """For a community above the size band: which clause could allow it and the override that declares it."""
    rule = rules.role("community_households")
    clusters = sorted({b.cluster for b in members})
    whole = len(clusters) == 1 and sum(1 for b in scenario.buildings if b.cluster == clusters[0]) == len(members)
    lines = ["[[overrides]]", f'rule = "{rule.id}"', f"value = {{ max = {households} }}"]
    if enlargeable(rule):
        quote = f" ({rule.quote})" if rule.quote else ""
        if whole:
            fits = f"{cid} is the whole of cluster {clusters[0]}, so the clause can allow it"
        else:
            fits = (f"the clause covers a community that follows a cluster; {cid}'s buildings are "
                    + (f"part of cluster {clusters[0]}" if len(clusters) == 1 else f"in clusters {', '.join(clusters)}")
                    + ", so it applies only if the community follows its cluster(s) on the ground")
        reason = (f"{cid} follows cluster {clusters[0] if whole else '/'.join(clusters)} (组团): {rule.citation} lets a "
                  "community be enlarged to follow its cluster")
        lines.append(f'reason = "{reason}"')
        return (f"{rule.citation} lets a community be enlarged to follow its building cluster (组团){quote}: {fits}. "
                "To declare it, add to the scenario:\n" + "\n".join(lines))
    lines.append(f'reason = "<why {cid} may hold {households:,} households>"')
    return (f"{rule.id} ({rule.citation}) has no clause allowing a larger community; only an override of its maximum, "
            "with a reason, admits it:\n" + "\n".join(lines))


def _centre(members: list[Building], office: Building, rules: RuleSet, cid: str) -> Check:
    """Role ``office_centre``: the buildings nearer the community's household-weighted centre than its
    office (by more than ``equal_distance`` of the community's radius) house less than
    ``households_nearer`` of its households. The shortfall is in metres, beyond the farthest building
    that would qualify."""
    r = rules.role("office_centre")
    rates = r.value.as_dict()
    if "households_nearer" not in rates:
        raise InputError(f"{r.id}: needs rates.households_nearer (the share of households nearer the centre than "
                         "the office)")
    share, tie = rates["households_nearer"], rates.get("equal_distance", 0.0)
    w = np.array([b.units for b in members], dtype=float)
    xy = np.array([[b.x, b.y] for b in members], dtype=float)
    cx, cy = (w @ xy) / w.sum()
    d = np.hypot(xy[:, 0] - cx, xy[:, 1] - cy)
    eps = tie * float(d.max()) + 1e-6
    nearer = np.array([w[d < x - eps].sum() for x in d])
    limit = float(d[nearer < share * w.sum() - 1e-9].max())
    mine = float(np.hypot(office.x - cx, office.y - cy))
    held = float(w[d < mine - eps].sum() / w.sum())
    return Check(r.id, str(r.citation), cid,
                 f"among the buildings nearest its household-weighted centre that house the first {share:.0%} of its "
                 f"households (≤ {limit:,.0f} m from it)",
                 f"{office.id}: {mine:,.0f} m, {held:.0%} of households nearer", held < share - 1e-9,
                 round(max(0.0, mine - limit), 1))


def _street(office: Building, scenario: Scenario, rules: RuleSet, cid: str) -> Check:
    """Role ``office_siting``: where the layout marks street-level space (``street_level_m2``), the office
    building's street-level floors (1–2) hold the office: its planned space there, else the largest-site
    minimum (else any space at all)."""
    rid, cit = _cite(rules, "office_siting")
    need = office.office_space_m2 or f.largest_site_minimum(rules)
    what = ("the office's planned space" if office.office_space_m2 else
            "the largest-site minimum" if need else "some space")
    need_txt = f"street-level floors 1–2 of {office.id} hold the office: ≥ {need:,.1f} m² ({what})" if need else \
        f"street-level floors 1–2 of {office.id} hold the office: some street-level space"
    if not any(b.street_level_m2 is not None for b in scenario.buildings):
        return _not_checked(rid, cit, cid, need_txt, "the layout marks no street-level space (street_level_m2)")
    have = office.street_level_m2 or 0.0
    ok = have >= need - 1e-6 and have > 0
    return Check(rid, cit, cid, need_txt, f"{have:,.1f} m² street-level", ok,
                 round(max(0.0, need - have), 1) if need else (0.0 if ok else 1.0))


def _groups_band(households: int, members: list[Building], rules: RuleSet) -> tuple[int, int, str]:
    """A built community's resident groups: about N households each (the band of role
    ``resident_group_households``), or one a building (CQ-73 §一(一)), or the planned count."""
    lo_h, hi_h = f.band(rules.role("resident_group_households"))
    planned = f.resident_groups([b.units for b in members], rules)
    lo = min(math.ceil(households / hi_h - 1e-9), len(members), planned)
    hi = max(math.floor(households / lo_h + 1e-9) if lo_h > 0 else planned, len(members), planned)
    return lo, hi, f"{lo}–{hi} ({lo_h:,.0f}–{hi_h:,.0f} households a group, or one a building)"


def check_communities(coms: list[Provided], scenario: Scenario, rules: RuleSet, *, contiguity: bool = True,
                      built: bool = False) -> list[Check]:
    """Every rule on every community. ``built``: a built estate's figures (audit): resident groups are
    checked against the band of the rule rather than the plan's exact count, and grids (not a figure
    the audit takes) are left out. A figure given as None is reported ``not checked``."""
    out: list[Check] = []
    idx = {b.id: i for i, b in enumerate(scenario.buildings)}
    seen: dict[str, int] = {}
    for c in coms:
        for b in c.buildings:
            seen[b] = seen.get(b, 0) + 1
    missing = [b for b in idx if seen.get(b, 0) != 1] + [b for b in seen if b not in idx]
    adj: dict[int, set[int]] | None = None
    out.append(Check("plan.partition", "each building in exactly one community", "estate",
                     f"{len(idx)} buildings once each", f"{len(idx) - len(missing)} once", not missing, float(len(missing))))
    for c in coms:
        ok_b = [b for b in c.buildings if b in idx]
        members = [scenario.buildings[idx[b]] for b in ok_b]
        hh = sum(b.units for b in members)
        area = sum(b.floor_area_m2 for b in members)
        if rules.has("community_households"):
            rid, cit = _cite(rules, "community_households")
            lo, hi = f.band(rules.role("community_households"))
            short = max(0.0, lo - hh, hh - hi)
            note = _enlargement_note(c.id, hh, members, scenario, rules) if hh > hi + 1e-9 else ""
            out.append(Check(rid, cit, c.id, f"{lo:,.0f}–{hi:,.0f} households", f"{hh:,}", short == 0, short, note))
        if contiguity:
            adj = adj if adj is not None else _adjacency(scenario, scenario.optimizer.adjacency_cut_factor)
            ok = _connected([idx[b] for b in ok_b], adj)
            out.append(Check("plan.contiguity", "communities are contiguous (adjacent buildings)", c.id,
                             "one connected piece", "connected" if ok else "disconnected", ok, 0.0 if ok else 1.0))
        out += _office_site(c, members, scenario, rules)
        if rules.has("fulltime_staff"):
            need = f.required_staff(hh, rules)
            rid, cit = _cite(rules, "fulltime_staff")
            out.append(_in_band(rid, cit, c.id, need, math.inf, c.staff, "staff", f"≥ {need}"))
        for role, have in (("committee_members", c.committee_members), ("supervisory_members", c.supervisory_members)):
            if rules.has(role):
                lo, hi = f.band(rules.role(role))
                out.append(_in_band(*_cite(rules, role), c.id, lo, hi, have, role))
        if rules.has("resident_group_households"):
            rid, cit = _cite(rules, "resident_group_households")
            if built:
                lo, hi, txt = _groups_band(hh, members, rules)
                out.append(_in_band(rid, cit, c.id, lo, hi, c.resident_groups, "resident_groups", txt))
            else:
                need = f.resident_groups([b.units for b in members], rules)
                out.append(_in_band(rid, cit, c.id, need, need, c.resident_groups, "resident_groups", f"{need}"))
        if rules.has("group_representatives"):
            rid, cit = _cite(rules, "group_representatives")
            lo_r, hi_r = f.band(rules.role("group_representatives"))
            groups = c.resident_groups if c.resident_groups is not None else \
                f.resident_groups([b.units for b in members], rules)
            basis = "its" if c.resident_groups is not None else "the planned"
            out.append(_in_band(rid, cit, c.id, lo_r * groups, hi_r * groups, c.representatives, "representatives",
                                f"{lo_r * groups:g}–{hi_r * groups:g} ({lo_r:g}–{hi_r:g} for each of {basis} {groups} groups)"))
        if not built and rules.has("grid_households"):
            need = f.grids(hh, rules)
            rid, cit = _cite(rules, "grid_households")
            out.append(_in_band(rid, cit, c.id, need, need, c.grids, "grids", f"{need}"))
        proposed = c.proposed_office_m2 or (None, None)
        what = "no office space planned in the layout (office_space_m2)"
        for r in f.office_space_requirements(hh, area, rules):
            out.append(_at_least(r.rule_id, str(r.citation), c.id, r.required, c.office_area_m2,
                                 what if c.proposed_office_m2 else "office_area_m2 not given", r.basis, proposed[0]))
        if rules.has("office_largest_site"):
            rid, cit = _cite(rules, "office_largest_site")
            out.append(_at_least(rid, cit, c.id, f.largest_site_minimum(rules), c.largest_site_m2,
                                 what if c.proposed_office_m2 else "largest_site_m2 not given", "", proposed[1]))
    return out


def _office_site(c: Provided, members: list[Building], scenario: Scenario, rules: RuleSet) -> list[Check]:
    """The office in one of the community's buildings; near its centre (role ``office_centre``); on
    street-level floors where the layout marks them (role ``office_siting``)."""
    site = rules.has("office_siting")
    rid, cit = "plan.office", "the office is in one of the community's buildings"
    need = "office in one of the community's buildings"
    if c.office_building is None:
        out = [_not_checked(rid, cit, c.id, need, "office_building not given")]
        if rules.has("office_centre"):
            r = rules.role("office_centre")
            out.append(_not_checked(r.id, str(r.citation), c.id, "near the household-weighted centre",
                                    "office_building not given"))
        return out
    office = next((b for b in members if b.id == c.office_building), None)
    out = [Check(rid, cit, c.id, need, str(c.office_building), office is not None, 0.0 if office else 1.0)]
    if office is None:
        return out
    if rules.has("office_centre"):
        out.append(_centre(members, office, rules, c.id))
    if site:
        out.append(_street(office, scenario, rules, c.id))
    return out


def verify(plan, scenario: Scenario, rules: RuleSet) -> list[Check]:
    """Every rule checked on a finished plan, pass/fail per rule and community, with its citation.

    Office space is what the layout plans (``office_space_m2``): where it plans some anywhere, a
    community is provided the space planned in its own buildings (its largest single site the largest
    building's), so a community with none fails with its whole requirement short. Where the layout plans
    none anywhere, there is no space to check: the rows are ``not checked`` (the plan's own sizing is
    shown, and fails if it is below a rule)."""
    planned = {b.id: b.office_space_m2 for b in scenario.buildings}
    anywhere = any(planned.values())

    def space(c) -> dict:
        if anywhere:
            sites = [planned[b] for b in c.buildings if planned.get(b)]
            return {"office_area_m2": float(sum(sites)), "largest_site_m2": float(max(sites, default=0.0))}
        return {"office_area_m2": None, "largest_site_m2": None,
                "proposed_office_m2": (float(c.office_area_m2.value), float(c.largest_site_m2.value))}

    return check_communities([
        Provided(c.id, c.buildings, c.office_building, int(c.staff.value), int(c.committee_members.value),
                 None if c.supervisory_members is None else int(c.supervisory_members.value),
                 resident_groups=int(c.resident_groups.value), grids=int(c.grids.value),
                 representatives=int(c.group_representatives_min.value), **space(c))
        for c in plan.communities], scenario, rules)
