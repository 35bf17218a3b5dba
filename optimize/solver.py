"""Solver choice, status and gap, read from the solver itself, as a frozen result.

PuLP's ``status`` alone is not enough: a CBC run cut off by its time limit reports ``Optimal``. The
status here comes from ``sol_status`` and the solver's own bound: HiGHS's ``mip_dual_bound`` and model
status; CBC's "Lower bound" and result line from its log.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import time
import warnings
from dataclasses import dataclass
from enum import Enum

import pulp

from standards.errors import InputError


class SolveStatus(str, Enum):
    OPTIMAL = "optimal"          # proven within the requested gap
    FEASIBLE = "feasible"        # a solution, stopped (time limit) before the gap was proven
    INFEASIBLE = "infeasible"
    NOT_SOLVED = "not_solved"    # no solution found (error, or time ran out first)


@dataclass(frozen=True)
class SolveResult:
    """``bound`` is the solver's proven lower bound on the objective (minimisation), ``gap`` the relative
    gap (objective − bound) / |objective|, ``solver_status`` the solver's own words for how it stopped."""

    status: SolveStatus
    solver: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    solver_status: str = ""
    progress: tuple[tuple[float, float, float], ...] = ()

    def seconds_to_gap(self, gap: float) -> float | None:
        """Seconds into this solve at which the solver's incumbent and bound were first within ``gap``
        (relative, as ``gap``), from ``progress``, the (seconds, incumbent, bound) the solver reported as
        it went; None if it never got there."""
        for t, obj, bound in self.progress:
            if math.isfinite(obj) and math.isfinite(bound) and abs(obj - bound) <= gap * max(1e-9, abs(obj)) + 1e-12:
                return t
        if self.gap is not None and self.gap <= gap + 1e-12:
            return self.seconds
        return None


class _WarmHiGHS(pulp.HiGHS):
    """HiGHS with a starting solution and the objective's constant: PuLP 3.3's HiGHS class takes
    neither, so the variables' initial values (``setInitialValue``) go to highspy's ``setSolution``
    and the constant to ``changeObjectiveOffset`` before the run (the bound and gap HiGHS reports then
    are those of the whole objective)."""

    stop = None      # (seconds, incumbent, bound) -> True to end the run there (``solve``'s ``stop``)

    def callSolver(self, lp):
        import highspy
        const = float(lp.objective.constant) if lp.objective is not None else 0.0
        if const:
            lp.solverModel.changeObjectiveOffset(const)
        if any(v.varValue is not None for v in lp.variables()):
            sol = highspy.HighsSolution()
            sol.col_value = [v.varValue if v.varValue is not None else 0.0 for v in lp.variables()]
            lp.solverModel.setSolution(sol)
        trail: list[tuple[float, float, float]] = []
        t0 = time.perf_counter()

        def record(event) -> None:
            d = event.data_out
            point = (float(d.mip_primal_bound), float(d.mip_dual_bound))   # with the offset already
            if not trail or trail[-1][1:] != point:
                trail.append((time.perf_counter() - t0, *point))
            if self.stop is not None and self.stop(time.perf_counter() - t0, *point):
                event.interrupt()

        if lp.isMIP():
            lp.solverModel.cbMipInterrupt += record
            lp.solverModel.cbMipImprovingSolution += record
        lp.solverModel.run()
        lp.progress = tuple(trail)


def cbc_solver(**options) -> pulp.LpSolver | None:
    """A CBC command-line solver, whichever way this PuLP provides one, or None.

    PuLP 4 drops ``PULP_CBC_CMD`` (3.3 warns it is deprecated) and finds CBC through ``COIN_CMD``
    (``pip install pulp[cbc]``); PuLP 3.x bundles a binary at ``pulp.apis.coin_api.pulp_cbc_path``.
    ``COIN_CMD`` is tried first on its default path, then on the bundled binary."""
    paths: list[str | None] = [None]
    try:
        from pulp.apis import coin_api
        bundled = getattr(coin_api, "pulp_cbc_path", None)
        if bundled:
            paths.append(pulp.COIN_CMD.executableExtension(bundled))
    except ImportError:  # pragma: no cover - layout of a future PuLP
        pass
    for path in paths:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                s = pulp.COIN_CMD(path=path, **options) if path else pulp.COIN_CMD(**options)
            if path and not os.access(path, os.X_OK):
                continue
            if s.available():
                return s
        except (pulp.PulpSolverError, OSError, TypeError):
            continue
    return None


