"""Imported first by the process pool's fork server (``sim.ensemble._context`` preloads it), never by the
main process: the fork server and every worker forked from it ignore SIGINT, so a Ctrl-C, which the
terminal sends to the whole process group, reaches only the main process. The main process then stops
the pool (``sim.ensemble.stop_pool``); no worker prints a traceback of its own."""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
