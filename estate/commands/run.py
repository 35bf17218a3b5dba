"""`estate run SCENARIO --out DIR`: plan, simulate, facilities and budget in one go, with report.html."""

from __future__ import annotations

import argparse
import os
import sys

from estate import highs_banner
from estate.commands import flags
from estate.commands.simulate import ProgressBar


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="the whole run: split, simulate, facilities, budget and report.html",
                       description="Split the estate into communities, simulate how each fills, plan facilities "
                                   "against the simulated demand, cost it year by year, check every rule, and "
                                   "write the files of `simulate` and `plan`, facilities.json, budget.png and a "
                                   "self-contained report.html into DIR. DIR must be new, empty or a folder an "
                                   "estate command wrote; it is replaced whole only when every file is written.")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario .toml file")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    p.add_argument("--replications", type=int, default=None, metavar="N",
                   help="replications, 1–10,000 (default: the scenario's)")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="seed ≥ 0 (default: the scenario's)")
    p.add_argument("--workers", type=int, default=None, metavar="W",
                   help=f"worker processes, 1–{flags.MAX_WORKERS} (default: one per CPU; 1 runs in this process)")
    p.add_argument("--lang", default="zh", metavar="LANG",
                   help="language of report.html and budget.png: zh (default) or en")
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
    from estate import tables as views
    from estate.outputs import guarded
    from estate.geo_outputs import write_geo
    from estate.pipeline import run as run_all
    from estate.run_outputs import FILES, write_run
    from estate.validation import runnable

    flags.check_run(args)
    highs_banner.silence()
    guard = guarded(args.out, "estate run", FILES)   # refuse a bad --out before spending time on the runs
    workers = args.workers or os.cpu_count() or 1
    scenario, rules = runnable(args.scenario, replications=args.replications, workers=workers)
    replications = args.replications or scenario.replications
    executor = "serial" if workers == 1 or replications == 1 else "process"
    with guard as staging:
        result = run_all(scenario, rules, replications=replications, seed=args.seed, executor=executor,
                         workers=workers, progress=None if args.quiet else StageProgress())
        paths = write_run(result, staging, args.lang)
        paths += write_geo(result.plan, scenario, rules, args.scenario, staging, result.simulation)   # a GIS layout's plan
        out = guard.commit(scenario=args.scenario, seed=result.simulation.seed)
    plan = result.plan
    print(f"{args.scenario}: {plan.status.value}, {len(plan.communities)} communities, "
          f"{len(result.simulation.completed)}/{result.simulation.replications} replications; "
          f"wrote {len(paths)} files to {out} (open {out / 'report.html'})")
    for line in plan.explanation:
        print(f"  {line}")
    from estate.uncertainty import observation_lines
    for line in observation_lines(scenario, result.simulation):
        print(f"  {line}")
    counts = views.check_counts(views.compliance(result))
    print(f"  checks: {counts['passed']} passed, {counts['failed']} failed, {counts['not_checked']} not checked")
    print(f"  budget: {result.budget.notes[0]}")
    for line in result.notices:
        print(f"  {line}")
    return 0
