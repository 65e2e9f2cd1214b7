"""Scale-out ingest on Dask distributed: the stages of one machine, one task per partition of the files.

Map: a task reads, cleans and parses its files into an in-memory database with the very code
of a single-machine ingest (`Ingestor`), and writes each table as Parquet into
`DIR/part-KEY/`: first under a name of its own, renamed when complete. A worker lost
mid-partition leaves only a temporary folder, and Dask runs the task again elsewhere; a
finished partition is never redone, because KEY hashes its files (path, size, time) and the
pipeline. Load: this process loads the finished partitions into the DuckDB file in input
order, one transaction each, skipping articles stored unchanged; the result equals a run on
one machine. Stories and the search index, which need the whole corpus, run afterwards as
after any ingest. The Parquet folder can also be kept (`--parquet DIR --no-load`) and read in
place, e.g. `SELECT * FROM 'DIR/part-*/events.parquet'` in DuckDB.

Workers need the input files at the same paths (a shared file system) and Redline installed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from pathlib import Path
from typing import Callable

import pyarrow as pa

from redline.config import Settings
from redline.errors import InputError
from redline.ingest import PIPELINE_VERSION, Ingestor, IngestReport, id_stored_from_elsewhere, id_used_in_this_run
from redline.ingest.manifest import Manifest
from redline.ingest.readers import discover
from redline.nlp import pipeline_key
from redline.store import ARTICLE_CHILD_TABLES, Store

PARTITION_TABLES = ("articles", *ARTICLE_CHILD_TABLES, "actors")
FILES_PER_PARTITION = 64


def partition_key(files: list[Path], settings: Settings, furniture: tuple[str, ...], manifest: Manifest) -> str:
    """Changes when any of the files, the pipeline or the settings that shape its output change."""
    h = hashlib.sha256(json.dumps([PIPELINE_VERSION, *pipeline_key(settings), settings.max_article_chars,
                                   settings.max_html_chars, furniture]).encode())
    h.update(manifest.path.read_bytes() if manifest.path else b"")
    for f in files:
        stat = f.stat()
        h.update(f"{f.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return h.hexdigest()[:20]


def parquet_file(folder: Path, table: str) -> str:
    return "'" + str(folder / f"{table}.parquet").replace("'", "''") + "'"


def run_partition(files: list[str], folder: str, key: str, settings: Settings, manifest: Manifest,
                  furniture: tuple[str, ...], repeated: dict[str, frozenset[str]]) -> str:
    """One map task (on a Dask worker): ingest `files` into memory, write the tables as Parquet."""
    final = Path(folder) / f"part-{key}"
    if final.exists():
        return str(final)
    temporary = Path(folder) / f".part-{key}-{uuid.uuid4().hex[:8]}"
    with Store(":memory:") as memory:
        ingestor = Ingestor(memory, settings, manifest, furniture=[Path(f) for f in furniture], workers=1,
                            outlet_repeated=repeated)
        report = ingestor.run([Path(f) for f in files])
        temporary.mkdir(parents=True)
        for table in PARTITION_TABLES:
            memory.con.execute(f"COPY {table} TO {parquet_file(temporary, table)} (FORMAT parquet)")
    (temporary / "report.json").write_text(json.dumps({
        "files": files, "notes": report.notes,
        "errors": [{"path": e.path, "problem": e.problem, "line": e.line} for e in report.errors],
    }))
    try:
        temporary.rename(final)  # atomic: a partition folder is complete or absent
    except OSError:  # another attempt of the same task finished first
        shutil.rmtree(temporary, ignore_errors=True)
    return str(final)


class DaskIngest:
    """Ingest `paths` into `store` with the map stage on a Dask cluster (a LocalCluster when no
    scheduler address is given)."""

    def __init__(self, store: Store, settings: Settings | None = None, manifest: Manifest | None = None,
                 furniture=(), scheduler: str | None = None, workers: int = 2, parquet: Path | None = None,
                 load: bool = True, force: bool = False, files_per_partition: int = FILES_PER_PARTITION,
                 on_progress: Callable[[str, str], None] | None = None):
        self.store = store
        self.settings = settings or Settings()
        self.manifest = manifest or Manifest()
        self.furniture = tuple(str(f) for f in furniture)
        self.scheduler = scheduler
        self.workers = workers
        self.folder = Path(parquet) if parquet else store.path.with_name(store.path.name + ".parts")
        self.keep_folder = parquet is not None
        self.load = load
        self.force = force
        self.files_per_partition = files_per_partition
        self.on_progress = on_progress or (lambda event, detail: None)
        self.report = IngestReport()
        self._loaded_ids: dict[str, str] = {}

    def run(self, paths: list[Path]) -> IngestReport:
        from distributed import Client, LocalCluster

        files, errors = discover(paths)
        for error in self.manifest.errors + errors:
            self._error(error)
        self.on_progress("files", str(len(files)))
        # The outlets' repeated lines need every file (and what is stored): found here, once.
        repeated = Ingestor(self.store, self.settings, self.manifest).find_outlet_furniture(files)
        parts = [files[i:i + self.files_per_partition] for i in range(0, len(files), self.files_per_partition)]
        self.folder.mkdir(parents=True, exist_ok=True)
        cluster = None if self.scheduler else LocalCluster(
            n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=None)
        try:
            with Client(self.scheduler or cluster) as client:
                futures = [
                    client.submit(run_partition, [str(f) for f in part], str(self.folder),
                                  partition_key(part, self.settings, self.furniture, self.manifest), self.settings,
                                  self.manifest, self.furniture, repeated, pure=False, retries=2)
                    for part in parts
                ]
                for part, future in zip(parts, futures):  # loaded in input order, as on one machine
                    folder = Path(future.result())
                    if self.load:
                        self._load(folder)
                    for f in part:
                        self.on_progress("file-done", str(f))
        finally:
            if cluster is not None:
                cluster.close()
        if self.load and not self.keep_folder and not self.report.failed:
            shutil.rmtree(self.folder, ignore_errors=True)
        return self.report

    def _error(self, err: InputError) -> None:
        self.report.errors.append(err)
        self.on_progress("error", str(err))

    def _load(self, folder: Path) -> None:
        """One partition into the database, all or nothing; articles stored unchanged are skipped."""
        found = json.loads((folder / "report.json").read_text())
        for e in found["errors"]:
            self._error(InputError(e["path"], e["problem"], line=e["line"]))
        self.report.notes += found["notes"]
        parquet = {t: f"read_parquet({parquet_file(folder, t)})" for t in PARTITION_TABLES}
        con = self.store.con
        incoming = con.execute(f"""
            SELECT n.id, n.source_path, a.id IS NOT NULL AND n.content_hash = a.content_hash
                   AND n.metadata_hash = a.metadata_hash, a.source_path, a.content_hash = n.content_hash
            FROM {parquet['articles']} n LEFT JOIN articles a ON a.id = n.id""").fetchall()
        new = []
        for article_id, path, unchanged, stored_path, same_content in incoming:
            if article_id in self._loaded_ids:
                self._error(id_used_in_this_run(path, article_id, self._loaded_ids[article_id]))
            elif unchanged and not self.force:
                self.report.unchanged.append(article_id)
            elif stored_path is not None and not same_content and stored_path != path and not self.force:
                self._error(id_stored_from_elsewhere(path, article_id, stored_path))
            else:
                new.append(article_id)
            self._loaded_ids.setdefault(article_id, path)
        if not new:
            return
        with self.store.transaction():
            con.register("incoming", pa.table({"id": pa.array(new, pa.string())}))
            for table in ARTICLE_CHILD_TABLES:
                con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT id FROM incoming)")
            con.execute("DELETE FROM articles WHERE id IN (SELECT id FROM incoming)")
            con.execute(f"INSERT INTO articles BY NAME SELECT * FROM {parquet['articles']} WHERE id IN (SELECT id FROM incoming)")
            for table in ARTICLE_CHILD_TABLES:
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {parquet[table]} "
                            "WHERE article_id IN (SELECT id FROM incoming)")
            con.execute(f"INSERT OR REPLACE INTO actors BY NAME SELECT * FROM {parquet['actors']}")
            con.unregister("incoming")
        self.report.stored += new
        for article_id in new:
            self.on_progress("stored", article_id)

    def close(self) -> None:
        """Nothing to stop here: the cluster is closed when `run` ends."""
