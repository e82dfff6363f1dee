"""A closed pipe (`peelkg queries | head -1`) ends a command quietly with status 141, as SIGPIPE ends git.

These tests run `peelkg` in a child process whose output pipe is closed before it writes: a
closed pipe is a condition of the operating system that an in-process runner cannot give.
"""

import subprocess
import sys

import pytest
from click.testing import CliRunner

from peelkg.cli import CLOSED_PIPE_EXIT, main
from tests.paths import CAUSE_OF_CONCERN, WESSEX

PEELKG = [sys.executable, "-c", "from peelkg.cli import main; main()"]


def run_into_closed_pipe(*args: str) -> int:
    """The exit status of peelkg run with stdout and stderr into one pipe that is closed at once (`2>&1 | head`)."""
    child = subprocess.Popen([*PEELKG, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    child.stdout.close()
    return child.wait(timeout=300)


def stdout_into_closed_pipe(*args: str) -> tuple[int, bytes]:
    """Exit status and stderr of peelkg run with its stdout into a pipe that is closed at once."""
    child = subprocess.Popen([*PEELKG, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()
    status = child.wait(timeout=120)
    return status, child.stderr.read()


@pytest.mark.parametrize("command", ["queries", "export --format nquads", "query grades --format csv"])
def test_a_closed_pipe_ends_a_command_quietly_with_the_sigpipe_status(command, sample_store):
    args = command.split() + ([] if command == "queries" else ["--store", str(sample_store)])
    status, stderr = stdout_into_closed_pipe(*args)
    assert status == CLOSED_PIPE_EXIT == 141
    assert stderr == b""   # no traceback, no "Exception ignored" from the interpreter's last flush


def tree(folder) -> list[str]:
    """The names two levels down (a store, its versions and lock), as they lie on disk."""
    return sorted(str(p.relative_to(folder)) for p in [*folder.glob("*"), *folder.glob("*/*")])


def test_a_build_a_closed_pipe_interrupts_leaves_the_previous_store(tmp_path):
    store = tmp_path / "store"
    first = CliRunner().invoke(main, ["build", "--no-reason", str(WESSEX), "--store", str(store)])
    assert first.exit_code == 0, first.output
    before = tree(tmp_path), store.resolve()
    # Two reports: the progress line after the first one meets the closed pipe.
    status = run_into_closed_pipe("build", "--no-reason", "--jobs", "1", str(WESSEX), str(CAUSE_OF_CONCERN),
                                  "--store", str(store))
    assert status == CLOSED_PIPE_EXIT
    assert (tree(tmp_path), store.resolve()) == before   # the same version in place, no half-built one beside it
    graphs = CliRunner().invoke(main, ["query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                       "--format", "csv", "--store", str(store)])
    assert "mercia" not in graphs.stdout and "wessex" in graphs.stdout
