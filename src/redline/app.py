"""`Redline(settings)`: what the CLI, the web app, the briefing and notebooks call.

    from redline.app import Redline
    rl = Redline(Settings.load())
    rl.ingest(["corpus/"]); rl.update_stories()
    rl.events(country="RUS", limit=10)["items"]

It opens the database, checks what the user gave (files, options, the names in a query) and
runs the library: ingest (files, feeds, or the failed articles again), the stories stage,
uploads, briefings, watch rules, and every query of `redline.queries` on a connection of its
own. A user's mistake is a `redline.errors.UserError`; each front end renders it once.
"""

from __future__ import annotations

import functools
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import duckdb

from redline import queries
from redline.config import Settings
from redline.errors import BadFile, InputError, UserError
from redline.store import Store

ENGINES = ("local", "dask")
# Top-level keys of a watch-rule file, which `--rules` of an ingest (event rules) must refuse.


class RefusedArticle(UserError):
    """An uploaded article that cannot be stored (no text, a bad field, a stage failed on it)."""

    status = 422


def _reading(query: Callable) -> Callable:
    """A query of `redline.queries` as a method: on a read-only connection of its own."""

    @functools.wraps(query)
    def method(self: "Redline", *args, **kwargs):
        with self.read() as con:
            return query(con, *args, **kwargs)

    return method


_parsing = threading.Lock()  # one upload parsed at a time per process: spaCy holds the GIL anyway


