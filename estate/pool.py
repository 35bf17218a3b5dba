"""What a long-lived front end needs to run things behind its pages: a process pool made on first use
(thread-safe) and warmed in the background, so that neither the first page nor the first run waits for
its workers to start; and runs started on a thread of their own (``PendingRuns``), so that a page can
start one the moment a button is pressed. Nothing heavy is imported until it is needed."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import Executor
from typing import Any, Callable, Sequence


class SharedPool:
    """``get()`` makes the pool (``estate.pipeline.process_pool``) once; ``warm(delay)`` starts its
    workers in a background thread after ``delay`` seconds, at ``nice`` (Linux; the workers keep it), so
    that starting them, and the runs later, never take the CPU from the page that asked for them; and
    meanwhile imports the engines a run needs in this process (``estate.pipeline.import_engines``)."""

    def __init__(self, workers: int | None = None, preload: Sequence[str] = (), nice: int = 0) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.nice = nice
        self.preload = tuple(preload)
        self._pool: Executor | None = None
        self._lock = threading.Lock()
        self._warming: threading.Thread | None = None

    def get(self) -> Executor:
        with self._lock:
            if self._pool is None:
                from estate.pipeline import process_pool
                self._pool = process_pool(self.workers, preload=self.preload)
            return self._pool

    def warm(self, delay: float = 0.0) -> None:
        """Start the workers in the background (once; later calls do nothing)."""
        with self._lock:
            if self._warming is not None:
                return
            self._warming = threading.Thread(target=self._start, args=(delay,), name="warm-pool", daemon=True)
        self._warming.start()

    def _start(self, delay: float) -> None:
        time.sleep(delay)
        import sim  # noqa: F401 - the pool's module (and the model), loaded at this thread's priority

        from estate import pipeline

        # Only the fork server is started at ``nice``: from a thread of its own, which niceness it
        # passes to the fork server and so to every worker. This thread, and the pool's threads it
        # starts below, keep the page's priority: a thread holding the GIL at a lower priority would
        # stall the page's threads whenever the system is busy (priority inversion).
        starter = threading.Thread(target=self._start_fork_server, name="fork-server", daemon=True)
        starter.start()
        starter.join()
        pool = self.get()
        futures = [pool.submit(os.getpid) for _ in range(self.workers)]
        # this process's engines load while the fork server loads its own: the first run waits for neither
        pipeline.import_engines()
        for future in futures:
            future.result()

    def _start_fork_server(self) -> None:
        if self.nice:
            try:   # this thread only (Linux); the fork server it starts, and so every worker, inherit it
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self.nice)
            except (AttributeError, OSError):
                pass
        self.get()


class PendingRuns:
    """``estate.pipeline.run_many`` on a thread of its own, started at once: a page can start a run the
    moment its button is pressed and draw itself meanwhile. ``status[i]`` is the latest
    ``(stage, done, total)`` of scenario i, readable from any thread; ``result()`` waits and returns the
    runs (or raises what the run raised). ``keep(scenario, result)``, if given, is called for each run
    as soon as they are all in, so that nothing is lost if nobody waits any more."""

    def __init__(self, keys: Sequence[str], runs: Sequence[tuple], executor: Executor,
                 keep: Callable[[Any, Any], None] | None = None) -> None:
        self.keys = tuple(keys)
        self._keep = keep
        self.status: list[tuple[str, int, int]] = [("plan", 0, 1)] * len(runs)
        self._done = threading.Event()
        self._result: list | None = None
        self._error: BaseException | None = None
        threading.Thread(target=self._work, args=(list(runs), executor), name="run", daemon=True).start()

    def _work(self, runs: list[tuple], executor: Executor) -> None:
        from estate.pipeline import run_many

        def reporter(i: int):
            def report(stage: str, done: int, total: int) -> None:
                self.status[i] = (stage, done, total)
            return report

        try:
            self._result = run_many(runs, executor=executor, progress=[reporter(i) for i in range(len(runs))])
            if self._keep is not None:
                for (scenario, _), result in zip(runs, self._result):
                    self._keep(scenario, result)
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits, in their thread
            self._error = exc
        finally:
            self._done.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Whether the run has ended (waiting up to ``timeout`` seconds)."""
        return self._done.wait(timeout)

    def result(self) -> list:
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result
