"""Building adjacency: Delaunay triangulation of the building points, edges longer than a cut dropped."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import connected_components
from scipy.sparse import coo_matrix
from scipy.spatial import Delaunay, QhullError


@dataclass(frozen=True)
class Graph:
    """Undirected adjacency over buildings 0..n-1 with pairwise distances (metres)."""

    ids: tuple[str, ...]
    neighbours: tuple[tuple[int, ...], ...]
    dist: np.ndarray

    def components(self) -> list[list[int]]:
        n = len(self.ids)
        rows = [i for i in range(n) for _ in self.neighbours[i]]
        cols = [k for i in range(n) for k in self.neighbours[i]]
        m = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
        _, lab = connected_components(m, directed=False)
        out: dict[int, list[int]] = {}
        for i, c in enumerate(lab):
            out.setdefault(int(c), []).append(i)
        return [out[k] for k in sorted(out)]


def adjacency(ids: list[str], xy: np.ndarray, cut_factor: float = 6.0) -> Graph:
    """Delaunay edges no longer than ``cut_factor`` × the median nearest-neighbour distance.

    The cut is a modelling choice, not a rule: it keeps a long edge across an empty field (a road, a
    park, another estate) from making two distant buildings "adjacent".
    """
    n = len(ids)
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    edges: set[tuple[int, int]] = set()
    if n == 2:
        edges.add((0, 1))
    elif n >= 3:
        try:
            tri = Delaunay(xy)
            for s in tri.simplices:
                for a in range(3):
                    i, k = int(s[a]), int(s[(a + 1) % 3])
                    edges.add((min(i, k), max(i, k)))
        except QhullError:  # collinear points: chain them in order along the line
            order = np.lexsort((xy[:, 1], xy[:, 0]))
            for a, b in zip(order[:-1], order[1:]):
                edges.add((min(a, b), max(a, b)))
    if n >= 2:
        dd = d + np.eye(n) * 1e18
        cut = cut_factor * float(np.median(dd.min(axis=1)))
        edges = {e for e in edges if d[e] <= cut}
    nb: list[list[int]] = [[] for _ in range(n)]
    for i, k in sorted(edges):
        nb[i].append(k)
        nb[k].append(i)
    return Graph(tuple(ids), tuple(tuple(sorted(x)) for x in nb), d)


@dataclass(frozen=True)
class Units:
    """The nodes the split assigns: single buildings, and clusters (组团) kept whole.

    ``members[u]`` are the buildings of unit u; ``whole[u]`` says the unit is all of its cluster (so the
    cluster is one piece whatever the split); ``near[u, j]`` is the distance (metres) from the unit's
    nearest building to building j and ``cost[u, j]`` the households of u times their distances to j
    (household-metres), so a community centred (office) at j costs Σ cost[u, j] over its units exactly
    as Σ h_i d_ij over its buildings.
    """

    members: tuple[tuple[int, ...], ...]
    households: np.ndarray
    cluster: tuple[str, ...]
    whole: tuple[bool, ...]
    neighbours: tuple[tuple[int, ...], ...]
    unit_of: tuple[int, ...]                 # building -> unit
    near: np.ndarray
    cost: np.ndarray

    def __len__(self) -> int:
        return len(self.members)

    def nearer(self, k: int, u: int, j: int) -> bool:
        """Whether unit k comes before unit u on the way to office j: nearer, the unit holding j first on
        a tie, then the lower index (a strict order, so that co-located or equidistant buildings can
        still chain to the office)."""
        r = self.unit_of[j]
        return (self.near[k, j], k != r, k) < (self.near[u, j], u != r, u)


def units_of(graph: Graph, households: np.ndarray, clusters: list[str], whole: set[str]) -> Units:
    """Contract each cluster named in ``whole`` (and connected in ``graph``) into one unit; every other
    building is a unit of its own. Units are ordered by their lowest building index."""
    n = len(households)
    by_cluster: dict[str, list[int]] = {}
    for i, c in enumerate(clusters):
        by_cluster.setdefault(c, []).append(i)
    groups: list[tuple[int, ...]] = []
    done: set[int] = set()
    for i in range(n):
        if i in done:
            continue
        c = clusters[i]
        if c in whole and _connected(by_cluster[c], graph):
            g = tuple(by_cluster[c])
        else:
            g = (i,)
        groups.append(g)
        done.update(g)
    unit_of = [0] * n
    for u, g in enumerate(groups):
        for i in g:
            unit_of[i] = u
    nb = [sorted({unit_of[k] for i in g for k in graph.neighbours[i]} - {u}) for u, g in enumerate(groups)]
    near = np.stack([graph.dist[list(g)].min(axis=0) for g in groups]) if groups else np.zeros((0, n))
    cost = np.stack([households[list(g)] @ graph.dist[list(g)] for g in groups]) if groups else np.zeros((0, n))
    return Units(tuple(groups), np.array([households[list(g)].sum() for g in groups], dtype=float),
                 tuple(clusters[g[0]] for g in groups), tuple(len(g) == len(by_cluster[clusters[g[0]]]) for g in groups),
                 tuple(tuple(x) for x in nb), tuple(unit_of), near, cost)


def _connected(members: list[int], graph: Graph) -> bool:
    m = set(members)
    seen, stack = {members[0]}, [members[0]]
    while stack:
        for k in graph.neighbours[stack.pop()]:
            if k in m and k not in seen:
                seen.add(k)
                stack.append(k)
    return seen == m
