"""Ingest: files -> clean articles -> language -> spaCy -> the database, one article at a time.

Idempotent: an article whose content and metadata are already stored is skipped, so an
interrupted run is completed by running it again. Each article is written in its own
transaction (see `store.Store.save_article`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
from collections import defaultdict, deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from redline.clean import clean_text, load_furniture_rules, short_line_key, split_lines
from redline.clean.html import extract_html
from redline.config import Settings
from redline.errors import InputError
from redline.ingest.manifest import Manifest, parse_date
from redline.ingest.readers import RECORD_FORMATS, RawArticle, discover, read_file
from redline.language import identify
from redline.nlp import doc_sentences, doc_terms, load_pipeline, make_docs, pipeline_key
from redline.store import ArticleRecord, Store

# Bump when cleaning or NLP output changes, so that a re-ingest redoes stored articles.
PIPELINE_VERSION = "4"
NLP_BATCH = 16


@dataclass
class IngestReport:
    stored: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.errors)


def id_used_in_this_run(path, article_id: str, earlier: str, line: int | None = None) -> InputError:
    return InputError(path, f"article id {article_id!r} already used by {earlier} in this run", line=line)


def id_stored_from_elsewhere(path, article_id: str, stored_path: str, line: int | None = None) -> InputError:
    # Another file claims a stored article's id: replacing it would lose that article.
    return InputError(path, f"article id {article_id!r} is already stored from {stored_path} with other content "
                            "(give this file another id in the manifest, or --force to replace it)", line=line)


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
    ):
        self.store = store
        self.settings = settings or Settings()
        self.manifest = manifest or Manifest()
        self.rules = load_furniture_rules(furniture)
        self.force = force
        self.on_progress = on_progress or (lambda event, detail: None)
        self.report = IngestReport()
        self._pending: list[tuple[ArticleRecord, str]] = []  # English articles awaiting NLP
        self._ids_this_run: dict[str, str] = {}
        # Each outlet's repeated short lines; found by `run` unless given (a partition of a
        # distributed run gets those of the whole corpus).
        self._repeated: dict[str, frozenset[str]] | None = outlet_repeated
        self._pipeline_key = pipeline_key(self.settings)
        self.workers = max(1, workers)
        self.batch_size = batch_size
        self._in_flight: deque = deque()
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
        meta["published_source"] = "record" if "published" in meta else None
        meta.update(row)
        if "published" in row:
            meta["published_source"] = "manifest"
        return meta

    # -- outlet furniture ----------------------------------------------------------------------
    def find_outlet_furniture(self, files: list[Path]) -> dict[str, frozenset[str]]:
        """Short lines that several plain-text articles of one outlet share (stored ones included).

        A first pass over the plain-text inputs (cheap next to parsing) so that the first
        article of an outlet is cleaned as well as its last.
        """
        seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for path in files:
            for item in read_file(path, self.settings):
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
            stored = self.store.outlet_line_articles(outlet, set(lines))
            repeated[outlet] = frozenset(
                key for key, ids in lines.items() if len(ids | stored.get(key, set())) >= need
            )
        return repeated

    # -- one article -------------------------------------------------------------------------
    def _process(self, raw: RawArticle) -> None:
        try:
            meta = self._metadata(raw)
            article_id = meta.pop("id", raw.id)
            self._check_id(article_id, raw)
            rec = self._clean(raw, article_id, meta)
        except InputError as err:
            self._error(err)
            return
        if rec is None:
            return
        if raw.note:
            self.report.notes.append(f"{raw.where}: {raw.note}")
        if rec.language and rec.language not in self.settings.english_codes:
            rec.nlp_note = f"not English ({rec.language}): English-only stages skipped"
            self.report.notes.append(f"{rec.id}: {rec.nlp_note}")
            self._save(rec)
            return
        self._pending.append((rec, rec.text))
        if len(self._pending) >= self.batch_size:
            self._flush()

    def _check_id(self, article_id: str, raw: RawArticle) -> None:
        earlier = self._ids_this_run.setdefault(article_id, raw.where)
        if earlier != raw.where:
            raise id_used_in_this_run(raw.path, article_id, earlier, line=raw.line)

    def _clean(self, raw: RawArticle, article_id: str, meta: dict) -> ArticleRecord | None:
        content_hash = sha256(raw.content)
        metadata_hash = sha256(json.dumps(meta, default=str, sort_keys=True) + PIPELINE_VERSION)
        stored = self.store.article_identity(article_id)
        if stored and not self.force:
            if (stored["content_hash"], stored["metadata_hash"]) == (content_hash, metadata_hash):
                self.report.unchanged.append(article_id)
                self.on_progress("unchanged", article_id)
                return None
            if stored["content_hash"] != content_hash and stored["source_path"] != str(raw.path):
                raise id_stored_from_elsewhere(raw.path, article_id, stored["source_path"], line=raw.line)
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
            content_hash=content_hash,
            metadata_hash=metadata_hash,
            source_path=str(raw.path),
            source_format=raw.format,
            outlet=outlet,
            url=meta.get("url"),
            title=meta.get("title") or title,
            published=published,
            published_source=published_source,
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
            # Workers parse; this process reads, cleans, decides what is new, and is the one writer.
            # Spawned, not forked: each loads its own pipeline, sharing nothing with this one.
            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        batch, self._pending = self._pending, []
        texts = [(text, rec.published) for rec, text in batch]
        if self.pool is None:
            self.store.let_readers_in()  # parsing takes seconds: a web app serving this file may read meanwhile
            self._store_batch(batch, analyse(texts, self._pipeline_key))
            return
        self._in_flight.append((batch, self.pool.submit(analyse, texts, self._pipeline_key)))
        # Bounded: at most two batches per worker wait in memory; the oldest is stored first,
        # so articles reach the database in input order whatever the number of workers.
        while len(self._in_flight) > 2 * self.workers:
            self._store_oldest()

    def _store_oldest(self) -> None:
        batch, future = self._in_flight.popleft()
        self.store.let_readers_in()
        self._store_batch(batch, future.result())

    def _store_batch(self, batch: list[tuple[ArticleRecord, str]], findings: list[Findings]) -> None:
        for (rec, _), found in zip(batch, findings):
            rec.sentences, rec.terms, rec.mentions, rec.quotes, rec.events = found
            self._save(rec)

    def _drain(self) -> None:
        self._flush(last=True)
        while self._in_flight:
            self._store_oldest()

    def _too_long(self, text: str, what: str, setting: str) -> str:
        return f"{what} is {len(text):,} characters, over the limit of {getattr(self.settings, setting):,} ({setting})"

    def _save(self, rec: ArticleRecord) -> None:
        self.store.save_article(rec)
        self.report.stored.append(rec.id)
        self.on_progress("stored", rec.id)
        self.store.let_readers_in()  # a web app serving this file gets a turn between articles


# What the NLP stages find in one article: sentences, terms, mentions, quotes, events (all picklable).
Findings = tuple[list, list[str], list[dict], list[dict], list[dict]]


def analyse(texts: list[tuple[str, "dt.date | None"]], pipeline_key: tuple) -> list[Findings]:
    """Run the spaCy pipeline with Redline's components over a batch of article texts.

    Called in this process, or in a worker process (the pipeline is loaded once per process)."""
    nlp = load_pipeline(*pipeline_key)
    out = []
    for doc in nlp.pipe(make_docs(nlp, texts), batch_size=NLP_BATCH):
        out.append((doc_sentences(doc), doc_terms(doc), [m.as_record() for m in doc._.actor_mentions],
                    [q.as_record() for q in doc._.quotes], [e.as_record() for e in doc._.events]))
    return out


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
