"""`estate sweep`: fields checked against the schema, variants and their seeds, the same rows on every
executor, a failing variant recorded, and a sweep killed mid-way and restarted with no row lost or repeated."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool

import pyarrow.parquet as pq
import pytest

from estate import sweep
from estate.cli import main
from estate.executors import Where, executor
from scenarios import load
from scenarios.writer import to_toml
from standards.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny_base():
    """The 2,400-flat example cut to two years and two replications: a variant takes a fraction of a second."""
    return load(ROOT / "scenarios" / "small-2400.toml").model_copy(update={"horizon_months": 24, "replications": 2})


@pytest.fixture
def tiny(tmp_path, tiny_base):
    path = tmp_path / "tiny.toml"
    path.write_text(to_toml(tiny_base), encoding="utf-8")
    return path


def _rows(out):
    return sweep.read_results(out).to_pylist()


# ---- fields and values ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path, message", [
    ("allocation.acceptanse", "--vary allocation.acceptanse: allocation.acceptanse is not a scenario field"),
    ("alocation.acceptance", "--vary alocation.acceptance: alocation is not a scenario field"),
    ("allocation", "--vary allocation: allocation is a table, not a single value"),
    ("allocation.renewal_rate.x.y", "--vary allocation.renewal_rate.x.y: allocation.renewal_rate.x is not a scenario field"),
    ("horizon_months.x", "--vary horizon_months.x: horizon_months is a single value"),
    ("seed", "--vary seed: a sweep does not vary seed (use --seed)"),
    ("override.CQ-73.election_trigger.sharee", "its value has share, basis, not 'sharee'"),
    ("override.XX-1.nothing.share", "--vary override.XX-1.nothing.share: XX-1.nothing is not a rule in the standards"),
    ("override.CQ-73.election_trigger", "an override's value is override.<rule id>.<field>"),
])
def test_a_bad_path_is_refused_naming_it(path, message):
    with pytest.raises(InputError) as err:
        sweep.check_field(path)
    assert len(err.value.messages) == 1 and message in err.value.messages[0]


def test_good_paths_are_accepted_with_their_kinds():
    assert sweep.check_field("allocation.acceptance").kinds == {float}
    assert sweep.check_field("allocation.waiting_pool").integer
    assert sweep.check_field("allocation.move_in_delay_months.max").integer
    assert str in sweep.check_field("households.persons_per_household").kinds     # a number or a figure's id
    assert sweep.check_field("override.CQ-73.election_trigger.share").is_override
    assert sweep.check_field("costs.staff_pay_cny_per_year").path == "costs.staff_pay_cny_per_year"


def test_bad_vary_path_gets_one_line_and_writes_nothing(tiny, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(tiny), "--vary", "allocation.acceptanse=0.6,0.8", "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["--vary allocation.acceptanse: allocation.acceptanse is not a scenario field (allocation has "
                   "cadence, first_round, round_share, acceptance, move_in_delay_months, waiting_pool, new_applicants_per_month, "
                   "lease_months, renewal_rate, voluntary_exit_rate, sublet_eviction_rate)"]
    assert not (out / "results.parquet").exists() and not (out / "sweep.json").exists()


def test_a_bad_value_is_refused_before_anything_runs(tiny, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(tiny), "--vary", "allocation.acceptance=0.6,1.5", "--vary",
                 "allocation.waiting_pool=100,-1", "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["--vary allocation.acceptance=1.5: allocation.acceptance must be ≤ 1 (got 1.5)",
                   "--vary allocation.waiting_pool=-1: allocation.waiting_pool must be ≥ 0 (got -1)"]
    assert not (out / "results.parquet").exists()


def test_values_take_the_fields_type():
    f, values = sweep.parse_vary("allocation.acceptance=1,0.5")
    assert values == (1.0, 0.5) and isinstance(values[0], float)
    f, values = sweep.parse_vary("allocation.waiting_pool=100,2e3")
    assert values == (100, 2000) and all(isinstance(v, int) for v in values)
    with pytest.raises(InputError, match="must be a whole number"):
        sweep.parse_vary("allocation.waiting_pool=10.5")
    with pytest.raises(InputError, match="given twice"):
        sweep.parse_vary("allocation.acceptance=0.6,0.6")
    f, values = sweep.parse_vary("households.persons_per_household=2.5,demography.persons_per_household_cq_prh")
    assert values == (2.5, "demography.persons_per_household_cq_prh")


# ---- variants and seeds ------------------------------------------------------------------------------------------


def test_grid_is_every_combination_and_seeds_follow_the_inputs_only():
    a = sweep.parse_vary("allocation.acceptance=0.6,0.8")
    b = sweep.parse_vary("allocation.waiting_pool=100,200,300")
    variants = sweep.grid([a, b], sweep_seed=5)
    assert [dict(v.inputs) for v in variants][:4] == [
        {"allocation.acceptance": 0.6, "allocation.waiting_pool": 100},
        {"allocation.acceptance": 0.6, "allocation.waiting_pool": 200},
        {"allocation.acceptance": 0.6, "allocation.waiting_pool": 300},
        {"allocation.acceptance": 0.8, "allocation.waiting_pool": 100}]
    assert len(variants) == 6 and len({v.seed for v in variants}) == 6 and len({v.id for v in variants}) == 6
    # the same inputs in another sweep (other values beside them, another order) get the same id and seed
    other = sweep.grid([sweep.parse_vary("allocation.acceptance=0.8,0.6,0.7"), b], sweep_seed=5)
    same = {v.id: v.seed for v in other}
    assert all(same[v.id] == v.seed for v in variants)
    # … and another seed with another sweep seed
    assert all(v.seed != w.seed for v, w in zip(variants, sweep.grid([a, b], sweep_seed=6)))
    assert all(0 <= v.seed < 2**63 for v in variants)


def test_latin_hypercube_puts_one_value_in_each_stratum(tmp_path):
    ranges = tmp_path / "ranges.toml"
    ranges.write_text('"allocation.acceptance" = { low = 0.5, high = 0.9 }\n'
                      '[allocation.waiting_pool]\nlow = 1000\nhigh = 9000\n', encoding="utf-8")
    rs = sweep.read_ranges(ranges)
    assert [r.field.path for r in rs] == ["allocation.acceptance", "allocation.waiting_pool"]
    variants = sweep.sample(rs, 8, sweep_seed=1)
    acc = sorted(dict(v.inputs)["allocation.acceptance"] for v in variants)
    strata = [int((a - 0.5) / 0.4 * 8) for a in acc]
    assert strata == list(range(8))                           # each eighth of the range holds one value
    pools = [dict(v.inputs)["allocation.waiting_pool"] for v in variants]
    assert all(isinstance(p, int) and 1000 <= p <= 9000 for p in pools)
    assert [dict(v.inputs) for v in sweep.sample(rs, 8, sweep_seed=1)] == [dict(v.inputs) for v in variants]
    assert [dict(v.inputs) for v in sweep.sample(rs, 8, sweep_seed=2)] != [dict(v.inputs) for v in variants]


@pytest.mark.parametrize("text, message", [
    ('"allocation.acceptance" = { low = 0.9, high = 0.5 }', "allocation.acceptance: low must be < high"),
    ('"allocation.cadence" = { low = 1, high = 2 }', "allocation.cadence is not a number, so it cannot be sampled"),
    ('"allocation.acceptanse" = { low = 0.1, high = 0.2 }', "allocation.acceptanse is not a scenario field"),
    ('"allocation.acceptance" = 0.5', "allocation.acceptance must be { low = number, high = number }"),
])
def test_a_bad_ranges_file_gets_one_line(tmp_path, text, message):
    ranges = tmp_path / "r.toml"
    ranges.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        sweep.read_ranges(ranges)
    assert len(err.value.messages) == 1 and err.value.messages[0].startswith(str(ranges))
    assert message in err.value.messages[0]


def test_an_override_value_reaches_the_rules(tiny_base):
    from scenarios import rules_of

    s = sweep.apply_inputs(tiny_base, [("override.CQ-73.election_trigger.share", 0.5)])
    rule = rules_of(s).role("election_trigger")
    assert rule.value.share == 0.5 and rule.override_reason == sweep.OVERRIDE_REASON
    assert tiny_base.overrides == [] and rules_of(tiny_base).role("election_trigger").value.share == 0.3


# ---- running ----------------------------------------------------------------------------------------------------


def _spec(base, plan=False, **kw):
    return sweep.make_spec("tiny", base, vary=["allocation.acceptance=0.6,0.9",
                                               "override.CQ-73.election_trigger.share=0.3,0.6"], plan=plan, **kw)


def _run(spec, base, out, **where):
    out.mkdir(parents=True, exist_ok=True)
    with executor(**where) as w:
        outcome = sweep.run(spec, base, out, w)
    sweep.write_spec(out, spec)
    return outcome


def test_rows_hold_inputs_seed_and_outputs(tiny_base, tmp_path):
    spec = _spec(tiny_base, plan=True)
    outcome = _run(spec, tiny_base, tmp_path / "a", workers=1)
    assert (outcome.ok, outcome.failed, outcome.lost) == (4, 0, [])
    rows = _rows(tmp_path / "a")
    assert [r["index"] for r in rows] == [0, 1, 2, 3]
    assert [r["seed"] for r in rows] == [v.seed for v in spec.variants]
    first = rows[0]
    assert first["allocation.acceptance"] == 0.6 and first["override.CQ-73.election_trigger.share"] == 0.3
    assert first["status"] == "ok" and first["completed"] == 2 and first["replications"] == 2
    assert first["election"][0]["community"] == "C1" and first["election_p50_last"] == first["election"][0]["p50"]
    assert first["budget_10y_cny"] == pytest.approx(sum(p["amount_cny"] for p in first["budget_10y_by_payer"]))
    assert "CQ-73.community_households" in first["failed_rules"]        # 2,400 flats: below the minimum
    # a higher election threshold makes the election later, at either acceptance
    assert rows[1]["election_p50_last"] > rows[0]["election_p50_last"]
    assert rows[3]["election_p50_last"] > rows[2]["election_p50_last"]


def test_same_rows_in_process_and_on_the_local_pool(tiny_base, tmp_path):
    spec = _spec(tiny_base)
    _run(spec, tiny_base, tmp_path / "serial", workers=1)
    _run(spec, tiny_base, tmp_path / "pool", workers=2)
    serial, pool = sweep.read_results(tmp_path / "serial"), sweep.read_results(tmp_path / "pool")
    assert serial.num_rows == 4 and serial.equals(pool)


def test_same_rows_on_a_two_worker_local_dask_cluster(tiny_base, tmp_path):
    pytest.importorskip("distributed", reason="Dask is not installed (pip install -e '.[dask]')")
    spec = sweep.make_spec("tiny", tiny_base, vary=["allocation.acceptance=0.6,0.9"])
    _run(spec, tiny_base, tmp_path / "serial", workers=1)
    _run(spec, tiny_base, tmp_path / "dask", dask_local=2)
    serial, dask = sweep.read_results(tmp_path / "serial"), sweep.read_results(tmp_path / "dask")
    assert serial.num_rows == 2 and serial.equals(dask)


def test_a_variant_that_raises_is_recorded_and_the_rest_finish(tiny_base, tmp_path, monkeypatch):
    real = sweep.simulate_variant

    def fragile(scenario, replications, seed, plan_budget):
        if scenario.allocation.acceptance == 0.9:
            raise ZeroDivisionError("made to fail")
        return real(scenario, replications, seed, plan_budget)

    monkeypatch.setattr(sweep, "simulate_variant", fragile)
    spec = _spec(tiny_base)
    outcome = _run(spec, tiny_base, tmp_path / "a", workers=1)
    assert (outcome.ok, outcome.failed) == (2, 2)
    rows = _rows(tmp_path / "a")
    assert [r["status"] for r in rows] == ["ok", "ok", "failed", "failed"]
    assert rows[2]["error"] == "ZeroDivisionError: made to fail" and rows[2]["election"] is None
    assert rows[0]["error"] is None and rows[0]["peak_staff"] > 0
    # run again: the failed variants have their rows and are not run again
    assert _run(spec, tiny_base, tmp_path / "a", workers=1).skipped == 4


class LosesOne(Executor):
    """Runs tasks here, but the second one is lost as if its worker had died."""

    def __init__(self):
        self.calls = 0

    def submit(self, fn, /, *args, **kwargs):
        self.calls += 1
        future = Future()
        if self.calls == 2:
            future.set_exception(BrokenProcessPool("a worker died"))
        else:
            future.set_result(fn(*args, **kwargs))
        return future


def test_a_variant_lost_with_its_worker_gets_no_row_and_runs_next_time(tiny_base, tmp_path):
    spec = _spec(tiny_base)
    out = tmp_path / "a"
    outcome = sweep.run(spec, tiny_base, out, Where(LosesOne(), "test", lambda: 1))
    assert (outcome.ok, len(outcome.lost)) == (3, 1)
    assert outcome.lost[0].variant == spec.variants[1] and "a worker died" in outcome.lost[0].message
    assert sweep.finished_ids(out / "results.parquet") == {spec.variants[i].id for i in (0, 2, 3)}
    again = sweep.run(spec, tiny_base, out, Where(LosesOne(), "test", lambda: 1))
    assert (again.skipped, again.ok, again.lost) == (3, 1, [])
    sweep.write_spec(out, spec)
    assert [r["index"] for r in _rows(out)] == [0, 1, 2, 3]


def test_a_half_written_part_is_ignored(tiny_base, tmp_path):
    spec = _spec(tiny_base)
    _run(spec, tiny_base, tmp_path / "a", workers=1)
    (tmp_path / "a" / "results.parquet" / ".part-deadbeef.parquet.tmp").write_bytes(b"PAR1 torn")
    assert len(_rows(tmp_path / "a")) == 4
    assert pq.read_table(tmp_path / "a" / "results.parquet").num_rows == 4      # plain pyarrow reads it too


def _command(tiny, out):
    return [sys.executable, "-m", "estate.cli", "sweep", str(tiny), "--vary", "allocation.acceptance=0.5,0.6,0.7,0.8,0.9",
            "--vary", "allocation.round_share=0.5,1.0", "--replications", "3", "--workers", "1", "--quiet",
            "--out", str(out)]


def test_a_sweep_killed_mid_way_and_run_again_has_every_row_once(tiny, tmp_path):
    out = tmp_path / "killed"
    parts = out / "results.parquet"
    proc = subprocess.Popen(_command(tiny, out), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(sweep.finished_ids(parts)) < 3 and proc.poll() is None:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    written = len(sweep.finished_ids(parts))
    assert 3 <= written < 10, f"the kill came at {written} of 10 variants"
    again = subprocess.run(_command(tiny, out), cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert f"10 of 10 variants (10 ok, 0 failed; {10 - written} run now, {written} already written)" in again.stdout
    rows = _rows(out)
    assert len(rows) == 10 and len({r["variant"] for r in rows}) == 10 and [r["index"] for r in rows] == list(range(10))
    # and they are the rows of a sweep that was never interrupted
    clean = tmp_path / "clean"
    assert main(_command(tiny, clean)[3:]) == 0
    assert sweep.read_results(clean).equals(sweep.read_results(out))


def test_restart_asks_and_without_a_terminal_needs_yes(tiny, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    args = ["sweep", str(tiny), "--vary", "allocation.acceptance=0.6,0.9", "--workers", "1", "--quiet", "--out", str(out)]
    assert main(args) == 0
    before = sorted(sweep.finished_ids(out / "results.parquet"))
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(args + ["--restart"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--restart would discard the 2 rows" in err[0] and "add --yes" in err[0]
    assert sorted(sweep.finished_ids(out / "results.parquet")) == before
    assert main(args + ["--restart", "--yes"]) == 0
    assert "2 run now, 0 already written" in capsys.readouterr().out


def test_another_sweep_in_the_same_folder_is_refused(tiny, tmp_path, capsys):
    out = tmp_path / "out"
    base = ["sweep", str(tiny), "--workers", "1", "--quiet", "--out", str(out)]
    assert main(base + ["--vary", "allocation.acceptance=0.6,0.9"]) == 0
    capsys.readouterr()
    assert main(base + ["--vary", "allocation.acceptance=0.6,0.8"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "holds another sweep" in err[0] and "--restart" in err[0]
    assert len(_rows(out)) == 2


def test_dask_without_a_scheduler_gets_one_line(tiny, tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("estate.executors.CONNECT_TIMEOUT", "1s")
    assert main(["sweep", str(tiny), "--vary", "allocation.acceptance=0.6", "--dask", "tcp://127.0.0.1:9",
                 "--quiet", "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("--dask tcp://127.0.0.1:9: cannot reach the Dask scheduler")


def test_a_latin_hypercube_sweep_writes_its_rows_and_a_regression(tiny, tmp_path, capsys):
    ranges = tmp_path / "ranges.toml"
    ranges.write_text('"allocation.acceptance" = { low = 0.4, high = 0.95 }\n'
                      '"override.CQ-73.election_trigger.share" = { low = 0.2, high = 0.6 }\n', encoding="utf-8")
    out = tmp_path / "lhs"
    assert main(["sweep", str(tiny), "--sample", "6", "--ranges", str(ranges), "--workers", "1", "--quiet",
                 "--out", str(out)]) == 0
    rows = _rows(out)
    assert len(rows) == 6 and all(r["status"] == "ok" for r in rows)
    assert all(0.4 <= r["allocation.acceptance"] <= 0.95 for r in rows)
    from estate import sensitivity
    table = sensitivity.read_csv(out / "sensitivity.csv")
    assert table and {r["method"] for r in table} == {"src"} and all(r["r2"] for r in table)
    # the election threshold moves the last election month more than acceptance does, and later
    (top,) = [r for r in table if r["figure"] == "election_p50_last" and r["rank"] == "1"]
    assert top["input"] == "override.CQ-73.election_trigger.share" and float(top["effect"]) > 0


def test_ctrl_c_on_the_local_pool_stops_with_one_line_and_keeps_the_rows(tiny, tmp_path):
    out = tmp_path / "interrupted"
    parts = out / "results.parquet"
    command = _command(tiny, out)
    command[command.index("--workers") + 1] = "2"
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True,   # Ctrl-C reaches the whole group: the sweep and its workers
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(sweep.finished_ids(parts)) < 2 and proc.poll() is None:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    written = len(sweep.finished_ids(parts))
    assert proc.returncode == 130 and written < 10, (proc.returncode, written)
    assert f"estate sweep: interrupted; {written} of 10 variants are in {parts}; run the same command again" in err
    assert "Traceback" not in err and not list(parts.glob(".*"))
    rows = _rows(out)                  # every part written is whole (going on is the kill test's business)
    assert len(rows) == written and all(r["status"] == "ok" for r in rows)
