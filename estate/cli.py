"""The `estate` command line. Each command lives in ``estate/commands/<name>.py`` and exposes
``register(subparsers)``; ``main`` turns every ``InputError`` into its one-line messages and exit 1,
and never shows a traceback."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from estate.commands import app, audit, city, layout, plan, rules, run, simulate, sweep, validate
from standards.errors import InputError

COMMANDS = (validate, rules, layout, app, run, simulate, plan, audit, sweep, city)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="estate",
        description="Plan new public-rental housing estates against the cited policy standards.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except InputError as exc:
        for line in exc.messages:
            print(line, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("estate: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last guard: a bug must still read as one line, not a traceback
        print(f"estate: internal error ({type(exc).__name__}: {exc}); please report it with the command you ran",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
