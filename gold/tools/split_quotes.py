"""Freeze the test split of the quote-speaker gold set before any quote rule changes.

    .venv/bin/python gold/tools/split_quotes.py --shared ../shared

By document, random with a fixed seed, 25% of each corpus the set may draw from: the Wikinews
articles, the White House briefings and the pages of the article-extraction benchmark. Which
documents are then annotated does not move the split.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

SEED = 20261202
TEST_SHARE = 0.25


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "quotes" / "split.json")
    args = ap.parse_args()
    ids = {
        "wikinews": [json.loads(l)["id"] for l in (args.shared / "corpora/wikinews/articles.jsonl").open(encoding="utf-8") if l.strip()],
        "whitehouse-briefings": [json.loads(l)["id"] for l in (args.shared / "corpora/whitehouse-briefings/briefings.jsonl").open(encoding="utf-8") if l.strip()],
        "article-extraction": list(json.loads((args.shared / "benchmarks/article-extraction/ground-truth.json").read_text(encoding="utf-8"))),
    }
    rng = random.Random(SEED)
    test = {corpus: sorted(rng.sample(sorted(docs), round(len(docs) * TEST_SHARE))) for corpus, docs in ids.items()}
    args.out.write_text(json.dumps({"seed": SEED, "test_share": TEST_SHARE, "test_documents": test}, indent=1) + "\n")
    print({k: f"{len(v)} of {len(ids[k])} test" for k, v in test.items()})


if __name__ == "__main__":
    main()
