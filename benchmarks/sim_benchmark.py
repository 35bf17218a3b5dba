"""Simulation benchmark (a script, not a test): the model as it is ("after") against the model of an
earlier commit ("before": by default the last commit whose month visited every person, ``BEFORE``),
measured in the same run, with ratios, medians, CPU seconds and the load average beside each figure.

Each side is measured in its own Python process, importing its own tree (the "before" tree is taken
with ``git archive`` into a temporary folder; skipped where git cannot give it), one after the other:

1. One replication of a 50,000-flat synthetic estate × 360 months (median of --repeat; wall and CPU;
   each replication hands its tables to the next, as replications of an ensemble do). Target: ≤ 0.15 s.
   Then, with --rounds R, the same again in R rounds that alternate the sides (a fresh process per side
   and round): on a machine shared with other work, the two sides then meet the same
   load, and the median of the rounds' ratios is the figure to compare.
2. 200 replications of the 20,000-flat example (its 120-month horizon) on a process pool of 2 started
   for each run (start-up included; median of --ensemble-repeat), and the peak memory of the ensemble
   (this process's peak RSS plus the largest worker's × workers, an upper bound). Targets: ≤ 4 s;
   ≤ 2 GB. The fork server is started once per process, so the first run also pays for it. Beside the
   wall time: the CPU seconds of this process and of the busiest worker (on a machine shared with
   other work, wall time counts the others' turns; CPU time does not).
3. The reference model (one agent per household) against the fast one at 10,000 flats × 120 months
   (--reference-runs runs of the reference, 3 by default, each against the fast model's median of --repeat
   measured just before it: the figure is the median of the ratios, printed with their range and each
   pair's load). Target: reference ÷ fast ≥ 1,000×.
4. Scaling: one replication × 120 months for 2,500 … 100,000 flats (--sizes), the median time of each,
   a straight line fitted on log–log axes (time ∝ flats^k, k printed), drawn with both sides to --plot
   (PNG, default out/sim_scaling.png).

    .venv/bin/python benchmarks/sim_benchmark.py [--before REV] [--repeat 5] [--ensemble-repeat 3]
        [--reference-runs 3] [--sizes 2500 5000 10000 20000 50000 100000] [--plot out/sim_scaling.png]
        [--rounds 5]
    .venv/bin/python benchmarks/sim_benchmark.py --quick      # smaller sizes, to check the script
    .venv/bin/python benchmarks/sim_benchmark.py --before none   # this tree only
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the tree whose model is measured (a worker of the process pool inherits it through the environment)
CODE = Path(os.environ.get("SIM_BENCHMARK_CODE", ROOT))
sys.path.insert(0, str(CODE))

# The last commit of the per-person month (before the event calendar and the batched ensembles).
BEFORE = "8eda0bd"
TARGETS = {"one": 0.15, "ensemble": 4.0, "memory_gb": 2.0, "reference_ratio": 1000.0}


def load_average() -> str:
    try:
        return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - no load average on this platform
        return "load unknown"


def timed(fn) -> tuple[float, float]:
    """Wall and CPU seconds (this process) of ``fn()``."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def big_estate(flats: int, months: int):
    from scenarios import load, synthetic_layout

    base = load(CODE / "scenarios" / "chongqing-20k.toml")
    buildings = synthetic_layout(target_flats=flats, seed=50, phases=3)
    allocation = base.allocation.model_copy(update={"waiting_pool": int(flats * 1.5),
                                                    "new_applicants_per_month": flats // 25})
    return base.model_copy(update={"buildings": buildings, "horizon_months": months, "allocation": allocation,
                                   "name": f"benchmark {flats:,} flats × {months} months"})


def worker_figures(pause: float = 0.0) -> tuple[int, float, float, str]:
    """This process's id, peak resident memory (GB), CPU seconds so far and the folder of the ``sim`` it
    runs; ``pause`` keeps a worker busy, so that each of a pool's workers answers one of the calls."""
    import sim

    time.sleep(pause)
    return (os.getpid(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, time.process_time(),
            str(Path(sim.__file__).resolve().parent.parent))


def ensemble_on_a_new_pool(e, rules, replications: int, workers: int) -> dict:
    """An ensemble on a process pool started for it (start-up and shut-down included, as
    ``run_ensemble(executor="process")`` does): wall seconds, this process's CPU seconds, and each
    worker's CPU seconds and peak memory (a worker's peak counts the pages it shares with the fork
    server, so their sum is an upper bound)."""
    from concurrent.futures import ProcessPoolExecutor

    from sim import run_ensemble
    from sim.ensemble import _context

    t, c = time.perf_counter(), time.process_time()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context())
    try:
        run_ensemble(e, rules, replications=replications, executor=pool, workers=workers)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        answers = {pid: (gb, sec, tree) for pid, gb, sec, tree in
                   (f.result() for f in [pool.submit(worker_figures, 0.3) for _ in range(3 * workers)])}
    finally:
        pool.shutdown(wait=True)
    trees = {tree for _, _, tree in answers.values()}
    if trees != {str(CODE.resolve())}:
        raise RuntimeError(f"the pool's workers ran {trees}, not the tree measured ({CODE})")
    return {"wall": wall, "main_cpu": cpu, "worker_gb": max(gb for gb, _, _ in answers.values()),
            "worker_cpu": sorted(sec for _, sec, _ in answers.values())}


def measure(args: argparse.Namespace) -> dict:
    """Every figure of one side, in this process (its tree is ``CODE``)."""
    from scenarios import load, rules_of
    from sim import EstateModel
    from sim.reference import ReferenceModel

    out: dict = {}

    def one(s, rules, seed=1):
        m = EstateModel(s, rules, rng=seed)
        m.run()
        m.series()
        # done with its people: their tables go to the next replication, as in an ensemble (a tree
        # without ``release`` lets the collector free them)
        release = getattr(m.households.pop, "release", None)
        if release is not None:
            release()

    def median_of(s, rules, repeat: int) -> dict:
        one(s, rules)                                 # compiled code loaded, caches warm
        runs = [timed(lambda: one(s, rules)) for _ in range(repeat)]
        return {"wall": statistics.median(w for w, _ in runs), "cpu": statistics.median(c for _, c in runs),
                "runs": [w for w, _ in runs], "load": load_average()}

    s = big_estate(args.flats, args.months)
    rules = rules_of(s)
    out["one"] = median_of(s, rules, args.repeat) | {"flats": s.total_units}
    if args.only_one:
        return out

    e = load(CODE / "scenarios" / "chongqing-20k.toml")
    erules = rules_of(e)
    runs = [ensemble_on_a_new_pool(e, erules, args.replications, args.workers) for _ in range(args.ensemble_repeat)]
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20          # kB → GB
    worker_gb = max(r["worker_gb"] for r in runs)
    out["ensemble"] = {"wall": statistics.median(r["wall"] for r in runs), "runs": [r["wall"] for r in runs],
                       "main_cpu": statistics.median(r["main_cpu"] for r in runs),
                       "worker_cpu": statistics.median(max(r["worker_cpu"]) for r in runs),
                       "load": load_average(), "flats": e.total_units, "months": e.horizon_months,
                       "memory_gb": me + args.workers * worker_gb, "main_gb": me, "worker_gb": worker_gb}

    r = big_estate(args.reference_flats, 120)
    rrules = rules_of(r)
    if args.reference_runs > 0:
        # each reference run against the fast model's median measured just before it, so that both sides of
        # a ratio meet the same load; the figure is the median of the ratios, printed with their spread
        pairs = []
        for _ in range(args.reference_runs):
            fast = median_of(r, rrules, args.repeat)["wall"]
            ref = timed(lambda: ReferenceModel(r, rrules, rng=1).run())[0]
            pairs.append({"fast": fast, "reference": ref, "ratio": ref / fast, "load": load_average()})
        out["reference"] = {"pairs": pairs, "ratio": statistics.median(p["ratio"] for p in pairs),
                            "fast": statistics.median(p["fast"] for p in pairs),
                            "reference": statistics.median(p["reference"] for p in pairs),
                            "load": load_average(), "flats": r.total_units}

    out["scaling"] = []
    for flats in args.sizes:
        sc = big_estate(flats, 120)
        out["scaling"].append(median_of(sc, rules_of(sc), max(1, args.repeat // 2)) | {"flats": sc.total_units})
    return out


def side(args: argparse.Namespace, code: Path, label: str, *extra: str) -> dict | None:
    """``measure`` in a fresh process importing ``code``."""
    env = dict(os.environ, SIM_BENCHMARK_CODE=str(code), PYTHONPATH=str(code))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--measure", *sys.argv[1:], *extra]
    print(f"measuring {label} ({code}) …", flush=True)
    # run from the tree itself: a process started with ``-c`` (the pool's fork server) puts its working
    # directory first on its path, so it must be the tree measured
    done = subprocess.run(cmd, env=env, cwd=code, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"    {label}: failed\n{done.stderr[-2000:]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def before_tree(rev: str, into: Path) -> Path | None:
    """The project at ``rev`` (sim, scenarios, standards), from git; None where git cannot give it."""
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "sim", "scenarios", "standards"],
                                 capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"before ({rev}): not available ({exc}); after only")
        return None
    return into


def fit(points: list[dict]) -> tuple[float, float]:
    """Exponent k and factor a of time = a × flats^k, least squares on log–log axes."""
    import numpy as np

    x = np.log([p["flats"] for p in points])
    y = np.log([p["wall"] for p in points])
    k, log_a = np.polyfit(x, y, 1)
    return float(k), float(np.exp(log_a))


def plot(sides: dict[str, dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for (label, data), colour in zip(sides.items(), ("tab:grey", "tab:blue")):
        pts = data["scaling"]
        x = np.array([p["flats"] for p in pts])
        y = np.array([p["wall"] for p in pts])
        k, a = fit(pts)
        ax.loglog(x, y, "o", color=colour, label=f"{label}: time ∝ flats^{k:.2f}")
        ax.loglog(x, a * x ** k, "-", color=colour, alpha=0.6)
    ax.set_xlabel("households (flats)")
    ax.set_ylabel("seconds per replication (120 months)")
    ax.set_title("Simulation: one replication against estate size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def spread(reference: dict) -> str:
    """The median of the reference ÷ fast ratios and their range (older results: the one ratio)."""
    pairs = reference.get("pairs")
    if not pairs:
        return f"{reference['reference'] / reference['fast']:,.0f}× (one run)"
    ratios = [p["ratio"] for p in pairs]
    return f"{statistics.median(ratios):,.0f}× (median of {len(ratios)}; {min(ratios):,.0f}–{max(ratios):,.0f}×)"


def report(sides: dict[str, dict], args: argparse.Namespace, rounds: list[dict] = ()) -> None:
    after, before = sides.get("after"), sides.get("before")

    def ratio(key: str, field: str = "wall") -> str:
        if before is None or after is None:
            return ""
        return f"   before ÷ after: {before[key][field] / after[key][field]:.1f}×"

    print(f"\nmachine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; now {load_average()} (1, 5, 15 min)")
    o = after["one"]
    print(f"[1] one replication, {o['flats']:,} flats × {args.months} months (median of {args.repeat}; wall / CPU s)")
    for label, d in sides.items():
        print(f"    {label:6} {d['one']['wall']:7.3f} / {d['one']['cpu']:.3f} s   ({d['one']['load']})")
    print(f"    target ≤ {TARGETS['one']} s{ratio('one')}")
    if rounds:
        print(f"    alternating the sides, {len(rounds)} rounds (each the median of {args.repeat}; wall / CPU s):")
        for label in ("before", "after"):
            wall = statistics.median(r[label]["wall"] for r in rounds)
            cpu = statistics.median(r[label]["cpu"] for r in rounds)
            loads = ", ".join(r[label]["load"].split()[1] for r in rounds)
            print(f"    {label:6} {wall:7.3f} / {cpu:.3f} s   (1-minute load of each round: {loads})")
        by_wall = statistics.median(r["before"]["wall"] / r["after"]["wall"] for r in rounds)
        by_cpu = statistics.median(r["before"]["cpu"] / r["after"]["cpu"] for r in rounds)
        print(f"    before ÷ after, median of the rounds' ratios: {by_wall:.2f}× wall, {by_cpu:.2f}× CPU")
    print(f"[2] {args.replications} replications × {after['ensemble']['flats']:,} flats × "
          f"{after['ensemble']['months']} months, pool of {args.workers} (median of {args.ensemble_repeat})")
    for label, d in sides.items():
        en = d["ensemble"]
        print(f"    {label:6} {en['wall']:7.2f} s ({', '.join(f'{t:.2f}' for t in en['runs'])}); CPU s: main "
              f"{en['main_cpu']:.2f}, busiest worker {en['worker_cpu']:.2f}; memory ≤ {en['memory_gb']:.2f} GB "
              f"(main {en['main_gb']:.2f} + {args.workers} × worker {en['worker_gb']:.2f})   ({en['load']})")
    print(f"    targets ≤ {TARGETS['ensemble']} s, ≤ {TARGETS['memory_gb']} GB{ratio('ensemble')}")
    if "reference" in after:
        rf = after["reference"]
        print(f"[3] reference model at {rf['flats']:,} flats × 120 months, {len(rf['pairs'])} runs, each against "
              f"the fast model's median of {args.repeat} measured just before it:")
        print(f"    reference ÷ fast {spread(rf)}   target ≥ {TARGETS['reference_ratio']:,.0f}×")
        for p in rf["pairs"]:
            print(f"      reference {p['reference']:.2f} s ÷ fast {p['fast']:.4f} s = {p['ratio']:,.0f}×"
                  f"   ({p['load']})")
        if before is not None and "reference" in before:
            print(f"    before: reference ÷ fast {spread(before['reference'])}")
    print("[4] scaling, one replication × 120 months (median wall s)")
    for label, d in sides.items():
        k, _ = fit(d["scaling"])
        cells = "  ".join(f"{p['flats']:,}: {p['wall']:.3f}" for p in d["scaling"])
        print(f"    {label:6} {cells}   exponent {k:.2f}")
    plot(sides, args.plot)
    print(f"    plot: {args.plot}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", default=BEFORE, help="git revision of the 'before' side, or 'none'")
    ap.add_argument("--flats", type=int, default=50_000)
    ap.add_argument("--months", type=int, default=360)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--replications", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--ensemble-repeat", type=int, default=3)
    ap.add_argument("--reference-runs", type=int, default=3,
                    help="reference runs, each against a fast median measured just before it (median ratio)")
    ap.add_argument("--reference-flats", type=int, default=10_000)
    ap.add_argument("--sizes", type=int, nargs="+", default=[2_500, 5_000, 10_000, 20_000, 50_000, 100_000])
    ap.add_argument("--plot", type=Path, default=ROOT / "out" / "sim_scaling.png")
    ap.add_argument("--quick", action="store_true", help="5,000 flats × 60 months; 20 replications; small sizes")
    ap.add_argument("--rounds", type=int, default=5,
                    help="rounds of the one replication alternating the sides (0: none)")
    ap.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--only-one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.quick:
        args.flats, args.months, args.replications, args.repeat, args.ensemble_repeat = 5_000, 60, 20, 2, 1
        args.reference_flats, args.sizes = 1_000, [1_000, 2_000, 4_000]
    if args.measure:
        print(json.dumps(measure(args)))
        return
    sides: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tree = before_tree(args.before, Path(tmp)) if args.before != "none" else None
        if tree is not None:
            got = side(args, tree, f"before ({args.before})")
            if got is not None:
                sides["before"] = got
        got = side(args, ROOT, "after (this tree)")
        if got is None:
            sys.exit(1)
        sides["after"] = got
        rounds = []
        if args.rounds > 0 and "before" in sides:
            trees = [("before", tree), ("after", ROOT)]
            for i in range(args.rounds):
                pair = {}
                for label, code in (trees if i % 2 == 0 else trees[::-1]):    # each side first in turn
                    got = side(args, code, f"{label}, round {i + 1} of {args.rounds}", "--only-one")
                    if got is not None:
                        pair[label] = got["one"]
                if len(pair) == 2:
                    rounds.append(pair)
    report(sides, args, rounds)


if __name__ == "__main__":
    main()
