"""The steps of `Ingestor` that make an article ready to parse: its metadata (the record's,
overridden by the manifest), each outlet's repeated short lines (furniture), whether it was
done before (stored or failed unchanged), and its cleaning into an `ArticleRecord`."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterable

from redline.clean import clean_text, short_line_key, split_lines
from redline.clean.html import extract_html
from redline.config import Settings
from redline.errors import InputError
from redline.ingest.manifest import Manifest, parse_date
from redline.ingest.readers import RECORD_FORMATS, RawArticle, read_file
from redline.ingest.report import (Attempt, IngestReport, failed_before_note, id_stored_from_elsewhere,
                                   id_used_in_this_run, sha256)
from redline.language import identify
from redline.model import ArticleRecord
from redline.store import Store

# Bump when cleaning or NLP output changes, so that a re-ingest redoes stored articles.
PIPELINE_VERSION = "5"


class ArticleSteps:
    """Metadata, furniture, done-before and cleaning, for `Ingestor` (which holds the state)."""
    store: Store
    settings: Settings
    manifest: Manifest
    report: IngestReport
    force: bool
    rules: list
    on_progress: Callable[[str, str], None]
    _ids_this_run: dict[str, str]
    _repeated: dict[str, frozenset[str]] | None
    _failed: dict[str, tuple[str, str, str]]

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

    def _too_long(self, text: str, what: str, setting: str) -> str:
        return f"{what} is {len(text):,} characters, over the limit of {getattr(self.settings, setting):,} ({setting})"
