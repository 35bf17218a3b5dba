"""Plain-text renderings of rule values, for `estate rules`, reports and the app.

``describe(value)`` is the short English line the command line prints ("1 per 200", "every 12
months"). ``describe(value, "zh", terms)`` is the same value in Chinese, its identifiers in words from
``labels.toml``'s terms; ``describe_rule(rule, lang, terms)`` adds the rule's unit where it reads
naturally ("每200户1名专职工作人员" rather than "1 per 200 workers per households")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from standards.shapes import (Approximate, Bands, ByYear, Choices, Items, Minimum, Payers, Period, Principle,
                              Quantity, Range, Rates, Ratio, RatioRange, Shape, Share, Shares, Threshold)

if TYPE_CHECKING:
    from standards.catalog import Rule

Terms = Mapping[str, tuple[str, str]]


def _n(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.6g}"


def _pct(x: float) -> str:
    return f"{x * 100:.6g}%"


def value_terms(v: Shape) -> tuple[str, ...]:
    """The identifiers inside a value that a person reads as words (items, parts, rates, bases)."""
    match v:
        case Items():
            return tuple(v.items)
        case Payers():
            return tuple(v.items) + tuple(k for k, _ in v.parts)
        case Shares():
            return tuple(k for k, _ in v.parts)
        case Rates():
            return tuple(k for k, _ in v.rates)
        case Share():
            return (v.of,)
        case Threshold():
            return (v.basis,)
    return ()


def describe(v: Shape, lang: str = "en", terms: Terms | None = None) -> str:
    """One short line for a rule value, e.g. "1 per 200", "3,000–5,000", "≥ 0.6% of gross_floor_area";
    in Chinese (``lang="zh"``) with ``terms`` naming the identifiers: "不低于总建筑面积的0.6%"."""
    if lang == "zh":
        return _zh(v, terms or {})
    if terms:          # English words for the identifiers (the command line keeps them as written)
        word = lambda k: terms[k][1] if k in terms else k                      # noqa: E731
    else:
        word = lambda k: k                                                     # noqa: E731
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
            return f"≥ {_pct(v.share)} of {word(v.of)}"
        case Threshold():
            return f"{_pct(v.share)} of {word(v.basis)}"
        case Shares():
            return ", ".join(f"{word(k)} {_pct(x)}" for k, x in v.parts)
        case Payers():
            return f"{', '.join(word(i) for i in v.items)}: " + ", ".join(f"{word(k)} {_pct(x)}" for k, x in v.parts)
        case Rates():
            return ", ".join(f"{word(k)} {_pct(x)}" for k, x in v.rates)
        case Quantity():
            return _n(v.value)
        case Period():
            return f"every {_n(v.months)} months"
        case Choices():
            return " / ".join(_n(x) for x in v.values)
        case Bands():
            return "; ".join(f"<{_n(b.upto)}: {_n(b.value)}" for b in v.bands)
        case Items():
            return ", ".join(word(i) for i in v.items)
        case Principle():
            return v.text
        case ByYear():
            return ", ".join(f"{y}: {_n(x)}" for y, x in v.values)
    raise TypeError(f"no description for {type(v).__name__}")


def _zh(v: Shape, terms: Terms) -> str:
    word = lambda k: terms[k][0] if k in terms else k                          # noqa: E731
    match v:
        case Ratio():
            return f"每{_n(v.per)}配{_n(v.amount)}"
        case RatioRange():
            return f"每{_n(v.per_min)}—{_n(v.per_max)}配{_n(v.amount)}"
        case Range():
            return _n(v.min) if v.min == v.max else f"{_n(v.min)}—{_n(v.max)}"
        case Approximate():
            lo, hi = v.about * (1 - v.tolerance), v.about * (1 + v.tolerance)
            return f"{_n(v.about)}左右（按{_n(lo)}—{_n(hi)}计）"
        case Minimum():
            return f"不少于{_n(v.min)}"
        case Share():
            return f"不低于{word(v.of)}的{_pct(v.share)}"
        case Threshold():
            return f"达到{word(v.basis)}的{_pct(v.share)}"
        case Shares():
            return "，".join(f"{word(k)} {_pct(x)}" for k, x in v.parts)
        case Payers():
            return f"{'、'.join(word(i) for i in v.items)}：" + "，".join(f"{word(k)} {_pct(x)}" for k, x in v.parts)
        case Rates():
            return "，".join(f"{word(k)} {_pct(x)}" for k, x in v.rates)
        case Quantity():
            return _n(v.value)
        case Period():
            return f"每{_n(v.months)}个月"
        case Choices():
            return "、".join(_n(x) for x in v.values)
        case Bands():
            return "；".join(f"不足{_n(b.upto)}：{_n(b.value)}" for b in v.bands)
        case Items():
            return "、".join(word(i) for i in v.items)
        case Principle():
            return v.text
        case ByYear():
            return "；".join(f"{y}年：{_n(x)}" for y, x in v.values)
    raise TypeError(f"no description for {type(v).__name__}")


def _en_with_unit(v: Shape, unit: str, terms: Terms | None) -> str:
    """English: a ratio's unit "A per B" read into it ("workers: 1 per 200 households", not "1 per 200
    workers per households"); a period, and a share of a named basis, say their unit already; a list of
    parts or years takes its unit in brackets."""
    text = describe(v, "en", terms)
    if unit in ("", "-") or isinstance(v, (Principle, Period)):
        return text
    if isinstance(v, (Share, Threshold)) and unit.startswith("share"):   # "30% of planned residents" says it
        return text
    a, sep, b = unit.partition(" per ")
    if sep and isinstance(v, (Ratio, RatioRange)):
        return f"{a}: {text} {b}"
    if isinstance(v, (Shares, Rates, Payers, Items, ByYear, Bands, Choices)):
        return f"{text} ({unit})"
    return f"{text} {unit}"


def describe_rule(rule: "Rule", lang: str = "en", terms: Terms | None = None) -> str:
    """The rule's value with its unit, as a person reads it. In Chinese a unit "A/B" (e.g. "名专职工作人员/户")
    reads "每200户1名专职工作人员"; a share, threshold or period says its unit in its words already."""
    v = rule.value
    if lang != "zh":
        return _en_with_unit(v, rule.unit, terms)
    unit = rule.unit_zh
    if isinstance(v, (Principle, Share, Threshold, Period, Shares, Rates, Payers, Items)) or unit in ("", "-"):
        return _zh(v, terms or {})
    if isinstance(v, Approximate):
        lo, hi = v.about * (1 - v.tolerance), v.about * (1 + v.tolerance)
        return f"{_n(v.about)}{unit}左右（按{_n(lo)}—{_n(hi)}{unit}计）"
    if "比例" in unit and isinstance(v, (Range, Quantity, Minimum)):      # a share, read as a percentage
        match v:
            case Range():
                text = _pct(v.min) if v.min == v.max else f"{_pct(v.min)}—{_pct(v.max)}"
            case Quantity():
                text = _pct(v.value)
            case Minimum():
                text = f"不低于{_pct(v.min)}"
        return f"{unit} {text}"
    if isinstance(v, ByYear):
        return f"{_zh(v, terms or {})}（{unit}）"
    a, sep, b = unit.partition("/")
    if sep and "·" not in b:
        match v:
            case Ratio():
                return f"每{_n(v.per)}{b}{_n(v.amount)}{a}"
            case RatioRange():
                return f"每{_n(v.per_min)}—{_n(v.per_max)}{b}{_n(v.amount)}{a}"
            case Range() | Quantity() | Minimum() | Approximate():
                return f"每{b}{_zh(v, terms or {})}{a}"
    if isinstance(v, Bands):
        return "；".join(f"服务人口不足{_n(b_.upto)}：{_n(b_.value)}㎡" for b_ in v.bands) if unit.startswith("㎡") else \
            f"{_zh(v, terms or {})}（{unit}）"
    return f"{_zh(v, terms or {})}{unit}"
