"""`estate layout`: write a seeded synthetic estate layout as a layout CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from scenarios.layout import write_csv
from scenarios.synthetic import synthetic_layout
from standards.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("layout", help="generate a synthetic estate layout (CSV) for trials",
                       description="Write a seeded synthetic layout of towers in clusters, delivered in phases.")
    p.add_argument("--flats", type=int, required=True, help="about how many flats")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--phases", type=int, default=3)
    p.add_argument("--out", required=True, help="CSV file to write (refuses to overwrite)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists():
        raise InputError(f"{out}: already exists; choose another --out (nothing was overwritten)")
    if args.flats <= 0 or args.phases <= 0:
        raise InputError("--flats and --phases must be > 0")
    buildings = synthetic_layout(target_flats=args.flats, seed=args.seed, phases=args.phases)
    write_csv(buildings, out)
    print(f"{out}: {len(buildings)} buildings, {sum(b.units for b in buildings):,} flats")
    return 0
