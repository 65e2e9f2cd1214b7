"""The quote-speaker gold set's tools: a batch for annotators, checking their file, building the gold.

    python gold/tools/quotes.py batch --out FILE [--wikinews 70] [--pages 20]
    python gold/tools/quotes.py check FILE
    python gold/tools/quotes.py build FILE [-o gold/quotes/quotes.jsonl]

An annotator's file has one line per document, `{"doc", "source", "quotes": [...]}`, each quote
`{"text", "kind", "speaker", "speaker_text", "occurrence", "speaker_occurrence"}` with `text`
and `speaker_text` the exact words of the document (white space made single). `build` turns
them into character offsets, in the shape `redline eval quotes` reads, with the split of
`gold/quotes/split.json`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from events import flat_to_raw, locate  # noqa: E402 - the same word-to-offset reading as the event gold

GOLD = HERE.parent / "quotes"
SHARED = Path("../shared")
KINDS = {"direct", "partial", "indirect"}
QUOTE_KEYS = {"text", "kind", "speaker", "speaker_text", "occurrence", "speaker_occurrence"}


def documents(shared: Path) -> dict[tuple[str, str], str]:
    docs = {}
    for line in (shared / "corpora/wikinews/articles.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            docs[("wikinews", rec["id"])] = rec["text"]
    pages = json.loads((shared / "benchmarks/article-extraction/ground-truth.json").read_text(encoding="utf-8"))
    for key, page in pages.items():
        docs[("article-extraction", key)] = page["articleBody"]
    return docs


def write_batch(out: Path, wikinews: int, pages: int, shared: Path) -> None:
    docs = documents(shared)
    marks = re.compile(r"[\"“”]")
    quoted = [k for k, text in sorted(docs.items()) if len(marks.findall(text)) >= 4 and len(text) < 12000]
    rng = random.Random(20261203)
    chosen = (rng.sample([k for k in quoted if k[0] == "wikinews"], wikinews)
              + rng.sample([k for k in quoted if k[0] == "article-extraction"], pages))
    parts = []
    for source, doc in chosen:
        parts.append(f"\n\n======== DOCUMENT source={source} doc={doc}\n{docs[(source, doc)].strip()}\n")
    out.write_text(f"# Quote annotation batch: {len(chosen)} documents\n" + "".join(parts), encoding="utf-8")
    print(f"{len(chosen)} documents -> {out}")


def read(path: Path, docs: dict) -> tuple[list[dict], list[str]]:
    problems, lines = [], []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as err:
            problems.append(f"{where}: invalid JSON ({err})")
            continue
        text = docs.get((line.get("source"), line.get("doc")))
        if text is None:
            problems.append(f"{where}: unknown document {line.get('source')!r} {line.get('doc')!r}")
            continue
        flat = " ".join(text.split())
        for n, q in enumerate(line.get("quotes", []), start=1):
            at = f"{where} quote {n}"
            if set(q) - QUOTE_KEYS:
                problems.append(f"{at}: unknown key(s) {sorted(set(q) - QUOTE_KEYS)}")
            if q.get("kind") not in KINDS:
                problems.append(f"{at}: kind {q.get('kind')!r} is not one of {sorted(KINDS)}")
            if not q.get("text") or locate(flat, q["text"], q.get("occurrence", 1)) is None:
                problems.append(f"{at}: text {str(q.get('text'))[:60]!r} is not in the document (copy it exactly)")
            if q.get("speaker_text") and locate(flat, q["speaker_text"], q.get("speaker_occurrence", 1)) is None:
                problems.append(f"{at}: speaker_text {q['speaker_text']!r} is not in the document")
            if q.get("speaker_text") and not q.get("speaker"):
                problems.append(f"{at}: a speaker_text needs the speaker's name in `speaker`")
        lines.append(line)
    return lines, problems


def build(path: Path, output: Path, shared: Path) -> None:
    docs = documents(shared)
    lines, problems = read(path, docs)
    if problems:
        sys.exit("\n".join(problems) + f"\n{len(problems)} problem(s): mend them first")
    test = json.loads((GOLD / "split.json").read_text())["test_documents"]
    out = []
    for line in lines:
        text = docs[(line["source"], line["doc"])]
        flat = " ".join(text.split())
        index = flat_to_raw(text)

        def span(words: str, occurrence: int = 1) -> tuple[int, int]:
            pos = locate(flat, words, occurrence)
            return index[pos], index[pos + len(words) - 1] + 1

        quotes = []
        for q in line["quotes"]:
            start, end = span(q["text"], q.get("occurrence", 1))
            gold = {"start": start, "end": end, "kind": q["kind"], "speaker": q.get("speaker")}
            if q.get("speaker_text"):
                gold["speaker_start"], gold["speaker_end"] = span(q["speaker_text"], q.get("speaker_occurrence", 1))
            quotes.append(gold)
        out.append({"source": line["source"], "doc": line["doc"],
                    "split": "test" if line["doc"] in test.get(line["source"], []) else "train", "quotes": quotes})
    output.write_text("".join(json.dumps(r) + "\n" for r in out), encoding="utf-8")
    print(f"{len(out)} documents, {sum(len(r['quotes']) for r in out)} quotes -> {output}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=SHARED)
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("batch")
    b.add_argument("--out", type=Path, required=True)
    b.add_argument("--wikinews", type=int, default=70)
    b.add_argument("--pages", type=int, default=20)
    c = sub.add_parser("check")
    c.add_argument("file", type=Path)
    g = sub.add_parser("build")
    g.add_argument("file", type=Path)
    g.add_argument("-o", "--output", type=Path, default=GOLD / "quotes.jsonl")
    args = ap.parse_args()
    if args.command == "batch":
        write_batch(args.out, args.wikinews, args.pages, args.shared)
    elif args.command == "check":
        lines, problems = read(args.file, documents(args.shared))
        print("\n".join(problems) or f"{len(lines)} documents, {sum(len(x.get('quotes', [])) for x in lines)} quotes, no problems")
        sys.exit(1 if problems else 0)
    else:
        build(args.file, args.output, args.shared)


if __name__ == "__main__":
    main()
