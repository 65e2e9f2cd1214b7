"""A load client for `redline serve`: start the server on 127.0.0.1, send requests from
concurrent httpx clients, and report latency percentiles. Used by bench/web.py and by the
reliability tests (tests/test_serving.py)."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import httpx


@contextmanager
def serving(db: Path, *options: str) -> Iterator[str]:
    """`redline serve` on a free port of 127.0.0.1 in its own process; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "redline", "serve", "--db", str(db), "--port", str(port), *options],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                httpx.get(base + "/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                if server.poll() is not None:
                    raise RuntimeError(f"redline serve exited: {server.stderr.read().decode()[-2000:]}")
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(10)


@dataclass
class LoadResult:
    timings: dict[str, list[float]] = field(default_factory=dict)  # seconds, per kind of request
    errors: list[str] = field(default_factory=list)                # "STATUS URL" of each failed request
    elapsed: float = 0.0

    @property
    def every(self) -> list[float]:
        return [t for ts in self.timings.values() for t in ts]


async def _load(base: str, jobs: list[tuple[str, str]], concurrency: int) -> LoadResult:
    result = LoadResult()
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            kind, url = queue.get_nowait()
            start = time.perf_counter()
            try:
                response = await client.get(base + url)
                status = response.status_code
            except httpx.HTTPError as err:
                status = type(err).__name__
            result.timings.setdefault(kind, []).append(time.perf_counter() - start)
            if not isinstance(status, int) or status >= 400:
                result.errors.append(f"{status} {url}")

    start = time.perf_counter()
    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    result.elapsed = time.perf_counter() - start
    return result


def load(base: str, jobs: list[tuple[str, str]], concurrency: int) -> LoadResult:
    """Send `jobs` ((kind, path) pairs) with `concurrency` clients at once."""
    return asyncio.run(_load(base, jobs, concurrency))


def pct(values: list[float], p: float) -> float:
    """The p-quantile of `values` (seconds), in milliseconds."""
    return sorted(values)[min(len(values) - 1, int(p * len(values)))] * 1000


def summary(result: LoadResult, concurrency: int) -> str:
    every = result.every
    return (f"{len(every)} requests at concurrency {concurrency}: {len(every) / result.elapsed:.0f}/s, "
            f"p50 {pct(every, .5):.0f} ms, p95 {pct(every, .95):.0f} ms, p99 {pct(every, .99):.0f} ms, "
            f"max {max(every) * 1000:.0f} ms, {len(result.errors)} errors")


def report(result: LoadResult, concurrency: int) -> None:
    """Print the percentiles per kind of request and overall."""
    every = result.every
    print(f"\n{summary(result, concurrency)}")
    print(f"{'':16} {'n':>5} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for kind, ts in sorted(result.timings.items()):
        print(f"{kind:16} {len(ts):5d} {pct(ts, .5):7.1f} {pct(ts, .95):7.1f} {max(ts) * 1000:7.1f}")
    print(f"{'all':16} {len(every):5d} {pct(every, .5):7.1f} {pct(every, .95):7.1f} {max(every) * 1000:7.1f}")
