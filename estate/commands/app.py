"""`estate app`: start the meeting app (Streamlit) on this machine."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from standards.errors import InputError

APP = Path(__file__).resolve().parents[2] / "app_streamlit.py"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("app", help="start the meeting app in a browser (Streamlit)",
                       description="Start the scenario-comparison app; stop it with Ctrl-C.")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--headless", action="store_true", help="do not open a browser")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not APP.is_file():
        raise InputError(f"{APP}: the app file is missing (install the project with `pip install -e .`)")
    # Streamlit's `streamlit run`, with the first page's modules imported while the server starts
    command = [sys.executable, "-m", "estate.app_server", "--server.port", str(args.port),
               "--browser.gatherUsageStats", "false"]
    if args.headless:
        command += ["--server.headless", "true"]
    app = subprocess.Popen(command)
    try:
        return app.wait()
    except KeyboardInterrupt:      # Streamlit has the Ctrl-C too: let it shut down, then say so
        try:
            app.wait(timeout=3)
        except subprocess.TimeoutExpired:
            app.terminate()
        raise
