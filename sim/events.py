"""The month's events, one compiled function each, and the month that runs them in order (``advance``).

A month's work is its events: the flats handed over, the vacant flats offered, the households moving
in or leaving that month, the people crossing an age that matters, the births and the deaths due; no
pass over every flat or person. ``sim/population.py`` says how the state is kept and why each draw has
the law of the per-month rule; ``sim/reference.py`` writes the same rules household by household.

Flows and counts are kept as they change (``counters``, ``community_flats``, ``census``, ``flows``)
and copied into the month's record at its end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.kernels import (bernoulli, categorical, compiled, count, draw_age, file, first_month, geometric, helper,
                         integer, list_add, list_remove, log_q, new_person)
from sim.params import Params
from sim.population import (ALIVE, BIRTH, C_DELIVERED, C_HOUSEHOLDS, C_SIGNED, CAL_DEATH, CAL_LEAVE,
                            CAL_MIGRANT, CAL_MOVE_IN, CAND_POS, DISABLED, EVICTION, EXIT, F_BIRTHS,
                            F_DEATHS, F_EVICTIONS, F_MOVE_INS, F_MOVE_OUTS, FERTILE, FLAT, GROUP, HEAD, LEASE_END,
                            HEADER, HI, LEAVE, LO, MOVE_IN, NEVER, NEXT, N_BLOCKS, N_CAND, N_PEOPLE, N_VAC,
                            NEXT_MEMBER, NONE, OCCUPIED, POOL, REASON, RESIDENTS, SIGNED, SIZE, STATE,
                            UNDELIVERED, VAC_POS, VACANT, Population, blocks_for, cumulative)
from sim.reporting import Census, Recorder

blocks_needed = compiled(blocks_for)

# ``rates`` (float64) and ``figures`` (int64): the scalars of Params the month reads
ROUND_SHARE, ACCEPTANCE, DISABLED_SHARE, NON_LOCAL, LOW_INCOME, BIRTH_P, DEATH_P, EXIT_P, SUBLET_P, RENEWAL = range(10)
# ``log1p(-p)`` of the monthly probabilities drawn as geometric waits (``kernels.geometric``), and of
# not renewing a lease
LOG_DEATH, LOG_EXIT, LOG_SUBLET, LOG_NO_RENEWAL = range(10, 14)
DELAY_MIN, DELAY_MAX, LEASE, NEW_APPLICANTS, FERTILE_START, FERTILE_END, RESIDENCE, PARTS, FIRST_BIRTH, MAX_SIZE = range(10)


def scalars(params, parts: int, first_birth: int) -> tuple[np.ndarray, np.ndarray]:
    """``rates`` and ``figures`` of ``params`` for the compiled month."""
    rates = np.array([params.round_share, params.acceptance, params.disabled_share, params.non_local_share,
                      params.low_income_share, params.birth_monthly, params.death_monthly, params.exit_monthly,
                      params.sublet_monthly, params.renewal_rate], dtype=np.float64)
    logs = [log_q(p) for p in (params.death_monthly, params.exit_monthly, params.sublet_monthly,
                               1.0 - params.renewal_rate)]
    rates = np.concatenate([rates, np.array(logs, dtype=np.float64)])
    low, high = params.fertile_ages
    residence = params.migrant_residence_months or 0
    figures = np.array([params.delay_min, params.delay_max, params.lease_months, params.new_applicants,
                        low * 12, (high + 1) * 12, residence, parts, first_birth, int(params.size_values.max())],
                       dtype=np.int64)
    return rates, figures


@helper
def childbearing(age: int, figures: np.ndarray) -> int:
    return 1 if figures[FERTILE_START] <= age < figures[FERTILE_END] else 0


@compiled
def deliver(month, flats, vacant, counters, community_flats, flat_community, offsets, delivery):
    """Buildings handed over this month open their flats (vacant, ready to let)."""
    for b in range(len(delivery)):
        if delivery[b] != month:
            continue
        for f in range(offsets[b], offsets[b + 1]):
            if flats[f, STATE] == UNDELIVERED:
                flats[f, STATE] = VACANT
                list_add(vacant, flats, VAC_POS, counters, N_VAC, f)
                community_flats[flat_community[f], C_DELIVERED] += 1


@helper
def sign(rng, month, f, move_in, flats, people, blocks, heads, born, vacant, counters, community_flats,
         flat_community, rates, figures, size_values, size_cdf, band_low, band_high, band_cdf, head_low,
         head_high, head_cdf):
    """A household from the pool signs for flat ``f``: its size, members (the signer from the signers'
    bands), disability, hukou and low income; it moves in at ``move_in``."""
    list_remove(vacant, flats, VAC_POS, counters, N_VAC, f)
    size = size_values[categorical(rng, size_cdf)]
    first_birth = figures[FIRST_BIRTH]
    for k in range(size):
        if k == 0:
            age = draw_age(rng, head_low, head_high, head_cdf)
        else:
            age = draw_age(rng, band_low, band_high, band_cdf)
        # ``age`` is the age before this month's ageing: born ``age + 1`` months before this month
        new_person(people, flats, blocks, born, first_birth, counters, f, month - age - 1,
                   rng.random() < rates[DISABLED_SHARE])
        flats[f, FERTILE] += childbearing(age, figures)   # the month's ageing (``cross``) follows
    local = rng.random() >= rates[NON_LOCAL]
    low_income = rng.random() < rates[LOW_INCOME]
    group = 0 if local else (2 if figures[RESIDENCE] > 0 else 1)
    flats[f, GROUP] = group + (3 if low_income else 0)
    flats[f, SIZE] = size
    flats[f, STATE] = SIGNED
    flats[f, MOVE_IN] = move_in
    community_flats[flat_community[f], C_SIGNED] += 1
    file(blocks, heads, counters, CAL_MOVE_IN, move_in, f)


@compiled
def allocation_round(rng, month, flats, people, blocks, heads, born, vacant, counters, community_flats,
                     flat_community, scratch, rates, figures, size_values, size_cdf, band_low, band_high,
                     band_cdf, head_low, head_high, head_cdf):
    """One allocation round: each vacant flat is offered with the round share, to one applicant of the
    pool each (a random subset of the offers when the pool is smaller); each applicant accepts with the
    scenario's probability, signs and moves in after a delay. Declining applicants stay in the pool."""
    k = bernoulli(rng, counters[N_VAC], rates[ROUND_SHARE], scratch)
    for i in range(k):
        scratch[i] = vacant[scratch[i]]
    pool = counters[POOL]
    if k > pool:
        for i in range(pool):                  # a uniform subset of ``pool`` offers (partial shuffle)
            j = i + integer(rng, 0, k - i)
            scratch[i], scratch[j] = scratch[j], scratch[i]
        k = max(pool, 0)
    signed = 0
    for i in range(k):
        if rng.random() < rates[ACCEPTANCE]:
            delay = integer(rng, figures[DELAY_MIN], figures[DELAY_MAX] + 1)
            sign(rng, month, scratch[i], month + delay, flats, people, blocks, heads, born, vacant, counters,
                 community_flats, flat_community, rates, figures, size_values, size_cdf, band_low, band_high,
                 band_cdf, head_low, head_high, head_cdf)
            signed += 1
    counters[POOL] -= signed


