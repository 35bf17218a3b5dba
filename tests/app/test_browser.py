"""The app in a real browser at 1440×900: Debian's Chromium driven by Playwright (no browser download),
against the app served headless on 127.0.0.1. Runs a comparison and checks the answer block is in the
first viewport with the failed rules cited, that only the picked section's charts are sent and the pick
survives a language switch, scans the Chinese page for untranslated identifiers, downloads
the CSV (numbers), the XLSX (numeric cells) and the printable report (printed to PDF: page count, CJK
font); uploads an edited file keeping its original's name, touches a widget during the run and switches
language; fails on any error element or browser console error. Screenshots of the Chinese page before and
after the run are written to the test's temporary folder.

Skips (with the reason) where Chromium or Playwright is missing; `.ci/run` installs both.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
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
def server(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "streamlit.log"    # a file, not a pipe nobody reads (it fills)
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app_streamlit.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
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
        pytest.fail(f"the app did not start: {log.read_text(errors='replace')[-2000:]}")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


VIEWPORT = {"width": 1440, "height": 900}
# The Chinese page shows no Latin word (outside scenario and file names) but these: rule ids and document
# codes (removed first), the download formats, and the community ids and percentile names (one letter and
# digits, which the scan does not count as words).
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_]+")
ALLOWED_WORDS = {"CSV", "XLSX", "HTML", "TOML", "GeoJSON", "A4"}


def _codes() -> re.Pattern:
    from standards import load_catalog
    catalog = load_catalog()
    codes = sorted(set(catalog.rules) | set(catalog.documents), key=len, reverse=True)
    return re.compile("|".join(re.escape(c) for c in codes))


def _main_text(page) -> str:
    """The page's text outside the sidebar (Streamlit's own uploader words are English), every expander
    opened, without the scenario names, which are the files' own."""
    page.evaluate("() => document.querySelectorAll(\"[data-testid='stMain'] details\").forEach(d => { d.open = true; })")
    page.wait_for_timeout(500)
    text = page.locator("[data-testid='stMain']").inner_text()
    for name in page.evaluate("() => window.__names || []"):
        text = text.replace(name, "")
    return re.sub(r"keyboard_arrow_\w+", "", text)     # Streamlit's icon ligatures (expander arrows)


def _untranslated(text: str) -> list[str]:
    """The Latin words left in ``text`` once rule ids and document codes are taken out."""
    return sorted({w for w in LATIN_WORD.findall(_codes().sub(" ", text)) if w not in ALLOWED_WORDS})


def test_the_scan_finds_english_and_identifiers():
    assert _untranslated("CQ-73 §一(一)：C1 2,400 / 3,000—5,000 户；P50 2028-08；下载比较表（CSV）") == []
    assert _untranslated("CQ-73.fulltime_staff 每200户1名专职工作人员") == []
    assert _untranslated("划分结果：optimal；30% of planned_residents") == ["of", "optimal", "planned_residents"]
    assert _untranslated("Rule dates: GZ-3.grid_households") == ["Rule", "dates"]


def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


