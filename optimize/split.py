"""The community split as a mixed-integer programme (PuLP; HiGHS by default, CBC as an alternative)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pulp

from optimize.graph import Graph, adjacency
from optimize.heuristic import grow, medoid
from optimize.solver import SolveResult, SolveStatus, available, solve
from scenarios.schema import Scenario
from standards.formulas import band
from standards.ruleset import RuleSet


@dataclass(frozen=True)
class Weights:
    """Objective weights (scenario ``[optimizer]``): per community, per household-km from the office,
    per extra cluster piece, per household outside the size band (the relaxation)."""

    community: float = 1.0
    household_km: float = 0.001
    cluster_split: float = 0.5
    band_violation_per_household: float = 1.0


@dataclass(frozen=True)
class SplitResult:
    """Communities as building-index lists with their office index, and how they were found."""

    communities: tuple[tuple[tuple[int, ...], int], ...]
    solve: SolveResult
    method: str            # "mip" or "heuristic"


RADIUS_FACTOR = 1.0  # a modelling cut on candidate pairs, not a rule


class SplitModel:
    """Community split: a p-median assignment with contiguity and a household band.

    Sets: buildings i, k ∈ B with households h_i (planned flats: full occupancy), cluster c(i);
    candidate centres j ∈ J(i) (buildings within radius R of i, always i itself); graph neighbours N(i)
    (Delaunay with a distance cut, ``optimize.graph``); distances d_ij in km; band [L, U] from the role
    ``community_households`` (CQ-73 §一(一) in Chongqing; an override may enlarge U to follow clusters).

    Variables: x_ij ∈ {0,1} building i in the community centred (office) at j; y_j = x_jj open;
    v_cj ∈ [0,1] cluster c touches community j; s⁻_j, s⁺_j ≥ 0 households below L / above U.

    min  w_c Σ_j y_j + w_d Σ_ij h_i d_ij x_ij + w_k Σ_cj v_cj + w_s Σ_j (s⁻_j + s⁺_j)

    (1) ``assign[i]``                              Σ_j x_ij = 1                      each building in one community
    (2) ``office[i,j]``                            x_ij ≤ y_j                         only open centres take buildings
    (3) ``<band rule>.community_size_min[j]``      Σ_i h_i x_ij + s⁻_j ≥ L y_j
    (4) ``<band rule>.community_size_max[j]``      Σ_i h_i x_ij − s⁺_j ≤ U y_j
    (5) ``contiguity[i,j]``                        x_ij ≤ Σ_{k∈N(i), d_kj<d_ij} x_kj  (i ≠ j): a path of
        ever-nearer neighbours leads from i to the office, so communities are connected and compact
    (7) ``<band rule>.community_count``            Σ_j y_j ≥ ⌈Σ_i h_i / U⌉ (a valid cut that tightens the
        LP bound; implied by (1), (4) when no building alone exceeds U, which is also when s⁺ is dropped)
    (6) ``cluster[c,j]``                           v_cj ≥ x_ij  for i in cluster c: a cluster split over two
        communities costs w_k per extra piece (CQ-73 §一(一) asks communities to follow clusters)

    Slacks s⁻ > 0 or s⁺ > 0 mean the band cannot be met (the plan is ``relaxed``); their weight makes the
    solver use the fewest relaxed households first.
    """

    def __init__(self, problem: pulp.LpProblem, x: dict, y: dict, slo: dict, shi: dict, v: dict) -> None:
        self.problem, self.x, self.y, self.slo, self.shi, self.v = problem, x, y, slo, shi, v

    @classmethod
    def build(cls, graph: Graph, households: np.ndarray, clusters: list[str], low: float, high: float,
              rule_id: str, weights: Weights, seed_split: list[list[int]]) -> "SplitModel":
        n = len(households)
        dkm = graph.dist / 1000.0
        cand = cls._candidates(graph, households, high, seed_split)
        p = pulp.LpProblem("community_split", pulp.LpMinimize)
        x = {(i, j): p.add_variable(f"x_{i}_{j}", 0, 1, pulp.LpBinary) for j in range(n) for i in cand[j]}
        y = {j: x[j, j] for j in range(n)}
        slo = {j: p.add_variable(f"slo_{j}", 0, None) for j in range(n)}
        # a building of at most U households can always be a community on its own, so only a building
        # above U can force a community over the band: only those get an upper slack
        shi = {j: p.add_variable(f"shi_{j}", 0, None) for j in range(n) if households[j] > high}
        cl = sorted(set(clusters))
        v = {(c, j): p.add_variable(f"v_{ci}_{j}", 0, 1) for ci, c in enumerate(cl) for j in range(n)
             if any(clusters[i] == c for i in cand[j])}
        p += (weights.community * pulp.lpSum(y.values())
              + weights.household_km * pulp.lpSum(households[i] * dkm[i, j] * x[i, j] for i, j in x)
              + weights.cluster_split * pulp.lpSum(v.values())
              + weights.band_violation_per_household * pulp.lpSum(list(slo.values()) + list(shi.values())))
        by_i: dict[int, list[int]] = {i: [] for i in range(n)}
        for i, j in x:
            by_i[i].append(j)
        for i in range(n):                                                          # (1)
            p += pulp.lpSum(x[i, j] for j in by_i[i]) == 1, f"assign[{i}]"
        for (i, j), var in x.items():
            if i == j:
                continue
            p += var <= y[j], f"office[{i},{j}]"                                    # (2)
            nearer = [x[k, j] for k in graph.neighbours[i] if (k, j) in x and graph.dist[k, j] < graph.dist[i, j]]
            p += var <= pulp.lpSum(nearer), f"contiguity[{i},{j}]"                  # (5)
            p += v[clusters[i], j] >= var, f"cluster[{clusters[i]},{i},{j}]"       # (6)
        for j in range(n):
            tot = pulp.lpSum(households[i] * x[i, j] for i in cand[j])
            p += tot + slo[j] >= low * y[j], f"{rule_id}.community_size_min[{j}]"      # (3)
            p += tot - shi.get(j, 0) <= high * y[j], f"{rule_id}.community_size_max[{j}]"     # (4)
            p += v[clusters[j], j] >= y[j], f"cluster[{clusters[j]},{j},{j}]"
        if not shi and high > 0:                                                    # (7)
            p += pulp.lpSum(y.values()) >= math.ceil(households.sum() / high - 1e-9), f"{rule_id}.community_count"
        return cls(p, x, y, slo, shi, v)

    def warm_start(self, coms: list[tuple[list[int], int]], households: np.ndarray, clusters: list[str],
                   low: float, high: float) -> None:
        """The heuristic's split as the solver's starting point (ignored by the solver if it breaks (5))."""
        for var in self.problem.variables():
            var.setInitialValue(0)
        for members, j in coms:
            tot = float(households[members].sum())
            for i in members:
                self.x[i, j].setInitialValue(1)
            self.slo[j].setInitialValue(max(0.0, low - tot))
            if j in self.shi:
                self.shi[j].setInitialValue(max(0.0, tot - high))
        for name, var in self.v.items():
            c, j = name
            var.setInitialValue(1 if any(self.x.get((i, j)) is not None and (self.x[i, j].varValue or 0) > 0.5
                                         for i in range(len(clusters)) if clusters[i] == c) else 0)

    @staticmethod
    def _candidates(graph: Graph, households: np.ndarray, high: float, seed_split: list[list[int]]) -> list[list[int]]:
        """Buildings each centre may take: those within RADIUS_FACTOR × the radius that holds U households around
        it (a modelling cut to keep the model small), plus the heuristic's own pairs."""
        n = len(households)
        radii = []
        for j in range(n):
            order = np.argsort(graph.dist[j], kind="stable")
            cum = np.cumsum(households[order])
            pos = min(int(np.searchsorted(cum, high)), n - 1) if math.isfinite(high) else n - 1
            radii.append(graph.dist[j, order[pos]])
        r = RADIUS_FACTOR * float(np.median(radii)) if n else 0.0
        cand = [sorted({i for i in range(n) if graph.dist[i, j] <= r} | {j}) for j in range(n)]
        for com in seed_split:
            for j in com:
                cand[j] = sorted(set(cand[j]) | set(com))
        return cand


