"""App benchmark (a script, not a test): what a meeting waits for, measured in a real browser.

For each repetition a fresh app server starts (empty caches; numba's compiled code is on disk from
earlier runs or the install), then:
1. first render: page opened → the title and the headline table are visible;
2. uncached comparison: "Run" pressed → the answer and the first chart are visible, for two
   20,000-flat scenarios (chongqing-20k and shandong-20k, 100 replications each: their own setting);
3. cached comparison: the language switched → the page reruns and shows the results again, from the
   run cache (a setting seen before);
4. report download: the first scenario's report.html, clicked → the file is in;
and, for the record, the page opened afresh on the same server.
Each action starts from a settled page, as in a meeting: the app idle (no script running) and then
``--settle`` seconds (default 3) of someone reading it. ``--settle 0`` presses on at once (then the
first run also waits for the pool's workers to start, and each action for the browser to finish
drawing the last one's results).
Prints each repetition with the load average, and the medians against the targets on 2 cores: first
page ≤ 2 s, two uncached 20k scenarios ≤ 8 s, cached switch ≤ 0.5 s, report download ≤ 3 s.
The server's CPU seconds for each action (its own process, and its pool's) are printed beside the
times: less sensitive than the times to what else the machine runs; and the number of charts, data grids
and elements the results' page holds (what the browser draws again on each rerun).

    .venv/bin/python benchmarks/app_benchmark.py [--repeat 5] [--settle 3] [--scenarios a.toml,b.toml]
        [--reference ../ref]      # another checkout measured in the same run, repetitions alternating

Needs Debian's chromium and the playwright package (the test extra). APP_BENCH_STDERR=FILE keeps the
app server's log.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-quic", "--no-first-run"]
TARGETS = {"first render": 2.0, "uncached comparison": 8.0, "cached comparison": 0.5, "report download": 3.0}


def serve(root: Path = ROOT) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(root / "app_streamlit.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"], cwd=root, stdout=subprocess.DEVNULL,
        stderr=open(os.environ.get("APP_BENCH_STDERR", os.devnull), "w"))
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the app did not start")


class CPU:
    """CPU seconds (user + system) of the server process and of its descendants (the pool's fork server
    and workers) since the last ``mark`` (Linux's /proc; zeros elsewhere)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.last = self._now()

    def _now(self) -> tuple[float, float]:
        tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        processes: dict[int, tuple[int, float]] = {}
        for entry in (os.listdir("/proc") if os.path.isdir("/proc") else []):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                # parent, and utime + stime + the waited-for children's cutime + cstime
                processes[int(entry)] = (int(fields[1]), sum(int(x) for x in fields[11:15]) / tick)
        own, pool, parents = processes.get(self.pid, (0, 0.0))[1], 0.0, {self.pid}
        while parents:
            children = {p for p, (parent, _) in processes.items() if parent in parents}
            pool += sum(processes[p][1] for p in children)
            parents = children
        return own, pool

    def mark(self) -> tuple[float, float]:
        now = self._now()
        spent = (now[0] - self.last[0], now[1] - self.last[1])
        self.last = now
        return spent


def settled(page, seconds: float, cpu: CPU | None = None, name: str = "", spent: dict | None = None) -> None:
    """Wait for the app to be idle (Streamlit's running indicator gone), note the server's CPU seconds
    for the action ``name`` in ``spent``, then wait ``seconds`` more."""
    from playwright.sync_api import expect

    if seconds > 0:
        expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=300_000)
    if cpu is not None and spent is not None:
        spent[name] = cpu.mark()
    if seconds > 0:
        time.sleep(seconds)
    if cpu is not None:
        cpu.mark()      # what the server does while the page is read is no action's


