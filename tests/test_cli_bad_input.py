"""Bad input through `peelkg build`: one line on stderr naming the file, exit code 2, no store written."""

import pytest
from click.testing import CliRunner

from peelkg.cli import main
from tests.paths import BAD_DIR, ESSEX


def build(*args: str):
    return CliRunner().invoke(main, ["build", "--no-reason", *args])


@pytest.mark.parametrize(
    "name, problem",
    [
        ("empty.txt", "the file is empty"),
        ("latin1.txt", "not valid UTF-8 at byte offset 53"),
        ("binary.txt", "binary file"),
        ("report.pdf.txt", "this is a PDF file"),
        ("not-a-report.txt", "does not look like an inspection report"),
    ],
)
def test_unusable_reports_fail_with_one_line_and_exit_2(tmp_path, name, problem):
    store = tmp_path / "store"
    result = build(str(BAD_DIR / name), "--store", str(store))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(BAD_DIR / name) in lines[0] and problem in lines[0]
    assert "Traceback" not in result.output
    assert not store.exists() and list(tmp_path.iterdir()) == []


def test_a_bad_report_leaves_the_previous_store_intact(tmp_path):
    store = tmp_path / "store"
    assert build(str(ESSEX), "--store", str(store)).exit_code == 0
    before = sorted(p.name for p in store.iterdir())
    result = build(str(BAD_DIR / "latin1.txt"), "--store", str(store))
    assert result.exit_code == 2
    assert sorted(p.name for p in store.iterdir()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store", "store.versions"]
    assert sorted(p.name for p in (tmp_path / "store.versions").iterdir()) == ["1", "lock"]


@pytest.mark.parametrize("name, warnings", [("truncated.txt", 4), ("missing-section.txt", 1)])
def test_incomplete_reports_build_with_one_warning_per_missing_part(tmp_path, name, warnings):
    result = build(str(BAD_DIR / name), "--store", str(tmp_path / "store"))
    assert result.exit_code == 0, result.output
    assert result.stderr.count("missing section") == warnings


def test_strict_turns_warnings_into_failure(tmp_path):
    result = build("--strict", str(BAD_DIR / "missing-section.txt"), "--store", str(tmp_path / "store"))
    assert result.exit_code == 2
    assert "missing section" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "store").exists()


def test_the_bundled_report_builds_clean_under_strict(tmp_path):
    result = build("--strict", str(ESSEX), "--store", str(tmp_path / "store"))
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr


def test_a_missing_file_is_an_input_error(tmp_path):
    result = build(str(tmp_path / "nowhere.txt"), "--store", str(tmp_path / "store"))
    assert result.exit_code == 2 and "does not exist" in result.stderr
