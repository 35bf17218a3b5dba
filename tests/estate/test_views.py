"""One set of views (estate.tables): every consumer of a run reads the same rows. On one small run with a
budget cap that bites (``capped``, tests/estate/conftest.py), the files `estate run` writes (plan.json, budget.csv, facilities.json, report.html
in Chinese and English), the workbook and the app's compliance view agree; the Chinese report has no raw
identifier and no English status word."""

import csv
import html
import io
import json
import re
from collections import Counter

import pytest

from estate import answers, tables, workbook
from estate.run_outputs import write_run
from scenarios.services import SERVICE_NAMES

# a raw identifier (snake_case) or an English status word: what the Chinese report must not show
SNAKE = re.compile(r"(?<![\w.-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w-])")
STATUS_WORDS = re.compile(r"\b(pass|passed|FAIL|fail|failed|not checked|optimal|feasible|infeasible|relaxed|"
                          r"True|False|None)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def written(capped, tmp_path_factory):
    """The run's files as the product writes them, in each language."""
    out = {}
    for lang in ("zh", "en"):
        out[lang] = tmp_path_factory.mktemp(f"run-{lang}")
        write_run(capped, out[lang], lang)
    return out


def page_text(page: str, drop: tuple[str, ...] = ()) -> str:
    """What a reader sees of a report: no style, no embedded images, no tags; ``drop`` the user's own words
    (scenario name and purpose, which the file gives)."""
    text = re.sub(r"<style>.*?</style>|src='data:[^']*'", "", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    for words in drop:
        text = text.replace(words, "")
    return text


def untranslated(text: str) -> list[str]:
    """Raw identifiers and English status words in a text meant to be Chinese."""
    return sorted({m.group(0) for m in SNAKE.finditer(text)} | {m.group(0) for m in STATUS_WORDS.finditer(text)})


def report_table(page: str, title: str) -> list[list[str]]:
    """The rows (cell texts, header first) of the report's table under the heading ``title``."""
    section = page.split(f"<h2>{html.escape(title)}</h2>", 1)[1].split("</table>", 1)[0]
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr)]
            for tr in re.findall(r"<tr>(.*?)</tr>", section, flags=re.S)]


def test_every_consumer_reads_the_one_compliance_view(capped, written):
    """plan.json's checks, the report's compliance table (both languages), the workbook's compliance sheet and
    the app's compliance view: the same rows with the same statuses."""
    from openpyxl import load_workbook

    mark = {True: "✓", False: "✗", None: "—"}
    plan = json.loads((written["en"] / "plan.json").read_text(encoding="utf-8"))
    from_plan = Counter((k["id"], k["entity"], mark[k["passed"]]) for k in plan["verification"])
    assert len(from_plan) > 5 and any(m == "✗" for _, _, m in from_plan)        # a failing rule is among them

    app = tables.compliance_view(capped, "en")                                     # what the app draws
    from_app = Counter((r["Rule"], r["Entity"], r["Passed"]) for r in app)
    en = report_table((written["en"] / "report.html").read_text(encoding="utf-8"), "Compliance checklist")
    assert en[0] == list(app[0])
    from_report = Counter((r[1], r[2], r[0]) for r in en[1:])
    wb = load_workbook(io.BytesIO(workbook.workbook([answers.answer(capped, "small")], [capped], "en")))
    from_workbook = Counter((r[2], r[3], r[1]) for r in wb["Compliance"].iter_rows(min_row=2, values_only=True))
    assert from_plan == from_app == from_report == from_workbook

    zh = report_table((written["zh"] / "report.html").read_text(encoding="utf-8"), "合规检查")
    assert [r[0] for r in zh[1:]] == [r["Passed"] for r in app]        # failures first, in both languages
    assert zh[0] == list(tables.compliance_view(capped, "zh")[0])


def test_a_not_checked_row_counts_neither_way(capped):
    rows = tables.compliance(capped) + [{**tables.compliance(capped)[0], "passed": None}]
    counts = tables.check_counts(rows)
    assert counts["not_checked"] == sum(r["passed"] is None for r in rows) >= 1
    assert counts["passed"] + counts["failed"] + counts["not_checked"] == len(rows)


def test_the_chinese_report_has_no_identifier_and_no_english_status_word(capped, written):
    page = (written["zh"] / "report.html").read_text(encoding="utf-8")
    s = capped.scenario
    text = page_text(page, (s.name, s.purpose))
    assert untranslated(text) == [], untranslated(text)
    assert "<html lang='zh-CN'>" in page and "合规检查" in text and "万元" in text and "须放宽规则" in text
    assert re.search(r"预算上限", text)                                     # the cap's consequences, in words
    assert re.search(r"\b20\d\d-\d\d\b", text)                                 # elections as calendar months


