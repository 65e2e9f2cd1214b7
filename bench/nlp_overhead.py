"""What actor resolution, quote extraction and event coding add to the spaCy parse, in one run.

Texts: the article bodies of ../shared/benchmarks/article-extraction/ and the seeds (else
the bundled examples). The bare pipeline is the same spaCy model with Redline's paragraph
component; the full one adds redline_actors, redline_quotes and redline_events, and the trained
event typer's check of the coded events (redline_event_typer) when the model is shipped. Each is
timed `--rounds` times, alternating, and the fastest round of each is compared.

    .venv/bin/python bench/nlp_overhead.py [--rounds 3] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import spacy

from redline.clean import clean_text
from redline.config import Settings
from redline.events.typer import shipped_model_dir
from redline.nlp import load_pipeline, make_docs

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def corpus(limit: int | None) -> list[str]:
    texts = []
    truth = SHARED / "benchmarks" / "article-extraction" / "ground-truth.json"
    if truth.exists():
        texts += [page["articleBody"] for page in json.loads(truth.read_text(encoding="utf-8")).values()]
        texts += [clean_text(p.read_text(encoding="utf-8")).text for p in sorted((SHARED / "seeds").glob("*.txt"))]
    else:
        texts += [clean_text(p.read_text(encoding="utf-8")).text for p in sorted((ROOT / "examples").rglob("*.txt"))]
    return texts[:limit]


def timed(nlp, texts: list[str]) -> float:
    start = time.perf_counter()
    for _ in nlp.pipe(make_docs(nlp, ((t, None) for t in texts)), batch_size=16):
        pass
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    model = Settings().spacy_model
    typer = 0.9 if (shipped_model_dir() / "model.onnx").exists() else None
    full = load_pipeline(model, (), (), typer)
    bare = spacy.load(model)
    bare.add_pipe("redline_paragraphs", before="parser")
    texts = corpus(args.limit)
    words = sum(len(t.split()) for t in texts)
    timed(full, texts[:5]), timed(bare, texts[:5])  # warm up both
    bare_s, full_s = [], []
    for _ in range(args.rounds):
        bare_s.append(timed(bare, texts))
        full_s.append(timed(full, texts))
    b, f = min(bare_s), min(full_s)
    # The components alone, on Docs already parsed: the least noisy measure of what they add.
    ours = [name for name in full.pipe_names if name.startswith("redline_") and name != "redline_paragraphs"]
    parsed = list(full.pipe(make_docs(full, ((t, None) for t in texts)), disable=ours))
    components = [full.get_pipe(name) for name in ours]
    seconds = dict.fromkeys(ours, 0.0)
    for doc in parsed:
        for name, component in zip(ours, components):
            start = time.perf_counter()
            doc = component(doc)
            seconds[name] += time.perf_counter() - start
    c = sum(seconds.values())
    print(f"texts {len(texts)}, words {words:,}, rounds {args.rounds} (fastest of each)")
    print(f"{'pipeline':38} {'seconds':>8} {'words/s':>9}")
    print(f"{'spaCy parse (bare)':38} {b:8.2f} {words / b:9.0f}")
    print(f"{'+ ' + ' + '.join(n.removeprefix('redline_') for n in ours):38} {f:8.2f} {words / f:9.0f}")
    for name in ours:
        print(f"{'  ' + name + ' alone (parsed Docs)':38} {seconds[name]:8.2f}   {100 * seconds[name] / b:5.1f}% of the parse")
    print(f"overhead of Redline's components: {100 * c / b:.1f}% of the parse time "
          f"(end to end: {100 * (f - b) / b:+.1f}%; target <= 20% for actors + quotes, <= 20% for events)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
