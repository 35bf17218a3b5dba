"""`estate plan SCENARIO --out DIR`: split into communities, size them, budget, verify; write the files."""

from __future__ import annotations

import argparse
import sys

from estate import highs_banner
from estate.commands import flags

FILES = ("plan.json", "budget.csv", "site_map.png")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plan", help="split an estate into communities and size them",
                       description="Plan the community split (MIP), groups, staff, space and a budget at full occupancy.")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--solver", choices=["highs", "cbc"], default=None)
    p.add_argument("--time-limit", type=float, default=None, metavar="S",
                   help=f"solver time limit, seconds: > 0 and ≤ {flags.TIME_LIMIT_MAX_S:,.0f} "
                        "(default: the scenario's)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from estate.geo_outputs import write_geo
    from estate.outputs import guarded
    from estate.plan_outputs import write_budget, write_plan, write_site_map
    from estate.validation import runnable
    from optimize import budget, plan_split, verify
    from scenarios.validity import notices

    flags.seconds("--time-limit", args.time_limit, flags.TIME_LIMIT_MAX_S)
    highs_banner.silence()
    guard = guarded(args.out, "estate plan", FILES)
    s, r = runnable(args.scenario)
    limit = args.time_limit or s.optimizer.time_limit_s
    with guard as staging:
        print(f"splitting {len(s.buildings):,} buildings into communities (time limit {limit:g} s)…",
              file=sys.stderr, flush=True)
        plan = plan_split(s, r, solver=args.solver, time_limit=args.time_limit)
        checks = verify(plan, s, r)
        costs = budget(plan, s, r)
        dated = notices(s, r)
        write_plan(plan, checks, staging / "plan.json", budget=costs, notices=dated)
        write_budget(costs, staging / "budget.csv")
        write_site_map(plan, s, staging / "site_map.png")
        geo = write_geo(plan, s, r, args.scenario, staging)   # plan.geojson, plan.gpkg for a GIS layout
        d = guard.commit(scenario=args.scenario, seed=s.seed)
    print(f"{args.scenario}: {plan.status.value}, {len(plan.communities)} communities; wrote {d}/plan.json, "
          f"budget.csv, site_map.png" + "".join(f", {p.name}" for p in geo))
    for line in plan.explanation:
        print(f"  {line}")
    print(f"  budget: {costs.notes[0]}")
    for line in dated:
        print(f"  {line}")
    return 0