class Redline:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()

    # -- the database ---------------------------------------------------------------------
    def open(self, read_only: bool = True) -> Store:
        """The database file; one that is missing, not Redline's, or locked is a BadFile."""
        db = self.settings.db
        try:
            return Store(db, read_only=read_only)
        except (FileNotFoundError, RuntimeError) as e:
            raise BadFile(str(e)) from None
        except duckdb.Error as e:
            if "not a valid DuckDB database" in str(e):
                raise BadFile(f"{db}: not a Redline database (not a DuckDB file)") from None
            raise BadFile(str(e)) from None

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.open() as store:
            yield store.con

    # -- the read side (redline.queries, each on a connection of its own) -----------------
    articles = _reading(queries.articles)
    article = _reading(queries.article)
    actors = _reading(queries.actors)
    actor = _reading(queries.actor)
    quotes = _reading(queries.quotes)
    events = _reading(queries.events)
    timeline = _reading(queries.timeline)
    happenings = _reading(queries.happenings)
    stories = _reading(queries.stories)
    story_tree = _reading(queries.story_tree)
    story = _reading(queries.story)
    dyad = _reading(queries.dyad)
    outlets = _reading(queries.outlets)
    overview = _reading(queries.overview)
    failures = _reading(queries.failures)
    quote_provenance = _reading(queries.quote_provenance)

    # -- checks of what the user gave -----------------------------------------------------
    def add_files(self, actors=(), rules=(), furniture=()) -> "Redline":
        """Add a user's actor dictionaries and event rules to the settings, after checking them
        (and the furniture files, which the ingest is given)."""
        self.settings.actor_files = tuple(self.settings.actor_files) + tuple(str(p) for p in actors)
        self.settings.rule_files = tuple(self.settings.rule_files) + tuple(str(p) for p in rules)
        self.check_files(furniture)
        return self

    def check_files(self, furniture=()) -> None:
        """Every actor, event-rule and furniture file is there and passes its schema (a watch-rule
        file given as event rules is told apart), and the event rules load."""
        from redline import schemas
        from redline.events import load_rules

        try:
            schemas.check_files(events=self.settings.rule_files, actors=self.settings.actor_files, furniture=furniture)
            if self.settings.rule_files:
                load_rules(self.settings.rule_files)
        except ValueError as e:
            raise BadFile(str(e)) from None

    @staticmethod
    def check_ingest(paths, feed, retry_failed: bool, engine: str, every: str | None = None) -> None:
        if engine not in ENGINES:
            raise UserError(f"--engine {engine}: expected local or dask")
        if (paths and feed) or not (paths or feed or retry_failed) or (feed and engine == "dask") or (every and not feed):
            raise UserError("give files or folders, or --feed (with --every to keep polling; the local engine), "
                            "or --retry-failed alone")

    @staticmethod
    def manifest(path: Path | None):
        from redline.ingest.manifest import Manifest

        try:
            return Manifest.load(path) if path else None
        except InputError as e:
            raise BadFile(str(e)) from None

    # -- the write side -------------------------------------------------------------------
    def ingest(self, paths=(), feed=(), retry_failed: bool = False, manifest=None, furniture=(),
               force: bool = False, engine: str = "local", workers: int = 0, scheduler: str | None = None,
               parquet: Path | None = None, load: bool = True, on_progress=None):
        """Store what is new among `paths` (files and folders), or among the pages `feed` links to,
        or, given neither, try again the articles a stage failed on. Returns the IngestReport.
        `manifest`: a Manifest (see `manifest`). `on_progress(event, detail)`: see Ingestor."""
        from redline.ingest import Ingestor
        from redline.ingest.feeds import Fetcher, feed_articles

        self.check_ingest(paths, feed, retry_failed, engine)
        processes = workers or os.cpu_count() or 1
        with self.open(read_only=False) as store:
            if engine == "dask" and paths:
                from redline.ingest.distributed import DaskIngest

                ingestor = DaskIngest(store, self.settings, manifest, furniture=furniture, scheduler=scheduler,
                                      workers=processes, parquet=parquet, load=load, force=force,
                                      on_progress=on_progress, retry_failed=retry_failed)
            else:
                ingestor = Ingestor(store, self.settings, manifest, furniture=furniture, force=force,
                                    on_progress=on_progress, workers=processes, retry_failed=retry_failed)
            try:
                if feed:
                    fetcher = Fetcher(self.settings)
                    try:
                        return ingestor.run_articles(feed_articles(feed, fetcher, store, force, retry_failed))
                    finally:
                        fetcher.close()
                return ingestor.run(paths) if paths else ingestor.retry_failed_articles()
            finally:
                ingestor.close()

    def update_stories(self, rebuild: bool = False, if_stale: bool = True, store: Store | None = None,
                       on_progress: Callable[[int, int], None] | None = None):
        """Run the stories stage (and with it the search index): place the articles stored since
        it last ran among the stored stories, or, with `rebuild`, all of them again (as it does
        when its stored state cannot be used). Only when articles were stored, replaced or
        deleted since it last finished, unless `if_stale` is False. Returns its StorySummary,
        or None when nothing was to do. `on_progress(done, total)` counts articles placed."""
        from redline.stories import update

        if store is None:
            with self.open(read_only=False) as store:
                return self.update_stories(rebuild, if_stale, store, on_progress)
        if if_stale and not rebuild and not store.stage_stale("stories"):
            return None
        total = done = 0

        def article_done(stage: str, n: int) -> None:
            nonlocal done, total
            if stage == "articles":
                total = n
            else:
                done += n
            if on_progress:
                on_progress(done, total)

        return update(store, rebuild, on_progress=article_done)

    def update_provenance(self, rebuild: bool = False, store: Store | None = None,
                          on_progress: Callable[[int, int], None] | None = None):
        """Grade the quotes not yet graded against their speakers' primary passages (after
        indexing those of new or replaced articles), or all of them again when `rebuild`.
        Returns the number of quotes graded per grade (redline.provenance)."""
        from redline import provenance

        if store is None:
            with self.open(read_only=False) as store:
                return self.update_provenance(rebuild, store, on_progress)
        return provenance.update(store, rebuild=rebuild, on_progress=on_progress)

    def upload(self, record: dict, read=None, write=None) -> str:
        """Store one article given as a JSONL input record (`text` or `html`, and metadata):
        parsed first in memory (the file stays free for readers meanwhile), then written in one
        short transaction, and the stories rebuilt. Returns its id; RefusedArticle when it cannot
        be stored (an article a stage failed on is kept in `failures`). `read()` and `write()`:
        context managers for a connection and a writable Store (the web app passes its own turns)."""
        from redline.ingest import Ingestor, sha256
        from redline.ingest.loader import Loader
        from redline.ingest.readers import record_article
        from redline.store import outlet_line_articles

        record = {k: v for k, v in record.items() if v is not None}
        if not (record.get("text") or record.get("html")):
            raise RefusedArticle("an article needs `text` or `html`")
        record.setdefault("id", "upload-" + sha256(record.get("text") or record["html"])[:12])
        raw = record_article("upload", record, source_format="upload")
        if isinstance(raw, InputError):
            raise RefusedArticle(raw.problem)
        with Store(":memory:") as memory:
            with (read or self.read)() as con:  # the lines its outlet's stored articles repeat are furniture
                repeated = Ingestor(memory, self.settings).repeated_lines(
                    [raw], lambda o, lines: outlet_line_articles(con, o, lines))
            with _parsing:
                report = Ingestor(memory, self.settings, retry_failed=True, outlet_repeated=repeated).run_articles([raw])
            if report.errors and not report.errors[0].stage:
                raise RefusedArticle(report.errors[0].problem)  # bad input: nothing to keep
            with (write or functools.partial(self.open, read_only=False))() as store:
                if Loader(store, report, name_stored_paths=False).load_store(memory):  # no server path in an answer
                    self.update_stories(store=store)
                    self.update_provenance(store=store)
        if report.errors:
            e = report.errors[0]
            raise RefusedArticle(f"{e.stage}: {e.problem}" if e.stage else e.problem)
        return raw.id

    # -- analysis and briefings -----------------------------------------------------------
    @staticmethod
    def watch_rules(path: str | Path):
        from redline.analysis.watch import load_rules

        try:
            return load_rules(path)
        except ValueError as e:
            raise BadFile(str(e)) from None

    def watch(self, con: duckdb.DuckDBPyConnection, rules: str | Path | None = None) -> list[dict] | None:
        """Alerts and near-misses of the watch rules `rules` (else watch_rules of the settings);
        None without rules."""
        from redline.analysis.watch import evaluate

        path = rules or self.settings.watch_rules
        return evaluate(con, self.watch_rules(path)) if path else None

    def alerts(self, con: duckdb.DuckDBPyConnection, rules: str | Path | None = None) -> dict:
        """`watch`, for a page: {rules, alerts, near_misses}."""
        found = self.watch(con, rules) or []
        return {"rules": str(rules or self.settings.watch_rules or "") or None,
                "alerts": [r for r in found if r["status"] == "alert"],
                "near_misses": [r for r in found if r["status"] == "near-miss"]}

    def brief(self, story: str | None = None, actors=(), rules: str | Path | None = None) -> dict:
        """Everything a briefing shows, as data (render it with redline.brief.render_html or render_markdown)."""
        from redline import brief

        with self.read() as con:
            return brief.build(con, story=story, actors=list(actors), alerts=self.watch(con, rules),
                               rules=Path(rules or self.settings.watch_rules).name if (rules or self.settings.watch_rules) else None)
