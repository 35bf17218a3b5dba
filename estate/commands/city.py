"""`estate city CITYFILE --out DIR`: every estate of a city planned and simulated on one executor, and the
roll-up of staff, office space, facilities and budget by year and payer, with a per-estate table and a chart."""

from __future__ import annotations

import argparse
import sys

from estate.commands import flags


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("city", help="plan and simulate a city's estates and roll them up by year and payer",
                       description="Run every estate a city file names (split, simulation, facilities, budget) and "
                                   "write DIR/city.json, estates.csv, rollup.csv, budget.csv, city.png and each "
                                   "estate's own files under DIR/estates/.")
    p.add_argument("city", metavar="CITYFILE", help="city .toml file ([[estates]] each naming a scenario file)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    p.add_argument("--replications", type=int, default=None, metavar="N",
                   help="replications per estate (default: each scenario's)")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="seed (default: each scenario's)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None, metavar="W",
                       help="local worker processes (default: one per CPU; 1 runs in this process)")
    where.add_argument("--dask-local", type=int, default=None, metavar="N",
                       help="start a local Dask cluster of N workers (needs the dask extra)")
    where.add_argument("--dask", default=None, metavar="tcp://HOST:PORT", help="use the Dask cluster at this scheduler")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from estate.city import FILES, load_city, run_city, write_city
    from estate import highs_banner
    highs_banner.silence()
    from estate.executors import executor
    from estate.outputs import guarded
    from tqdm import tqdm

    # the one output guard: a bad --out is refused before the runs; the files go to a staging folder and
    # replace --out only once all are written
    guard = guarded(args.out, "estate city", FILES + ("estates",))
    flags.check_run(args)      # --replications, --seed, --workers: the bounds of `estate run`
    flags.whole("--dask-local", args.dask_local, 1, flags.MAX_WORKERS)
    city = load_city(args.city)
    reps = [args.replications or e.scenario.replications for e in city.estates]
    seen = [0] * len(reps)
    bar = None

    def progress(i: int, stage: str, done: int, total: int) -> None:
        if stage == "simulate" and done > seen[i]:
            bar.update(done - seen[i])
            seen[i] = done
        elif stage != "simulate" and done == 0:
            bar.set_postfix_str(f"{city.estates[i].name}: {stage}", refresh=True)

    with executor(args.workers, args.dask_local, args.dask) as where:
        if not args.quiet:
            print(f"city: {len(city.estates)} estates, {sum(reps)} replications; on {where.label}", file=sys.stderr)
        bar = tqdm(total=sum(reps), unit="replication", desc="city", file=sys.stderr, disable=args.quiet,
                   dynamic_ncols=True, mininterval=0.5)
        results = run_city(city, where.executor, replications=args.replications, seed=args.seed, progress=progress)
    bar.close()
    with guard as staging:
        written = write_city(city, results, staging)
        out = guard.commit(scenario=args.city, seed=args.seed)
    paths = [out / p.relative_to(staging) for p in written]
    print(f"{args.city}: {len(city.estates)} estates, {sum(r.scenario.total_units for r in results):,} flats; "
          f"wrote {len(paths)} files to {out} (open {out / 'city.png'})")
    for e, r in zip(city.estates, results):
        sim = r.simulation
        print(f"  {e.name}: {r.plan.status.value}, {len(r.plan.communities)} communities, "
              f"{len(sim.completed)}/{sim.replications} replications")
    return 0
