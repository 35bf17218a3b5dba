"""One guard for every command that writes files: nothing of the user's is overwritten, a folder never
holds files of two runs, and an interrupted or failed run leaves the folder as it was.

``OutputGuard(out, command, files)``:

- ``check()`` (read-only, call it first): refuses ``out`` if it is a file, or a folder holding anything
  our manifest does not list (naming what), so a user's ``budget.csv`` is never replaced.
- ``with guard as staging:`` takes a lock (a second writer to the same folder stops at once with one
  line) and makes a staging folder beside ``out`` (``.NAME.estate-partial``); the command writes every
  file there.
- ``guard.commit(scenario=…, seed=…)`` writes the manifest ``.estate-output`` (JSON: ``generator``,
  ``files``, ``scenario``, ``scenario_sha256``, ``seed``) and swaps the staging folder into place in two
  renames, with SIGINT and SIGTERM held back. Leaving the ``with`` block without a commit (an error, an
  interrupt) removes the staging folder: ``out`` is as it was, and nothing was created.

A folder whose manifest lists its files is ours, whichever command wrote it, and may be replaced whole.
Folders marked by older versions (``{"generator": "estate …"}`` with no file list) count as ours only for
the files any estate command writes.
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import json
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Iterable

from standards.errors import InputError

MARK = ".estate-output"
LOCK = ".lock"
# Every file any estate command writes (for folders marked before the manifest listed its files).
KNOWN_FILES = frozenset({"summary.json", "series.csv", "occupancy.png", "demand.png", "plan.json", "site_map.png",
                         "facilities.json", "budget.csv", "budget.png", "report.html", "audit.json"})


def _generated(path: Path) -> dict | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or not str(doc.get("generator", "")).startswith("estate "):
        return None
    return doc


def _manifest(out: Path) -> dict | None:
    """The folder's manifest; for a folder `estate simulate` wrote before there was one, its summary's
    ``generator`` stands in (with no file list)."""
    doc = _generated(out / MARK)
    if doc is None and (legacy := _generated(out / "summary.json")) is not None:
        return {"generator": legacy["generator"]}
    return doc


def ours(out: Path) -> set[str]:
    """The entries of ``out`` that an estate command wrote (per its manifest), the manifest included."""
    doc = _manifest(out)
    if doc is None:
        return set()
    files = doc.get("files")
    listed = set(files) if isinstance(files, list) and all(isinstance(f, str) for f in files) else set(KNOWN_FILES)
    return listed | {MARK}


def listed(name: str, files: set[str]) -> bool:
    """Whether ``name`` is one of ``files``, which may hold patterns for files named by their content
    (``tornado_*.png``: a sweep's chart per headline figure)."""
    return name in files or any(fnmatch.fnmatchcase(name, f) for f in files if "*" in f)


def is_ours(out: Path) -> bool:
    return _manifest(Path(out)) is not None


def sha256(path: str | Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


class OutputGuard:
    """The one way a command writes its folder (see the module's docstring)."""

    def __init__(self, out: str | Path, command: str, files: Iterable[str]) -> None:
        self.out = Path(out)
        self.command = command
        self.files = tuple(files)
        self.staging = self.out.parent / f".{self.out.name}.estate-partial"
        self._lock_fd: int | None = None
        self._created: list[Path] = []
        self._committed = False
        self._unregister = None

    # ---- refusals --------------------------------------------------------------------------------
    def check(self) -> None:
        """Refuse, without touching anything, an ``out`` we may not replace."""
        out = self.out
        if not out.name or out.name in (".", ".."):
            raise InputError(f"{out}: give a folder name for --out (nothing was written)")
        if out.exists() and not out.is_dir():
            raise InputError(f"{out}: is a file, not a folder; choose a folder for --out (nothing was written)")
        if out.is_dir():
            try:
                present = sorted(os.listdir(out))
            except OSError as exc:
                raise InputError(f"{out}: cannot be read ({exc.strerror})") from None
            mine = ours(out)
            foreign = [name for name in present if not listed(name, mine)]
            if foreign:
                shown = ", ".join(foreign[:8]) + (f" and {len(foreign) - 8} more" if len(foreign) > 8 else "")
                raise InputError(f"{out}: already holds {shown} not written by `{self.command}` or another estate "
                                 f"command; choose another --out (nothing was overwritten)")

    # ---- the staging folder and its lock ----------------------------------------------------------
    def __enter__(self) -> Path:
        import fcntl

        from estate import interrupts

        self.check()
        parent = self.out.parent
        missing = [p for p in (parent, *parent.parents) if not p.exists()]
        try:
            for p in reversed(missing):
                p.mkdir()
                self._created.append(p)
        except OSError as exc:
            self._remove_created()
            raise InputError(f"{self.out}: cannot create its folder {p} ({exc.strerror})") from None
        for _ in range(20):
            try:
                self.staging.mkdir()
            except FileExistsError:
                fd = self._open_lock(os.O_RDWR)
                if fd is None:          # made by a writer that has not yet locked it, or left by a crash
                    if self._stale_without_lock():
                        shutil.rmtree(self.staging, ignore_errors=True)
                    else:
                        time.sleep(0.05)
                    continue
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(fd)
                    self._remove_created()
                    raise InputError(f"{self.out}: another estate command is writing this folder; wait for it to "
                                     f"finish or choose another --out (nothing was written)") from None
                self._lock_fd = fd      # a crashed run's staging folder: ours now, emptied
                for entry in os.listdir(self.staging):
                    if entry != LOCK:
                        target = self.staging / entry
                        shutil.rmtree(target) if target.is_dir() else target.unlink()
                break
            except OSError as exc:
                self._remove_created()
                raise InputError(f"{self.out}: cannot write there ({exc.strerror})") from None
            else:
                fd = self._open_lock(os.O_RDWR | os.O_CREAT)
                assert fd is not None
                fcntl.flock(fd, fcntl.LOCK_EX)
                self._lock_fd = fd
                break
        else:
            self._remove_created()
            raise InputError(f"{self.out}: another estate command is writing this folder; wait for it to finish "
                             f"or choose another --out (nothing was written)")
        self._unregister = interrupts.on_abort(self._abort)
        return self.staging

    def _open_lock(self, flags: int) -> int | None:
        try:
            return os.open(self.staging / LOCK, flags, 0o644)
        except FileNotFoundError:
            return None

    def _stale_without_lock(self) -> bool:
        try:
            return time.time() - self.staging.stat().st_mtime > 5
        except OSError:
            return False

    def commit(self, scenario: str | Path | None = None, seed: int | None = None) -> Path:
        """Write the manifest and move the staging folder into place, as one step that a signal cannot
        cut in two. A signal that arrived earlier (even one some library swallowed) stops it instead."""
        from estate import interrupts

        written = sorted(p.name for p in self.staging.iterdir() if p.name not in (LOCK, MARK))
        doc = {"generator": self.command, "files": written,
               "scenario": None if scenario is None else str(scenario),
               "scenario_sha256": None if scenario is None else sha256(scenario), "seed": seed}
        (self.staging / MARK).write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
        held = {signal.SIGINT, signal.SIGTERM}
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
        try:
            if interrupts.received() is not None or held & signal.sigpending():
                raise interrupts.Interrupted(interrupts.received() or next(iter(held & signal.sigpending())))
            old_dir = None
            if self.out.exists():
                self.check()       # still only ours (checked again under the lock)
                old_dir = self.out.parent / f".{self.out.name}.estate-old-{os.getpid()}"
                os.rename(self.out, old_dir)
            try:
                os.rename(self.staging, self.out)
            except OSError:
                if old_dir is not None:
                    os.rename(old_dir, self.out)
                raise
            self._committed = True
            interrupts.finishing()
            os.unlink(self.out / LOCK)
            if old_dir is not None:
                shutil.rmtree(old_dir, ignore_errors=True)
        except OSError as exc:
            raise InputError(f"{self.out}: cannot write there ({exc.strerror})") from None
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        return self.out

    def _abort(self) -> None:
        if not self._committed:
            shutil.rmtree(self.staging, ignore_errors=True)
            self._remove_created()

    def _remove_created(self) -> None:
        for p in reversed(self._created):
            try:
                p.rmdir()
            except OSError:
                pass
        self._created.clear()

    def __exit__(self, *exc) -> None:
        if self._unregister is not None:
            self._unregister()
        self._abort()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def guarded(out: str | Path, command: str, files: Iterable[str]) -> OutputGuard:
    """An ``OutputGuard``, checked now (so a bad --out is refused before anything runs)."""
    guard = OutputGuard(out, command, files)
    guard.check()
    return guard


def prepare(out: Path | str, files: Iterable[str], command: str) -> Path:
    """For a caller that owns a fresh folder (the app's temporary one): created and marked. Refuses what
    ``OutputGuard.check`` refuses."""
    guard = OutputGuard(out, command, files)
    guard.check()
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / MARK).write_text(json.dumps({"generator": command, "files": sorted(set(files))}) + "\n",
                                encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{out}: cannot write there ({exc.strerror or errno.errorcode.get(exc.errno, exc)})") from None
    return out
