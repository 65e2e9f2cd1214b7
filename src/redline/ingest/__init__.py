"""Ingest: files -> clean articles -> language -> spaCy -> the database, one article at a time.

Idempotent: an article whose content and metadata are already stored is skipped, so an
interrupted run is completed by running it again. Parsed articles are written in batches, one
transaction each (see `store.Store.save_articles`), bounded by `write_batch` articles and
`write_chars` characters of input and text; an article is reported stored once its batch is
committed, and a batch the database refuses is written again one article at a time, so that
only the article it refuses fails.

Isolated: an exception in any stage (cleaning, a spaCy component, the write) fails that
article alone. It is reported as `FILE[:LINE] (article ID): STAGE: problem`, kept in the
`failures` table as it was read, and skipped by later runs while it stays unchanged
(`retry_failed` tries it again). The other articles go on.

The package: `Ingestor` and `ingest` here run it; `prepare.py` makes an article ready to parse
(metadata, outlet furniture, done before, cleaning), `parse.py` parses (the pipeline, in worker
processes, with a time limit per article), `report.py` holds what a run reports; the readers,
manifest, feeds, loader and the Dask engine have their own modules.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from redline.clean import load_furniture_rules
from redline.config import Settings
from redline.errors import InputError, describe
from redline.ingest.manifest import Manifest
from redline.ingest.parse import (ArticleTimeout, Failed, Findings, Parsed, analyse, analyse_one, die_with_parent,
                                  time_limit)
from redline.ingest.prepare import PIPELINE_VERSION, ArticleSteps
from redline.ingest.readers import RawArticle, discover, read_file
from redline.ingest.report import (Attempt, IngestReport, failed_article, failed_before_note,
                                   id_stored_from_elsewhere, id_used_in_this_run, sha256)
from redline.ingest.workers import ParseWorkers
from redline.model import ArticleRecord
from redline.nlp import pipeline_key
from redline.store import Store

__all__ = ["NLP_BATCH", "PIPELINE_VERSION", "WRITE_BATCH", "WRITE_CHARS", "ArticleSteps", "ArticleTimeout",
           "Attempt", "Failed", "Findings", "IngestReport", "Ingestor", "Parsed", "analyse", "analyse_one", "die_with_parent", "failed_article",
           "failed_before_note", "id_stored_from_elsewhere", "id_used_in_this_run", "ingest", "sha256",
           "texts_of", "time_limit"]

NLP_BATCH = 16
# A write batch: at most this many articles, and this many characters of input and clean text
# (what a batch holds in memory beyond the parse); the transaction's fixed cost is paid once.
WRITE_BATCH = 8
WRITE_CHARS = 16 * 2**20


class Ingestor(ArticleSteps):
    """Runs the ingest of a set of paths into one Store."""

    def __init__(
        self,
        store: Store,
        settings: Settings | None = None,
        manifest: Manifest | None = None,
        furniture: Iterable[Path] = (),
        force: bool = False,
        on_progress: Callable[[str, str], None] | None = None,
        workers: int = 1,
        batch_size: int = NLP_BATCH,
        outlet_repeated: dict[str, frozenset[str]] | None = None,
        retry_failed: bool = False,
        failed_before: dict[str, tuple[str, str, str]] | None = None,
        write_batch: int = WRITE_BATCH,
        write_chars: int = WRITE_CHARS,
    ):
        self.store = store
        self.settings = settings or Settings()
        self.manifest = manifest or Manifest()
        self.rules = load_furniture_rules(furniture)
        self.force = force
        self.on_progress = on_progress or (lambda event, detail: None)
        self.report = IngestReport()
        self._pending: list[tuple[ArticleRecord, Attempt]] = []  # English articles awaiting NLP
        self._ids_this_run: dict[str, str] = {}
        # Each outlet's repeated short lines; found by `run` unless given (a partition of a
        # distributed run gets those of the whole corpus).
        self._repeated: dict[str, frozenset[str]] | None = outlet_repeated
        # Articles a stage failed on in earlier runs (id -> content hash, metadata hash, stage):
        # skipped while unchanged, unless retrying. Given to a partition of a distributed run.
        self.retry_failed = retry_failed or force
        self._failed = {} if self.retry_failed else (store.failed_identities() if failed_before is None else failed_before)
        self._pipeline_key = (*pipeline_key(self.settings), self.settings.max_article_seconds)
        self.workers = max(1, workers)
        self.batch_size = batch_size
        self.write_batch, self.write_chars = max(1, write_batch), write_chars
        self._unwritten: list[tuple[ArticleRecord, Attempt]] = []  # parsed, awaiting their batch's transaction
        self._unwritten_chars = 0
        self._in_flight: deque[Batch] = deque()  # sent to the workers, not stored yet; in input order
        self._unsent: deque[Batch] = deque()  # waiting for a worker with room
        self.pool: ParseWorkers | None = None  # started when a second batch shows the corpus is not tiny

    # -- the run ---------------------------------------------------------------------------
    def run(self, paths: list[Path]) -> IngestReport:
        files, errors = discover(paths)
        for error in self.manifest.errors + errors:
            self._error(error)
        self.on_progress("files", str(len(files)))
        if self._repeated is None:
            self._repeated = self.find_outlet_furniture(files)
        for path in files:
            for item in read_file(path, self.settings):
                self._take(item)
            self.on_progress("file-done", str(path))
        self._drain()
        return self.report

    def run_articles(self, items: Iterable[RawArticle | InputError]) -> IngestReport:
        """Ingest articles that come from elsewhere than files (a feed), through the same stages."""
        if self._repeated is None:
            self._repeated = {}
        for item in items:
            self._take(item)
        self._drain()
        return self.report

    def retry_failed_articles(self) -> IngestReport:
        """Try again the articles a stage failed on, from the input kept in `failures`."""
        articles = [failed_article(f) for f in self.store.failed_articles()]
        self.on_progress("files", str(len(articles)))
        if self._repeated is None:
            self._repeated = self.repeated_lines(articles)
        for raw in articles:
            self._take(raw)
            self.on_progress("file-done", raw.where)
        self._drain()
        return self.report

    def _take(self, item: RawArticle | InputError) -> None:
        if isinstance(item, InputError):
            self._error(item)
        else:
            self._process(item)

    def close(self) -> None:
        """Stop the worker processes (what they were parsing and is not stored is parsed again next run)."""
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def _error(self, err: InputError) -> None:
        self.report.errors.append(err)
        self.on_progress("error", str(err))

    def _fail(self, attempt: Attempt, stage: str, problem: str) -> None:
        """A stage failed on this article: one line, and the article kept in `failures`; the others go on."""
        err, failure = attempt.failure(stage, problem)
        self._error(err)
        self.store.record_failure(failure)

    # -- one article -------------------------------------------------------------------------
    def _process(self, raw: RawArticle) -> None:
        try:
            attempt = self._attempt(raw)
            if self._done_before(attempt):
                return
        except InputError as err:
            self._error(err)
            return
        try:
            rec = self._clean(attempt)
        except InputError as err:
            self._error(err)
            return
        except Exception as err:  # extraction, cleaning or language identification broke on this article alone
            self._fail(attempt, "clean", describe(err))
            return
        if raw.note:
            self.report.notes.append(f"{raw.where}: {raw.note}")
        if rec.language and rec.language not in self.settings.english_codes:
            rec.nlp_note = f"not English ({rec.language}): English-only stages skipped"
            self.report.notes.append(f"{rec.id}: {rec.nlp_note}")
            self._save(rec, attempt)
            return
        self._pending.append((rec, attempt))
        if len(self._pending) >= self.batch_size:
            self._flush()

    def _flush(self, last: bool = False) -> None:
        """Parse the waiting English articles as one batch (here, or in a worker process) and store them."""
        if not self._pending:
            return
        if self.pool is None and self.workers > 1 and not last:
            # Workers parse; this process reads, cleans, decides what is new, and is the one writer.
            self.pool = ParseWorkers(self.workers)
        batch, self._pending = self._pending, []
        if self.pool is None:
            findings = []
            for article in batch:  # parsing takes seconds: a web app serving this file may read meanwhile
                self.store.let_readers_in()
                findings += analyse(texts_of([article]), self._pipeline_key)
            self._store_batch(batch, findings)
            return
        self._in_flight.append(Batch(batch))
        self._unsent.append(self._in_flight[-1])
        self._send()
        # Bounded: at most two batches per worker wait in memory; the oldest is stored first,
        # so articles reach the database in input order whatever the number of workers.
        while len(self._in_flight) > 2 * self.workers:
            self._store_oldest()

    def _send(self) -> None:
        while self._unsent and self.pool.has_room():
            batch = self._unsent.popleft()
            self.pool.send(batch, texts_of(batch.articles), self._pipeline_key)

    def _store_oldest(self) -> None:
        oldest = self._in_flight[0]
        while not oldest.done:
            batch, findings = self.pool.receive()
            if findings is None:
                self._after_its_worker_died(batch)
            else:
                batch.findings = findings
            self._send()
        self._in_flight.popleft()
        self.store.let_readers_in()
        self._store_batch(oldest.articles, oldest.all_findings())

    def _after_its_worker_died(self, batch: "Batch") -> None:
        """A worker process died (killed, out of memory, a crash in C) parsing this batch: it is
        parsed again, first; a batch that loses its worker a second time is parsed one article at
        a time, so that only the article that kills its worker fails. The other batches are not
        touched."""
        batch.deaths += 1
        if batch.deaths == 1:
            self._unsent.appendleft(batch)
        elif len(batch.articles) > 1:
            batch.parts = [Batch([article], deaths=1) for article in batch.articles]
            self._unsent.extendleft(reversed(batch.parts))
        else:
            batch.findings = [(Failed("parse", "the worker process parsing it died (killed, or out of memory)"), 0.0, 0.0)]

    def _store_batch(self, batch: list[tuple[ArticleRecord, Attempt]], findings: list[Parsed]) -> None:
        for (rec, attempt), (found, wall, cpu) in zip(batch, findings):
            self.report.parse_seconds[rec.id] = (wall, cpu, len(rec.text))
            if isinstance(found, Failed):
                self._fail(attempt, found.stage, found.problem)
                continue
            rec.sentences, rec.terms, rec.mentions, rec.quotes, rec.events = found
            self._save(rec, attempt)
        self._write()  # what a parse batch found is not kept waiting for the next one

    def _drain(self) -> None:
        self._flush(last=True)
        while self._in_flight:
            self._store_oldest()
        self._write()

    def _save(self, rec: ArticleRecord, attempt: Attempt) -> None:
        """Queue an article for the next write batch, written when the batch is full."""
        self._unwritten.append((rec, attempt))
        self._unwritten_chars += len(rec.raw) + len(rec.text)
        if len(self._unwritten) >= self.write_batch or self._unwritten_chars >= self.write_chars:
            self._write()

    def _write(self) -> None:
        """Write the queued articles in one transaction; if the database refuses it, each one
        in its own, so that only the article it refuses fails (its transaction rolled back)."""
        batch, self._unwritten, self._unwritten_chars = self._unwritten, [], 0
        if not batch:
            return
        try:
            self.store.save_articles([rec for rec, _ in batch])
            written = batch
        except Exception:  # a value the database refuses: found again below, article by article
            written = []
            for rec, attempt in batch:
                try:
                    self.store.save_article(rec)
                    written.append((rec, attempt))
                except Exception as err:
                    self._fail(attempt, "store", describe(err))
        for rec, _ in written:
            self.report.stored.append(rec.id)
            self.on_progress("stored", rec.id)
        self.store.let_readers_in()  # a web app serving this file gets a turn between transactions


@dataclass(eq=False)  # compared by identity: a batch is the worker job that parses it
class Batch:
    """English articles parsed together, by one worker."""

    articles: list[tuple[ArticleRecord, Attempt]]
    deaths: int = 0  # workers that died parsing it
    findings: list[Parsed] | None = None
    parts: list["Batch"] | None = None  # one article each, once it has lost two workers

    @property
    def done(self) -> bool:
        return self.findings is not None or (self.parts is not None and all(part.done for part in self.parts))

    def all_findings(self) -> list[Parsed]:
        return self.findings if self.findings is not None else [f for part in self.parts for f in part.all_findings()]


def texts_of(batch: list[tuple[ArticleRecord, Attempt]]) -> list[tuple[str, "dt.date | None"]]:
    return [(rec.text, rec.published) for rec, _ in batch]


def ingest(
    paths: list[Path],
    store: Store,
    settings: Settings | None = None,
    manifest: Path | None = None,
    **options,
) -> IngestReport:
    """Ingest `paths` into `store`; see `Ingestor` for the options."""
    loaded = Manifest.load(manifest) if manifest else None
    ingestor = Ingestor(store, settings, loaded, **options)
    try:
        return ingestor.run(paths)
    finally:
        ingestor.close()
