"""Uncertain inputs, drawn per replication.

A scenario may give a numeric allocation or household field as a distribution, and ``[delivery]
slip_months`` as a range of delays (``scenarios.distributions``). ``draw(params, scenario, seed)`` turns
the ensemble's base ``Params`` (built with every distribution at its median) into one replication's own:
each uncertain field at a value drawn from its distribution, each building's delivery month slipped by
its own whole months. It is called in one place, where an ensemble builds a replication
(``sim.ensemble.run_chunk``), so a replication's draws depend on its own seed alone and the results are
the same on any executor.

The draws come from a stream of their own, a child of the replication's ``SeedSequence``
(``draws_stream``), never from the model's generator: a scenario with every input fixed draws nothing,
and its model sees exactly the random numbers it saw before uncertain inputs existed. Each field takes
its own fixed position in that stream, so fixing one field (as calibration does) leaves every other
field's draw as it was: common random numbers.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from scenarios.distributions import SLIP_FIELD, UNCERTAIN_FIELDS, slip_range, uncertain_of
from scenarios.schema import Scenario
from sim.params import MONTHS_PER_YEAR, Params, monthly, tilt_to_mean

# The spawn key appended to a replication's SeedSequence for its draws of uncertain inputs (any number the
# ensemble does not use for anything else; the model's own generator is the SeedSequence itself).
DRAWS_KEY = 0x756E63
_POSITION = {path: i for i, path in enumerate(UNCERTAIN_FIELDS)}


def inputs(scenario: Scenario) -> tuple[str, ...]:
    """The scenario's uncertain inputs, in the order of each replication's drawn values. The slip is
    reported as the mean delay of the buildings, in months."""
    return tuple(uncertain_of(scenario))


def draws_stream(seed: np.random.SeedSequence | int) -> np.random.SeedSequence:
    """The stream of a replication's draws: a child of its seed that the model never uses."""
    if not isinstance(seed, np.random.SeedSequence):
        seed = np.random.SeedSequence(int(seed))
    return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, DRAWS_KEY),
                                  pool_size=seed.pool_size)


def _apply(path: str, x: float, params: Params) -> dict[str, Any]:
    """The ``Params`` fields a drawn value of ``path`` sets (the conversions ``params_of`` makes)."""
    name = path.split(".")[1]
    direct = {"round_share": "round_share", "acceptance": "acceptance", "renewal_rate": "renewal_rate",
              "non_local_share": "non_local_share", "low_income_share": "low_income_share",
              "disabled_share": "disabled_share"}
    if name in direct:
        return {direct[name]: float(x)}
    whole = {"waiting_pool": "waiting_pool", "new_applicants_per_month": "new_applicants",
             "lease_months": "lease_months"}
    if name in whole:
        return {whole[name]: int(x)}
    if name == "voluntary_exit_rate":
        return {"exit_monthly": monthly(x)}
    if name == "sublet_eviction_rate":
        return {"sublet_monthly": monthly(x)}
    if name == "birth_rate":
        return {"birth_monthly": x / MONTHS_PER_YEAR}
    if name == "death_rate":
        return {"death_monthly": monthly(x)}
    if name == "persons_per_household":
        # the households' sizes follow the drawn mean; planned residents (and so the election threshold)
        # stay counted on the median, as the plan counts them
        return {"size_probs": tilt_to_mean(params.size_values, params.size_probs, float(x))}
    raise KeyError(path)


def draw(params: Params, scenario: Scenario, seed: np.random.SeedSequence | int
         ) -> tuple[Params, tuple[float, ...]]:
    """One replication's ``Params`` and its drawn values (in the order of ``inputs``). With no uncertain
    input, ``params`` itself and ``()``."""
    fields = uncertain_of(scenario)
    if not fields:
        return params, ()
    field_stream, slip_stream = draws_stream(seed).spawn(2)
    u = np.random.default_rng(field_stream).random(len(UNCERTAIN_FIELDS))
    updates: dict[str, Any] = {}
    drawn: list[float] = []
    for path, dist in fields.items():
        if path == SLIP_FIELD:
            low, high = slip_range(dist)
            slips = np.random.default_rng(slip_stream).integers(low, high + 1, size=len(params.building_delivery))
            updates["building_delivery"] = params.building_delivery + slips
            drawn.append(float(slips.mean()))
            continue
        bounds = UNCERTAIN_FIELDS[path]
        x = float(dist.quantile(u[_POSITION[path]], bounds))
        if bounds.integer:
            x = float(round(x))
        updates.update(_apply(path, x, params))
        drawn.append(x)
    return replace(params, **updates), tuple(drawn)
