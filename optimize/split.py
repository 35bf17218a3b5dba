"""The community split as a mixed-integer programme (PuLP; HiGHS by default, CBC as an alternative)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np
import pulp

from optimize.graph import Graph, Units, adjacency, units_of
from optimize.heuristic import Costs, split_heuristic, violation
from optimize.split_cuts import count_cuts
from optimize.split_race import joined
from optimize.split_restricted import better_start
from optimize.solver import NO_SUB_MIPS, SolveResult, SolveStatus, available, combine, solve
from scenarios.schema import Scenario
from standards.formulas import band
from standards.ruleset import RuleSet


@dataclass(frozen=True)
class Weights:
    """Objective weights (scenario ``[optimizer]``): per community, per household-km from the office,
    per cluster piece (so per extra piece of a split cluster)."""

    community: float = 1.0
    household_km: float = 0.001
    cluster_split: float = 0.5
    # -- office sites in planned space (issue 10, CQ-73 §三(九)): w_o per community whose office building
    # plans no office space, where the layout plans some; ``split_indices`` fills ``no_office_space``
    office_site: float = 0.0
    no_office_space: frozenset[int] = frozenset()


@dataclass(frozen=True)
class SplitResult:
    """Communities as building-index lists with their office index, and how they were found.

    ``violation`` is the households outside the size band summed over communities (0 unless the
    plan is relaxed); ``seconds`` the wall time of the whole split (heuristic, model, solver);
    ``in_band_seconds`` when a split within the band was first in hand (None if the plan is relaxed);
    ``solves`` each solver run with the second of the split at which it started."""

    communities: tuple[tuple[tuple[int, ...], int], ...]
    solve: SolveResult
    method: str            # "mip" or "heuristic"
    violation: float = 0.0
    seconds: float = 0.0
    in_band_seconds: float | None = None
    solves: tuple[tuple[float, SolveResult], ...] = ()

    def seconds_to_gap(self, gap: float) -> float | None:
        """The split's time had it stopped at a proven ``gap``: its whole time less what each solver run
        spent after its own gap was within ``gap`` (each part within it puts the sum within it too).
        None if some run never got there."""
        saved = 0.0
        for _, r in self.solves:
            t = r.seconds_to_gap(gap)
            if t is None:
                return None
            saved += max(0.0, r.seconds - t)
        return self.seconds - saved


RADIUS_FACTOR = 1.0  # a modelling cut on candidate pairs, not a rule


@dataclass(frozen=True)
class Formulation:
    """Which strengthenings of the model, and which solver settings, are on (the defaults are the split as
    it runs; ``PLAIN``, ``BEFORE`` and ``PREVIOUS`` give earlier states, which the benchmark measures
    against):
    ``piece_open`` adds (12), ``aggregates`` (13); ``lean`` leaves out (2) where (6) and (12) imply it (off:
    measured on the benchmark's 100-building estates, it made HiGHS faster on some and slower on others);
    ``local_counts`` adds (14), and ``stage`` says when: ``None`` from the start; a number of seconds: the
    model is solved without it, and where after that much of HiGHS's time its proven gap is wider than
    ``stage_gap``, a second HiGHS run with (14) joins it on another thread, the first to prove the gap
    ending the other (``optimize.split_race``; CBC: its run without (14) ends at ``stage`` seconds and
    the solve starts again with it). Measured (README), (14) made the estates whose clusters are above the
    band's top several times faster to prove, and others slower (``towers``, seed 0: 9.5 s against 3.3)
    or no faster where the model without it proves the gap within a second;
    ``sub_mips`` keeps HiGHS's RINS, RENS and root-reduced-cost sub-MIP heuristics on the parts within the
    band (``solver.NO_SUB_MIPS``: off, the heuristic's warm start stands in for them; a relaxed part, whose
    heuristic split may be far from the least violation, keeps them; CBC is not affected);
    ``restricted``: the second HiGHS run starts from the split of the model restricted to the centres its
    LP relaxation opens (``optimize.split_restricted``), found within this share of the seconds left, and
    its candidate pairs are those of the radius and of that split (0: it starts from the heuristic's split,
    with the heuristic's pairs). Measured (README), this is what proves 1% on ``mixed-phases`` at 200
    buildings within 10 s: the heuristic's split there is up to 2.8% above the best known;
    ``restarts`` lets HiGHS restart its search in a run of the model with (14) (presolving again once enough
    integer columns are fixed at the root); off, HiGHS's own time to a proven 0.1% gap on that model fell by
    a fifth over the benchmark's 100- and 200-building estates (README); ``restarts_from_restricted`` keeps
    them where the second run starts from the restricted model's split (measured on ``mixed-phases`` 200,
    the slowest seed's proven 1% at 6.5 s with them, 9.3 s without)."""

    piece_open: bool = True
    aggregates: bool = True
    lean: bool = False
    sub_mips: bool = False
    local_counts: bool = True
    stage: float | None = 1.0
    stage_gap: float = 0.01
    restricted: float = 0.5
    restarts: bool = False
    restarts_from_restricted: bool = True

    def highs_options(self, counts: bool = False, restricted: bool = False) -> dict[str, object]:
        """HiGHS's options for a run of the model, ``counts``: with (14); ``restricted``: from the restricted
        model's split."""
        out = {} if self.sub_mips else dict(NO_SUB_MIPS)
        if counts and not (self.restarts or (restricted and self.restarts_from_restricted)):
            out["mip_allow_restart"] = False
        return out


STRONG = Formulation()
FROM_START = Formulation(stage=None)                   # (14) from the start, not after a first stage
RACE = Formulation(restricted=0.0, restarts=True)      # as issue 13's third pass left the split
PREVIOUS = Formulation(local_counts=False)             # as issue 13's second pass left it
BEFORE = Formulation(sub_mips=True, local_counts=False)   # as issue 13's first pass left it
PLAIN = Formulation(piece_open=False, aggregates=False, lean=False, sub_mips=True,
                    local_counts=False)                # before (12), (13)


class SplitModel:
    """Community split: a p-median assignment of units to offices with contiguity and a household band.

    Sets: units u ∈ V, each a building or a whole cluster (see (8)), with households h_u and cluster
    c(u); buildings j ∈ B as candidate offices (centres), r(j) the unit holding j; candidate units
    V(j) of centre j: those within radius R of j (R: the median over centres of the radius that holds
    U households, a modelling cut), always r(j), and the units the split a run starts from gives j (so
    that its warm start is a split of the model); unit neighbours N(u) (Delaunay with a distance cut,
    ``optimize.graph``); a_uj the distance (km) from u's nearest building to j; g_uj = Σ_{i∈u} h_i d_ij
    (household-km); parts P (connected pieces of the adjacency graph) with households H_p; band [L, U]
    from the role ``community_households`` (CQ-73 §一(一) in Chongqing; an override may enlarge U to
    follow clusters).

    Variables: x_uj ∈ {0,1} unit u in the community whose office is j; y_j = x_{r(j)j} open;
    v_cj ∈ [0,1] cluster c touches community j (for a whole-cluster unit u, v_{c(u)j} is x_uj itself);
    in a relaxed part only, s⁻_j, s⁺_j ≥ 0 households below L / above U.

    min  w_c Σ_j y_j + w_d Σ_uj g_uj x_uj + w_k Σ_cj v_cj + w_o Σ_{j∈B⁰} y_j

    (B⁰: the buildings that plan no office space, where the layout plans some; empty otherwise. The last
    term prefers offices in planned space, ``[optimizer] office_site_weight``.)

    (1) ``assign[u]``                             Σ_j x_uj = 1                       each unit in one community
    (2) ``office[u,j]``                           x_uj ≤ y_j                          only open offices take units
        (implied for a unit not whole when (12) is on: (6) and (12) give x_uj ≤ v_cj ≤ y_j;
        ``Formulation(lean=True)`` leaves those rows out)
    (3) ``<band rule>.community_size_min[j]``     Σ_u h_u x_uj (+ s⁻_j) ≥ L y_j
    (4) ``<band rule>.community_size_max[j]``     Σ_u h_u x_uj (− s⁺_j) ≤ U y_j
    (5) ``contiguity[u,j]``                       x_uj ≤ Σ_{k∈N(u), k ≺_j u} x_kj  (u ≠ r(j)): a path of
        ever-nearer neighbours leads from u to the office, so communities are connected and compact
        (k ≺_j u: a_kj < a_uj, ties broken by r(j) first, then the lower index)
    (6) ``cluster[c,u,j]``                        v_cj ≥ x_uj for u in cluster c: each piece of a split
        cluster costs w_k (CQ-73 §一(一) asks communities to follow clusters)
    (7) ``<band rule>.community_count_min[p]``, ``…_max[p]``   ⌈H_p/U⌉ ≤ Σ_{j∈p} y_j ≤ ⌊H_p/L⌋
    (8) whole clusters: a cluster whose households lie within [L, U] and whose buildings are connected is
        one unit, never split (it can stand as a community on its own, and CQ-73 §一(一) asks communities
        to follow clusters), so its one piece is a constant w_k. Exception: where the heuristic finds no
        split within the band with every such cluster whole, the clusters in or next to its out-of-band
        communities are released to single buildings and it tries again (``split_indices``); a part
        where it still finds none is solved with no cluster whole.
    (9) ``cover[j]``                              Σ_c v_cj ≥ m_j y_j, m_j the fewest clusters whose
        households within V(j) reach L: a community needs that many clusters
    (10) ``needs[c,j]``                           Σ_{c'≠c} v_c'j ≥ v_cj when cluster c holds fewer than L
        households within V(j): a community touching c must reach into another cluster
    (11) ``pieces[c]``                            Σ_j v_cj ≥ ⌈H_c/U⌉: a cluster above U is in at least
        that many communities

    (12) ``piece_open[c,j]``                      v_cj ≤ y_j: a closed office has no cluster pieces
    (13) ``count[p]``, ``pieces_count[c]``        integer variables n_p = Σ_{j∈p} y_j and m_c = Σ_j v_cj:
        the number of communities of a part and of pieces of a cluster, for the solver to branch on

    (14) ``<band rule>.local_count_min[k]``        Σ_{j∈J(I)} y_j ≥ ⌈H_I/U⌉ for regions I of a part: J(I) the
        centres that may take a unit of I, H_I its households. Each unit of I is in an open community of
        J(I), which holds at most U by (4), so at least ⌈H_I/U⌉ of them are open; the LP alone gives H_I/U.
        Regions: around each unit, the smallest balls whose households pass U, 2U, … (``optimize.split_cuts``)

    (7), (9), (10), (11) and (14) are valid inequalities (they cut off no integer solution of (1)–(6), (8))
    that tighten the LP bound; (12) cuts off only splits paying for a piece they do not have, never an
    optimal one. (12) and (13) are for estates whose clusters are as big as a community or bigger, where
    the count of communities and of cluster pieces dominates the objective: without (12) the relaxation
    may pay a fraction of a piece at an office open only in part; (13) lets the solver branch on "7 or 8
    communities" at once instead of one office at a time. (14) rounds up the count of communities locally,
    where the relaxation packs fractional communities to the band's top: the gap it leaves is mostly there.
    ``Formulation`` switches them off, and
    ``benchmarks/optimize_benchmark.py --ablation`` measures what each buys. (8) and the radius R
    restrict the split: the optimality and gap reported are those of this model, not of every
    conceivable split. Where a second run starts from the restricted model's split (``Formulation``), its
    pairs beyond R are that split's, not the heuristic's, so its model is within the first run's; the gap
    reported is then that of the second run's model, which the first run's bound also bounds.

    A part where the heuristic finds no split within the band is solved relaxed: buildings as units,
    the slacks s⁻, s⁺ on every centre, without (7) and (9)–(11), in two steps: first min Σ_j (s⁻_j + s⁺_j),
    the fewest households outside the band; then the objective above with Σ_j (s⁻_j + s⁺_j) held to that
    least value (constraint ``least_violation``). Should the first step find no violation, the part meets
    the band after all; otherwise the plan is ``relaxed`` and ``optimize.conflicts`` names each breach.
    """

    def __init__(self, problem: pulp.LpProblem, units: Units, x: dict, y: dict, v: dict, slo: dict, shi: dict,
                 cost: pulp.LpAffineExpression, formulation: Formulation = STRONG) -> None:
        self.problem, self.units, self.x, self.y, self.v, self.slo, self.shi = problem, units, x, y, v, slo, shi
        self.cost = cost
        self.formulation = formulation
        self.counts: list[tuple[pulp.LpVariable, pulp.LpAffineExpression]] = []   # (13): variable, its sum
        self.later: tuple | None = None     # (14)'s arguments while a first stage runs without it (``add_later``)

    @classmethod
    def build(cls, units: Units, parts: list[list[int]], low: float, high: float, rule_id: str, weights: Weights,
              seed: list[tuple[list[int], int]], relaxed: bool, name: str = "community_split",
              formulation: Formulation = STRONG, centres: set[int] | None = None) -> "SplitModel":
        """The model over ``units`` (every part given); ``relaxed`` adds the band slacks and drops the cuts;
        ``centres``, if given, are the only candidate offices besides the seed's (``optimize.split_restricted``)."""
        p = pulp.LpProblem(name, pulp.LpMinimize)
        cand = cls._candidates(units, parts, high, seed, centres)
        x = {(u, j): p.add_variable(f"x_{u}_{j}", 0, 1, pulp.LpBinary) for j in sorted(cand) for u in cand[j]}
        y = {j: x[units.unit_of[j], j] for j in sorted(cand)}
        cidx = {c: k for k, c in enumerate(sorted(set(units.cluster)))}
        v = {}
        for j in sorted(cand):
            for c in sorted({units.cluster[u] for u in cand[j] if not units.whole[u]}):
                v[c, j] = p.add_variable(f"v_{cidx[c]}_{j}", 0, 1)
        slo = {j: p.add_variable(f"slo_{j}", 0, None) for j in sorted(cand)} if relaxed else {}
        shi = {j: p.add_variable(f"shi_{j}", 0, None) for j in sorted(cand)} if relaxed else {}
        cost = pulp.lpSum(cls._terms(units, parts, weights, x, y, v).values())
        p += cost
        m = cls(p, units, x, y, v, slo, shi, cost, formulation)
        m._assign(cand)
        m._links(cand)
        m._band(cand, low, high, rule_id)
        if not relaxed:
            m._counts(parts, low, high, rule_id)
            m._covers(cand, low)
            m._pieces(parts, high)
            if formulation.local_counts:
                if formulation.stage is None:
                    m._local_counts(parts, high, rule_id)
                else:
                    m.later = (parts, high, rule_id)
        return m

    @staticmethod
    def _terms(units: Units, parts: list[list[int]], weights: Weights, x: dict, y: dict,
               v: dict) -> dict[str, pulp.LpAffineExpression]:
        """The objective, term by term (the docstring's objective); a further term is one more entry here,
        with its weight in ``Weights`` and its value in ``_objective``."""
        n_whole = sum(1 for part in parts for u in part if units.whole[u])
        return {
            "communities": weights.community * pulp.lpSum(y.values()),
            "household_km": weights.household_km / 1000.0 * pulp.lpSum(units.cost[u, j] * var
                                                                        for (u, j), var in x.items()),
            "cluster_pieces": weights.cluster_split * (pulp.lpSum(v.values()) + n_whole),
            "office_site": weights.office_site * pulp.lpSum(y[j] for j in y if j in weights.no_office_space),
        }

    # -- constraint families ---------------------------------------------------------------------
    def _assign(self, cand: dict[int, list[int]]) -> None:
        by_u: dict[int, list[int]] = {}
        for u, j in self.x:
            by_u.setdefault(u, []).append(j)
        for u in sorted(by_u):                                                             # (1)
            self.problem += pulp.lpSum(self.x[u, j] for j in by_u[u]) == 1, f"assign[{u}]"

    def _links(self, cand: dict[int, list[int]]) -> None:
        un, p, x, y = self.units, self.problem, self.x, self.y
        for (u, j), var in x.items():
            if u == un.unit_of[j]:
                continue
            if not (self.formulation.piece_open and self.formulation.lean and not un.whole[u]):
                # with (12), (6) and (12) give x_uj ≤ v_cj ≤ y_j for a unit not whole: (2) adds nothing
                p += var <= y[j], f"office[{u},{j}]"                                        # (2)
            nearer = [x[k, j] for k in un.neighbours[u] if (k, j) in x and un.nearer(k, u, j)]
            p += var <= pulp.lpSum(nearer), f"contiguity[{u},{j}]"                          # (5)
        for (u, j), var in x.items():
            if not un.whole[u]:
                p += self.v[un.cluster[u], j] >= var, f"cluster[{un.cluster[u]},{u},{j}]"   # (6)
        if self.formulation.piece_open:
            for (c, j), var in self.v.items():
                p += var <= y[j], f"piece_open[{c},{j}]"                                    # (12)

    def _band(self, cand: dict[int, list[int]], low: float, high: float, rule_id: str) -> None:
        un, p = self.units, self.problem
        for j in sorted(cand):
            tot = pulp.lpSum(un.households[u] * self.x[u, j] for u in cand[j])
            lo = tot + self.slo[j] if self.slo else tot
            hi = tot - self.shi[j] if self.shi else tot
            p += lo >= low * self.y[j], f"{rule_id}.community_size_min[{j}]"               # (3)
            p += hi <= high * self.y[j], f"{rule_id}.community_size_max[{j}]"              # (4)

    def _counts(self, parts: list[list[int]], low: float, high: float, rule_id: str) -> None:
        un = self.units
        for k, part in enumerate(parts):                                                   # (7)
            hp = float(un.households[part].sum())
            ys = [self.y[j] for u in part for j in un.members[u] if j in self.y]
            self.problem += pulp.lpSum(ys) >= math.ceil(hp / high - 1e-9), f"{rule_id}.community_count_min[{k}]"
            if low > 0:
                self.problem += pulp.lpSum(ys) <= math.floor(hp / low + 1e-9), f"{rule_id}.community_count_max[{k}]"
            if self.formulation.aggregates:                                                # (13)
                n = self.problem.add_variable(f"count_{k}", 0, None, pulp.LpInteger)
                self.problem += pulp.lpSum(ys) == n, f"count[{k}]"
                self.counts.append((n, pulp.lpSum(ys)))

    def _covers(self, cand: dict[int, list[int]], low: float) -> None:
        un, p = self.units, self.problem
        for j in sorted(cand):
            avail: dict[str, float] = {}
            piece: dict[str, object] = {}
            for u in cand[j]:
                c = un.cluster[u]
                avail[c] = avail.get(c, 0.0) + float(un.households[u])
                piece[c] = self.x[u, j] if un.whole[u] else self.v[c, j]
            need, got = 0, 0.0
            for a in sorted(avail.values(), reverse=True):
                if got >= low:
                    break
                got += a
                need += 1
            if need >= 2 and got >= low:
                p += pulp.lpSum(piece.values()) >= need * self.y[j], f"cover[{j}]"          # (9)
            if len(avail) > 1:
                for c in sorted(avail):
                    if avail[c] < low:                                                      # (10)
                        p += pulp.lpSum(piece[o] for o in avail if o != c) >= piece[c], f"needs[{c},{j}]"

    def _pieces(self, parts: list[list[int]], high: float) -> None:
        un = self.units
        held: dict[str, float] = {}
        for part in parts:
            for u in part:
                if not un.whole[u]:
                    held[un.cluster[u]] = held.get(un.cluster[u], 0.0) + float(un.households[u])
        for c in sorted(held):
            need = math.ceil(held[c] / high - 1e-9)
            vs = [v for (cc, _), v in self.v.items() if cc == c]
            if need >= 2:                                                                   # (11)
                self.problem += pulp.lpSum(vs) >= need, f"pieces[{c}]"
            if self.formulation.aggregates:                                                # (13)
                n = self.problem.add_variable(f"npieces_{len(self.counts)}", 0, None, pulp.LpInteger)
                self.problem += pulp.lpSum(vs) == n, f"pieces_count[{c}]"
                self.counts.append((n, pulp.lpSum(vs)))

    def add_later(self) -> None:
        """(14), kept back for after a first stage, into the problem (worked out only now: a first stage
        that proves the gap costs nothing for it)."""
        if self.later is not None:
            self._local_counts(*self.later)
            self.later = None

    def _local_counts(self, parts: list[list[int]], high: float, rule_id: str) -> None:
        takers: dict[int, set[int]] = {}
        for u, j in self.x:
            takers.setdefault(u, set()).add(j)
        k = 0
        for part in parts:                                                                 # (14)
            for offices, need in count_cuts(self.units, part, high, takers):
                self.problem += pulp.lpSum(self.y[j] for j in offices) >= need, f"{rule_id}.local_count_min[{k}]"
                k += 1

    @staticmethod
    def _candidates(units: Units, parts: list[list[int]], high: float, seed: list[tuple[list[int], int]],
                    only: set[int] | None = None) -> dict[int, list[int]]:
        """Units each centre may take: those of its part within RADIUS_FACTOR × the median radius that holds
        U households around a building (a modelling cut to keep the model small), plus the seed's own pairs.
        With ``only``, only those and the seed's offices are centres (the radius is still the whole model's)."""
        hh = np.zeros(units.near.shape[1])
        for u, ms in enumerate(units.members):
            for i in ms:
                hh[i] = units.households[u] / len(ms)
        radii = []
        centres = [j for part in parts for u in part for j in units.members[u]]
        for j in centres:
            d = units.near[:, j]
            order = np.argsort(d, kind="stable")
            cum = np.cumsum(units.households[order])
            pos = min(int(np.searchsorted(cum, high)), len(order) - 1)
            radii.append(d[order[pos]])
        r = RADIUS_FACTOR * float(np.median(radii)) if radii else 0.0
        cand: dict[int, list[int]] = {}
        keep = None if only is None else set(only) | {j for _, j in seed}
        for part in parts:
            arr = np.array(part)
            for u in part:
                for j in units.members[u]:
                    if keep is None or j in keep:
                        cand[j] = sorted(set(arr[units.near[arr, j] <= r].tolist()) | {u})
        for members, j in seed:
            cand[j] = sorted(set(cand[j]) | set(members))
        return cand

    # -- warm start and reading the answer -------------------------------------------------------
    def warm_start(self, coms: list[tuple[list[int], int]], low: float, high: float) -> None:
        """The heuristic's split as the solver's starting point (valid for (5) by construction)."""
        for var in self.problem.variables():
            var.setInitialValue(0)
        un = self.units
        for members, j in coms:
            tot = float(un.households[members].sum())
            for u in members:
                self.x[u, j].setInitialValue(1)
                if not un.whole[u]:
                    self.v[un.cluster[u], j].setInitialValue(1)
            if self.slo:
                self.slo[j].setInitialValue(max(0.0, low - tot))
                self.shi[j].setInitialValue(max(0.0, tot - high))
        for n, expr in self.counts:
            n.setInitialValue(round(expr.value() or 0))

    def communities(self) -> list[tuple[list[int], int]]:
        groups: dict[int, list[int]] = {}
        for (u, j), var in self.x.items():
            if (var.value() or 0) > 0.5:
                groups.setdefault(j, []).append(u)
        return [(sorted(m), j) for j, m in sorted(groups.items())]

    def violation_expr(self) -> pulp.LpAffineExpression:
        return pulp.lpSum(list(self.slo.values()) + list(self.shi.values()))


def _objective(coms: list[tuple[list[int], int]], units: Units, w: Weights) -> float:
    """The model's objective for a split (the heuristic's, to compare with the solver's)."""
    total = 0.0
    for members, j in coms:
        total += w.community + w.household_km / 1000.0 * float(units.cost[members, j].sum())
        total += w.cluster_split * len({units.cluster[u] for u in members})
        total += w.office_site * (j in w.no_office_space)                                     # office site
    return total


def _to_buildings(coms: list[tuple[list[int], int]], units: Units) -> list[tuple[list[int], int]]:
    return [(sorted(i for u in m for i in units.members[u]), j) for m, j in coms]


def _to_units(coms: list[tuple[list[int], int]], units: Units) -> list[tuple[list[int], int]]:
    return [(sorted({units.unit_of[i] for i in m}), j) for m, j in coms]


@dataclass(frozen=True)
class Problem:
    """The split's data: graph, households, clusters, band and its rule."""

    graph: Graph
    households: np.ndarray
    clusters: list[str]
    low: float
    high: float
    rule_id: str

    @classmethod
    def of(cls, scenario: Scenario, rules: RuleSet, cut_factor: float) -> "Problem":
        b = scenario.buildings
        xy = np.array([[x.x, x.y] for x in b], dtype=float)
        h = np.array([x.units for x in b], dtype=float)
        g = adjacency([x.id for x in b], xy, cut_factor)
        if rules.has("community_households"):
            rule = rules.role("community_households")
            low, high = band(rule)
            rid = rule.id
        else:
            low, high, rid = 0.0, float(h.sum()), "community_households"
        return cls(g, h, [x.cluster for x in b], float(low), float(high), rid)


def split_indices(scenario: Scenario, rules: RuleSet, *, solver: str | None = None, time_limit: float = 10.0,
                  gap: float = 0.001, weights: Weights = Weights(), cut_factor: float = 6.0,
                  whole_clusters: bool = True, formulation: Formulation = STRONG,
                  ) -> tuple[Graph, np.ndarray, SplitResult, tuple[float, float], str]:
    """Solve the split within about ``time_limit`` seconds in all; returns the graph, households, the
    result, the band and the band's rule id. ``whole_clusters=False`` drops (8) (every building a unit).

    Part by part, the heuristic looks for a split within the band, first with (8), then without; a part
    where it finds one is solved with the band as a hard constraint and the cuts (7), (9)-(11), warm-started
    from it; a part where it finds none is solved relaxed (see ``SplitModel``). If the solver returns
    nothing better in its time, the heuristic's split is kept: a cut-off solve never turns a split within
    the band into a relaxed one."""
    t0 = time.perf_counter()
    if any(b.office_space_m2 for b in scenario.buildings):                                    # office site
        weights = replace(weights, no_office_space=frozenset(i for i, b in enumerate(scenario.buildings)
                                                             if not b.office_space_m2))
    pr = Problem.of(scenario, rules, cut_factor)
    g, h, low, high, rid = pr.graph, pr.households, pr.low, pr.high, pr.rule_id
    name = solver or ("highs" if "highs" in available() else "cbc")
    costs = Costs(weights.community, weights.household_km / 1000.0, weights.cluster_split)
    totals: dict[str, float] = {}
    for i, c in enumerate(pr.clusters):
        totals[c] = totals.get(c, 0.0) + h[i]
    in_band = {c for c, t in totals.items() if low <= t <= high} if whole_clusters else set()
    single = units_of(g, h, pr.clusters, set())

    hard_comps, hard_seed, hard_whole, soft_comps, soft_seed = [], [], set(), [], []
    for comp in g.components():
        whole = {pr.clusters[i] for i in comp} & in_band
        while True:
            un = units_of(g, h, pr.clusters, whole)
            ok, coms = _heuristic(un, comp, low, high, costs)
            release = set() if ok else _blocking(coms, un, whole, low, high)
            if ok or not release:
                break
            whole -= release
        if ok:
            hard_comps.append(comp)
            hard_seed += coms
            hard_whole |= whole
        else:
            soft_comps.append(comp)
            if whole:
                _, coms1 = _heuristic(single, comp, low, high, costs)
                coms = coms1 if _violation(coms1, h, low, high) <= _violation(coms, h, low, high) else coms
            soft_seed += coms
    in_band = time.perf_counter() - t0 if not soft_comps else None
    t_left = lambda: max(0.2, time_limit - (time.perf_counter() - t0))  # noqa: E731
    n_all = sum(len(c) for c in hard_comps + soft_comps)
    results: list[SolveResult] = []
    solves: list[tuple[float, SolveResult]] = []
    found: list[tuple[list[int], int]] = []
    method = "mip"
    if hard_comps:
        un = units_of(g, h, pr.clusters, hard_whole)
        parts = [sorted({un.unit_of[i] for i in comp}) for comp in hard_comps]
        seed = _to_units(hard_seed, un)
        tb = time.perf_counter()
        model = SplitModel.build(un, parts, low, high, rid, weights, seed, relaxed=False, formulation=formulation)
        model.warm_start(seed, low, high)
        # PuLP hands the model to the solver in about half the time it took to build: leave that out
        overhead = 0.5 * (time.perf_counter() - tb) + 0.1
        share = max(0.2, t_left() * sum(len(c) for c in hard_comps) / n_all - overhead)
        later, solved = model.later is not None, False    # (14), when it comes after a first stage
        if later and name == "highs":     # a run with (14) joins after ``stage`` s if the gap is still wide
            def with_counts(left: float, proven) -> tuple[SplitModel, dict]:
                return _second_model(un, parts, low, high, rid, weights, seed, formulation, gap, left, proven)

            start = time.perf_counter() - t0
            model, res = joined(model, with_counts, share, gap, formulation.highs_options(), formulation.stage,
                                formulation.stage_gap)
            solves.append((start, res))
            solved = True
        elif later:        # CBC: first without (14) for ``stage`` seconds; not proven, again with (14)
            first = solve(model.problem, name, min(share, formulation.stage), gap, formulation.highs_options())
            if first.status is SolveStatus.OPTIMAL or share <= formulation.stage:
                res, solved = first, True
                solves.append((time.perf_counter() - t0 - first.seconds, first))
            else:          # from the best split in hand; the first stage's time counts
                seed, _, _ = _better(model, first, seed, un, weights)
                model.add_later()
                model.warm_start(seed, low, high)
                share -= first.seconds
        if not solved:
            start = time.perf_counter() - t0
            res = solve(model.problem, name, max(0.2, share), gap,
                        formulation.highs_options(counts=formulation.local_counts and model.later is None))
            solves.append((start, res))
        coms, res, used = _better(model, res, seed, un, weights)
        found += _to_buildings(coms, un)
        method = "mip" if used else "heuristic"
        results.append(res)
    if soft_comps:
        parts = [sorted(c) for c in soft_comps]
        start = time.perf_counter() - t0
        coms, res, used = _solve_relaxed(single, parts, low, high, rid, weights, _to_units(soft_seed, single),
                                         name, t_left(), gap, formulation)
        solves.append((start, res))
        found += _to_buildings(coms, single)
        if not used:
            method = "heuristic"
        results.append(res)
    total = combine(results, name, time.perf_counter() - t0)
    out = tuple(sorted(((tuple(m), _office(m, j, g, h, weights)) for m, j in found),
                       key=lambda c: (-h[list(c[0])].sum(), c[0][0])))
    viol = sum(violation(float(h[list(m)].sum()), low, high) for m, _ in out)
    secs = time.perf_counter() - t0
    if in_band is None and viol == 0:
        in_band = secs
    return g, h, SplitResult(out, total, method, viol, secs, in_band, tuple(solves)), (low, high), rid


def _second_model(units: Units, parts: list[list[int]], low: float, high: float, rid: str, weights: Weights,
                  seed: list[tuple[list[int], int]], formulation: Formulation, gap: float, left: float,
                  proven) -> tuple[SplitModel, dict]:
    """The model with (14) for the second run (``optimize.split_race``), warm-started, and HiGHS's options for
    it (``Formulation.highs_options``: restarts off unless it starts from the restricted split). With
    ``formulation.restricted``, from the split of the model over its LP's centres (``optimize.split_restricted``,
    within that share of the ``left`` seconds; ``proven()`` ends it), its candidate pairs those of the radius
    and of that split, no longer the heuristic's: those beyond the radius make the model weaker (README,
    "Performance of the split")."""
    full = replace(formulation, stage=None)
    second = SplitModel.build(units, parts, low, high, rid, weights, seed, relaxed=False, formulation=full)
    start = seed
    if formulation.restricted:
        def restricted(centres: set[int]) -> SplitModel:
            m = SplitModel.build(units, parts, low, high, rid, weights, seed, relaxed=False, name="restricted_split",
                                 formulation=full, centres=centres)
            m.warm_start(seed, low, high)
            return m

        # HiGHS's defaults for the restricted run, sub-MIP heuristics on: it is there to find a split
        start, _ = better_start(second, restricted, seed, lambda c: _objective(c, units, weights),
                                formulation.restricted * left, gap, {}, proven)
        if start is not seed:
            second = SplitModel.build(units, parts, low, high, rid, weights, start, relaxed=False, formulation=full)
    second.warm_start(start, low, high)
    return second, formulation.highs_options(counts=True, restricted=start is not seed)


def _heuristic(units: Units, comp: list[int], low: float, high: float,
               costs: Costs) -> tuple[bool, list[tuple[list[int], int]]]:
    """The heuristic's split of one part (buildings), and whether it keeps every community in the band."""
    part = sorted({units.unit_of[i] for i in comp})
    coms = split_heuristic(units, [part], low, high, costs)
    ok = all(violation(float(units.households[m].sum()), low, high) == 0 for m, _ in coms)
    return ok, _to_buildings(coms, units)


def _violation(coms: list[tuple[list[int], int]], h: np.ndarray, low: float, high: float) -> float:
    """Households outside the band, summed over communities (building indices)."""
    return sum(violation(float(h[m].sum()), low, high) for m, _ in coms)


def _blocking(coms: list[tuple[list[int], int]], units: Units, whole: set[str], low: float,
              high: float) -> set[str]:
    """Whole clusters in or next to a community outside the band: kept whole, they may be what stops it
    reaching the band, so (8) is lifted for them and the heuristic tries again."""
    out: set[str] = set()
    hh = units.households
    for members, _ in coms:
        us = sorted({units.unit_of[i] for i in members})
        if violation(float(hh[us].sum()), low, high) == 0:
            continue
        near = set(us) | {k for u in us for k in units.neighbours[u]}
        out |= {units.cluster[k] for k in near if units.whole[k] and units.cluster[k] in whole}
    return out


def _better(model: SplitModel, res: SolveResult, seed: list[tuple[list[int], int]], units: Units,
            w: Weights) -> tuple[list[tuple[list[int], int]], SolveResult, bool]:
    """The solver's split if it has one at least as good as the seed, else the seed with its own
    objective and the solver's bound (the gap then measured from the seed)."""
    seed_obj = _objective(seed, units, w)
    if res.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE) and res.objective is not None \
            and res.objective <= seed_obj + 1e-6:
        return model.communities(), res, True
    gap = (seed_obj - res.bound) / max(1e-9, abs(seed_obj)) if res.bound is not None else None
    status = SolveStatus.FEASIBLE
    return seed, SolveResult(status, res.solver, seed_obj, res.bound, gap, res.seconds,
                             res.solver_status, res.progress), False


def _solve_relaxed(units: Units, parts: list[list[int]], low: float, high: float, rid: str, weights: Weights,
                   seed: list[tuple[list[int], int]], name: str, time_limit: float, gap: float,
                   formulation: Formulation = STRONG) -> tuple[list[tuple[list[int], int]], SolveResult, bool]:
    """The two steps of a relaxed part: fewest households outside the band, then the objective."""
    t0 = time.perf_counter()
    seed_viol = sum(violation(float(units.households[m].sum()), low, high) for m, _ in seed)
    model = SplitModel.build(units, parts, low, high, rid, weights, seed, relaxed=True, name="least_violation",
                             formulation=formulation)
    model.problem.setObjective(model.violation_expr())
    model.warm_start(seed, low, high)
    first = solve(model.problem, name, time_limit / 2, 0.0)
    least = seed_viol
    start = seed
    if first.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE) and first.objective is not None \
            and first.objective < seed_viol - 1e-6:
        least = first.objective
        start = model.communities()
    model.problem.setObjective(model.cost)
    model.problem += model.violation_expr() <= least + 1e-6, "least_violation"
    model.warm_start(start, low, high)
    second = solve(model.problem, name, max(0.5, time_limit - (time.perf_counter() - t0)), gap)
    coms, res, used = _better(model, second, start, units, weights)
    if first.status is not SolveStatus.OPTIMAL and res.status is SolveStatus.OPTIMAL:
        # the least violation was not proven, so neither is the objective given it
        res = SolveResult(SolveStatus.FEASIBLE, res.solver, res.objective, res.bound, res.gap, res.seconds,
                          res.solver_status, res.progress)
    res = SolveResult(res.status, res.solver, res.objective, res.bound, res.gap, first.seconds + res.seconds,
                      res.solver_status, tuple((t + first.seconds, o, b) for t, o, b in res.progress))
    return coms, res, used or start is not seed


def _office(members: list[int], centre: int, g: Graph, h: np.ndarray, w: Weights = Weights()) -> int:
    """The member building minimising household-weighted distance (the medoid; the solver's centre
    on ties), with the objective's office-site term: a building planning no office space, where the
    layout plans some, costs w_o more."""
    m = list(members)
    cost = (g.dist[np.ix_(m, m)] * h[m][:, None]).sum(axis=0)
    if w.no_office_space:                                                                      # office site
        per = 1000.0 * w.office_site / w.household_km if w.household_km > 0 else (1e12 if w.office_site else 0.0)
        cost = cost + np.array([per * (i in w.no_office_space) for i in m])
    best = float(cost.min())
    ties = [m[k] for k in range(len(m)) if cost[k] <= best + 1e-9]
    return centre if centre in ties else ties[0]
