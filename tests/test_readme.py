"""The README's two commands are the ones CI and users run, and its examples exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", readme)


def test_ci_runs_exactly_the_readme_test_command():
    commands = _commands()
    assert len(commands) >= 2
    test_command = commands[1]
    assert "pytest" in test_command
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


def test_the_main_job_uses_a_bundled_example():
    main_job = _commands()[0]
    for path in re.findall(r"scenarios/[\w./-]+\.toml", main_job):
        assert (ROOT / path).is_file(), path


def test_every_example_scenario_is_described_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in (ROOT / "scenarios").glob("*.toml"):
        assert f"`{path.name}`" in readme, path.name
