"""`estate run SCENARIO --out DIR`: plan, simulate, facilities and budget in one go, with report.html."""

from __future__ import annotations

import argparse
import os
import sys
from estate.commands.simulate import ProgressBar
from scenarios import load, rules_of
from standards.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="the whole run: split, simulate, facilities, budget and report.html",
                       description="Split the estate into communities, simulate how each fills, plan facilities "
                                   "against the simulated demand, cost it year by year, check every rule, and "
                                   "write the files of `simulate` and `plan`, facilities.json, budget.png and a "
                                   "self-contained report.html into DIR.")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario .toml file")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    p.add_argument("--replications", type=int, default=None, metavar="N", help="replications (default: the scenario's)")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="seed (default: the scenario's)")
    p.add_argument("--workers", type=int, default=None, metavar="W",
                   help="worker processes (default: one per CPU; 1 runs in this process)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


class StageProgress:
    """Stage names on stderr, and the replication bar while simulating."""

    def __init__(self) -> None:
        self.bar: ProgressBar | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "simulate":
            self.bar = self.bar or ProgressBar()
            self.bar(done, total)
        elif done == 0:
            print(f"{stage}…", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from estate.pipeline import run as run_all
    from estate.run_outputs import write_run
    from estate.outputs import prepare
    from estate.run_outputs import FILES

    out = prepare(args.out, FILES, "estate run")   # refuse a bad --out before spending time on the runs
    for flag, value, least in (("--replications", args.replications, 1), ("--seed", args.seed, 0),
                               ("--workers", args.workers, 1)):
        if value is not None and value < least:
            raise InputError(f"{flag} must be ≥ {least} (got {value})")
    scenario = load(args.scenario)
    rules = rules_of(scenario)
    replications = args.replications or scenario.replications
    workers = args.workers or os.cpu_count() or 1
    executor = "serial" if workers == 1 or replications == 1 else "process"
    result = run_all(scenario, rules, replications=replications, seed=args.seed, executor=executor, workers=workers,
                     progress=None if args.quiet else StageProgress())
    paths = write_run(result, out)
    plan = result.plan
    print(f"{args.scenario}: {plan.status.value}, {len(plan.communities)} communities, "
          f"{len(result.simulation.completed)}/{result.simulation.replications} replications; "
          f"wrote {len(paths)} files to {out} (open {out / 'report.html'})")
    for line in plan.explanation:
        print(f"  {line}")
    from estate.uncertainty import observation_lines
    for line in observation_lines(scenario, result.simulation):
        print(f"  {line}")
    failed = [k for k in (result.audit or result.checks) if not k.passed]
    print(f"  checks: {len(result.audit or result.checks) - len(failed)} passed, {len(failed)} failed")
    return 0
