"""Explanations: which rule a relaxed plan breaks, by how much, and why it had to."""

from __future__ import annotations

from standards.ruleset import RuleSet
from standards.formulas import band


def explain_band(households_by_community: dict[str, int], rules: RuleSet, component_households: list[int]) -> list[str]:
    """One line per community outside the community-size band, naming the rule and the shortfall."""
    if not rules.has("community_households"):
        return []
    rule = rules.role("community_households")
    low, high = band(rule)
    out = []
    for cid, hh in households_by_community.items():
        if hh < low:
            why = ""
            if sum(component_households) < low:
                why = "; the whole estate holds fewer households than the minimum"
            elif any(c < low for c in component_households):
                why = "; a part of the estate not adjacent to the rest holds fewer households than the minimum"
            out.append(f"{cid}: {hh:,} households, below the {low:,.0f} minimum of {rule.id} ({rule.citation}) by "
                       f"{low - hh:,.0f}: one under-size community{why}")
        elif hh > high:
            out.append(f"{cid}: {hh:,} households, above the {high:,.0f} maximum of {rule.id} ({rule.citation}) by "
                       f"{hh - high:,.0f}: one over-size community (a building or cluster cannot be divided further)")
    return out
