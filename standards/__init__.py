"""The documented standards as cited data, their strict loader, and the small formulas that apply them.

>>> from standards import ruleset, formulas
>>> rules = ruleset("chongqing")
>>> formulas.required_staff(4000, rules)
20
"""

from standards import formulas
from standards.catalog import Catalog, Citation, Document, Regime, Rule, load_catalog
from standards.errors import InputError
from standards.ruleset import ROLES, Override, RuleSet, ruleset

__all__ = ["Catalog", "Citation", "Document", "InputError", "Override", "ROLES", "Regime", "Rule",
           "RuleSet", "formulas", "load_catalog", "ruleset"]
