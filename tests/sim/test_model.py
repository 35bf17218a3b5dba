"""The fast model: determinism, invariants, the election threshold at its boundary, regimes."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import ROOT, small, tiny, two_buildings
from scenarios import load, rules_of
from scenarios.split import CommunityAssignment, Split, SplitSource
from sim import EstateModel
from standards import formulas
from standards.errors import InputError


def run(scenario, seed=None, split=None):
    m = EstateModel(scenario, rules_of(scenario), split, rng=seed)
    m.run()
    return m, m.series(), {k: i for i, k in enumerate(m.metrics)}


def test_same_seed_same_output_bit_for_bit():
    s = small()
    _, a, _ = run(s, seed=7)
    m, b, _ = run(s, seed=7)
    assert a.tobytes() == b.tobytes()
    _, c, _ = run(s, seed=8)
    assert not np.array_equal(a, c)


def test_counts_are_consistent_and_never_negative():
    m, d, ix = run(small(), seed=3)
    assert (d >= 0).all()
    flats = np.append(m.params.community_flats, m.params.flats)
    assert (d[..., ix["households"]] <= d[..., ix["flats_delivered"]]).all()
    assert (d[..., ix["flats_delivered"]] <= flats).all()
    assert (d[..., ix["occupancy"]] <= 1).all()
    assert (d[..., ix["children_0_2"]] + d[..., ix["children_3_5"]] + d[..., ix["elderly_60"]]
            <= d[..., ix["residents"]]).all()
    assert (d[..., ix["elderly_80"]] <= d[..., ix["elderly_65"]]).all()
    assert (d[..., ix["elderly_65"]] <= d[..., ix["elderly_60"]]).all()
    assert (d[..., ix["voters_hukou"]] + d[..., ix["voters_tenant"]] <= d[..., ix["residents"]]).all()
    # a household of one: residents ≥ households
    assert (d[..., ix["residents"]] >= d[..., ix["households"]]).all()


def test_the_election_is_the_first_month_the_threshold_holds():
    s = two_buildings(horizon=24)
    rules = rules_of(s)
    m, d, ix = run(s, seed=11)
    (month,) = m.election_months().values()
    flats = int(m.params.community_flats[0])
    planned = formulas.planned_residents(flats, m.params.persons_per_household)
    due = [formulas.election_due(residents=d[t, 0, ix["residents"]], planned_residents=planned,
                                 occupied=int(d[t, 0, ix["households"]]), flats=flats, rules=rules)
           for t in range(len(d))]
    assert month == due.index(True)
    assert d[month, 0, ix["households"]] > 0
    assert (d[:month, 0, ix["elected"]] == 0).all() and (d[month:, 0, ix["elected"]] == 1).all()


@pytest.mark.parametrize("pool, elected", [(30, 0), (29, None)])
def test_exactly_thirty_percent_of_planned_residents_triggers(pool, elected):
    m, d, ix = run(tiny(flats=100, pool=pool), seed=1)
    assert d[0, 0, ix["residents"]] == pool
    assert m.election_months() == {"estate": elected}


@pytest.mark.parametrize("pool, elected", [(50, 0), (49, None)])
def test_shandong_elects_at_half_occupancy(pool, elected):
    m, d, ix = run(tiny(flats=100, pool=pool, regime="shandong"), seed=1)
    assert d[-1, 0, ix["occupancy"]] == pool / 100
    assert m.election_months() == {"estate": elected}


def test_no_allocation_never_elects():
    m, d, ix = run(tiny(pool=0), seed=1)
    assert m.election_months() == {"estate": None}
    assert d[..., ix["households"]].sum() == 0
    assert d[..., ix["staff"]].sum() == 0


def test_shandong_elects_no_earlier_than_chongqing():
    cq = small()
    sd = cq.model_copy(update={"regime": "shandong"})
    months = []
    for seed in range(5):
        (c,) = run(cq, seed=seed)[0].election_months().values()
        (s,) = run(sd, seed=seed)[0].election_months().values()
        assert c is not None and s is not None and c <= s
        months.append((c, s))
    assert any(c < s for c, s in months)


def test_shandong_migrants_vote_only_after_a_year():
    s = tiny(flats=100, pool=100, regime="shandong", horizon=14, non_local_share=1.0)
    m, d, ix = run(s, seed=2)
    assert d[11, 0, ix["voters_tenant"]] == 0          # moved in at month 0: 11 months' residence
    assert d[12, 0, ix["voters_tenant"]] > 0           # 12 months: may vote (SD-22.migrant_voter_residence)
    cq = run(tiny(flats=100, pool=100, horizon=14, non_local_share=1.0), seed=2)
    assert cq[1][0, 0, cq[2]["voters_tenant"]] > 0     # Chongqing: signed tenants vote at once


def test_staff_groups_and_grids_follow_the_formulas():
    m, d, ix = run(tiny(flats=1000, pool=1000), seed=1)
    rules = m.rules
    assert d[0, 0, ix["staff"]] == formulas.required_staff(1000, rules)
    assert d[0, 0, ix["grids"]] == formulas.grids(1000, rules)
    assert d[0, 0, ix["resident_groups"]] == formulas.groups_in_building(1000, rules)
    assert d[0, 0, ix["voters_worker"]] == d[0, 0, ix["staff"]]


def test_a_split_gives_one_series_per_community():
    s = two_buildings()
    split = Split((CommunityAssignment("north", ("T1",)), CommunityAssignment("south", ("T2",))),
                  SplitSource.OPTIMIZER)
    m, d, ix = run(s, seed=4, split=split)
    assert set(m.election_months()) == {"north", "south"}
    assert m.election_months()["north"] < m.election_months()["south"]   # T2 is delivered in month 6
    assert np.allclose(d[:, :2, ix["residents"]].sum(axis=1), d[:, 2, ix["residents"]])


def test_bad_parameters_are_refused_with_clear_messages():
    s = two_buildings()
    rules = rules_of(s)
    bad_split = Split((CommunityAssignment("a", ("T1", "T9")),), SplitSource.OPTIMIZER)
    with pytest.raises(InputError, match="names building 'T9'"):
        EstateModel(s, rules, bad_split)
    with pytest.raises(InputError, match="T2.*belong to no community"):
        EstateModel(s, rules, Split((CommunityAssignment("a", ("T1",)),), SplitSource.OPTIMIZER))
    with pytest.raises(InputError, match="rng must be"):
        EstateModel(s, rules, rng="seven")
    with pytest.raises(InputError, match="seed must be ≥ 0"):
        EstateModel(s, rules, rng=-1)
    odd = s.model_copy(update={"households": s.households.model_copy(update={"age_profile": {"young": 1.0}})})
    with pytest.raises(InputError, match="'young' is not an age band"):
        EstateModel(odd, rules)
    big = s.model_copy(update={"households": s.households.model_copy(
        update={"persons_per_household": 8.0, "size_distribution": {"1": 0.5, "2": 0.5}})})
    with pytest.raises(InputError, match="persons_per_household .* must lie within"):
        EstateModel(big, rules)
    wrong = s.model_copy(update={"facilities": s.facilities.model_copy(update={"eldercare_space": "facilities.clinic_area_by_population"})})
    with pytest.raises(InputError, match="facilities.eldercare_space: .* is a bands"):
        EstateModel(wrong, rules)


def test_residents_per_household_match_the_scenario_figure():
    m, d, ix = run(small(), seed=5)
    late = d[-12:, -1]
    per_household = late[:, ix["residents"]].sum() / late[:, ix["households"]].sum()
    assert per_household == pytest.approx(m.params.persons_per_household, rel=0.05)


def test_households_move_in_at_the_cited_persons_per_household():
    """The census shape of household sizes (mean 3.07) is reweighted to the persons per public-rental
    flat (demography.persons_per_household_cq_prh): the households moving in average 2.47 persons.
    (Without births or deaths a household keeps the size it signed with; leaving does not depend on
    size, so the households living there at the end are a fair sample of those that moved in.)"""
    from scenarios import figures_of
    from sim.population import OCCUPIED

    s = load(ROOT / "scenarios" / "chongqing-20k.toml")
    assert figures_of(s).rule("demography.persons_per_household_cq_prh").value == 2.47
    hh = s.households.model_copy(update={"birth_rate": 0.0, "death_rate": 0.0})
    m, _, _ = run(s.model_copy(update={"horizon_months": 60, "households": hh}), seed=3)
    pop = m.households.pop
    sizes = pop.size[pop.state == OCCUPIED]
    assert len(sizes) > 15_000
    assert m.params.size_probs @ m.params.size_values == pytest.approx(2.47, abs=1e-9)
    assert sizes.mean() == pytest.approx(2.47, abs=0.03)      # ± 3.5 standard errors
    assert set(np.unique(sizes)) == set(range(1, 8))           # the census's sizes 1 … 7+, all kept


def _recount(m):
    """The running counts of a finished model, recounted from its people and flats."""
    from sim.population import (ALIVE, BIRTH, CAND_POS, DISABLED, FLAT, GROUP, N_CAND, N_VAC, OCCUPIED,
                                RESIDENTS, VAC_POS, VACANT)

    pop, census = m.households.pop, m.recorder.census
    month = m.month - 1
    alive = pop.alive()
    flat = pop.people[alive, FLAT]
    ages = month - pop.people[alive, BIRTH]
    fertile = np.bincount(flat[pop.childbearing(ages)], minlength=len(pop.state))
    occupied = pop.state[flat] == OCCUPIED
    cells = ((pop.flats[flat, GROUP] * 2 + pop.people[alive, DISABLED]) * census.parts
             + census.partition[np.minimum(ages, len(census.partition) - 1)])
    community = m.households.inputs.flat_community[flat]
    counted = np.zeros_like(pop.census)
    np.add.at(counted, (community[occupied], cells[occupied]), 1)
    candidates = set(pop.candidates[: pop.counters[N_CAND]])
    vacant = set(pop.vacant[: pop.counters[N_VAC]])
    groups = pop.flats[flat, GROUP] * 2 + pop.people[alive, DISABLED]
    cohorts = np.zeros_like(pop.cohorts)
    np.add.at(cohorts, (community[occupied], (pop.people[alive, BIRTH] - pop.first_birth)[occupied],
                        groups[occupied]), 1)
    listed = [r for b in range(len(pop.born)) for r in _walk(pop, pop.born[b])]
    born_ok = (len(listed) == len(set(listed)) and set(alive) <= set(listed)
               and all(pop.people[r, BIRTH] - pop.first_birth == b
                       for b in range(len(pop.born)) for r in _walk(pop, pop.born[b])))
    return dict(fertile=fertile, census=counted, cohorts=cohorts, born=born_ok, residents=int(occupied.sum()),
                kept_residents=int(pop.counters[RESIDENTS]),
                candidates=candidates == set(np.flatnonzero((pop.state == OCCUPIED) & (pop.fertile > 0))),
                vacant=vacant == set(np.flatnonzero(pop.state == VACANT)),
                positions=(all(pop.flats[f, CAND_POS] >= 0 for f in candidates)
                           and all(pop.flats[f, VAC_POS] >= 0 for f in vacant)))


def _walk(pop, head):
    from sim.population import HEADER, HI, LO, NEXT, NONE

    out = []
    while head != NONE:
        out += [int(r) for r in pop.blocks[head, HEADER + pop.blocks[head, LO]: HEADER + pop.blocks[head, HI]]]
        head = pop.blocks[head, NEXT]
    return out


def test_the_counts_kept_as_people_change_equal_a_recount():
    """Births read a count per household of members of childbearing age, and the census is kept in cells
    as people arrive, age, die and leave: both must equal a recount over the people at the end, and the
    lists of candidate and vacant flats must hold exactly those flats."""
    from sim.population import SIGNED

    for scenario in (small(), small().model_copy(update={"regime": "shandong"})):
        m, d, ix = run(scenario, seed=4)
        pop = m.households.pop
        got = _recount(m)
        let = pop.state >= SIGNED
        assert let.sum() > 1000
        assert np.array_equal(pop.fertile[let], got["fertile"][let])
        assert np.array_equal(pop.census, got["census"])
        assert np.array_equal(pop.cohorts, got["cohorts"])
        assert got["born"]                # every living person listed under their birth month, once
        assert got["residents"] == got["kept_residents"] == d[-1, -1, ix["residents"]]
        assert got["candidates"] and got["vacant"] and got["positions"]


def test_the_recount_sees_a_wrong_count():
    m, _, _ = run(small(), seed=4)
    pop = m.households.pop
    from sim.population import OCCUPIED
    f = int(np.flatnonzero(pop.state == OCCUPIED)[0])
    pop.flats[f, 5] += 1                        # FERTILE
    pop.census[0, 0] += 1
    pop.cohorts[0, 0, 0] += 1
    alive = set(pop.alive().tolist())
    b = next(b for b in range(len(pop.born)) if _walk(pop, pop.born[b])[:1] and _walk(pop, pop.born[b])[0] in alive)
    pop.blocks[pop.born[b], 1] += 1                      # LO: the list's newest entry, living, dropped
    got = _recount(m)
    assert not np.array_equal(pop.fertile, got["fertile"])
    assert not np.array_equal(pop.census, got["census"])
    assert not np.array_equal(pop.cohorts, got["cohorts"])
    assert not got["born"]


def test_stepping_month_by_month_is_running_to_the_horizon():
    """``step()`` (one month) and ``run()`` (every month in one compiled call) give the same series and
    election months, bit for bit; stepping past the horizon stops the model."""
    s = small().model_copy(update={"regime": "shandong", "horizon_months": 40})
    rules = rules_of(s)
    a = EstateModel(s, rules, rng=21)
    a.run()
    b = EstateModel(s, rules, rng=21)
    for _ in range(45):
        b.step()
    assert b.month == 40 and not b.running
    assert a.series().tobytes() == b.series().tobytes()
    assert a.election_months() == b.election_months()
    assert [c.preparatory_group_month for c in a.communities] == [c.preparatory_group_month for c in b.communities]
    c = EstateModel(s, rules, rng=22)
    c.run()
    assert c.series().tobytes() != a.series().tobytes()


def test_a_batch_slice_of_the_wrong_shape_is_refused():
    s = small()
    with pytest.raises(ValueError, match="data must have the shape"):
        EstateModel(s, rules_of(s), data=np.zeros((s.horizon_months, 1, 3)))


def test_a_released_replications_tables_serve_the_next_and_change_nothing():
    """The next replication of the thread takes the released tables, whatever they hold (filled with
    rubbish here): every row is written before it is read, so the series are the same bit for bit."""
    from sim.population import _SPARES
    s = small()
    m, a, _ = run(s, seed=5)
    people, blocks = m.households.pop.people, m.households.pop.blocks
    m.households.pop.release()
    assert m.households.pop.people is None and m.households.pop.blocks is None
    people[:] = 123_456
    blocks[:] = -7
    n, b, _ = run(s, seed=5)
    assert n.households.pop.people is people and n.households.pop.blocks is blocks
    assert a.tobytes() == b.tobytes()
    assert "people" not in _SPARES.tables          # taken, so no other replication can take it too


def test_a_spare_table_too_small_too_narrow_or_of_another_thread_is_not_taken():
    import threading

    from sim.population import _SPARES, _table
    big = np.zeros((100, 5), dtype=np.int32)
    for spare, rows, width, taken in ((big, 100, 5, True), (big, 101, 5, False), (big, 10, 4, False)):
        _SPARES.tables["people"] = spare
        got = _table("people", rows, width)
        assert (got is spare) == taken and len(got) >= rows and got.shape[1] == width
    _SPARES.tables["people"] = big
    other = {}
    t = threading.Thread(target=lambda: other.update(got=_table("people", 10, 5)))
    t.start()
    t.join()
    assert other["got"] is not big and _SPARES.tables["people"] is big          # still this thread's
    _SPARES.tables.clear()
