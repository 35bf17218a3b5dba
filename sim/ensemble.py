"""Ensembles: N replications with independent random streams (``SeedSequence(seed).spawn(N)``), run
through any ``concurrent.futures.Executor`` (in-process and a process pool built in; a Dask client's
``get_executor()`` works too), summarised as P10/P50/P90 of every series and of each community's
election month. A failed replication is reported, not fatal.

>>> from scenarios import load, rules_of
>>> s = load("scenarios/small-2400.toml")
>>> result = run_ensemble(s, rules_of(s), replications=20, executor="process")
>>> result.demand().estate["kindergarten_classes"].p90
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import threading
import uuid
from collections import OrderedDict
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from scenarios.demand import Band, Demand
from scenarios.schema import Scenario
from scenarios.split import Split, split_of
from sim import uncertain
from sim.model import EstateModel
from sim.params import Params, params_of
from sim.events import Inputs, inputs_of
from sim.reporting import ESTATE_ONLY, Census, RuleTables, finish, metric_names, rule_tables, units_of
from standards import formulas
from standards.errors import InputError
from standards.ruleset import RuleSet

ESTATE = "estate"
# Voters by category (CQ-73 §一(二)): hukou residents, non-hukou signed tenants, community workers.
VOTER_METRICS = ("voters_hukou", "voters_tenant", "voters_worker")
QUANTILES = (10, 50, 90)
BATCH_MEMORY = 256 * 2**20     # bytes a batch of replications may hold (sim.ensemble.batch_size)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Failure:
    """A replication that raised: its index and the error, in one line."""

    replication: int
    message: str


class SerialExecutor(Executor):
    """Runs each task at once, in this process (the default; no pickling, easiest to debug)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future


# A worker's shared inputs by ensemble (its ``token``) and thread: the later batches of an ensemble that reach
# the same worker find the rule tables filled by the earlier ones, and the census layout and month inputs
# built. Keyed by thread too, because the tables fill as counts appear and a thread pool (an executor the
# caller hands in) may run two batches of one ensemble at once in one process.
_TABLES: OrderedDict[tuple[str, int], tuple[RuleTables, Census, Inputs]] = OrderedDict()
_TABLES_KEPT = 4
_TABLES_LOCK = threading.Lock()


def _tables(token: str | None, params: Params, rules: RuleSet) -> tuple[RuleTables, Census, Inputs]:
    key = (token, threading.get_ident()) if token is not None else None
    with _TABLES_LOCK:
        if key is not None and key in _TABLES:
            return _TABLES[key]
    census = Census(params)
    shared = (rule_tables(params, rules), census, inputs_of(params, census))
    if key is not None:
        with _TABLES_LOCK:
            _TABLES[key] = shared
            while len(_TABLES) > _TABLES_KEPT:
                _TABLES.popitem(last=False)
    return shared


def replication_bytes(params: Params) -> int:
    """Memory one replication of a batch holds until the batch is finished: its series (float64) and
    raw record, plus the share of one replication's state while it runs."""
    series = params.horizon * (params.communities + 1) * len(metric_names(params)) * 8
    census_cells = Census.GROUPS * 2 * 16                      # a generous count of age partitions
    record = params.horizon * (params.communities * (8 + census_cells) + len(params.building_units)) * 4
    return series + record


