"""The whole run of one scenario: split, simulate, facilities, budget, checks. One entry point that the
CLI (`estate run`) and the app both call, so they can never disagree.

    plan_split ─► plan.split() ─► run_ensemble ─► demand ─► plan_facilities ─► budget ─► budget cap
         └────────────► verify (and audit, for a built estate) ──────────────────────────┘

Stages report progress as ``progress(stage, done, total)``; the ensemble reports per replication.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Callable

from optimize import Budget, Check, Plan, audit, budget, plan_split, verify
from scenarios.schema import Scenario
from sim import SimulationResult, run_ensemble
from standards.ruleset import RuleSet

Progress = Callable[[str, int, int], None]
STAGES = ("plan", "simulate", "facilities", "budget")


@dataclass(frozen=True, eq=False)
class RunResult:
    """Everything one run produced. ``audit`` is set only for a built estate (``[existing]``)."""

    scenario: Scenario
    rules: RuleSet
    plan: Plan
    checks: tuple[Check, ...]
    simulation: SimulationResult
    facilities: object | None       # optimize.facilities.FacilityPlan
    budget: Budget
    cap: object | None              # optimize.budget_cap.CapAnalysis, when the scenario sets a cap
    audit: tuple[Check, ...] | None
    seconds: dict[str, float] = field(default_factory=dict)


def _noop(stage: str, done: int, total: int) -> None:
    return None


def run(scenario: Scenario, rules: RuleSet, *, replications: int | None = None, seed: int | None = None,
        executor: Executor | str | None = None, workers: int | None = None,
        progress: Progress | None = None) -> RunResult:
    """Plan, simulate over the planned communities, plan facilities against the simulated demand, and
    cost it all. ``executor``/``workers`` go to ``sim.run_ensemble``."""
    from optimize.budget_cap import analyse_cap
    from optimize.facilities import plan_facilities

    report = progress or _noop
    seconds: dict[str, float] = {}

    t = time.perf_counter()
    report("plan", 0, 1)
    plan = plan_split(scenario, rules)
    checks = tuple(verify(plan, scenario, rules))
    built = tuple(audit(scenario, rules)) if scenario.existing is not None else None
    seconds["plan"] = time.perf_counter() - t
    report("plan", 1, 1)

    t = time.perf_counter()
    sim = run_ensemble(scenario, rules, plan.split(), replications=replications, seed=seed, executor=executor,
                       workers=workers, progress=lambda done, total: report("simulate", done, total))
    seconds["simulate"] = time.perf_counter() - t

    t = time.perf_counter()
    report("facilities", 0, 1)
    facilities = plan_facilities(sim.demand(), scenario, rules, plan=plan)
    seconds["facilities"] = time.perf_counter() - t
    report("facilities", 1, 1)

    t = time.perf_counter()
    report("budget", 0, 1)
    costs = budget(plan, scenario, rules, facilities=facilities)
    cap = analyse_cap(costs, plan, scenario, rules, facilities=facilities) \
        if scenario.costs.budget_cap_cny_per_year is not None else None
    seconds["budget"] = time.perf_counter() - t
    report("budget", 1, 1)
    return RunResult(scenario, rules, plan, checks, sim, facilities, costs, cap, built, seconds)


def process_pool(workers: int | None = None) -> Executor:
    """A process pool for repeated runs (the app keeps one for its lifetime), started the way the
    ensemble starts its own: a fork server that has imported the model once."""
    import os
    from concurrent.futures import ProcessPoolExecutor

    from sim.ensemble import _context
    return ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, mp_context=_context())
