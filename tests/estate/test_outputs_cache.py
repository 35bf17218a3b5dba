"""Output folders never overwrite a user's files; runs are cached on scenario content."""

from pathlib import Path

import pytest

from estate import editing
from estate.outputs import MARK, prepare
from estate.run_cache import RunCache, key
from scenarios import load
from standards.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def test_a_folder_with_the_users_files_is_refused(tmp_path):
    (tmp_path / "plan.json").write_text("mine")
    with pytest.raises(InputError, match=r"already holds plan.json not written by `estate run`"):
        prepare(tmp_path, ("plan.json", "budget.csv"), "estate run")
    assert (tmp_path / "plan.json").read_text() == "mine" and not (tmp_path / MARK).exists()


def test_a_folder_of_ours_may_be_written_again(tmp_path):
    out = prepare(tmp_path / "new", ("plan.json",), "estate run")
    (out / "plan.json").write_text("{}")
    assert prepare(out, ("plan.json",), "estate plan") == out


def test_a_file_is_not_a_folder(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="is a file, not a folder"):
        prepare(tmp_path / "f", ("plan.json",), "estate run")


def test_the_cache_key_follows_every_edit():
    s = load(ROOT / "scenarios/small-2400.toml")
    assert key(s) == key(load(ROOT / "scenarios/small-2400.toml"))
    assert key(editing.apply(s, {"replications": s.replications + 1})) != key(s)
    assert key(editing.apply(s, {}, election=(0.25, "pilot"))) != key(s)


def test_the_cache_drops_the_least_recently_used():
    s = load(ROOT / "scenarios/small-2400.toml")
    a, b, c = (editing.apply(s, {"replications": n}) for n in (1, 2, 3))
    cache = RunCache(maxsize=2)
    cache.put(a, "A")
    cache.put(b, "B")
    assert cache.get(a) == "A"          # a is now the most recent
    cache.put(c, "C")
    assert cache.get(b) is None and cache.get(a) == "A" and cache.get(c) == "C" and len(cache) == 2


def test_the_cache_is_asked_by_scenario_or_by_its_key():
    s = load(ROOT / "scenarios/small-2400.toml")
    other = editing.apply(s, {"replications": 2})
    cache = RunCache()
    cache.put(s, "S")
    assert cache.get(key(s)) == "S" and cache.get(s) == "S"
    assert cache.get(key(other)) is None and cache.get("not a key") is None