@compiled
def move_in(rng, month, flats, people, blocks, heads, candidates, counters, community_flats,
            building_households, flows, census, cohorts, flat_community, flat_building, partition, rates, figures):
    """Households whose move-in month has come move in; their first lease term starts. Drawn now,
    once: each member's death month, and the month the household leaves (the first lease term not
    renewed, a voluntary exit, or an eviction for subletting, in that order within a month)."""
    parts, first_birth = figures[PARTS], figures[FIRST_BIRTH]
    blk = heads[CAL_MOVE_IN, month]
    while blk != NONE:
        for s in range(HEADER + blocks[blk, LO], HEADER + blocks[blk, HI]):
            f = blocks[blk, s]
            if flats[f, STATE] != SIGNED or flats[f, MOVE_IN] != month:
                continue
            c = flat_community[f]
            flats[f, STATE] = OCCUPIED
            community_flats[c, C_SIGNED] -= 1
            community_flats[c, C_HOUSEHOLDS] += 1
            building_households[flat_building[f]] += 1
            flows[c, F_MOVE_INS] += 1
            r = flats[f, HEAD]
            while r != NONE:
                # counted at the age before this month's ageing; ``cross`` moves those with a birthday
                count(census, cohorts, c, people, flats, r, month - 1 - people[r, BIRTH], partition, parts,
                      first_birth, 1)
                counters[RESIDENTS] += 1
                file(blocks, heads, counters, CAL_DEATH, first_month(rng, rates[DEATH_P], rates[LOG_DEATH], month), r)
                r = people[r, NEXT_MEMBER]
            if flats[f, FERTILE] > 0:
                list_add(candidates, flats, CAND_POS, counters, N_CAND, f)
            lease = figures[LEASE]
            renewal = rates[RENEWAL]
            leave, reason = NEVER, LEASE_END
            if renewal < 1.0:
                terms = 1 if renewal <= 0.0 else geometric(rng, 1.0 - renewal, rates[LOG_NO_RENEWAL])
                leave = min(month + terms * lease, NEVER)
            exit_ = first_month(rng, rates[EXIT_P], rates[LOG_EXIT], month)
            if exit_ < leave:
                leave, reason = exit_, EXIT
            evict = first_month(rng, rates[SUBLET_P], rates[LOG_SUBLET], month)
            if evict < leave:
                leave, reason = evict, EVICTION
            flats[f, LEAVE] = leave
            flats[f, REASON] = reason
            file(blocks, heads, counters, CAL_LEAVE, leave, f)
            if figures[RESIDENCE] > 0 and flats[f, GROUP] % 3 == 2:
                file(blocks, heads, counters, CAL_MIGRANT, month + figures[RESIDENCE], f)
        blk = blocks[blk, NEXT]