def test_the_scan_finds_what_was_made_to_break_it(capped, written):
    page = (written["zh"] / "report.html").read_text(encoding="utf-8")
    broken = page.replace("</body>", "<p>planned_residents</p><table><tr><td>FAIL</td><td>relaxed</td>"
                                     "<td>not checked</td></tr></table></body>")
    found = untranslated(page_text(broken, (capped.scenario.name, capped.scenario.purpose)))
    assert found == ["FAIL", "not checked", "planned_residents", "relaxed"]
    assert untranslated("CQ-73.community_households 的 “3000—5000户” 与 plan.json") == []   # rule ids and files pass
    assert untranslated("30% of planned_residents") == ["planned_residents"]


def test_the_english_report_keeps_rule_ids_and_the_solvers_words(written):
    page = (written["en"] / "report.html").read_text(encoding="utf-8")
    assert "<html lang='en'>" in page and "CQ-73.community_households" in page
    assert "below the 3,000 minimum of CQ-73.community_households" in page
    assert page.count("data:image/png;base64,") == 4


def test_facilities_json_is_what_the_product_writes(capped, written):
    doc = json.loads((written["zh"] / "facilities.json").read_text(encoding="utf-8"))
    assert json.loads((written["en"] / "facilities.json").read_text(encoding="utf-8")) == doc   # no language in it
    assert [s["service"] for s in doc["services"]] == list(SERVICE_NAMES)
    for s in doc["services"]:
        assert set(s) == {"service", "unit", "requirement", "sizing_rule", "modules_rule", "max_sites", "modules",
                          "unmet"}
        for run_ in s["unmet"]:
            assert set(run_) == {"first", "last", "months", "max_shortfall", "reason", "rule", "line"}
    centre = next(s for s in doc["services"] if s["service"] == "eldercare_space")
    assert centre["requirement"] == "CQ-73.eldercare_centre"
    modules = [(s["service"], m["opening"], m["capital_cny"]) for s in doc["services"] for m in s["modules"]]
    assert sorted(modules) == sorted((r["service"], r["opening"], r["capital_cny"]) for r in tables.facilities(capped))
    assert doc["budget_cap"]["cap_cny_per_year"] == 8_000_000
    assert any(r["reason"] == "budget_cap" for s in doc["services"] for r in s["unmet"])


def test_plan_json_budget_csv_and_the_report_read_the_community_and_budget_views(capped, written):
    plan = json.loads((written["zh"] / "plan.json").read_text(encoding="utf-8"))
    rows = tables.communities(capped)
    assert [(c["id"], c["households"], c["staff"]) for c in plan["communities"]] == [
        (r["community"], r["households"], r["staff"]) for r in rows]
    elections = {e.community: e for e in answers.answer(capped).elections}
    assert {r["community"]: r["election_p50_date"] for r in rows} == {c: e.p50 for c, e in elections.items()}
    page = (written["zh"] / "report.html").read_text(encoding="utf-8")
    table = report_table(page, "各社区")
    assert [r[0] for r in table[1:]] == [r["community"] for r in rows]
    assert all(r[-1].startswith(elections[r[0]].p50) for r in table[1:])

    with open(written["zh"] / "budget.csv", encoding="utf-8") as fh:
        booked = list(csv.DictReader(fh))
    assert list(booked[0]) == list(tables.BUDGET_KEYS)
    assert [(int(r["year"]), r["item"], r["payer"], float(r["amount_cny"])) for r in booked] == [
        (r["year"], r["item"], r["payer"], round(r["amount_cny"], 2)) for r in tables.budget(capped)]
    years = report_table(page, "年度预算表（按出资方）")
    assert [r[0] for r in years[1:]] == [str(y) for y in tables.budget_by(capped, "payer")]


def test_payer_shares_of_each_item_add_up(capped):
    shares: dict[str, float] = {}
    for r in tables.payers(capped):
        if r["share"] is not None:
            shares[r["item"]] = shares.get(r["item"], 0.0) + r["share"]
    assert shares and all(v == pytest.approx(1.0) for v in shares.values())
    total = sum(r["amount_cny"] for r in tables.payers(capped))
    assert total == pytest.approx(sum(r.amount_cny for r in capped.budget.rows))


def test_every_budget_item_and_cap_tier_of_every_regime_has_words():
    """The regimes' own items (GZ-3 grid and station staff, zone rooms; SD-22 social workers) and every item
    a payer rule names read in words in both languages: a Shandong or Guangzhou report does not stop at them."""
    from estate.i18n import value
    from optimize.regime_items import CAP_TIERS
    from standards import load_catalog

    items = {i for _, parts in CAP_TIERS.values() for i in parts}
    items |= {i for r in load_catalog().rules.values() if r.shape == "payers" for i in r.value.items}
    for lang in ("zh", "en"):
        for item in items:
            assert "_" not in value("item", item, lang), (item, lang)       # words, not the identifier
        for tier in CAP_TIERS:
            assert value("tier", tier, lang), tier
    assert value("item", "social_worker_housing_fund") == "社会工作专业人员住房公积金"   # labels.toml
