"""One error type for bad input: it always names the file and the problem in one line."""

from __future__ import annotations

from pathlib import Path

# Longest problem text kept from an exception (a RecursionError's can be long).
MAX_PROBLEM_CHARS = 500


class InputError(Exception):
    """A file (or one record in it) that cannot be ingested, or an article a stage failed on.

    `FILE[:LINE]: problem`, or for a stage that failed on an article
    `FILE[:LINE] (article ID): STAGE: problem`."""

    def __init__(self, path: str | Path, problem: str, line: int | None = None, article: str | None = None,
                 stage: str | None = None):
        self.path = str(path)
        self.problem = " ".join(str(problem).split())  # always one line
        self.line = line
        self.article = article
        self.stage = stage
        where = f"{self.path}:{line}" if line is not None else self.path
        if article is not None:
            where += f" (article {article})"
        super().__init__(f"{where}: {stage + ': ' if stage else ''}{self.problem}")

    def as_record(self) -> dict:
        return {"path": self.path, "problem": self.problem, "line": self.line, "article": self.article, "stage": self.stage}


def describe(err: BaseException) -> str:
    """An unexpected exception as a problem: its type and message, on one line, not too long."""
    text = " ".join(f"{type(err).__name__}: {err}".split())
    return text if len(text) <= MAX_PROBLEM_CHARS else text[:MAX_PROBLEM_CHARS - 1] + "…"
