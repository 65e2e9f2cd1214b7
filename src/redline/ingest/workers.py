"""The ingest's parse workers: spawned processes that each parse one batch at a time, fed over a
pipe of their own, watched by the one thread that also writes the database.

Written here rather than taken from `concurrent.futures.ProcessPoolExecutor`, for two reasons met
in this project's crash tests. When one worker of that pool dies (killed, out of memory) the
whole pool breaks and every batch in flight is lost with it. And in CPython 3.11 its manager
thread tears a broken pool down while a `submit` from the main thread starts a new worker: the
thread dies on "dictionary changed size during iteration", and a future submitted at that moment
may never resolve. Here a worker's death costs its own batch and nothing else, and is seen, by
the thread that reads the results, as the worker's sentinel becoming ready.
"""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Hashable

from redline.errors import describe
from redline.ingest.parse import Failed, Parsed, analyse, die_with_parent


def serve(conn: Connection, parent: int) -> None:
    """A worker process: parse each batch it is sent, send back what was found, until told to stop."""
    die_with_parent(parent)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the ingest is gone
            return
        if job is None:
            return
        try:
            found = analyse(*job)
        except Exception as err:  # outside any one article (the pipeline would not load): each fails alone
            found = [(Failed("parse", describe(err)), 0.0, 0.0)] * len(job[0])
        conn.send(found)


@dataclass
class Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    job: Hashable | None = None  # what it is parsing; None when idle


class ParseWorkers:
    """Up to `size` worker processes, started as work comes (each loads its own pipeline, sharing
    nothing with this process: spawned, not forked)."""

    def __init__(self, size: int):
        self.size = size
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[Worker] = []

    @property
    def busy(self) -> int:
        return sum(w.job is not None for w in self._workers)

    def has_room(self) -> bool:
        return self.busy < self.size

    def send(self, job: Hashable, texts: list, pipeline_key: tuple) -> None:
        """Give a batch to an idle worker (started if need be). Only when `has_room()`."""
        for worker in [w for w in self._workers if w.job is None and not w.process.is_alive()]:
            self._retire(worker)  # died while idle: nothing lost
        worker = next((w for w in self._workers if w.job is None), None) or self._start()
        worker.job = job
        try:
            worker.conn.send((texts, pipeline_key))
        except OSError:  # it died since: `receive` reports the batch lost, as for any death
            pass

    def receive(self) -> tuple[Hashable, list[Parsed] | None]:
        """Wait for a worker to finish: its job and the findings, or None if the worker died
        (killed, out of memory, a crash in C) before sending them."""
        busy = [w for w in self._workers if w.job is not None]
        if not busy:
            raise RuntimeError("no batch is being parsed")
        ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
        for worker in busy:
            if worker.conn in ready:  # read first: a worker may send its findings, then die
                job, worker.job = worker.job, None
                try:
                    return job, worker.conn.recv()
                except (EOFError, OSError):
                    self._retire(worker)
                    return job, None
            if worker.process.sentinel in ready:
                job = worker.job
                self._retire(worker)
                return job, None
        raise AssertionError("wait() returned nothing ready")  # pragma: no cover - wait blocks until one is

    def close(self) -> None:
        """Stop every worker: idle ones are asked to exit, busy ones are killed (what they were
        parsing is not stored, and is parsed again by the next run). Returns once all have exited."""
        for worker in self._workers:
            if worker.job is None:
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
            else:
                worker.process.kill()
        for worker in list(self._workers):
            worker.process.join(timeout=10)
            self._retire(worker)

    def _start(self) -> Worker:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=serve, args=(theirs, os.getpid()), daemon=True,
                                        name=f"redline-parse-{len(self._workers) + 1}")
        process.start()
        theirs.close()  # only the worker holds its end: its death closes the pipe
        worker = Worker(process, ours)
        self._workers.append(worker)
        return worker

    def _retire(self, worker: Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join()
        worker.conn.close()
        self._workers.remove(worker)
