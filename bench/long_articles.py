"""Cost per 100,000 characters of an article, from articles of 10,000 to 300,000 characters.

It must stay flat: no part of the pipeline may cost more per character in a long article
than in a short one (each trigger or mention looking through the whole document made long
articles quadratic). The same 300,000 characters of real text (../shared's Wikinews articles
and White House briefings, else the bundled examples repeated) are cut at paragraph ends into
articles of each size, and each set goes through

- the bare parse: the same spaCy model with Redline's paragraph component;
- the full pipeline as `redline ingest` runs it (`redline.ingest.analyse`: the components one
  by one, and the findings as stored),

in CPU seconds of this process (wall seconds beside them), the fastest of `--rounds`.

    .venv/bin/python bench/long_articles.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import spacy

from redline.config import Settings
from redline.ingest import analyse

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SIZES = (10_000, 30_000, 100_000, 300_000)
TOTAL = 300_000
BAR = 1.25  # cost per 100k characters at 300k over that at 10k


def paragraphs() -> list[str]:
    """Paragraphs of real text, enough for TOTAL characters."""
    sources = [SHARED / "corpora" / "wikinews" / "articles.jsonl", SHARED / "corpora" / "whitehouse-briefings" / "briefings.jsonl"]
    texts = [json.loads(line)["text"] for path in sources if path.exists() for line in path.open(encoding="utf-8")]
    if not texts:
        texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples" / "corpus" / "txt").glob("*.txt"))] * 60
    out, size = [], 0
    for text in texts:
        for paragraph in (p.strip() for p in text.split("\n\n")):
            if paragraph and size < TOTAL:
                out.append(paragraph)
                size += len(paragraph) + 2
    return out


def articles(parts: list[str], size: int) -> list[str]:
    """The paragraphs joined into articles of about `size` characters each."""
    out, current = [], []
    for paragraph in parts:
        current.append(paragraph)
        if sum(len(p) + 2 for p in current) >= size:
            out.append("\n\n".join(current))
            current = []
    if current:
        out.append("\n\n".join(current))
    return out


def timed(run) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    model = Settings().spacy_model
    key = (model, (), (), None)  # the pipeline of `redline ingest`, no time limit
    bare = spacy.load(model)
    bare.add_pipe("redline_paragraphs", before="parser")
    parts = paragraphs()
    chars = sum(len(p) for p in parts)
    sets = {size: articles(parts, size) for size in SIZES}
    warm = sets[SIZES[0]][:2]
    analyse([(t, None) for t in warm], key), [bare(t) for t in warm]  # models and lazy data loaded
    best: dict[tuple[int, str], tuple[float, float]] = {}
    for _ in range(args.rounds):
        for size, texts in sets.items():
            for kind, run in (("bare", lambda: [bare(t) for t in texts]),
                              ("full", lambda: analyse([(t, None) for t in texts], key))):
                cpu, wall = timed(run)
                if (size, kind) not in best or cpu < best[(size, kind)][0]:
                    best[(size, kind)] = (cpu, wall)
    per = lambda size, kind, i=0: best[(size, kind)][i] * 100_000 / chars  # noqa: E731 - s per 100k characters
    print(f"{chars:,} characters of real text, cut into articles of each size; CPU seconds per 100,000 characters "
          f"(wall in brackets), fastest of {args.rounds} rounds")
    print(f"{'chars/article':>13} {'articles':>8} {'bare parse':>14} {'full pipeline':>15} {'full/bare':>9} "
          f"{'Redline alone':>13}")
    for size, texts in sets.items():
        b, f = per(size, "bare"), per(size, "full")
        print(f"{size:13,} {len(texts):8} {b:7.2f} ({per(size, 'bare', 1):4.2f}) {f:8.2f} ({per(size, 'full', 1):4.2f}) "
              f"{f / b:9.2f} {f - b:13.2f}")
    first, last = SIZES[0], SIZES[-1]
    growth = per(last, "full") / per(first, "full")
    print(f"cost per 100k characters, {last // 1000}k vs {first // 1000}k articles: full pipeline {growth:.2f}x "
          f"(bar: <= {BAR}x), bare parse {per(last, 'bare') / per(first, 'bare'):.2f}x")
    print(f"full pipeline / bare parse: {per(first, 'full') / per(first, 'bare'):.2f} at {first // 1000}k, "
          f"{per(last, 'full') / per(last, 'bare'):.2f} at {last // 1000}k characters")
    return 0 if growth <= BAR else 1


if __name__ == "__main__":
    sys.exit(main())
