"""App benchmark (a script, not a test): what a meeting waits for, measured in a real browser.

For each repetition a fresh app server starts, as `estate app` starts it (``estate.app_server`` where the
checkout has one: the first page's modules imported while Streamlit starts; else ``streamlit run``; empty
caches; numba's compiled code is on disk from earlier runs or the install), then:
1. first render: page opened → the title and the headline table are visible (an HTML table since the
   data grid's JavaScript chunk went from the first page; a data grid in older checkouts);
2. uncached comparison: "Run" pressed → the answer and the first chart are visible, for two
   20,000-flat scenarios (chongqing-20k and shandong-20k, 100 replications each: their own setting);
3. cached comparison: the language switched → the page reruns and shows the results again, from the
   run cache (a setting seen before); timed by Playwright's wait (the target's figure) and, for the
   record, inside the page (the first animation frame with the heading and a chart drawn);
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


def serve(root: Path = ROOT, script: str = "app_streamlit.py") -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the app as its checkout's `estate app` starts it (estate.app_server, where there is one), else Streamlit's own
    own = script == "app_streamlit.py" and (root / "estate" / "app_server.py").is_file()
    start = ([sys.executable, "-m", "estate.app_server"] if own
             else [sys.executable, "-m", "streamlit", "run", str(root / script)])
    proc = subprocess.Popen(
        [*start, "--server.headless", "true",
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


def listen(page) -> list[tuple[str, float]]:
    """The kinds of the messages the page receives from the server (``new_session`` when a script run
    starts, ``script_finished`` when it ends, ``delta`` for each element), with the time each came in."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    events: list[tuple[str, float]] = []

    def frame(payload) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg()
            try:
                msg.ParseFromString(payload)
            except Exception:  # noqa: BLE001 - not a message this benchmark reads
                return
            events.append((msg.WhichOneof("type") or "", time.perf_counter()))

    page.on("websocket", lambda ws: ws.on("framereceived", frame))
    return events


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
    events = listen(page)
    if cpu is not None:
        cpu.mark()
    t = time.perf_counter()
    page.goto(f"{url}/?scenarios={scenarios}", wait_until="domcontentloaded")
    expect(page.locator("h1").first).to_be_visible(timeout=60_000)
    expect(page.locator(FIRST_TABLE).first).to_be_visible(timeout=60_000)
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

    page.evaluate(DRAWN_IN_PAGE)
    t = time.perf_counter()   # a setting seen before: switch the language, the page reruns from the cache
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-testid='stVegaLiteChart']").first).to_be_attached(timeout=60_000)
    timings["cached comparison"] = time.perf_counter() - t
    drawn = page.evaluate("() => window.__drawn")
    timings["switch: drawn (in the page)"] = float("nan") if drawn is None else drawn / 1000
    settled(page, settle, cpu, "cached comparison", spent)
    for name, kind in (("switch: script start", "new_session"), ("switch: script end", "script_finished")):
        timings[name] = next((at - t for k, at in events if k == kind and at > t), float("nan"))

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


# The switch timed inside the page as well: from the click (a listener of the page) to the first animation
# frame in which the "Results" heading and a chart are there, checked once a frame (a single query each, so
# the check itself costs the page nothing worth counting). Playwright's own wait, which decides the target,
# polls the page from this process and sees the same state later (by ~0.1-0.25 s on the 2-CPU machine).
DRAWN_IN_PAGE = """() => {
  window.__drawn = null;
  document.addEventListener('click', () => {
    const start = performance.now();
    const frame = () => {
      const heading = [...document.querySelectorAll("h2")].some(e => e.textContent.trim().startsWith("Results"));
      if (heading && document.querySelector("[data-testid='stVegaLiteChart']")) {
        window.__drawn = performance.now() - start;
      } else {
        requestAnimationFrame(frame);
      }
    };
    requestAnimationFrame(frame);
  }, {capture: true, once: true});
}"""


# The floor: what any Streamlit page costs on this machine, measured as the first page is
FLOOR_APPS = {
    "floor, a data grid": 'import pandas as pd\nimport streamlit as st\n'
                          'st.set_page_config(page_title="floor", layout="wide")\nst.title("floor")\n'
                          'st.dataframe(pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}), hide_index=True)\n',
    "floor, an HTML table": 'import streamlit as st\nst.set_page_config(page_title="floor", layout="wide")\n'
                            'st.title("floor")\nst.markdown("<table class=\'headlines\'><tr><th>a</th><th>b</th></tr>'
                            '<tr><td>1</td><td>x</td></tr></table>", unsafe_allow_html=True)\n',
}
FIRST_TABLE = "[data-testid='stDataFrame'], table.headlines"     # the headline table, a grid or HTML


