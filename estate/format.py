"""Numbers as a meeting reads them: money in 万元 (亿元 from 1e8) in Chinese and CNY millions in English,
months as calendar dates ``YYYY-MM``, shares as percentages, thousands separators everywhere. Text only:
downloads keep numbers as numbers (``wan``) and put the unit in the column header."""

from __future__ import annotations


def money(cny: float | None, lang: str = "zh") -> str:
    """"10.97 亿元" / "3,250 万元" (Chinese), "CNY 1,096.7 m" (English); "—" for None."""
    if cny is None:
        return "—"
    if lang == "zh":
        if abs(cny) >= 1e8:
            return f"{cny / 1e8:,.2f} 亿元"
        return f"{cny / 1e4:,.0f} 万元" if abs(cny) >= 1e5 else f"{cny / 1e4:,.1f} 万元"
    return f"CNY {cny / 1e6:,.1f} m" if abs(cny) >= 1e5 else f"CNY {cny / 1e6:,.2f} m"


def wan(cny: float) -> float:
    """An amount in 万元 (10,000 CNY), one decimal: a number for tables and spreadsheets."""
    return round(cny / 1e4, 1)


def month(index: int | None, start_year: int, start_month: int) -> str:
    """The calendar month ``YYYY-MM`` of a simulation month (0 is the scenario's first month), the same
    reading as the facility plan's opening months; "—" for None."""
    if index is None:
        return "—"
    k = start_month - 1 + int(index)
    return f"{start_year + k // 12:04d}-{k % 12 + 1:02d}"


def pct(share: float | None) -> str:
    """0.3 → "30%", 0.125 → "12.5%"."""
    if share is None:
        return "—"
    return f"{share * 100:.3g}%"


def num(x: float | int | None, digits: int = 0) -> str:
    """Thousands separators; whole numbers without decimals."""
    if x is None:
        return "—"
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.{digits or 1}f}"
