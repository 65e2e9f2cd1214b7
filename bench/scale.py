"""Scale-out: the Dask engine on a 2-worker LocalCluster against `redline ingest --workers 2`.

    .venv/bin/python bench/scale.py [--articles 10000] [--format txt|html]

The corpus is bench/ingest.py's: the real article bodies of ../shared (extraction benchmark and
seeds; the example corpus without it), replicated with per-copy edits up to `--articles`, written
as one file per article (plain text, or HTML pages with navigation and a footer around the body).
The runs are the real command line (`redline ingest ... --no-stories`) into a fresh DuckDB
file, timed from start to exit (pipeline and cluster start-up included); the stories stage, the
same after either engine, is timed once after. A third run loads the Dask run's finished
partitions into a fresh file: the serial part of a distributed run, which bounds a cluster's
speed. Printed: articles/s, words/s, and the Dask run's time over the local run's (bar: <= 1.3).
"""

from __future__ import annotations

import argparse
import html
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.ingest import corpus  # noqa: E402

PAGE = """<!DOCTYPE html><html><head><title>Report {i}</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/politics">Politics</a></nav>
<article><h1>Report {i}</h1>{body}</article>
<footer><p>Copyright Bench Wire. All rights reserved.</p></footer></body></html>"""


def write(texts: list[str], folder: Path, fmt: str) -> None:
    folder.mkdir(parents=True)
    for i, text in enumerate(texts):
        if fmt == "html":
            body = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
            (folder / f"a{i:06d}.html").write_text(PAGE.format(i=i, body=body), encoding="utf-8")
        else:
            (folder / f"a{i:06d}.txt").write_text(text, encoding="utf-8")


def timed(*args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "redline", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # 1: some inputs were refused (a page that is nothing but furniture), as they should be.
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr[-3000:])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--format", choices=["txt", "html"], default="txt")
    args = parser.parse_args()
    texts = corpus(args.articles)
    words = sum(len(t.split()) for t in texts)
    print(f"{len(texts)} articles ({args.format}), {words} words")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        write(texts, folder, args.format)
        parts = str(Path(tmp) / "parts")
        runs = {
            "local, --workers 2": ["--workers", "2"],
            "dask LocalCluster, 2 workers": ["--engine", "dask", "--workers", "2", "--parquet", parts],
            # The same again into a fresh file: every partition is found done, so this is the
            # serial part of a distributed run (reading the files for furniture, then the load).
            "dask, partitions done: load": ["--engine", "dask", "--workers", "2", "--parquet", parts],
        }
        times = {}
        print(f"{'run':30} {'s':>8} {'articles/s':>11} {'words/s':>9}")
        for name, options in runs.items():
            db = Path(tmp) / f"{len(times)}.duckdb"
            times[name] = timed("ingest", str(folder), "--db", str(db), "--no-stories", "--quiet", *options)
            print(f"{name:30} {times[name]:8.1f} {len(texts) / times[name]:11.1f} {words / times[name]:9.0f}")
        stories = timed("stories", "--rebuild", "--limit", "1", "--db", str(db))
        print(f"{'stories stage (after either)':30} {stories:8.1f} {len(texts) / stories:11.1f}")
    ratio = times["dask LocalCluster, 2 workers"] / times["local, --workers 2"]
    print(f"dask / local time: {ratio:.2f} (bar: <= 1.3)")


if __name__ == "__main__":
    main()
