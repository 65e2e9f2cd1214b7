"""The web app's hold on the database file: one read-only connection shared by all requests,
handed to writers (a `redline ingest` in another process, an upload) in turns."""

from __future__ import annotations

import atexit
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
from fastapi import HTTPException

from redline.store import Store, readers_marker, writer_waiting


class Database:
    """One read-only connection shared by all requests (a cursor each), handed to writers in turns.

    DuckDB lets one process write a file, or any number read it, not both. Opening the file
    costs tens of milliseconds, too much per request; holding it for good would lock every
    `redline ingest` out. So the two sides take turns, each leaving a marker file:

    - a writer waiting for the file leaves `FILE.writer` (see `store.connect_for_writing`):
      the app admits no new request, closes the connection once the running ones are done,
      and those that arrive meanwhile wait;
    - requests waiting for the file leave `FILE.readers`: `redline ingest` lets go between two
      articles (`Store.let_readers_in`), the app opens the file, serves every request that
      waited, and lets go again when the writer asks.

    So reads are served during an ingest, each delayed by at most about one article's write.
    A request answers 503 with Retry-After only after `busy_wait_seconds` without a turn
    (a writer that does not take turns, such as a long stories rebuild). The connection is
    also closed after `idle_seconds` without a request. Uploads through the app write
    in-process, once no request is reading.
    """

    def __init__(self, path: str | Path, idle_seconds: float = 1.0, busy_wait_seconds: float = 10.0):
        self.path = Path(path)
        self.idle_seconds = idle_seconds
        self.busy_wait_seconds = busy_wait_seconds
        self.changed = threading.Condition()
        self._store: Store | None = None
        self._readers = 0
        self._last_used = 0.0
        threading.Thread(target=self._release_when_idle, daemon=True).start()
        atexit.register(self.close)

    def close(self) -> None:
        with self.changed:
            if self._store is not None:
                self._store.close()
                self._store = None

    def _release_when_idle(self) -> None:
        while True:
            time.sleep(0.05)
            with self.changed:
                idle = time.monotonic() - self._last_used > self.idle_seconds
                if self._store is not None and self._readers == 0 and (idle or writer_waiting(self.path)):
                    self._store.close()
                    self._store = None
                    self.changed.notify_all()

    def _admit(self) -> Store:
        """Wait for a turn at the file (the lock held); 503 after `busy_wait_seconds`."""
        deadline = time.monotonic() + self.busy_wait_seconds
        # A request that waited while a writer had the file is served in the readers' next turn,
        # even if the writer asks again at once; one that finds a writer waiting lets it go first.
        waited_for_writer = False
        marker = readers_marker(self.path)
        while True:
            writer_first = writer_waiting(self.path) and not waited_for_writer
            if self._store is not None and not writer_first:
                return self._store
            if self._store is None and not writer_first:
                try:
                    self._store = Store(self.path, read_only=True)
                    marker.unlink(missing_ok=True)
                    self.changed.notify_all()
                    return self._store
                except FileNotFoundError as e:
                    raise HTTPException(503, str(e)) from None
                except duckdb.IOException:
                    marker.touch()  # a writer has the file: ask for a turn
                    waited_for_writer = True
            if time.monotonic() > deadline:
                marker.unlink(missing_ok=True)  # requests still waiting leave it again
                raise HTTPException(503, "the database is being written (an ingest is running); retry shortly",
                                    headers={"Retry-After": "2"})
            self.changed.wait(0.02)

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.changed:
            store = self._admit()
            self._readers += 1
            cursor = store.con.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
            with self.changed:
                self._readers -= 1
                self._last_used = time.monotonic()
                self.changed.notify_all()

    @contextmanager
    def write(self) -> Iterator[Store]:
        with self.changed:
            self.changed.wait_for(lambda: self._readers == 0, timeout=30)
            if self._store is not None:
                self._store.close()
                self._store = None
            try:
                store = Store(self.path)
            except duckdb.IOException:
                raise HTTPException(503, "the database is being written by another process; retry shortly",
                                    headers={"Retry-After": "5"}) from None
            try:
                yield store
            finally:
                store.close()
