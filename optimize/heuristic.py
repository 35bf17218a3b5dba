"""A fast incumbent for the split: grow communities (one at a time from peripheral seeds, or all at
once from k spread-out centres for k from ⌈H/U⌉ up), improve each by moving boundary units, re-centring
offices and dissolving communities whose neighbours can take them in, and keep the best (fewest
households outside the band, then the lowest objective).

It works on ``optimize.graph.Units`` (buildings, and clusters kept whole) and keeps every community
valid for the MIP's contiguity constraint (5): each member unit other than the one holding the office
has a neighbour in the community nearer the office. So its split is always a feasible starting point
for the solver, and the fallback when the solver returns nothing within its time limit.

Deterministic: every choice is ordered by a key ending in a unit or building index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optimize.graph import Units


@dataclass(frozen=True)
class Costs:
    """The objective's weights (see ``optimize.split.SplitModel``), in the units the heuristic uses."""

    community: float
    household_m: float         # per household-metre (the model's per household-km weight / 1000)
    cluster_piece: float


class Community:
    """A mutable community during the search: its units, office building and running totals."""

    __slots__ = ("units", "centre", "households", "pieces")

    def __init__(self, units: set[int], centre: int, u: Units) -> None:
        self.units = set(units)
        self.centre = centre
        self.households = float(sum(u.households[k] for k in units))
        self.pieces: dict[str, int] = {}
        for k in units:
            self.pieces[u.cluster[k]] = self.pieces.get(u.cluster[k], 0) + 1


def violation(households: float, low: float, high: float) -> float:
    """Households outside the band [low, high]."""
    return max(0.0, low - households, households - high)


