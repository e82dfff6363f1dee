"""One base exception for the project; the CLI turns these into messages and exit codes."""

from __future__ import annotations


def first_line(error: BaseException) -> str:
    """The first non-blank line of an error's message, or its type's name: for one-line messages."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


class PeelkgError(Exception):
    """Base of every error peelkg raises on purpose; its message is one line a user can act on."""

    exit_code = 2


class InputError(PeelkgError):
    """The input (a report file, a query, an option) is unusable."""

    exit_code = 2


class ReportFormatError(InputError):
    """A report file is not a readable inspection report; names the file and, where known, the line."""

    def __init__(self, path: str, problem: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {problem}")
        self.path = str(path)
        self.problem = problem
        self.line = line

    def __reduce__(self):
        # Pickled with its own arguments, so it crosses from a build worker process intact.
        return (type(self), (self.path, self.problem, self.line))


class ValidationFailed(PeelkgError):
    """The graph does not conform to the SHACL shapes or is logically inconsistent."""

    exit_code = 1


class LimitExceeded(PeelkgError):
    """A query hit its timeout or row cap."""

    exit_code = 3
