"""Small scenarios for the simulation tests, built from the bundled examples."""

from __future__ import annotations

from pathlib import Path

from scenarios import load
from scenarios.schema import Building, Scenario

ROOT = Path(__file__).resolve().parents[2]


def small() -> Scenario:
    return load(ROOT / "scenarios" / "small-2400.toml")


def tiny(*, flats: int = 100, pool: int = 30, regime: str = "chongqing", horizon: int = 12,
         **households) -> Scenario:
    """One building, everyone let at once in month 0 (round share 1, acceptance 1, no delay), no
    births, deaths or exits: occupancy is exactly the waiting pool."""
    s = small()
    allocation = s.allocation.model_copy(update=dict(
        cadence="monthly", round_share=1.0, acceptance=1.0, waiting_pool=pool, new_applicants_per_month=0,
        renewal_rate=1.0, voluntary_exit_rate=0.0, sublet_eviction_rate=0.0,
        move_in_delay_months=s.allocation.move_in_delay_months.model_copy(update={"min": 0, "max": 0})))
    hh = s.households.model_copy(update=dict(size_distribution={"1": 1.0}, persons_per_household=1.0,
                                             birth_rate=0.0, death_rate=0.0, **households))
    building = Building(id="B1", units=flats, floor_area_m2=flats * 60.0, cluster="A", x=0.0, y=0.0,
                        delivery_month=0)
    return s.model_copy(update=dict(buildings=[building], allocation=allocation, households=hh,
                                    regime=regime, horizon_months=horizon))


def two_buildings(horizon: int = 30) -> Scenario:
    """Two towers of 300 flats, the second delivered later: a small estate for ensemble checks."""
    s = small()
    buildings = [Building(id="T1", units=300, floor_area_m2=24000.0, cluster="A", x=0.0, y=0.0, delivery_month=0),
                 Building(id="T2", units=300, floor_area_m2=24000.0, cluster="A", x=60.0, y=0.0, delivery_month=6)]
    allocation = s.allocation.model_copy(update=dict(acceptance=0.6, round_share=0.5, waiting_pool=2000))
    return s.model_copy(update=dict(buildings=buildings, horizon_months=horizon, allocation=allocation))
