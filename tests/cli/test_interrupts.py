"""Ctrl-C and SIGTERM at any moment of `estate run`: exit within 5 s with 130 (143), one line, no
traceback from the main process or the workers, no process of the run left, and the output folder as
it was before (here: holding an earlier complete run, which must survive byte for byte)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from estate.fonts import NO_FONT

ROOT = Path(__file__).resolve().parents[2]
# small-2400 over two years: every stage of a run (plan, a pool of two workers, facilities, budget,
# plots, report) in a few seconds
TEXT = (ROOT / "scenarios/small-2400.toml").read_text(encoding="utf-8").replace("horizon_months = 60",
                                                                               "horizon_months = 24")

pytestmark = pytest.mark.slow


def _session(sid: int) -> list[int]:
    """Processes of session ``sid`` still alive (zombies count as gone)."""
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                out.append(int(name))
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _start(scenario: Path, out: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "estate.cli", "run", str(scenario), "--replications", "4", "--workers", "2",
               "--quiet", "--out", str(out)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, cwd=ROOT)


def _startup() -> float:
    """Seconds until `estate` has routed the signals, as this machine's load allows now: Python's own start
    and the imports before ``interrupts.install`` (a signal in them is Python's, not ours, to handle).
    Twice the slowest of three starts, for margin."""
    times = []
    for _ in range(3):
        t = time.monotonic()
        subprocess.run([sys.executable, "-c", "import estate.cli"], check=True, cwd=ROOT)
        times.append(time.monotonic() - t)
    return 2 * max(times)


def _stop(proc: subprocess.Popen, sig: int, group: bool) -> tuple[int, str, float]:
    """Send ``sig`` (to the whole process group, as a terminal's Ctrl-C does, or to the main process
    only, as `kill` does); the exit code, stderr and seconds until it exited."""
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    t = time.monotonic()
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"still running 10 s after {signal.Signals(sig).name}")
    return proc.returncode, err, time.monotonic() - t


@pytest.mark.skipif(not Path("/proc").is_dir() or sys.platform != "linux", reason="reads /proc to find the run's processes")
def test_interrupts_at_any_moment_leave_the_folder_as_it_was(tmp_path):
    scenario = tmp_path / "small.toml"
    scenario.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    t = time.monotonic()
    first = _start(scenario, out)
    _, err = first.communicate(timeout=120)
    whole = time.monotonic() - t
    assert first.returncode == 0, err
    start = max(0.2, _startup())          # under load, Python's own start can outlast 0.2 s
    offsets = [start + (1.1 * whole - start) * i / 8 for i in range(9)]       # once started … just past the end
    trials = [(o, signal.SIGINT, True) for o in offsets] + [(whole / 2, signal.SIGTERM, False)]
    interrupted = 0
    for offset, sig, group in trials:
        before = _snapshot(out)
        proc = _start(scenario, out)
        time.sleep(offset)
        code, err, took = _stop(proc, sig, group) if proc.poll() is None else (proc.wait(), proc.stderr.read(), 0.0)
        lines = [line for line in err.splitlines() if line != NO_FONT]
        where = f"{signal.Signals(sig).name} at {offset:.2f} s: exit {code}, stderr {err!r}"
        assert "Traceback" not in err, where
        if code == 0:                        # it had finished: a complete new run, nothing mixed
            after = _snapshot(out)
            assert set(after) == set(before), where
        else:
            interrupted += 1
            assert code == {signal.SIGINT: 130, signal.SIGTERM: 143}[sig], where
            assert lines == [{signal.SIGINT: "estate: interrupted", signal.SIGTERM: "estate: terminated"}[sig]], where
            assert took < 5, where
            assert _snapshot(out) == before, where
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "small.toml"], where   # no staging left
        deadline = time.monotonic() + 5
        while _session(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _session(proc.pid) == [], f"{where}: processes left: {_session(proc.pid)}"
    assert interrupted >= 6
    print(f"a whole run took {whole:.1f} s; {interrupted} of {len(trials)} trials interrupted it")
