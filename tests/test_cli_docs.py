"""Docs that tests enforce: every command has help with an example and is in the README."""

import re

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
