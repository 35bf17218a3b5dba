"""Which input moves each headline figure most, from a sweep's rows: ``sensitivity.csv`` and a tornado
chart per figure.

Methods (stated in the ``method`` column):

- ``main_effect`` (a ``--vary`` grid): for each input, the mean of the figure over all variants at each of
  the input's values; the bar runs from the mean at the input's lowest value to the mean at its highest
  (for a text input such as the regime: from the value with the lowest mean to the one with the highest).
  On a one-at-a-time grid this is the one-at-a-time effect; on a full grid it averages over the others.
- ``src`` (a ``--sample`` Latin hypercube): a least-squares linear regression of the figure on all inputs
  at once; the standardised regression coefficient SRC = b × sd(input) ÷ sd(figure), and the bar runs
  from the fitted figure at the input's low end to its high end, the others at their means. ``r2`` says
  how much of the figure's variation the linear fit explains: below about 0.7 read the ranking with care.

Only variants that finished (``status = ok``) with a value for the figure count; ``n`` says how many.

``load(folder)`` gives the app what a sweep's folder holds: its definition, the table and the charts.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

# The headline figures a tornado is drawn for, in the order a meeting reads them.
FIGURES = ("election_p50_first", "election_p50_last", "peak_staff", "staff_full_plan", "office_required_m2",
           "facilities_opened", "budget_10y_cny", "failed_rule_count")
COLUMNS = ("figure", "input", "method", "rank", "low_input", "high_input", "figure_at_low", "figure_at_high",
           "effect", "swing", "src", "r2", "n", "baseline")
CSV = "sensitivity.csv"


@dataclass(frozen=True)
class Effect:
    """How one input moves one figure."""

    figure: str
    input: str
    method: str                 # "main_effect" or "src"
    rank: int                   # 1 = moves the figure most
    low_input: Any
    high_input: Any
    figure_at_low: float
    figure_at_high: float
    effect: float               # figure_at_high − figure_at_low
    swing: float                # the widest spread of the figure over the input's values (≥ |effect|)
    src: float | None           # standardised regression coefficient (src only)
    r2: float | None            # the regression's R² (src only)
    n: int                      # variants counted
    baseline: float             # the figure's mean over those variants


def tornado_file(figure: str) -> str:
    return f"tornado_{figure}.png"


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def analyse(rows: Sequence[dict[str, Any]], inputs: Sequence[str], method: str) -> list[Effect]:
    """Effects of every input on every headline figure that varies, ranked within each figure."""
    ok = [r for r in rows if r.get("status") == "ok"]
    out: list[Effect] = []
    for figure in FIGURES:
        usable = [r for r in ok if _number(r.get(figure))]
        if len(usable) < 2 or len({r[figure] for r in usable}) < 2:
            continue                                           # the figure does not vary: nothing to rank
        found = _main_effects(usable, inputs, figure) if method == "grid" else _src(usable, inputs, figure)
        found.sort(key=lambda e: -(abs(e.src) if e.src is not None else e.swing))
        out += [Effect(**{**asdict(e), "rank": i + 1}) for i, e in enumerate(found)]
    return out


def _main_effects(rows: Sequence[dict], inputs: Sequence[str], figure: str) -> list[Effect]:
    baseline = sum(r[figure] for r in rows) / len(rows)
    out = []
    for name in inputs:
        levels: dict[Any, list[float]] = {}
        for r in rows:
            levels.setdefault(r[name], []).append(float(r[figure]))
        if len(levels) < 2:
            continue
        means = {k: sum(v) / len(v) for k, v in levels.items()}
        if all(_number(k) for k in means):
            low, high = min(means), max(means)
        else:                                                  # text values have no order: lowest to highest mean
            low, high = min(means, key=means.get), max(means, key=means.get)
        out.append(Effect(figure, name, "main_effect", 0, low, high, means[low], means[high],
                          means[high] - means[low], max(means.values()) - min(means.values()), None, None,
                          len(rows), baseline))
    return out


def _src(rows: Sequence[dict], inputs: Sequence[str], figure: str) -> list[Effect]:
    import numpy as np

    names = [n for n in inputs if all(_number(r.get(n)) for r in rows) and len({r[n] for r in rows}) > 1]
    if len(rows) <= len(names) + 1 or not names:
        return []
    x = np.array([[float(r[n]) for n in names] for r in rows])
    y = np.array([float(r[figure]) for r in rows])
    design = np.column_stack([np.ones(len(y)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    fitted = design @ coef
    total = float(((y - y.mean()) ** 2).sum())
    r2 = 1 - float(((y - fitted) ** 2).sum()) / total if total > 0 else None
    out = []
    for j, name in enumerate(names):
        b = float(coef[j + 1])
        low, high = float(x[:, j].min()), float(x[:, j].max())
        at_low = float(y.mean() + b * (low - x[:, j].mean()))
        at_high = float(y.mean() + b * (high - x[:, j].mean()))
        src = b * float(x[:, j].std()) / float(y.std()) if y.std() > 0 else 0.0
        out.append(Effect(figure, name, "src", 0, low, high, at_low, at_high, at_high - at_low, abs(at_high - at_low),
                          src, r2, len(rows), float(y.mean())))
    return out


def write_csv(effects: Sequence[Effect], path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for e in effects:
            w.writerow([_cell(getattr(e, c)) for c in COLUMNS])
    return path


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float):
        return round(v, 6)
    return v


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def plot_tornado(effects: Sequence[Effect], path: Path, lang: str = "en", top: int = 12) -> Path:
    """One figure's tornado: a bar per input from the figure at the input's low end to its high end,
    around the baseline, the input that moves it most on top."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from estate import fonts
    from estate.i18n import t

    cjk = fonts.setup()
    lang = lang if (lang == "en" or cjk) else "en"
    rows = sorted(effects, key=lambda e: e.rank)[:top][::-1]
    figure = rows[0].figure
    base = rows[0].baseline
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.45 * len(rows)))
    for i, e in enumerate(rows):
        ax.barh(i, e.figure_at_low - base, left=base, color="#4c78a8", height=0.6)
        ax.barh(i, e.figure_at_high - base, left=base, color="#f58518", height=0.6)
        ax.text(e.figure_at_low, i, f" {_short(e.low_input)} ", va="center",
                ha="right" if e.figure_at_low <= base else "left", fontsize=7)
        ax.text(e.figure_at_high, i, f" {_short(e.high_input)} ", va="center",
                ha="left" if e.figure_at_high >= base else "right", fontsize=7)
    ax.axvline(base, color="black", linewidth=0.8)
    ax.set_yticks(range(len(rows)), [e.input for e in rows], fontsize=8)
    ax.set_xlabel(t(f"sweep_{figure}", lang))
    method = t(f"sweep_method_{rows[0].method}", lang)
    r2 = f", R² {rows[0].r2:.2f}" if rows[0].r2 is not None else ""
    ax.set_title(f"{t(f'sweep_{figure}', lang)} — {method}{r2}, n = {rows[0].n}", fontsize=9)
    ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color="#4c78a8"), plt.Rectangle((0, 0), 1, 1, color="#f58518")],
              labels=[t("sweep_low", lang), t("sweep_high", lang)], fontsize=7, loc="lower right")
    ax.margins(x=0.15)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def write(rows: Sequence[dict[str, Any]], inputs: Sequence[str], method: str, out: Path, lang: str = "en") -> list[Path]:
    """``sensitivity.csv`` and a ``tornado_<figure>.png`` per figure that varies; stale charts removed."""
    effects = analyse(rows, inputs, method)
    paths = [write_csv(effects, out / CSV)]
    for old in out.glob("tornado_*.png"):
        old.unlink()
    for figure in FIGURES:
        mine = [e for e in effects if e.figure == figure]
        if mine:
            paths.append(plot_tornado(mine, out / tornado_file(figure), lang))
    return paths


