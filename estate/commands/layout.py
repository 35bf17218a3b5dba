"""`estate layout`: write a seeded synthetic estate layout as a layout CSV."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from estate.commands import flags
from scenarios.layout import write_csv
from scenarios.synthetic import synthetic_layout
from standards.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("layout", help="generate a synthetic estate layout (CSV) for trials",
                       description="Write a seeded synthetic layout of towers in clusters, delivered in phases.")
    p.add_argument("--flats", type=int, required=True, help=f"about how many flats, 1–{flags.MAX_LAYOUT_FLATS:,}")
    p.add_argument("--seed", type=int, default=0, help="seed ≥ 0")
    p.add_argument("--phases", type=int, default=3, help=f"delivery phases, 1–{flags.MAX_LAYOUT_PHASES}")
    p.add_argument("--out", required=True, help="CSV file to write (refuses to overwrite)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    flags.whole("--flats", args.flats, 1, flags.MAX_LAYOUT_FLATS)
    flags.whole("--phases", args.phases, 1, flags.MAX_LAYOUT_PHASES)
    flags.whole("--seed", args.seed, *flags.SEED)
    out = Path(args.out)
    if out.exists() or out.is_symlink():
        raise InputError(f"{out}: already exists; choose another --out (nothing was overwritten)")
    if not out.parent.is_dir():
        raise InputError(f"{out}: its folder {out.parent} does not exist (nothing was written)")
    buildings = synthetic_layout(target_flats=args.flats, seed=args.seed, phases=args.phases)
    # written beside the target, then linked into place: never a half-written file, and never over one
    # that appeared meanwhile
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".estate-partial", dir=out.parent)
    except OSError as exc:
        raise InputError(f"{out}: cannot write there ({exc.strerror})") from None
    os.close(fd)
    try:
        write_csv(buildings, Path(tmp))
        os.link(tmp, out)
    except FileExistsError:
        raise InputError(f"{out}: already exists; choose another --out (nothing was overwritten)") from None
    except OSError as exc:
        raise InputError(f"{out}: cannot write there ({exc.strerror})") from None
    finally:
        os.unlink(tmp)
    print(f"{out}: {len(buildings)} buildings, {sum(b.units for b in buildings):,} flats")
    return 0
