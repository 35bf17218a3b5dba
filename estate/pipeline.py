"""The whole run of one scenario: split, simulate, facilities, budget, checks. One entry point that the
CLI (`estate run`) and the app both call, so they can never disagree.

    plan_split ─► plan.split() ─► run_ensemble ─► demand ─► plan_facilities ─► budget ─► budget cap
         └────────────► verify (and audit, for a built estate) ──────────────────────────┘

``run_many`` does the same for several scenarios on one executor, their ensembles queued together.

Stages report progress as ``progress(stage, done, total)``; the ensemble reports per replication.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

from scenarios.schema import Scenario
from standards.ruleset import RuleSet

if TYPE_CHECKING:   # the engines load when a run starts (``import_engines``), not with this module
    from optimize import Budget, Check, Plan
    from sim import SimulationResult

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
    notices: tuple[str, ...] = ()   # rules the scenario applies outside their dates (scenarios.validity)


def _noop(stage: str, done: int, total: int) -> None:
    return None


def import_engines() -> None:
    """Import what a run uses (the split, the simulation, the facility plan, the budget), so that a
    front end can load them ahead of its first run, when it chooses: importing this module alone
    loads none of them (the app's first page does not wait for them)."""
    import optimize.budget  # noqa: F401
    import optimize.budget_cap  # noqa: F401
    import optimize.facilities  # noqa: F401
    import scenarios.validity  # noqa: F401
    import sim  # noqa: F401


def run(scenario: Scenario, rules: RuleSet, *, replications: int | None = None, seed: int | None = None,
        executor: Executor | str | None = None, workers: int | None = None,
        progress: Progress | None = None) -> RunResult:
    """Plan, simulate over the planned communities, plan facilities against the simulated demand, and
    cost it all. ``executor``/``workers`` go to ``sim.run_ensemble``."""
    from sim.ensemble import _executor, stop_pool

    pool, owned = _executor(executor, workers)
    try:
        result = run_many([(scenario, rules)], replications=replications, seed=seed, executor=pool,
                          workers=workers, progress=[progress] if progress else None)[0]
    except BaseException:
        if owned:
            stop_pool(pool)      # an interrupt or a failure: do not wait for the running chunks
        raise
    if owned:
        pool.shutdown(wait=True, cancel_futures=True)
    return result


def run_many(runs: Sequence[tuple[Scenario, RuleSet]], *, replications: int | None = None,
             seed: int | None = None, executor: Executor | None = None, workers: int | None = None,
             progress: Sequence[Progress | None] | None = None) -> list[RunResult]:
    """``run`` for several scenarios sharing one executor: each scenario's ensemble is handed to the
    executor as soon as it is planned, and its facilities and budget are worked out as soon as its
    replications are in (here, while the executor's workers go on with the next scenario's), so the
    workers never wait. ``progress`` has one callback (or None) per scenario. Results come in the order
    given."""
    from optimize import audit, budget, plan_split, verify
    from optimize.budget import Simulated
    from optimize.budget_cap import analyse_cap
    from optimize.facilities import plan_facilities
    from scenarios.validity import notices
    from sim import submit_ensemble

    reports = [p or _noop for p in (progress or [None] * len(runs))]
    seconds: list[dict[str, float]] = [{} for _ in runs]
    planned, pending, out = [], [], []
    t0 = time.perf_counter()
    try:
        for (scenario, rules), report, sec in zip(runs, reports, seconds):
            t = time.perf_counter()
            report("plan", 0, 1)
            plan = plan_split(scenario, rules)
            checks = tuple(verify(plan, scenario, rules))
            built = tuple(audit(scenario, rules)) if scenario.existing is not None else None
            sec["plan"] = time.perf_counter() - t
            report("plan", 1, 1)
            planned.append((plan, checks, built))
            # handed over at once: the workers start on it while the next scenario is planned
            pending.append(submit_ensemble(scenario, rules, plan.split(), replications=replications, seed=seed,
                                           executor=executor, workers=workers))

        for i, (scenario, rules) in enumerate(runs):
            (plan, checks, built), report, sec = planned[i], reports[i], seconds[i]
            sim = pending[i].result(lambda done, total, report=report: report("simulate", done, total))
            sec["simulate"] = time.perf_counter() - t0      # from the start: the ensembles share the workers

            t = time.perf_counter()
            report("facilities", 0, 1)
            demand = sim.demand()
            facilities = plan_facilities(demand, scenario, rules, plan=plan)
            sec["facilities"] = time.perf_counter() - t
            report("facilities", 1, 1)

            t = time.perf_counter()
            report("budget", 0, 1)
            # staff are paid as simulated (at the quantile the facilities are planned for), not at full strength
            simulated = Simulated.from_demand(demand, scenario.facilities.demand_quantile)
            costs = budget(plan, scenario, rules, facilities=facilities, simulated=simulated)
            cap = analyse_cap(costs, plan, scenario, rules, facilities=facilities) \
                if scenario.costs.budget_cap_cny_per_year is not None else None
            sec["budget"] = time.perf_counter() - t
            report("budget", 1, 1)
            out.append(RunResult(scenario, rules, plan, checks, sim, facilities, costs, cap, built, sec,
                                 notices(scenario, rules)))
    except BaseException:
        for ensemble in pending:     # nothing left running on a shared pool for a run that failed
            ensemble.cancel()
        raise
    return out


def process_pool(workers: int | None = None, preload: Sequence[str] = ()) -> Executor:
    """A process pool for repeated runs (the app keeps one for its lifetime), started the way the
    ensemble starts its own: a fork server that has imported the model once, and ``preload``. Each
    worker also imports the caller's main module (multiprocessing's rule): preloading what that module
    imports makes the workers' start nearly free."""
    from sim.ensemble import process_pool as pool
    return pool(workers, preload)
