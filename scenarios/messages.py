"""Turn pydantic's validation errors into the one-line, field-naming messages users read."""

from __future__ import annotations

from typing import Any, Iterable

from pydantic import ValidationError


def field_path(loc: Iterable[Any]) -> str:
    """('buildings', 12, 'units') → 'buildings[12].units'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _got(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _reason(err: dict[str, Any]) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    bound = {
        "greater_than": ("must be >", "gt"), "greater_than_equal": ("must be ≥", "ge"),
        "less_than": ("must be <", "lt"), "less_than_equal": ("must be ≤", "le"),
    }
    if kind in bound:
        words, key = bound[kind]
        limit = ctx.get(key)
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)
        return f"{words} {limit} (got {_got(value)})"
    if kind == "missing":
        return "is missing"
    if kind == "extra_forbidden":
        return "is not a known field (check the spelling; see the README's scenario format)"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"must be a whole number (got {_got(value)})"
    if kind == "finite_number":
        return f"must be a finite number (got {_got(value)})"
    if kind in ("float_parsing", "float_type"):
        return f"must be a number (got {_got(value)})"
    if kind in ("string_type",):
        return f"must be text (got {_got(value)})"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        if "\\d{4}" in pattern:
            return f"must be a month written YYYY-MM (got {_got(value)})"
        return f"must be a rule id like 'demography.persons_per_household_cq_prh' (got {_got(value)})"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')} (got {_got(value)})"
    if kind in ("list_type", "tuple_type"):
        return f"must be a list (got {_got(value)})"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be a table (got {_got(value)})"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length')} item(s)"
    if kind == "bool_type" or kind == "bool_parsing":
        return f"must be true or false (got {_got(value)})"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return err["msg"][0].lower() + err["msg"][1:]


_NUMBER_TYPES = ("float_type", "int_type", "float_parsing", "int_parsing")
_TABLE_TYPES = ("dict_type", "model_type", "model_attributes_type")


def _path(err: dict[str, Any], prefix: tuple[Any, ...]) -> str:
    loc = [p for p in err["loc"] if not (isinstance(p, str) and ("[" in p or p.startswith("constrained-") or p in (
        "float", "str", "int", "dict[str,float]", "constrained-str", "function-after", "Distribution")))]
    return field_path(prefix + tuple(loc))


def _preferred(item: tuple[str, dict[str, Any]]) -> int:
    """Where a field may be a number or a table (a distribution), the error of the kind the user wrote
    comes first: a table's own error for a table, the number's for a number (sorting is stable, so the
    order is otherwise pydantic's)."""
    _, err = item
    table = isinstance(err.get("input"), dict)
    return int(table and err["type"] in _NUMBER_TYPES or not table and err["type"] in _TABLE_TYPES)


def messages(exc: ValidationError, label: str, prefix: tuple[Any, ...] = ()) -> list[str]:
    """One message per distinct field error, e.g. ``x.toml: buildings[12].units must be > 0 (got -40)``.

    Where a field may be a number or a rule id, pydantic reports both alternatives; only the first
    (the number) is kept, as that is what the user almost always meant. Where a table was given for a
    field that may be a number or a distribution, the distribution's error is the one kept.
    """
    out: list[str] = []
    seen: set[str] = set()
    for path, err in sorted(((_path(err, prefix), err) for err in exc.errors()), key=_preferred):
        if path in seen:
            continue
        seen.add(path)
        where = f"{label}: {path}" if path else label
        sep = " " if path else ": "
        out.append(f"{where}{sep}{_reason(err)}")
    return out


# The reasons above (and the loader's), in Chinese: (English pattern, Chinese form). A message keeps its
# file and field path as written (they are what the user typed) and has its reason translated; a reason
# not listed here stays in English.
_ZH: tuple[tuple[str, str], ...] = (
    (r"must be > (?P<a>\S+) \(got (?P<g>.*)\)$", r"须大于 \g<a>（实际为 \g<g>）"),
    (r"must be ≥ (?P<a>\S+) \(got (?P<g>.*)\)$", r"须不小于 \g<a>（实际为 \g<g>）"),
    (r"must be < (?P<a>\S+) \(got (?P<g>.*)\)$", r"须小于 \g<a>（实际为 \g<g>）"),
    (r"must be ≤ (?P<a>\S+) \(got (?P<g>.*)\)$", r"须不大于 \g<a>（实际为 \g<g>）"),
    (r"is missing$", "缺失"),
    (r"is not a known field \(check the spelling; see the README's scenario format\)$",
     "不是已知字段（请检查拼写；字段见说明文档的情景文件格式）"),
    (r"must be a whole number \(got (?P<g>.*)\)$", r"须为整数（实际为 \g<g>）"),
    (r"must be a finite number \(got (?P<g>.*)\)$", r"须为有限数值（实际为 \g<g>）"),
    (r"must be a number \(got (?P<g>.*)\)$", r"须为数值（实际为 \g<g>）"),
    (r"must be text \(got (?P<g>.*)\)$", r"须为文本（实际为 \g<g>）"),
    (r"must not be empty$", "不能为空"),
    (r"must be a month written YYYY-MM \(got (?P<g>.*)\)$", r"须为 YYYY-MM 格式的月份（实际为 \g<g>）"),
    (r"must be a rule id like (?P<e>'[^']*') \(got (?P<g>.*)\)$", r"须为规则编号，如 \g<e>（实际为 \g<g>）"),
    (r"must be one of (?P<e>.*) \(got (?P<g>.*)\)$", r"须为以下之一：\g<e>（实际为 \g<g>）"),
    (r"must be a list \(got (?P<g>.*)\)$", r"须为列表（实际为 \g<g>）"),
    (r"must be a table \(got (?P<g>.*)\)$", r"须为表（实际为 \g<g>）"),
    (r"must have at least (?P<n>\d+) item\(s\)$", r"至少须有 \g<n> 项"),
    (r"must be true or false \(got (?P<g>.*)\)$", r"须为 true 或 false（实际为 \g<g>）"),
    (r"is not valid TOML \((?P<d>.*)\)$", r"不是有效的 TOML 文件（\g<d>）"),
    (r"cannot be read \((?P<d>.*)\)$", r"无法读取（\g<d>）"),
    (r"is not UTF-8 text \(is it a binary file or another encoding\?\)$", "不是 UTF-8 文本（是否为二进制文件或其他编码？）"),
)


def in_language(message: str, lang: str = "zh") -> str:
    """A one-line message with its reason in the language: ``x.toml: buildings[12].units must be > 0 (got
    -40)`` → ``x.toml: buildings[12].units 须大于 0（实际为 -40）``. English (and a reason without a
    Chinese form) is returned as it is."""
    if lang != "zh":
        return message
    import re

    for pattern, zh in _ZH:
        out, n = re.subn(r"(?<=[\s:])" + pattern, zh, message, count=1)
        if n:
            return out
    return message
