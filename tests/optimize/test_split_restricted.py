"""The second run's start (``optimize.split_restricted``): the model over the centres its LP relaxation opens."""

from __future__ import annotations

import pulp
import pytest

from optimize import split_race as race_module
from optimize import split_restricted
from optimize.graph import units_of
from optimize.solver import SolveStatus
from optimize.split import (FROM_START, PREVIOUS, Formulation, Problem, SplitModel, Weights, _objective,
                            split_indices)
from optimize.split_restricted import better_start, lp_centres
from scenarios import family_layout
from tests.optimize.conftest import with_buildings
from tests.optimize.test_split_cuts import ROW, row

# two communities of 4,500 households, each with its office at the row's far end: in the band and valid for
# contiguity (5), but far from the least household-km
ENDS = [(list(range(6)), 0), (list(range(6, 12)), 11)]


def parts_of(t, r):
    pr = Problem.of(t, r, 6.0)
    un = units_of(pr.graph, pr.households, pr.clusters, set())
    return pr, un, [sorted(comp) for comp in pr.graph.components()]


def build(pr, un, parts, seed, centres=None):
    m = SplitModel.build(un, parts, pr.low, pr.high, pr.rule_id, Weights(), seed, relaxed=False,
                         formulation=FROM_START, centres=centres)
    m.warm_start(seed, pr.low, pr.high)
    return m


def test_only_the_centres_given_and_the_seeds_offices_are_centres(cq):
    s, r = cq
    pr, un, parts = parts_of(with_buildings(s, row(ROW)), r)
    assert len(build(pr, un, parts, ENDS).y) == len(ROW)
    m = build(pr, un, parts, ENDS, centres={3, 8})
    assert sorted(m.y) == [0, 3, 8, 11]
    assert {j for _, j in m.x} == {0, 3, 8, 11}
    # a centre keeps every unit the whole model gives it
    full = build(pr, un, parts, ENDS)
    assert sorted(u for u, j in m.x if j == 3) == sorted(u for u, j in full.x if j == 3)


def test_the_lp_centres_are_those_the_relaxation_opens(cq):
    s, r = cq
    pr, un, parts = parts_of(with_buildings(s, row(ROW)), r)
    m = build(pr, un, parts, ENDS)
    centres = lp_centres(m, 10.0)
    opened = {j: y.value() for j, y in m.y.items()}      # the LP's values stay on the variables
    assert centres == {j for j, v in opened.items() if v > split_restricted.OPEN}
    assert 2 <= len(centres) < len(ROW)
    assert sum(opened.values()) >= 2 - 1e-6                # (7): 9,000 households need two communities


def test_the_restricted_split_is_better_than_a_poor_seed(cq):
    s, r = cq
    pr, un, parts = parts_of(with_buildings(s, row(ROW)), r)
    m = build(pr, un, parts, ENDS)
    cost = lambda c: _objective(c, un, Weights())   # noqa: E731
    start, res = better_start(m, lambda centres: build(pr, un, parts, ENDS, centres), ENDS, cost, 10.0, 0.0, {},
                              lambda: False)
    assert res is not None and res.status is SolveStatus.OPTIMAL
    assert cost(start) < cost(ENDS) - 0.01
    assert sorted(u for ms, _ in start for u in ms) == list(range(len(ROW)))
    assert all(pr.low <= pr.households[ms].sum() <= pr.high for ms, _ in start)
    # no better than the whole model's optimum
    whole = build(pr, un, parts, ENDS)
    whole.problem.solve(pulp.HiGHS(msg=False, threads=1))
    assert cost(start) >= pulp.value(whole.problem.objective) - 1e-6


def test_a_stop_keeps_the_seed(cq):
    s, r = cq
    pr, un, parts = parts_of(with_buildings(s, row(ROW)), r)
    m = build(pr, un, parts, ENDS)
    start, res = better_start(m, lambda centres: build(pr, un, parts, ENDS, centres), ENDS,
                              lambda c: _objective(c, un, Weights()), 10.0, 0.0, {}, lambda: True)
    assert start is ENDS and res is None


@pytest.mark.parametrize("share, restricted", [(0.5, True), (0.0, False)])
def test_the_second_run_starts_from_the_restricted_split_where_asked(cq, monkeypatch, share, restricted):
    """With the second run forced at once, the restricted model is solved before it (``restricted`` > 0)
    or not at all (0); the optimum is the same as without (14)."""
    s, r = cq
    t = with_buildings(s, family_layout("mixed-phases", buildings=40, seed=3))
    names, real = [], split_restricted.solve

    def named(problem, *args, **kwargs):
        names.append(problem.name)
        return real(problem, *args, **kwargs)

    monkeypatch.setattr(split_restricted, "solve", named)
    f = Formulation(stage=0.0, stage_gap=0.0, restricted=share)
    _, _, res, _, _ = split_indices(t, r, solver="highs", time_limit=60, gap=0.0, formulation=f)
    assert names == (["restricted_split"] if restricted else [])
    assert res.solve.status is SolveStatus.OPTIMAL
    _, _, plain, _, _ = split_indices(t, r, solver="highs", time_limit=60, gap=0.0, formulation=PREVIOUS)
    assert res.solve.objective == pytest.approx(plain.solve.objective, abs=1e-6)


def test_highs_restarts_its_search_only_in_a_run_without_the_cuts(cq, monkeypatch):
    f = Formulation()
    assert f.highs_options(counts=True)["mip_allow_restart"] is False
    assert "mip_allow_restart" not in f.highs_options()
    assert "mip_allow_restart" not in Formulation(restarts=True).highs_options(counts=True)
    # through the race: the run without (14) keeps HiGHS's restarts, the run with it goes without
    s, r = cq
    t = with_buildings(s, family_layout("mixed-phases", buildings=40, seed=3))
    seen, real = [], race_module.solve

    def recorded(problem, name, limit, gap, options=None, stop=None):
        seen.append((any(".local_count_min_" in c.name for c in problem.constraints()), dict(options or {})))
        return real(problem, name, limit, gap, options, stop)

    monkeypatch.setattr(race_module, "solve", recorded)
    split_indices(t, r, solver="highs", time_limit=60, gap=0.0, formulation=Formulation(stage=0.0, stage_gap=0.0))
    assert [(cuts, o.get("mip_allow_restart", True)) for cuts, o in seen] == [(False, True), (True, False)]


def test_the_second_run_restarts_only_from_the_restricted_split(cq):
    """HiGHS keeps its restarts where the second run starts from the restricted model's better split (on
    `mixed-phases` 200 seed 1 a proven 1% at 3.9 s against 7.6-9.3 without), not from the heuristic's."""
    from optimize.split import _second_model

    assert "mip_allow_restart" not in Formulation().highs_options(counts=True, restricted=True)
    assert Formulation(restarts_from_restricted=False).highs_options(counts=True, restricted=True)[
        "mip_allow_restart"] is False
    s, r = cq
    pr, un, parts = parts_of(with_buildings(s, row(ROW)), r)
    args = (un, parts, pr.low, pr.high, pr.rule_id, Weights(), ENDS)
    model, options = _second_model(*args, Formulation(), 0.0, 10.0, lambda: False)
    assert "mip_allow_restart" not in options                      # ENDS is poor: the restricted split is better
    model, options = _second_model(*args, Formulation(restricted=0.0), 0.0, 10.0, lambda: False)
    assert options["mip_allow_restart"] is False                   # from the heuristic's split (here ENDS)
