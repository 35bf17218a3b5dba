from __future__ import annotations

from pathlib import Path

import pytest

import scenarios
from scenarios import synthetic_layout

ROOT = Path(__file__).resolve().parents[2]


def load(name: str):
    s = scenarios.load(ROOT / "scenarios" / name)
    return s, scenarios.rules_of(s)


def with_buildings(base, buildings, **opt):
    """A scenario like ``base`` with other buildings (and optimizer settings); horizon covers delivery."""
    horizon = max(base.horizon_months, max(b.delivery_month for b in buildings) + 1)
    o = base.optimizer.model_copy(update=opt)
    return base.model_copy(update={"buildings": list(buildings), "layout": None, "existing": None,
                                   "horizon_months": horizon, "optimizer": o})


@pytest.fixture(scope="session")
def small():
    return load("small-2400.toml")


@pytest.fixture(scope="session")
def cq():
    return load("chongqing-20k.toml")


def estate(flats: int, seed: int, base):
    return with_buildings(base, synthetic_layout(target_flats=flats, seed=seed), time_limit_s=5.0)
