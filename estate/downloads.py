"""Download files a front end builds ahead: a run's ``report.html`` takes seconds (its plots), so the app
starts building it on its process pool as soon as the run is in, and a click hands over bytes that are
ready (or, when they are not, builds them at once rather than wait). Kept by run key (``estate.run_cache.key``): the same run's report is built once, whoever asks.
"""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from estate.pipeline import RunResult


def report_html(result: RunResult, lang: str = "zh") -> bytes:
    """The run's ``report.html`` in ``lang`` as ``estate run --lang`` writes it (with its plots inline), built in a
    temporary folder. A module-level function, so that a process pool's worker can build it."""
    from estate.outputs import prepare
    from estate.run_outputs import FILES, write_run

    with tempfile.TemporaryDirectory() as tmp:
        out = prepare(Path(tmp) / "run", FILES, "estate app")
        write_run(result, out, lang)
        return (out / "report.html").read_bytes()


class Prebuilt:
    """Files being built, or built, on an executor, by key; at most ``maxsize`` kept, least recently
    asked for out first. Thread-safe: runs end on their own thread, clicks come on the server's."""

    def __init__(self, maxsize: int = 24) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[str, Future] = OrderedDict()
        self._lock = threading.Lock()

    def submit(self, key: str, executor: Executor, build: Callable[..., bytes], *args: Any) -> Future | None:
        """Start building ``build(*args)`` on ``executor`` unless ``key`` is already built or being built.
        An executor that takes no more work (shut down, or broken by a worker that died) builds nothing
        (None): ``get`` then builds the file when it is asked for."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            try:
                future = executor.submit(build, *args)
            except (RuntimeError, BrokenExecutor):
                return None
            self._items[key] = future
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
            return future

    def get(self, key: str, build: Callable[..., bytes], *args: Any) -> bytes:
        """The file's bytes: at once if built ahead; otherwise built now, in the caller's thread (a pool
        kept at a lower priority on a busy machine could take longer than building here), and kept.
        A build ahead that failed is built again here; an error here is raised and nothing kept."""
        with self._lock:
            future = self._items.get(key)
            if future is not None:
                self._items.move_to_end(key)
        if future is not None and future.done() and not future.cancelled() and future.exception() is None:
            return future.result()
        if future is not None and not future.cancel():      # queued: cancelled, it never runs
            data = self._race(future, build, args)           # running: whichever build ends first
        else:
            data = build(*args)
        done: Future = Future()
        done.set_result(data)
        with self._lock:
            self._items[key] = done
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return data

    @staticmethod
    def _race(running: Future, build: Callable[..., bytes], args: tuple) -> bytes:
        """A build ahead already running when the file is asked for: build here as well, on a thread, and
        hand over whichever is done first (the one ahead is usually close to done; on a busy machine its
        lower priority can make it the slower). A failure of one waits for the other."""
        here = ThreadPoolExecutor(1, thread_name_prefix="download")
        try:
            local = here.submit(build, *args)
            pending = {running, local}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in (local, running):          # this process's build first when both are done
                    if f in done and not f.cancelled() and f.exception() is None:
                        return f.result()
            return local.result()                   # both failed: the error here is raised
        finally:
            here.shutdown(wait=False)               # a build still going ends unheeded

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        return len(self._items)
