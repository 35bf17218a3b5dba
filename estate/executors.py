"""Where sweeps and cities run: this process, a local process pool, a ``distributed.LocalCluster``, or an
existing Dask cluster through ``Client.get_executor()``. Dask is optional (``pip install -e '.[dask]'``)."""

from __future__ import annotations

import os
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from standards.errors import InputError

CONNECT_TIMEOUT = "10s"     # how long to wait for an existing cluster's scheduler to answer

# ---- where it runs --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """An executor, a line saying what it is, and how many tasks to keep with it at once."""

    executor: Executor
    label: str
    slots: Callable[[], int]


@contextmanager
def executor(workers: int | None = None, dask_local: int | None = None, dask: str | None = None) -> Iterator[Where]:
    """The executor a sweep or a city runs on: ``workers`` processes of a local pool (1: this process),
    a ``distributed.LocalCluster`` of ``dask_local`` workers, or the Dask cluster at ``dask``
    (``tcp://HOST:PORT``), through ``Client.get_executor()``. Closed on the way out."""
    if dask is not None and dask_local is not None:
        raise InputError("give --dask ADDRESS or --dask-local N, not both")
    if dask is not None or dask_local is not None:
        yield from _dask(dask_local, dask)
        return
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be ≥ 1 (got {workers})")
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        from sim import SerialExecutor
        yield Where(SerialExecutor(), "this process", lambda: 1)
        return
    from estate.pipeline import process_pool

    pool = process_pool(workers, preload=("estate.sweep", "estate.pipeline"))
    try:
        yield Where(pool, f"a local pool of {workers} processes", lambda: 2 * workers)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _dask(dask_local: int | None, dask: str | None) -> Iterator[Where]:
    try:
        import logging

        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--dask and --dask-local need Dask: pip install -e '.[dask]'") from None
    cluster = None
    try:
        if dask_local is not None:
            if dask_local < 1:
                raise InputError(f"--dask-local must be ≥ 1 (got {dask_local})")
            import dask

            # Workers like the local pool's: without the statistical profiler (it samples the running
            # task's stack every 10 ms, holding the GIL), and without Dask's MALLOC_TRIM_THRESHOLD_=65536,
            # which makes the model's many short-lived arrays go back to the system and come again (a
            # variant took 1.6× as long). A cluster of one's own: see the README.
            environ = {**dask.config.get("distributed.nanny.pre-spawn-environ"), "MALLOC_TRIM_THRESHOLD_": None}
            with dask.config.set({"distributed.worker.profile.enabled": False,
                                  "distributed.nanny.pre-spawn-environ": environ}):
                cluster = LocalCluster(n_workers=dask_local, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=logging.ERROR)
            client = Client(cluster)
            label = f"a local Dask cluster of {dask_local} workers"
        else:
            try:
                client = Client(dask, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError(f"--dask {dask}: cannot reach the Dask scheduler ({exc})") from None
            label = f"the Dask cluster at {dask} ({_dask_workers(client)} workers now)"

        def slots() -> int:   # workers may join a running cluster: asked again as tasks are handed out
            return max(2, 2 * _dask_workers(client))

        try:
            yield Where(client.get_executor(pure=False), label, slots)
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()


def _dask_workers(client) -> int:
    try:
        return sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values())
    except Exception:  # noqa: BLE001 - a cluster that does not answer: keep a few tasks with it
        return 1
