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
``lang="zh"`` gives the same lines in Chinese for a policy meeting (``C1：2,400 户，低于社区规模下限 3,000 户
（CQ-73 §一(一)），差 600 户：…``): the rule named by its citation and in words, no engine identifier.
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


def _names(ids: Sequence[str], most: int = 3, lang: str = "en") -> str:
    ids = list(ids)
    sep = "、" if lang == "zh" else ", "
    if len(ids) <= most:
        return sep.join(ids)
    return f"{sep.join(ids[:most])} 等 {len(ids)} 栋" if lang == "zh" else f"{', '.join(ids[:most])} and {len(ids) - most} more"


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
            clusters: Sequence[str], rules: RuleSet, cut_factor: float, lang: str = "en") -> list[str]:
    """The explanation lines of a plan whose communities (id, building indices) are given, in English or
    (``lang="zh"``) Chinese."""
    if not rules.has("community_households"):
        return []
    zh = lang == "zh"
    rule = rules.role("community_households")
    low, high = band(rule)
    cite = (f"（{rule.citation}{'，本情景已覆盖' if rule.override_reason else ''}）" if zh else
            f"{rule.id} ({rule.citation}{', as overridden' if rule.override_reason else ''})")
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
        if zh:
            label = "全小区" if len(parts) == 1 else f"片区 {_names([ids[i] for i in part], lang=lang)}"
        else:
            label = "estate" if len(parts) == 1 else f"part {_names([ids[i] for i in part])}"
        if total < low:
            for c in mine:
                if c not in reasons:
                    continue
                if len(parts) == 1:
                    reasons[c].append(
                        f"全小区只有 {_n(total)} 户，不足一个社区的下限，最小的放宽是这一个社区少 {_n(low - total)} 户"
                        f"（或在情景中覆盖该规则、写明理由，把下限降低 {_n(low - total)} 户至 {_n(total)} 户）" if zh else
                        f"the whole estate holds {_n(total)} households, fewer than one community's "
                        f"minimum, so the smallest relaxation is this one community {_n(low - total)} short "
                        f"(or the minimum lowered by {_n(low - total)} to {_n(total)} by an override with "
                        "a reason)")
                else:
                    reasons[c].append(_isolated(part, parts, k, graph, households, tot, com_of, low, high, cut_factor,
                                                part_of, lang))
            continue
        big = [i for i in part if households[i] > high]
        for i in big:
            c = com_of[i]
            if c in reasons:
                reasons[c].append(_oversize_building(i, graph, households, clusters, rule, high, lang))
        nb = narrow_band(total, low, high)
        if nb is not None:
            whole_cluster = clusters[part[0]] if len({clusters[i] for i in part}) == 1 else None
            where = ("全小区" if len(parts) == 1 else "该片区") if zh else ("estate" if len(parts) == 1 else "part")
            head.append(_narrow_line(label, where, total, nb, low, high, rule, cite, whole_cluster, lang))
            for c in mine:
                if c in reasons and not reasons[c]:
                    reasons[c].append(f"{label}的 {_n(total)} 户无法在规模区间内分成整数个社区（见“{label}：”一行）" if zh
                                      else f"no whole number of communities fits the {_n(total)} households of the {label} "
                                      f"in the band (see '{label}:')")
            continue
        for c in mine:
            if c in reasons and not reasons[c] and big:
                names = _names([ids[i] for i in big], lang=lang)
                over = sorted({com_of[i] for i in big})
                reasons[c].append(f"{label}中除超过上限的楼栋 {names}（见 {'、'.join(over)}）外，其余部分无法在规模区间内划分"
                                  if zh else
                                  f"the rest of the {label} beside building{'s' if len(big) > 1 else ''} {names} "
                                  f"(over the maximum, see {', '.join(over)}) cannot be split within the band")
        for c in mine:
            if c in reasons and not reasons[c]:
                reasons[c].append(f"{label}各楼栋的户数和相邻关系使其无法在规模区间内划分；本方案是区间外户数最少的划分" if zh
                                  else f"the sizes and adjacency of the buildings of the {label} leave no split within "
                                  "the band; this split has the fewest households outside it")
    lines = list(head)
    for cid, m in communities:
        if cid not in reasons:
            continue
        hh = tot[cid]
        if zh:
            first = (f"{cid}：{_n(hh)} 户，低于社区规模下限 {_n(low)} 户{cite}，差 {_n(low - hh)} 户：一个规模不足的社区"
                     if hh < low else
                     f"{cid}：{_n(hh)} 户，高于社区规模上限 {_n(high)} 户{cite}，超出 {_n(hh - high)} 户：一个规模超限的社区")
        elif hh < low:
            first = (f"{cid}: {_n(hh)} households, below the {_n(low)} minimum of {cite} by {_n(low - hh)}: "
                     "one under-size community")
        else:
            first = (f"{cid}: {_n(hh)} households, above the {_n(high)} maximum of {cite} by {_n(hh - high)}: "
                     "one over-size community")
        lines.append(("；" if zh else "; ").join([first] + reasons[cid]))
    return lines