def test_a_comparison_in_the_browser(server, tmp_path):
    from openpyxl import load_workbook
    from playwright.sync_api import expect, sync_playwright

    console_errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport=VIEWPORT, accept_downloads=True)
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console_errors.append(str(e)))
        page.goto(f"{server}/?scenarios=small-2400.toml,chongqing-20k.toml", wait_until="domcontentloaded")

        expect(page.get_by_text("公租房小区规划：情景比较")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("button", name="运行比较")).to_be_in_viewport(timeout=30_000)
        page.screenshot(path=str(tmp_path / "before-run-zh.png"))
        page.get_by_role("button", name="运行比较").click()
        answer = page.locator("table.answer")
        expect(answer).to_be_visible(timeout=240_000)
        page.wait_for_timeout(1500)
        # the answer is in the first viewport: its heading and its first scenario's row, failures included
        expect(page.get_by_role("heading", name="结论")).to_be_in_viewport()
        first_row = answer.locator("tbody tr").first
        box = first_row.bounding_box()
        assert box is not None and box["y"] + 60 < VIEWPORT["height"], box
        page.screenshot(path=str(tmp_path / "after-run-zh.png"))
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
        answer_text = answer.inner_text()

        chart = page.locator("[data-testid='stVegaLiteChart']").first
        chart.scroll_into_view_if_needed()
        expect(chart.locator("canvas, svg").first).to_be_visible(timeout=30_000)
        # one section drawn: the calendar of each scenario, no other chart sent (before: ten charts)
        charts_first = page.locator("[data-testid='stVegaLiteChart']").count()
        grids_first = page.locator("[data-testid='stDataFrame']").count()
        headline_tables = page.locator("table.headlines").count()

        downloads = {}
        for label in ("下载比较表（CSV）", "下载比较工作簿（XLSX）", "可打印的比较报告（HTML，A4）"):
            button = page.get_by_role("button", name=label)
            button.scroll_into_view_if_needed()
            with page.expect_download(timeout=60_000) as info:
                button.click()
            saved = tmp_path / info.value.suggested_filename
            info.value.save_as(saved)
            downloads[saved.suffix] = saved

        # Chinese must render as glyphs, not boxes: two different characters drawn in the page's own font
        # give the same pixels only when both are the missing-glyph box.
        glyphs = page.evaluate("""() => ['社', '龍'].map(ch => {
            const c = document.createElement('canvas'); c.width = 64; c.height = 64;
            const ctx = c.getContext('2d');
            ctx.font = '48px ' + getComputedStyle(document.querySelector('h1')).fontFamily;
            ctx.fillText(ch, 4, 52);
            return Array.from(ctx.getImageData(0, 0, 64, 64).data).join(','); })""")
        page.evaluate("names => { window.__names = names; }",
                      ["Small 2,400-flat estate", "Chongqing 20k estate, Chongqing rules", "small-2400.toml",
                       "chongqing-20k.toml"])
        # the edit panels and the rules draw their contents once opened: open each, so that the scan reads them
        for panel in page.locator("[data-testid='stExpander'] summary").filter(
                has_text=re.compile("调整假设|适用规则与出处")).all():
            panel.scroll_into_view_if_needed()
            panel.click()
            expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=60_000)
        expect(page.locator("[data-testid='stNumberInput']").first).to_be_attached(timeout=30_000)
        expect(page.locator("table.rules")).to_have_count(2, timeout=30_000)
        main_text = _main_text(page)
        (tmp_path / "page-zh.txt").write_text(main_text, encoding="utf-8")

        # another section picked: its charts replace the calendar's, the link names it, and a language
        # switch keeps it
        page.locator("[data-testid='stButtonGroup']").get_by_text("年度预算", exact=True).click()
        expect(page.get_by_role("heading", name="年度预算（按出资方）")).to_be_visible(timeout=30_000)
        expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=60_000)
        page.wait_for_timeout(2000)           # the fragment's rerun done: its stale elements removed
        charts_budget = page.locator("[data-testid='stVegaLiteChart']").count()
        link = page.url
        page.get_by_text("English", exact=True).click()
        expect(page.get_by_role("heading", name="Budget by year and payer")).to_be_visible(timeout=60_000)
        expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=60_000)
        page.wait_for_timeout(2000)
        charts_en = page.locator("[data-testid='stVegaLiteChart']").count()
        calendar_en = page.get_by_role("heading", name=re.compile("^Calendar")).count()
        errors = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").all_inner_texts()

        # the printable report, printed to PDF by the same browser
        printed = browser.new_page()
        printed.goto(downloads[".html"].as_uri())
        pdf = printed.pdf(format="A4", print_background=True)
        (tmp_path / "comparison.pdf").write_bytes(pdf)
        browser.close()

    assert "CQ-73 §一(一)" in answer_text and "CQ-73 §三(九)" in answer_text      # the failed rules, cited
    # two calendars; the two headline tables as HTML, no data grid (a grid's JavaScript loads on first use)
    assert (charts_first, grids_first, headline_tables) == (2, 0, 2), (charts_first, grids_first, headline_tables)
    assert charts_budget == 2 and "section=budget_chart" in link, (charts_budget, link)
    assert charts_en == 2 and calendar_en == 0
    assert "万元" in answer_text and "区县财政" in answer_text and "✗" in answer_text
    left = _untranslated(main_text)
    assert not left, f"untranslated in the Chinese page ({tmp_path / 'page-zh.txt'}): {', '.join(left)}"
    printable = re.sub(r"<style.*?</style>|<[^>]+>", " ", downloads[".html"].read_text(encoding="utf-8"), flags=re.S)
    for name in ("Small 2,400-flat estate", "Chongqing 20k estate, Chongqing rules"):
        printable = printable.replace(name, "")
    assert not _untranslated(html.unescape(printable)), _untranslated(html.unescape(printable))
    table = list(csv.reader(io.StringIO(downloads[".csv"].read_text(encoding="utf-8-sig"))))
    assert table[0][1:] == ["Small 2,400-flat estate", "Chongqing 20k estate, Chongqing rules"], table[0]
    assert [row[1:] for row in table if row[0] == "社区数"] == [["1", "5"]], table        # numbers, no ● marks
    budget = next(row for row in table if row[0].startswith("前十年预算"))
    assert all(float(x) > 0 for x in budget[1:]), budget
    wb = load_workbook(downloads[".xlsx"])
    cells = " ".join(v for ws in wb for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str))
    for name in ("Small 2,400-flat estate", "Chongqing 20k estate, Chongqing rules"):
        cells = cells.replace(name, "")
    left = _untranslated(re.sub(r"\bplan\.\w+", " ", cells))          # the verifier's own checks: plan.office, …
    assert not left, f"untranslated in the Chinese workbook: {', '.join(left)}"
    amounts = [r[4] for r in wb["预算（按年和出资方）"].iter_rows(min_row=2, values_only=True)]
    assert amounts and all(isinstance(x, (int, float)) for x in amounts)
    assert 1 <= _pdf_pages(pdf) <= 6, _pdf_pages(pdf)
    assert b"WenQuanYi" in pdf or b"Noto" in pdf            # the Chinese text is drawn in a CJK font
    assert glyphs[0] != glyphs[1], "Chinese characters render as identical boxes: no CJK font"
    assert not errors, errors
    assert not console_errors, console_errors


