"""Several scenarios on one executor (``run_many``) give what each gives alone (``run``)."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from estate.pipeline import run, run_many
from scenarios import load, rules_of
from scenarios.loader import validate
from scenarios.writer import to_data

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pair():
    small = load(ROOT / "scenarios" / "small-2400.toml")
    data = to_data(small)
    data["regime"] = "shandong"
    data["name"] = "small, Shandong rules"
    shandong = validate(data, "test", ROOT / "scenarios")
    return small, shandong


def test_run_many_matches_each_run_alone(pair):
    alone = [run(s, rules_of(s), replications=4, seed=7) for s in pair]
    with ThreadPoolExecutor(max_workers=2) as pool:
        together = run_many([(s, rules_of(s)) for s in pair], replications=4, seed=7, executor=pool, workers=2)
    assert [r.scenario.name for r in together] == [s.name for s in pair]
    for a, b in zip(alone, together):
        assert np.array_equal(a.simulation.quantiles, b.simulation.quantiles)
        assert np.array_equal(a.simulation.election_months, b.simulation.election_months)
        assert a.budget.rows == b.budget.rows and a.budget.rows
    # the two regimes give different elections: the pair really is two runs, not one twice
    assert not np.array_equal(together[0].simulation.election_months, together[1].simulation.election_months)


def test_progress_is_reported_per_scenario(pair):
    seen: list[list[str]] = [[], []]
    run_many([(s, rules_of(s)) for s in pair], replications=3, seed=7,
             progress=[lambda stage, d, t, i=i: seen[i].append(stage) for i in range(2)])
    for stages in seen:
        assert stages[0] == "plan" and stages[-1] == "budget" and "simulate" in stages and "facilities" in stages


def test_importing_the_pipeline_loads_no_engine_until_asked():
    """The app imports the pipeline for its first page; the engines load with the first run or the
    pool's warm-up (``import_engines``), not before."""
    import subprocess
    import sys

    code = ("import sys, estate.pipeline as p; heavy = ('optimize', 'sim', 'mesa', 'pulp', 'numba'); "
            "print(*[m in sys.modules for m in heavy]); p.import_engines(); print(*[m in sys.modules for m in heavy])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    before, after = out.stdout.splitlines()
    assert before.split() == ["False"] * 5
    assert after.split()[:3] == ["True"] * 3
