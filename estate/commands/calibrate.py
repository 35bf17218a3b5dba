"""`estate calibrate SCENARIO --fit FIELD[,FIELD...] --out DIR`: fit scenario fields to the scenario's
observations; write calibration.json, calibration.png and calibrated.toml (never over an existing one)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from estate.commands import flags
from scenarios import load, rules_of
from standards.errors import InputError

FILES = ("calibration.json", "calibration.png", "calibrated.toml")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calibrate", help="fit allocation or household fields to the scenario's [[observed]] figures",
                       description="Fit the named numeric allocation or household fields to the scenario's "
                                   "[[observed]] figures (synthetic likelihood over common random numbers; the "
                                   "README says how) and write DIR/calibration.json (values, intervals, loss before "
                                   "and after), DIR/calibration.png (observed against simulated, before and after) "
                                   "and DIR/calibrated.toml (the scenario with the fitted values).")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario .toml file with [[observed]] figures")
    p.add_argument("--fit", required=True, metavar="FIELD[,FIELD...]",
                   help="fields to fit, e.g. acceptance,waiting_pool; FIELD=LOW:HIGH narrows the searched range")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    p.add_argument("--replications", type=int, default=None, metavar="N",
                   help="replications per trial value (default 16), the same seeds for every trial")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="seed (default: the scenario's)")
    p.add_argument("--workers", type=int, default=None, metavar="W",
                   help="worker processes (default: one per CPU; 1 runs in this process)")
    p.add_argument("--as-distributions", action="store_true",
                   help="write each fitted field into calibrated.toml as its fitted distribution { mean, sd } "
                        "(so runs of it carry the fit's uncertainty), not as one number")
    p.add_argument("--quiet", action="store_true", help="no progress")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from estate import calibrate as cal_
    from estate import highs_banner
    highs_banner.silence()
    from estate.outputs import prepare
    from scenarios.writer import to_toml

    target = Path(args.out) / "calibrated.toml"
    if target.exists():
        raise InputError(f"{target}: already exists; choose another --out or move it away (nothing was overwritten)")
    flags.whole("--replications", args.replications, 3, flags.REPLICATIONS[1])   # 3: a spread to weigh the loss by
    flags.whole("--seed", args.seed, *flags.SEED)
    flags.whole("--workers", args.workers, 1, flags.MAX_WORKERS)
    scenario = load(args.scenario)
    rules = rules_of(scenario)
    specs = [f for f in args.fit.split(",") if f.strip()]
    cal_.fit_fields(scenario, rules, specs)              # a bad --fit is reported before anything runs
    if not scenario.observed:
        raise InputError(f"{args.scenario}: has no [[observed]] figures to calibrate to")
    out = prepare(args.out, FILES, "estate calibrate")
    workers = args.workers or os.cpu_count() or 1
    pool = None
    if workers > 1:
        from estate.pipeline import process_pool
        pool = process_pool(workers)

    def progress(n: int, stage: str) -> None:
        if not args.quiet:
            print(f"\r{stage}: {n} trial values simulated", end="", file=sys.stderr, flush=True)

    try:
        cal = cal_.calibrate(scenario, rules, specs, replications=args.replications or cal_.DEFAULT_REPLICATIONS,
                             seed=args.seed, executor=pool, workers=workers, progress=progress)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    if not args.quiet:
        print(file=sys.stderr)
    (out / "calibration.json").write_text(json.dumps(cal_.to_dict(cal), ensure_ascii=False, indent=2) + "\n",
                                          encoding="utf-8")
    cal_.plot(cal, out / "calibration.png")
    fitted = cal_.calibrated_scenario(cal, as_distributions=args.as_distributions)
    text = to_toml(fitted, header=cal_.header(cal, Path(args.scenario).name))
    with open(target, "x", encoding="utf-8") as f:      # "x": never over a file that appeared meanwhile
        f.write(text)
    load(target)                                          # what we wrote must be a valid scenario

    print(f"{args.scenario}: fitted {len(cal.fields)} field(s) to {len(cal.observations)} observation(s) in "
          f"{cal.evaluations} trial values × {cal.replications} replications ({cal.seconds:.0f} s); "
          f"loss {cal.loss_before:.2f} → {cal.loss_after:.2f}")
    for f in cal.fields:
        print(f"  {f.path}: {f.value:g} ({cal.level:.0%} interval {f.interval[0]:g}–{f.interval[1]:g}; was {f.start:g})")
    for note in cal.notes:
        print(f"  {note}")
    print(f"  wrote {out / 'calibration.json'}, {out / 'calibration.png'}, {target}")
    return 0
