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


from redline.config import Settings
from redline.errors import InputError, describe
from redline.ingest import Ingestor
from redline.ingest.loader import PARTITION_TABLES, Loader
from redline.ingest.manifest import Manifest
from redline.ingest.prepare import PIPELINE_VERSION
from redline.ingest.readers import discover
from redline.ingest.report import IngestReport, failed_before_note
from redline.nlp import pipeline_key
from redline.store import Store

# A partition holds files up to this many bytes (at least one file: a file is never split), so
# that tasks hold about the same work whether the corpus is one-line texts or HTML pages.
PARTITION_BYTES = 2 * 2**20


def partitions(files: list[Path], max_bytes: int = PARTITION_BYTES, max_files: int | None = None) -> list[list[Path]]:
    """`files` cut in order into partitions of at most `max_bytes` of input (and `max_files` files)."""
    parts: list[list[Path]] = []
    size = 0
    for f in files:
        grows = f.stat().st_size
        if not parts or size + grows > max_bytes or (max_files and len(parts[-1]) >= max_files):
            parts.append([])
            size = 0
        parts[-1].append(f)
        size += grows
    return parts


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


def partition_report(folder: Path) -> dict:
    """What a finished partition met (errors, notes, articles skipped); {} when there is none."""
    try:
        return json.loads((folder / "report.json").read_text())
    except FileNotFoundError:
        return {}


def run_partition(files: list[str], folder: str, key: str, settings: Settings, manifest: Manifest,
                  furniture: tuple[str, ...], repeated: dict[str, frozenset[str]], failed_before: dict) -> str:
    """One map task (on a Dask worker): ingest `files` into memory, write the tables as Parquet."""
    final = Path(folder) / f"part-{key}"
    if final.exists():
        return str(final)
    temporary = Path(folder) / f".part-{key}-{uuid.uuid4().hex[:8]}"
    with Store(":memory:") as memory:
        ingestor = Ingestor(memory, settings, manifest, furniture=[Path(f) for f in furniture], workers=1,
                            outlet_repeated=repeated, failed_before=failed_before)
        report = ingestor.run([Path(f) for f in files])
        temporary.mkdir(parents=True)
        for table in PARTITION_TABLES:
            memory.con.execute(f"COPY {table} TO {parquet_file(temporary, table)} (FORMAT parquet)")
    (temporary / "report.json").write_text(json.dumps({
        "files": files, "notes": report.notes, "failed_before": report.failed_before,
        "errors": [e.as_record() for e in report.errors],
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
                 load: bool = True, force: bool = False, partition_bytes: int = PARTITION_BYTES,
                 files_per_partition: int | None = None,
                 on_progress: Callable[[str, str], None] | None = None, retry_failed: bool = False):
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
        self.partition_bytes, self.files_per_partition = partition_bytes, files_per_partition
        self.on_progress = on_progress or (lambda event, detail: None)
        self.report = IngestReport()
        self.loader = Loader(store, self.report, force=force, on_progress=self.on_progress)
        self.retry_failed = retry_failed or force

    def run(self, paths: list[Path]) -> IngestReport:
        from distributed import Client, LocalCluster

        files, errors = discover(paths)
        for error in self.manifest.errors + errors:
            self._error(error)
        self.on_progress("files", str(len(files)))
        # The outlets' repeated lines need every file (and what is stored): found here, once; and so
        # do the articles that failed before, which the workers cannot look up.
        repeated = Ingestor(self.store, self.settings, self.manifest).find_outlet_furniture(files)
        failed_before = {} if self.retry_failed else self.store.failed_identities()
        parts = partitions(files, self.partition_bytes, self.files_per_partition)
        keys = [partition_key(part, self.settings, self.furniture, self.manifest) for part in parts]
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.retry_failed:  # a partition kept from an earlier run holds its failures: parse it again
            for key in keys:
                if any(e["stage"] for e in partition_report(self.folder / f"part-{key}").get("errors", [])):
                    shutil.rmtree(self.folder / f"part-{key}")
        cluster = None if self.scheduler else LocalCluster(
            n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=None)
        try:
            with Client(self.scheduler or cluster) as client:
                futures = [
                    client.submit(run_partition, [str(f) for f in part], str(self.folder), key, self.settings,
                                  self.manifest, self.furniture, repeated, failed_before, pure=False, retries=2)
                    for part, key in zip(parts, keys)
                ]
                for part, future in zip(parts, futures):  # loaded in input order, as on one machine
                    try:
                        folder = Path(future.result())
                    except Exception as err:  # its task failed every retry (a worker lost each time): its files alone
                        for f in part:
                            self._error(InputError(f, f"its partition failed on the Dask cluster ({describe(err)})"))
                        continue
                    self._take_report(folder, failed_before)
                    if self.load:
                        self.loader.load({t: f"read_parquet({parquet_file(folder, t)})" for t in PARTITION_TABLES})
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

    def _take_report(self, folder: Path, failed_before: dict) -> None:
        """A partition's errors and notes, as if this process had met them. A partition kept from
        an earlier run holds the failures of that run: one that is still the failure on record
        is skipped, as a local run skips it."""
        found = partition_report(folder)
        self.report.notes += found["notes"]
        self.report.failed_before += found["failed_before"]
        hashes = dict(((a, (c, m)) for a, c, m in self.store.con.execute(
            f"SELECT article_id, content_hash, metadata_hash FROM read_parquet({parquet_file(folder, 'failures')})").fetchall()))
        for e in found["errors"]:
            err = InputError(**e)
            known = failed_before.get(err.article)
            if err.stage and known and hashes.get(err.article) == known[:2]:
                self.report.failed_before.append(err.article)
                self.report.notes.append(failed_before_note(err.path if err.line is None else f"{err.path}:{err.line}",
                                                            err.article, err.stage))
            else:
                self._error(err)

    def close(self) -> None:
        """Nothing to stop here: the cluster is closed when `run` ends."""
