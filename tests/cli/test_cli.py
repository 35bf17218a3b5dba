"""The `estate` command line, called in-process and once through the installed console script."""

import json
import shutil
import subprocess
from pathlib import Path

from estate.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_validate_every_example_exits_0(capsys):
    examples = sorted(str(p) for p in (ROOT / "scenarios").glob("*.toml"))
    assert main(["validate", *examples]) == 0
    out = capsys.readouterr().out
    assert out.count(": ok") == len(examples)
    assert "20,000 flats" in out


def test_validate_mixed_files_reports_only_the_bad_one(capsys):
    good = str(ROOT / "scenarios/small-2400.toml")
    bad = str(ROOT / "tests/scenarios/broken/negative-units.toml")
    assert main(["validate", good, bad]) == 1
    captured = capsys.readouterr()
    assert "small-2400.toml: ok" in captured.out
    assert captured.err.strip().endswith("buildings[1].units must be > 0 (got -40)")


def test_rules_for_chongqing_list_at_least_15_cited_rules(capsys):
    assert main(["rules", "--regime", "chongqing", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rules"]
    assert len(rows) >= 15
    for r in rows:
        assert r["source"] and r["clause"] and r["unit"]
    by_role = {r["role"]: r for r in rows}
    assert by_role["fulltime_staff"]["value"] == {"amount": 1, "per": 200}
    assert by_role["fulltime_staff"]["clause"] == "§一(三)"
    assert by_role["grid_households"]["borrowed"]


def test_rules_text_output_and_all(capsys):
    assert main(["rules", "--regime", "shandong", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "election_trigger: SD-22.election_trigger  = 50% of occupancy" in out
    assert "cited: SD-22 §二(一)1 (鲁办发〔2012〕22号)" in out
    assert main(["rules", "--all", "--json"]) == 0
    ids = {r["id"] for r in json.loads(capsys.readouterr().out)["rules"]}
    assert "facilities.primary_class_size" in ids and "CQ-73.fulltime_staff" in ids


def test_the_english_table_reads_values_in_words(capsys):
    """Identifiers in words, the unit read into the value once (the JSON's ``text`` keeps them as written)."""
    for regime in ("chongqing", "shandong", "guangzhou"):
        assert main(["rules", "--regime", regime, "--all", "--lang", "en"]) == 0
        values = [line.split("  = ", 1)[1] for line in capsys.readouterr().out.splitlines() if "  = " in line]
        assert values and not [v for v in values if "_" in v or "[" in v], regime
    assert main(["rules", "--regime", "chongqing", "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "election_trigger: CQ-73.election_trigger  = 30% of planned residents" in lines
    assert "fulltime_staff: CQ-73.fulltime_staff  = workers: 1 per 200 households" in lines
    assert "office_space: CQ-73.office_floor_share  = ≥ 0.6% of gross floor area" in lines
    assert main(["rules", "--regime", "chongqing", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)["rules"]}
    assert rows["CQ-73.election_trigger"]["text"] == "30% of planned_residents"
    assert rows["CQ-73.election_trigger"]["text_en"] == "30% of planned residents"


def test_rules_in_chinese_by_default_and_both_languages_in_json(capsys):
    """The table is in Chinese unless --lang en: values, units, descriptions and borrowing reasons from the
    catalogue's Chinese texts, no English description; the JSON holds both languages under stable keys."""
    assert main(["rules", "--regime", "chongqing"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("重庆") and "条规则" in out
    assert "election_trigger: CQ-73.election_trigger  = 达到规划居住人数的30%" in out
    assert "出处: CQ-73 §一(二) (渝府发〔2013〕73号)" in out and "借用: " in out
    assert "cited:" not in out and "Households per public-rental community" not in out
    assert main(["rules", "--regime", "chongqing", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["title_zh"].startswith("重庆") and doc["title"].startswith("Chongqing")
    grid = {r["role"]: r for r in doc["rules"]}["grid_households"]
    assert grid["borrowed"] and grid["borrowed_zh"] and grid["borrowed_zh"] != grid["borrowed"]
    for r in doc["rules"]:
        assert r["description_zh"] and r["unit_zh"] and r["text_zh"]
        assert (r["reading_zh"] is None) == (r["reading"] is None)


def test_rules_of_a_scenario_show_overrides(capsys):
    assert main(["rules", "--scenario", str(ROOT / "scenarios/phased-45k.toml"), "--json"]) == 0
    rows = {r["role"]: r for r in json.loads(capsys.readouterr().out)["rules"]}
    assert rows["community_households"]["value"] == {"min": 3000, "max": 6500}
    assert "clusters" in rows["community_households"]["override_reason"]


def test_unknown_regime_is_one_line(capsys):
    assert main(["rules", "--regime", "beijing"]) == 1
    assert capsys.readouterr().err.strip() == (
        "scenario: regime must be one of chongqing, shandong, guangzhou (got 'beijing')")


def test_layout_writes_and_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "l.csv"
    assert main(["layout", "--flats", "6000", "--seed", "2", "--out", str(out)]) == 0
    first = out.read_text()
    assert main(["layout", "--flats", "9000", "--out", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert out.read_text() == first


def test_installed_console_script_runs():
    exe = shutil.which("estate") or str(Path(__import__("sys").executable).parent / "estate")
    done = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for command in ("validate", "rules", "layout"):
        assert command in done.stdout
    bad = subprocess.run([exe, "validate", str(ROOT / "tests/scenarios/broken/binary.toml")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().endswith("binary.toml: is a binary file, not text")