# HiGHS's primal sub-MIP heuristics (RINS, RENS, root reduced cost). The split switches them off: its own
# heuristic's warm start is within a fraction of a percent of the optimum, and on the benchmark's estates
# these sub-MIPs took about two thirds of HiGHS's time (README, "Performance of the split").
NO_SUB_MIPS = {"mip_heuristic_run_rins": False, "mip_heuristic_run_rens": False,
               "mip_heuristic_run_root_reduced_cost": False}


def solver_of(name: str, time_limit: float, gap: float, msg: bool = False, log_path: str | None = None,
              highs_options: dict[str, object] | None = None) -> pulp.LpSolver:
    """``highs_options`` are HiGHS option names and values (HiGHS only; CBC keeps its settings)."""
    if name == "highs":
        return _WarmHiGHS(msg=msg, timeLimit=time_limit, gapRel=gap, threads=1, random_seed=0,
                          **(highs_options or {}))
    if name == "cbc":
        s = cbc_solver(msg=msg, timeLimit=time_limit, gapRel=gap, threads=1, warmStart=True, logPath=log_path,
                       options=["randomSeed 1", "randomCbcSeed 1"])
        if s is None:
            raise InputError("solver cbc: CBC is not available here (install it with `pip install pulp[cbc]`, "
                             "or use --solver highs)")
        return s
    raise InputError(f"solver must be highs or cbc (got {name!r})")


def relaxation(problem: pulp.LpProblem, time_limit: float) -> dict[str, float] | None:
    """The LP relaxation's values by variable name (HiGHS, integrality dropped), or None if HiGHS finds no
    optimal LP solution within ``time_limit``. The problem's variables keep the LP values afterwards."""
    s = pulp.HiGHS(msg=False, mip=False, timeLimit=time_limit, threads=1, random_seed=0)
    problem.solve(s)
    if problem.status != pulp.LpStatusOptimal:
        return None
    return {v.name: float(v.varValue or 0.0) for v in problem.variables()}


def available() -> list[str]:
    out = []
    if pulp.HiGHS().available():
        out.append("highs")
    if cbc_solver(msg=False) is not None:
        out.append("cbc")
    return out


def _cbc_log(path: str) -> tuple[float | None, str]:
    """CBC's own bound and result line from its log ("Result - Optimal solution found", "Lower bound:")."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None, ""
    result = re.search(r"^Result - (.+)$", text, re.M)
    bound = re.search(r"^Lower bound:\s+(\S+)", text, re.M)
    obj = re.search(r"^Objective value:\s+(\S+)", text, re.M)
    b = None
    if bound:
        b = float(bound.group(1))
    elif result and "Optimal" in result.group(1) and obj:
        b = float(obj.group(1))
    return b, result.group(1).strip() if result else ""


_CBC_NODES = re.compile(r"^Cbc0010I After \d+ nodes, \d+ on tree, (\S+) best solution, best possible (\S+) "
                        r"\((\S+) seconds\)", re.M)
_CBC_FOUND = re.compile(r"^Cbc00(?:04|12)I Integer solution of (\S+) found .*\((\S+) seconds\)", re.M)


def _cbc_progress(path: str, constant: float) -> tuple[tuple[float, float, float], ...]:
    """(seconds, incumbent, bound) as CBC's log reports them: its node lines (incumbent and bound) and
    its new-solution lines (incumbent; the bound as last reported), with the objective's constant."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return ()
    events = []
    for m in _CBC_NODES.finditer(text):
        events.append((m.start(), float(m.group(3)), float(m.group(1)), float(m.group(2))))
    for m in _CBC_FOUND.finditer(text):
        events.append((m.start(), float(m.group(2)), float(m.group(1)), None))
    out: list[tuple[float, float, float]] = []
    best, bound = math.inf, -math.inf
    for _, t, obj, b in sorted(events):
        best = min(best, obj if obj < 1e49 else math.inf)
        bound = b if b is not None else bound
        out.append((t, best + constant, bound + constant))
    return tuple(out)