def batch_size(params: Params, replications: int, workers: int, chunks_per_worker: int,
               memory: int = BATCH_MEMORY) -> int:
    """Replications per batch: as many as ``memory`` bytes hold (``replication_bytes`` each), and no more
    than keeps about ``chunks_per_worker`` batches per worker (so the last ones finish together)."""
    by_memory = max(1, memory // replication_bytes(params))
    balanced = max(1, math.ceil(replications / (max(1, workers) * chunks_per_worker)))
    return int(min(by_memory, balanced))


def run_chunk(scenario: Scenario, rules: RuleSet, split: Split | None, params: Params,
              seeds: Sequence[tuple[int, np.random.SeedSequence]], token: str | None = None) -> list[tuple]:
    """Run a batch of replications (a module-level function, so a process pool can import it): each gives
    ``("ok", index, series as float32, election months, preparatory months, voters at the election, drawn
    inputs)`` or ``("failed", index, message)``. The batch's series are one array with a leading replication
    axis, finished (staff, grids, shares, demand) in one pass; each replication draws from its own stream
    only (its uncertain inputs from a child stream, ``sim.uncertain``), so what it gives does not depend on
    the batch it ran in. ``token`` names the ensemble, so a worker keeps its shared inputs from one batch to
    the next."""
    out: list[tuple] = []
    tables, census, inputs = _tables(token, params, rules)   # shared by the models: their counts repeat
    metrics = metric_names(params)
    data = np.zeros((len(seeds), params.horizon, params.communities + 1, len(metrics)))
    ran = []
    for r, (index, seed) in enumerate(seeds):
        try:
            own, drawn = uncertain.draw(params, scenario, seed)    # this replication's uncertain inputs
            model = EstateModel(scenario, rules, split, rng=seed, params=own, tables=tables, census=census,
                                inputs=inputs if own is params else None, data=data[r])
            model.run()
            months = np.array([np.inf if m is None else m for m in model.election_months().values()])
            prep = np.array([np.inf if c.preparatory_group_month is None else c.preparatory_group_month
                             for c in model.communities])
            ran.append((r, index, months, prep, drawn))
            # the replication's tables are the bulk of its memory: hand them to the next replication now
            # (the model and its agents refer to each other, so the model itself waits for the cyclic
            # collector)
            model.households.pop.release()
            model.households.pop = None
        except Exception as exc:  # noqa: BLE001 - one replication's failure is reported, not fatal
            out.append(("failed", index, f"{type(exc).__name__}: {exc}"))
    if not ran:
        return out
    rows = [r for r, *_ in ran]
    series = finish(data[rows], params, rules, metrics, tables).astype(np.float32)
    cols = [metrics.index(m) for m in VOTER_METRICS]
    for k, (_, index, months, prep, drawn) in enumerate(ran):
        voters = np.full((len(months), len(VOTER_METRICS)), np.nan)
        for c, month in enumerate(months):
            if np.isfinite(month):
                voters[c] = series[k, int(month), c, cols]
        out.append(("ok", index, series[k], months, prep, voters, drawn))
    return out


def _month(v: float) -> int | None:
    return int(v) if math.isfinite(v) else None


def nearest_rank(values: np.ndarray, q: float) -> float:
    """The q-th percentile by nearest rank (always one of the values; +inf stays +inf)."""
    ordered = np.sort(values)
    return float(ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)])


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """An ensemble's bands. ``quantiles[q, month, community, metric]`` with q over P10/P50/P90 and the
    estate as the last community; ``election_months[replication, community]`` (+inf: never)."""

    scenario: str
    regime: str
    start: str
    seed: int
    months: int
    community_ids: tuple[str, ...]
    community_flats: tuple[int, ...]
    planned_residents: tuple[float, ...]
    election_basis: str                 # "planned_residents" (Chongqing) or "occupancy" (Shandong)
    election_rule: str
    thresholds: tuple[float, ...]       # election_measure_needed per community, the estate last
    metrics: tuple[str, ...]
    units: Mapping[str, str]
    replications: int                   # requested
    completed: tuple[int, ...]          # indices of the replications that ran
    failures: tuple[Failure, ...]
    quantiles: np.ndarray
    mean: np.ndarray
    election_months: np.ndarray
    preparatory_months: np.ndarray      # [replication, community]: first move-in (+inf: none)
    voters_at_election: np.ndarray      # [replication, community, category] (NaN: never elected)
    voter_categories: tuple[str, ...]   # names of the categories (role first_election_voters, CQ-73 §一(二))
    inputs: tuple[str, ...] = ()        # the uncertain inputs (scenario fields; sim.uncertain)
    drawn: np.ndarray | None = None     # [replication, input]: each replication's drawn values

    def _column(self, community: str | None) -> int:
        if community is None or (community == ESTATE and ESTATE not in self.community_ids):
            return len(self.community_ids)
        try:
            return self.community_ids.index(community)
        except ValueError:
            raise KeyError(f"no community {community!r}") from None

    def band(self, metric: str, community: str | None = None) -> Band:
        """P10/P50/P90 of one metric over the months, for a community or (None) the estate."""
        m, c = self.metrics.index(metric), self._column(community)
        q = self.quantiles[:, :, c, m]
        return Band(metric, self.units.get(metric, ""), *(tuple(float(x) for x in q[i]) for i in range(3)))

    def demand(self) -> Demand:
        """Every metric as bands, estate-wide and per community: what the facility plan and budget read."""
        estate = {m: self.band(m) for m in self.metrics}
        communities = {cid: {m: self.band(m, cid) for m in self.metrics if m not in ESTATE_ONLY}
                       for cid in self.community_ids}
        return Demand(self.months, estate, communities)

    def election(self, community: str) -> dict[str, Any]:
        """The election month's P10/P50/P90 (None where beyond the horizon) and how many elected."""
        months = self.election_months[:, self.community_ids.index(community)]
        out: dict[str, Any] = {}
        for q in QUANTILES:
            v = nearest_rank(months, q)
            out[f"p{q}"] = None if not math.isfinite(v) else int(v)
        out["elected_replications"] = int(np.isfinite(months).sum())
        return out

    def preparatory_group(self, community: str) -> dict[str, int | None]:
        """The month the preparatory group is set up (the first move-in): P10/P50/P90."""
        months = self.preparatory_months[:, self.community_ids.index(community)]
        return {f"p{q}": _month(nearest_rank(months, q)) for q in QUANTILES}

    def voters_at(self, community: str) -> dict[str, dict[str, float] | None]:
        """The voter roll at the election month, by category: P10/P50/P90 over the replications that
        elected (None if none did)."""
        rolls = self.voters_at_election[:, self.community_ids.index(community)]
        rolls = rolls[~np.isnan(rolls).any(axis=1)]
        out: dict[str, dict[str, float] | None] = {}
        for k, name in enumerate(self.voter_categories):
            out[name] = None if len(rolls) == 0 else {
                f"p{q}": float(np.percentile(rolls[:, k], q)) for q in QUANTILES}
        return out

    def threshold(self, community: str | None = None) -> float:
        """The residents (Chongqing) or occupied flats (Shandong) at which the election is due."""
        return self.thresholds[self._column(community)]

    def threshold_share(self, community: str | None = None) -> float:
        """The threshold as a share of its basis (planned residents, or flats)."""
        base = self.planned_residents if self.election_basis == "planned_residents" else self.community_flats
        totals = [*base, sum(base)]
        return self.thresholds[self._column(community)] / totals[self._column(community)]


