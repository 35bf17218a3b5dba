"""`estate sweep SCENARIO --out DIR`: the scenario over a grid (--vary) or a Latin-hypercube sample
(--sample N --ranges FILE) of its inputs, one row per variant in DIR/results.parquet, then
sensitivity.csv and a tornado chart per headline figure."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from estate.commands import flags
from standards.errors import InputError

FILES = ("sweep.json", "results.parquet", "sensitivity.csv", "tornado_*.png")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sweep", help="run a scenario over a grid or sample of its inputs; sensitivity and tornado charts",
                       description="Run SCENARIO for every variant of its inputs, writing one row per variant to "
                                   "DIR/results.parquet as it finishes, then DIR/sensitivity.csv and "
                                   "DIR/tornado_<figure>.png. Run the same command again to go on after an interrupt.")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario .toml file")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    p.add_argument("--vary", action="append", default=[], metavar="FIELD=V1,V2,…",
                   help="a dotted scenario field and its values (repeatable: every combination is run), e.g. "
                        "allocation.acceptance=0.6,0.8 or override.CQ-73.election_trigger.share=0.3,0.5")
    p.add_argument("--sample", type=int, default=None, metavar="N", help="N variants on a Latin hypercube over --ranges")
    p.add_argument("--ranges", default=None, metavar="FILE", help='TOML of "FIELD" = { low = …, high = … }')
    p.add_argument("--plan", action="store_true", help="also plan facilities and budget each variant")
    p.add_argument("--replications", type=int, default=None, metavar="N", help="replications per variant "
                   "(default: the scenario's)")
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help="the sweep's seed, from which each variant's seed is derived (default: the scenario's)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None, metavar="W",
                       help="local worker processes (default: one per CPU; 1 runs in this process)")
    where.add_argument("--dask-local", type=int, default=None, metavar="N",
                       help="start a local Dask cluster of N workers (needs the dask extra)")
    where.add_argument("--dask", default=None, metavar="tcp://HOST:PORT", help="use the Dask cluster at this scheduler")
    again = p.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true", help="skip variants already written (the default)")
    again.add_argument("--restart", action="store_true", help="discard the rows already written (asks first)")
    p.add_argument("--yes", action="store_true", help="with --restart: discard without asking")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


class Bar:
    """A tqdm bar on stderr: variants done and failed, and the time left."""

    def __init__(self, total: int, initial: int, quiet: bool) -> None:
        from tqdm import tqdm

        self.ok = self.failed = self.lost = 0
        self.bar = tqdm(total=total, initial=initial, unit="variant", desc="sweep", file=sys.stderr,
                        disable=quiet, dynamic_ncols=True, mininterval=0.5)

    def __call__(self, kind: str, variant) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        self.bar.set_postfix_str(f"failed {self.failed}" + (f", lost {self.lost}" if self.lost else ""), refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _discard(out: Path) -> None:
    from estate.sweep import RESULTS, SPEC

    shutil.rmtree(out / RESULTS, ignore_errors=True)
    for name in (SPEC, "sensitivity.csv"):
        (out / name).unlink(missing_ok=True)
    for png in out.glob("tornado_*.png"):
        png.unlink()


def _confirm_discard(out: Path, rows: int, yes: bool) -> bool:
    if rows == 0 or yes:
        return True
    if not sys.stdin.isatty():
        raise InputError(f"{out}: --restart would discard the {rows} rows of {out / 'results.parquet'}; there is no "
                         "terminal to ask, so nothing was discarded (add --yes to discard them)")
    answer = input(f"Discard the {rows} rows of {out / 'results.parquet'} and start again? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def run(args: argparse.Namespace) -> int:
    from estate import sensitivity, sweep
    from estate.executors import executor
    from estate.outputs import prepare
    from scenarios import load

    out = prepare(args.out, FILES, "estate sweep")   # refuse a bad --out before spending time on the runs
    flags.check_run(args)      # --replications, --seed, --workers: the bounds of `estate run`
    flags.whole("--dask-local", args.dask_local, 1, flags.MAX_WORKERS)
    if args.yes and not args.restart:
        raise InputError("--yes goes with --restart")
    base = load(args.scenario)
    spec = sweep.make_spec(args.scenario, base, vary=args.vary, sample_n=args.sample, ranges=args.ranges,
                           seed=args.seed, replications=args.replications, plan=args.plan)
    folder = out / sweep.RESULTS
    existing = sweep.read_spec(out)
    written = len(sweep.finished_ids(folder))
    if args.restart:
        if not _confirm_discard(out, written, args.yes):
            print(f"{out}: nothing discarded", file=sys.stderr)
            return 1
        _discard(out)
    elif existing is None and written:
        raise InputError(f"{out}: holds {written} rows in results.parquet but no sweep.json to say what they are; "
                         "use --restart to discard them, or another --out")
    elif existing is not None and existing.key() != spec.key():
        raise InputError(f"{out}: holds another sweep ({existing.scenario}, {existing.method} of "
                         f"{', '.join(existing.paths)}, {len(existing.variants)} variants, {written} rows written); "
                         "give its own command to go on, --restart to discard it, or another --out")
    sweep.write_spec(out, spec)

    done = len(sweep.finished_ids(folder) & {v.id for v in spec.variants})
    outcome = sweep.Outcome(total=len(spec.variants), skipped=done)
    if done < len(spec.variants):                  # nothing left to run: no pool or cluster to start
        with executor(args.workers, args.dask_local, args.dask) as where:
            if not args.quiet:
                print(f"sweep: {len(spec.variants)} variants × {spec.replications} replications"
                      f"{f', {done} already written' if done else ''}; on {where.label}", file=sys.stderr)
            bar = Bar(len(spec.variants), done, args.quiet)
            try:
                outcome = sweep.run(spec, base, out, where, progress=bar)
            except KeyboardInterrupt:
                bar.close()
                have = len(sweep.finished_ids(folder) & {v.id for v in spec.variants})
                print(f"estate sweep: interrupted; {have} of {len(spec.variants)} variants are in {folder}; "
                      "run the same command again to go on", file=sys.stderr)
                raise
            bar.close()

    table = sweep.read_results(out)
    rows = table.to_pylist()
    paths = sensitivity.write(rows, spec.paths, spec.method, out)
    failed = [r for r in rows if r["status"] != "ok"]
    for r in failed[:5]:
        inputs = ", ".join(f"{p}={r[p]}" for p in spec.paths)
        print(f"{args.scenario}: variant {r['index']} ({inputs}) failed: {r['error']}", file=sys.stderr)
    if len(failed) > 5:
        print(f"{args.scenario}: … and {len(failed) - 5} more failed variants (status and error in the results)",
              file=sys.stderr)
    print(f"{folder}: {len(rows)} of {len(spec.variants)} variants ({len(rows) - len(failed)} ok, {len(failed)} failed; "
          f"{outcome.ok + outcome.failed} run now, {outcome.skipped} already written); wrote {paths[0]} and "
          f"{len(paths) - 1} tornado charts")
    if outcome.lost:
        print(f"{args.scenario}: {len(outcome.lost)} variants did not run (first: {outcome.lost[0].message}); "
              "run the same command again to run them", file=sys.stderr)
        return 1
    return 0
