"""Command-line numbers checked like scenario fields: each has stated bounds, and a value outside them
(or NaN, or infinite) is one line naming the flag, and exit 1, before anything runs."""

from __future__ import annotations

import argparse
import math

from scenarios.schema import Optimizer, Scenario
from standards.errors import InputError


def _bounds(model, field: str) -> tuple[float | None, float | None]:
    low = high = None
    for m in model.model_fields[field].metadata:
        low = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else low
        high = getattr(m, "le", None) if getattr(m, "le", None) is not None else high
        high = getattr(m, "lt", None) - 1 if getattr(m, "lt", None) is not None else high
    return low, high


REPLICATIONS = _bounds(Scenario, "replications")        # as in the scenario file: 1–10,000
SEED = _bounds(Scenario, "seed")                        # 0 … 2**63 - 1
TIME_LIMIT_MAX_S = _bounds(Optimizer, "time_limit_s")[1]   # > 0 and ≤ 3,600 s, as in [optimizer]
MAX_WORKERS = 256
MAX_LAYOUT_FLATS = 1_000_000       # `estate layout`: twenty times the largest estate the policies plan for
MAX_LAYOUT_PHASES = 60
PORTS = (1, 65535)


def whole(name: str, value: int | None, low: float | None, high: float | None) -> None:
    if value is None:
        return
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"between {int(low):,} and {int(high):,}" if high is not None else f"≥ {int(low):,}"
        raise InputError(f"{name} must be {span} (got {value})")


def seconds(name: str, value: float | None, high: float) -> None:
    if value is None:
        return
    if not math.isfinite(value) or not 0 < value <= high:
        raise InputError(f"{name} must be a number of seconds > 0 and ≤ {high:,.0f} (got {value})")


def language(name: str, value: str | None) -> None:
    """A report language: one of ``estate.i18n.LANGUAGES`` (zh, en)."""
    from estate.i18n import LANGUAGES
    if value is not None and value not in LANGUAGES:
        raise InputError(f"{name} must be one of {', '.join(LANGUAGES)} (got {value!r})")


def check_run(args: argparse.Namespace) -> None:
    """--replications, --seed and --workers of `run` and `simulate`."""
    whole("--replications", args.replications, *REPLICATIONS)
    whole("--seed", args.seed, *SEED)
    whole("--workers", args.workers, 1, MAX_WORKERS)
    language("--lang", getattr(args, "lang", None))
