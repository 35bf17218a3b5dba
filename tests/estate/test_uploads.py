"""Uploaded files become scenarios, or one-line messages naming the upload."""

from pathlib import Path

import pytest

from estate.uploads import scenario_from_upload
from scenarios import load
from standards.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "scenarios"


@pytest.fixture(scope="module")
def base():
    return load(EXAMPLES / "small-2400.toml")


def test_a_scenario_upload_finds_its_layout_beside_the_examples(base):
    s = scenario_from_upload("mine.toml", (EXAMPLES / "shandong-20k.toml").read_bytes(), base, EXAMPLES)
    assert s.regime == "shandong" and s.total_units == load(EXAMPLES / "shandong-20k.toml").total_units


def test_a_buildings_upload_keeps_the_base_assumptions(base):
    s = scenario_from_upload("towers.csv", (EXAMPLES / "layouts/chongqing-20k.csv").read_bytes(), base, EXAMPLES)
    assert s.name == f"{base.name} + towers.csv"
    assert s.allocation == base.allocation and s.total_units > 15_000


@pytest.mark.parametrize("name, data, message", [
    ("broken.toml", b"name = \n", "broken.toml: is not valid TOML"),
    ("broken.toml", b"name = 3\n", "broken.toml: name must be text (got 3)"),
    ("notes.txt", b"hello", "notes.txt: must be a .toml scenario or a .csv / .geojson buildings file"),
    ("towers.csv", b"id,x\n1,2\n", "towers.csv: missing column(s)"),
    ("latin1.toml", "name = 'é'".encode("latin-1"), "latin1.toml: is not UTF-8 text"),
])
def test_a_bad_upload_is_named_in_one_line(base, name, data, message):
    with pytest.raises(InputError) as exc:
        scenario_from_upload(name, data, base, EXAMPLES)
    assert any(m.startswith(message) for m in exc.value.messages), exc.value.messages
    assert all("\n" not in m and "/tmp" not in m for m in exc.value.messages)
