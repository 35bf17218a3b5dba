"""App benchmark (a script, not a test): what a meeting waits for, measured in a real browser.

For each repetition a fresh app server starts (empty caches), then:
1. first render: page opened → the title and the headline table are visible;
2. uncached comparison: "Run" pressed → the results are visible, for two 20,000-flat scenarios
   (chongqing-20k and shandong-20k, 100 replications each: their own setting);
3. cached comparison: the language switched → the page reruns and shows the results again, from the
   run cache (a setting seen before); also, for the record, the page opened afresh on the same server.
Each action starts from a settled page, as in a meeting: the app idle (no script running) and then
``--settle`` seconds (default 3) of someone reading it. ``--settle 0`` presses on at once (then the
first run also waits for the pool's workers to start, and each action for the browser to finish
drawing the last one's results).
Prints each repetition and the medians against the targets (≤ 3 s, ≤ 10 s, ≤ 1 s on 2 cores).

    .venv/bin/python benchmarks/app_benchmark.py [--repeat 5] [--settle 3] [--scenarios a.toml,b.toml]

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


def serve() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app_streamlit.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"], cwd=ROOT, stdout=subprocess.DEVNULL,
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


def settled(page, seconds: float) -> None:
    """Wait for the app to be idle (Streamlit's running indicator gone), then ``seconds`` more."""
    from playwright.sync_api import expect

    if seconds > 0:
        expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=300_000)
        time.sleep(seconds)


def once(page, url: str, scenarios: str, settle: float) -> dict[str, float]:
    from playwright.sync_api import expect

    timings = {}
    t = time.perf_counter()
    page.goto(f"{url}/?scenarios={scenarios}", wait_until="domcontentloaded")
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible(timeout=60_000)
    timings["first render"] = time.perf_counter() - t
    settled(page, settle)

    t = time.perf_counter()
    page.get_by_role("button", name="运行比较").click()
    expect(page.locator("table.answer")).to_be_visible(timeout=300_000)       # the answer block
    expect(page.locator("[data-testid='stVegaLiteChart']").first).to_be_attached(timeout=60_000)
    timings["uncached comparison"] = time.perf_counter() - t
    settled(page, settle)

    t = time.perf_counter()   # a setting seen before: switch the language, the page reruns from the cache
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-testid='stVegaLiteChart']").first).to_be_attached(timeout=60_000)
    timings["cached comparison"] = time.perf_counter() - t
    settled(page, settle)

    t = time.perf_counter()   # the first report download (one scenario's report.html, with its plots)
    button = page.get_by_role("button", name=re.compile(r"^Report \(HTML\)")).first
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=120_000) as info:
        button.click()
    info.value.path()
    timings["report download"] = time.perf_counter() - t
    settled(page, settle)

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
    args = ap.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    print(f"app benchmark: {args.scenarios}, {args.repeat} repetitions, settle {args.settle:g} s, "
          f"{os.cpu_count()} CPUs")
    runs = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=FLAGS)
        for i in range(args.repeat):
            proc, url = serve()
            try:
                page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
                timings = once(page, url, args.scenarios, args.settle)
                page.close()
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            runs.append(timings)
            load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"  run {i + 1}: " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items())
                  + f"   (load average {load})", flush=True)
        browser.close()
    print(f"medians (load average now {', '.join(f'{x:.2f}' for x in os.getloadavg())}, on {os.cpu_count()} CPUs):")
    reopened = statistics.median(r["reopened page (cached)"] for r in runs)
    print(f"  {'reopened page (cached)':<20} {reopened:6.2f} s   (no target)")
    for name, target in TARGETS.items():
        median = statistics.median(r[name] for r in runs)
        verdict = "met" if median <= target else "NOT met"
        print(f"  {name:<20} {median:6.2f} s   target ≤ {target:g} s   ratio {median / target:.2f} of target: {verdict}")


if __name__ == "__main__":
    main()
