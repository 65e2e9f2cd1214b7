"""Quote provenance benchmark: grades against known answers, and cost at 1x and 10x the transcripts.

    .venv/bin/python bench/provenance.py                       # train split, and cost
    .venv/bin/python bench/provenance.py --split test --scale 0    # the test split, once per change

`--db`: a database holding the 74 briefings of ../shared/corpora/whitehouse-briefings (made with
`redline ingest ../shared/corpora/whitehouse-briefings --db briefings.duckdb`); without it their
turns are stored as statements directly (`statements_db`). The file is not changed: the
benchmark works on a copy.

1. Grades. Real sentences of the transcripts' statements become news quotes of their speaker,
   dated on the day or up to 3 days after: `verbatim` (as said, or a stretch of it), `trimmed`
   (2-4 words dropped inside, with or without "..."), `altered` (1-2 content words replaced by
   other words of the transcripts), `paraphrase` (an indirect quote: first person turned into
   third, tenses shifted back, fillers dropped, a content word replaced, up to 3 words dropped), and `not found` (a sentence of another speaker,
   or of a Wikinews article, put in this speaker's mouth, direct or indirect). Precision and
   recall of each grade (bar: 0.9 each). Each sentence is in the train or the test split by a
   hash of its quote id and position, fixed before any tuning; thresholds are tuned on train.
2. Cost. The grading time per quote with the transcripts as stored, then with 9 more copies of
   every transcript, dated 1-9 years earlier (all in range), whose statements' words are
   shuffled (new text of the same speakers and vocabulary); with `--exact`, also with 9 exact
   copies (every copy repeats every answer). Bar: the time per quote grows far less than 10x.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "src"))

from redline import provenance  # noqa: E402
from redline.provenance import _provenance  # noqa: E402
from redline.store import Store  # noqa: E402

GRADES = ("verbatim", "trimmed", "altered", "paraphrase", "not found")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
FILLERS = re.compile(r"^(?:(?:so|look|well|again|and|but|now|i mean|you know|i think)[,—\s]+)+", re.I)
PERSON = {"i": "he", "me": "him", "my": "his", "mine": "his", "myself": "himself", "we": "they", "us": "them",
          "our": "their", "ours": "theirs", "i'm": "he was", "we're": "they were", "i've": "he had",
          "we've": "they had", "i'll": "he would", "we'll": "they would", "i'd": "he would", "we'd": "they would",
          "is": "was", "are": "were", "will": "would", "can": "could", "have": "had", "has": "had", "don't": "didn't",
          "do": "did", "won't": "wouldn't", "can't": "couldn't", "isn't": "wasn't", "aren't": "weren't"}


def split_of(key: str) -> str:
    return "train" if hashlib.sha1(key.encode()).digest()[0] % 2 == 0 else "test"


def statements(con) -> list[tuple]:
    return con.execute("""SELECT q.id, q.speaker_id, a.published, substr(a.text, q.start_char + 1, q.end_char - q.start_char)
                          FROM quotes q JOIN articles a ON a.id = q.article_id
                          WHERE q.kind = 'statement' AND q.speaker_id IS NOT NULL AND a.published IS NOT NULL
                          ORDER BY q.id""").fetchall()


def sentences(rows: list[tuple]) -> list[dict]:
    out = []
    for quote_id, speaker, published, text in rows:
        for n, s in enumerate(SENTENCE.split(" ".join(text.split()))):
            size = len(s.split())
            if 10 <= size <= 40 and "(" not in s and "inaudible" not in s:
                out.append({"key": f"{quote_id}:{n}", "speaker": speaker, "published": published, "text": s})
    return out


def make_quote(item: dict, grade: str, rng: random.Random, others: list[dict], vocab: list[str]) -> dict:
    words = item["text"].split()
    kind, speaker, text = "direct", item["speaker"], item["text"]
    if grade == "verbatim" and rng.random() < 0.5:
        a = rng.randrange(0, 3)
        text = " ".join(words[a:len(words) - rng.randrange(0, 3)])
    elif grade == "trimmed":
        a = rng.randrange(2, len(words) - 6)
        gap = rng.randrange(2, 5)
        text = " ".join(words[:a] + (["..."] if rng.random() < 0.5 else []) + words[a + gap:])
    elif grade == "altered":
        spots = [i for i, w in enumerate(words[1:-1], 1) if len(w.strip(",.;:!?")) > 3 and w.isalpha()]
        for i in rng.sample(spots, min(len(spots), rng.choice((1, 2)))):
            choice = rng.choice(vocab)
            while choice == words[i].lower():
                choice = rng.choice(vocab)
            words[i] = choice
        text = " ".join(words)
    elif grade == "paraphrase":
        # Reported speech, and in other words: one content word replaced, up to 3 words dropped.
        spots = [i for i, w in enumerate(words) if len(w.strip(",.;:!?")) > 3 and w.isalpha()]
        if spots:
            words[rng.choice(spots)] = rng.choice(vocab)
        for _ in range(rng.randrange(0, 4)):
            if len(words) > 8:
                del words[rng.randrange(len(words))]
        kind, text = "indirect", indirect(" ".join(words))
    elif grade == "not found":
        other = rng.choice(others)
        kind = rng.choice(("direct", "indirect"))
        text = indirect(other["text"]) if kind == "indirect" else other["text"]
    shift = dt.timedelta(days=rng.randrange(0, 4))
    return {"key": item["key"], "grade": grade, "kind": kind, "speaker": speaker, "text": text,
            "published": item["published"] + shift}


def indirect(text: str) -> str:
    text = FILLERS.sub("", text.replace("’", "'"))
    return " ".join(PERSON.get(w.lower(), w) for w in text.split())


def build_cases(con, split: str, per_grade: int, seed: int = 18) -> list[dict]:
    rows = statements(con)
    items = [s for s in sentences(rows) if split_of(s["key"]) == split]
    rng = random.Random(seed)
    vocab = sorted({w.lower() for s in items for w in s["text"].split() if w.isalpha() and len(w) > 4})
    speakers = Counter(s["speaker"] for s in items)
    first = {}
    for s in items:
        first[s["speaker"]] = min(first.get(s["speaker"], s["published"]), s["published"])
    cases = []
    for grade in GRADES:
        for item in rng.sample(items, per_grade):
            if grade == "not found":
                # Someone else's words (another speaker's, or a Wikinews sentence) in the mouth of a
                # speaker with statements up to that day.
                speaker = rng.choice([s for s in speakers if speakers[s] > 20 and s != item["speaker"]])
                others = [s for s in items if s["speaker"] != speaker] + wikinews_sentences(split)
                item = dict(item, speaker=speaker, published=max(item["published"], first[speaker]))
                cases.append(make_quote(item, grade, rng, others, vocab))
            else:
                cases.append(make_quote(item, grade, rng, [], vocab))
    return cases


_WIKI: dict[str, list[dict]] = {}


def wikinews_sentences(split: str) -> list[dict]:
    if split not in _WIKI:
        path = SHARED / "corpora" / "wikinews" / "articles.jsonl"
        found = []
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines()[:120]:
                record = json.loads(line)
                for n, s in enumerate(SENTENCE.split(" ".join((record.get("text") or "").split()))):
                    if 10 <= len(s.split()) <= 40 and split_of(f"wiki:{record.get('id')}:{n}") == split:
                        found.append({"text": s})
        _WIKI[split] = found
    return _WIKI[split]


def grade_all(con, cases: list[dict]) -> list[dict]:
    provenance.use_index(con)
    first = dict(con.execute("SELECT speaker_id, min(published) FROM provenance_sources WHERE transcript GROUP BY 1").fetchall())
    return [_provenance(con, (f"bench:{n}", "bench-news", c["speaker"], c["kind"], c["text"], c["published"]), first)
            for n, c in enumerate(cases)]


def report(cases: list[dict], found: list[dict]) -> None:
    from redline.provenance.align import lookable, words

    kept = [(c, f) for c, f in zip(cases, found) if lookable(words(c["text"]).norm)]
    print(f"{len(cases) - len(kept)} quotes too short to look up (under 3 words or 2 content words), left out")
    cases, found = [c for c, _ in kept], [f for _, f in kept]
    print(f"{'grade':11} {'n':>4} {'precision':>9} {'recall':>7}")
    for grade in GRADES:
        gold = [c["grade"] == grade for c in cases]
        got = [(f["grade"] or "none") == grade for f in found]
        tp = sum(g and p for g, p in zip(gold, got))
        precision = tp / sum(got) if sum(got) else 0.0
        print(f"{grade:11} {sum(gold):4} {precision:9.3f} {tp / sum(gold):7.3f}")
    source_right = [f["source_quote_id"] == c["key"].rsplit(":", 1)[0] for c, f in zip(cases, found)
                    if c["grade"] != "not found" and f["grade"] == c["grade"]]
    print(f"right grade with the sentence's own statement as source: {sum(source_right)}/{len(source_right)}")
    confusion = Counter((c["grade"], f["grade"] or "none") for c, f in zip(cases, found) if c["grade"] != (f["grade"] or "none"))
    if confusion:
        print("confusions (gold -> graded): " + ", ".join(f"{g} -> {p}: {n}" for (g, p), n in confusion.most_common()))


def timed(con, cases: list[dict]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    grade_all(con, cases)
    return (time.perf_counter() - wall) / len(cases), (time.process_time() - cpu) / len(cases)


def add_copies(store: Store, copies: int, shuffle: bool, seed: int = 7) -> None:
    """`copies` more of every transcript: ids and dates of their own (1, 2 ... years earlier)."""
    con = store.con
    rng = random.Random(seed)
    transcripts = con.execute("""SELECT id, published, text FROM articles
                                 WHERE id IN (SELECT article_id FROM quotes WHERE kind = 'statement')""").fetchall()
    for c in range(1, copies + 1):
        articles, quotes = [], []
        for article_id, published, text in transcripts:
            new_id = f"{article_id}-copy{c}"
            turns = con.execute("""SELECT speaker_id, speaker_name, start_char, end_char FROM quotes
                                   WHERE article_id = ? AND kind = 'statement' ORDER BY start_char""", [article_id]).fetchall()
            parts, at = [], 0
            for n, (speaker_id, name, start, end) in enumerate(turns):
                said = text[start:end].split()
                if shuffle:
                    rng.shuffle(said)
                turn = " ".join(said)
                quotes.append({"id": f"{new_id}:q{n}", "article_id": new_id, "speaker_id": speaker_id, "speaker_name": name,
                               "text": turn, "kind": "statement", "start_char": at, "end_char": at + len(turn)})
                parts.append(turn)
                at += len(turn) + 2
            articles.append({"id": new_id, "published": published - dt.timedelta(days=365 * c), "text": "\n\n".join(parts),
                             "ingested_at": dt.datetime.now()})
        with store.transaction():
            Store._append(con, "articles", {k: [a[k] for a in articles] for k in articles[0]})
            Store._append(con, "quotes", {k: [q[k] for q in quotes] for k in quotes[0]})


def statements_db(folder: Path) -> Path:
    """The briefings' statements, cut into turns as the transcript reader cuts them, without the
    parse (the provenance stage reads only the statements): each labelled turn a statement of the
    person its label names. Minutes faster than `redline ingest` of the 74 texts; `--db` takes a
    real ingest instead."""
    from redline.model import ActorId
    from redline.turns import find_turns, label_name

    db = folder / "briefings.duckdb"
    articles, quotes = [], []
    for line in (SHARED / "corpora" / "whitehouse-briefings" / "briefings.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text = record["text"]
        articles.append({"id": record["id"], "published": dt.date.fromisoformat(record["published"]), "text": text,
                         "outlet": record["outlet"], "ingested_at": dt.datetime.now()})
        for n, turn in enumerate(find_turns(text)):
            name = label_name(turn.label)[0] if turn.label else None
            quotes.append({"id": f"{record['id']}:q{n}", "article_id": record["id"], "kind": "statement" if turn.label else "question",
                           "speaker_id": ActorId.person(name) if name else None, "speaker_name": name,
                           "text": text[turn.text_start:turn.end], "start_char": turn.text_start, "end_char": turn.end})
    with Store(db) as store, store.transaction():
        Store._append(store.con, "articles", {k: [a[k] for a in articles] for k in articles[0]})
        Store._append(store.con, "quotes", {k: [q[k] for q in quotes] for k in quotes[0]})
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="a database with the briefings (else they are ingested first)")
    parser.add_argument("--split", choices=("train", "test"), default="train")
    parser.add_argument("--per-grade", type=int, default=100)
    parser.add_argument("--scale", type=int, default=10, help="copies of the transcripts for the cost part (0: skip)")
    parser.add_argument("--exact", action="store_true", help="also time exact copies (every copy repeats every answer)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = args.db or statements_db(Path(tmp))
        db = Path(tmp) / "bench.duckdb"
        shutil.copy(source, db)
        with Store(db) as store:
            wall, cpu = time.perf_counter(), time.process_time()
            provenance.update(store, rebuild=True)
            passages = store.con.execute("SELECT count(*) FROM provenance_sources").fetchone()[0]
            print(f"index and grade the stored quotes: {passages} passages, {time.perf_counter() - wall:.1f} s "
                  f"({time.process_time() - cpu:.1f} CPU-s)")
            cases = build_cases(store.con, args.split, args.per_grade)
            print(f"\n{len(cases)} quotes made from the {args.split} split's sentences")
            report(cases, grade_all(store.con, cases))
            if not args.scale:
                return
            sample = cases[:: max(1, len(cases) // 200)]
            print(f"\ncost: seconds per quote over {len(sample)} quotes (wall, CPU)")
            base = timed(store.con, sample)
            print(f"1x   {passages:7} passages  {base[0] * 1000:7.2f} ms  {base[1] * 1000:7.2f} ms")
        for shuffle in (True, False) if args.exact else (True,):
            scaled = Path(tmp) / f"scaled-{shuffle}.duckdb"
            shutil.copy(db, scaled)
            with Store(scaled) as store:
                add_copies(store, args.scale - 1, shuffle)
                provenance.update(store)
                passages = store.con.execute("SELECT count(*) FROM provenance_sources").fetchone()[0]
                wall, cpu = timed(store.con, sample)
                label = f"{args.scale}x " + ("(shuffled copies)" if shuffle else "(exact copies)")
                print(f"{label:26} {passages:7} passages  {wall * 1000:7.2f} ms  {cpu * 1000:7.2f} ms  "
                      f"ratio to 1x: {wall / base[0]:.2f} wall, {cpu / base[1]:.2f} CPU")


if __name__ == "__main__":
    main()
