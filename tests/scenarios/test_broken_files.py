"""Every deliberately broken scenario fails with exactly one line naming the file, the field and the
reason: the expected text is the file's first line (`# expect: …`) or listed below."""

from pathlib import Path

import pytest

from estate.cli import main
from scenarios import load
from standards.errors import InputError

BROKEN = Path(__file__).parent / "broken"
NO_COMMENT = {"binary.toml": "is a binary file, not text", "empty.toml": "is empty"}


def expected(path: Path) -> str:
    if path.name in NO_COMMENT:
        return NO_COMMENT[path.name]
    first = path.read_bytes().split(b"\n", 1)[0]
    assert first.startswith(b"# expect: "), f"{path.name} needs a '# expect: ' first line"
    return first[len(b"# expect: "):].decode("utf-8")


FILES = sorted(BROKEN.glob("*.toml"))


def test_the_folder_holds_at_least_ten_kinds_of_error():
    assert len({expected(p).split(" must ")[0] for p in FILES}) >= 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_broken_file_gives_one_line_naming_file_and_field(path: Path):
    with pytest.raises(InputError) as info:
        load(path)
    messages = info.value.messages
    assert len(messages) == 1, messages
    line = messages[0]
    assert "\n" not in line
    assert line.startswith(str(path.parent)), line
    assert expected(path) in line, line


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_cli_validate_exits_1_with_the_message(path: Path, capsys):
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected(path) in err[0]
    assert "Traceback" not in err[0]


def test_huge_file_is_refused_in_one_line(tmp_path: Path):
    huge = tmp_path / "huge.toml"
    huge.write_text('name = "x"\n' + "# padding\n" * 600_000)
    with pytest.raises(InputError) as info:
        load(huge)
    assert len(info.value.messages) == 1
    assert "the limit is 5 MB" in info.value.messages[0]


def test_missing_file_and_folder(tmp_path: Path):
    with pytest.raises(InputError, match="file not found"):
        load(tmp_path / "nope.toml")
    with pytest.raises(InputError, match="is a folder"):
        load(tmp_path)


def test_every_error_in_a_file_is_reported_at_once(tmp_path: Path):
    text = (BROKEN.parent.parent.parent / "scenarios" / "small-2400.toml").read_text()
    text = text.replace("acceptance = 0.85", "acceptance = 1.2").replace("units = 520", "units = -1")
    bad = tmp_path / "two.toml"
    bad.write_text(text)
    with pytest.raises(InputError) as info:
        load(bad)
    assert sorted(m.split(": ", 1)[1] for m in info.value.messages) == [
        "allocation.acceptance must be ≤ 1 (got 1.2)", "buildings[2].units must be > 0 (got -1)"]
