"""Downloads built ahead (``estate.downloads``): built once per key, handed over when asked, a failed
build tried again; a run's report.html built on a process pool's worker is the one built here."""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from estate.downloads import Prebuilt, report_html

ROOT = Path(__file__).resolve().parents[2]


class Counting:
    def __init__(self, fail: int = 0) -> None:
        self.calls: list[str] = []
        self.fail = fail
        self.lock = threading.Lock()

    def __call__(self, name: str) -> bytes:
        with self.lock:
            self.calls.append(name)
            if self.fail:
                self.fail -= 1
                raise OSError("disk full")
        return name.encode()


def test_a_file_is_built_once_per_key_and_handed_over():
    build = Counting()
    prebuilt = Prebuilt(maxsize=2)
    with ThreadPoolExecutor(2) as pool:
        prebuilt.submit("a", pool, build, "A").result(timeout=30)
        prebuilt.submit("a", pool, build, "A again")        # already built: nothing more
        assert prebuilt.get("a", build, "not built again") == b"A"
        assert build.calls == ["A"]
        assert prebuilt.get("b", build, "B") == b"B"        # never started: built when asked, and kept
        assert prebuilt.get("b", build, "B") == b"B" and build.calls == ["A", "B"]
        prebuilt.get("c", build, "C")                        # the least recently asked for ("a") goes
        assert "a" not in prebuilt and "b" in prebuilt and len(prebuilt) == 2
        assert prebuilt.get("a", build, "A") == b"A" and build.calls == ["A", "B", "C", "A"]


def test_a_file_not_ready_is_built_at_once_rather_than_waited_for():
    """A pool busy with other work (or slowed by its lower priority) does not hold the click up."""
    started, release = threading.Event(), threading.Event()

    def slow(name: str) -> bytes:
        started.set()
        release.wait(30)
        return b"from the pool"

    prebuilt = Prebuilt()
    with ThreadPoolExecutor(1) as pool:
        prebuilt.submit("busy", pool, lambda: release.wait(30))     # the only worker is taken
        queued = prebuilt.submit("r", pool, slow, "R")
        assert prebuilt.get("r", lambda name: name.encode(), "here") == b"here"
        assert queued.cancelled() and not started.is_set()           # the queued build never runs
        assert prebuilt.get("r", slow, "R") == b"here"               # and what was built is kept
        release.set()


def test_a_failed_build_ahead_is_built_again_and_an_error_is_raised():
    build = Counting(fail=2)
    prebuilt = Prebuilt()
    with ThreadPoolExecutor(1) as pool:
        prebuilt.submit("r", pool, build, "R").exception(timeout=30)     # failed on the pool
        with pytest.raises(OSError, match="disk full"):
            prebuilt.get("r", build, "R")                                # failed again here: raised
        assert prebuilt.get("r", build, "R") == b"R" and build.calls == ["R", "R", "R"]


def test_an_executor_that_takes_no_more_work_builds_nothing_ahead():
    """A shut-down or broken pool must not break the page that asks for a build ahead."""
    build = Counting()
    prebuilt = Prebuilt()
    pool = ThreadPoolExecutor(1)
    pool.shutdown()
    assert prebuilt.submit("r", pool, build, "R") is None and "r" not in prebuilt
    assert prebuilt.get("r", build, "R") == b"R" and build.calls == ["R"]


def test_the_report_built_on_a_worker_is_the_report_built_here():
    from estate.pipeline import process_pool, run
    from scenarios import load, rules_of

    small = load(ROOT / "scenarios" / "small-2400.toml")
    result = run(small, rules_of(small), replications=3, seed=3)
    here = report_html(result)
    assert here.lower().startswith(b"<!doctype html>") and f"<title>{small.name}</title>".encode() in here
    pool = process_pool(1)
    try:
        prebuilt = Prebuilt()
        assert prebuilt.submit("report", pool, report_html, result).result(timeout=300) == here
        assert prebuilt.get("report", report_html, result) == here
    finally:
        pool.shutdown()


def test_a_build_ahead_already_running_races_a_build_here():
    """Asked for while the pool's build runs: built here too, and whichever is done first is handed over
    (before: the pool's build, nearly done, was ignored and the click waited for a whole build here)."""
    started, release = threading.Event(), threading.Event()

    def ahead(name: str) -> bytes:
        started.set()
        release.wait(30)
        return b"from the pool"

    def slow_here(name: str) -> bytes:
        release.set()                      # the pool's build ends while this one is still going
        threading.Event().wait(1.0)
        return b"built here"

    prebuilt = Prebuilt()
    with ThreadPoolExecutor(1) as pool:
        prebuilt.submit("r", pool, ahead, "R")
        assert started.wait(30)
        assert prebuilt.get("r", slow_here, "R") == b"from the pool"
        assert prebuilt.get("r", slow_here, "R") == b"from the pool"      # and it is kept

    started.clear(); release.clear()
    prebuilt = Prebuilt()
    with ThreadPoolExecutor(1) as pool:
        prebuilt.submit("r", pool, ahead, "R")        # a pool build that would take its 30 s
        assert started.wait(30)
        assert prebuilt.get("r", lambda name: b"built here", "R") == b"built here"
        release.set()

    def broken(name: str) -> bytes:
        started.set()
        raise OSError("disk full")

    started.clear()
    prebuilt = Prebuilt()
    with ThreadPoolExecutor(1) as pool:
        hold = threading.Event()
        prebuilt.submit("r", pool, lambda n: (started.set(), hold.wait(30), broken(n))[-1], "R")
        assert started.wait(30)

        def here(name: str) -> bytes:
            hold.set()                     # the pool's build fails first; this one is waited for
            threading.Event().wait(0.3)
            return b"built here"
        assert prebuilt.get("r", here, "R") == b"built here"