@compiled
def migrants_qualify(month, flats, people, heads, blocks, census, cohorts, flat_community, partition, figures):
    """Migrant households resident long enough (Shandong) now count among the tenants who may vote."""
    parts, first_birth = figures[PARTS], figures[FIRST_BIRTH]
    blk = heads[CAL_MIGRANT, month]
    while blk != NONE:
        for s in range(HEADER + blocks[blk, LO], HEADER + blocks[blk, HI]):
            f = blocks[blk, s]
            if (flats[f, STATE] != OCCUPIED or flats[f, MOVE_IN] != month - figures[RESIDENCE]
                    or flats[f, GROUP] % 3 != 2):
                continue
            c = flat_community[f]
            r = flats[f, HEAD]
            while r != NONE:
                if people[r, ALIVE] == 1:
                    count(census, cohorts, c, people, flats, r, month - 1 - people[r, BIRTH], partition, parts,
                          first_birth, -1)
                r = people[r, NEXT_MEMBER]
            flats[f, GROUP] -= 1
            r = flats[f, HEAD]
            while r != NONE:
                if people[r, ALIVE] == 1:
                    count(census, cohorts, c, people, flats, r, month - 1 - people[r, BIRTH], partition, parts,
                      first_birth, 1)
                r = people[r, NEXT_MEMBER]
        blk = blocks[blk, NEXT]


@compiled
def cross(month, edges, flats, people, blocks, born, candidates, counters, census, cohorts, flat_community,
          partition, figures):
    """Everyone is a month older: only those born ``edge`` months ago for an age ``edge`` that matters
    are moved. At a census band's edge, the counts of those born that month move to the next band, per
    community and group, all at once (``cohorts``); at the start or end of childbearing age, each person
    born that month is visited, and those no longer living here are dropped from the list as it is read
    (they never come back), the others keeping their order."""
    parts, first_birth = figures[PARTS], figures[FIRST_BIRTH]
    for e in edges:
        b = month - e - first_birth
        if b < 0 or b >= len(born):
            continue
        if partition[e] != partition[e - 1]:
            older, younger = partition[e], partition[e - 1]
            for c in range(cohorts.shape[0]):
                for g in range(cohorts.shape[2]):
                    n = cohorts[c, b, g]
                    if n != 0:
                        census[c, g * parts + younger] -= n
                        census[c, g * parts + older] += n
        starts, ends = e == figures[FERTILE_START], e == figures[FERTILE_END]
        if not (starts or ends) or born[b] == NONE:
            continue
        # the living are written back over the list as it is read: ``out`` / ``w``, never ahead of it
        out = born[b]
        w = blocks[out, LO]
        blk = out
        while blk != NONE:
            for s in range(HEADER + blocks[blk, LO], HEADER + blocks[blk, HI]):
                r = blocks[blk, s]
                if people[r, ALIVE] != 1:
                    continue
                if w == blocks[out, HI]:
                    out = blocks[out, NEXT]
                    w = blocks[out, LO]
                blocks[out, HEADER + w] = r
                w += 1
                f = people[r, FLAT]
                occupied = flats[f, STATE] == OCCUPIED
                if starts:
                    flats[f, FERTILE] += 1
                    if occupied and flats[f, FERTILE] == 1:
                        list_add(candidates, flats, CAND_POS, counters, N_CAND, f)
                if ends:
                    flats[f, FERTILE] -= 1
                    if occupied and flats[f, FERTILE] == 0:
                        list_remove(candidates, flats, CAND_POS, counters, N_CAND, f)
            blk = blocks[blk, NEXT]
        # the list ends where the living end (the newest block stays, empty or not, to be pushed to)
        blocks[out, HI] = w
        blocks[out, NEXT] = NONE


