"""Article-body extraction benchmark: Redline's HTML path next to plain trafilatura.

Data: ../shared/benchmarks/article-extraction/ (181 real pages, hand-made bodies).
Metric (the benchmark's own, re-implemented here): tokens are \\w+ runs; a body is the
multiset of its 4-token shingles; per page, TP/FP/FN are counted and scaled to sum to 1 so
each page weighs the same; summed over pages they give precision, recall and F1.

    .venv/bin/python bench/extraction.py [--data DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

import trafilatura

from redline.clean.html import extract_html

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "article-extraction"
TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter:
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(len(tokens) - n + 1, 0)))


def page_counts(predicted: str, truth: str) -> tuple[float, float, float]:
    """TP, FP, FN of one page, scaled to sum to 1 (all zero when both are empty)."""
    pred, true = shingles(predicted), shingles(truth)
    tp = sum((pred & true).values())
    fp = sum(pred.values()) - tp
    fn = sum(true.values()) - tp
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def score(pairs: list[tuple[str, str]]) -> dict[str, float]:
    tp = fp = fn = 0.0
    for predicted, truth in pairs:
        a, b, c = page_counts(predicted, truth)
        tp, fp, fn = tp + a, fp + b, fn + c
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def load_pages(data: Path, limit: int | None = None) -> list[tuple[str, str, str]]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        raw = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())
        pages.append((key, raw.decode("utf-8", errors="replace"), truth[key]["articleBody"]))
    return pages


EXTRACTORS = {
    "trafilatura.extract (default)": lambda html: trafilatura.extract(html) or "",
    "redline": lambda html: (a.clean.text if (a := extract_html(html)) else ""),
}


def run(data: Path, limit: int | None = None) -> dict[str, dict[str, float]]:
    pages = load_pages(data, limit)
    results = {}
    for name, extract in EXTRACTORS.items():
        start = time.perf_counter()
        pairs = [(extract(html), body) for _, html, body in pages]
        results[name] = score(pairs) | {"seconds": time.perf_counter() - start, "pages": len(pages)}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    if not (args.data / "ground-truth.json").exists():
        print(f"{args.data}: benchmark data not found", file=sys.stderr)
        return 2
    results = run(args.data, args.limit)
    print(f"{'extractor':32} {'P':>6} {'R':>6} {'F1':>6} {'pages':>6} {'s':>6}")
    for name, r in results.items():
        print(f"{name:32} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} {r['pages']:6d} {r['seconds']:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
