"""The reference model (one agent per household) and the fast model agree within statistical
tolerance on a small estate."""

from __future__ import annotations

import numpy as np

from helpers import two_buildings
from scenarios import rules_of
from sim import EstateModel
from sim.reference import ReferenceModel

REPLICATIONS = 16
MONTHS = (2, 6, 10, 18, 29)
METRICS = ("households", "residents", "children_0_2", "children_3_5", "children_6_11", "children_12_14",
           "elderly_60")


def _agree(fast: np.ndarray, reference: np.ndarray) -> bool:
    """Means within four standard errors of their difference (plus a person, for rare counts)."""
    se = np.sqrt(fast.var(ddof=1, axis=0) / len(fast) + reference.var(ddof=1, axis=0) / len(reference))
    return bool((np.abs(fast.mean(axis=0) - reference.mean(axis=0)) <= 4 * se + 1.0).all())


def test_fast_and_reference_models_agree():
    s = two_buildings(horizon=30)
    rules = rules_of(s)
    fast, ref, fast_election, ref_election = [], [], [], []
    for seed in np.random.SeedSequence(2024).spawn(REPLICATIONS):
        m = EstateModel(s, rules, rng=seed)
        m.run()
        d, ix = m.series(), {k: i for i, k in enumerate(m.metrics)}
        fast.append([[d[t, 0, ix[k]] for t in MONTHS] for k in METRICS])
        fast_election.append(m.election_months()["estate"])
    for seed in np.random.SeedSequence(4202).spawn(REPLICATIONS):
        r = ReferenceModel(s, rules, rng=seed)
        r.run()
        ref.append([[r.series[k][t, 0] for t in MONTHS] for k in METRICS])
        ref_election.append(r.election_month[0])
    fast, ref = np.array(fast), np.array(ref)
    for i, metric in enumerate(METRICS):
        assert _agree(fast[:, i], ref[:, i]), (metric, fast[:, i].mean(0), ref[:, i].mean(0))
    assert None not in fast_election and None not in ref_election
    assert _agree(np.array(fast_election, float)[:, None], np.array(ref_election, float)[:, None])


def test_the_agreement_check_can_fail():
    a = np.random.default_rng(1).normal(100, 5, (16, 3))
    assert _agree(a, a + 1.0)
    assert not _agree(a, a * 1.5)