@compiled
def give_birth(rng, month, flats, people, blocks, heads, born, candidates, counters, flows, census, cohorts,
               flat_community, scratch, partition, rates, figures):
    """Births at the crude birth rate over all residents, each in a household with a member of
    childbearing age (simulation.fertile_ages), at most one per household a month."""
    n = counters[N_CAND]
    if n == 0:
        return
    p = min(1.0, rates[BIRTH_P] * counters[RESIDENTS] / n)
    k = bernoulli(rng, n, p, scratch)
    for i in range(k):
        scratch[i] = candidates[scratch[i]]
    parts = figures[PARTS]
    for i in range(k):
        f = scratch[i]
        c = flat_community[f]
        r = new_person(people, flats, blocks, born, figures[FIRST_BIRTH], counters, f, month,
                       rng.random() < rates[DISABLED_SHARE])
        flats[f, SIZE] += 1
        flats[f, FERTILE] += childbearing(0, figures)
        count(census, cohorts, c, people, flats, r, 0, partition, parts, figures[FIRST_BIRTH], 1)
        counters[RESIDENTS] += 1
        flows[c, F_BIRTHS] += 1
        file(blocks, heads, counters, CAL_DEATH, first_month(rng, rates[DEATH_P], rates[LOG_DEATH], month), r)


@helper
def vacate(month, f, flats, people, vacant, candidates, counters, community_flats, building_households,
           census, cohorts, flat_community, flat_building, partition, figures):
    """The household of ``f`` leaves: its people are no longer counted; the flat is let again from the
    next round."""
    c = flat_community[f]
    r = flats[f, HEAD]
    while r != NONE:
        if people[r, ALIVE] == 1:
            count(census, cohorts, c, people, flats, r, month - people[r, BIRTH], partition, figures[PARTS],
                  figures[FIRST_BIRTH], -1)
            counters[RESIDENTS] -= 1
            people[r, ALIVE] = 0
        r = people[r, NEXT_MEMBER]
    flats[f, STATE] = VACANT
    flats[f, HEAD] = NONE
    flats[f, SIZE] = 0
    flats[f, FERTILE] = 0
    flats[f, MOVE_IN] = NONE
    flats[f, LEAVE] = NONE
    community_flats[c, C_HOUSEHOLDS] -= 1
    building_households[flat_building[f]] -= 1
    list_remove(candidates, flats, CAND_POS, counters, N_CAND, f)
    list_add(vacant, flats, VAC_POS, counters, N_VAC, f)