def _narrow_line(label: str, where: str, total: float, nb: tuple[int, int, int | None, int], low: float,
                 high: float, rule: Rule, cite: str, whole_cluster: str | None, lang: str = "en") -> str:
    """The part-level line for a band no whole number of communities fits: which bound moves, by how
    much, the other bound's alternative, and whether the enlargement clause covers raising the maximum."""
    most, fewest, raise_to, lower_to = nb
    up = raise_to - high if raise_to is not None else math.inf
    down = low - lower_to
    if lang == "zh":
        if up <= down:
            fix = f"最小的放宽是把上限提高 {_n(up)} 户至 {_n(raise_to)} 户（降低下限则需 {_n(down)} 户，至 {_n(lower_to)} 户）"
        else:
            fix = f"最小的放宽是把下限降低 {_n(down)} 户至 {_n(lower_to)} 户" + (
                f"（提高上限则需 {_n(up)} 户，至 {_n(raise_to)} 户）" if raise_to is not None else "")
        if raise_to is not None and enlargeable(rule):
            fix += f"；{rule.citation} 允许社区根据小区组团状况适当扩大规模，" + (
                f"此处{where}是一个组团（{whole_cluster}），可据此提高上限" if whole_cluster
                else "但只适用于按组团划分的社区")
        count = f"{most} 个社区最多容纳 {_n(most * high)} 户，" if most >= 1 else ""
        return (f"{label}：{_n(total)} 户无法分成每个 {_n(low)}—{_n(high)} 户的社区{cite}：{count}"
                f"{fewest} 个社区至少需要 {_n(fewest * low)} 户；{fix}")
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
              part_of: dict[int, int], lang: str = "en") -> str:
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
    if lang == "zh":
        if together < low:
            fit = f"合计 {_n(together)} 户，仍低于下限 {_n(low)} 户，差 {_n(low - together)} 户"
        elif together <= high:
            fit = f"合计 {_n(together)} 户，在规模区间内"
        else:
            fit = f"合计 {_n(together)} 户，高于上限 {_n(high)} 户，超出 {_n(together - high)} 户"
        return (f"其楼栋 {_names([ids[i] for i in part], lang=lang)} 与小区其余部分不相邻（{ids[near]} 距 {ids[mine]} "
                f"{_n(d[mine, near])} 米，超过相邻判定距离 {_n(cut)} 米，即最近楼距中位数的 {cut_factor:g} 倍），"
                f"而社区楼栋须相邻连片，故不能并入其他社区；另一种放宽是跨过间隔并入 {target}（{fit}）")
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
                       high: float, lang: str = "en") -> str:
    """A building above the maximum, and whether the band's enlargement clause covers it."""
    h = float(households[i])
    b = graph.ids[i]
    if lang == "zh":
        txt = f"楼栋 {b} 单独就有 {_n(h)} 户，而楼栋不可拆分"
        if enlargeable(rule):
            return txt + (f"；{rule.citation} 允许社区根据小区组团状况适当扩大规模（此处为组团 {clusters[i]}），可据此把上限"
                          f"提高 {_n(h - high)} 户至 {_n(h)} 户（在情景中覆盖该规则并写明此理由）")
        return txt + f"；{rule.citation} 没有扩大规模的条款，只有在情景中把上限覆盖为 {_n(h)} 户（并写明理由）才能容纳"
    txt = f"building {b} alone holds {_n(h)} households and a building cannot be divided"
    if enlargeable(rule):
        txt += (f"; {rule.citation} lets a community be enlarged to follow its cluster (组团, here {clusters[i]}), which "
                f"covers it with the maximum raised by {_n(h - high)} to {_n(h)} (an override of {rule.id} giving that "
                "reason)")
    else:
        txt += (f"; {rule.id} has no enlargement clause, so only an override of its maximum to {_n(h)} (with a reason) "
                "admits it")
    return txt
