"""One short function per event of the month, each a few array operations over every flat at once.

Each takes the population, the parameters, the model's generator and the month, changes the population,
and returns the flats (or, for births and deaths, the persons' flats) it touched, so the month's flows
can be counted. ``sim/reference.py`` writes the same rules household by household.
"""

from __future__ import annotations

import numpy as np

from sim.params import Params
from sim.population import OCCUPIED, SIGNED, UNDELIVERED, VACANT, Population, bernoulli


def deliver(pop: Population, params: Params, month: int) -> np.ndarray:
    """Buildings handed over this month open their flats (vacant, ready to let)."""
    opened = [np.arange(pop.offsets[b], pop.offsets[b + 1])
              for b in np.flatnonzero(params.building_delivery == month)]
    if not opened:
        return np.empty(0, dtype=np.int64)
    flats = np.concatenate(opened)
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


def move_in(pop: Population, params: Params, month: int) -> np.ndarray:
    """Signed households whose move-in month has come move in; their first lease term starts."""
    flats = np.flatnonzero((pop.state == SIGNED) & (pop.move_in_month <= month))
    pop.state[flats] = OCCUPIED
    pop.move_in_month[flats] = month
    pop.lease_end[flats] = month + params.lease_months
    return flats


def age(pop: Population) -> None:
    """Everyone is a month older."""
    pop.grow_older()


def give_birth(pop: Population, params: Params, rng: np.random.Generator) -> np.ndarray:
    """Births at the crude birth rate over all residents, each in a household with a member of
    childbearing age (simulation.fertile_ages), at most one per household a month."""
    occupied = pop.occupied()
    residents = int(pop.size.sum(where=occupied))
    candidates = np.flatnonzero((pop.fertile > 0) & occupied)
    if len(candidates) == 0:
        return candidates
    p = min(1.0, params.birth_monthly * residents / len(candidates))
    flats = candidates[bernoulli(rng, len(candidates), p)]
    pop.add_member(flats, rng.random(len(flats)) < params.disabled_share)
    return flats


def die(pop: Population, params: Params, rng: np.random.Generator) -> np.ndarray:
    """Each resident dies with the monthly probability of the crude death rate; a household left with
    nobody frees its flat. Returns the flat of each person who died. (Drawn over every row of the
    person table, then kept if the row is a resident: the same chance for each resident, without a
    pass to list them first.)"""
    rows = bernoulli(rng, pop.used, params.death_monthly)
    rows = rows[(pop.age[rows] >= 0) & (pop.state[pop.flat[rows]] == OCCUPIED)]
    flats = pop.remove_members(rows)
    pop.vacate(np.unique(flats[pop.size[flats] == 0]))
    return flats


def end_leases(pop: Population, params: Params, rng: np.random.Generator, month: int) -> np.ndarray:
    """Leases reaching the end of a term are renewed for another term with the scenario's renewal
    rate; the others move out."""
    due = np.flatnonzero(pop.lease_end == month)
    leaving = due[bernoulli(rng, len(due), 1.0 - params.renewal_rate)]
    pop.lease_end[due] += params.lease_months
    pop.vacate(leaving)
    return leaving


def move_out(pop: Population, params: Params, rng: np.random.Generator) -> np.ndarray:
    """Households leave of their own accord at the scenario's yearly voluntary-exit rate."""
    leaving = occupied_at_rate(pop, rng, params.exit_monthly)
    pop.vacate(leaving)
    return leaving


def evict_sublets(pop: Population, params: Params, rng: np.random.Generator) -> np.ndarray:
    """Subletting found and evicted at the yearly rate of allocation.sublet_eviction_rate (CQ-0943)."""
    evicted = occupied_at_rate(pop, rng, params.sublet_monthly)
    pop.vacate(evicted)
    return evicted


def occupied_at_rate(pop: Population, rng: np.random.Generator, p: float) -> np.ndarray:
    """Each occupied flat chosen with probability ``p`` (drawn over every flat, kept if occupied)."""
    flats = bernoulli(rng, len(pop.state), p)
    return flats[pop.state[flats] == OCCUPIED]