@compiled
def die(month, flats, people, blocks, heads, vacant, candidates, counters, community_flats, building_households,
        flows, census, cohorts, flat_community, flat_building, partition, figures):
    """The residents whose death month has come die (each is filed once, under the month drawn at move-in
    or birth); a household left with nobody frees its flat."""
    parts = figures[PARTS]
    blk = heads[CAL_DEATH, month]
    while blk != NONE:
        for s in range(HEADER + blocks[blk, LO], HEADER + blocks[blk, HI]):
            r = blocks[blk, s]
            if people[r, ALIVE] != 1:          # left with their household before
                continue
            f = people[r, FLAT]
            c = flat_community[f]
            age = month - people[r, BIRTH]
            count(census, cohorts, c, people, flats, r, age, partition, parts, figures[FIRST_BIRTH], -1)
            counters[RESIDENTS] -= 1
            people[r, ALIVE] = 0
            flats[f, SIZE] -= 1
            flows[c, F_DEATHS] += 1
            if childbearing(age, figures) == 1:
                flats[f, FERTILE] -= 1
                if flats[f, FERTILE] == 0:
                    list_remove(candidates, flats, CAND_POS, counters, N_CAND, f)
            if flats[f, SIZE] == 0:
                vacate(month, f, flats, people, vacant, candidates, counters, community_flats, building_households,
                       census, cohorts, flat_community, flat_building, partition, figures)
        blk = blocks[blk, NEXT]


@compiled
def leave(month, flats, people, blocks, heads, vacant, candidates, counters, community_flats,
          building_households, flows, census, cohorts, flat_community, flat_building, partition, figures):
    """Households whose leaving month has come move out: a lease term not renewed, a voluntary exit, or
    subletting found and evicted (allocation.sublet_eviction_rate, CQ-0943)."""
    blk = heads[CAL_LEAVE, month]
    while blk != NONE:
        for s in range(HEADER + blocks[blk, LO], HEADER + blocks[blk, HI]):
            f = blocks[blk, s]
            if flats[f, STATE] != OCCUPIED or flats[f, LEAVE] != month:
                continue
            c = flat_community[f]
            flows[c, F_MOVE_OUTS] += 1
            if flats[f, REASON] == EVICTION:
                flows[c, F_EVICTIONS] += 1
            vacate(month, f, flats, people, vacant, candidates, counters, community_flats, building_households,
                   census, cohorts, flat_community, flat_building, partition, figures)
        blk = blocks[blk, NEXT]


@compiled
def headroom(counters, delivered, month, n_flats, max_size, lists):
    """Rows of people and blocks of list entries month ``month`` may need at most: every flat that
    could be let signs a household of the largest size, every occupied flat has a birth, every person is
    filed under their birth month and gets a death date, every household a move-in, a leaving and a
    residence date."""
    lettable = counters[N_VAC] + delivered[month]
    people = lettable * max_size + n_flats
    return people, blocks_needed(2 * people + 3 * n_flats, lists)


@compiled
def advance(rng, start, stop, flats, people, blocks, heads, born, candidates, vacant, counters, census,
            cohorts, community_flats, building_households, flows, scratch, record, building_record, pool_record,
            flat_community, flat_building, offsets, delivery, delivered, rounds, edges, partition, rates,
            figures, size_values, size_cdf, band_low, band_high, band_cdf, head_low, head_high, head_cdf):
    """Months ``start`` … ``stop - 1`` in the order of ``EstateModel.step``; returns the first month not
    run (before ``stop`` when the tables need room first: ``headroom``)."""
    n_flats = flats.shape[0]
    lists = heads.size + born.size
    for month in range(start, stop):
        need_people, need_blocks = headroom(counters, delivered, month, n_flats, figures[MAX_SIZE], lists)
        if counters[N_PEOPLE] + need_people > people.shape[0] or counters[N_BLOCKS] + need_blocks > blocks.shape[0]:
            return month
        deliver(month, flats, vacant, counters, community_flats, flat_community, offsets, delivery)
        if month > 0:
            counters[POOL] += figures[NEW_APPLICANTS]
        for _ in range(rounds[month]):
            allocation_round(rng, month, flats, people, blocks, heads, born, vacant, counters, community_flats,
                             flat_community, scratch, rates, figures, size_values, size_cdf, band_low, band_high,
                             band_cdf, head_low, head_high, head_cdf)
        move_in(rng, month, flats, people, blocks, heads, candidates, counters, community_flats,
                building_households, flows, census, cohorts, flat_community, flat_building, partition, rates, figures)
        if figures[RESIDENCE] > 0:
            migrants_qualify(month, flats, people, heads, blocks, census, cohorts, flat_community, partition, figures)
        cross(month, edges, flats, people, blocks, born, candidates, counters, census, cohorts, flat_community,
              partition, figures)
        give_birth(rng, month, flats, people, blocks, heads, born, candidates, counters, flows, census, cohorts,
                   flat_community, scratch, partition, rates, figures)
        die(month, flats, people, blocks, heads, vacant, candidates, counters, community_flats, building_households,
            flows, census, cohorts, flat_community, flat_building, partition, figures)
        leave(month, flats, people, blocks, heads, vacant, candidates, counters, community_flats,
              building_households, flows, census, cohorts, flat_community, flat_building, partition, figures)
        # the month's record: flats by state, flows, census cells; occupied flats per building; the pool
        n_c = community_flats.shape[1]
        n_f = flows.shape[1]
        for c in range(census.shape[0]):
            for j in range(n_c):
                record[month, c, j] = community_flats[c, j]
            for j in range(n_f):
                record[month, c, n_c + j] = flows[c, j]
                flows[c, j] = 0
            for j in range(census.shape[1]):
                record[month, c, n_c + n_f + j] = census[c, j]
        for b in range(len(building_households)):
            building_record[month, b] = building_households[b]
        pool_record[month] = counters[POOL]
    return stop


