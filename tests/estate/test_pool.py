"""The app's shared pool: made once, warmed in the background, its workers are other processes."""

import os

from estate.pool import SharedPool


def test_a_shared_pool_is_made_once_and_warms_in_the_background():
    shared = SharedPool(workers=1)
    shared.warm(delay=0.0)
    shared.warm(delay=0.0)                  # a second call starts nothing more
    shared._warming.join(timeout=60)
    assert not shared._warming.is_alive()
    pool = shared.get()
    assert shared.get() is pool
    assert pool.submit(os.getpid).result(timeout=60) != os.getpid()
    pool.shutdown()


def test_pending_runs_report_progress_and_hand_back_results_or_errors():
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from scenarios import load, rules_of
    from standards.errors import InputError

    from estate.pool import PendingRuns

    small = load(Path(__file__).resolve().parents[2] / "scenarios" / "small-2400.toml")
    small = small.model_copy(update={"replications": 3})
    with ThreadPoolExecutor(max_workers=2) as pool:
        kept = []
        pending = PendingRuns(["k"], [(small, rules_of(small))], pool, keep=lambda s, r: kept.append((s, r)))
        assert pending.wait(timeout=120)
        (result,) = pending.result()
        assert result.scenario is small and result.simulation.replications == 3
        assert pending.status == [("budget", 1, 1)]
        assert kept == [(small, result)]

        broken = PendingRuns(["b"], [(small.model_copy(update={"replications": 0}), rules_of(small))], pool)
        assert broken.wait(timeout=120)
        try:
            broken.result()
        except InputError as exc:
            assert "replications must be a whole number" in str(exc)
        else:
            raise AssertionError("the run's error was not handed back")


WARM_NICE = """
import os, sys, threading
from estate.pool import SharedPool
shared = SharedPool(workers=1, nice=5)
before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
shared._start(0.0)                       # the warm-up, here on the main thread
after = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
worker = shared.get().submit(os.nice, 0).result(timeout=120)
print(before, after, worker, "optimize.facilities" in sys.modules)
shared.get().shutdown()
"""


def test_the_warm_up_nices_the_workers_not_the_thread_that_warms():
    """A thread of the app's server holding the GIL at a lower priority stalls the page's threads: only
    the fork server (and so the workers) runs at ``nice``; the warm-up also loads the engines here."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", WARM_NICE], capture_output=True, text=True, timeout=300,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert out.returncode == 0, out.stderr
    before, after, worker, engines = out.stdout.split()
    assert int(after) == int(before)
    assert int(worker) == min(int(before) + 5, 19)
    assert engines == "True"
