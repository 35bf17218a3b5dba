"""HiGHS (through highspy) prints its two-line banner ("Running HiGHS 1.x …") on the C library's
stdout the first time a ``Highs`` object is made in a process, before any option can silence it (PuLP
sets ``output_flag`` only after making the object). A command's stdout is its result, so ``silence()``
makes that first object with file descriptor 1 pointed at /dev/null; later objects print no banner."""

from __future__ import annotations

import os
import sys
from functools import lru_cache


@lru_cache(maxsize=1)
def silence() -> None:
    try:
        import highspy
    except ImportError:        # CBC only: nothing to silence
        return
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