def _context(preload: Sequence[str] = ()) -> multiprocessing.context.BaseContext:
    """A fork server that has imported the model and loaded its compiled month (``sim.preload``), and
    ``preload``, once: fast to start, safe beside
    threads; spawn where there is none. Explicit, because importing mesa forces the global start method
    to spawn. (The fork server is started once per process: the first caller's preload holds.)"""
    if "forkserver" in multiprocessing.get_all_start_methods():
        from multiprocessing import forkserver
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["sim.ensemble", "sim.preload", *preload])
        # Started here with SIGINT ignored, which the fork server keeps across its exec (and Python keeps
        # at start-up) and every worker it forks inherits: a Ctrl-C, which a terminal sends to the whole
        # process group, reaches only the main process, which stops the pool (``stop_pool``); no fork
        # server or worker prints a traceback of its own. Held back meanwhile (Linux queues a blocked
        # signal even while it is ignored), so this process loses none.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        main = _main_thread()
        handler = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            forkserver.ensure_running()
        finally:
            if main:   # (None: a handler set outside Python; Python's own is the usual one)
                signal.signal(signal.SIGINT, handler if handler is not None else signal.default_int_handler)
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return ctx
    return multiprocessing.get_context("spawn")


def _main_thread() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()


def ignore_interrupts() -> None:
    """A worker's initializer: SIGINT is the main process's to handle (it stops the pool). (Workers
    forked by the fork server have it blocked from the start; this covers spawned ones.)"""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def process_pool(workers: int | None = None, preload: Sequence[str] = ()) -> ProcessPoolExecutor:
    """A process pool whose workers leave Ctrl-C to the main process (see ``stop_pool``)."""
    return ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, mp_context=_context(preload),
                               initializer=ignore_interrupts)