class Search:
    """Construction and local search over one connected part of the estate."""

    def __init__(self, units: Units, part: list[int], low: float, high: float, costs: Costs) -> None:
        self.u, self.part, self.low, self.high, self.w = units, sorted(part), low, high, costs
        # the unit's own best office: the member building nearest (household-weighted) to the unit
        self.hub = {k: min(units.members[k], key=lambda j: (units.cost[k, j], j)) for k in part}

    # -- validity of constraint (5) -------------------------------------------------------------
    def supported(self, k: int, members: set[int], centre: int, without: int | None = None) -> bool:
        """Whether unit k may sit in a community of ``members`` centred at ``centre``: it holds the
        centre, or a neighbour in the community (other than ``without``) is nearer the centre."""
        u = self.u
        if u.unit_of[centre] == k:
            return True
        return any(m in members and m != without and u.nearer(m, k, centre) for m in u.neighbours[k])

    def valid(self, members: set[int], centre: int) -> bool:
        return self.u.unit_of[centre] in members and all(self.supported(k, members, centre) for k in members)

    # -- objective -------------------------------------------------------------------------------
    def score(self, c: Community) -> tuple[float, float]:
        """(households outside the band, objective) of one community."""
        dist = float(sum(self.u.cost[k, c.centre] for k in c.units))
        obj = self.w.community + self.w.household_m * dist + self.w.cluster_piece * len(c.pieces)
        return violation(c.households, self.low, self.high), obj

    def total(self, coms: list[Community]) -> tuple[float, float]:
        s = [self.score(c) for c in coms]
        return sum(a for a, _ in s), sum(b for _, b in s)

    # -- construction ----------------------------------------------------------------------------
    def construct(self, whole_first: bool) -> list[Community]:
        """Grow one community at a time from the unit farthest from what is left, adding the nearest
        supported neighbour (same cluster first) until it reaches an even share of what is left."""
        u, left, coms = self.u, set(self.part), []
        while left:
            pts = sorted(left)
            hubs = [self.hub[k] for k in pts]
            spread = (u.near[np.ix_(pts, hubs)] * u.households[pts][:, None]).sum(axis=0)
            seed = pts[int(np.argmax(spread))]
            centre = self.hub[seed]
            rest = float(u.households[pts].sum())
            k_rem = max(1, math.ceil(rest / self.high - 1e-9))
            target = min(self.high, max(self.low, rest / k_rem))
            com = {seed}
            tot = float(u.households[seed])
            clusters = {u.cluster[seed]}
            while tot < target:
                front = [k for m in com for k in u.neighbours[m] if k in left and k not in com
                         and tot + u.households[k] <= self.high and self.supported(k, com, centre)]
                if not front:
                    break
                same = [k for k in front if u.cluster[k] in clusters]
                if whole_first and tot >= self.low and not same:
                    break
                pool = same or front
                k = min(pool, key=lambda k: (u.near[k, centre], k))
                com.add(k)
                tot += float(u.households[k])
                clusters.add(u.cluster[k])
            left -= com
            coms.append(Community(com, centre, u))
        return coms

    # -- moves -----------------------------------------------------------------------------------
    def _where(self, coms: list[Community]) -> dict[int, int]:
        """Unit -> index of its community."""
        where = {}
        for a, c in enumerate(coms):
            for k in c.units:
                where[k] = a
        return where

    def _move_delta(self, c_from: Community, c_to: Community | None, k: int) -> tuple[float, float]:
        """Change of (violation, objective) when unit k leaves ``c_from`` for ``c_to``."""
        u, w = self.u, self.w
        h = float(u.households[k])
        cl = u.cluster[k]
        v0 = violation(c_from.households, self.low, self.high)
        o = -w.household_m * u.cost[k, c_from.centre] - (w.cluster_piece if c_from.pieces[cl] == 1 else 0.0)
        if len(c_from.units) == 1:
            v1 = 0.0                     # the community goes: its violation and its cost with it
            o -= w.community
        else:
            v1 = violation(c_from.households - h, self.low, self.high)
        dv = v1 - v0
        if c_to is not None:
            dv += violation(c_to.households + h, self.low, self.high) - violation(c_to.households, self.low, self.high)
            o += w.household_m * u.cost[k, c_to.centre] + (w.cluster_piece if cl not in c_to.pieces else 0.0)
        return dv, o

    def _can_leave(self, c: Community, k: int) -> bool:
        """Whether k may leave c with c staying valid for (5) (or c being just k)."""
        u = self.u
        if len(c.units) == 1:
            return True
        if u.unit_of[c.centre] == k:
            return False
        return all(self.supported(m, c.units, c.centre, without=k)
                   for m in u.neighbours[k] if m in c.units and u.nearer(k, m, c.centre))

    def _apply(self, coms: list[Community], a: int, b: int, k: int) -> None:
        u = self.u
        ca, cb = coms[a], coms[b]
        h = float(u.households[k])
        ca.units.discard(k)
        ca.households -= h
        ca.pieces[u.cluster[k]] -= 1
        if not ca.pieces[u.cluster[k]]:
            del ca.pieces[u.cluster[k]]
        cb.units.add(k)
        cb.households += h
        cb.pieces[u.cluster[k]] = cb.pieces.get(u.cluster[k], 0) + 1

    def improve(self, coms: list[Community], rounds: int = 50) -> list[Community]:
        """Boundary moves, best first, until none improves (violation first, then objective); offices
        re-centred after each round; then communities dissolved into their neighbours where that pays."""
        for _ in range(rounds):
            changed = self._moves(coms)
            coms = [c for c in coms if c.units]
            changed |= self._recentre(coms)
            if not changed:
                changed = self._dissolve(coms)
                coms = [c for c in coms if c.units]
            if not changed:
                break
        return coms

    def _moves(self, coms: list[Community]) -> bool:
        """Passes over the units in index order, each moved to the adjacent community that improves most
        (violation first, then objective), until a pass moves nothing."""
        u = self.u
        where = self._where(coms)
        any_change = False
        for _ in range(100):
            moved = False
            for k in sorted(where):
                a = where[k]
                ca = coms[a]
                targets = sorted({where[m] for m in u.neighbours[k] if m in where and where[m] != a})
                if not targets or not self._can_leave(ca, k):
                    continue
                best = None
                for b in targets:
                    cb = coms[b]
                    if not self.supported(k, cb.units, cb.centre):
                        continue
                    dv, do = self._move_delta(ca, cb, k)
                    if dv < -1e-9 or (dv <= 1e-9 and do < -1e-9):
                        key = (dv, do, b)
                        if best is None or key < best:
                            best = key
                if best is None:
                    continue
                b = best[2]
                self._apply(coms, a, b, k)
                where[k] = b
                moved = any_change = True
            if not moved:
                break
        return any_change

    def _recentre(self, coms: list[Community]) -> bool:
        """Move each office to the member building with the least household-weighted distance among
        those from which the community stays valid for (5)."""
        u = self.u
        changed = False
        for c in coms:
            members = sorted(c.units)
            buildings = sorted(j for k in members for j in u.members[k])
            costs = u.cost[members][:, buildings].sum(axis=0)
            for idx in np.argsort(costs, kind="stable"):
                j = buildings[int(idx)]
                if j == c.centre:
                    break
                if self.valid(c.units, j):
                    c.centre = j
                    changed = True
                    break
        return changed

    def _dissolve(self, coms: list[Community]) -> bool:
        """Try to hand every unit of one community to its neighbours (one fewer community)."""
        u = self.u
        for a in sorted(range(len(coms)), key=lambda a: (coms[a].households, min(coms[a].units))):
            before = self.total(coms)
            trial = [Community(c.units, c.centre, u) for c in coms]
            ca = trial[a]
            ok = True
            while ca.units:
                where = self._where(trial)
                options = []
                for k in sorted(ca.units):
                    for m in u.neighbours[k]:
                        b = where.get(m)
                        if b is None or b == a:
                            continue
                        cb = trial[b]
                        if cb.households + u.households[k] > self.high or not self.supported(k, cb.units, cb.centre):
                            continue
                        options.append((u.cost[k, cb.centre], k, b))
                if not options:
                    ok = False
                    break
                _, k, b = min(options)
                self._apply(trial, a, b, k)
            if not ok:
                continue
            trial = [c for c in trial if c.units]
            self._recentre(trial)
            after = self.total(trial)
            if (after[0] < before[0] - 1e-9) or (after[0] <= before[0] + 1e-9 and after[1] < before[1] - 1e-9):
                coms[:] = trial
                return True
        return False

    # -- construction from k centres -----------------------------------------------------------
    def centres(self, k: int) -> list[int]:
        """k office buildings spread over the part: farthest-point seeds, then a few rounds of
        household-weighted k-medoids (each unit to its nearest centre, each centre to its group's medoid)."""
        u, pts = self.u, self.part
        hubs = [self.hub[p] for p in pts]
        spread = (u.near[np.ix_(pts, hubs)] * u.households[pts][:, None]).sum(axis=0)
        chosen = [hubs[int(np.argmax(spread))]]
        while len(chosen) < min(k, len(pts)):
            d = u.near[np.ix_(pts, chosen)].min(axis=1)
            chosen.append(hubs[int(np.argmax(d))])
        for _ in range(8):
            near = u.cost[np.ix_(pts, chosen)] / u.households[pts][:, None]
            lab = np.argmin(near, axis=1)
            new = []
            for a in range(len(chosen)):
                grp = [pts[t] for t in range(len(pts)) if lab[t] == a]
                if not grp:
                    new.append(chosen[a])
                    continue
                cand = [j for g in grp for j in u.members[g]]
                cost = u.cost[np.ix_(grp, cand)].sum(axis=0)
                new.append(cand[int(np.argmin(cost))])
            if new == chosen:
                break
            chosen = new
        return sorted(set(chosen))

    def grow_all(self, centres: list[int]) -> list[Community]:
        """Grow every community at once from its centre, the smallest first, each taking its nearest
        supported neighbour within the band's high end; what is left over starts communities of its own."""
        u = self.u
        roots: dict[int, int] = {}
        for c in centres:
            roots.setdefault(u.unit_of[c], c)
        coms = [Community({r}, c, u) for r, c in sorted(roots.items())]
        left = set(self.part) - set(roots)
        while left:
            moved = False
            for a in sorted(range(len(coms)), key=lambda a: (coms[a].households, a)):
                c = coms[a]
                front = sorted({k for m in c.units for k in u.neighbours[m] if k in left
                                and c.households + u.households[k] <= self.high
                                and self.supported(k, c.units, c.centre)},
                               key=lambda k: (u.near[k, c.centre], k))
                if front:
                    k = front[0]
                    c.units.add(k)
                    c.households += float(u.households[k])
                    c.pieces[u.cluster[k]] = c.pieces.get(u.cluster[k], 0) + 1
                    left.discard(k)
                    moved = True
                    break
            if not moved:
                # nothing can grow: the leftover units grow communities of their own
                sub = Search(u, sorted(left), self.low, self.high, self.w)
                coms += sub.construct(False)
                break
        return coms

    def run(self) -> list[Community]:
        """The best of several constructions, each improved."""
        best, best_score = None, None
        h = float(self.u.households[self.part].sum())
        k0 = max(1, math.ceil(h / self.high - 1e-9))
        tries = [self.construct(True), self.construct(False)]
        for k in range(k0, k0 + 3):
            if k <= len(self.part):
                tries.append(self.grow_all(self.centres(k)))
        for coms in tries:
            coms = self.improve(coms)
            s = self.total(coms)
            if best_score is None or (s[0] < best_score[0] - 1e-9) or (s[0] <= best_score[0] + 1e-9
                                                                       and s[1] < best_score[1] - 1e-9):
                best, best_score = coms, s
        return best


def split_heuristic(units: Units, parts: list[list[int]], low: float, high: float,
                    costs: Costs) -> list[tuple[list[int], int]]:
    """Communities as (unit indices, office building), part by part (parts are connected pieces of
    the adjacency graph: no community can span two)."""
    out: list[tuple[list[int], int]] = []
    for part in parts:
        for c in Search(units, part, low, high, costs).run():
            out.append((sorted(c.units), c.centre))
    return out

