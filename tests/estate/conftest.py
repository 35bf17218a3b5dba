"""One small run with a budget cap that bites, shared by the tests of the views and the answer (run once)."""

from pathlib import Path

import pytest

from estate.pipeline import run
from scenarios import load, rules_of
from scenarios.loader import validate
from scenarios.writer import to_data

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def capped():
    data = to_data(load(ROOT / "scenarios" / "small-2400.toml"))
    data.setdefault("costs", {})["budget_cap_cny_per_year"] = 8_000_000
    s = validate(data, "test", ROOT / "scenarios")
    return run(s, rules_of(s), replications=4, seed=3, workers=1)
