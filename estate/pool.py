"""A process pool shared by a long-lived front end: made on first use (thread-safe), and warmed in the
background so that neither the first page nor the first run waits for its workers to start. Nothing
heavy is imported until the pool is made."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import Executor
from typing import Sequence


class SharedPool:
    """``get()`` makes the pool (``estate.pipeline.process_pool``) once; ``warm(delay)`` starts its
    workers in a background thread after ``delay`` seconds."""

    def __init__(self, workers: int | None = None, preload: Sequence[str] = ()) -> None:
        self.workers = workers or os.cpu_count() or 1
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
        pool = self.get()
        for future in [pool.submit(os.getpid) for _ in range(self.workers)]:
            future.result()