def solve(problem: pulp.LpProblem, name: str, time_limit: float, gap: float,
          highs_options: dict[str, object] | None = None, stop=None) -> SolveResult:
    """Solve and read the status from the solver: PuLP's ``status`` says Optimal for a CBC run cut off
    by its time limit, so ``sol_status`` and the solver's own bound decide. ``highs_options``: as
    ``solver_of``; ``stop(seconds, incumbent, bound)``, HiGHS only: asked as the run reports its
    progress, True ends it there (a status as at a time limit)."""
    log = None
    if name == "cbc":
        fd, log = tempfile.mkstemp(prefix="cbc-", suffix=".log")
        os.close(fd)
    s = solver_of(name, time_limit, gap, log_path=log, highs_options=highs_options)
    if stop is not None and isinstance(s, _WarmHiGHS):
        s.stop = stop
    t0 = time.perf_counter()
    try:
        problem.solve(s)
    except pulp.PulpSolverError as exc:
        return SolveResult(SolveStatus.NOT_SOLVED, name, None, None, None, time.perf_counter() - t0, str(exc))
    secs = time.perf_counter() - t0
    has_solution = problem.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    obj = pulp.value(problem.objective) if has_solution else None
    bound, words = None, ""
    progress: tuple[tuple[float, float, float], ...] = getattr(problem, "progress", ())
    if name == "highs":
        model = getattr(problem, "solverModel", None)
        if model is not None:
            info = model.getInfo()
            bound = float(info.mip_dual_bound) if problem.isMIP() else (obj if has_solution else None)
            words = model.modelStatusToString(model.getModelStatus())
    else:
        bound, words = _cbc_log(log)
        progress = _cbc_progress(log, float(problem.objective.constant) if problem.objective is not None else 0.0)
        os.unlink(log)
        if bound is not None and problem.objective is not None:
            # CBC reports the bound without the objective's constant
            bound += float(problem.objective.constant)
    if bound is not None and not math.isfinite(bound):
        bound = None
    gap_v = abs(obj - bound) / max(1e-9, abs(obj)) if obj is not None and bound is not None else None
    if problem.status == pulp.LpStatusInfeasible:
        status = SolveStatus.INFEASIBLE
    elif problem.sol_status == pulp.LpSolutionOptimal and gap_v is not None and gap_v <= gap + 1e-9:
        status = SolveStatus.OPTIMAL
    elif has_solution:
        status = SolveStatus.FEASIBLE
    else:
        status = SolveStatus.NOT_SOLVED
    if obj is not None and bound is not None:
        progress = progress + ((secs, obj, bound),)
    return SolveResult(status, name, obj, bound, gap_v, secs, words, progress)


def combine(results: list[SolveResult], name: str, seconds: float) -> SolveResult:
    """Independent solves (parts of one problem) as one: objectives and bounds add up; optimal only if
    every part is; the wall time given."""
    if not results:
        return SolveResult(SolveStatus.OPTIMAL, name, 0.0, 0.0, 0.0, seconds, "nothing to solve")
    if len(results) == 1:
        r = results[0]
        return SolveResult(r.status, r.solver, r.objective, r.bound, r.gap, seconds, r.solver_status, r.progress)
    objs = [r.objective for r in results]
    bounds = [r.bound for r in results]
    obj = sum(objs) if all(o is not None for o in objs) else None
    bound = sum(bounds) if all(b is not None for b in bounds) else None
    gap = abs(obj - bound) / max(1e-9, abs(obj)) if obj is not None and bound is not None else None
    order = [SolveStatus.INFEASIBLE, SolveStatus.NOT_SOLVED, SolveStatus.FEASIBLE, SolveStatus.OPTIMAL]
    status = min((r.status for r in results), key=order.index)
    return SolveResult(status, name, obj, bound, gap, seconds, "; ".join(r.solver_status for r in results))
