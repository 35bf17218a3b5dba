"""Ctrl-C (SIGINT) and SIGTERM for the command line: exit within seconds with 130 (143), one line, no
traceback, no process left behind, and the output folder as it was (``estate.outputs`` removes its
staging folder on the way out).

``install()`` turns both signals into ``Interrupted`` (a ``KeyboardInterrupt``) raised in the main
thread, so every ``finally`` runs: the process pool is stopped (``sim.ensemble.stop_pool``) and the
staging folder removed. A signal is never lost: it is remembered (``received()``), so an interrupt that
some library swallows still stops the run before its files are moved into place. A watchdog makes sure
of the time limit: if the clean path has not ended the process ``GRACE_S`` seconds after the signal, it
kills the process's children, removes what ``on_abort`` registered, prints the line and exits.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Callable

GRACE_S = 3.5          # seconds the clean path may take before the watchdog ends the process
CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
WORDS = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(WORDS.get(signum, "interrupted"))
        self.signum = signum


_received: list[int] = []
_finishing = False
_settled = threading.Event()
_aborts: list[Callable[[], None]] = []
_lock = threading.Lock()


def received() -> int | None:
    """The first signal received since ``install()``, if any."""
    return _received[0] if _received else None


def code(signum: int | None) -> int:
    return CODES.get(signum, 130) if signum is not None else 130


def line(signum: int | None) -> str:
    return f"estate: {WORDS.get(signum, 'interrupted')}"


def finishing() -> None:
    """The run's files are in place: a signal from now on ends nothing half-done, so it is only noted."""
    global _finishing
    _finishing = True


def on_abort(fn: Callable[[], None]) -> Callable[[], None]:
    """Register ``fn`` for the watchdog to call before it ends the process; returns a function that
    unregisters it."""
    with _lock:
        _aborts.append(fn)

    def remove() -> None:
        with _lock:
            if fn in _aborts:
                _aborts.remove(fn)
    return remove


def descendants(pid: int | None = None) -> list[int]:
    """Process ids of ``pid``'s children, grandchildren, … (Linux's /proc; empty elsewhere)."""
    pid = os.getpid() if pid is None else pid
    parents: dict[int, list[int]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read().decode("ascii", "replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(name))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _is_resource_tracker(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"resource_tracker" in f.read()
    except OSError:
        return False


def kill_children() -> None:
    """Kill every descendant of this process (the pool's fork server, its workers, one it is forking
    right now) but multiprocessing's resource tracker, which ignores SIGINT, exits with this process and
    cleans up after it. Each is stopped first, so a fork server cannot fork one more behind our back."""
    stopped: list[int] = []
    for _ in range(5):
        new = [p for p in descendants() if p not in stopped and not _is_resource_tracker(p)]
        if not new:
            break
        for pid in new:
            try:
                os.kill(pid, signal.SIGSTOP)
            except OSError:
                pass
        stopped += new
    for pid in stopped:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def exit_now(status: int) -> None:
    """End an interrupted command-line process here, once its clean path has run (staging removed, pool
    stopped, the line printed): the exit handlers run (multiprocessing's among them, which releases the
    pool's semaphores; skipped, the resource tracker warns of them on stderr), but not the rest of Python's
    shutdown, where a thread still in native code (a solver interrupted mid-run) can abort the process
    ("Fatal Python error: PyThreadState_Get … finalizing", exit -6: seen about once in a hundred interrupts
    of `estate run` under load) and so turn exit 130 into a crash."""
    import atexit
    try:
        atexit._run_exitfuncs()
    except BaseException:  # noqa: BLE001 - the outcome is decided; a failing handler must not change it
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


def settled() -> None:
    """The command has returned in a process that goes on (an in-process caller): no watchdog may end it."""
    _settled.set()


def _watchdog(signum: int) -> None:
    if _settled.wait(GRACE_S):
        return
    with _lock:
        aborts = list(_aborts)
    kill_children()
    for fn in aborts:
        try:
            fn()
        except Exception:  # noqa: BLE001 - the process is ending; nothing more can be done here
            pass
    try:
        print(line(signum), file=sys.stderr, flush=True)
    finally:
        os._exit(code(signum))


def _handler(signum: int, frame) -> None:
    first = not _received
    _received.append(signum)
    if _finishing:
        return
    if first:
        threading.Thread(target=_watchdog, args=(signum,), name="interrupt-watchdog", daemon=True).start()
        raise Interrupted(signum)


def install() -> None:
    """Route SIGINT and SIGTERM to ``Interrupted`` (main thread only; a no-op elsewhere)."""
    global _finishing
    if threading.current_thread() is not threading.main_thread():
        return
    _received.clear()
    _finishing = False
    _settled.clear()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _handler)
