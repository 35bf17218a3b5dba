"""`estate audit SCENARIO --out DIR`: check a built estate's existing communities against every rule."""

from __future__ import annotations

import argparse
import sys

FILES = ("audit.json",)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="check a built estate's communities against the rules",
                       description="Report every rule's pass/fail and shortfall for the scenario's [existing] "
                                   "communities into DIR/audit.json. Exit 0 if every check passes, 1 if any "
                                   "fails (the report is written either way).")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from estate import tables as views
    from estate.outputs import guarded
    from estate.plan_outputs import write_audit
    from estate.validation import runnable
    from optimize import audit

    guard = guarded(args.out, "estate audit", FILES)
    s, r = runnable(args.scenario)
    with guard as staging:
        checks = audit(s, r)
        write_audit(checks, staging / "audit.json")
        d = guard.commit(scenario=args.scenario, seed=None)
    counts = views.check_counts(views.check_row(k) for k in checks)
    failed, unchecked = counts["failed"], counts["not_checked"]
    print(f"{args.scenario}: {len(checks)} checks, {failed} failed, {unchecked} not checked; wrote {d}/audit.json")
    if failed:
        print(f"{args.scenario}: {failed} of {len(checks)} checks failed (see {d}/audit.json)", file=sys.stderr)
        return 1
    return 0
