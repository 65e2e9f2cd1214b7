"""One error type for bad input: it always names the file and the problem in one line."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A file (or one record in it) that cannot be ingested."""

    def __init__(self, path: str | Path, problem: str, line: int | None = None):
        self.path = str(path)
        self.problem = " ".join(str(problem).split())  # always one line
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {self.problem}")
