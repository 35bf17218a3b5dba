"""Explanations: which rule a relaxed plan breaks, by how much, why it had to, and the smallest
relaxation that would let a plan meet it.

The community-size band (role ``community_households``) is the only rule the split relaxes; the others
are kept whole (contiguity, the office in the community). A breach of the band has one of four causes,
found part by part (a part is a piece of the estate not adjacent to the rest, so no community spans two):

- the part holds fewer households than the minimum: one under-size community (the whole estate, or a
  part cut off from the rest, where joining it across the gap is the alternative relaxation);
- a building alone holds more than the maximum (a building cannot be divided); where the band's rule
  lets communities be enlarged to follow clusters (CQ-73 §一(一)), whether that covers it;
- no whole number of communities fits the part's households in the band (e.g. 9,000 households in
  communities of 4,000–4,400: two hold at most 8,800, three need 12,000): which bound must move, by how
  much, and the other bound's alternative;
- otherwise the buildings' sizes and adjacency leave no split within the band, and the plan is the split
  with the fewest households outside it.

One line each: a part-level line (``estate: …`` or ``part B1, B2: …``) for a band too narrow, and one
line per community outside the band, beginning with its id, e.g. ``C1: 2,400 households, below the
3,000 minimum of CQ-73.community_households (CQ-73 §一(一)) by 600: one under-size community; …``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from optimize.graph import Graph
from standards.catalog import Rule
from standards.formulas import band
from standards.ruleset import RuleSet

CONTIGUITY = "plan.contiguity"


def _n(x: float) -> str:
    return f"{x:,.0f}"


def _names(ids: Sequence[str], most: int = 3) -> str:
    ids = list(ids)
    if len(ids) <= most:
        return ", ".join(ids)
    return f"{', '.join(ids[:most])} and {len(ids) - most} more"


def enlargeable(rule: Rule) -> bool:
    """Whether the band's own text lets a community be enlarged to follow clusters (CQ-73 §一(一):
    也可根据小区组团状况适当扩大规模)."""
    return "扩大" in (rule.quote or "")


def _counts(total: float, low: float, high: float) -> tuple[int, int]:
    """(most communities that each reach the minimum, fewest that each stay within the maximum)."""
    most = math.floor(total / low + 1e-9) if low > 0 else 10**9
    fewest = max(1, math.ceil(total / high - 1e-9))
    return most, fewest


def narrow_band(total: float, low: float, high: float) -> tuple[int, int, int | None, int] | None:
    """For a part whose households no whole number of communities fits in the band: (most, fewest,
    the smallest maximum that fits or None, the largest minimum that fits); None if some number fits."""
    most, fewest = _counts(total, low, high)
    if most >= fewest:
        return None
    raise_to = math.ceil(total / most - 1e-9) if most >= 1 else None
    lower_to = math.floor(total / fewest + 1e-9)
    return most, fewest, raise_to, lower_to


def explain(communities: Sequence[tuple[str, Sequence[int]]], graph: Graph, households: np.ndarray,
            clusters: Sequence[str], rules: RuleSet, cut_factor: float) -> list[str]:
    """The explanation lines of a plan whose communities (id, building indices) are given."""
    if not rules.has("community_households"):
        return []
    rule = rules.role("community_households")
    low, high = band(rule)
    cite = f"{rule.id} ({rule.citation}{', as overridden' if rule.override_reason else ''})"
    ids = graph.ids
    tot = {cid: float(households[list(m)].sum()) for cid, m in communities}
    bad = [cid for cid, m in communities if tot[cid] < low or tot[cid] > high]
    if not bad:
        return []
    com_of = {i: cid for cid, m in communities for i in m}
    parts = graph.components()
    part_of = {i: k for k, p in enumerate(parts) for i in p}
    reasons: dict[str, list[str]] = {cid: [] for cid in bad}
    head: list[str] = []
    for k, part in enumerate(parts):
        mine = sorted({com_of[i] for i in part}, key=lambda c: [x for x, _ in communities].index(c))
        if not any(c in reasons for c in mine):
            continue
        total = float(households[part].sum())
        label = "estate" if len(parts) == 1 else f"part {_names([ids[i] for i in part])}"
        if total < low:
            for c in mine:
                if c not in reasons:
                    continue
                if len(parts) == 1:
                    reasons[c].append(f"the whole estate holds {_n(total)} households, fewer than one community's "
                                      f"minimum, so the smallest relaxation is this one community {_n(low - total)} short "
                                      f"(or the minimum lowered by {_n(low - total)} to {_n(total)} by an override with "
                                      "a reason)")
                else:
                    reasons[c].append(_isolated(part, parts, k, graph, households, tot, com_of, low, high, cut_factor,
                                                part_of))
            continue
        big = [i for i in part if households[i] > high]
        for i in big:
            c = com_of[i]
            if c in reasons:
                reasons[c].append(_oversize_building(i, graph, households, clusters, rule, high))
        nb = narrow_band(total, low, high)
        if nb is not None:
            whole_cluster = clusters[part[0]] if len({clusters[i] for i in part}) == 1 else None
            head.append(_narrow_line(label, "estate" if len(parts) == 1 else "part", total, nb, low, high, rule, cite,
                                     whole_cluster))
            for c in mine:
                if c in reasons and not reasons[c]:
                    reasons[c].append(f"no whole number of communities fits the {_n(total)} households of the {label} "
                                      f"in the band (see '{label}:')")
            continue
        for c in mine:
            if c in reasons and not reasons[c] and big:
                names = _names([ids[i] for i in big])
                reasons[c].append(f"the rest of the {label} beside building{'s' if len(big) > 1 else ''} {names} "
                                  f"(over the maximum, see {', '.join(sorted({com_of[i] for i in big}))}) cannot be "
                                  "split within the band")
        for c in mine:
            if c in reasons and not reasons[c]:
                reasons[c].append(f"the sizes and adjacency of the buildings of the {label} leave no split within the band; "
                                  "this split has the fewest households outside it")
    lines = list(head)
    for cid, m in communities:
        if cid not in reasons:
            continue
        hh = tot[cid]
        if hh < low:
            first = (f"{cid}: {_n(hh)} households, below the {_n(low)} minimum of {cite} by {_n(low - hh)}: "
                     "one under-size community")
        else:
            first = (f"{cid}: {_n(hh)} households, above the {_n(high)} maximum of {cite} by {_n(hh - high)}: "
                     "one over-size community")
        lines.append("; ".join([first] + reasons[cid]))
    return lines


def _narrow_line(label: str, where: str, total: float, nb: tuple[int, int, int | None, int], low: float,
                 high: float, rule: Rule, cite: str, whole_cluster: str | None) -> str:
    """The part-level line for a band no whole number of communities fits: which bound moves, by how
    much, the other bound's alternative, and whether the enlargement clause covers raising the maximum."""
    most, fewest, raise_to, lower_to = nb
    up = raise_to - high if raise_to is not None else math.inf
    down = low - lower_to
    if up <= down:
        fix = (f"the smallest relaxation is to raise the maximum by {_n(up)} to {_n(raise_to)} (lowering the minimum "
               f"would take {_n(down)}, to {_n(lower_to)})")
    else:
        fix = f"the smallest relaxation is to lower the minimum by {_n(down)} to {_n(lower_to)}" + (
            f" (raising the maximum would take {_n(up)}, to {_n(raise_to)})" if raise_to is not None else "")
    if raise_to is not None and enlargeable(rule):
        fix += (f"; {rule.citation} lets a community be enlarged to follow a cluster (组团), which covers raising the "
                "maximum" + (f" here (the {where} is one cluster, {whole_cluster})" if whole_cluster
                             else " only for communities that follow a cluster"))
    count = (f"{most} {'community holds' if most == 1 else 'communities hold'} at most {_n(most * high)} and "
             if most >= 1 else "")
    return (f"{label}: {_n(total)} households cannot be divided into communities of {_n(low)}–{_n(high)} households "
            f"of {cite}: {count}{fewest} need at least {_n(fewest * low)}; {fix}")


