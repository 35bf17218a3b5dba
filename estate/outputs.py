"""Output folders that never overwrite a user's own files.

Every command that writes files marks its folder with ``.estate-output`` (a one-line JSON naming the
command). A folder may be written again only if it carries the mark or holds none of the file names
the command would write; otherwise the command stops before running anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from standards.errors import InputError

MARK = ".estate-output"


def _generator(path: Path) -> str:
    try:
        return str(json.loads(path.read_text(encoding="utf-8")).get("generator", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def is_ours(out: Path) -> bool:
    """Marked by an estate command (or, from before the mark, holding a summary.json one wrote)."""
    return any(_generator(out / name).startswith("estate ") for name in (MARK, "summary.json"))


def prepare(out: Path | str, files: Iterable[str], command: str) -> Path:
    """The output folder, created and marked. Refuses a file, and a folder holding files of our names
    that no estate command wrote, so nothing of the user's is overwritten."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: is a file, not a folder; choose a folder for --out (nothing was written)")
    if out.is_dir() and not is_ours(out):
        present = [name for name in files if (out / name).exists()]
        if present:
            raise InputError(f"{out}: already holds {', '.join(present)} not written by `{command}`; "
                             f"choose another --out (nothing was overwritten)")
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / MARK).write_text(json.dumps({"generator": command}) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{out}: cannot write there ({exc.strerror})") from None
    return out
