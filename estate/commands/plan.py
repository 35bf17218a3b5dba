"""`estate plan SCENARIO --out DIR`: split into communities, size them, budget, verify; write the files."""

from __future__ import annotations

import argparse

from estate.plan_outputs import out_dir, write_budget, write_plan, write_site_map
from optimize import budget, plan_split, verify
from scenarios import load, rules_of
from scenarios.validity import notices


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plan", help="split an estate into communities and size them",
                       description="Plan the community split (MIP), groups, staff, space and a budget at full occupancy.")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--solver", choices=["highs", "cbc"], default=None)
    p.add_argument("--time-limit", type=float, default=None)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    s = load(args.scenario)
    d = out_dir(args.out)
    r = rules_of(s)
    plan = plan_split(s, r, solver=args.solver, time_limit=args.time_limit)
    checks = verify(plan, s, r)
    costs = budget(plan, s, r)
    dated = notices(s, r)
    write_plan(plan, checks, d / "plan.json", budget=costs, notices=dated)
    write_budget(costs, d / "budget.csv")
    write_site_map(plan, s, d / "site_map.png")
    print(f"{args.scenario}: {plan.status.value}, {len(plan.communities)} communities; wrote {d}/plan.json, "
          f"budget.csv, site_map.png")
    for line in plan.explanation:
        print(f"  {line}")
    print(f"  budget: {costs.notes[0]}")
    for line in dated:
        print(f"  {line}")
    return 0
