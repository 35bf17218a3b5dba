"""`estate simulate SCENARIO --out DIR`: run the ensemble and write summary.json, series.csv and plots."""

from __future__ import annotations

import argparse
import os
import sys
import time

from estate.commands import flags


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("simulate", help="simulate how the estate fills: bands of every series and election months",
                       description="Run the scenario's replications of the estate model and write DIR/summary.json, "
                                   "DIR/series.csv, DIR/occupancy.png and DIR/demand.png.")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario .toml file")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    p.add_argument("--replications", type=int, default=None, metavar="N",
                   help="replications, 1–10,000 (default: the scenario's)")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="seed (default: the scenario's)")
    p.add_argument("--workers", type=int, default=None, metavar="W",
                   help="worker processes (default: one per CPU; 1 runs in this process)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


class ProgressBar:
    """A plain text bar on stderr: `[#####.....] 50/100 replications`."""

    def __init__(self, stream=None, width: int = 30) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.width, self.start = width, time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        filled = int(self.width * done / total) if total else self.width
        elapsed = time.monotonic() - self.start
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} replications "
                          f"({elapsed:.1f} s)")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def run(args: argparse.Namespace) -> int:
    from estate.outputs import guarded
    from estate.sim_outputs import FILES, write_all   # the model (numpy, mesa) loads only when used
    from estate.validation import runnable
    from estate.uncertainty import observation_lines
    from sim import run_ensemble

    flags.check_run(args)
    guard = guarded(args.out, "estate simulate", FILES)   # refuse a bad --out before spending time on the runs
    workers = args.workers or os.cpu_count() or 1
    scenario, rules = runnable(args.scenario, replications=args.replications, workers=workers)
    replications = args.replications or scenario.replications
    executor = "serial" if workers == 1 or replications == 1 else "process"
    progress = None if args.quiet else ProgressBar()
    with guard as staging:
        result = run_ensemble(scenario, rules, replications=replications, seed=args.seed, executor=executor,
                              workers=workers, progress=progress)
        names = [p.name for p in write_all(result, staging, scenario)]
        out = guard.commit(scenario=args.scenario, seed=result.seed)
    for f in result.failures:
        print(f"{args.scenario}: replication {f.replication} failed: {f.message}", file=sys.stderr)
    print(f"{args.scenario}: {len(result.completed)}/{result.replications} replications, "
          f"{result.months} months; wrote {', '.join(str(out / n) for n in names)}")
    for cid in result.community_ids:
        e = result.election(cid)
        when = "never within the horizon" if e["p50"] is None else f"month {e['p50']} (P10 {e['p10']}, P90 {e['p90']})"
        print(f"  community {cid}: committee election due {when}; elected in {e['elected_replications']} "
              f"of {len(result.completed)} replications")
    if result.inputs:
        print(f"  uncertain inputs, drawn per replication: {', '.join(result.inputs)} (summary.json: uncertain_inputs, "
              f"band_drivers)")
    for line in observation_lines(scenario, result):
        print(f"  {line}")
    from scenarios.validity import notices
    for line in notices(scenario, rules):
        print(f"  {line}")
    return 0
