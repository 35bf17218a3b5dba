"""A rule set pickles natively (the ensemble sends it to worker processes), overrides and all."""

from __future__ import annotations

import copyreg
import pickle
from types import MappingProxyType

from standards.ruleset import Override, ruleset


def test_a_rule_set_with_an_override_pickles_and_comes_back_equal():
    assert MappingProxyType not in copyreg.dispatch_table        # no global pickling hook needed
    rules = ruleset("chongqing", [Override("CQ-73.fulltime_staff", {"per": 150}, "district pilot")])
    back = pickle.loads(pickle.dumps(rules))
    assert back == rules
    assert back.role("fulltime_staff").value.per == 150
    assert back.role("fulltime_staff").override_reason == "district pilot"
    assert back.role("fulltime_staff").citation == rules.role("fulltime_staff").citation
    assert back.overrides == rules.overrides
    assert back.regime.borrowed == rules.regime.borrowed
    assert isinstance(back.rules, MappingProxyType) and isinstance(back.regime.roles, MappingProxyType)


def test_every_regime_pickles():
    for regime in ("chongqing", "shandong", "guangzhou"):
        rules = ruleset(regime)
        assert pickle.loads(pickle.dumps(rules)) == rules
