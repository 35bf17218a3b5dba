"""Every command-line number has bounds, checked before anything runs: one line, exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from estate.cli import main

ROOT = Path(__file__).resolve().parents[2]
SMALL = str(ROOT / "scenarios/small-2400.toml")


@pytest.mark.parametrize("command, expected", [
    (["simulate", SMALL, "--replications", "10000000"], "--replications must be between 1 and 10,000 (got 10000000)"),
    (["run", SMALL, "--replications", "10001"], "--replications must be between 1 and 10,000 (got 10001)"),
    (["run", SMALL, "--workers", "0"], "--workers must be between 1 and 256 (got 0)"),
    (["run", SMALL, "--seed", "-1"], "--seed must be between 0 and 9,223,372,036,854,775,807 (got -1)"),
    (["plan", SMALL, "--time-limit", "0"], "--time-limit must be a number of seconds > 0 and ≤ 3,600 (got 0.0)"),
    (["plan", SMALL, "--time-limit", "-1"], "--time-limit must be a number of seconds > 0 and ≤ 3,600 (got -1.0)"),
    (["plan", SMALL, "--time-limit", "nan"], "--time-limit must be a number of seconds > 0 and ≤ 3,600 (got nan)"),
    (["plan", SMALL, "--time-limit", "inf"], "--time-limit must be a number of seconds > 0 and ≤ 3,600 (got inf)"),
])
def test_bad_numbers_are_one_line_and_nothing_is_written(tmp_path, capsys, command, expected):
    out = tmp_path / "o"
    assert main([*command, "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [expected]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("flags, expected", [
    (["--flats", "1000000000"], "--flats must be between 1 and 1,000,000 (got 1000000000)"),
    (["--flats", "0"], "--flats must be between 1 and 1,000,000 (got 0)"),
    (["--flats", "3000", "--seed", "-3"], "--seed must be between 0 and 9,223,372,036,854,775,807 (got -3)"),
    (["--flats", "3000", "--phases", "0"], "--phases must be between 1 and 60 (got 0)"),
])
def test_layout_numbers_are_bounded(tmp_path, capsys, flags, expected):
    assert main(["layout", *flags, "--out", str(tmp_path / "l.csv")]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [expected]
    assert list(tmp_path.iterdir()) == []
