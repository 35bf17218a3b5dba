"""Plain-text renderings of rule values, for `estate rules`, reports and the app."""

from __future__ import annotations

from standards.shapes import (Approximate, Bands, ByYear, Choices, Items, Minimum, Payers, Period, Principle,
                              Quantity, Range, Rates, Ratio, RatioRange, Shape, Share, Shares, Threshold)


def _n(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.6g}"


def _pct(x: float) -> str:
    return f"{x * 100:.6g}%"


def describe(v: Shape) -> str:
    """One short line for a rule value, e.g. "1 per 200", "3,000–5,000", "≥ 0.6% of gross_floor_area"."""
    match v:
        case Ratio():
            return f"{_n(v.amount)} per {_n(v.per)}"
        case RatioRange():
            return f"{_n(v.amount)} per {_n(v.per_min)}–{_n(v.per_max)}"
        case Range():
            return _n(v.min) if v.min == v.max else f"{_n(v.min)}–{_n(v.max)}"
        case Approximate():
            lo, hi = v.about * (1 - v.tolerance), v.about * (1 + v.tolerance)
            return f"about {_n(v.about)} (read as {_n(lo)}–{_n(hi)})"
        case Minimum():
            return f"≥ {_n(v.min)}"
        case Share():
            return f"≥ {_pct(v.share)} of {v.of}"
        case Threshold():
            return f"{_pct(v.share)} of {v.basis}"
        case Shares():
            return ", ".join(f"{k} {_pct(x)}" for k, x in v.parts)
        case Payers():
            return f"{', '.join(v.items)}: " + ", ".join(f"{k} {_pct(x)}" for k, x in v.parts)
        case Rates():
            return ", ".join(f"{k} {_pct(x)}" for k, x in v.rates)
        case Quantity():
            return _n(v.value)
        case Period():
            return f"every {_n(v.months)} months"
        case Choices():
            return " / ".join(_n(x) for x in v.values)
        case Bands():
            return "; ".join(f"<{_n(b.upto)}: {_n(b.value)}" for b in v.bands)
        case Items():
            return ", ".join(v.items)
        case Principle():
            return v.text
        case ByYear():
            return ", ".join(f"{y}: {_n(x)}" for y, x in v.values)
    raise TypeError(f"no description for {type(v).__name__}")
