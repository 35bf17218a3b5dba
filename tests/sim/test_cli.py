"""`estate simulate`: the files it writes, their documented keys, and the refusals."""

from __future__ import annotations

import csv
import json

from estate.cli import main
from helpers import ROOT

SMALL = str(ROOT / "scenarios" / "small-2400.toml")


def test_simulate_writes_summary_series_and_plots(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["simulate", SMALL, "--out", str(out), "--replications", "3", "--seed", "5", "--workers", "1"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["replications"] == 3 and summary["completed"] == 3 and summary["seed"] == 5
    (community,) = summary["communities"]
    assert community["id"] == "estate"
    assert set(community["election_month"]) == {"p10", "p50", "p90"}
    assert isinstance(community["election_month"]["p50"], int)
    with open(out / "series.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["month", "community", "metric", "p10", "p50", "p90"]
    metrics = {r["metric"] for r in rows}
    assert {"occupancy", "residents", "children_3_5", "elderly_80", "voters", "clinic_m2", "waiting_pool"} <= metrics
    assert len(rows) == 60 * len(metrics)
    for name in ("occupancy.png", "demand.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    err = capsys.readouterr().err
    assert "3/3 replications" in err
    # writing again into our own output folder is fine
    assert main(["simulate", SMALL, "--out", str(out), "--replications", "2", "--workers", "1", "--quiet"]) == 0


def test_simulate_refuses_a_file_and_a_folder_of_someone_elses_files(tmp_path, capsys):
    a_file = tmp_path / "x.txt"
    a_file.write_text("mine")
    assert main(["simulate", SMALL, "--out", str(a_file)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is a file" in err[0]
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "summary.json").write_text('{"owner": "someone"}')
    assert main(["simulate", SMALL, "--out", str(theirs)]) == 1
    assert "not written by `estate simulate`" in capsys.readouterr().err
    assert (theirs / "summary.json").read_text() == '{"owner": "someone"}'


def test_simulate_refuses_bad_numbers(tmp_path, capsys):
    assert main(["simulate", SMALL, "--out", str(tmp_path / "o"), "--replications", "0"]) == 1
    assert "--replications must be between 1 and 10,000 (got 0)" in capsys.readouterr().err


def test_never_electing_is_null_in_the_summary(tmp_path):
    text = (ROOT / "scenarios" / "small-2400.toml").read_text(encoding="utf-8")
    text = text.replace("waiting_pool = 4000", "waiting_pool = 0").replace(
        "new_applicants_per_month = 100", "new_applicants_per_month = 0")
    scenario = tmp_path / "empty.toml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["simulate", str(scenario), "--out", str(out), "--replications", "2", "--workers", "1", "--quiet"]) == 0
    (community,) = json.loads((out / "summary.json").read_text(encoding="utf-8"))["communities"]
    assert community["election_month"] == {"p10": None, "p50": None, "p90": None}
    assert community["elected_replications"] == 0
