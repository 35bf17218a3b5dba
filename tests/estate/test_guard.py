"""The output guard: nothing the user wrote is overwritten, a folder never holds files of two runs, a
second writer stops at once, a failed run leaves no mark, and every writing command goes through it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from estate.cli import main
from estate.outputs import MARK, OutputGuard
from standards.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
SMALL = str(ROOT / "scenarios/small-2400.toml")
BUILT = str(ROOT / "scenarios/chongqing-20k-built.toml")
BROKEN = str(ROOT / "tests/scenarios/broken/negative-units.toml")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_plan_refuses_a_folder_holding_the_users_budget(tmp_path, capsys):
    out = tmp_path / "f"
    out.mkdir()
    (out / "budget.csv").write_text("mine\n")
    assert main(["plan", SMALL, "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already holds budget.csv" in err[0] and "nothing was overwritten" in err[0]
    assert _snapshot(out) == {"budget.csv": b"mine\n"}


def test_audit_refuses_a_folder_holding_the_users_audit(tmp_path, capsys):
    out = tmp_path / "f"
    out.mkdir()
    (out / "audit.json").write_text('{"mine": true}')
    assert main(["audit", BUILT, "--out", str(out)]) == 1
    assert "already holds audit.json" in capsys.readouterr().err
    assert _snapshot(out) == {"audit.json": b'{"mine": true}'}


def test_a_file_the_user_adds_to_an_output_folder_is_never_replaced(tmp_path, capsys):
    out = tmp_path / "f"
    assert main(["simulate", SMALL, "--out", str(out), "--replications", "2", "--workers", "1", "--quiet"]) == 0
    (out / "site_map.png").write_bytes(b"my own map")
    assert main(["run", SMALL, "--out", str(out), "--replications", "2", "--workers", "1", "--quiet"]) == 1
    assert "already holds site_map.png" in capsys.readouterr().err
    assert (out / "site_map.png").read_bytes() == b"my own map"


def test_a_failed_run_leaves_no_mark_and_creates_nothing(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    assert main(["run", BROKEN, "--out", str(mine)]) == 1
    assert list(mine.iterdir()) == []                          # not marked as ours
    assert main(["run", BROKEN, "--out", str(tmp_path / "new" / "deeper")]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]   # nothing created, no staging left
    capsys.readouterr()


def test_a_second_writer_to_the_same_folder_stops_at_once(tmp_path, capsys):
    out = tmp_path / "f"
    with OutputGuard(out, "estate run", ("plan.json",)) as staging:
        (staging / "plan.json").write_text("{}")
        assert main(["plan", SMALL, "--out", str(out)]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [f"{out}: another estate command is writing this folder; wait for it to finish or choose "
                       "another --out (nothing was written)"]
    assert not out.exists()          # the first writer never committed: nothing was created


def test_files_appear_only_when_all_are_written(tmp_path):
    out = tmp_path / "f"
    assert main(["audit", BUILT, "--out", str(out)]) in (0, 1)
    before = _snapshot(out)
    with pytest.raises(RuntimeError):
        with OutputGuard(out, "estate plan", ("plan.json",)) as staging:
            (staging / "plan.json").write_text("half")
            raise RuntimeError("the run failed half-way")
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_a_folder_never_holds_files_of_two_runs(tmp_path):
    out = tmp_path / "f"
    assert main(["plan", SMALL, "--out", str(out)]) == 0
    assert sorted(os.listdir(out)) == sorted([MARK, "plan.json", "budget.csv", "site_map.png"])
    assert main(["audit", BUILT, "--out", str(out)]) in (0, 1)
    assert sorted(os.listdir(out)) == [MARK, "audit.json"]     # the plan's files went with its run


def test_the_manifest_lists_the_files_the_scenario_hash_and_the_seed(tmp_path):
    import hashlib
    out = tmp_path / "f"
    assert main(["simulate", SMALL, "--out", str(out), "--replications", "2", "--seed", "9", "--workers", "1",
                 "--quiet"]) == 0
    doc = json.loads((out / MARK).read_text(encoding="utf-8"))
    assert doc == {"generator": "estate simulate",
                   "files": ["demand.png", "occupancy.png", "series.csv", "summary.json"],
                   "scenario": SMALL, "scenario_sha256": hashlib.sha256(Path(SMALL).read_bytes()).hexdigest(),
                   "seed": 9}


def test_a_stale_staging_folder_from_a_crash_is_taken_over(tmp_path):
    out = tmp_path / "f"
    stale = tmp_path / ".f.estate-partial"
    stale.mkdir()
    (stale / ".lock").write_text("")
    (stale / "plan.json").write_text("from a killed run")
    with OutputGuard(out, "estate plan", ("plan.json",)) as staging:
        assert list(staging.iterdir()) == [staging / ".lock"]
        (staging / "plan.json").write_text("{}")
    assert not out.exists() and not stale.exists()      # left without a commit: nothing created


@pytest.mark.parametrize("command", [
    ["plan", SMALL], ["audit", BUILT], ["simulate", SMALL, "--replications", "1", "--workers", "1"]])
def test_an_unwritable_out_is_one_line(tmp_path, capsys, command):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert main([*command, "--out", str(a_file / "sub")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == f"{a_file / 'sub'}: cannot write there (Not a directory)"
    assert "internal error" not in "".join(err)
    assert a_file.read_text() == "x"


def test_layout_into_an_unwritable_place_is_one_line(tmp_path, capsys):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert main(["layout", "--flats", "3000", "--out", str(a_file / "l.csv")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "internal error" not in err[0]


def test_the_guard_refuses_a_file_and_names_foreign_files(tmp_path):
    f = tmp_path / "x"
    f.write_text("x")
    with pytest.raises(InputError, match="is a file"):
        OutputGuard(f, "estate run", ()).check()
    d = tmp_path / "d"
    d.mkdir()
    (d / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="already holds notes.txt"):
        OutputGuard(d, "estate run", ("plan.json",)).check()


def test_folders_marked_by_older_versions_count_as_ours_for_our_file_names(tmp_path):
    old_run = tmp_path / "old-run"
    old_run.mkdir()
    (old_run / MARK).write_text('{"generator": "estate run"}\n')
    (old_run / "plan.json").write_text("{}")
    OutputGuard(old_run, "estate plan", ("plan.json",)).check()
    old_sim = tmp_path / "old-sim"
    old_sim.mkdir()
    (old_sim / "summary.json").write_text('{"generator": "estate simulate"}')
    (old_sim / "series.csv").write_text("")
    OutputGuard(old_sim, "estate simulate", ("summary.json",)).check()
    (old_sim / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="already holds notes.txt"):
        OutputGuard(old_sim, "estate simulate", ("summary.json",)).check()
