"""A seeded generator of plausible estate layouts, for tests, benchmarks and new examples.

The layouts look like Chongqing public-rental estates (see the README): high-rise towers of a few
hundred flats of 40–80 m² each, grouped in clusters (组团) laid out on a grid of blocks, delivered in
phases a cluster at a time. Everything random comes from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import math

import numpy as np

from scenarios.schema import Building


def synthetic_layout(*, target_flats: int, seed: int, flats_per_building: tuple[int, int] = (300, 600),
                     flat_area_m2: tuple[float, float] = (40.0, 80.0), gross_to_net: float = 1.3,
                     buildings_per_cluster: tuple[int, int] = (6, 14), phases: int = 3,
                     phase_gap_months: int = 12, block_m: float = 60.0, cluster_gap_m: float = 120.0,
                     ) -> list[Building]:
    """Buildings totalling about ``target_flats`` flats.

    ``gross_to_net`` turns flat area into gross building floor area (corridors, cores, walls);
    ``phases`` clusters-in-order groups are delivered ``phase_gap_months`` apart, buildings within a
    phase a few months apart. Clusters sit on a square grid, buildings on a jittered grid inside each.
    """
    if target_flats <= 0:
        raise ValueError("target_flats must be > 0")
    rng = np.random.default_rng(seed)
    lo, hi = flats_per_building
    units: list[int] = []
    while sum(units) < target_flats:
        units.append(int(rng.integers(lo // 10, hi // 10 + 1)) * 10)
    # trim the last building so the estate lands near the target without going below the minimum size
    excess = sum(units) - target_flats
    if units[-1] - excess >= lo:
        units[-1] -= excess

    clusters: list[list[int]] = []
    i = 0
    while i < len(units):
        size = int(rng.integers(buildings_per_cluster[0], buildings_per_cluster[1] + 1))
        clusters.append(list(range(i, min(i + size, len(units)))))
        i += size
    n_clusters = len(clusters)
    grid = math.ceil(math.sqrt(n_clusters))
    per_phase = math.ceil(n_clusters / max(1, phases))

    out: list[Building] = []
    for c, members in enumerate(clusters):
        cx = (c % grid) * (cluster_gap_m + 4 * block_m)
        cy = (c // grid) * (cluster_gap_m + 4 * block_m)
        side = math.ceil(math.sqrt(len(members)))
        phase = c // per_phase
        for k, b in enumerate(members):
            x = cx + (k % side) * block_m + float(rng.normal(0, block_m / 10))
            y = cy + (k // side) * block_m + float(rng.normal(0, block_m / 10))
            area = units[b] * float(rng.uniform(*flat_area_m2)) * gross_to_net
            out.append(Building(
                id=f"B{b + 1:03d}", units=units[b], floor_area_m2=round(area, -1),
                cluster=chr(ord("A") + c) if c < 26 else f"C{c + 1}",
                x=round(x, 1), y=round(y, 1),
                delivery_month=phase * phase_gap_months + int(rng.integers(0, 4))))
    return out
