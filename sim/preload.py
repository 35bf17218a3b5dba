"""Imported by the process pool's fork server (``sim.ensemble._context``): runs one month of a
one-flat estate, so numba loads the compiled month from its cache (or compiles it) once, in the fork
server, and every worker forked from it starts with the machine code instead of loading it again.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from sim.events import inputs_of, run_months
from sim.population import Population
from sim.reporting import Census


def warm() -> None:
    """One month of one flat, with every event's code reached by the compiler."""
    one = np.array([1], dtype=np.int64)
    params = SimpleNamespace(
        horizon=2, flats=1, communities=1, building_units=one, building_delivery=np.array([0]),
        building_community=np.array([0]), persons_per_household=1.0, rounds=np.array([1, 1]),
        round_share=1.0, acceptance=1.0, delay_min=0, delay_max=0, waiting_pool=1, new_applicants=0,
        lease_months=1, renewal_rate=0.5, exit_monthly=0.1, sublet_monthly=0.1, size_values=one,
        size_probs=np.array([1.0]), band_low=np.array([20]), band_high=np.array([30]), band_probs=np.array([1.0]),
        head_band_low=np.array([20]), head_band_high=np.array([30]), head_band_probs=np.array([1.0]),
        non_local_share=0.5, low_income_share=0.5, disabled_share=0.5, birth_monthly=0.1, death_monthly=0.1,
        fertile_ages=(15, 49), voting_age=18, migrant_residence_months=1, age_bands={"adults": (18, None)},
        services=())
    census = Census(params)
    inputs = inputs_of(params, census)
    recorder = SimpleNamespace(record=np.zeros((2, 1, 3 + 5 + census.cells), dtype=np.int32),
                               building_record=np.zeros((2, 1), dtype=np.int32),
                               pool_record=np.zeros(2, dtype=np.int64))
    run_months(np.random.default_rng(0), Population(params, inputs.partition, census.parts), recorder, inputs, 0, 2)


warm()

__all__ = ["warm"]
