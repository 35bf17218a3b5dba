"""The `estate` command line. Each command lives in ``estate/commands/<name>.py`` and exposes
``register(subparsers)``; ``main`` turns every ``InputError`` into its one-line messages and exit 1,
Ctrl-C (SIGINT) and SIGTERM into one line and exit 130 (143) (``estate.interrupts``), and never shows
a traceback."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Sequence

from estate import interrupts
from estate.commands import app, audit, layout, plan, rules, run, simulate, validate
from standards.errors import InputError

COMMANDS = (validate, rules, layout, app, run, simulate, plan, audit)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="estate",
        description="Plan new public-rental housing estates against the cited policy standards.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    interrupts.install()
    try:
        args = parser().parse_args(argv)
        return int(args.run(args) or 0)
    except InputError as exc:
        for line in exc.messages:
            print(line, file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", None) or interrupts.received()
        print(interrupts.line(signum), file=sys.stderr)
        return interrupts.code(signum)
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last guard: a bug must still read as one line, not a traceback
        print(f"estate: internal error ({type(exc).__name__}: {exc}); please report it with the command you ran",
              file=sys.stderr)
        return 2
    finally:
        interrupts.finishing()     # a signal from here on ends nothing half-done: noted, not raised
        if argv is not None:       # called in-process (tests, scripts): give the caller its handlers back
            for s, handler in previous.items():
                if handler is not None:
                    signal.signal(s, handler)


if __name__ == "__main__":
    sys.exit(main())