def split_indices(scenario: Scenario, rules: RuleSet, *, solver: str | None = None, time_limit: float = 10.0,
                  gap: float = 0.01, weights: Weights = Weights(), cut_factor: float = 6.0) -> tuple[Graph, np.ndarray, SplitResult, tuple[float, float], str]:
    """Solve the split; returns the graph, households, the result, the band and the band's rule id."""
    b = scenario.buildings
    ids = [x.id for x in b]
    xy = np.array([[x.x, x.y] for x in b], dtype=float)
    h = np.array([x.units for x in b], dtype=float)
    clusters = [x.cluster for x in b]
    g = adjacency(ids, xy, cut_factor)
    if rules.has("community_households"):
        rule = rules.role("community_households")
        low, high = band(rule)
        rid = rule.id
    else:
        low, high, rid = 0.0, math.inf, "community_households"
    seed = grow(g, h, clusters, low, high)
    names = available()
    name = solver or ("highs" if "highs" in names else "cbc")
    if not math.isfinite(high):
        high = float(h.sum())
    model = SplitModel.build(g, h, clusters, low, high, rid, weights, seed)
    model.warm_start([(m, medoid(m, g, h)) for m in seed], h, clusters, low, high)
    res = solve(model.problem, name, time_limit, gap)
    if res.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        groups: dict[int, list[int]] = {}
        for (i, j), var in model.x.items():
            if (var.value() or 0) > 0.5:
                groups.setdefault(j, []).append(i)
        coms = tuple((tuple(sorted(m)), medoid(sorted(m), g, h)) for _, m in sorted(groups.items()))
        method = "mip"
        if res.status is SolveStatus.FEASIBLE and _violation(seed, h, low, high) < _violation(
                [list(c) for c, _ in coms], h, low, high):
            # stopped early with a worse relaxation than the incumbent: keep the incumbent
            coms = tuple((tuple(m), medoid(m, g, h)) for m in seed)
            method = "heuristic"
    else:
        coms = tuple((tuple(m), medoid(m, g, h)) for m in seed)
        method = "heuristic"
    coms = tuple(sorted(coms, key=lambda c: (-h[list(c[0])].sum(), c[0][0])))
    return g, h, SplitResult(coms, res, method), (low, high), rid


def _violation(coms: list[list[int]], h: np.ndarray, low: float, high: float) -> float:
    """Households outside the band, summed over communities."""
    tot = [float(h[c].sum()) for c in coms]
    return sum(max(0.0, low - t, t - high) for t in tot)
