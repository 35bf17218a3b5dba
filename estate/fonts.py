"""Chinese text in plots. On a bare Linux machine there is no CJK font and matplotlib draws empty
boxes; and a CJK font installed after matplotlib built its font cache is not in that cache. ``setup()``
looks for CJK font files in the system's font folders itself and registers them with matplotlib's font
manager (``fontManager.addfont``), so a newly installed font works at once, without clearing the cache;
it puts them first in the sans-serif fallback list and says whether one is there. Where none is, it
prints one line saying so (and silences matplotlib's warning per missing glyph), and callers label in
English."""

from __future__ import annotations

import sys
import warnings
from functools import lru_cache
from pathlib import Path

CJK_FONTS = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei",
             "PingFang SC", "Source Han Sans SC")
# File names (lower case, without - and _) of the usual CJK fonts: Debian's fonts-wqy-microhei and
# fonts-wqy-zenhei, Noto and Source Han CJK, Windows' YaHei and SimHei, macOS's PingFang.
CJK_FILES = ("wqymicrohei", "wqyzenhei", "notosanscjk", "sourcehansans", "msyh", "simhei", "pingfang",
             "droidsansfallback")
NO_FONT = ("estate: no CJK font found; Chinese in the plots will show as boxes "
           "(install one, e.g. Debian's fonts-wqy-microhei)")


def cjk_files(paths) -> list[str]:
    """The font files among ``paths`` that are CJK fonts, by their file names."""
    out = []
    for path in paths:
        key = Path(path).name.lower().replace("-", "").replace("_", "")
        if any(k in key for k in CJK_FILES):
            out.append(str(path))
    return sorted(out)


def register(paths) -> list[str]:
    """Register font files with matplotlib's font manager; their family names."""
    from matplotlib import font_manager

    names: list[str] = []
    for path in paths:
        try:
            font_manager.fontManager.addfont(path)
            name = font_manager.FontProperties(fname=path).get_name()
        except (OSError, RuntimeError, ValueError):
            continue
        if name not in names:
            names.append(name)
    return names


@lru_cache(maxsize=1)
def setup() -> bool:
    """Configure matplotlib's sans-serif fallback list; True if a CJK font is there."""
    import matplotlib
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    available = [name for name in CJK_FONTS if name in installed]
    if not available:      # not in matplotlib's cache: look at the font files themselves
        available = register(cjk_files(font_manager.findSystemFonts()))
    matplotlib.rcParams["font.sans-serif"] = available + [
        f for f in matplotlib.rcParams["font.sans-serif"] if f not in available]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    if not available:
        print(NO_FONT, file=sys.stderr)
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
    return bool(available)


def pyplot():
    """matplotlib's pyplot drawing to files (Agg), with ``setup()`` done: the one plot set-up of the
    output files."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    setup()
    return plt
