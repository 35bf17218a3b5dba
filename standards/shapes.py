"""The few shapes a documented figure comes in, as small frozen dataclasses.

Each shape knows how to read its ``value`` table from a rule file strictly: every field present, no
field unknown, every number of the right sign. ``parse_value(shape, value, where)`` is the entry
point; ``where`` is the file-and-key prefix that error messages start with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from standards.errors import InputError

THRESHOLD_BASES = ("planned_residents", "occupancy")


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


class _Reader:
    """Reads the fields of one ``value`` table, collecting every problem before raising."""

    def __init__(self, value: Any, where: str, fields: tuple[str, ...]) -> None:
        self.where = where
        self.errors: list[str] = []
        if not isinstance(value, dict):
            raise InputError(f"{where} must be a table like {{ {', '.join(f + ' = …' for f in fields)} }} (got {value!r})")
        self.value = value
        for key in value:
            if key not in fields:
                self.errors.append(f"{where}.{key} is not a field of this shape (expected {', '.join(fields)})")
        for key in fields:
            if key not in value:
                self.errors.append(f"{where}.{key} is missing")

    def number(self, key: str, *, positive: bool = False, nonnegative: bool = False,
               at_most: float | None = None) -> float:
        x = self.value.get(key)
        if key not in self.value:
            return math.nan
        if not _is_number(x):
            self.errors.append(f"{self.where}.{key} must be a number (got {x!r})")
            return math.nan
        if positive and not x > 0:
            self.errors.append(f"{self.where}.{key} must be > 0 (got {x})")
        if nonnegative and not x >= 0:
            self.errors.append(f"{self.where}.{key} must be ≥ 0 (got {x})")
        if at_most is not None and x > at_most:
            self.errors.append(f"{self.where}.{key} must be ≤ {at_most} (got {x})")
        return x

    def text(self, key: str) -> str:
        x = self.value.get(key)
        if key in self.value and (not isinstance(x, str) or not x.strip()):
            self.errors.append(f"{self.where}.{key} must be non-empty text (got {x!r})")
            return ""
        return x or ""

    def check(self, ok: bool, message: str) -> None:
        if not ok:
            self.errors.append(f"{self.where}: {message}")

    def done(self) -> None:
        if self.errors:
            raise InputError(self.errors)


@dataclass(frozen=True)
class Ratio:
    """``amount`` of something per ``per`` of a base, e.g. 1 worker per 200 households."""

    amount: float
    per: float
    name: ClassVar[str] = "ratio"

    @classmethod
    def read(cls, r: _Reader) -> "Ratio":
        return cls(r.number("amount", nonnegative=True), r.number("per", positive=True))


@dataclass(frozen=True)
class RatioRange:
    """``amount`` per somewhere between ``per_min`` and ``per_max`` of a base (1 m² per 10–20 households)."""

    amount: float
    per_min: float
    per_max: float
    name: ClassVar[str] = "ratio_range"

    @classmethod
    def read(cls, r: _Reader) -> "RatioRange":
        out = cls(r.number("amount", nonnegative=True), r.number("per_min", positive=True),
                  r.number("per_max", positive=True))
        r.check(not out.per_min > out.per_max, f"per_min must be ≤ per_max (got {out.per_min} > {out.per_max})")
        return out


@dataclass(frozen=True)
class Range:
    """An inclusive range ``min``–``max`` (3,000–5,000 households; 5–9 members)."""

    min: float
    max: float
    name: ClassVar[str] = "range"

    @classmethod
    def read(cls, r: _Reader) -> "Range":
        out = cls(r.number("min", nonnegative=True), r.number("max", nonnegative=True))
        r.check(not out.min > out.max, f"min must be ≤ max (got {out.min} > {out.max})")
        return out


@dataclass(frozen=True)
class Approximate:
    """"About ``about``", read as the band ``about × (1 ± tolerance)``; the tolerance is our reading."""

    about: float
    tolerance: float
    name: ClassVar[str] = "approximate"

    @classmethod
    def read(cls, r: _Reader) -> "Approximate":
        out = cls(r.number("about", positive=True), r.number("tolerance", nonnegative=True))
        r.check(not out.tolerance >= 1, f"tolerance must be < 1 (got {out.tolerance})")
        return out


@dataclass(frozen=True)
class Minimum:
    """At least ``min`` (500 m²; 1 social worker)."""

    min: float
    name: ClassVar[str] = "minimum"

    @classmethod
    def read(cls, r: _Reader) -> "Minimum":
        return cls(r.number("min", nonnegative=True))


@dataclass(frozen=True)
class Share:
    """At least ``share`` of a named base ``of`` (0.6% of gross floor area)."""

    share: float
    of: str
    name: ClassVar[str] = "share"

    @classmethod
    def read(cls, r: _Reader) -> "Share":
        return cls(r.number("share", nonnegative=True), r.text("of"))


@dataclass(frozen=True)
class Threshold:
    """A trigger reached when a measure first reaches ``share`` of its ``basis``."""

    share: float
    basis: str
    name: ClassVar[str] = "threshold"

    @classmethod
    def read(cls, r: _Reader) -> "Threshold":
        out = cls(r.number("share", positive=True, at_most=1), r.text("basis"))
        r.check(out.basis in THRESHOLD_BASES or "basis" not in r.value,
                f"basis must be one of {', '.join(THRESHOLD_BASES)} (got {out.basis!r})")
        return out


def _named_numbers(r: _Reader, key: str, *, at_most: float | None) -> dict[str, float]:
    raw = r.value.get(key)
    if key not in r.value:
        return {}
    if not isinstance(raw, dict) or not raw:
        r.errors.append(f"{r.where}.{key} must be a non-empty table of name = number (got {raw!r})")
        return {}
    out: dict[str, float] = {}
    for k, x in raw.items():
        if not _is_number(x) or x < 0 or (at_most is not None and x > at_most):
            bound = f"between 0 and {at_most}" if at_most is not None else "≥ 0"
            r.errors.append(f"{r.where}.{key}.{k} must be a number {bound} (got {x!r})")
        else:
            out[str(k)] = float(x)
    return out


@dataclass(frozen=True)
class Shares:
    """Named parts of a whole, summing to 1 (city : county = 5 : 5; age shares)."""

    parts: tuple[tuple[str, float], ...]
    name: ClassVar[str] = "shares"

    @classmethod
    def read(cls, r: _Reader) -> "Shares":
        parts = _named_numbers(r, "parts", at_most=1)
        if parts and len(parts) == len(r.value.get("parts", {})):
            total = sum(parts.values())
            r.check(abs(total - 1) <= 1e-6, f"parts must sum to 1 (got {total:.6g})")
        return cls(tuple(parts.items()))

    def as_dict(self) -> dict[str, float]:
        return dict(self.parts)


@dataclass(frozen=True)
class Payers:
    """Who pays which budget items: ``parts`` (payer → share, summing to 1) of each item in ``items``
    (the ``item`` names of ``budget.csv``; ``facility_capital`` and ``facility_running`` stand for every
    service's)."""

    items: tuple[str, ...]
    parts: tuple[tuple[str, float], ...]
    name: ClassVar[str] = "payers"

    @classmethod
    def read(cls, r: _Reader) -> "Payers":
        raw = r.value.get("items", [])
        items: tuple[str, ...] = ()
        if "items" in r.value:
            if not isinstance(raw, list) or not raw or not all(isinstance(x, str) and x for x in raw):
                r.errors.append(f"{r.where}.items must be a non-empty list of budget items (got {raw!r})")
            else:
                r.check(len(set(raw)) == len(raw), f"items must not repeat (got {raw})")
                items = tuple(raw)
        return cls(items, Shares.read(r).parts)

    def as_dict(self) -> dict[str, float]:
        """The shares of each payer."""
        return dict(self.parts)


@dataclass(frozen=True)
class Rates:
    """Named rates, each a share of some base, not summing to anything (insurance rates of pay)."""

    rates: tuple[tuple[str, float], ...]
    name: ClassVar[str] = "rates"

    @classmethod
    def read(cls, r: _Reader) -> "Rates":
        return cls(tuple(_named_numbers(r, "rates", at_most=1).items()))

    def as_dict(self) -> dict[str, float]:
        return dict(self.rates)


@dataclass(frozen=True)
class Quantity:
    """A single published figure (2.47 persons per household)."""

    value: float
    name: ClassVar[str] = "quantity"

    @classmethod
    def read(cls, r: _Reader) -> "Quantity":
        return cls(r.number("value", nonnegative=True))


@dataclass(frozen=True)
class Period:
    """Something that recurs every ``months`` months (training once a year)."""

    months: float
    name: ClassVar[str] = "period"

    @classmethod
    def read(cls, r: _Reader) -> "Period":
        return cls(r.number("months", positive=True))


@dataclass(frozen=True)
class Choices:
    """Sizes one may pick from, ascending (schools of 12/18/24/30 classes)."""

    values: tuple[float, ...]
    name: ClassVar[str] = "choices"

    @classmethod
    def read(cls, r: _Reader) -> "Choices":
        raw = r.value.get("values", [])
        if not isinstance(raw, list) or not raw or not all(_is_number(x) and x > 0 for x in raw):
            r.errors.append(f"{r.where}.values must be a non-empty list of numbers > 0 (got {raw!r})")
            return cls(())
        r.check(list(raw) == sorted(set(raw)), f"values must be ascending without repeats (got {raw})")
        return cls(tuple(raw))


@dataclass(frozen=True)
class Band:
    upto: float
    value: float


@dataclass(frozen=True)
class Bands:
    """A step function: ``value`` applies below ``upto`` (clinic area by population served)."""

    bands: tuple[Band, ...]
    name: ClassVar[str] = "bands"

    @classmethod
    def read(cls, r: _Reader) -> "Bands":
        raw = r.value.get("bands", [])
        out: list[Band] = []
        if not isinstance(raw, list) or not raw:
            r.errors.append(f"{r.where}.bands must be a non-empty list of {{ upto = …, value = … }}")
            return cls(())
        for i, b in enumerate(raw):
            if (not isinstance(b, dict) or set(b) != {"upto", "value"}
                    or not all(_is_number(b[k]) and b[k] >= 0 for k in ("upto", "value"))):
                r.errors.append(f"{r.where}.bands[{i}] must be {{ upto = number ≥ 0, value = number ≥ 0 }} (got {b!r})")
                continue
            out.append(Band(b["upto"], b["value"]))
        uptos = [b.upto for b in out]
        r.check(uptos == sorted(set(uptos)), "bands must have ascending upto values")
        return cls(tuple(out))


@dataclass(frozen=True)
class Items:
    """A list of named things (sub-committees; voter categories)."""

    items: tuple[str, ...]
    name: ClassVar[str] = "items"

    @classmethod
    def read(cls, r: _Reader) -> "Items":
        raw = r.value.get("items", [])
        if not isinstance(raw, list) or not raw or not all(isinstance(x, str) and x for x in raw):
            r.errors.append(f"{r.where}.items must be a non-empty list of names (got {raw!r})")
            return cls(())
        return cls(tuple(raw))


@dataclass(frozen=True)
class Principle:
    """A rule with no figure in it, kept so that reports can cite it (funds above other communities)."""

    text: str
    name: ClassVar[str] = "principle"

    @classmethod
    def read(cls, r: _Reader) -> "Principle":
        return cls(r.text("text"))


@dataclass(frozen=True)
class ByYear:
    """A figure per calendar year (average wage)."""

    values: tuple[tuple[int, float], ...]
    name: ClassVar[str] = "by_year"

    @classmethod
    def read(cls, r: _Reader) -> "ByYear":
        raw = _named_numbers(r, "values", at_most=None)
        out = []
        for k, v in raw.items():
            if not k.isdigit() or len(k) != 4:
                r.errors.append(f"{r.where}.values.{k} must be keyed by a four-digit year")
            else:
                out.append((int(k), v))
        return cls(tuple(sorted(out)))

    def latest(self, year: int | None = None) -> tuple[int, float]:
        """The figure for ``year`` or the latest year before it."""
        known = [(y, v) for y, v in self.values if year is None or y <= year]
        return known[-1] if known else self.values[0]


Shape = (Ratio | RatioRange | Range | Approximate | Minimum | Share | Threshold | Shares | Payers | Rates
         | Quantity | Period | Choices | Bands | Items | Principle | ByYear)

SHAPES: dict[str, type] = {cls.name: cls for cls in (
    Ratio, RatioRange, Range, Approximate, Minimum, Share, Threshold, Shares, Payers, Rates,
    Quantity, Period, Choices, Bands, Items, Principle, ByYear)}

_FIELDS: dict[str, tuple[str, ...]] = {
    "ratio": ("amount", "per"), "ratio_range": ("amount", "per_min", "per_max"),
    "range": ("min", "max"), "approximate": ("about", "tolerance"), "minimum": ("min",),
    "share": ("share", "of"), "threshold": ("share", "basis"), "shares": ("parts",),
    "payers": ("items", "parts"),
    "rates": ("rates",), "quantity": ("value",), "period": ("months",), "choices": ("values",),
    "bands": ("bands",), "items": ("items",), "principle": ("text",), "by_year": ("values",),
}


def parse_value(shape: str, value: Any, where: str) -> Shape:
    """Read a rule's ``value`` table in the given shape, or raise ``InputError`` naming ``where``."""
    if shape not in SHAPES:
        raise InputError(f"{where}: shape must be one of {', '.join(SHAPES)} (got {shape!r})")
    reader = _Reader(value, f"{where}.value", _FIELDS[shape])
    out = SHAPES[shape].read(reader)
    reader.done()
    return out


def value_as_dict(value: Shape) -> dict[str, Any]:
    """The value back in its file form, for overrides (merge, then re-read) and for output files."""
    if isinstance(value, Shares):
        return {"parts": value.as_dict()}
    if isinstance(value, Payers):
        return {"items": list(value.items), "parts": value.as_dict()}
    if isinstance(value, Rates):
        return {"rates": value.as_dict()}
    if isinstance(value, ByYear):
        return {"values": {str(y): v for y, v in value.values}}
    if isinstance(value, Bands):
        return {"bands": [{"upto": b.upto, "value": b.value} for b in value.bands]}
    if isinstance(value, (Choices,)):
        return {"values": list(value.values)}
    if isinstance(value, Items):
        return {"items": list(value.items)}
    return {k: getattr(value, k) for k in _FIELDS[value.name]}
