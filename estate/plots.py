"""The budget chart, once for both front ends: the series it draws (``budget_series``, from the budget
view ``estate.tables.budget_by``), the money scale by language (万元 in Chinese, CNY millions in English)
and the cap line, read by the CLI's ``budget.png`` (matplotlib, ``plot_budget``) and by the app's Altair
chart (``estate.charts.budget_chart``), so the two show the same bars under the same words.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from estate import tables as views
from estate.i18n import t, value

if TYPE_CHECKING:
    from estate.pipeline import RunResult


def money_scale(lang: str) -> tuple[float, str]:
    """(divisor, axis title): 万元 in Chinese, CNY millions in English."""
    return (1e4, t("wan_cny", lang)) if lang == "zh" else (1e6, t("million_cny", lang))


def budget_series(result: RunResult, key: str, lang: str) -> tuple[list[int], dict[str, list[float]]]:
    """(years, {label: amount per year in the language's money unit}) of the budget by ``key``
    ("payer" or "item"), labels in words, in the order of their keys."""
    by = views.budget_by(result, key)
    years = list(by)
    div, _ = money_scale(lang)
    names = sorted({n for v in by.values() for n in v})
    return years, {value(key, n, lang): [by[y].get(n, 0.0) / div for y in years] for n in names}


def cap_line(result: RunResult, lang: str) -> float | None:
    """The yearly budget cap in the language's money unit (None without one)."""
    cap = result.scenario.costs.budget_cap_cny_per_year
    return None if not cap else cap / money_scale(lang)[0]


def plot_budget(result: RunResult, path: Path, lang: str = "zh") -> Path:
    """Stacked bars per year, by payer (left) and by item (right), with the cap as a dashed line. Labelled
    in ``lang`` where a CJK font is installed, in English otherwise (``estate.fonts``)."""
    from estate.fonts import pyplot, setup
    plt = pyplot()
    lang = lang if lang != "zh" or setup() else "en"
    _, unit = money_scale(lang)
    fig, axes = plt.subplots(1, 2, figsize=(13, 6.2))
    for ax, key in zip(axes, ("payer", "item")):
        years, series = budget_series(result, key, lang)
        bottom = [0.0] * len(years)
        cmap = plt.get_cmap("tab20")
        for i, (name, values) in enumerate(series.items()):
            ax.bar(years, values, bottom=bottom, color=cmap(i % 20), label=name)
            bottom = [b + v for b, v in zip(bottom, values)]
        cap = cap_line(result, lang)
        if cap is not None:
            ax.axhline(cap, color="black", linestyle="--", linewidth=1, label=t("budget_cap_line", lang))
        ax.set_title(t(f"by_{key}", lang), fontsize=10)
        ax.set_ylabel(f"{unit}/{t('year', lang)}" if lang == "zh" else f"{unit} per year")
        ax.grid(axis="y", alpha=0.3)
        # below the bars, never over them (a first year of capital is the tallest bar)
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False,
                  ncol=3 if len(series) > 8 else max(1, len(series)))
    fig.suptitle(f"{result.scenario.name}：{t('budget_by_year', lang)}" if lang == "zh"
                 else f"{result.scenario.name}: {t('budget_by_year', lang)}", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
