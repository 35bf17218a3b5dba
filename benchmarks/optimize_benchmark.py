"""Solve time and proven gap of the community split against estate size, HiGHS against CBC.

Not a test: prints a table. Estates are seeded synthetic layouts of about 300 flats a building
(50, 100, 200, 400 buildings ≈ 15k, 30k, 60k, 120k households), Chongqing rules, 1% gap.

    .venv/bin/python benchmarks/optimize_benchmark.py [--sizes 50 100 200 400] [--seeds 3] [--limit 60]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import scenarios
from optimize import plan_split, verify
from optimize.solver import available
from scenarios import synthetic_layout

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200, 400])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--solvers", nargs="+", default=available())
    a = ap.parse_args()
    base = scenarios.load(ROOT / "scenarios" / "chongqing-20k.toml")
    rules = scenarios.rules_of(base)
    print(f"{'buildings':>9} {'households':>10} {'solver':>6} {'median s':>9} {'median gap':>10} statuses")
    for n in a.sizes:
        for solver in a.solvers:
            times, gaps, stats = [], [], []
            for seed in range(a.seeds):
                bs = synthetic_layout(target_flats=n * 300, seed=seed, flats_per_building=(200, 400))
                s = base.model_copy(update={"buildings": bs, "layout": None, "existing": None,
                                            "horizon_months": max(base.horizon_months,
                                                                  max(b.delivery_month for b in bs) + 1)})
                p = plan_split(s, rules, solver=solver, time_limit=a.limit, gap=0.01)
                bad = [k for k in verify(p, s, rules) if not k.passed and k.rule != "CQ-73.community_households"]
                assert not bad, bad
                times.append(p.solve_seconds)
                gaps.append(p.gap if p.gap is not None else float("nan"))
                stats.append(f"{p.status.value}/{p.method}")
            print(f"{len(bs):>9} {sum(b.units for b in bs):>10,} {solver:>6} {statistics.median(times):>9.2f} "
                  f"{statistics.median(gaps):>10.4f} {','.join(stats)}", flush=True)


if __name__ == "__main__":
    main()
