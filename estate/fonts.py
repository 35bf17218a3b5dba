"""Chinese text in plots. On a bare Linux machine there is no CJK font and matplotlib draws empty
boxes; ``setup()`` puts the usual CJK fonts first in the fallback list and says whether one is
installed, so callers label in Chinese only when it will render (and in English otherwise)."""

from __future__ import annotations

from functools import lru_cache

CJK_FONTS = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei",
             "PingFang SC", "Source Han Sans SC")


@lru_cache(maxsize=1)
def setup() -> bool:
    """Configure matplotlib's sans-serif fallback list; True if a CJK font is installed."""
    import matplotlib
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    available = [name for name in CJK_FONTS if name in installed]
    matplotlib.rcParams["font.sans-serif"] = available + list(matplotlib.rcParams["font.sans-serif"])
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    return bool(available)
