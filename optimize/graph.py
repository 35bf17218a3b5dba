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