@dataclass(frozen=True, eq=False)
class Inputs:
    """What the compiled month reads and never changes, built once per ``Params`` (an ensemble's
    replications share it)."""

    flat_community: np.ndarray
    flat_building: np.ndarray
    offsets: np.ndarray          # each building's first flat (a building's flats are consecutive rows)
    delivery: np.ndarray         # each building's delivery month
    delivered: np.ndarray        # flats delivered in each month
    rounds: np.ndarray
    edges: np.ndarray            # ages (months) at which someone's counts change (Census.crossings)
    partition: np.ndarray        # age (months) → census partition
    rates: np.ndarray
    figures: np.ndarray
    size_values: np.ndarray
    size_cdf: np.ndarray
    band_low: np.ndarray
    band_high: np.ndarray
    band_cdf: np.ndarray
    head_low: np.ndarray
    head_high: np.ndarray
    head_cdf: np.ndarray


def inputs_of(params: Params, census: Census) -> Inputs:
    building = np.repeat(np.arange(len(params.building_units)), params.building_units)
    first_birth = -len(census.partition) - 1
    rates, figures = scalars(params, census.parts, first_birth)
    i64 = lambda a: np.ascontiguousarray(a, dtype=np.int64)  # noqa: E731
    return Inputs(
        flat_community=i64(params.building_community[building]), flat_building=i64(building),
        offsets=i64(np.concatenate([[0], np.cumsum(params.building_units)])),
        delivery=i64(params.building_delivery),
        delivered=i64(np.bincount(np.clip(params.building_delivery, 0, params.horizon),
                                  weights=params.building_units, minlength=params.horizon + 1)),
        rounds=i64(params.rounds), edges=census.crossings, partition=census.partition,
        rates=rates, figures=figures, size_values=i64(params.size_values), size_cdf=cumulative(params.size_probs),
        band_low=i64(params.band_low), band_high=i64(params.band_high), band_cdf=cumulative(params.band_probs),
        head_low=i64(params.head_band_low), head_high=i64(params.head_band_high),
        head_cdf=cumulative(params.head_band_probs))


def run_months(rng: np.random.Generator, pop: Population, recorder: Recorder, inputs: Inputs, start: int,
               stop: int) -> None:
    """Months ``start`` … ``stop - 1`` of one replication, growing its tables when a month asks."""
    x = inputs
    month = start
    while month < stop:
        month = advance(rng, month, stop, pop.flats, pop.people, pop.blocks, pop.heads, pop.born, pop.candidates,
                        pop.vacant, pop.counters, pop.census, pop.cohorts, pop.community_flats,
                        pop.building_households, pop.flows, pop.scratch, recorder.record, recorder.building_record,
                        recorder.pool_record,
                        x.flat_community, x.flat_building, x.offsets, x.delivery, x.delivered, x.rounds, x.edges,
                        x.partition, x.rates, x.figures, x.size_values, x.size_cdf, x.band_low, x.band_high,
                        x.band_cdf, x.head_low, x.head_high, x.head_cdf)
        if month < stop:
            people, blocks = headroom(pop.counters, x.delivered, month, len(pop.flats), int(x.figures[MAX_SIZE]),
                                      pop.lists)
            pop.reserve(int(people), int(blocks))
