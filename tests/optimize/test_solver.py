"""The solver layer: the status, bound and gap come from the solver itself; CBC is found without the
deprecated PULP_CBC_CMD; independent parts add up."""

from __future__ import annotations

import warnings

import pulp
import pytest

from optimize.solver import SolveResult, SolveStatus, _cbc_log, available, cbc_solver, combine, solve


def knapsack(constant: float = 0.0) -> pulp.LpProblem:
    """min −(5a + 4b + 3c) + constant, 2a + 3b + c ≤ 4, binaries: optimum a = c = 1, −8 + constant."""
    p = pulp.LpProblem("knapsack", pulp.LpMinimize)
    a, b, c = (p.add_variable(n, 0, 1, pulp.LpBinary) for n in "abc")
    p += -(5 * a + 4 * b + 3 * c) + constant
    p += 2 * a + 3 * b + c <= 4, "capacity"
    return p


def test_highs_is_available_and_cbc_is_found_without_a_deprecation_warning():
    assert "highs" in available()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = cbc_solver(msg=False)
    assert s is None or isinstance(s, pulp.COIN_CMD) and s.available()
    assert ("cbc" in available()) == (s is not None)


@pytest.mark.parametrize("name", ["highs", "cbc"])
def test_the_bound_and_gap_include_the_objective_constant(name):
    if name not in available():
        pytest.skip(f"{name} not available")
    r = solve(knapsack(constant=20.0), name, 10, 0.0)
    assert r.status is SolveStatus.OPTIMAL
    assert r.objective == pytest.approx(12.0)
    assert r.bound == pytest.approx(12.0)
    assert r.gap == pytest.approx(0.0, abs=1e-9)
    assert r.solver_status   # the solver's own words


def test_an_infeasible_model_is_reported_infeasible():
    p = knapsack()
    a = p.variablesDict()["a"]
    p += a >= 2, "impossible"
    r = solve(p, "highs", 10, 0.0)
    assert r.status is SolveStatus.INFEASIBLE and r.objective is None


def test_cbc_log_is_read_for_its_result_and_bound(tmp_path):
    log = tmp_path / "cbc.log"
    log.write_text("Welcome to the CBC MILP Solver\nResult - Stopped on time limit\n\n"
                   "Objective value:                34.91157040\nLower bound:                    33.312\n"
                   "Gap:                            0.05\n", encoding="utf-8")
    assert _cbc_log(str(log)) == (33.312, "Stopped on time limit")
    log.write_text("Result - Optimal solution found\n\nObjective value:                8.00000000\n", encoding="utf-8")
    assert _cbc_log(str(log)) == (8.0, "Optimal solution found")
    assert _cbc_log(str(tmp_path / "missing.log")) == (None, "")


def test_parts_add_up_and_are_optimal_only_together():
    a = SolveResult(SolveStatus.OPTIMAL, "highs", 10.0, 10.0, 0.0, 1.0, "Optimal")
    b = SolveResult(SolveStatus.FEASIBLE, "highs", 30.0, 27.0, 0.1, 2.0, "Time limit reached")
    r = combine([a, b], "highs", 3.5)
    assert (r.status, r.objective, r.bound, r.seconds) == (SolveStatus.FEASIBLE, 40.0, 37.0, 3.5)
    assert r.gap == pytest.approx(3 / 40)
    c = SolveResult(SolveStatus.NOT_SOLVED, "highs", None, None, None, 1.0)
    assert combine([a, c], "highs", 2.0).status is SolveStatus.NOT_SOLVED
    assert combine([a, c], "highs", 2.0).gap is None


@pytest.mark.parametrize("name", ["highs", "cbc"])
def test_a_solve_keeps_its_progress_ending_at_its_own_result(name):
    if name not in available():
        pytest.skip(f"{name} not available")
    r = solve(knapsack(constant=20.0), name, 10, 0.0)
    assert r.progress, "no progress recorded"
    t, obj, bound = r.progress[-1]
    assert t == pytest.approx(r.seconds) and obj == pytest.approx(12.0) and bound == pytest.approx(12.0)
    assert r.seconds_to_gap(0.0) is not None and r.seconds_to_gap(0.0) <= r.seconds + 1e-9
