"""Scenarios: the file format (schema), its loader and layouts, the synthetic-layout generator, and
the example scenario files that sit in this folder.

>>> from scenarios import load
>>> s = load("scenarios/chongqing-20k.toml")
"""

from scenarios.loader import load, rules_of, validate
from scenarios.figures import Figure, Figures, figures_of
from scenarios.schema import Building, Scenario
from scenarios.synthetic import FAMILIES, family_layout, synthetic_layout

__all__ = ["Building", "FAMILIES", "Figure", "Figures", "Scenario", "family_layout", "figures_of", "load", "rules_of",
           "synthetic_layout", "validate"]
