"""Scenarios: the file format (schema), its loader and layouts, the synthetic-layout generator, and
the example scenario files that sit in this folder.

>>> from scenarios import load
>>> s = load("scenarios/chongqing-20k.toml")
"""

from scenarios.loader import load, rules_of, validate
from scenarios.resolve import Figure, figure
from scenarios.schema import Building, Scenario
from scenarios.synthetic import FAMILIES, family_layout, synthetic_layout

__all__ = ["Building", "Figure", "Scenario", "FAMILIES", "family_layout", "figure", "load", "rules_of", "synthetic_layout", "validate"]
