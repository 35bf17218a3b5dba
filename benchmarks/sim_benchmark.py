"""Simulation benchmark (a script, not a test): prints times and ratios against the issue's targets.

1. A 50,000-household estate over 360 months: the fast model (median of --repeat runs) against the
   reference model (one agent per household; run --reference-runs times, default once: it takes
   minutes), in the same run, and the ratio. Target: ≥ 50× faster; ≤ 1 s per replication.
2. 200 replications of the 20,000-flat example (its 120-month horizon) on the process pool
   (--workers, default 2), start-up of the pool included. Target: ≤ 15 s on 2 cores. For reading the
   figure on a shared machine it also prints one replication's time in this process and what the
   pool would take if its workers ran that fast side by side (replications × that ÷ workers), and the
   load average before and after.

    .venv/bin/python benchmarks/sim_benchmark.py [--repeat 3] [--reference-runs 1] [--workers 2]
    .venv/bin/python benchmarks/sim_benchmark.py --quick      # smaller sizes, to check the script
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

import numpy as np  # noqa: E402

from scenarios import load, rules_of, synthetic_layout  # noqa: E402
from sim import EstateModel, run_ensemble  # noqa: E402
from sim.ensemble import run_chunk  # noqa: E402
from sim.params import params_of  # noqa: E402
from sim.reference import ReferenceModel  # noqa: E402


def big_estate(flats: int, months: int):
    base = load(ROOT / "scenarios" / "chongqing-20k.toml")
    buildings = synthetic_layout(target_flats=flats, seed=50, phases=3)
    allocation = base.allocation.model_copy(update={"waiting_pool": int(flats * 1.5),
                                                    "new_applicants_per_month": flats // 25})
    return base.model_copy(update={"buildings": buildings, "horizon_months": months, "allocation": allocation,
                                   "name": f"benchmark {flats:,} flats × {months} months"})


def load_average() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 min)"


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flats", type=int, default=50_000)
    ap.add_argument("--months", type=int, default=360)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--reference-runs", type=int, default=1)
    ap.add_argument("--replications", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--ensemble-repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="5,000 flats × 60 months; 20 replications")
    args = ap.parse_args()
    if args.quick:
        args.flats, args.months, args.replications, args.repeat, args.ensemble_repeat = 5_000, 60, 20, 2, 1

    s = big_estate(args.flats, args.months)
    rules = rules_of(s)
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; {load_average()}")
    print(f"[1] {s.total_units:,} flats in {len(s.buildings)} buildings × {args.months} months")

    def fast() -> None:
        m = EstateModel(s, rules, rng=1)
        m.run()
        m.series()

    fast_times = [timed(fast) for _ in range(args.repeat)]
    fast_median = statistics.median(fast_times)
    print(f"    fast model:      median {fast_median:8.2f} s over {args.repeat} runs "
          f"({', '.join(f'{t:.2f}' for t in fast_times)})   target ≤ 1 s")

    def reference() -> None:
        ReferenceModel(s, rules, rng=1).run()

    if args.reference_runs > 0:
        ref_times = [timed(reference) for _ in range(args.reference_runs)]
        ref_median = statistics.median(ref_times)
        print(f"    reference model: median {ref_median:8.2f} s over {args.reference_runs} run(s)")
        print(f"    ratio reference / fast: {ref_median / fast_median:6.1f}×   target ≥ 50×")
    else:
        print("    reference model: skipped (--reference-runs 0)")

    e = load(ROOT / "scenarios" / "chongqing-20k.toml")
    erules = rules_of(e)
    print(f"[2] {args.replications} replications of {e.total_units:,} flats × {e.horizon_months} months, "
          f"process pool of {args.workers}")
    seeds = list(enumerate(np.random.SeedSequence(e.seed).spawn(10)))
    eparams = params_of(e, erules)
    one = timed(lambda: run_chunk(e, erules, None, eparams, seeds)) / len(seeds)
    print(f"    one replication in this process: {one:.3f} s (mean of {len(seeds)}); "
          f"× {args.replications} ÷ {args.workers} workers = {one * args.replications / args.workers:.2f} s")
    times = [timed(lambda: run_ensemble(e, erules, replications=args.replications, executor="process",
                                        workers=args.workers)) for _ in range(args.ensemble_repeat)]
    med = statistics.median(times)
    print(f"    ensemble: median {med:6.2f} s over {args.ensemble_repeat} runs "
          f"({', '.join(f'{t:.2f}' for t in times)}); {med / args.replications * args.workers:.3f} s per "
          f"replication per worker   target ≤ 15 s")
    print(f"machine: {load_average()}")


if __name__ == "__main__":
    main()
