"""A scenario written back to TOML loads to the same scenario."""

from pathlib import Path

import pytest

from scenarios import load
from scenarios.writer import to_toml

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.toml")), ids=lambda p: p.name)
def test_round_trip_with_inline_buildings(path, tmp_path):
    original = load(path)
    out = tmp_path / "copy.toml"
    out.write_text(to_toml(original, header="edited in the app"), encoding="utf-8")
    copy = load(out)
    assert copy.model_dump(exclude={"layout"}) == original.model_dump(exclude={"layout"})
    assert copy.layout is None
    assert out.read_text(encoding="utf-8").startswith("# edited in the app\n")


def test_layout_reference_kept_when_asked(tmp_path):
    original = load(ROOT / "scenarios/chongqing-20k.toml")
    text = to_toml(original, inline_buildings=False)
    assert 'file = "layouts/chongqing-20k.csv"' in text and "[[buildings]]" not in text
