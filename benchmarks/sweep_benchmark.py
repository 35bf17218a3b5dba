"""Sweep benchmark (a script, not a test): prints throughput, medians, ratios and the load average.

1. Throughput: a grid of --variants variants of the 20,000-flat example, --replications each, run by
   `estate.sweep.run` on (a) one worker (this process), (b) the local process pool of 2 and (c) a
   2-worker `distributed.LocalCluster`; variant-replications per second, median of --repeat runs on
   started and warmed executors, run in turn round after round (each executor's start-up timed apart). The overhead of Dask against the
   local pool on 2 workers = LocalCluster time ÷ pool time − 1. Target: ≤ 15 %.
2. The issue's sweep: 100 variants (acceptance × round share, 10 × 10) of the 20k example with 20
   replications each, on the local pool of 2, start-up included. Target: ≤ 60 s on 2 cores. For reading
   the figure on a shared machine it also prints one replication's time in this process and what two
   workers would take at that speed (variants × replications × that ÷ 2).

    .venv/bin/python benchmarks/sweep_benchmark.py [--variants 8] [--replications 5] [--repeat 3]
    .venv/bin/python benchmarks/sweep_benchmark.py --quick      # smaller sizes, to check the script
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from estate import sweep  # noqa: E402
from estate.executors import executor  # noqa: E402
from scenarios import load  # noqa: E402


def load_average() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 min)"


def values(n: int, low: float, high: float) -> str:
    return ",".join(f"{low + (high - low) * i / max(1, n - 1):.4f}" for i in range(n))


def spec_of(base, variants: int, replications: int, seed: int):
    """A grid of ``variants`` variants: acceptance × round share (as square as it goes)."""
    a = max(1, int(variants ** 0.5))
    b = variants // a
    return sweep.make_spec("bench", base, vary=[f"allocation.acceptance={values(a, 0.5, 0.95)}",
                                                f"allocation.round_share={values(b, 0.3, 1.0)}"],
                           replications=replications, seed=seed)


def timed_run(spec, base, where) -> float:
    out = Path(tempfile.mkdtemp(prefix="sweep-bench-"))
    try:
        t = time.perf_counter()
        outcome = sweep.run(spec, base, out, where)
        seconds = time.perf_counter() - t
        assert outcome.ok == len(spec.variants), outcome
        return seconds
    finally:
        shutil.rmtree(out, ignore_errors=True)


def throughput(base, args, setups: dict[str, dict]) -> dict[str, float]:
    """Median run time on each executor. The executors are started together and warmed, then run in
    turn, round after round, so a change in the machine's load falls on all of them alike."""
    from contextlib import ExitStack

    times: dict[str, list[float]] = {name: [] for name in setups}
    with ExitStack() as stack:
        started = {}
        for name, where_args in setups.items():
            t = time.perf_counter()
            started[name] = stack.enter_context(executor(**where_args))
            start = time.perf_counter() - t
            timed_run(spec_of(base, args.warm, 1, seed=999), base, started[name])   # plan and compile in each worker
            print(f"    {name:<26} started in {start:5.2f} s")
        for r in range(args.repeat):
            for name, where in started.items():
                times[name].append(timed_run(spec_of(base, args.variants, args.replications, seed=r), base, where))
    n = args.variants * args.replications
    medians = {}
    for name, ts in times.items():
        medians[name] = statistics.median(ts)
        print(f"    {name:<26} median {medians[name]:6.2f} s over {args.repeat} ({', '.join(f'{x:.2f}' for x in ts)}); "
              f"{n / medians[name]:6.2f} variant-replications/s")
    return medians


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variants", type=int, default=8)
    ap.add_argument("--replications", type=int, default=20)   # the sweep runs 20 a variant
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--warm", type=int, default=4, help="variants run first on each executor, untimed")
    ap.add_argument("--big-variants", type=int, default=100)
    ap.add_argument("--big-replications", type=int, default=20)
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--quick", action="store_true", help="4 variants × 2 replications; the big sweep 4 × 4")
    args = ap.parse_args()
    if args.quick:
        args.variants, args.replications, args.repeat, args.warm = 4, 2, 1, 2
        args.big_variants, args.big_replications = 4, 4

    base = load(ROOT / "scenarios" / "chongqing-20k.toml")
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; {load_average()}")
    print(f"[1] {args.variants} variants × {args.replications} replications of {base.total_units:,} flats × "
          f"{base.horizon_months} months")
    setups = {"1 worker (this process)": {"workers": 1}, "local pool, 2 workers": {"workers": 2}}
    if importlib.util.find_spec("distributed") is not None:
        setups["LocalCluster, 2 workers"] = {"dask_local": 2}
    else:
        print("    LocalCluster: skipped (Dask not installed: pip install -e '.[dask]')")
    m = throughput(base, args, setups)
    one, pool = m["1 worker (this process)"], m["local pool, 2 workers"]
    print(f"    speed-up of the pool of 2 over 1 worker: {one / pool:4.2f}×")
    if "LocalCluster, 2 workers" in m:
        print(f"    Dask overhead against the local pool on 2 workers: "
              f"{100 * (m['LocalCluster, 2 workers'] / pool - 1):+5.1f} %   target ≤ 15 %")
    print(f"    {load_average()}")

    if args.skip_big:
        return
    spec = spec_of(base, args.big_variants, args.big_replications, seed=1)
    print(f"[2] {len(spec.variants)} variants × {args.big_replications} replications, local pool of 2, start-up "
          "included")
    from sim import run_ensemble
    from scenarios import rules_of
    rules = rules_of(base)
    plan = sweep.planned_split(base, rules)
    run_ensemble(base, rules, plan.split(), replications=1)              # compile
    t = time.perf_counter()
    run_ensemble(base, rules, plan.split(), replications=10)
    per = (time.perf_counter() - t) / 10
    print(f"    one replication in this process: {per:.3f} s; × {len(spec.variants) * args.big_replications} ÷ 2 "
          f"workers = {per * len(spec.variants) * args.big_replications / 2:.1f} s")
    out = Path(tempfile.mkdtemp(prefix="sweep-bench-"))
    try:
        t = time.perf_counter()
        with executor(workers=2) as where:
            outcome = sweep.run(spec, base, out, where)
        total = time.perf_counter() - t
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print(f"    sweep: {total:6.1f} s ({outcome.ok} ok, {outcome.failed} failed); "
          f"{len(spec.variants) * args.big_replications / total:.1f} variant-replications/s   target ≤ 60 s")
    print(f"machine: {load_average()}")


if __name__ == "__main__":
    main()
