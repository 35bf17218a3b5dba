"""Age bands as written in scenario files and the standards data: "0-14", "15-59", "60+"."""

from __future__ import annotations

import re

_BAND = re.compile(r"^(\d{1,3})(?:-(\d{1,3})|\+)$")


def parse_band(text: str) -> tuple[int, int | None] | None:
    """"0-14" → (0, 14); "60+" → (60, None); anything else → None."""
    m = _BAND.match(text.strip())
    if not m:
        return None
    low = int(m.group(1))
    high = int(m.group(2)) if m.group(2) is not None else None
    if high is not None and high < low:
        return None
    return (low, high)
