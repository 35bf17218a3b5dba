"""The `estate` command line. Each command lives in ``estate/commands/<name>.py`` and exposes
``register(subparsers)``; ``main`` turns every ``InputError`` into its one-line messages and exit 1,
Ctrl-C (SIGINT) and SIGTERM into one line and exit 130 (143) (``estate.interrupts``), and never shows
a traceback. The commands (and everything they import) are imported only once the signals are routed,
so an interrupt during the imports is handled like any other."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Sequence

from estate import interrupts


def parser() -> argparse.ArgumentParser:
    from estate.commands import app, audit, calibrate, city, layout, plan, rules, run, simulate, sweep, validate

    p = argparse.ArgumentParser(
        prog="estate",
        description="Plan new public-rental housing estates against the cited policy standards.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in (validate, rules, layout, app, run, simulate, plan, audit, calibrate, sweep, city):
        command.register(sub)
    return p


def _stopped(signum: int | None) -> int:
    """An interrupted command: its children ended, its one line printed; the exit status."""
    interrupts.kill_children()    # what the pool's own stop missed: a worker still being forked
    print(interrupts.line(signum), file=sys.stderr)
    return interrupts.code(signum)


def main(argv: Sequence[str] | None = None) -> int:
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    interrupts.install()
    interrupted: int | None = None      # the exit status of an interrupted run
    try:
        args = parser().parse_args(argv)
        return int(args.run(args) or 0)
    except KeyboardInterrupt as exc:
        interrupted = _stopped(getattr(exc, "signum", None) or interrupts.received())
        return interrupted
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - bad input is one line per problem; a bug one line too
        if interrupts.received() is not None:
            # the interrupt, wrapped by a library on its way here (pybind11 turns one that lands while its
            # module is being imported into "ImportError: initialization failed")
            interrupted = _stopped(interrupts.received())
            return interrupted
        from standards.errors import InputError
        if isinstance(exc, InputError):
            for line in exc.messages:
                print(line, file=sys.stderr)
            return 1
        print(f"estate: internal error ({type(exc).__name__}: {exc}); please report it with the command you ran",
              file=sys.stderr)
        return 2
    finally:
        interrupts.finishing()     # a signal from here on ends nothing half-done: noted, not raised
        if argv is not None:       # called in-process (tests, scripts): give the caller its handlers back
            interrupts.settled()
            for s, handler in previous.items():
                if handler is not None:
                    signal.signal(s, handler)
        else:                      # the process is ending: Python's shutdown would restore the default
            for s in previous:     # action (killed by the signal); the outcome is decided, so ignore them
                signal.signal(s, signal.SIG_IGN)
            if interrupted is not None:
                interrupts.exit_now(interrupted)   # and an interrupted run ends here, not in Python's shutdown


if __name__ == "__main__":
    sys.exit(main())