def test_same_name_upload_language_switch_and_a_touch_during_the_run(server, tmp_path):
    """An edited file keeping its original's name sits beside it (before: StreamlitDuplicateElementKey in
    the downloads and merged columns); touching a widget while the run goes on (here: the language)
    keeps the run and shows its result (before: the bar vanished and the hint stayed); the switch keeps
    the picks and the upload (before: both reset)."""
    from playwright.sync_api import expect, sync_playwright

    from scenarios import load
    from scenarios.writer import to_toml

    # enough replications that the run lasts a few seconds: the touch must land while it goes on (the
    # original's run may come from the cache of an earlier test)
    edited = load(ROOT / "scenarios" / "small-2400.toml").model_copy(update={"replications": 1500, "seed": 11})
    upload = tmp_path / "small-2400.toml"
    upload.write_text(to_toml(edited), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(f"{server}/?scenarios=small-2400.toml", wait_until="domcontentloaded")
        expect(page.get_by_text("公租房小区规划：情景比较")).to_be_visible(timeout=30_000)
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(upload))
        expect(page.get_by_text("Small 2,400-flat estate (2)").first).to_be_attached(timeout=30_000)
        # the upload's redraw done (Streamlit's running indicator gone): a click during it can be lost
        expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=60_000)
        page.get_by_role("button", name="运行比较").click()
        expect(page.locator("[data-testid='stProgress']")).to_be_visible(timeout=60_000)
        page.get_by_text("English", exact=True).click()            # a widget touched during the run
        answer = page.locator("table.answer")
        expect(page.get_by_role("heading", name="The answer")).to_be_visible(timeout=240_000)
        expect(answer).to_have_count(1, timeout=60_000)      # the page done redrawing (no stale copy left)
        expect(answer).to_contain_text("rules relaxed")
        rows = answer.locator("tbody tr").all_inner_texts()
        page.get_by_text("中文", exact=True).click()
        expect(page.get_by_role("heading", name="结论")).to_be_visible(timeout=60_000)
        expect(page.locator("table.answer")).to_have_count(1, timeout=60_000)
        expect(page.locator("table.answer")).to_contain_text("须放宽规则")
        picks = page.locator("[data-testid='stMultiSelect']").inner_text()
        uploaded = page.locator("[data-testid='stFileUploader']").inner_text()
        rows_zh = page.locator("table.answer tbody tr").count()
        page.screenshot(path=str(tmp_path / "same-name-zh.png"))
        errors = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").all_inner_texts()
        browser.close()
    assert len(rows) == 2 and rows[0].startswith("Small 2,400-flat estate") and \
        rows[1].startswith("Small 2,400-flat estate (2)"), rows
    assert "small-2400.toml" in picks and "small-2400.toml" in uploaded and rows_zh == 2
    assert not errors, errors


def test_a_broken_upload_shows_its_message_not_a_traceback(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    broken = tmp_path / "broken.toml"
    broken.write_text('name = "x"\nregime = "atlantis"\n', encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(f"{server}/?scenarios=small-2400.toml", wait_until="domcontentloaded")
        expect(page.get_by_text("公租房小区规划：情景比较")).to_be_visible(timeout=30_000)
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(broken))
        alert = page.locator("[data-testid='stAlertContentError']").first
        expect(alert).to_be_visible(timeout=30_000)
        text = alert.inner_text()
        tracebacks = page.locator("[data-testid='stException']").count()
        browser.close()
    # the Chinese page (the default): the file and field as written, the reason in Chinese
    assert "broken.toml: regime 须为以下之一：chongqing, shandong, guangzhou（实际为 'atlantis'）" in text, text
    assert "Traceback" not in text and tracebacks == 0
