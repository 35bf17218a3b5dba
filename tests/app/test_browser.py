"""The app in a real browser: Debian's Chromium driven by Playwright (no browser download), against the
app served headless on 127.0.0.1. Runs a comparison, checks the headline table and a chart are visible,
downloads a CSV, saves a screenshot, and fails on any error element or browser console error.

Skips (with the reason) where Chromium or Playwright is missing; `.ci/run` installs both.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-quic", "--no-first-run"]
SCREENSHOT = ROOT / "out" / "browser-test.png"

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"),
              pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app_streamlit.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail(f"the app did not start: {proc.stdout.read().decode(errors='replace')[-2000:]}")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_a_comparison_in_the_browser(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    console_errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console_errors.append(str(e)))
        page.goto(f"{server}/?scenarios=small-2400.toml,chongqing-20k.toml", wait_until="domcontentloaded")

        expect(page.get_by_text("公租房小区规划：情景比较")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="运行比较").click()
        results = page.get_by_role("heading", name="测算结果")
        expect(results).to_be_visible(timeout=120_000)

        expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
        chart = page.locator("[data-testid='stVegaLiteChart']").first
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible(timeout=30_000)
        expect(chart.locator("canvas, svg").first).to_be_visible(timeout=30_000)

        button = page.get_by_role("button", name="下载比较表（CSV）")
        button.scroll_into_view_if_needed()
        with page.expect_download(timeout=30_000) as info:
            button.click()
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        text = saved.read_text(encoding="utf-8-sig")

        # Chinese must render as glyphs, not boxes: two different characters drawn in the page's own font
        # give the same pixels only when both are the missing-glyph box.
        glyphs = page.evaluate("""() => ['社', '龍'].map(ch => {
            const c = document.createElement('canvas'); c.width = 64; c.height = 64;
            const ctx = c.getContext('2d');
            ctx.font = '48px ' + getComputedStyle(document.querySelector('h1')).fontFamily;
            ctx.fillText(ch, 4, 52);
            return Array.from(ctx.getImageData(0, 0, 64, 64).data).join(','); })""")
        page.get_by_role("heading", name="测算结果").scroll_into_view_if_needed()
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=False)
        errors = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").all_inner_texts()
        browser.close()

    assert saved.name == "comparison.csv"
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][1:] == ["Small 2,400-flat estate", "Chongqing 20k estate, Chongqing rules"], table[0]
    assert [row[1:] for row in table if row[0] == "社区数"] == [["1", "● 5"]], table
    assert glyphs[0] != glyphs[1], "Chinese characters render as identical boxes: no CJK font"
    assert not errors, errors
    assert not console_errors, console_errors
    assert SCREENSHOT.stat().st_size > 20_000


def test_a_broken_upload_shows_its_message_not_a_traceback(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    broken = tmp_path / "broken.toml"
    broken.write_text('name = "x"\nregime = "atlantis"\n', encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(f"{server}/?scenarios=small-2400.toml", wait_until="domcontentloaded")
        expect(page.get_by_text("公租房小区规划：情景比较")).to_be_visible(timeout=30_000)
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(broken))
        alert = page.locator("[data-testid='stAlertContentError']").first
        expect(alert).to_be_visible(timeout=30_000)
        text = alert.inner_text()
        tracebacks = page.locator("[data-testid='stException']").count()
        browser.close()
    assert "broken.toml: regime must be one of chongqing, shandong, guangzhou (got 'atlantis')" in text, text
    assert "Traceback" not in text and tracebacks == 0
