"""`estate validate FILE...`: check scenario files; exit 0 if all are valid, 1 with the messages."""

from __future__ import annotations

import argparse
import sys

from estate.validation import runnable
from standards.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario files and report every problem",
                       description="Check scenario files field by field and resolve every figure a run will use "
                                   "(defaults, overrides, the services the facility plan needs, the memory it would "
                                   "take); exit 1 with one line per problem.")
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario .toml files")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    failed = False
    for name in args.files:
        try:
            s, _ = runnable(name)
        except InputError as exc:
            failed = True
            for line in exc.messages:
                print(line, file=sys.stderr)
            continue
        print(f"{name}: ok — {s.name}: {len(s.buildings)} buildings, {s.total_units:,} flats, "
              f"{s.total_floor_area_m2:,.0f} m², regime {s.regime}, {len(s.overrides)} override(s)")
    return 1 if failed else 0
