"""The distribution as pyproject.toml declares it: every dependency pinned or bounded."""

import re
import tomllib

import pytest

from tests.paths import TESTS_DIR

PROJECT = tomllib.loads((TESTS_DIR.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]
REQUIREMENTS = PROJECT["dependencies"] + [r for extra in PROJECT["optional-dependencies"].values() for r in extra]


@pytest.mark.parametrize("requirement", REQUIREMENTS)
def test_every_dependency_is_pinned_or_bounded_above(requirement):
    """An open-ended range lets a new major version, with its removals, in on the next install."""
    operators = set(re.findall(r"===?|~=|!=|<=?|>=?", requirement))
    assert operators & {"==", "<", "<=", "~="}, f"{requirement}: pin it (==) or bound it (<next major)"
