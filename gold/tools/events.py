"""The event gold set's tools: batches for annotators, checking their files, building the gold.

    python gold/tools/events.py batches --out DIR [--annotators 7] [--overlap-docs 20]
    python gold/tools/events.py check FILE...
    python gold/tools/events.py build FILE... [-o gold/events/events.jsonl]

An annotator's file has one line per sentence, `{"sid", "events", "note"}`, with triggers and
actors as the exact words of the sentence (GUIDELINES.md). `build` turns the words into
character offsets into the corpus record's `text`, so that the gold set stores offsets and
short spans only, and writes one line per sentence in the shape `redline eval events` reads.
Sentences annotated twice (the agreement sample) keep the first annotator's reading in the gold
set; `agreement` compares the two.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLD = HERE.parent / "events"
SHARED = Path("../shared")
CORPORA = {
    "wikinews": "corpora/wikinews/articles.jsonl",
    "whitehouse-briefings": "corpora/whitehouse-briefings/briefings.jsonl",
}
TYPES = {
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
    "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
}
SECTORS = {"GOV", "MIL", "LEG", "JUD", "PTY", "REB", "CVL", "BUS", "MED", "NGO", "IGO", "UAF", "CRM", None}
MODALITIES = {"asserted", "alleged", "reported", "future", "hypothetical"}
EVENT_KEYS = {"type", "mode", "trigger", "trigger_occurrence", "source", "target", "negated", "modality",
              "background", "attributed_to"}
ACTOR_KEYS = {"text", "name", "country", "sector", "occurrence"}
BRIEFING_CONTEXT = 1200  # characters of a transcript shown before a sentence


def records(shared: Path = SHARED) -> dict[str, dict]:
    out = {}
    for corpus, rel in CORPORA.items():
        for line in (shared / rel).read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                rec["corpus"] = corpus
                out[rec["id"]] = rec
    return out


def selection() -> list[dict]:
    return [json.loads(line) for line in (GOLD / "selection.jsonl").read_text().splitlines() if line.strip()]


def sid(row: dict) -> str:
    return f"{row['doc']}:{row['span'][0]}"


# -- batches ----------------------------------------------------------------------------------

def write_batches(out: Path, annotators: int, overlap_docs: int, shared: Path) -> None:
    recs = records(shared)
    rows = selection()
    by_doc: dict[str, list[dict]] = {}
    for row in rows:
        by_doc.setdefault(row["doc"], []).append(row)
    docs = sorted(by_doc)
    rng = random.Random(7)
    rng.shuffle(docs)
    assignment: dict[int, list[str]] = {i: [] for i in range(annotators)}
    # Balance by sentence count: each document goes to the annotator with the fewest so far.
    load = [0] * annotators
    for doc in docs:
        i = min(range(annotators), key=lambda k: load[k])
        assignment[i].append(doc)
        load[i] += len(by_doc[doc])
    # The agreement sample: train-split Wikinews documents a second annotator also reads.
    train_wiki = [d for d in docs if by_doc[d][0]["split"] == "train" and by_doc[d][0]["source"] == "wikinews"]
    owner = {d: i for i, ds in assignment.items() for d in ds}
    overlap = train_wiki[:overlap_docs]
    for n, doc in enumerate(overlap):
        second = (owner[doc] + 1 + n % (annotators - 1)) % annotators
        assignment[second].append(doc)
    out.mkdir(parents=True, exist_ok=True)
    for i, ds in assignment.items():
        parts, count = [], 0
        for doc in ds:
            rec = recs[doc]
            sents = by_doc[doc]
            count += len(sents)
            parts.append(f"\n\n======== DOCUMENT {doc}\n")
            parts.append(f"corpus: {rec['corpus']}  outlet: {rec.get('outlet')}  published: {rec.get('published')}\n")
            parts.append(f"title: {rec.get('title')}\n")
            text = rec["text"]
            if rec["corpus"] == "wikinews":
                parts.append("---- full text\n" + text.strip() + "\n")
            parts.append("---- sentences to annotate (sid | sentence)\n")
            for row in sents:
                start, end = row["span"]
                if rec["corpus"] != "wikinews":
                    context = text[max(0, start - BRIEFING_CONTEXT):start]
                    parts.append(f"  [context before it] …{' '.join(context.split())}\n")
                parts.append(f"{sid(row)} | {' '.join(text[start:end].split())}\n")
        header = (f"# Event annotation batch {i + 1:02d}: {len(ds)} documents, {count} sentences\n"
                  f"# Follow gold/events/GUIDELINES.md. Write one JSON line per sentence, in this order.\n")
        (out / f"batch-{i + 1:02d}.txt").write_text(header + "".join(parts), encoding="utf-8")
        print(f"batch-{i + 1:02d}.txt: {len(ds)} documents, {count} sentences")
    (out / "overlap.json").write_text(json.dumps(overlap, indent=1))


# -- check and build --------------------------------------------------------------------------

def locate(sentence: str, words: str, occurrence: int = 1) -> int | None:
    """Offset of the n-th occurrence of `words` in the sentence, white space made single."""
    pos = -1
    for _ in range(max(1, occurrence)):
        pos = sentence.find(words, pos + 1)
        if pos < 0:
            return None
    return pos


class Problems(list):
    def add(self, where: str, problem: str) -> None:
        self.append(f"{where}: {problem}")


def check_actor(actor, sentence: str, where: str, problems: Problems) -> None:
    if not isinstance(actor, dict):
        problems.add(where, f"an actor must be an object, not {actor!r}")
        return
    unknown = set(actor) - ACTOR_KEYS
    if unknown:
        problems.add(where, f"unknown actor key(s) {sorted(unknown)}; allowed: {sorted(ACTOR_KEYS)}")
    text = actor.get("text")
    if text is not None and locate(sentence, text, actor.get("occurrence", 1)) is None:
        problems.add(where, f"actor text {text!r} is not in the sentence (copy it exactly)")
    if text is None and not actor.get("name"):
        problems.add(where, "an actor with no text needs a name")
    country = actor.get("country")
    if country is not None and not (isinstance(country, str) and (len(country) == 3 and country.isupper())):
        problems.add(where, f"country {country!r} must be an ISO3 code, IGO, NGO or null")
    if actor.get("sector") not in SECTORS:
        problems.add(where, f"sector {actor.get('sector')!r} is not one of {sorted(s for s in SECTORS if s)} or null")


def check_line(line: dict, sentence: str, where: str, problems: Problems) -> None:
    events = line.get("events")
    if not isinstance(events, list):
        problems.add(where, "`events` must be a list (empty for no event)")
        return
    for n, e in enumerate(events, start=1):
        at = f"{where} event {n}"
        unknown = set(e) - EVENT_KEYS
        if unknown:
            problems.add(at, f"unknown key(s) {sorted(unknown)}; allowed: {sorted(EVENT_KEYS)}")
        if e.get("type") not in TYPES:
            problems.add(at, f"type {e.get('type')!r} is not a PLOVER type")
        trigger = e.get("trigger")
        if not trigger or locate(sentence, trigger, e.get("trigger_occurrence", 1)) is None:
            problems.add(at, f"trigger {trigger!r} is not in the sentence (copy it exactly)")
        for side in ("source", "target"):
            if not isinstance(e.get(side, []), list):
                problems.add(at, f"`{side}` must be a list")
                continue
            for actor in e.get(side, []):
                check_actor(actor, sentence, f"{at} {side}", problems)
        if e.get("modality") not in MODALITIES:
            problems.add(at, f"modality {e.get('modality')!r} is not one of {sorted(MODALITIES)}")
        for flag in ("negated", "background"):
            if not isinstance(e.get(flag), bool):
                problems.add(at, f"`{flag}` must be true or false")
        if e.get("attributed_to") is not None:
            check_actor(e["attributed_to"], sentence, f"{at} attributed_to", problems)


def read_annotations(paths: list[Path], recs: dict, rows: dict) -> tuple[list[tuple[str, dict, str]], Problems]:
    problems = Problems()
    out = []
    for path in paths:
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not raw.strip():
                continue
            where = f"{path}:{number}"
            try:
                line = json.loads(raw)
            except json.JSONDecodeError as err:
                problems.add(where, f"invalid JSON ({err})")
                continue
            if "text" in line:  # a sentence the team wrote: it carries its own text
                check_line(line, " ".join(line["text"].split()), where, problems)
                out.append((line["text"], line, str(path)))
                continue
            row = rows.get(line.get("sid"))
            if row is None:
                problems.add(where, f"unknown sid {line.get('sid')!r}")
                continue
            start, end = row["span"]
            sentence = recs[row["doc"]]["text"][start:end]
            flat = " ".join(sentence.split())
            # Annotators saw the sentence with its white space made single: check against that.
            check_line(line, flat, where, problems)
            out.append((line["sid"], line, str(path)))
    return out, problems


def flat_to_raw(sentence: str) -> list[int]:
    """Offset in the sentence of each character of its white-space-collapsed form."""
    index, i, prev_space = [], 0, True
    for j, ch in enumerate(sentence):
        if ch.isspace():
            if not prev_space:
                index.append(j)
            prev_space = True
        else:
            index.append(j)
            prev_space = False
    return index


def event_record(e: dict, flat: str, start: int, index: list[int]) -> dict:
    """One annotated event with its words turned into offsets (`index`: the raw offset in the
    sentence of each character of its white-space-collapsed form `flat`; `start`: the sentence's)."""

    def span(words: str, occurrence: int = 1) -> list[int]:
        pos = locate(flat, words, occurrence)
        return [start + index[pos], start + index[pos + len(words) - 1] + 1]

    def actor(a: dict | None) -> dict | None:
        if a is None:
            return None
        got = {"name": a.get("name"), "country": a.get("country"), "sector": a.get("sector"),
               "text": a.get("text"), "start": None, "end": None}
        if a.get("text"):
            got["start"], got["end"] = span(a["text"], a.get("occurrence", 1))
        return got

    t0, t1 = span(e["trigger"], e.get("trigger_occurrence", 1))
    return {"event_type": e["type"], "mode": e.get("mode"), "trigger": e["trigger"], "trigger_start": t0,
            "trigger_end": t1, "source": [actor(a) for a in e.get("source", [])],
            "target": [actor(a) for a in e.get("target", [])], "negated": e["negated"],
            "modality": e["modality"], "background": e["background"], "attributed_to": actor(e.get("attributed_to"))}


def build(paths: list[Path], output: Path, shared: Path) -> None:
    recs = records(shared)
    rows = {sid(r): r for r in selection()}
    annotated, problems = read_annotations(paths, recs, rows)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        sys.exit(f"{len(problems)} problem(s): mend them first")
    first: dict[str, tuple[dict, str]] = {}
    written = []
    for key, line, path in annotated:
        if "text" in line:
            text = " ".join(line["text"].split())
            written.append({"source": "written", "doc": Path(path).stem, "text": text, "span": [0, len(text)],
                            "split": "train", "note": line.get("note"), "events": [event_record(e, text, 0, list(range(len(text))))
                                                                                     for e in line["events"]]})
            continue
        first.setdefault(key, (line, path))
    missing = [k for k in rows if k not in first]
    out = []
    for key, row in rows.items():
        if key not in first:
            continue
        line, path = first[key]
        start, end = row["span"]
        sentence = recs[row["doc"]]["text"][start:end]
        flat = " ".join(sentence.split())
        index = flat_to_raw(sentence)
        events = [event_record(e, flat, start, index) for e in line["events"]]
        out.append({"source": row["source"], "doc": row["doc"], "span": row["span"], "published": row["published"],
                    "split": row["split"], "annotator": Path(path).stem, "note": line.get("note"), "events": events})
    out += written
    output.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
    print(f"{len(out)} sentences, {sum(len(r['events']) for r in out)} events -> {output}"
          f" ({len(missing)} selected sentences not annotated)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=SHARED)
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("batches")
    b.add_argument("--out", type=Path, required=True)
    b.add_argument("--annotators", type=int, default=7)
    b.add_argument("--overlap-docs", type=int, default=20)
    c = sub.add_parser("check")
    c.add_argument("files", type=Path, nargs="+")
    g = sub.add_parser("build")
    g.add_argument("files", type=Path, nargs="+")
    g.add_argument("-o", "--output", type=Path, default=GOLD / "events.jsonl")
    args = ap.parse_args()
    if args.command == "batches":
        write_batches(args.out, args.annotators, args.overlap_docs, args.shared)
    elif args.command == "check":
        annotated, problems = read_annotations(args.files, records(args.shared), {sid(r): r for r in selection()})
        print("\n".join(problems) or f"{len(annotated)} sentences, no problems")
        sys.exit(1 if problems else 0)
    else:
        build(args.files, args.output, args.shared)


if __name__ == "__main__":
    main()
