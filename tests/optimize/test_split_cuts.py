"""The local count cuts (14): their regions, that they cut off no integer split, and that they bite."""

from __future__ import annotations

import itertools

import pulp
import pytest

from optimize.graph import units_of
from optimize import split as split_module
from optimize.split import FROM_START, PREVIOUS, STRONG, Formulation, Problem, SplitModel, Weights, split_indices
from optimize.split_cuts import MULTIPLES, count_cuts, count_regions, implied_left_out
from optimize.solver import SolveStatus
from scenarios import family_layout
from scenarios.schema import Building
from tests.optimize.conftest import with_buildings

ROW = [900, 700, 800, 600, 1000, 500, 900, 800, 700, 600, 1000, 500]      # 9,000 households in a row
LONG = ROW + [800, 900, 700, 600, 1000, 500]                             # 13,500


def row(households, cluster=lambda i: "A"):
    return [Building(id=f"B{i}", units=h, floor_area_m2=h * 80.0, cluster=cluster(i), x=60.0 * i, y=0.0,
                     delivery_month=0) for i, h in enumerate(households)]


def model(t, r, formulation=FROM_START):
    """The model split_indices builds for ``t`` (no cluster whole: every building a unit)."""
    pr = Problem.of(t, r, 6.0)
    un = units_of(pr.graph, pr.households, pr.clusters, set())
    parts = [sorted(comp) for comp in pr.graph.components()]
    return SplitModel.build(un, parts, pr.low, pr.high, pr.rule_id, Weights(), [], relaxed=False,
                            formulation=formulation), pr


def local_rows(m: SplitModel) -> list[pulp.LpConstraint]:
    # PuLP writes "<rule>.local_count_min[k]" as "<rule>.local_count_min_k_"
    return [c for c in m.problem.constraints() if ".local_count_min_" in c.name]


