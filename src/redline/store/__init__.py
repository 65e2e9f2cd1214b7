"""The DuckDB file: all-or-nothing writes of articles, and the stories stage's tables.

A batch of articles is written in one transaction (the article rows, their sentences, their
removed lines, and whatever later stages found in them), so a killed ingest never leaves half
an article behind, and a re-run picks up where it stopped. The schema and its migrations are
in `redline.store.schema`; the turn-taking with `redline serve` in `redline.store.markers`.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

import duckdb
import pyarrow as pa

from redline.model import ArticleRecord, Failure
from redline.store.markers import connect_for_writing, readers_marker, readers_waiting, writer_marker, writer_waiting
from redline.store.schema import (
    ARTICLE_CHILD_TABLES, ARTICLE_COLUMNS, EVENT_COLUMNS, FAILURE_COLUMNS, HAPPENING_COLUMNS, MIGRATIONS,
    STORY_STATE_TABLES, STORY_TABLES,
)

__all__ = [  # what callers imported from `redline.store` before it was split
    "ARTICLE_CHILD_TABLES", "EVENT_COLUMNS", "FAILURE_COLUMNS", "HAPPENING_COLUMNS", "MIGRATIONS",
    "STORY_TABLES", "Store", "connect_for_writing", "outlet_line_articles", "readers_marker", "readers_waiting",
    "writer_marker", "writer_waiting",
]




class Store:
    """A Redline database file. Open read-only for queries, read-write to ingest."""

    def __init__(self, path: str | Path, read_only: bool = False, wait_seconds: float = 30.0):
        self.path = Path(path)
        if read_only and not self.path.exists():
            raise FileNotFoundError(f"{self.path}: no Redline database here (run `redline ingest` first)")
        self.read_only = read_only
        self.wait_seconds = wait_seconds
        self._connect()
        if not read_only:
            self.migrate()
        elif self.schema_version() < MIGRATIONS[-1][0]:
            raise RuntimeError(
                f"{self.path}: database schema is version {self.schema_version()}, this Redline "
                f"needs {MIGRATIONS[-1][0]}; open it once read-write (e.g. `redline ingest`) to migrate"
            )

    def _connect(self) -> None:
        self.con = duckdb.connect(str(self.path), read_only=True) if self.read_only else \
            connect_for_writing(self.path, self.wait_seconds)
        self._connected_at = time.monotonic()
        self.con.execute("SET enable_progress_bar = false")  # it would draw over rich's bars, and into logs

    def let_readers_in(self, turn_seconds: float = 2.0, write_seconds: float = 1.0) -> None:
        """Between two transactions of a long write: if `redline serve` has requests waiting
        for the file, and this writer has had it for `write_seconds`, close it, wait until the
        server has opened it (up to `turn_seconds`), and take it back once the server lets go.
        See `redline.web.Database` for the other side."""
        if self.read_only or time.monotonic() - self._connected_at < write_seconds or not readers_waiting(self.path):
            return
        self.con.close()
        deadline = time.monotonic() + turn_seconds
        while readers_waiting(self.path) and time.monotonic() < deadline:  # until the server has opened it
            time.sleep(0.01)
        self._connect()

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- schema -----------------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        ).fetchone()[0]
        if not exists:
            return 0
        return self.con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]

    def migrate(self) -> None:
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)"
        )
        current = self.schema_version()
        for version, sql in MIGRATIONS:
            if version <= current:
                continue
            with self.transaction():
                self.con.execute(sql)
                self.con.execute("INSERT INTO schema_version VALUES (?, now())", [version])

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.con.begin()
        try:
            yield self.con
        except BaseException:
            self.con.rollback()
            raise
        else:
            self.con.commit()

    # -- articles ---------------------------------------------------------------------
    def article_identity(self, article_id: str) -> dict | None:
        """What decides whether an incoming article is new, changed or already stored."""
        rows = self.query(
            "SELECT content_hash, metadata_hash, source_path FROM articles WHERE id = ?", [article_id]
        )
        return rows[0] if rows else None

    def save_article(self, rec: ArticleRecord) -> None:
        """Write (or replace) one article and everything found in it, all or nothing."""
        self.save_articles([rec])

    def save_articles(self, recs: Sequence[ArticleRecord]) -> None:
        """Write (or replace) these articles and everything found in them in one transaction:
        all of them or none. Each table gets one insert of an Arrow batch, whatever the number
        of articles: a transaction's fixed cost (its deletes, inserts and commit) is paid once
        per batch, not once per article."""
        recs = list({rec.id: rec for rec in recs}.values())  # an id given twice: its last record, as two writes leave
        if not recs:
            return
        with self.transaction() as con:
            self.delete_articles(con, [rec.id for rec in recs])
            self._append(con, "articles", {
                **{column: [getattr(rec, column) for rec in recs] for column in ARTICLE_COLUMNS},
                "n_sentences": [len(rec.sentences) for rec in recs],
            }, computed={"ingested_at": "now()"})
            self._append(con, "removed_lines", {
                "article_id": [rec.id for rec in recs for _ in rec.removed],
                "seq": [r.seq for rec in recs for r in rec.removed],
                "text": [r.text for rec in recs for r in rec.removed],
                "reason": [r.reason for rec in recs for r in rec.removed],
            })
            self._append(con, "sentences", {
                "article_id": [rec.id for rec in recs for _ in rec.sentences],
                "seq": [i for rec in recs for i in range(len(rec.sentences))],
                "start_char": [s.start for rec in recs for s in rec.sentences],
                "end_char": [s.end for rec in recs for s in rec.sentences],
                "text": [s.text for rec in recs for s in rec.sentences],
            })
            self._save_findings(con, recs)
            with_outlet = [rec for rec in recs if rec.outlet]
            self._append(con, "outlet_lines", {
                "outlet": [rec.outlet for rec in with_outlet for _ in rec.short_lines],
                "line": [line for rec in with_outlet for line in rec.short_lines],
                "article_id": [rec.id for rec in with_outlet for _ in rec.short_lines],
            })

    @staticmethod
    def delete_articles(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
        """Remove these articles, all their rows and their failures (inside the caller's transaction).

        The tables of an article's rows have no index on article_id: a delete reads the whole
        column. They are looked into only for the articles that are stored (rows are written
        with their article, in one transaction), so that a batch of new articles reads none."""
        con.register("deleted_ids", pa.table({"id": pa.array(ids, pa.string())}))
        try:
            con.execute("DELETE FROM failures WHERE article_id IN (SELECT id FROM deleted_ids)")  # it failed before, not now
            stored = [row[0] for row in con.execute(
                "SELECT id FROM articles WHERE id IN (SELECT id FROM deleted_ids)").fetchall()]
        finally:
            con.unregister("deleted_ids")
        if not stored:
            return
        con.register("deleted_ids", pa.table({"id": pa.array(stored, pa.string())}))
        try:
            for table in ARTICLE_CHILD_TABLES:
                con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT id FROM deleted_ids)")
            con.execute("DELETE FROM articles WHERE id IN (SELECT id FROM deleted_ids)")
        finally:
            con.unregister("deleted_ids")

    # -- failures -------------------------------------------------------------------------
    def record_failure(self, failure: Failure) -> None:
        """Keep an article a stage failed on (replacing an earlier failure of it)."""
        columns = ", ".join(FAILURE_COLUMNS)
        with self.transaction() as con:
            con.execute("DELETE FROM failures WHERE article_id = ?", [failure.article_id])
            con.execute(f"INSERT INTO failures ({columns}, failed_at) VALUES ({', '.join('?' * len(FAILURE_COLUMNS))}, now())",
                        [getattr(failure, c) for c in FAILURE_COLUMNS])

    def failed_identities(self) -> dict[str, tuple[str, str, str]]:
        """Each failed article's (content hash, metadata hash, stage): a run skips it while both hashes stay the same."""
        rows = self.con.execute("SELECT article_id, content_hash, metadata_hash, stage FROM failures").fetchall()
        return {a: (c, m, stage) for a, c, m, stage in rows}

    def failed_articles(self) -> list[Failure]:
        """The failed articles as they were read, in the order they failed (to try them again)."""
        rows = self.con.execute(f"SELECT {', '.join(FAILURE_COLUMNS)} FROM failures ORDER BY failed_at, article_id").fetchall()
        return [Failure(*row) for row in rows]

    def _save_findings(self, con: duckdb.DuckDBPyConnection, recs: list[ArticleRecord]) -> None:
        """The actors, mentions, quotes and events found in these articles (inside their transaction)."""
        actors: dict[str, dict] = {}
        for rec in recs:  # an actor met again in a later article: that article's description, as in one write each
            mine = {m["actor_id"]: m for m in rec.mentions}
            for q in rec.quotes:
                if q.get("speaker_id"):
                    mine.setdefault(q["speaker_id"], q["speaker"] | {"kind": q["speaker_kind"]})
            actors.update(mine)
        if actors:
            batch = pa.table({  # noqa: F841 - read by name in the SQL below
                "id": list(actors), **{c: [a[c] for a in actors.values()] for c in ("name", "kind", "country", "sector", "role")}})
            con.execute("INSERT OR REPLACE INTO actors SELECT id, name, kind, country, sector, role FROM batch")
        ms = [(rec.id, m) for rec in recs for m in rec.mentions]
        self._append(con, "mentions", {
            "article_id": [a for a, _ in ms],
            **{col: [m[key] for _, m in ms] for col, key in (
                ("start_char", "start"), ("end_char", "end"), ("text", "text"), ("actor_id", "actor_id"),
                ("country", "country"), ("sector", "sector"), ("role", "role"), ("method", "method"))},
        })
        qs = [(rec.id, i, q) for rec in recs for i, q in enumerate(rec.quotes)]
        speaker = [q["speaker"] or {} for _, _, q in qs]
        self._append(con, "quotes", {
            "id": [f"{a}:q{i}" for a, i, _ in qs],
            "article_id": [a for a, _, _ in qs],
            "speaker_id": [q.get("speaker_id") for _, _, q in qs],
            **{f"speaker_{k}": [s.get(k) for s in speaker] for k in ("name", "country", "sector", "role")},
            **{col: [q[key] for _, _, q in qs] for col, key in (
                ("text", "text"), ("kind", "kind"), ("cue", "cue"), ("start_char", "start"),
                ("end_char", "end"), ("sentence", "sentence"))},
        })
        es = [(rec.id, i, e) for rec in recs for i, e in enumerate(rec.events)]
        self._append(con, "events", {
            "id": [f"{a}:e{i}" for a, i, _ in es], "article_id": [a for a, _, _ in es],
            **{key: [e[key] for _, _, e in es] for key in EVENT_COLUMNS[2:]},
        })

    @staticmethod
    def _append(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, list],
                computed: dict[str, str] | None = None) -> None:
        # Arrow batches instead of executemany: one insert per table, whatever the row count.
        # `computed`: columns whose value is an SQL expression (e.g. now()).
        if not next(iter(columns.values())):
            return
        batch = pa.table(columns)  # noqa: F841 - read by name in the SQL below
        computed = computed or {}
        names, values = ", ".join([*columns, *computed]), ", ".join([*columns, *computed.values()])
        con.execute(f"INSERT INTO {table} ({names}) SELECT {values} FROM batch")

    # -- stories ------------------------------------------------------------------------
    def story_articles(self, only_new: bool = False) -> Iterator[dict]:
        """Articles in date order with their lemmas and actor ids, streamed (for redline.stories);
        `only_new`: those the stories stage has not placed yet."""
        cur = self.con.cursor()
        new = "WHERE a.id NOT IN (SELECT article_id FROM article_stories)" if only_new else ""
        cur.execute(
            f"""SELECT a.id, a.published, a.outlet, a.text, a.terms,
                      coalesce((SELECT list(m.actor_id) FROM mentions m WHERE m.article_id = a.id), []) AS actors
               FROM articles a {new} ORDER BY a.published NULLS LAST, a.id"""
        )
        names = [d[0] for d in cur.description]
        while batch := cur.fetchmany(1000):
            for row in batch:
                yield dict(zip(names, row))

    def articles_fingerprint(self) -> str:
        """Changes whenever an article is stored, replaced or deleted."""
        row = self.con.execute(
            "SELECT count(*), max(ingested_at), bit_xor(hash(id || content_hash || metadata_hash)) FROM articles"
        ).fetchone()
        return "|".join(map(str, row))

    def stage_done(self, stage: str, fingerprint: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO stage_runs VALUES (?, ?, now())", [stage, fingerprint])

    def stage_stale(self, stage: str) -> bool:
        """Were articles stored, replaced or deleted since `stage` last finished?"""
        row = self.con.execute("SELECT fingerprint FROM stage_runs WHERE stage = ?", [stage]).fetchone()
        return row is None or row[0] != self.articles_fingerprint()

    def actor_names(self) -> dict[str, str]:
        return dict(self.con.execute("SELECT id, name FROM actors").fetchall())

    def save_stories(self, write: Callable[[duckdb.DuckDBPyConnection], None], fresh: bool) -> None:
        """One run of the stories stage, all or nothing: `write(con)` (redline.stories.state)
        adds what it found; `fresh` empties the stage's tables and state first (a rebuild)."""
        with self.transaction() as con:
            if fresh:
                for table in STORY_TABLES + STORY_STATE_TABLES:
                    con.execute(f"DELETE FROM {table}")
            write(con)

    @classmethod
    def _append_rows(cls, con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
        if rows:
            cls._append(con, table, {c: [r[c] for r in rows] for c in rows[0]})

    # -- queries ------------------------------------------------------------------------
    def query(self, sql: str, params: list | None = None) -> list[dict]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def outlet_line_articles(self, outlet: str, lines: set[str]) -> dict[str, set[str]]:
        return outlet_line_articles(self.con, outlet, lines)


def outlet_line_articles(con: duckdb.DuckDBPyConnection, outlet: str, lines: set[str]) -> dict[str, set[str]]:
    """For each of these short lines, the stored articles of `outlet` that carry it (from any
    connection: the web app asks through a reader's cursor)."""
    if not lines:
        return {}
    rows = con.execute(
        """SELECT line, list(DISTINCT article_id) FROM outlet_lines
           WHERE outlet = ? AND line IN (SELECT unnest(?::VARCHAR[])) GROUP BY line""",
        [outlet, sorted(lines)],
    ).fetchall()
    return {line: set(ids) for line, ids in rows}
