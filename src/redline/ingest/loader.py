"""Copying articles that were parsed elsewhere into a database: a Dask partition's Parquet
files, or an upload the web app parsed in memory (so that it holds the file only to write).

Each call is one transaction. As in a local ingest (`Ingestor`), an article stored unchanged is
skipped, and an id used twice in this run, or already stored from another file with other
content, is refused with a one-line error; articles a stage failed on are kept in `failures`.
"""

from __future__ import annotations

from typing import Callable

import pyarrow as pa

from redline.ingest.report import IngestReport, id_stored_from_elsewhere, id_used_in_this_run
from redline.store import Store
from redline.store.schema import ARTICLE_CHILD_TABLES

# The tables that hold what a run found in its articles (a partition writes each as Parquet).
PARTITION_TABLES = ("articles", *ARTICLE_CHILD_TABLES, "actors", "failures")


class Loader:
    def __init__(self, store: Store, report: IngestReport, force: bool = False,
                 on_progress: Callable[[str, str], None] | None = None, name_stored_paths: bool = True):
        self.store = store
        self.report = report
        self.force = force
        self.on_progress = on_progress or (lambda event, detail: None)
        # The web app names no file of the server in its answers.
        self.name_stored_paths = name_stored_paths
        self._loaded_ids: dict[str, str] = {}

    def load_store(self, source: Store) -> list[str]:
        """Everything `source` (an in-memory Store) holds, copied into this one."""
        con = self.store.con
        names = {t: f"incoming_{t}" for t in PARTITION_TABLES}
        for either in (con, source.con):
            # DuckDB refuses `register` and `sql` while a result of `execute` is left unread (as
            # after a `fetchone`): reading a trivial one to its end closes it.
            either.execute("SELECT 1").fetchall()
        for table, name in names.items():
            con.register(name, source.con.sql(f"SELECT * FROM {table}").to_arrow_table())
        try:
            return self.load(names)
        finally:
            for name in names.values():
                con.unregister(name)

    def load(self, tables: dict[str, str]) -> list[str]:
        """The articles (and failures) of `tables` (table -> a relation DuckDB reads, such as
        `read_parquet(...)`), all or nothing; returns the ids stored."""
        con = self.store.con
        incoming = con.execute(f"""
            SELECT n.id, n.source_path, a.id IS NOT NULL AND n.content_hash = a.content_hash
                   AND n.metadata_hash = a.metadata_hash, a.source_path, a.content_hash = n.content_hash
            FROM {tables['articles']} n LEFT JOIN articles a ON a.id = n.id""").fetchall()
        new = []
        for article_id, path, unchanged, stored_path, same_content in incoming:
            if article_id in self._loaded_ids:
                self._error(id_used_in_this_run(path, article_id, self._loaded_ids[article_id]))
            elif unchanged and not self.force:
                self.report.unchanged.append(article_id)
            elif stored_path is not None and not same_content and stored_path != path and not self.force:
                self._error(id_stored_from_elsewhere(path, article_id, stored_path if self.name_stored_paths else None))
            else:
                new.append(article_id)
            self._loaded_ids.setdefault(article_id, path)
        with self.store.transaction():
            self.store.delete_articles(con, new)
            con.register("incoming", pa.table({"id": pa.array(new, pa.string())}))
            # Stored now, whenever its partition was parsed: later stages (stories, provenance) tell
            # replaced articles by this time.
            con.execute(f"INSERT INTO articles BY NAME SELECT * REPLACE (now() AS ingested_at) FROM {tables['articles']} "
                        "WHERE id IN (SELECT id FROM incoming)")
            for table in ARTICLE_CHILD_TABLES:
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {tables[table]} "
                            "WHERE article_id IN (SELECT id FROM incoming)")
            if new:
                con.execute(f"INSERT OR REPLACE INTO actors BY NAME SELECT * FROM {tables['actors']}")
            con.execute(f"INSERT OR REPLACE INTO failures BY NAME SELECT * FROM {tables['failures']}")
            con.unregister("incoming")
        self.report.stored += new
        for article_id in new:
            self.on_progress("stored", article_id)
        return new

    def _error(self, err) -> None:
        self.report.errors.append(err)
        self.on_progress("error", str(err))
