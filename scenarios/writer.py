"""Write a scenario back to a TOML file that `estate validate` accepts.

Used by the app's "download the edited scenario". By default the buildings are written inline, so
the file stands on its own even when the original read them from a layout file beside it.
"""

from __future__ import annotations

from typing import Any

import tomli_w

from scenarios.schema import Scenario

_ORDER = ("name", "purpose", "regime", "start", "horizon_months", "seed", "replications", "layout",
          "buildings", "existing", "allocation", "households", "delivery", "overrides", "facilities", "costs",
          "observed")


def to_data(scenario: Scenario, inline_buildings: bool = True) -> dict[str, Any]:
    """The scenario as the plain table its file holds (fields left at None are omitted)."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    if inline_buildings or scenario.layout is None:
        data.pop("layout", None)
    else:
        data.pop("buildings", None)
    if not data.get("overrides"):
        data.pop("overrides", None)
    for b in data.get("buildings", []):
        if not b.get("office_space_m2"):
            b.pop("office_space_m2", None)   # the default: keep inline buildings short
    return {k: data[k] for k in _ORDER if k in data} | {k: v for k, v in data.items() if k not in _ORDER}


def to_toml(scenario: Scenario, inline_buildings: bool = True, header: str = "") -> str:
    """TOML text of the scenario; ``header`` lines are written first as comments."""
    comments = "".join(f"# {line}\n" for line in header.splitlines())
    return comments + tomli_w.dumps(to_data(scenario, inline_buildings))