@dataclass(frozen=True)
class SweepFolder:
    """What a sweep's results folder holds, for the app: its definition (``sweep.json``), the
    sensitivity table (rows of ``sensitivity.csv``, as text), the tornado charts by figure, and the
    count of rows by status."""

    folder: Path
    definition: dict[str, Any]
    sensitivity: tuple[dict[str, str], ...]
    tornadoes: dict[str, Path]
    rows: dict[str, int]


def load(folder: Path | str) -> SweepFolder:
    """A sweep's results folder (``estate sweep --out DIR``), read for display."""
    from estate.sweep import SPEC, read_results
    from standards.errors import InputError

    folder = Path(folder)
    if not (folder / SPEC).exists():
        raise InputError(f"{folder}: is not a sweep's folder (it has no {SPEC})")
    definition = json.loads((folder / SPEC).read_text(encoding="utf-8"))
    table = read_results(folder)
    counts: dict[str, int] = {}
    for status in table.column("status").to_pylist():
        counts[status] = counts.get(status, 0) + 1
    sens = tuple(read_csv(folder / CSV)) if (folder / CSV).exists() else ()
    tornadoes = {f: folder / tornado_file(f) for f in FIGURES if (folder / tornado_file(f)).exists()}
    return SweepFolder(folder, definition, sens, tornadoes, counts)
