"""One short function per event of the month, each a few array operations over every flat at once.

Each takes the population, the parameters, the model's generator and the month, changes the population,
and returns the flats (or, for births and deaths, the persons' flats) it touched, so the month's flows
can be counted. ``sim/reference.py`` writes the same rules household by household.
"""

from __future__ import annotations

import numpy as np

from sim.params import MONTHS_PER_YEAR, Params
from sim.population import OCCUPIED, SIGNED, UNDELIVERED, VACANT, Population, bernoulli


def deliver(pop: Population, params: Params, month: int) -> np.ndarray:
    """Buildings handed over this month open their flats (vacant, ready to let)."""
    opened = [np.arange(pop.offsets[b], pop.offsets[b + 1])
              for b in np.flatnonzero(params.building_delivery == month)]
    flats = np.concatenate(opened) if opened else np.empty(0, dtype=np.int64)
    flats = flats[pop.state[flats] == UNDELIVERED]
    pop.state[flats] = VACANT
    return flats


def accept_offers(pop: Population, params: Params, rng: np.random.Generator, month: int, pool: int
                  ) -> np.ndarray:
    """One allocation round: a share of the vacant flats is offered to applicants from the waiting pool
    (at most one each); each applicant accepts with the scenario's probability and signs, to move in
    after a delay. Applicants who decline stay in the pool. Returns the flats signed."""
    vacant = np.flatnonzero(pop.state == VACANT)
    offered = vacant[bernoulli(rng, len(vacant), params.round_share)]
    if len(offered) > pool:
        offered = np.sort(rng.choice(offered, size=pool, replace=False))
    signed = offered[bernoulli(rng, len(offered), params.acceptance)]
    delay = rng.integers(params.delay_min, params.delay_max + 1, size=len(signed))
    pop.sign(rng, signed, month + delay)
    return signed


def move_in(pop: Population, month: int) -> np.ndarray:
    """Signed households whose move-in month has come move in; their lease starts."""
    flats = np.flatnonzero((pop.state == SIGNED) & (pop.move_in_month <= month))
    pop.state[flats] = OCCUPIED
    pop.move_in_month[flats] = month
    pop.lease_start[flats] = month
    return flats


def age(pop: Population) -> None:
    """Everyone is a month older."""
    ages = pop.age[: pop.used]
    ages += ages >= 0


def give_birth(pop: Population, params: Params, rng: np.random.Generator) -> np.ndarray:
    """Births at the crude birth rate over all residents, each in a household with a member of
    childbearing age (simulation.fertile_ages), at most one per household a month."""
    occupied = pop.occupied()
    residents = int(pop.size[occupied].sum())
    low, high = params.fertile_ages
    ages, used = pop.age[: pop.used], pop.flat[: pop.used]
    fertile = np.zeros(len(pop.state), dtype=bool)
    span = np.uint16((high + 1 - low) * MONTHS_PER_YEAR)
    in_ages = (ages - np.int16(low * MONTHS_PER_YEAR)).view(np.uint16) < span   # free rows (-1) wrap high
    fertile[used[in_ages]] = True
    fertile &= occupied
    candidates = np.flatnonzero(fertile)
    if len(candidates) == 0:
        return candidates
    p = min(1.0, params.birth_monthly * residents / len(candidates))
    flats = candidates[bernoulli(rng, len(candidates), p)]
    pop.add_member(flats, rng.random(len(flats)) < params.disabled_share)
    return flats


def die(pop: Population, params: Params, rng: np.random.Generator) -> np.ndarray:
    """Each resident dies with the monthly probability of the crude death rate; a household left with
    nobody frees its flat. Returns the flat of each person who died."""
    residents = pop.residents()
    flats = pop.remove_members(residents[bernoulli(rng, len(residents), params.death_monthly)])
    pop.vacate(np.unique(flats[pop.size[flats] == 0]))
    return flats


def end_leases(pop: Population, params: Params, rng: np.random.Generator, month: int) -> np.ndarray:
    """Leases reaching the end of a term are renewed with the scenario's renewal rate; the others move
    out."""
    served = month - pop.lease_start
    due = np.flatnonzero(pop.occupied() & (served > 0) & (served % params.lease_months == 0))
    leaving = due[bernoulli(rng, len(due), 1.0 - params.renewal_rate)]
    pop.vacate(leaving)
    return leaving


def move_out(pop: Population, params: Params, rng: np.random.Generator) -> np.ndarray:
    """Households leave of their own accord at the scenario's yearly voluntary-exit rate."""
    occupied = np.flatnonzero(pop.occupied())
    leaving = occupied[bernoulli(rng, len(occupied), params.exit_monthly)]
    pop.vacate(leaving)
    return leaving


def evict_sublets(pop: Population, params: Params, rng: np.random.Generator) -> np.ndarray:
    """Subletting found and evicted at the yearly rate of allocation.sublet_eviction_rate (CQ-0943)."""
    occupied = np.flatnonzero(pop.occupied())
    evicted = occupied[bernoulli(rng, len(occupied), params.sublet_monthly)]
    pop.vacate(evicted)
    return evicted