def _isolated(part: list[int], parts: list[list[int]], k: int, graph: Graph, households: np.ndarray,
              tot: dict[str, float], com_of: dict[int, str], low: float, high: float, cut_factor: float,
              part_of: dict[int, int]) -> str:
    """Why a part below the minimum stands alone, and joining it across the gap as the alternative."""
    ids = graph.ids
    d = graph.dist
    n = len(ids)
    others = [i for i in range(n) if part_of[i] != k]
    sub = d[np.ix_(part, others)]
    a, b = np.unravel_index(int(np.argmin(sub)), sub.shape)
    mine, near = part[int(a)], others[int(b)]
    nn = float(np.median(np.where(np.eye(n, dtype=bool), np.inf, d).min(axis=1)))
    cut = cut_factor * nn
    target = com_of[near]
    together = float(households[part].sum()) + tot[target]
    if together < low:
        fit = f"{_n(together)} households together, still below the {_n(low)} minimum by {_n(low - together)}"
    elif together <= high:
        fit = f"{_n(together)} households together, within the band"
    else:
        fit = f"{_n(together)} households together, above the {_n(high)} maximum by {_n(together - high)}"
    return (f"its buildings {_names([ids[i] for i in part])} are not adjacent to the rest of the estate ({ids[near]} is "
            f"{_n(d[mine, near])} m from {ids[mine]}, beyond the adjacency cut of {_n(cut)} m, {cut_factor:g} × the median "
            f"nearest-neighbour distance), so under {CONTIGUITY} (a community's buildings are adjacent) it cannot join "
            f"another community; the alternative relaxation is to join it across the gap to {target} ({fit})")


def _oversize_building(i: int, graph: Graph, households: np.ndarray, clusters: Sequence[str], rule: Rule,
                       high: float) -> str:
    """A building above the maximum, and whether the band's enlargement clause covers it."""
    h = float(households[i])
    b = graph.ids[i]
    txt = f"building {b} alone holds {_n(h)} households and a building cannot be divided"
    if enlargeable(rule):
        txt += (f"; {rule.citation} lets a community be enlarged to follow its cluster (组团, here {clusters[i]}), which "
                f"covers it with the maximum raised by {_n(h - high)} to {_n(h)} (an override of {rule.id} giving that "
                "reason)")
    else:
        txt += (f"; {rule.id} has no enlargement clause, so only an override of its maximum to {_n(h)} (with a reason) "
                "admits it")
    return txt
