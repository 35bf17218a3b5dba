"""Solver choice, status and gap, read from the solver itself, as a frozen result."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from enum import Enum

import pulp


class SolveStatus(str, Enum):
    OPTIMAL = "optimal"          # proven within the requested gap
    FEASIBLE = "feasible"        # a solution, stopped (time limit) before the gap was proven
    INFEASIBLE = "infeasible"
    NOT_SOLVED = "not_solved"    # no solution found (error, or time ran out first)


@dataclass(frozen=True)
class SolveResult:
    status: SolveStatus
    solver: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float


class _WarmHiGHS(pulp.HiGHS):
    """HiGHS with a starting solution: PuLP 3.3's HiGHS class takes none, so the variables' initial
    values (``setInitialValue``) are handed to highspy's ``setSolution`` before the run."""

    def callSolver(self, lp):
        import highspy
        vals = [v.varValue if v.varValue is not None else 0.0 for v in lp.variables()]
        if any(v.varValue is not None for v in lp.variables()):
            sol = highspy.HighsSolution()
            sol.col_value = vals
            lp.solverModel.setSolution(sol)
        lp.solverModel.run()


def solver_of(name: str, time_limit: float, gap: float, msg: bool = False) -> pulp.LpSolver:
    if name == "highs":
        return _WarmHiGHS(msg=msg, timeLimit=time_limit, gapRel=gap, threads=1, random_seed=0)
    if name == "cbc":
        return pulp.PULP_CBC_CMD(msg=msg, timeLimit=time_limit, gapRel=gap, threads=1)
    raise ValueError(f"unknown solver {name!r} (highs or cbc)")


def available() -> list[str]:
    have = pulp.listSolvers(onlyAvailable=True)
    return [n for n, k in (("highs", "HiGHS"), ("cbc", "PULP_CBC_CMD")) if k in have]


def solve(problem: pulp.LpProblem, name: str, time_limit: float, gap: float) -> SolveResult:
    """Solve and read the status from the solver: PuLP's ``status`` says Optimal for a CBC run cut off
    by its time limit, so ``sol_status`` and the solver's own bound decide."""
    s = solver_of(name, time_limit, gap)
    t0 = time.perf_counter()
    problem.solve(s)
    secs = time.perf_counter() - t0
    obj = pulp.value(problem.objective) if problem.sol_status in (1, 2) else None
    bound = None
    if name == "highs":
        model = getattr(problem, "solverModel", None)
        if model is not None:
            info = model.getInfo()
            bound = float(info.mip_dual_bound)
    if obj is not None and bound is not None and math.isfinite(bound):
        gap_v = abs(obj - bound) / max(1e-9, abs(obj))
    else:
        gap_v = None
    if problem.status == pulp.LpStatusInfeasible:
        status = SolveStatus.INFEASIBLE
    elif problem.sol_status == pulp.LpSolutionOptimal and (gap_v is None or gap_v <= gap + 1e-9):
        status = SolveStatus.OPTIMAL
    elif problem.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        status = SolveStatus.FEASIBLE
    else:
        status = SolveStatus.NOT_SOLVED
    return SolveResult(status, name, obj, bound, gap_v, secs)