FIRST_PAGE_MESSAGES = (("script start", "new_session"), ("first element", "delta"), ("script end", "script_finished"))


def first_page(browser, root: Path, script: str, scenarios: str) -> dict[str, float]:
    """The first page on a fresh server, broken down (seconds from navigation): the HTML in, the
    JavaScript bundle in, the websocket open, the script's start (the session's first message) and end
    (its ``script_finished``), the headline table visible; and the server's CPU seconds."""
    from playwright.sync_api import expect

    proc, url = serve(root, script)
    marks: dict[str, float] = {}
    try:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        cpu = CPU(proc.pid)
        events = listen(page)
        page.on("websocket", lambda ws: marks.setdefault("websocket", time.perf_counter() - t))
        t = time.perf_counter()
        page.goto(f"{url}/?scenarios={scenarios}", wait_until="domcontentloaded")
        expect(page.locator(FIRST_TABLE).first).to_be_visible(timeout=60_000)
        marks["table visible"] = time.perf_counter() - t
        timing = page.evaluate("""() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const js = performance.getEntriesByType('resource').filter(e => e.name.endsWith('.js'));
            return {html: nav.responseEnd / 1000,
                    js: js.length ? Math.max(...js.filter(e => e.startTime < nav.domContentLoadedEventEnd)
                                                  .map(e => e.responseEnd)) / 1000 : 0,
                    dom: nav.domContentLoadedEventEnd / 1000}; }""")
        marks.update({"HTML in": timing["html"], "JS in": timing["js"], "DOM ready": timing["dom"]})
        expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=60_000)
        for name, kind in FIRST_PAGE_MESSAGES:
            marks[name] = next((at - t for k, at in events if k == kind), float("nan"))
        marks["server CPU"] = sum(cpu.mark())
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return marks


FIRST_PAGE_ORDER = ("HTML in", "JS in", "DOM ready", "websocket", "script start", "first element", "script end",
                    "table visible", "server CPU")


def floor(args) -> None:
    """``--floor``: the first page only, of two minimal apps and this app (and the reference), repetitions
    alternating, each broken down; medians at the end."""
    import tempfile

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        apps = []
        for i, (name, text) in enumerate(FLOOR_APPS.items()):
            (Path(tmp) / f"floor{i}.py").write_text(text)
            apps.append((name, Path(tmp), f"floor{i}.py"))
        apps.append(("this app", ROOT, "app_streamlit.py"))
        if args.reference:
            apps.append(("reference", args.reference.resolve(), "app_streamlit.py"))
        measured: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in apps}
        print(f"first page only: {args.repeat} repetitions, {os.cpu_count()} CPUs; seconds from navigation")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), headless=True, args=FLAGS)
            for i in range(args.repeat):
                for name, root, script in apps:
                    marks = first_page(browser, root, script, args.scenarios)
                    measured[name].append(marks)
                    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
                    print(f"  {name:<22} run {i + 1}: " + ", ".join(f"{k} {marks[k]:.2f}" for k in FIRST_PAGE_ORDER
                                                                 if k in marks) + f"   (load {load})", flush=True)
                    time.sleep(args.settle)
            browser.close()
    print(f"medians (load average now {', '.join(f'{x:.2f}' for x in os.getloadavg())}):")
    for name, runs in measured.items():
        print(f"  {name:<22} " + ", ".join(f"{k} {statistics.median(r[k] for r in runs if k in r):.2f}"
                                           for k in FIRST_PAGE_ORDER if any(k in r for r in runs)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--settle", type=float, default=3.0, help="seconds a settled page is read before the next action")
    ap.add_argument("--scenarios", default="chongqing-20k.toml,shandong-20k.toml")
    ap.add_argument("--reference", type=Path, help="another checkout of the app (e.g. `git worktree add ../ref main`), "
                    "measured in the same run, repetitions alternating: medians side by side and their ratio")
    ap.add_argument("--floor", action="store_true", help="the first page only, broken down, beside two minimal "
                    "Streamlit apps (the floor: what any page costs here)")
    args = ap.parse_args()
    if args.floor:
        floor(args)
        return
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
        for name in ("reopened page (cached)", "switch: script start", "switch: script end",
                     "switch: drawn (in the page)"):
            print(f"  {name:<20} {medians[which][name]:6.2f} s   (no target)")
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
