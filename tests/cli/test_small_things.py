"""Small things users trip on: audit's exit code, the solver's banner, `rules --all` with a regime, the
CJK font found without a cache rebuild, and one line when there is none."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from estate.cli import main

ROOT = Path(__file__).resolve().parents[2]
SMALL = str(ROOT / "scenarios/small-2400.toml")
BUILT = str(ROOT / "scenarios/chongqing-20k-built.toml")


def test_audit_exits_1_when_a_check_fails_and_still_writes_the_report(tmp_path, capsys):
    out = tmp_path / "a"
    code = main(["audit", BUILT, "--out", str(out)])
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    failed = sum(r["passed"] is False for r in doc["rules"])   # a not-checked row (passed null) is no failure
    assert failed > 0          # the built example falls short of some rules
    assert code == 1
    err = capsys.readouterr().err
    assert f"{failed} of {len(doc['rules'])} checks failed" in err


def test_audit_help_says_so(capsys):
    with pytest.raises(SystemExit):
        main(["audit", "--help"])
    assert "1 if any fails" in capsys.readouterr().out.replace("\n", " ")


def test_the_solvers_banner_is_not_on_stdout(tmp_path):
    done = subprocess.run([sys.executable, "-m", "estate.cli", "plan", SMALL, "--out", str(tmp_path / "p")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "HiGHS" not in done.stdout and "Copyright" not in done.stdout
    assert done.stdout.startswith(f"{SMALL}: relaxed, 1 communities")


def test_rules_all_with_a_regime_adds_the_published_defaults(capsys):
    assert main(["rules", "--regime", "chongqing", "--json"]) == 0
    roles = json.loads(capsys.readouterr().out)["rules"]
    assert main(["rules", "--regime", "chongqing", "--all", "--json"]) == 0
    every = json.loads(capsys.readouterr().out)["rules"]
    ids = {r["id"] for r in every}
    assert len(every) > len(roles)
    assert {"facilities.primary_class_size", "demography.persons_per_household_cq_prh"} <= ids
    assert not any(r["id"].startswith("SD-22.") for r in every)      # another regime's rules stay out
    assert every[:len(roles)] == roles


def test_a_cjk_font_file_is_registered_without_the_cache(monkeypatch):
    import matplotlib
    from matplotlib import font_manager

    from estate import fonts
    files = fonts.cjk_files(font_manager.findSystemFonts())
    if not files:
        pytest.skip("no CJK font file on this machine (CI installs fonts-wqy-microhei)")
    # matplotlib's cache as it was before the font was installed: no CJK font in it
    kept = [f for f in font_manager.fontManager.ttflist if f.fname not in files]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", kept)
    with matplotlib.rc_context():
        assert fonts.setup.__wrapped__() is True
        first = matplotlib.rcParams["font.sans-serif"][0]
        assert font_manager.findfont(font_manager.FontProperties(family=first), fallback_to_default=False) in files


def test_no_cjk_font_is_one_line(monkeypatch, capsys):
    import matplotlib
    from matplotlib import font_manager

    from estate import fonts
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [f for f in font_manager.fontManager.ttflist if f.name not in fonts.CJK_FONTS])
    with matplotlib.rc_context():
        assert fonts.setup.__wrapped__() is False
    assert capsys.readouterr().err.strip().splitlines() == [fonts.NO_FONT]


def test_cjk_files_are_found_by_name():
    from estate.fonts import cjk_files
    assert cjk_files(["/f/wqy-microhei.ttc", "/f/DejaVuSans.ttf", "/f/NotoSansCJK-Regular.ttc", "/f/msyh.ttc"]) == [
        "/f/NotoSansCJK-Regular.ttc", "/f/msyh.ttc", "/f/wqy-microhei.ttc"]


class _Parser:
    def __init__(self, run):
        self.run = run

    def parse_args(self, argv):
        import argparse
        return argparse.Namespace(run=self.run)


def _wrapped_interrupt(args):
    """Ctrl-C landing while a pybind11 module is being imported: it comes out as an ImportError."""
    import os
    import signal
    import time
    try:
        os.kill(os.getpid(), signal.SIGINT)        # estate's handler raises Interrupted here
        time.sleep(2)
    except KeyboardInterrupt as exc:
        raise ImportError("initialization failed") from exc


def test_an_interrupt_a_library_wraps_is_still_an_interrupt(monkeypatch, capsys):
    from estate import cli
    monkeypatch.setattr(cli, "parser", lambda: _Parser(_wrapped_interrupt))
    assert cli.main(["run"]) == 130
    assert capsys.readouterr().err == "estate: interrupted\n"


def test_the_same_error_without_a_signal_is_an_internal_error(monkeypatch, capsys):
    from estate import cli

    def broken(args):
        raise ImportError("initialization failed")

    monkeypatch.setattr(cli, "parser", lambda: _Parser(broken))
    assert cli.main(["run"]) == 2
    assert capsys.readouterr().err.startswith("estate: internal error (ImportError: initialization failed)")


def test_an_interrupted_process_ends_after_its_exit_handlers_without_pythons_shutdown(tmp_path):
    """``interrupts.exit_now``: exit handlers run (multiprocessing's releases the pool's semaphores), then
    the process ends with the status given, before any later shutdown step (here: a thread's join)."""
    mark = tmp_path / "handler-ran"
    code = (
        "import atexit, threading, time\n"
        "from estate import interrupts\n"
        f"atexit.register(lambda: open({str(mark)!r}, 'w').write('yes'))\n"
        "threading.Thread(target=time.sleep, args=(60,)).start()   # Python's shutdown would wait for it\n"
        "interrupts.exit_now(130)\n")
    t = __import__("time").monotonic()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert done.returncode == 130 and mark.read_text() == "yes" and done.stderr == ""
    assert __import__("time").monotonic() - t < 20
