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


FAMILIES = ("large-clusters", "towers", "one-cluster", "mixed-phases")


def family_layout(family: str, *, buildings: int, seed: int, block_m: float = 60.0,
                  cluster_gap_m: float = 120.0) -> list[Building]:
    """``buildings`` buildings of one of the split's benchmark families (``FAMILIES``), laid out like
    real estates whose clusters are as big as a community or bigger:

    - ``large-clusters``: towers of 200–400 flats in clusters of 4,000–7,000 households (near or above
      the top of a 3,000–5,000 band; the last two share what is left, so they may reach 3,600–8,000,
      and an estate under 4,000 households is one smaller cluster);
    - ``towers``: towers of 100–1,000 flats, clusters of 6–14 of them (so from under 1,000 to over
      10,000 households);
    - ``one-cluster``: towers of 200–400 flats, the whole estate one cluster;
    - ``mixed-phases``: three phases side by side, one of each kind above, delivered a year apart.

    Clusters sit on a square grid, buildings on a jittered grid inside each; everything random comes
    from ``numpy.random.default_rng(seed)``.
    """
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)} (got {family!r})")
    if buildings <= 0:
        raise ValueError("buildings must be > 0")
    rng = np.random.default_rng(seed)
    if family == "mixed-phases":
        n = [buildings // 3 + (1 if k < buildings % 3 else 0) for k in range(3)]
        kinds = ["large-clusters", "towers", "one-cluster"]
        groups = [_family_clusters(kind, n[k], rng) for k, kind in enumerate(kinds)]
    else:
        groups = [_family_clusters(family, buildings, rng)]
    out: list[Building] = []
    x0 = 0.0
    b = 0
    for phase, clusters in enumerate(groups):
        span = max((math.ceil(math.sqrt(len(m))) for m in clusters), default=1) * block_m
        pitch = span + cluster_gap_m
        grid = math.ceil(math.sqrt(len(clusters))) if clusters else 1
        for c, members in enumerate(clusters):
            cx = x0 + (c % grid) * pitch
            cy = (c // grid) * pitch
            side = math.ceil(math.sqrt(len(members)))
            name = f"P{phase + 1}C{c + 1}" if len(groups) > 1 else f"C{c + 1}"
            for k, units in enumerate(members):
                b += 1
                x = cx + (k % side) * block_m + float(rng.normal(0, block_m / 10))
                y = cy + (k // side) * block_m + float(rng.normal(0, block_m / 10))
                area = units * float(rng.uniform(40.0, 80.0)) * 1.3
                out.append(Building(id=f"B{b:04d}", units=units, floor_area_m2=round(area, -1), cluster=name,
                                    x=round(x, 1), y=round(y, 1),
                                    delivery_month=phase * 12 + int(rng.integers(0, 4))))
        x0 += grid * pitch
    return out


def _family_clusters(kind: str, n: int, rng: np.random.Generator) -> list[list[int]]:
    """``n`` buildings' flats grouped in clusters, as the family ``kind`` has them."""
    if n <= 0:
        return []
    if kind == "towers":
        flats = [int(rng.integers(10, 101)) * 10 for _ in range(n)]
        out, i = [], 0
        while i < n:
            size = int(rng.integers(6, 15))
            out.append(flats[i:i + size])
            i += size
        return out
    flats = [int(rng.integers(20, 41)) * 10 for _ in range(n)]
    if kind == "one-cluster":
        return [flats]
    out: list[list[int]] = []
    i = 0
    while i < n:
        rest = sum(flats[i:])
        if rest <= 8000:
            # what is left is one cluster (7,000-8,000 households cannot make two of 4,000 or more)
            goal = float(rest)
        elif rest < 11000:
            goal = rest / 2
        else:
            goal = float(rng.uniform(4000, 7000))
        cur = [flats[i]]
        i += 1
        while i < n and sum(cur) < goal and sum(cur) + flats[i] <= max(7000, goal):
            cur.append(flats[i])
            i += 1
        out.append(cur)
    return out
