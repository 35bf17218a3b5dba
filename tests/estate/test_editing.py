"""Meeting edits produce validated scenarios; bounds come from the schema."""

from pathlib import Path

import pytest

from estate import editing
from scenarios import load, rules_of
from scenarios.schema import Allocation
from standards.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cq():
    return load(ROOT / "scenarios/chongqing-20k.toml")


def test_bounds_come_from_the_schema():
    assert editing.bounds(Allocation, "acceptance") == (0.0, 1.0)
    assert editing.bounds(Allocation, "waiting_pool") == (0.0, None)


def test_apply_changes_and_regime(cq):
    out = editing.apply(cq, {"allocation.acceptance": 0.6}, regime="shandong")
    assert out.allocation.acceptance == 0.6 and out.regime == "shandong"
    assert out.buildings == cq.buildings
    assert editing.election_share(out) == 0.5


def test_election_override_keeps_citation_and_reason(cq):
    out = editing.apply(cq, {}, election=(0.25, "district pilot"))
    rule = rules_of(out).role("election_trigger")
    assert rule.value.share == 0.25 and rule.override_reason == "district pilot"
    assert str(rule.citation) == "CQ-73 §一(二)"
    again = editing.apply(out, {}, election=(0.35, "second thoughts"))
    assert len(again.overrides) == 1 and editing.election_share(again) == 0.35


def test_out_of_range_edit_is_refused_in_words(cq):
    with pytest.raises(InputError, match=r"edited scenario: allocation.acceptance must be ≤ 1 \(got 1.5\)"):
        editing.apply(cq, {"allocation.acceptance": 1.5})


def test_an_uncertain_input_shows_its_median_and_stays_a_distribution_unless_changed():
    from scenarios.distributions import Distribution
    s = load(ROOT / "scenarios" / "chongqing-20k-observed.toml")
    assert isinstance(s.allocation.acceptance, Distribution)
    assert editing.get(s, "allocation.acceptance") == pytest.approx(0.8)
    assert editing.bounds(Allocation, "acceptance") == (0.0, 1.0)
    kept = editing.apply(s, {"allocation.acceptance": editing.get(s, "allocation.acceptance")})
    assert kept.allocation.acceptance == s.allocation.acceptance
    changed = editing.apply(s, {"allocation.acceptance": 0.7})
    assert changed.allocation.acceptance == 0.7
