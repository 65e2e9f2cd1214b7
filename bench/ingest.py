"""Ingest throughput: the full pipeline against a bare spaCy parse, with 1 and 2 processes.

    .venv/bin/python bench/ingest.py [--articles 400]

The corpus is the real article bodies of ../shared (the extraction benchmark and the seeds;
the example corpus without it), made up to `--articles` with per-copy edits (paragraphs
reordered, a line added) so that no copy is skipped as already stored. The articles go in as
JSONL, through `Ingestor` exactly as `redline ingest --workers N` runs it, into a fresh DuckDB
file each time. Printed, wall and CPU seconds beside each other (the machine may be shared:
the CPU ratio is the steadier one): the bare parse (`nlp.pipe`, `n_process`); the full
pipeline with the rules coder, written one transaction per article (as before batched writes)
and in write batches; with the trained typer; their ratios to the bare parse (bar: >= 0.80
with the rules coder); the speed-up from 1 to 2 workers (bar: >= 1.8 on an idle machine) and
the peak memory of a worker process (bar: <= 1.5 GiB).
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
from redline.ingest import WRITE_BATCH, Ingestor  # noqa: E402
from redline.nlp import load_pipeline, pipeline_key  # noqa: E402
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


class Clock:
    """Wall seconds, and CPU seconds of this process and of the child processes that ended meanwhile
    (the parse workers, stopped before the clock is read)."""

    def __enter__(self) -> "Clock":
        self.wall, self.cpu = time.perf_counter(), self._cpu()
        return self

    def __exit__(self, *exc) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, self._cpu() - self.cpu

    @staticmethod
    def _cpu() -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime


def bare(texts: list[str], processes: int, batch_size: int = 16) -> Clock:
    import spacy

    nlp = spacy.load(Settings().spacy_model)
    with Clock() as clock:
        for _ in nlp.pipe(texts, batch_size=batch_size, n_process=processes):
            pass
    return clock


def full(texts: list[str], processes: int, folder: Path, coder: str = "rules", write_batch: int = WRITE_BATCH) -> Clock:
    source = folder / "corpus.jsonl"
    if not source.exists():
        with source.open("w", encoding="utf-8") as f:
            for i, text in enumerate(texts):
                f.write(json.dumps({"id": f"b{i}", "text": text, "language": "en", "published": "2024-01-01"}) + "\n")
    db = folder / f"full-{processes}-{coder}-{write_batch}.duckdb"
    with Store(db) as store, Clock() as clock:
        ingestor = Ingestor(store, Settings(coder=coder), workers=processes, write_batch=write_batch)
        try:
            report = ingestor.run([source])
        finally:
            ingestor.close()  # waits for the workers to exit, so that their CPU is counted
    # A page that is nothing but furniture is refused, as it should be; the rest must be stored.
    assert len(report.stored) + len(report.errors) == len(texts) and len(report.errors) <= len(texts) // 50, report.errors[:3]
    return clock


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=400)
    args = parser.parse_args()
    texts = corpus(args.articles)
    words = sum(len(t.split()) for t in texts)
    print(f"{len(texts)} articles, {words} words")
    print(f"{'run':50} {'wall s':>7} {'CPU s':>7} {'articles/s':>11} {'words/s':>8}")
    runs = {
        "bare": ("bare spaCy parse (nlp.pipe), 1 proc", lambda: bare(texts, 1)),
        "bare-one-by-one": ("bare spaCy parse, one Doc at a time, 1 proc", lambda: bare(texts, 1, batch_size=1)),
        "before": ("full, rules coder, 1 write per article, 1 proc", lambda: full(texts, 1, tmp, "rules", 1)),
        "rules": (f"full, rules coder, writes of {WRITE_BATCH}, 1 proc", lambda: full(texts, 1, tmp, "rules")),
        "typer": (f"full, typer coder, writes of {WRITE_BATCH}, 1 proc", lambda: full(texts, 1, tmp, "typer")),
        "bare-2": ("bare spaCy parse (nlp.pipe), 2 proc", lambda: bare(texts, 2)),
        "rules-2": (f"full, rules coder, writes of {WRITE_BATCH}, --workers 2", lambda: full(texts, 2, tmp, "rules")),
    }
    for coder in ("rules", "typer"):  # loaded before the clocks start, as the bare runs' model is
        load_pipeline(*pipeline_key(Settings(coder=coder)))
    clocks = {}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for key, (name, run) in runs.items():
            clocks[key] = clock = run()
            print(f"{name:50} {clock.wall:7.1f} {clock.cpu:7.1f} {len(texts) / clock.wall:11.1f} {words / clock.wall:8.0f}")
    print("full pipeline / bare parse (throughput; wall, and CPU):")
    for key, bare_key in (("before", "bare"), ("rules", "bare"), ("typer", "bare"), ("rules-2", "bare-2")):
        b, f = clocks[bare_key], clocks[key]
        print(f"  {runs[key][0]:48} {b.wall / f.wall:5.2f}  CPU {b.cpu / f.cpu:5.2f}"
              + ("  (bar: >= 0.80 with the rules coder)" if key == "rules" else ""))
    one_by_one = clocks["bare"].wall / clocks["bare-one-by-one"].wall
    print(f"bare parse one Doc at a time / in batches of 16: {one_by_one:.2f} (the full pipeline parses one article at a time)")
    speedup, cpu = clocks["rules"].wall / clocks["rules-2"].wall, clocks["rules-2"].cpu / clocks["rules"].cpu
    print(f"full pipeline, --workers 2 vs 1: {speedup:.2f}x the throughput, {cpu:.2f}x the CPU (bar: >= 1.8x on an idle machine)")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    print(f"peak memory of a worker process: {peak:.2f} GiB (bar: <= 1.5 GiB)")


if __name__ == "__main__":
    main()