def stop_pool(pool: Executor, timeout: float = 2.0) -> None:
    """Stop a process pool now, without waiting for the tasks it is running (an interrupt, a failure):
    queued tasks are cancelled, the workers terminated, then killed if still alive after ``timeout``."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for p in processes:
        try:
            p.terminate()
        except (OSError, ValueError, AttributeError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        try:
            p.join(timeout)
            if p.is_alive():
                p.kill()
                p.join(timeout)
        except (OSError, ValueError, AssertionError, AttributeError):
            pass


def _executor(executor: Executor | str | None, workers: int | None) -> tuple[Executor, bool]:
    if executor is None or executor == "serial":
        return SerialExecutor(), True
    if executor == "process":
        return process_pool(workers), True
    if isinstance(executor, Executor):
        return executor, False
    raise InputError(f"executor must be \"serial\", \"process\" or a concurrent.futures.Executor (got {executor!r})")


def run_ensemble(scenario: Scenario, rules: RuleSet, split: Split | None = None, *,
                 replications: int | None = None, executor: Executor | str | None = None,
                 seed: int | None = None, progress: Progress | None = None, workers: int | None = None,
                 chunks_per_worker: int = 8, batch: int | None = None,
                 batch_memory: int = BATCH_MEMORY) -> SimulationResult:
    """Run ``replications`` (default: the scenario's) independent replications and summarise them.

    ``executor``: None or "serial" (in this process), "process" (a process pool of ``workers``), or any
    ``concurrent.futures.Executor`` (not shut down here). ``seed`` defaults to the scenario's seed;
    replication i uses the i-th child of ``SeedSequence(seed)``, so results do not depend on the
    executor. ``progress(done, total)`` is called as replications finish.

    The replications go to the executor in batches (``run_chunk``), about ``chunks_per_worker`` per
    worker (the pool's size, ``workers``, or the CPUs for an executor of unknown size), each no larger
    than ``batch_memory`` bytes hold (``batch_size``); ``batch`` sets the size instead. Each task then
    carries the scenario and rules once for several replications, their series are finished as one
    array, and the last batches are small enough to keep every worker busy to the end. The batch size
    never changes a result: each replication draws from its own stream only.
    """
    pool, owned = _executor(executor, workers)
    try:
        result = submit_ensemble(scenario, rules, split, replications=replications, executor=pool, seed=seed,
                                 workers=workers, chunks_per_worker=chunks_per_worker, batch=batch,
                                 batch_memory=batch_memory).result(progress)
    except BaseException:
        if owned:
            stop_pool(pool)      # an interrupt or a failure: do not wait for the running chunks
        raise
    if owned:
        pool.shutdown(wait=True, cancel_futures=True)
    return result


class PendingEnsemble:
    """An ensemble whose chunks are with an executor; ``result()`` waits for them and summarises.
    Several can be pending on one pool at once, so the pool never idles between scenarios."""

    def __init__(self, scenario: Scenario, rules: RuleSet, split: Split | None, params: Params, seed: int,
                 replications: int, futures: dict[Future, list]) -> None:
        self.scenario, self.rules, self.split, self.params = scenario, rules, split, params
        self.seed, self.replications, self.futures = seed, replications, futures

    def result(self, progress: Progress | None = None) -> SimulationResult:
        results: dict[int, tuple] = {}
        try:
            for future in as_completed(self.futures):
                try:
                    rows = future.result()
                except Exception as exc:  # noqa: BLE001 - a lost worker fails its replications only
                    rows = [("failed", i, f"{type(exc).__name__}: {exc}") for i, _ in self.futures[future]]
                for row in rows:
                    results[row[1]] = row
                if progress is not None:
                    progress(len(results), self.replications)
        finally:
            self.cancel()
        return summarise(self.scenario, self.rules, self.split, self.params, self.seed, self.replications,
                         [results[i] for i in sorted(results)])

    def cancel(self) -> None:
        """Drop the chunks not yet started."""
        for future in self.futures:
            future.cancel()


def submit_ensemble(scenario: Scenario, rules: RuleSet, split: Split | None = None, *,
                    replications: int | None = None, executor: Executor | None = None,
                    seed: int | None = None, workers: int | None = None,
                    chunks_per_worker: int = 8, batch: int | None = None,
                    batch_memory: int = BATCH_MEMORY) -> PendingEnsemble:
    """Hand an ensemble's chunks to ``executor`` (default: run them here, now) and return at once;
    the arguments are ``run_ensemble``'s."""
    replications = scenario.replications if replications is None else replications
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise InputError(f"replications must be a whole number ≥ 1 (got {replications!r})")
    seed = scenario.seed if seed is None else seed
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"seed must be a whole number ≥ 0 (got {seed!r})")
    if batch is not None and (isinstance(batch, bool) or not isinstance(batch, int) or batch < 1):
        raise InputError(f"batch must be a whole number ≥ 1 (got {batch!r})")
    params = params_of(scenario, rules, split)
    pool = executor if executor is not None else SerialExecutor()
    children = list(enumerate(np.random.SeedSequence(seed).spawn(replications)))
    n_workers = 1 if isinstance(pool, SerialExecutor) else (
        workers or getattr(pool, "_max_workers", None) or os.cpu_count() or 1)
    size = batch if batch is not None else batch_size(params, replications, n_workers, chunks_per_worker,
                                                      batch_memory)
    chunks = [children[i:i + size] for i in range(0, replications, size)]
    token = uuid.uuid4().hex
    futures = {pool.submit(run_chunk, scenario, rules, split, params, chunk, token): chunk for chunk in chunks}
    return PendingEnsemble(scenario, rules, split, params, seed, replications, futures)


def summarise(scenario: Scenario, rules: RuleSet, split: Split | None, params: Params, seed: int,
              replications: int, rows: list[tuple]) -> SimulationResult:
    ok = [r for r in rows if r[0] == "ok"]
    failures = tuple(Failure(r[1], r[2]) for r in rows if r[0] == "failed")
    if not ok:
        first = failures[0].message if failures else "no replication ran"
        raise InputError(f"simulation: all {replications} replications failed (first: {first})")
    stack = np.stack([r[2] for r in ok])
    trigger = rules.role("election_trigger")
    planned = params.planned_residents()
    return SimulationResult(
        scenario=scenario.name, regime=rules.name, start=scenario.start, seed=seed, months=params.horizon,
        community_ids=params.community_ids, community_flats=tuple(int(f) for f in params.community_flats),
        planned_residents=tuple(float(p) for p in planned),
        election_basis=trigger.value.basis, election_rule=f"{trigger.id} ({trigger.citation})",
        thresholds=tuple(formulas.election_measure_needed(planned_residents=p, flats=int(f), rules=rules)
                         for p, f in zip(np.append(planned, planned.sum()),
                                         np.append(params.community_flats, params.flats))),
        metrics=metric_names(params), units=units_of(params), replications=replications,
        completed=tuple(r[1] for r in ok), failures=failures,
        quantiles=np.percentile(stack, QUANTILES, axis=0).astype(np.float64),
        mean=stack.mean(axis=0, dtype=np.float64), election_months=np.stack([r[3] for r in ok]),
        preparatory_months=np.stack([r[4] for r in ok]), voters_at_election=np.stack([r[5] for r in ok]),
        voter_categories=_voter_categories(rules), inputs=uncertain.inputs(scenario),
        drawn=np.array([r[6] for r in ok], dtype=np.float64).reshape(len(ok), -1))


def _voter_categories(rules: RuleSet) -> tuple[str, ...]:
    """The regime's names for the voter categories, in the order of ``VOTER_METRICS``."""
    if rules.has("first_election_voters"):
        items = tuple(rules.role("first_election_voters").value.items)
        if len(items) == len(VOTER_METRICS):
            return items
    return VOTER_METRICS


__all__ = ["BATCH_MEMORY", "ESTATE", "Failure", "PendingEnsemble", "SerialExecutor", "SimulationResult",
           "batch_size", "process_pool", "run_chunk", "run_ensemble", "split_of", "stop_pool", "submit_ensemble"]
