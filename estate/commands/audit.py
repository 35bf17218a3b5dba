"""`estate audit SCENARIO --out DIR`: check a built estate's existing communities against every rule."""

from __future__ import annotations

import argparse

from estate.plan_outputs import out_dir, write_audit
from optimize import audit
from scenarios import load, rules_of


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="check a built estate's communities against the rules",
                       description="Report every rule's pass/fail and shortfall for the scenario's [existing] communities.")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    s = load(args.scenario)
    d = out_dir(args.out)
    checks = audit(s, rules_of(s))
    write_audit(checks, d / "audit.json")
    failed = sum(not k.passed for k in checks)
    print(f"{args.scenario}: {len(checks)} checks, {failed} failed; wrote {d}/audit.json")
    return 0
