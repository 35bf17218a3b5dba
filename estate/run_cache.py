"""Runs cached on scenario content: the same scenario (same file text, same replications and seed)
gives the cached RunResult; any edit gives a new key. Used by the app, where a meeting flips between
settings and expects an answer it has seen before at once."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from scenarios.schema import Scenario
from scenarios.writer import to_toml

if TYPE_CHECKING:   # the engines load only when a run is asked for
    from estate.pipeline import RunResult


def key(scenario: Scenario) -> str:
    """A digest of everything that moves a run: the scenario as its canonical TOML (which includes the
    replications, the seed, the layout and every override)."""
    return hashlib.sha256(to_toml(scenario).encode("utf-8")).hexdigest()


class RunCache:
    """A bounded, thread-safe map from ``key(scenario)`` to its RunResult, least recently used out first."""

    def __init__(self, maxsize: int = 16) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[str, RunResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, scenario: Scenario | str) -> RunResult | None:
        """The run of ``scenario``, or of the scenario whose ``key`` is given (a caller that holds it)."""
        k = scenario if isinstance(scenario, str) else key(scenario)
        with self._lock:
            if k in self._items:
                self._items.move_to_end(k)
                return self._items[k]
        return None

    def put(self, scenario: Scenario, result: RunResult) -> None:
        with self._lock:
            self._items[key(scenario)] = result
            self._items.move_to_end(key(scenario))
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
