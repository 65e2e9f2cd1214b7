"""Stories benchmark: clustering against hand labels, copy detection, and cost at 10k and 100k articles.

    .venv/bin/python bench/stories.py            # all three parts
    .venv/bin/python bench/stories.py --scale 0  # skip the scale part

1. BCubed precision/recall/F1 of both cluster levels on the labelled sets of
   bench/data/story-labels.yaml: the real pages of ../shared/benchmarks/article-extraction, the
   seeds of ../shared/seeds, and the example corpus. Each set is ingested with the real pipeline.
2. Copies: recall on made-up copies, rewrites and translated-style variants of each real page,
   and false links between different pages of one labelled story.
3. Scale: a synthetic stream (text generated from a word-bigram model of the real pages, with
   5% copies and 5% rewrites) at 10k and 100k articles; seconds per article for copy detection
   and clustering, and the ratio between the two sizes (bar: at most 1.5).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "src"))

from redline.evaluate import bcubed, story_labels  # noqa: E402
from redline.ingest import ingest  # noqa: E402
from redline.store import Store  # noqa: E402
from redline.stories import StoryArticle, cluster_articles, stored_articles  # noqa: E402
from redline.stories.copies import CopyFinder  # noqa: E402
from redline.stories.variants import KINDS, false_links, make_variant, pairs_within, variants_found  # noqa: E402

LABELS = yaml.safe_load((ROOT / "bench" / "data" / "story-labels.yaml").read_text())


def labelled_sets() -> list[tuple[str, list[Path], Path | None]]:
    sets = [("examples", [ROOT / "examples" / "corpus"], ROOT / "examples" / "manifest.csv")]
    if SHARED.is_dir():
        sets = [("article-extraction", [SHARED / "benchmarks/article-extraction/html"], None),
                ("seeds", [SHARED / "seeds"], SHARED / "seeds" / "manifest.csv")] + sets
    return sets


def clustering(tmp: Path) -> None:
    print("1. story clustering, BCubed (tuned on article-extraction and seeds; examples labelled blind)")
    print(f"{'set':20} {'articles':>8}  {'level':10} {'P':>6} {'R':>6} {'F1':>6}")
    for name, paths, manifest in labelled_sets():
        db = tmp / f"{name}.duckdb"
        with Store(db) as store:
            ingest(paths, store, manifest=manifest)
            articles = list(stored_articles(store))
        _, placed, *_ = cluster_articles(lambda: articles)
        gold = story_labels(LABELS[name], [a.id for a in articles])
        for level, index, truth in (("happening", 0, gold[0]), ("story", 1, gold[1])):
            s = bcubed({a: str(p[index]) for a, p in placed.items()}, truth)
            print(f"{name:20} {len(articles):8d}  {level:10} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f}")


def copies() -> None:
    if not SHARED.is_dir():
        print("2. copies: skipped (../shared is not here)")
        return
    truth = json.loads((SHARED / "benchmarks/article-extraction/ground-truth.json").read_text())
    texts = {k: v["articleBody"] for k, v in truth.items() if len(v["articleBody"].split()) >= 50}
    print(f"2. copies of {len(texts)} real pages")
    for kind in KINDS:
        found = variants_found(texts, kind, seed=lambda key: 7)
        print(f"   {kind:11} recall {found / len(texts):.3f} ({found}/{len(texts)})")
    _, story = story_labels(LABELS["article-extraction"], sorted(truth))
    pairs = pairs_within(story, texts)
    linked = false_links(texts, pairs)
    print(f"   false links between different pages of one story: {linked}/{len(pairs)} ({linked / len(pairs):.1%})")


class BigramText:
    """Text that reads like news word by word, from the bigrams of real pages."""

    def __init__(self, texts: list[str]):
        self.next: dict[str, list[str]] = {}
        for text in texts:
            words = text.split()
            for a, b in zip(words, words[1:]):
                self.next.setdefault(a, []).append(b)
        self.starts = [w for w in self.next if w[:1].isupper()]

    def article(self, rng: random.Random, n_words: int) -> str:
        word, out = rng.choice(self.starts), []
        for i in range(n_words):
            out.append(word)
            follow = self.next.get(word)
            word = rng.choice(follow) if follow else rng.choice(self.starts)
            if i % 40 == 39:
                out.append("\n\n")
        return " ".join(out)


def synthetic_stream(n: int, model: BigramText, seed: int = 1) -> list[StoryArticle]:
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    days = sorted(rng.randrange(365) for _ in range(n))
    actors = [f"actor:{i}" for i in range(3000)]
    out: list[StoryArticle] = []
    for i, day in enumerate(days):
        published = start + dt.timedelta(days=day)
        roll = rng.random()
        recent = [a for a in out[-50:] if (published - a.published).days <= 3]
        if roll < 0.1 and recent:
            base = rng.choice(recent)
            text = make_variant(base.text, "copy" if roll < 0.05 else "rewrite", seed=i)
            who = base.actors
        else:
            text = model.article(rng, rng.randrange(250, 700))
            who = [actors[min(int(rng.paretovariate(1.2)) - 1, 2999)] for _ in range(rng.randrange(3, 15))]
        out.append(StoryArticle(f"a{i:06d}", published, f"outlet{rng.randrange(40)}", text, None, who))
    return out


def scale(sizes: list[int]) -> None:
    texts = [p.read_text() for p in (ROOT / "examples" / "corpus" / "txt").glob("*.txt")]
    if SHARED.is_dir():
        truth = json.loads((SHARED / "benchmarks/article-extraction/ground-truth.json").read_text())
        texts += [v["articleBody"] for v in truth.values()]
    model = BigramText(texts)
    print(f"3. scale (synthetic stream; {len(texts)} real texts feed the bigram model)")
    print(f"{'articles':>9} {'copies s/1k':>12} {'clusters s/1k':>14} {'total s/1k':>11} {'links':>6} {'stories':>8}")
    per_article = {}
    for n in sizes:
        stream = synthetic_stream(n, model)
        t0 = time.perf_counter()
        finder = CopyFinder()
        links = sum(finder.add(a.id, a.text, a.published) is not None for a in stream)
        t1 = time.perf_counter()
        _, placed, happenings, stories, _ = cluster_articles(lambda: stream)
        t2 = time.perf_counter()
        # cluster_articles runs its own copy finder too: subtract one copy pass from its time
        clusters = max(t2 - t1 - (t1 - t0), 0.0)
        per_article[n] = (t2 - t1) / n
        print(f"{n:9d} {1000 * (t1 - t0) / n:12.2f} {1000 * clusters / n:14.2f} {1000 * (t2 - t1) / n:11.2f} "
              f"{links:6d} {len(stories.clusters):8d}")
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        print(f"   time per article, {large} vs {small}: {per_article[large] / per_article[small]:.2f}x (bar: <= 1.5x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, nargs="*", default=[10_000, 100_000],
                        help="stream sizes for the scale part (0 to skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clustering(Path(tmp))
    copies()
    sizes = [n for n in args.scale if n > 0]
    if sizes:
        scale(sizes)


if __name__ == "__main__":
    main()
