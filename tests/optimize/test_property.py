from __future__ import annotations

from hypothesis import given, settings, strategies as st

from optimize import PlanStatus, plan_split, verify
from scenarios import synthetic_layout
from scenarios.schema import Building
from tests.optimize.conftest import estate, load, with_buildings

BASE = load("small-2400.toml")


def check(p, s, r):
    """Every plan passes the verifier; a relaxed one fails only the size band, each breach explained."""
    checks = verify(p, s, r)
    bad = [k for k in checks if k.passed is False]
    band = r.role("community_households").id
    if p.status is PlanStatus.RELAXED:
        assert bad and {k.rule for k in bad} <= {band}
        assert all(any(e.startswith(f"{k.entity}:") for e in p.explanation) for k in bad)
    else:
        assert bad == []
        assert len(p.explanation) == 1 and p.explanation[0].startswith("split by")
    if p.status is PlanStatus.OPTIMAL:
        assert p.gap is not None and p.gap <= s.optimizer.gap + 1e-9


@settings(max_examples=8, deadline=None, derandomize=True)
@given(flats=st.integers(1500, 25000), seed=st.integers(0, 10_000))
def test_every_plan_passes_the_verifier(flats, seed):
    s0, r = BASE
    s = estate(flats, seed, s0)
    check(plan_split(s, r), s, r)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(flats=st.integers(3000, 30000), seed=st.integers(0, 10_000), detached=st.lists(
    st.integers(100, 2500), max_size=3))
def test_estates_with_detached_parts_pass_the_verifier(flats, seed, detached):
    """Smaller towers (whole clusters within the band) and up to three towers 20 km away, each a part."""
    s0, r = BASE
    bs = synthetic_layout(target_flats=flats, seed=seed, flats_per_building=(200, 400))
    far = [Building(id=f"F{k}", units=u, floor_area_m2=u * 80.0, cluster=f"Far{k}", x=20_000.0 * (k + 1),
                    y=-20_000.0, delivery_month=0) for k, u in enumerate(detached)]
    s = with_buildings(s0, bs + far, time_limit_s=5.0)
    check(plan_split(s, r), s, r)
