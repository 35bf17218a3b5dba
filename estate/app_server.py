"""The meeting app's server, as `estate app` starts it: Streamlit's ``streamlit run app_streamlit.py``
(every argument after the module's name is Streamlit's), and meanwhile, on a thread of its own, the
modules the first page needs imported and the rule catalogue read (~0.6 CPU s: pydantic's schema, numpy,
the catalogue's TOML files). Started with the server, that work overlaps Streamlit's own start and the
browser loading Streamlit's JavaScript (~1.4 s before the page's script can start), where the page's
script did it after the browser connected. Nothing depends on a scenario: every page computes its own.

    python -m estate.app_server [streamlit run options]
"""

from __future__ import annotations

import importlib
import sys
import threading
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app_streamlit.py"
# what the first page imports beyond Streamlit (``tests/app/test_app.py`` checks the list still covers it)
FIRST_PAGE_MODULES = ("estate.compare", "estate.editing", "estate.tables", "estate.app_html", "estate.uploads",
                      "estate.downloads", "estate.pool", "estate.run_cache", "scenarios", "scenarios.writer",
                      "standards")

# Streamlit options the app runs with (a user's own options, given after them, win):
# - no gc.collect(2) after every script run: with two 20k runs in memory (~210,000 objects) it holds the GIL
#   ~0.17 s after each rerun, while the server's event loop would send the rerun's last messages; Python's
#   own collector still runs as objects pile up.
SERVER_OPTIONS = ("--runner.postScriptGC", "false")


def preload() -> None:
    """Import the first page's modules and read the rule catalogue (cached for the process)."""
    for name in FIRST_PAGE_MODULES:
        importlib.import_module(name)
    from standards import load_catalog
    load_catalog()


def main(argv: list[str] | None = None) -> None:
    threading.Thread(target=preload, name="preload", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *SERVER_OPTIONS, *(sys.argv[1:] if argv is None else argv)]
    cli.main()


# the process pool's workers import the main module as __mp_main__: they must not start a server
if __name__ == "__main__":
    main()
