"""Turn-taking between one writer (an ingest) and the readers of `redline serve`, by marker files.

A DuckDB file open read-write in one process cannot be opened by another. A side that needs the file leaves
a marker beside it (`FILE.writer`, `FILE.readers`) and touches it while it waits; the side
holding the file lets go when it sees a fresh one (see `Store.let_readers_in` and
`redline.web.Database` for the two sides).
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb


def writer_marker(path: Path) -> Path:
    return path.with_name(path.name + ".writer")


# A side that waits touches its marker again and again; one left by a killed process goes stale.
MARKER_FRESH_SECONDS = 1.0


def _fresh(marker: Path) -> bool:
    try:
        return time.time() - marker.stat().st_mtime < MARKER_FRESH_SECONDS
    except FileNotFoundError:
        return False


def writer_waiting(path: Path) -> bool:
    """Is a writer waiting for this file? (`redline serve` then lets go of it.)"""
    return _fresh(writer_marker(path))


def readers_marker(path: Path) -> Path:
    return path.with_name(path.name + ".readers")


def readers_waiting(path: Path) -> bool:
    """Has `redline serve` requests waiting for this file? (A writer then lets go between articles.)"""
    return _fresh(readers_marker(path))


def connect_for_writing(path: Path, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """Open read-write; while another process holds the file (the web app reading it), leave
    a marker asking it to let go, and retry for up to `wait_seconds`."""
    deadline = time.monotonic() + wait_seconds
    marker = writer_marker(path)
    try:
        while True:
            try:
                return duckdb.connect(str(path))
            except duckdb.IOException as err:
                if "lock" not in str(err).lower() or time.monotonic() > deadline:
                    raise
                marker.touch()
                time.sleep(0.05)
    finally:
        marker.unlink(missing_ok=True)
