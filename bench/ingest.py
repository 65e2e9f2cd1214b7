"""Ingest throughput: the full pipeline against a bare spaCy parse, with 1 and 2 processes.

    .venv/bin/python bench/ingest.py [--articles 400]

The corpus is the real article bodies of ../shared (the extraction benchmark and the seeds;
the example corpus without it), made up to `--articles` with per-copy edits (paragraphs
reordered, a line added) so that no copy is skipped as already stored. The articles go in as
JSONL, through `Ingestor` exactly as `redline ingest --workers N` runs it, into a fresh DuckDB
file each time. Printed: articles/s and words/s for the bare parse (`nlp.pipe`, `n_process`)
and the full pipeline, their ratio (bar: >= 0.75), the speed-up from 1 to 2 workers
(bar: >= 1.7) and the peak memory of a worker process (bar: <= 1.5 GiB).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "src"))

from redline.config import Settings  # noqa: E402
from redline.ingest import Ingestor  # noqa: E402
from redline.store import Store  # noqa: E402


def corpus(n: int) -> list[str]:
    texts = []
    if SHARED.is_dir():
        truth = json.loads((SHARED / "benchmarks/article-extraction/ground-truth.json").read_text())
        texts += [v["articleBody"] for v in truth.values() if len(v["articleBody"].split()) >= 50]
        texts += [p.read_text() for p in sorted((SHARED / "seeds").glob("*.txt"))]
    texts += [p.read_text() for p in sorted((ROOT / "examples" / "corpus" / "txt").glob("*.txt"))]
    rng = random.Random(5)
    out = []
    for i in range(n):
        paragraphs = texts[i % len(texts)].split("\n\n")
        if i >= len(texts):  # a copy: its own order and one line of its own
            head, tail = paragraphs[:1], paragraphs[1:]
            rng.shuffle(tail)
            paragraphs = head + tail + [f"This is edition {i} of the report."]
        out.append("\n\n".join(paragraphs))
    return out


def bare(texts: list[str], processes: int) -> float:
    import spacy

    nlp = spacy.load(Settings().spacy_model)
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=16, n_process=processes):
        pass
    return time.perf_counter() - start


def full(texts: list[str], processes: int, folder: Path) -> float:
    source = folder / f"corpus-{processes}.jsonl"
    with source.open("w", encoding="utf-8") as f:
        for i, text in enumerate(texts):
            f.write(json.dumps({"id": f"b{i}", "text": text, "language": "en", "published": "2024-01-01"}) + "\n")
    with Store(folder / f"full-{processes}.duckdb") as store:
        ingestor = Ingestor(store, workers=processes)
        start = time.perf_counter()
        try:
            report = ingestor.run([source])
        finally:
            ingestor.close()
        seconds = time.perf_counter() - start
    # A page that is nothing but furniture is refused, as it should be; the rest must be stored.
    assert len(report.stored) + len(report.errors) == len(texts) and len(report.errors) < len(texts) // 50, report.errors[:3]
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=400)
    args = parser.parse_args()
    texts = corpus(args.articles)
    words = sum(len(t.split()) for t in texts)
    print(f"{len(texts)} articles, {words} words")
    print(f"{'run':28} {'s':>7} {'articles/s':>11} {'words/s':>9}")
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        for processes in (1, 2):
            for name, run in (("bare spaCy parse", lambda: bare(texts, processes)),
                              ("full pipeline (ingest)", lambda: full(texts, processes, Path(tmp)))):
                seconds = run()
                times[(name, processes)] = seconds
                print(f"{name + f', {processes} proc':28} {seconds:7.1f} {len(texts) / seconds:11.1f} {words / seconds:9.0f}")
    for processes in (1, 2):
        ratio = times[("bare spaCy parse", processes)] / times[("full pipeline (ingest)", processes)]
        print(f"full pipeline / bare parse, {processes} process(es): {ratio:.2f} (bar: >= 0.75)")
    speedup = times[("full pipeline (ingest)", 1)] / times[("full pipeline (ingest)", 2)]
    print(f"full pipeline, 2 workers vs 1: {speedup:.2f}x (bar: >= 1.7x)")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    print(f"peak memory of a worker process: {peak:.2f} GiB (bar: <= 1.5 GiB)")


if __name__ == "__main__":
    main()