def once(page, url: str, scenarios: str, settle: float, cpu: CPU | None = None,
         spent: dict | None = None, sent: dict | None = None) -> dict[str, float]:
    from playwright.sync_api import expect

    timings = {}
    if cpu is not None:
        cpu.mark()
    t = time.perf_counter()
    page.goto(f"{url}/?scenarios={scenarios}", wait_until="domcontentloaded")
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible(timeout=60_000)
    timings["first render"] = time.perf_counter() - t
    settled(page, settle, cpu, "first render", spent)

    t = time.perf_counter()
    page.get_by_role("button", name="运行比较").click()
    expect(page.locator("table.answer")).to_be_visible(timeout=300_000)       # the answer block
    expect(page.locator("[data-testid='stVegaLiteChart']").first).to_be_attached(timeout=60_000)
    timings["uncached comparison"] = time.perf_counter() - t
    settled(page, settle, cpu, "uncached comparison", spent)
    if sent is not None:      # what the browser draws on each rerun of the results
        sent.update(charts=page.locator("[data-testid='stVegaLiteChart']").count(),
                    grids=page.locator("[data-testid='stDataFrame']").count(),
                    elements=page.locator("[data-testid='stElementContainer']").count())

    t = time.perf_counter()   # a setting seen before: switch the language, the page reruns from the cache
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-testid='stVegaLiteChart']").first).to_be_attached(timeout=60_000)
    timings["cached comparison"] = time.perf_counter() - t
    settled(page, settle, cpu, "cached comparison", spent)

    t = time.perf_counter()   # the first report download (one scenario's report.html, with its plots)
    button = page.get_by_role("button", name=re.compile(r"^Report \(HTML\)")).first
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=120_000) as info:
        button.click()
    info.value.path()
    timings["report download"] = time.perf_counter() - t
    settled(page, settle, cpu, "report download", spent)

    t = time.perf_counter()   # for the record: a fresh page on the same server, results from the cache
    page.goto(f"{url}/?scenarios={scenarios}", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="测算结果")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-testid='stVegaLiteChart']").first).to_be_attached(timeout=60_000)
    timings["reopened page (cached)"] = time.perf_counter() - t
    return timings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--settle", type=float, default=3.0, help="seconds a settled page is read before the next action")
    ap.add_argument("--scenarios", default="chongqing-20k.toml,shandong-20k.toml")
    ap.add_argument("--reference", type=Path, help="another checkout of the app (e.g. `git worktree add ../ref main`), "
                    "measured in the same run, repetitions alternating: medians side by side and their ratio")
    args = ap.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    print(f"app benchmark: {args.scenarios}, {args.repeat} repetitions, settle {args.settle:g} s, "
          f"{os.cpu_count()} CPUs")
    measured: dict[str, tuple[list, list]] = {}
    roots = [("this app", ROOT)] + ([("reference", args.reference.resolve())] if args.reference else [])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=FLAGS)
        for i in range(args.repeat):
            for which, root in roots:
                runs, cpus = measured.setdefault(which, ([], []))
                runs.append({})
                cpus.append({})
                sent = repetition(browser, root, args, runs[-1], cpus[-1])
                load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
                print(f"  {which}, run {i + 1}: " + ", ".join(f"{k} {v:.2f} s" for k, v in runs[-1].items())
                      + f"   (load average {load})", flush=True)
                print("         server CPU s (own + pool): "
                      + ", ".join(f"{k} {a:.2f} + {b:.2f}" for k, (a, b) in cpus[-1].items()), flush=True)
                print(f"         the results' page holds {sent['charts']} charts, {sent['grids']} data grids, "
                      f"{sent['elements']} elements", flush=True)
        browser.close()
    print(f"medians (load average now {', '.join(f'{x:.2f}' for x in os.getloadavg())}, on {os.cpu_count()} CPUs):")
    medians = {which: {name: statistics.median(r[name] for r in runs) for name in runs[0]}
               for which, (runs, _) in measured.items()}
    for which, (runs, cpus) in measured.items():
        print(f" {which}:")
        print(f"  {'reopened page (cached)':<20} {medians[which]['reopened page (cached)']:6.2f} s   (no target)")
        for name, target in TARGETS.items():
            median = medians[which][name]
            verdict = "met" if median <= target else "NOT met"
            own = statistics.median(c[name][0] for c in cpus)
            pool = statistics.median(c[name][1] for c in cpus)
            print(f"  {name:<20} {median:6.2f} s   target ≤ {target:g} s   ratio {median / target:.2f} of target: "
                  f"{verdict}   (server CPU {own:.2f} s + pool {pool:.2f} s)")
    if "reference" in medians:
        print(" this app / reference: " + ", ".join(
            f"{name} {medians['this app'][name] / medians['reference'][name]:.2f}" for name in medians["reference"]))


def repetition(browser, root: Path, args, timings: dict, spent: dict) -> dict[str, int]:
    """One repetition on a fresh server of the app in ``root``: fills ``timings`` and ``spent`` (the
    server's CPU per action); returns what the results' page holds."""
    proc, url = serve(root)
    sent: dict[str, int] = {}
    try:
        page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
        timings.update(once(page, url, args.scenarios, args.settle, CPU(proc.pid), spent, sent))
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return sent

if __name__ == "__main__":
    main()