def test_regions_are_the_smallest_balls_past_each_multiple_of_the_maximum(cq):
    s, r = cq
    t = with_buildings(s, row(ROW))
    pr = Problem.of(t, r, 6.0)
    un = units_of(pr.graph, pr.households, pr.clusters, set())
    regions = count_regions(un, list(range(len(ROW))), 5000.0)
    got = dict(regions)
    # from the west end, buildings 0..6 hold 5,400 (0..5 only 4,500): the first ball past 5,000, two needed
    assert got[tuple(range(7))] == 2
    # from the east end, buildings 5..11 hold 5,000: not above U, so the ball takes 4 as well (6,000)
    assert got[tuple(range(4, 12))] == 2
    assert tuple(range(5, 12)) not in got
    for region, need in regions:
        h = sum(ROW[i] for i in region)
        assert need == -(-h // 5000) >= 2                          # ⌈H_I / U⌉
        # the smallest such ball around some unit: one unit fewer from its far end is not above U
        assert len(region) < len(ROW)                               # the whole part is (7)'s, not a region
    assert len({reg for reg, _ in regions}) == len(regions)         # each region once
    assert regions == count_regions(un, list(range(len(ROW))), 5000.0)


def test_balls_stop_at_the_last_multiple_of_the_maximum_counted(cq):
    s, r = cq
    t = with_buildings(s, row([1000] * 60))                           # 60,000 households: 12 U
    pr = Problem.of(t, r, 6.0)
    un = units_of(pr.graph, pr.households, pr.clusters, set())
    needs = {need for _, need in count_regions(un, list(range(60)), 5000.0)}
    assert needs == set(range(2, MULTIPLES + 2))                     # past U, 2U, …, MULTIPLES × U


def test_no_split_within_the_band_breaks_a_local_count_cut(cq):
    # brute force: on a row, a community is a run of buildings; every run within the band, with every
    # office its candidates allow, in every partition of the row, meets every cut (14)
    s, r = cq
    t = with_buildings(s, row(LONG))
    m, pr = model(t, r)
    rows = local_rows(m)
    takers: dict[int, set[int]] = {}
    for u, j in m.x:
        takers.setdefault(u, set()).add(j)
    every = [(sorted({j for u in reg for j in takers[u]}), need) for reg, need in
             count_regions(m.units, list(range(len(LONG))), pr.high)]       # before leaving out the implied
    assert len(every) > 10 and 0 < len(rows) < len(every)
    n = len(LONG)
    runs = {}
    for a in range(n):
        for b in range(a + 1, n + 1):
            h = sum(LONG[a:b])
            if pr.low <= h <= pr.high:
                runs[a, b] = [j for j in range(a, b) if all((u, j) in m.x for u in range(a, b))]
    checked = 0

    def partitions(a):
        if a == n:
            yield []
            return
        for b in range(a + 1, n + 1):
            if (a, b) in runs and runs[a, b]:
                for rest in partitions(b):
                    yield [(a, b)] + rest

    for parts in partitions(0):
        for offices in itertools.product(*(runs[p] for p in parts)):
            for var in m.problem.variables():
                var.varValue = 0
            for (a, b), j in zip(parts, offices):
                for u in range(a, b):
                    m.x[u, j].varValue = 1
            assert all(c.valid(1e-9) for c in rows), (parts, offices)
            assert all(sum(j in offices for j in js) >= need for js, need in every), (parts, offices)
            checked += 1
    assert checked > 50


def test_the_cuts_keep_the_optimum_and_raise_the_bound(cq):
    s, r = cq
    t = with_buildings(s, family_layout("mixed-phases", buildings=40, seed=3))
    objs = []
    for f in (PREVIOUS, FROM_START):
        _, _, res, _, _ = split_indices(t, r, solver="highs", time_limit=60, gap=0.0, formulation=f)
        assert res.solve.status is SolveStatus.OPTIMAL
        objs.append(res.solve.objective)
    assert objs[1] == pytest.approx(objs[0], abs=1e-6)
    # the LP relaxation: the cuts are not implied by the rest of the model on this estate
    bounds = []
    for f in (PREVIOUS, FROM_START):
        m, _ = model(t, r, f)
        m.problem.solve(pulp.HiGHS(msg=False, mip=False))
        bounds.append(pulp.value(m.problem.objective))
    assert bounds[1] > bounds[0] + 1e-3


def test_the_cuts_are_switchable_and_left_out_of_a_relaxed_part(cq):
    s, r = cq
    t = with_buildings(s, row(ROW))
    assert local_rows(model(t, r)[0]) and not local_rows(model(t, r, Formulation(local_counts=False))[0])
    pr = Problem.of(t, r, 6.0)
    un = units_of(pr.graph, pr.households, pr.clusters, set())
    relaxed = SplitModel.build(un, [list(range(len(ROW)))], pr.low, pr.high, pr.rule_id, Weights(), [], relaxed=True)
    assert not local_rows(relaxed)


@pytest.mark.parametrize("stage, wide, with_cuts", [(60.0, 0.01, [0]), (0.0, 0.0, [0, "some"])])
def test_the_cuts_come_after_a_first_stage_only_where_it_leaves_the_gap_wide(cq, monkeypatch, stage, wide, with_cuts):
    """STRONG solves first without (14); a run that proves the gap within its stage (a long one) is the
    only solve; where the gap is still wide at the stage (at once, any gap), a run with (14) joins it; the
    optimum is the same."""
    s, r = cq
    t = with_buildings(s, family_layout("mixed-phases", buildings=40, seed=3))
    seen, real = [], split_module.solve

    def counted(problem, *args, **kwargs):
        seen.append(sum(".local_count_min_" in c.name for c in problem.constraints()))
        return real(problem, *args, **kwargs)

    from optimize import split_race
    monkeypatch.setattr(split_race, "solve", counted)
    f = Formulation(stage=stage, stage_gap=wide)
    _, _, res, _, _ = split_indices(t, r, solver="highs", time_limit=60, gap=0.0, formulation=f)
    assert [n if n == 0 else "some" for n in seen] == with_cuts
    assert res.solve.status is SolveStatus.OPTIMAL
    monkeypatch.setattr(split_race, "solve", real)
    _, _, plain, _, _ = split_indices(t, r, solver="highs", time_limit=60, gap=0.0, formulation=PREVIOUS)
    assert res.solve.objective == pytest.approx(plain.solve.objective, abs=1e-6)


def test_a_cut_another_implies_is_left_out():
    cuts = [((10, 11), 2), ((10, 11, 12), 2), ((20, 21), 2), ((20, 21), 3), ((20, 21, 22), 2)]
    # {10, 11} within {10, 11, 12}, same count: the larger goes; equal offices: the higher count stays,
    # and it implies {20, 21, 22} ≥ 2
    assert implied_left_out(cuts) == [((10, 11), 2), ((20, 21), 3)]
    # a higher count on the larger set of offices is not implied: it stays
    assert implied_left_out([((10,), 2), ((10, 12), 3)]) == [((10,), 2), ((10, 12), 3)]


def test_the_cuts_are_the_regions_offices_less_the_implied(cq):
    s, r = cq
    t = with_buildings(s, row(LONG))
    m, pr = model(t, r)
    takers: dict[int, set[int]] = {}
    for u, j in m.x:
        takers.setdefault(u, set()).add(j)
    part = list(range(len(LONG)))
    direct = [(tuple(sorted({j for u in reg for j in takers[u]})), need)
              for reg, need in count_regions(m.units, part, pr.high)]
    assert count_cuts(m.units, part, pr.high, takers) == implied_left_out(direct)
    rows = sorted((sorted(int(v.name.split("_")[-1]) for v in c.keys()), -int(c.constant)) for c in local_rows(m))
    assert rows == sorted((list(o), n) for o, n in implied_left_out(direct))
