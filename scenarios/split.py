"""The community split: which buildings form each community and where its office sits.

It is domain data shared by both engines: a built estate's scenario gives one (``existing``), the
optimizer produces one, and the simulation reads one (or treats the whole estate as one community
when none is given). Neither engine imports the other; both import this.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from scenarios.schema import Scenario


class SplitSource(str, Enum):
    SCENARIO = "scenario"      # the existing communities of a built estate
    OPTIMIZER = "optimizer"    # a plan produced by optimize
    SINGLE = "single"          # the whole estate as one community (no split given)


@dataclass(frozen=True)
class CommunityAssignment:
    id: str
    buildings: tuple[str, ...]
    office_building: str | None = None


@dataclass(frozen=True)
class Split:
    communities: tuple[CommunityAssignment, ...]
    source: SplitSource

    def community_of(self) -> dict[str, str]:
        """building id → community id."""
        return {b: c.id for c in self.communities for b in c.buildings}


def split_of(scenario: Scenario) -> Split:
    """The scenario's own split: its existing communities, or one community of every building."""
    if scenario.existing is not None:
        return Split(tuple(CommunityAssignment(c.id, tuple(c.buildings), c.office_building)
                           for c in scenario.existing.communities), SplitSource.SCENARIO)
    return Split((CommunityAssignment("estate", tuple(b.id for b in scenario.buildings)),), SplitSource.SINGLE)
