"""The community split against estate size, by family of estate, HiGHS against CBC.

Not a test: prints tables and writes a plot. Families (``scenarios.synthetic``):

- ``old``: the synthetic layouts of earlier benchmarks, about 300 flats a building, clusters of 6–14
  buildings, most of them inside the 3,000–5,000 band (``synthetic_layout``);
- ``large-clusters``, ``towers``, ``one-cluster``, ``mixed-phases``: estates whose clusters are near or
  above the band's top, towers of 100–1,000 flats, one cluster for the whole estate, and the three kinds
  side by side as phases (``family_layout``).

Chongqing rules. Each estate is split once per solver with the gap asked at 0.1% and a time limit; from
that one run come the time to the first split within the band (the heuristic's, or the solver's for a
part the heuristic could not fit), to a proven 1% gap and to a proven 0.1% gap: the whole split's time
less what each solver run spent after its (incumbent, bound) — as the solver reported them while it ran
— were within that gap. A time is the median over seeds; one not reached within the limit counts as
longer than every reached one (the median then shows as ``>limit``), and ``n/s`` says in how many seeds
it was reached. The 1-minute load average is printed beside each row: the machine is shared; so is the
median CPU time of the whole split (this process and CBC's), which other jobs do not inflate.

Targets (issue 13, HiGHS, 2 cores): new families, 100 buildings proven 0.1% gap ≤ 5 s; 200 buildings
proven 1% gap ≤ 10 s; 400 buildings a split within the band ≤ 30 s; the old family no slower than
before, measured in the same run as a ratio. ``--before`` runs every row twice, the split as it runs
(``STRONG``) and as issue 13's second pass left it (``PREVIOUS``: without the local count cuts (14)),
interleaved estate by estate so both see the same load; ``--first`` compares with the first pass instead
(``BEFORE``: no (14), HiGHS's sub-MIP heuristics on), ``--third`` with the third (``RACE``: the second
run with (14) starts from the heuristic's split, not the restricted model's). ``--ablation`` measures each piece alone
on the new families: (12), (13), the lean (2), the sub-MIPs off and (14), against the model without
(12)-(14). The plot (``--png``): time against buildings on log axes, one line per family,
with the exponent of a least-squares fit of log time on log buildings over the reached medians.

    .venv/bin/python benchmarks/optimize_benchmark.py                 # full sweep, ~16 min at --limit 10
    .venv/bin/python benchmarks/optimize_benchmark.py --quick         # 50 and 100 buildings, one seed, HiGHS
    .venv/bin/python benchmarks/optimize_benchmark.py --ablation --sizes 100 --families large-clusters towers
    .venv/bin/python benchmarks/optimize_benchmark.py --no-sweep        # old family, before/after
    .venv/bin/python benchmarks/optimize_benchmark.py --before --solvers highs --sizes 100 200  # before/after
    .venv/bin/python benchmarks/optimize_benchmark.py --before --solvers highs --sizes 100 200 \
        --families large-clusters mixed-phases            # issue 13's proof targets, against the second pass
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
from dataclasses import dataclass
from pathlib import Path

import scenarios
from optimize.solver import available
from optimize.split import BEFORE, PLAIN, PREVIOUS, RACE, STRONG, Formulation, split_indices
from scenarios import FAMILIES, family_layout, synthetic_layout

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {100: ("0.1%", 5.0), 200: ("1%", 10.0), 400: ("in band", 30.0)}   # buildings: (what, seconds)


def load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:  # pragma: no cover - no load average on this platform
        return "?"


@dataclass(frozen=True)
class Run:
    buildings: int
    households: int
    in_band: float | None
    to_1: float | None
    to_01: float | None
    status: str
    cpu: float          # CPU seconds of the whole split, this process and the solver's (CBC's) own


def cpu_now() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def estate(base, family: str, n: int, seed: int):
    if family == "old":
        bs = synthetic_layout(target_flats=n * 300, seed=seed, flats_per_building=(200, 400))
    else:
        bs = family_layout(family, buildings=n, seed=seed)
    return base.model_copy(update={"buildings": bs, "layout": None, "existing": None,
                                   "horizon_months": max(base.horizon_months, max(b.delivery_month for b in bs) + 1)})


def run(base, rules, family: str, n: int, seed: int, solver: str, limit: float, formulation: Formulation) -> Run:
    s = estate(base, family, n, seed)
    c0 = cpu_now()
    _, h, r, _, _ = split_indices(s, rules, solver=solver, time_limit=limit, gap=0.001, formulation=formulation,
                                  cut_factor=s.optimizer.adjacency_cut_factor)
    return Run(len(s.buildings), int(h.sum()), r.in_band_seconds, r.seconds_to_gap(0.01), r.seconds_to_gap(0.001),
               f"{r.solve.status.value}/{r.method}", cpu_now() - c0)


def median(xs: list[float | None]) -> float:
    """Median with the unreached (None) above every reached time."""
    return statistics.median([math.inf if x is None else x for x in xs])


def cell(xs: list[float | None]) -> str:
    m = median(xs)
    got = sum(x is not None for x in xs)
    return f"{'>limit' if math.isinf(m) else f'{m:.2f}'} {got}/{len(xs)}"


def sweep(base, rules, families, sizes, seeds, solvers, limit, have, variants: dict[str, Formulation]) -> dict:
    """Every family × size × solver × variant (the variants interleaved seed by seed); prints a row each;
    returns the runs by (family, size, solver, variant)."""
    out: dict[tuple[str, int, str, str], list[Run]] = {}
    print(f"{'family':>15} {'size':>5} {'bldgs':>5} {'households':>10} {'solver':>6} {'variant':>7} {'in band s':>11} "
          f"{'1% s':>11} {'0.1% s':>11} {'cpu s':>6} {'load':>5}  statuses")
    for fam in families:
        for n in sizes:
            for solver in solvers:
                if solver not in have:
                    print(f"{fam:>15} {n:>5} {'':>5} {'':>10} {solver:>6} not available")
                    continue
                got: dict[str, list[Run]] = {k: [] for k in variants}
                for seed in range(seeds):
                    for k, f in variants.items():
                        got[k].append(run(base, rules, fam, n, seed, solver, limit, f))
                for k, rs in got.items():
                    out[fam, n, solver, k] = rs
                    print(f"{fam:>15} {n:>5} {round(statistics.median(r.buildings for r in rs)):>5} "
                          f"{round(statistics.median(r.households for r in rs)):>10,} {solver:>6} {k:>7} "
                          f"{cell([r.in_band for r in rs]):>11} {cell([r.to_1 for r in rs]):>11} "
                          f"{cell([r.to_01 for r in rs]):>11} {statistics.median(r.cpu for r in rs):>6.2f} "
                          f"{load():>5}  {','.join(r.status for r in rs)}", flush=True)
                if len(variants) > 1:
                    ref, *others = list(variants)
                    cpu0 = statistics.median(r.cpu for r in got[ref])
                    print(f"{'':>15} {'':>5} CPU s against {ref!r}: " + "; ".join(
                        f"{k} {statistics.median(r.cpu for r in got[k]) / cpu0:.2f}×" for k in others), flush=True)
    return out


def targets(runs: dict, seeds: int) -> None:
    for n, (what, secs) in TARGETS.items():
        for fam in FAMILIES:
            rs = runs.get((fam, n, "highs", "now"))
            if not rs:
                continue
            xs = [r.to_01 if what == "0.1%" else r.to_1 if what == "1%" else r.in_band for r in rs]
            met = sum(x is not None and x <= secs for x in xs)
            slowest = ">limit" if any(x is None for x in xs) else f"{max(xs):.2f}"
            print(f"target {n} buildings, {fam}: {what} within {secs:g} s in {met}/{len(xs)} seeds "
                  f"(median {cell(xs)}, slowest {slowest}) {'MET' if met == len(xs) else 'NOT MET'}; load {load()}")


def compare(base, rules, family: str, sizes, seeds, limit, variants: dict[str, Formulation]) -> None:
    """The same estates under several formulations (HiGHS): medians and ratios to the first."""
    names = list(variants)
    print(f"{family}: time to a proven gap by formulation (HiGHS), ratio to {names[0]!r}")
    for n in sizes:
        res = {k: [run(base, rules, family, n, seed, "highs", limit, f) for seed in range(seeds)]
               for k, f in variants.items()}
        for gap, key in (("1%", "to_1"), ("0.1%", "to_01")):
            meds = {k: median([getattr(r, key) for r in rs]) for k, rs in res.items()}
            ref = meds[names[0]]
            parts = []
            for k in names:
                ratio = "" if k == names[0] or math.isinf(ref) or math.isinf(meds[k]) else f" ({meds[k] / ref:.2f}×)"
                parts.append(f"{k} {cell([getattr(r, key) for r in res[k]])}{ratio}")
            print(f"  {n:>4} buildings, {gap:>4}: " + "; ".join(parts) + f"; load {load()}", flush=True)
        cpus = {k: statistics.median(r.cpu for r in rs) for k, rs in res.items()}
        print(f"  {n:>4} buildings, CPU s of the whole split (limit or not): "
              + "; ".join(f"{k} {v:.2f}" + ("" if k == names[0] else f" ({v / cpus[names[0]]:.2f}×)")
                          for k, v in cpus.items()), flush=True)


def plot(runs: dict, path: Path, limit: float) -> None:
    """Median time to a proven 1% gap (HiGHS) against buildings, log axes, a fitted exponent per family."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    for ax, (key, label) in zip(axes, (("in_band", "first split within the band"), ("to_1", "proven 1% gap"))):
        for fam in sorted({f for f, _, s, _ in runs if s == "highs"}):
            pts = sorted((statistics.median(r.buildings for r in rs), median([getattr(r, key) for r in rs]))
                         for (f, n, s, k), rs in runs.items() if f == fam and s == "highs" and k == "now")
            got = [(x, y) for x, y in pts if not math.isinf(y) and y > 0]
            if len(got) >= 2:
                k, _ = np.polyfit(np.log([x for x, _ in got]), np.log([y for _, y in got]), 1)
                name = f"{fam} (∝ n^{k:.2f})"
            else:
                name = f"{fam} (too few points to fit)"
            line, = ax.plot([x for x, _ in got], [y for _, y in got], "o-", label=name)
            miss = [x for x, y in pts if math.isinf(y)]
            if miss:
                ax.plot(miss, [limit] * len(miss), "x", color=line.get_color())
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("buildings")
        ax.set_title(f"HiGHS, median time to {label}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("seconds (× at the time limit: not reached)")
    fig.suptitle(f"community split, time limit {limit:g} s; load average {load()} on {os.cpu_count()} CPUs",
                 fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"plot: {path}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--families", nargs="+", default=["old", *FAMILIES], choices=["old", *FAMILIES])
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200, 400])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--limit", type=float, default=10.0, help="solver time limit per split, seconds")
    ap.add_argument("--solvers", nargs="+", default=["highs", "cbc"])
    ap.add_argument("--quick", action="store_true", help="50 and 100 buildings, one seed, HiGHS only")
    ap.add_argument("--ablation", action="store_true",
                    help="each strengthening alone on the new families instead of the sweep")
    ap.add_argument("--no-sweep", action="store_true", help="only the comparison of formulations on 'old'")
    ap.add_argument("--before", action="store_true",
                    help="each row also as issue 13's second pass left the split (PREVIOUS), interleaved")
    ap.add_argument("--first", action="store_true",
                    help="with --before: against issue 13's first pass (BEFORE) instead")
    ap.add_argument("--third", action="store_true",
                    help="with --before: against issue 13's third pass (RACE: the second run from the "
                         "heuristic's split) instead")
    ap.add_argument("--png", type=Path, default=ROOT / "out" / "split_scaling.png")
    a = ap.parse_args()
    if a.quick:
        a.sizes, a.seeds, a.solvers = [50, 100], 1, ["highs"]
    have = available()
    base = scenarios.load(ROOT / "scenarios" / "chongqing-20k.toml")
    rules = scenarios.rules_of(base)
    against = {"before": BEFORE if a.first else RACE if a.third else PREVIOUS, "now": STRONG}
    print(f"before: load average {load()} on {os.cpu_count()} CPUs; time limit {a.limit:g} s, gap asked 0.1%, "
          f"{a.seeds} seeds")
    if a.ablation:
        old = dict(lean=False, sub_mips=True, local_counts=False)
        variants = {"plain": PLAIN, "(12) only": Formulation(piece_open=True, aggregates=False, **old),
                    "(13) only": Formulation(piece_open=False, aggregates=True, **old), "both (BEFORE)": BEFORE,
                    "(14) only": Formulation(piece_open=False, aggregates=False, sub_mips=True),
                    "lean (2)": Formulation(lean=True, sub_mips=True, local_counts=False),
                    "no sub-MIPs": PREVIOUS, "now: (14) too": STRONG,
                    "now + lean (2)": Formulation(lean=True)}
        for fam in [f for f in a.families if f != "old"]:
            compare(base, rules, fam, a.sizes, a.seeds, a.limit, variants)
    elif a.no_sweep:
        compare(base, rules, "old", a.sizes, a.seeds, a.limit, against)
    else:
        variants = against if a.before else {"now": STRONG}
        runs = sweep(base, rules, a.families, a.sizes, a.seeds, a.solvers, a.limit, have, variants)
        targets(runs, a.seeds)
        if "old" in a.families and "highs" in have and not a.before:
            compare(base, rules, "old", a.sizes, a.seeds, a.limit, against)
        plot(runs, a.png, a.limit)
    print(f"after: load average {load()}")


if __name__ == "__main__":
    main()
