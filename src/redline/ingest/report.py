"""What an ingest reports and keeps of an article on its way: `IngestReport`, `Attempt` (an
article with the hashes and metadata a failure record keeps), a failed article read back to
try again, the errors and notes about article ids, and the content hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from redline.errors import InputError
from redline.ingest.readers import RECORD_FORMATS, RawArticle
from redline.model import Failure


@dataclass
class IngestReport:
    stored: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)  # bad input, and articles a stage failed on
    notes: list[str] = field(default_factory=list)
    failed_before: list[str] = field(default_factory=list)  # skipped: failed in an earlier run, unchanged since
    # Each parsed article's (wall seconds, CPU seconds, characters): what the reliability checks report.
    parse_seconds: dict[str, tuple[float, float, int]] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """Is anything of the input not stored (exit code 1)?"""
        return bool(self.errors or self.failed_before)


@dataclass
class Attempt:
    """An article on its way through the stages, with what a failure record keeps of it."""

    raw: RawArticle
    article_id: str
    meta: dict  # the metadata applied: what `metadata_hash` covers
    content_hash: str
    metadata_hash: str

    def failure(self, stage: str, problem: str) -> tuple[InputError, Failure]:
        raw = self.raw
        err = InputError(raw.path, problem, line=raw.line, article=self.article_id, stage=stage)
        return err, Failure(self.article_id, str(raw.path), raw.line, stage, err.problem, raw.format, raw.is_html,
                            raw.content, json.dumps(self.meta, default=str, sort_keys=True), self.content_hash,
                            self.metadata_hash)


def failed_article(failure: Failure) -> RawArticle:
    """A failed article as it was first read, to try it again (`Ingestor.retry_failed_articles`)."""
    path = failure.source_path if failure.source_format in RECORD_FORMATS else Path(failure.source_path)
    meta = json.loads(failure.meta)
    return RawArticle(failure.article_id, path, failure.source_format, failure.raw, failure.is_html,
                      meta=meta, line=failure.line)


def id_used_in_this_run(path, article_id: str, earlier: str, line: int | None = None) -> InputError:
    return InputError(path, f"article id {article_id!r} already used by {earlier} in this run", line=line)


def id_stored_from_elsewhere(path, article_id: str, stored_path: str | None, line: int | None = None) -> InputError:
    # Another file claims a stored article's id: replacing it would lose that article.
    where = f" from {stored_path}" if stored_path else ""
    return InputError(path, f"article id {article_id!r} is already stored{where} with other content "
                            "(give this file another id in the manifest, or --force to replace it)", line=line)


def failed_before_note(where: str, article_id: str, stage: str) -> str:
    return (f"{where} (article {article_id}): {stage} failed on it in an earlier run; skipped while it is unchanged "
            "(--retry-failed tries it again)")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
