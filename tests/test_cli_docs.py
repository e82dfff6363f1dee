"""Docs that tests enforce: every command has help with an example and is in the README."""

import re
import shutil
import subprocess

import click
import pytest
from click.testing import CliRunner

from peelkg.cli import main
from tests.paths import TESTS_DIR

README = (TESTS_DIR.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help_and_is_in_the_readme(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert len(main.commands[name].help or "") > 20
    assert f"peelkg {name}" in README, f"README does not mention `peelkg {name}`"


SUBCOMMANDS = sorted((group, name) for group, command in main.commands.items()
                     if isinstance(command, click.Group) for name in command.commands)


@pytest.mark.parametrize("group, name", SUBCOMMANDS)
def test_every_subcommand_has_help_and_is_in_the_readme(group, name):
    result = CliRunner().invoke(main, [group, name, "--help"])
    assert result.exit_code == 0
    assert len(main.commands[group].commands[name].help or "") > 20
    assert f"peelkg {group} {name}" in README, f"README does not mention `peelkg {group} {name}`"


def test_readme_has_exactly_two_setup_commands():
    section = README.split("## Set up and run", 1)[1].split("\n## ", 1)[0]
    assert len(re.findall(r"^```\n(.+)\n```$", section, re.MULTILINE)) == 2


def test_ci_runs_the_readmes_test_command():
    ci = (TESTS_DIR.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash .ci/test" in README and "bash .ci/test" in ci


def test_what_commands_write_by_default_is_ignored_by_git():
    """What every command writes by default (output folders, and the store: a symbolic link to its
    current version beside a folder of versions) is ignored by git, as git itself decides."""
    from pathlib import Path

    from peelkg.graph.versions import versions_dir

    root = TESTS_DIR.parent
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("not a git checkout")
    folders = {param.default for command in main.commands.values() for param in command.params
               if isinstance(param.default, Path)}
    assert folders, "no command writes to a default path"
    store = Path("peelkg-store")
    paths = [f"{folder}/index.html" for folder in sorted(folders)] + [str(store), f"{versions_dir(store)}/1/CURRENT"]
    ignored = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=root, capture_output=True,
                             text=True).stdout.split()
    missing = [path for path in paths if path not in ignored]
    assert not missing, f"add to .gitignore: {missing}"


def test_ci_lints_type_checks_and_runs_the_docstring_examples():
    """`.ci/test` runs ruff, mypy and the doctests too, with tools the test extra pins."""
    ci = (TESTS_DIR.parent / ".ci" / "test").read_text(encoding="utf-8")
    for command in ("python3 -m ruff check .", "python3 -m mypy", "--doctest-modules --pyargs peelkg"):
        assert command in ci, f".ci/test does not run {command!r}"
    pyproject = (TESTS_DIR.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'test = \[[^\]]*"ruff==[\d.]+"[^\]]*"mypy==[\d.]+"', pyproject)
    assert "[tool.ruff.lint]" in pyproject and "[tool.mypy]" in pyproject
