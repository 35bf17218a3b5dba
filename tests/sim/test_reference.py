"""The fast model against the reference model (one agent per household, ``sim/reference.py``): the same
rules, so the same law. Each case runs both on a small estate and compares the means of the main
series (households, residents, children by age band, the elderly) at several months, per community,
and the election month, within stated standard errors.

The tolerance: each comparison is Welch's: the difference of the two means against the standard error
of that difference, √(s_f²/n_f + s_r²/n_r), from the replications' own spread. |difference| ≤ Z
standard errors + SLACK. With n = 20 replications a side, the statistic has about 38 degrees of
freedom; P(|t₃₈| > 4.5) ≈ 6e-5 per comparison, and a case makes at most ~100 comparisons, so a correct
model fails a case by chance with probability under 1% (Bonferroni). SLACK (half a person) only keeps a
series that is exactly equal on both sides in every replication (zero spread, e.g. households before the
first delivery) from being judged on 0 ≤ 0. The seeds are fixed, so the outcome is reproducible.

The check can fail: ``test_a_perturbed_rate_is_detected`` runs the fast model with one rate changed
and requires the comparison to see it.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import two_buildings
from scenarios import rules_of
from scenarios.split import CommunityAssignment, Split, SplitSource
from sim import EstateModel
from sim.reference import ReferenceModel

REPLICATIONS = 20
Z = 4.5
SLACK = 0.5
MONTHS = (2, 6, 10, 18, 29)
METRICS = ("households", "residents", "children_0_2", "children_3_5", "children_6_11", "children_12_14",
           "elderly_60")
TWO = Split((CommunityAssignment("north", ("T1",)), CommunityAssignment("south", ("T2",))), SplitSource.OPTIMIZER)


def _with(s, allocation=None, households=None, **top):
    update = dict(top)
    if allocation:
        update["allocation"] = s.allocation.model_copy(update=allocation)
    if households:
        update["households"] = s.households.model_copy(update=households)
    return s.model_copy(update=update)


def _cases():
    base = two_buildings(horizon=30)
    return {
        "chongqing": (base, None),
        # lease terms of 6 months, half renewed: several lease ends inside the horizon
        "lease_ends": (_with(base, allocation={"lease_months": 6, "renewal_rate": 0.5}), None),
        "shandong": (_with(base, regime="shandong"), None),
        "weekly": (_with(base, allocation={"cadence": "weekly", "round_share": 0.2}), None),
        "two_communities": (base, TWO),
        # ten times the usual rates: births and deaths every month
        "births_deaths": (_with(base, households={"birth_rate": 0.10, "death_rate": 0.06}), None),
    }


CASES = _cases()


def _fast(s, split, seeds):
    rules = rules_of(s)
    series, elections = [], []
    for seed in seeds:
        m = EstateModel(s, rules, split, rng=seed)
        m.run()
        d, ix = m.series(), {k: i for i, k in enumerate(m.metrics)}
        series.append([[d[t, :-1, ix[k]] for t in MONTHS] for k in METRICS])
        elections.append([np.inf if v is None else v for v in m.election_months().values()])
    return np.array(series), np.array(elections, dtype=float)


def _reference(s, split, seeds):
    rules = rules_of(s)
    series, elections = [], []
    for seed in seeds:
        r = ReferenceModel(s, rules, split, rng=seed)
        r.run()
        series.append([[r.series[k][t] for t in MONTHS] for k in METRICS])
        elections.append([np.inf if v is None else v for v in r.election_month])
    return np.array(series), np.array(elections, dtype=float)


def _within(fast: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Per comparison (over the leading replication axis): |mean difference| ≤ Z standard errors + SLACK."""
    se = np.sqrt(fast.var(ddof=1, axis=0) / len(fast) + reference.var(ddof=1, axis=0) / len(reference))
    return np.abs(fast.mean(axis=0) - reference.mean(axis=0)) <= Z * se + SLACK


def _compare(fast, ref, fast_election, ref_election) -> list[str]:
    """The comparisons that fail, named."""
    bad = []
    ok = _within(fast, ref)                       # [metric, month, community]
    for i, t, c in zip(*np.nonzero(~ok)):
        bad.append(f"{METRICS[i]} month {MONTHS[t]} community {c}: fast {fast[:, i, t, c].mean():.1f} "
                   f"reference {ref[:, i, t, c].mean():.1f}")
    assert np.isfinite(fast_election).all() and np.isfinite(ref_election).all(), "every replication elects"
    for c in np.flatnonzero(~_within(fast_election, ref_election)):
        bad.append(f"election month community {c}: fast {fast_election[:, c].mean():.2f} "
                   f"reference {ref_election[:, c].mean():.2f}")
    return bad


@pytest.fixture(scope="module")
def reference_runs():
    return {name: _reference(s, split, np.random.SeedSequence(4202).spawn(REPLICATIONS))
            for name, (s, split) in CASES.items()}


@pytest.mark.parametrize("case", list(CASES))
def test_fast_and_reference_models_agree(case, reference_runs):
    s, split = CASES[case]
    fast, fast_election = _fast(s, split, np.random.SeedSequence(2024).spawn(REPLICATIONS))
    ref, ref_election = reference_runs[case]
    assert fast.shape == ref.shape
    assert (ref[:, METRICS.index("households"), -1] > 0).all()     # the estate did fill
    assert _compare(fast, ref, fast_election, ref_election) == []


@pytest.mark.parametrize("case, change, metric", [
    ("births_deaths", {"households": {"birth_rate": 0.14}}, "children_0_2"),       # births 1.4×
    ("lease_ends", {"allocation": {"lease_months": 6, "renewal_rate": 0.7}}, "households"),
])
def test_a_perturbed_rate_is_detected(case, change, metric, reference_runs):
    """The fast model with one rate changed, against the reference with the case's rate: the comparison
    must name the metric the rate drives."""
    s, split = CASES[case]
    fast, fast_election = _fast(_with(s, **change), split, np.random.SeedSequence(2024).spawn(REPLICATIONS))
    bad = _compare(fast, *reference_runs[case][:1], fast_election, reference_runs[case][1])
    assert any(b.startswith(metric) for b in bad), bad


def test_the_tolerance_is_as_stated():
    a = np.random.default_rng(1).normal(100, 5, (20, 3))
    se = np.sqrt(2 * a.var(ddof=1, axis=0) / 20)          # a shifted copy has the same spread
    assert _within(a, a + 4.0 * se).all()
    assert not _within(a, a + 5.0 * se + SLACK).any()
    assert _within(np.zeros((20, 1)), np.zeros((20, 1))).all()
    assert not _within(np.zeros((20, 1)), np.ones((20, 1))).any()
