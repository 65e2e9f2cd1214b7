"""Ingest: files -> clean articles -> language -> spaCy -> the database, one article at a time.

Idempotent: an article whose content and metadata are already stored is skipped, so an
interrupted run is completed by running it again. Each article is written in its own
transaction (see `store.Store.save_article`).

Isolated: an exception in any stage (cleaning, a spaCy component, the write) fails that
article alone. It is reported as `FILE[:LINE] (article ID): STAGE: problem`, kept in the
`failures` table as it was read, and skipped by later runs while it stays unchanged
(`retry_failed` tries it again). The other articles go on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import signal
import threading
import time
from collections import defaultdict, deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from redline.clean import clean_text, load_furniture_rules, short_line_key, split_lines
from redline.clean.html import extract_html
from redline.config import Settings
from redline.errors import InputError, describe
from redline.ingest.manifest import Manifest, parse_date
from redline.ingest.readers import RECORD_FORMATS, RawArticle, discover, read_file
from redline.language import identify
from redline.model import ArticleRecord, Failure
from redline.nlp import doc_sentences, doc_terms, load_pipeline, pipeline_key
from redline.store import Store

# Bump when cleaning or NLP output changes, so that a re-ingest redoes stored articles.
PIPELINE_VERSION = "5"
NLP_BATCH = 16


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


class Ingestor:
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
        self._in_flight: deque = deque()  # (batch, future, tried before)
        self.pool: ProcessPoolExecutor | None = None  # started when a second batch shows the corpus is not tiny

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
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def _error(self, err: InputError) -> None:
        self.report.errors.append(err)
        self.on_progress("error", str(err))

    def _fail(self, attempt: Attempt, stage: str, problem: str) -> None:
        """A stage failed on this article: one line, and the article kept in `failures`; the others go on."""
        err, failure = attempt.failure(stage, problem)
        self._error(err)
        self.store.record_failure(failure)

    # -- metadata --------------------------------------------------------------------------
    def _metadata(self, raw: RawArticle) -> dict:
        """Record metadata (jsonl) overridden by the manifest's row for this file or id."""
        row = self.manifest.by_id.get(raw.id, {}) if raw.format in RECORD_FORMATS else self.manifest.row_for(raw.path, raw.id)
        meta = dict(raw.meta)
        if "published" in meta and not isinstance(meta["published"], dt.date):
            try:
                meta["published"] = parse_date(str(meta["published"]))
            except ValueError as err:
                raise InputError(raw.path, str(err), line=raw.line) from None
        # (An article tried again carries the source its date had the first time.)
        meta.setdefault("published_source", "record" if "published" in meta else None)
        meta.setdefault("outlet_source", "record" if meta.get("outlet") else None)
        meta.update(row)
        for key in ("published", "outlet"):
            if row.get(key):
                meta[f"{key}_source"] = "manifest"
        return meta

    # -- outlet furniture ----------------------------------------------------------------------
    def find_outlet_furniture(self, files: list[Path]) -> dict[str, frozenset[str]]:
        """Short lines that several plain-text articles of one outlet share (stored ones included).

        A first pass over the plain-text inputs (cheap next to parsing) so that the first
        article of an outlet is cleaned as well as its last.
        """
        return self.repeated_lines(item for path in files for item in read_file(path, self.settings))

    def repeated_lines(self, items: Iterable[RawArticle | InputError],
                       stored_lines: Callable[[str, set[str]], dict[str, set[str]]] | None = None) -> dict[str, frozenset[str]]:
        """The repeated short lines of each outlet among `items` and the stored articles (looked
        up by `stored_lines`, by default in this ingest's store)."""
        stored_lines = stored_lines or self.store.outlet_line_articles
        seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for item in items:
            if isinstance(item, InputError) or item.is_html:
                continue
            try:
                meta = self._metadata(item)
            except InputError:
                continue
            outlet = meta.get("outlet")
            if outlet:
                article_id = meta.get("id", item.id)
                for line in split_lines(item.content):
                    if key := short_line_key(line):
                        seen[outlet][key].add(article_id)
        need = self.settings.outlet_repeat_min_articles
        repeated = {}
        for outlet, lines in seen.items():
            stored = stored_lines(outlet, set(lines))
            repeated[outlet] = frozenset(
                key for key, ids in lines.items() if len(ids | stored.get(key, set())) >= need
            )
        return repeated

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

    def _attempt(self, raw: RawArticle) -> Attempt:
        meta = self._metadata(raw)
        article_id = meta.pop("id", raw.id)
        earlier = self._ids_this_run.setdefault(article_id, raw.where)
        if earlier != raw.where:
            raise id_used_in_this_run(raw.path, article_id, earlier, line=raw.line)
        return Attempt(raw, article_id, meta, sha256(raw.content),
                       sha256(json.dumps(meta, default=str, sort_keys=True) + PIPELINE_VERSION))

    def _done_before(self, attempt: Attempt) -> bool:
        """Is the article stored unchanged, or did a stage fail on it unchanged in an earlier run?
        (InputError when its id is stored from another file.)"""
        raw, article_id, hashes = attempt.raw, attempt.article_id, (attempt.content_hash, attempt.metadata_hash)
        stored = self.store.article_identity(article_id)
        if stored and not self.force:
            if (stored["content_hash"], stored["metadata_hash"]) == hashes:
                self.report.unchanged.append(article_id)
                self.on_progress("unchanged", article_id)
                return True
            if stored["content_hash"] != attempt.content_hash and stored["source_path"] != str(raw.path):
                raise id_stored_from_elsewhere(raw.path, article_id, stored["source_path"], line=raw.line)
        failed = self._failed.get(article_id)
        if failed is not None and failed[:2] == hashes:
            self.report.failed_before.append(article_id)
            self.report.notes.append(failed_before_note(raw.where, article_id, failed[2]))
            self.on_progress("failed-before", article_id)
            return True
        return False

    def _clean(self, attempt: Attempt) -> ArticleRecord:
        raw, article_id = attempt.raw, attempt.article_id
        meta = dict(attempt.meta)
        outlet = meta.get("outlet")
        repeated = self._repeated.get(outlet, frozenset())
        title = page_date = None
        # Refused before cleaning, which takes seconds per megabyte.
        what, setting = ("HTML page", "max_html_chars") if raw.is_html else ("article", "max_article_chars")
        if len(raw.content) > getattr(self.settings, setting):
            raise InputError(raw.path, self._too_long(raw.content, what, setting), line=raw.line)
        if raw.is_html:
            page = extract_html(raw.content, outlet=outlet, rules=self.rules, outlet_repeated=repeated)
            if page is None:
                raise InputError(raw.path, "no article text found in the HTML page", line=raw.line)
            clean, title = page.clean, page.title
            page_date = page.date
            meta.setdefault("url", page.url)
            if not outlet and page.sitename:  # og:site_name, the publisher in JSON-LD or meta tags
                meta["outlet"], meta["outlet_source"] = page.sitename, "page"
                outlet = page.sitename
        else:
            clean = clean_text(raw.content, outlet=outlet, rules=self.rules, outlet_repeated=repeated)
            title = clean.title
        if not clean.text.strip():
            raise InputError(raw.path, "nothing left after removing page furniture", line=raw.line)
        if len(clean.text) > self.settings.max_article_chars:
            raise InputError(raw.path, self._too_long(clean.text, "article text", "max_article_chars"), line=raw.line)
        published, published_source = meta.get("published"), meta.get("published_source")
        if published is None and page_date:
            published, published_source = parse_date(page_date), "page"
        detected, score = identify(clean.text)
        language = meta.get("language") or detected  # the manifest or record wins
        if language != detected and score > 0.9:
            self.report.notes.append(f"{article_id}: metadata says {language}, the text reads as {detected} (p={score:.2f})")
        return ArticleRecord(
            id=article_id,
            raw=raw.content,
            text=clean.text,
            content_hash=attempt.content_hash,
            metadata_hash=attempt.metadata_hash,
            source_path=str(raw.path),
            source_format=raw.format,
            outlet=outlet,
            url=meta.get("url"),
            title=meta.get("title") or title,
            published=published,
            published_source=published_source,
            outlet_source=meta.get("outlet_source") if outlet else None,
            language=language,
            language_score=score,
            removed=clean.removed,
            short_lines=clean.short_lines,
        )

    def _flush(self, last: bool = False) -> None:
        """Parse the waiting English articles as one batch (here, or in a worker process) and store them."""
        if not self._pending:
            return
        if self.pool is None and self.workers > 1 and not last:
            self.pool = self._start_pool()
        batch, self._pending = self._pending, []
        if self.pool is None:
            findings = []
            for article in batch:  # parsing takes seconds: a web app serving this file may read meanwhile
                self.store.let_readers_in()
                findings += analyse(texts_of([article]), self._pipeline_key)
            self._store_batch(batch, findings)
            return
        self._in_flight.append((batch, self._submit(batch), False))
        # Bounded: at most two batches per worker wait in memory; the oldest is stored first,
        # so articles reach the database in input order whatever the number of workers.
        while len(self._in_flight) > 2 * self.workers:
            self._store_oldest()

    def _start_pool(self) -> ProcessPoolExecutor:
        # Workers parse; this process reads, cleans, decides what is new, and is the one writer.
        # Spawned, not forked: each loads its own pipeline, sharing nothing with this one.
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=die_with_parent, initargs=(os.getpid(),))

    def _submit(self, batch: list) -> Future:
        """The batch's findings to come from a worker. A pool that broke since it was last used
        gives a future with that error, handled where results are taken (`_after_a_worker_died`)."""
        try:
            return self.pool.submit(analyse, texts_of(batch), self._pipeline_key)
        except (BrokenProcessPool, OSError) as err:
            # (OSError: the pool broke while this submit started a worker, and closed its queues.)
            lost: Future = Future()
            lost.set_exception(err if isinstance(err, BrokenProcessPool) else BrokenProcessPool(str(err)))
            return lost

    def _store_oldest(self) -> None:
        batch, future, tried_before = self._in_flight.popleft()
        try:
            findings = future.result()
        except BrokenProcessPool:
            findings = self._after_a_worker_died(batch, tried_before)
        self.store.let_readers_in()
        self._store_batch(batch, findings)

    def _after_a_worker_died(self, batch: list, tried_before: bool) -> list:
        """A worker process died (killed, out of memory, a crash in C): every batch in flight is
        lost with the pool. They are parsed again by a new pool; a batch that loses its worker a
        second time is parsed one article at a time, so that only the article that kills its
        worker fails."""
        self._restart_pool()
        self._in_flight = deque((b, self._submit(b), True) for b, _, _ in self._in_flight)
        if not tried_before:
            try:
                return self._submit(batch).result()
            except BrokenProcessPool:
                return self._after_a_worker_died(batch, True)
        findings = []
        for article in batch:
            try:
                findings += self._submit([article]).result()
            except BrokenProcessPool:
                findings.append((Failed("parse", "the worker process parsing it died (killed, or out of memory)"), 0.0, 0.0))
                self._restart_pool()
        return findings

    def _restart_pool(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._start_pool()

    def _store_batch(self, batch: list[tuple[ArticleRecord, Attempt]], findings: list[Parsed]) -> None:
        for (rec, attempt), (found, wall, cpu) in zip(batch, findings):
            self.report.parse_seconds[rec.id] = (wall, cpu, len(rec.text))
            if isinstance(found, Failed):
                self._fail(attempt, found.stage, found.problem)
                continue
            rec.sentences, rec.terms, rec.mentions, rec.quotes, rec.events = found
            self._save(rec, attempt)

    def _drain(self) -> None:
        self._flush(last=True)
        while self._in_flight:
            self._store_oldest()

    def _too_long(self, text: str, what: str, setting: str) -> str:
        return f"{what} is {len(text):,} characters, over the limit of {getattr(self.settings, setting):,} ({setting})"

    def _save(self, rec: ArticleRecord, attempt: Attempt) -> None:
        try:
            self.store.save_article(rec)
        except Exception as err:  # a value the database refuses: this article alone (its transaction rolled back)
            self._fail(attempt, "store", describe(err))
            return
        self.report.stored.append(rec.id)
        self.on_progress("stored", rec.id)
        self.store.let_readers_in()  # a web app serving this file gets a turn between articles


def texts_of(batch: list[tuple[ArticleRecord, Attempt]]) -> list[tuple[str, "dt.date | None"]]:
    return [(rec.text, rec.published) for rec, _ in batch]


def die_with_parent(parent: int) -> None:
    """In a worker process: exit when the process that started it is gone (killed, even with
    SIGKILL), instead of parsing on as an orphan. On Linux the kernel sends the signal; elsewhere
    a thread watches the parent."""
    try:
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # it died before the signal was asked for
        os._exit(1)


# What the NLP stages find in one article: sentences, terms, mentions, quotes, events (all picklable).
Findings = tuple[list, list[str], list[dict], list[dict], list[dict]]


@dataclass(frozen=True)
class Failed:
    """A stage that failed on one article (picklable, to come back from a worker process)."""

    stage: str
    problem: str


class ArticleTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ArticleTimeout in the block after `seconds`. Needs the main thread (a signal): in
    other threads (a web app's, a Dask worker's) the block runs without a limit."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise ArticleTimeout(f"took longer than {seconds:g} s (max_article_seconds)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# An article's findings (or the stage that failed on it), with the wall and CPU seconds it took.
Parsed = tuple["Findings | Failed", float, float]


def analyse(texts: list[tuple[str, "dt.date | None"]], pipeline_key: tuple) -> list[Parsed]:
    """Run the spaCy pipeline with Redline's components over a batch of article texts.

    Called in this process, or in a worker process (the pipeline is loaded once per process).
    Each article goes through the components one by one, so that an exception names the
    component it came from and fails that article alone."""
    *key, seconds = pipeline_key
    nlp = load_pipeline(*key)
    out = []
    for text, published in texts:
        wall, cpu = time.perf_counter(), time.process_time()
        found = analyse_one(nlp, text, published, seconds)
        out.append((found, time.perf_counter() - wall, time.process_time() - cpu))
    return out


def analyse_one(nlp, text: str, published: "dt.date | None", seconds: float | None = None) -> Findings | Failed:
    stage = "tokenizer"
    try:
        with time_limit(seconds):
            doc = nlp.make_doc(text)
            doc._.published = published
            for stage, component in nlp.pipeline:
                doc = component(doc)
            stage = "findings"
            return (doc_sentences(doc), doc_terms(doc), [m.as_record() for m in doc._.actor_mentions],
                    [q.as_record() for q in doc._.quotes], [e.as_record() for e in doc._.events])
    except Exception as err:  # any stage, any article: it fails alone
        return Failed(stage, err.args[0] if isinstance(err, ArticleTimeout) else describe(err))


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
