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


class UserError(Exception):
    """A mistake of the user's: a value, an option or a file Redline cannot use. Always one line;
    each front end renders it once (the CLI: `error: ...` and exit code 2; the web API: `status`
    with the same message). Its subclasses are the kinds of mistake."""

    status = 400
    exit_code = 2

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


class UnknownValue(UserError):
    """An option names something that does not exist (a country, an event type, a story, a
    speaker): the message gives the closest valid choices."""

    status = 400  # in the web API: FastAPI's 422 is its own validation error, of another shape

    def __init__(self, what: str, value: str, hint: str):
        self.what, self.value = what, value
        super().__init__(f"unknown {what} {value!r}: {hint}")


class NotFound(UserError):
    """An id that names nothing stored (an article, a story, an actor)."""

    status = 404
    exit_code = 1


class BadFile(UserError):
    """A file that is not what the option takes: not a Redline database, a watch-rule file given
    as event rules, a file that is not there."""
