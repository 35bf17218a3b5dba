"""Calibration benchmark (a script, not a test): `estate calibrate` of two fields (acceptance and the waiting
pool) on the 20,000-flat example with 5 observations (scenarios/chongqing-20k-observed.toml), on a process
pool of --workers (default 2). Target: ≤ 2 minutes on 2 cores.

It prints the wall time of each calibration (the median of --repeat), the trial values simulated, the
fitted values against the known ones the synthetic observations were made with, and, measured in the same
run as a reference, one trial value's replications in this process: the calibration's time over
(trials × that ÷ workers) says how well the pool kept its workers busy, and how far a loaded machine
(the load average, before and after) explains a miss of the target.

    .venv/bin/python benchmarks/calibrate_benchmark.py [--repeat 1] [--workers 2] [--replications 16]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from estate.calibrate import Simulator, calibrate, observations_of, split_for  # noqa: E402
from estate.pipeline import process_pool  # noqa: E402
from scenarios import load, rules_of  # noqa: E402

TARGET_S = 120.0
TRUTH = {"allocation.acceptance": 0.6, "allocation.waiting_pool": 12000}   # what the observations were made with


def load_average() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 min)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--replications", type=int, default=16)
    args = ap.parse_args()

    s = load(ROOT / "scenarios" / "chongqing-20k-observed.toml")
    rules = rules_of(s)
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; {load_average()}")
    print(f"{s.total_units:,} flats, {len(s.observed)} observations; fitting acceptance, waiting_pool; "
          f"{args.replications} replications a trial; {args.workers} workers")

    observations = observations_of(s)
    one = Simulator(s, rules, split_for(s, rules, observations), observations, args.replications, s.seed, None, 1)
    one({})                                     # warm up (imports, compiled census)
    trial = statistics.median(_timed(lambda: one({})) for _ in range(3))
    print(f"reference: one trial value ({args.replications} replications to month "
          f"{one.horizon - 1}) in this process: {trial:.2f} s")

    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        pool = process_pool(args.workers)       # the pool's start-up counts, as in `estate calibrate`
        try:
            cal = calibrate(s, rules, ["acceptance", "waiting_pool"], replications=args.replications,
                            executor=pool, workers=args.workers)
        finally:
            pool.shutdown(wait=True)
        times.append(time.perf_counter() - t)
        print(f"  calibration: {times[-1]:.1f} s, {cal.evaluations} trial values; loss "
              f"{cal.loss_before:.1f} → {cal.loss_after:.1f}")
        for f in cal.fields:
            inside = f.interval[0] <= TRUTH[f.path] <= f.interval[1]
            print(f"    {f.path}: {f.value:g} ({cal.level:.0%} interval {f.interval[0]:g}–{f.interval[1]:g}); "
                  f"known {TRUTH[f.path]:g}, {'inside' if inside else 'OUTSIDE'}")
    median = statistics.median(times)
    ideal = cal.evaluations * trial / args.workers
    print(f"median calibration time: {median:.1f} s (target ≤ {TARGET_S:.0f} s: ratio {median / TARGET_S:.2f})")
    print(f"pool efficiency: {ideal:.1f} s if the workers ran {cal.evaluations} trials side by side at the "
          f"reference pace; measured ÷ that = {median / ideal:.2f}")
    print(f"after: {load_average()}")


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
