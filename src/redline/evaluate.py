"""Evaluation against gold files: `redline eval quotes GOLD.jsonl`.

A gold line names a text and its quotes (`redline eval quotes`) or events (`redline eval events`):

    {"doc": "name", "text": "...",                    # the text itself, or
     "source": "article-extraction", "doc": KEY,      # a page body of ../shared's benchmark
     "published": "2023-03-21",                        # optional, for dated roles
     "span": [start, end],                             # optional: one sentence of the text
                                                       # (events: scored in the whole text)
     "quotes": [{"start": 10, "end": 52, "kind": "direct", "speaker": "John Kirby"}]}

Offsets are character offsets into the text; a speaker is a name (or description) or null.
Real articles are referred to by key, so their text never has to be copied into the repo.

A predicted quote matches a gold one of the same family (in quotation marks: direct and
partial; reported: indirect) when their spans overlap by at least half of their union. The
`direct` row counts, of those, the gold direct quotes matched by a quote found as direct.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from redline.nlp import load_pipeline, make_docs
from redline.words import fold

DEFAULT_SHARED = Path("../shared")
SOURCES = {"article-extraction": ("benchmarks/article-extraction/ground-truth.json", "articleBody")}
# Corpora of JSONL records (`id`, `text`, ...): a gold line names one by its `source` and the record by `doc`.
CORPORA = {"wikinews": "corpora/wikinews/articles.jsonl",
           "whitehouse-briefings": "corpora/whitehouse-briefings/briefings.jsonl"}
SEEDS = "seeds"  # a gold line may name a seed file of ../shared/seeds and a span of it


def family(kind: str) -> str:
    return "indirect" if kind == "indirect" else "marked"


def overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if inter > 0 and union > 0 else 0.0


def same_speaker(predicted: str | None, gold: str | None) -> bool:
    if predicted is None or gold is None:
        return predicted is None and gold is None
    p, g = fold(predicted), fold(gold)
    return p == g or p.split()[-1] == g.split()[-1] or p in g or g in p


@dataclass
class Counts:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    speaker_right: int = 0
    speaker_judged: int = 0

    def as_dict(self) -> dict:
        p = self.matched / self.predicted if self.predicted else 0.0
        r = self.matched / self.gold if self.gold else 0.0
        return {
            "gold": self.gold, "predicted": self.predicted, "matched": self.matched,
            "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "speaker_accuracy": self.speaker_right / self.speaker_judged if self.speaker_judged else 0.0,
        }


@dataclass
class QuoteEvaluation:
    by_family: dict[str, Counts] = field(default_factory=lambda: {"marked": Counts(), "indirect": Counts()})
    direct_speaker: Counts = field(default_factory=Counts)  # direct quotes only (the bar)
    # gold direct quotes found as direct quotes (the marked family, without the fragments)
    direct: Counts = field(default_factory=Counts)
    speakers_not_in_text: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            **{name: c.as_dict() for name, c in self.by_family.items()},
            "direct": self.direct.as_dict(),
            "direct_speaker_accuracy": self.direct_speaker.as_dict()["speaker_accuracy"],
            "direct_judged": self.direct_speaker.speaker_judged,
            "speakers_not_in_text": len(self.speakers_not_in_text),
        }


def _corpus(shared: Path, name: str, where: str) -> dict[str, dict]:
    location = shared / CORPORA[name]
    if not location.exists():
        raise FileNotFoundError(f"{where}: {location} not found (pass --shared DIR)")
    return {r["id"]: r for r in map(json.loads, location.read_text(encoding="utf-8").splitlines()) if r}


def load_gold(path: Path, shared: Path = DEFAULT_SHARED, split: str | None = None) -> list[dict]:
    """Gold records with their text filled in from the named source where needed; with
    `split`, only the lines of that split (a gold set's `train` or frozen `test` part)."""
    cache: dict[str, dict] = {}
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        rec = json.loads(line)
        if split and rec.get("split") != split:
            continue
        if "text" not in rec and rec.get("source") in CORPORA:
            if rec["source"] not in cache:
                cache[rec["source"]] = _corpus(shared, rec["source"], f"{path}:{number}")
            found = cache[rec["source"]][rec["doc"]]
            rec["text"] = found["text"]
            rec.setdefault("published", found.get("published"))
        if "text" not in rec and rec.get("source") == SEEDS:
            location = shared / SEEDS / rec["doc"]
            if not location.exists():
                raise FileNotFoundError(f"{path}:{number}: {location} not found (pass --shared DIR)")
            rec["text"] = location.read_text(encoding="utf-8")
        if "text" not in rec:
            source = rec.get("source")
            if source not in SOURCES:
                raise ValueError(f"{path}:{number}: no `text` and unknown source {source!r}")
            file, key = SOURCES[source]
            if source not in cache:
                location = shared / file
                if not location.exists():
                    raise FileNotFoundError(f"{path}:{number}: {location} not found (pass --shared DIR)")
                cache[source] = json.loads(location.read_text(encoding="utf-8"))
            rec["text"] = cache[source][rec["doc"]][key]
        if "span" in rec and "events" not in rec:  # quotes: score the span alone
            start, end = rec["span"]
            rec["text"] = rec["text"][start:end]
        records.append(rec)
    return records


def parsed(records: list[dict], pipeline: str | tuple):
    """(record, Doc) for each gold text, parsed with its publication date; a text that several
    gold lines share (sentences of one article) is parsed once. `pipeline`: a spaCy model's
    name, or what `load_pipeline` takes (`redline.nlp.pipeline_key` of the settings)."""
    nlp = load_pipeline(*((pipeline,) if isinstance(pipeline, str) else pipeline))
    by_text: dict[tuple, list[dict]] = {}
    for r in records:
        by_text.setdefault((r["text"], r.get("published")), []).append(r)
    dated = ((text, dt.date.fromisoformat(published) if published else None) for text, published in by_text)
    # Docs are yielded and let go one by one, in small batches: spaCy's default batch (1,000 texts)
    # parses every article at once, and the gold's long briefings then take over 10 GB.
    for key, doc in zip(by_text, nlp.pipe(make_docs(nlp, dated), batch_size=8)):
        for r in by_text[key]:
            yield r, doc


def evaluate_quotes(records: list[dict], pipeline: str | tuple) -> QuoteEvaluation:
    result = QuoteEvaluation()
    for rec, doc in parsed(records, pipeline):
        gold = rec["quotes"]
        predicted = doc._.quotes
        folded_text = fold(rec["text"])
        for q in predicted:
            result.by_family[family(q.kind)].predicted += 1
            result.direct.predicted += q.kind == "direct"
            if q.speaker is not None:
                surname = re.escape(fold(q.speaker.name.split()[-1]))
                if not re.search(rf"\b{surname}\b", folded_text):
                    result.speakers_not_in_text.append(f"{rec['doc']}: {q.speaker.name}")
        used: set[int] = set()
        for g in gold:
            counts = result.by_family[family(g["kind"])]
            counts.gold += 1
            result.direct.gold += g["kind"] == "direct"
            best, best_score = None, 0.5
            for i, q in enumerate(predicted):
                score = overlap((q.start, q.end), (g["start"], g["end"]))
                if i not in used and family(q.kind) == family(g["kind"]) and score >= best_score:
                    best, best_score = i, score
            if best is None:
                result.errors.append({"doc": rec["doc"], "error": "missed", "gold": g, "text": rec["text"][g["start"]:g["end"]][:80]})
                continue
            used.add(best)
            counts.matched += 1
            q = predicted[best]
            name = q.speaker.name if q.speaker else None
            right = same_speaker(name, g.get("speaker"))
            counts.speaker_judged += 1
            counts.speaker_right += right
            if g["kind"] == "direct":
                result.direct_speaker.speaker_judged += 1
                result.direct_speaker.speaker_right += right
                if q.kind == "direct":
                    result.direct.matched += 1
                    result.direct.speaker_judged += 1
                    result.direct.speaker_right += right
            if not right:
                result.errors.append({"doc": rec["doc"], "error": "speaker", "gold": g.get("speaker"), "predicted": name,
                                      "text": q.text[:80]})
        for i, q in enumerate(predicted):
            if i not in used:
                result.errors.append({"doc": rec["doc"], "error": "spurious", "kind": q.kind, "text": q.text[:80],
                                      "speaker": q.speaker.name if q.speaker else None})
    return result


# -- events ------------------------------------------------------------------------------------

@dataclass
class EventEvaluation:
    per_type: dict[str, Counts] = field(default_factory=dict)
    sentences: int = 0
    dates_judged: int = 0
    dates_right: int = 0
    negation_judged: int = 0
    negation_right: int = 0
    false_facts: list[dict] = field(default_factory=list)  # negated/hypothetical gold coded as asserted
    errors: list[dict] = field(default_factory=list)
    gold_events: int = 0
    type_found: int = 0            # gold events with a coded event of their type in their sentence
    empty_sentences: int = 0       # gold sentences without any event ...
    empty_coded: int = 0           # ... of which the coder coded one
    coded: int = 0                 # coded events in the gold sentences ...
    coded_unmatched: int = 0       # ... that are no gold event of their type
    facts_coded: int = 0           # coded as asserted facts ...
    facts_right: int = 0           # ... that are a gold fact with that type and both actors

    def counts(self, event_type: str) -> Counts:
        return self.per_type.setdefault(event_type, Counts())

    def summary(self) -> dict:
        total = Counts()
        for c in self.per_type.values():
            total.gold += c.gold
            total.predicted += c.predicted
            total.matched += c.matched
        overall = total.as_dict()
        return {
            "sentences": self.sentences,
            "precision": overall["precision"], "recall": overall["recall"], "f1": overall["f1"],
            "date_accuracy": self.dates_right / self.dates_judged if self.dates_judged else 0.0,
            "dates_judged": self.dates_judged,
            "negation_accuracy": self.negation_right / self.negation_judged if self.negation_judged else 0.0,
            "false_facts": len(self.false_facts),
            "type_recall": self.type_found / self.gold_events if self.gold_events else 0.0,
            "no_event_sentences": self.empty_sentences,
            "no_event_coded": self.empty_coded / self.empty_sentences if self.empty_sentences else 0.0,
            "coded_not_gold": self.coded_unmatched / self.coded if self.coded else 0.0,
            "asserted_right": self.facts_right / self.facts_coded if self.facts_coded else 0.0,
            "asserted_coded": self.facts_coded,
            "per_type": {t: {k: v for k, v in c.as_dict().items() if k != "speaker_accuracy"}
                         for t, c in sorted(self.per_type.items())},
        }


def gold_countries(actors: list) -> set[str]:
    """The countries a gold side names: codes, or actor records (`country`), unknown ones left out."""
    codes = (a.get("country") if isinstance(a, dict) else a for a in actors or [])
    return {c for c in codes if c}


def is_fact(gold: dict) -> bool:
    """A gold event stated as having happened, as news: what dyads, timelines and alerts count."""
    return not gold.get("negated") and gold.get("modality", "asserted") == "asserted" and not gold.get("background")


def _event_matches(event, gold: dict, actors: bool = True) -> bool:
    """Same type (a PLOVER alias is accepted) and, with `actors`, the gold sources and targets
    among the event's."""
    if gold["event_type"] not in (event.event_type, event.plover_type):
        return False
    if not actors:
        return True
    src = {a.country for a in event.source}
    tgt = {a.country for a in event.target}
    return gold_countries(gold.get("source")) <= src and gold_countries(gold.get("target")) <= tgt


def evaluate_events(records: list[dict], pipeline: str | tuple) -> EventEvaluation:
    """Per gold event: found with its type and both actors? Its date and negation right?
    Predicted events that match nothing count against precision; a gold event that is
    negated or not asserted but was coded as an asserted fact is listed in `false_facts`."""
    result = EventEvaluation()
    for rec, doc in parsed(records, pipeline):
        result.sentences += 1
        predicted = list(doc._.events)
        if "span" in rec:
            # One sentence of an article: the coder reads the whole article (earlier names,
            # quotes and speakers are context), and only the events of that sentence count.
            start, end = rec["span"]
            predicted = [e for e in predicted if start <= e.trigger_start < end]
        used: set[int] = set()
        golds = rec.get("events", [])
        result.gold_events += len(golds)
        result.type_found += sum(any(_event_matches(e, g, actors=False) for e in predicted) for g in golds)
        result.empty_sentences += not golds
        result.empty_coded += bool(not golds and predicted)
        result.coded += len(predicted)
        result.coded_unmatched += sum(not any(_event_matches(e, g, actors=False) for g in golds) for e in predicted)
        for e in predicted:
            if not e.negated and e.modality == "asserted":
                result.facts_coded += 1
                result.facts_right += any(is_fact(g) and _event_matches(e, g) for g in golds)
        for gold in golds:
            counts = result.counts(gold["event_type"])
            counts.gold += 1
            match = next((i for i, e in enumerate(predicted) if i not in used and _event_matches(e, gold)), None)
            not_fact = not is_fact(gold)
            if match is None:
                result.errors.append({"doc": rec["doc"], "error": "missed", "gold": gold})
                continue
            used.add(match)
            counts.matched += 1
            e = predicted[match]
            if not_fact and not e.negated and e.modality == "asserted":
                result.false_facts.append({"doc": rec["doc"], "gold": gold, "trigger": e.trigger})
            result.negation_judged += 1
            result.negation_right += bool(e.negated) == bool(gold.get("negated"))
            if gold.get("date_precision") in ("day", "month", "year"):
                result.dates_judged += 1
                right = e.date is not None and e.date.isoformat() == gold["date"] and e.date_precision == gold["date_precision"]
                result.dates_right += right
                if not right:
                    result.errors.append({"doc": rec["doc"], "error": "date", "gold": gold["date"],
                                          "got": e.date.isoformat() if e.date else None})
        for i, e in enumerate(predicted):
            result.counts(e.event_type).predicted += 1
            if i in used:
                continue
            result.errors.append({"doc": rec["doc"], "error": "spurious", "event_type": e.event_type,
                                  "trigger": e.trigger, "source": sorted(a.country or "?" for a in e.source)})
    # Predictions were counted under their own type; matched ones under the gold type.
    return result


# -- stories ----------------------------------------------------------------------------------
def bcubed(predicted: dict[str, str], gold: dict[str, str]) -> dict[str, float]:
    """BCubed precision, recall and F1 of a clustering, over the items both sides have.

    Per item: precision is the share of its predicted cluster that shares its gold cluster,
    recall the share of its gold cluster that shares its predicted cluster; both averaged.
    """
    items = [i for i in gold if i in predicted]
    by_pred: dict[str, set[str]] = {}
    by_gold: dict[str, set[str]] = {}
    for i in items:
        by_pred.setdefault(predicted[i], set()).add(i)
        by_gold.setdefault(gold[i], set()).add(i)
    if not items:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0, "items": 0}
    p = sum(len(by_pred[predicted[i]] & by_gold[gold[i]]) / len(by_pred[predicted[i]]) for i in items) / len(items)
    r = sum(len(by_pred[predicted[i]] & by_gold[gold[i]]) / len(by_gold[gold[i]]) for i in items) / len(items)
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
            "items": len(items)}


def story_labels(section: dict, items: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Gold happening and running-story of each item, from one section of a labels file.

    The section names `happenings` (name: [item prefixes]) and `stories` (name: [happening
    names or item prefixes]); an item named nowhere is a happening and a story of its own.
    """
    def resolve(prefix: str) -> str:
        found = [i for i in items if i.startswith(str(prefix))]
        if len(found) != 1:
            raise ValueError(f"label {prefix!r} matches {len(found)} items")
        return found[0]

    happening = {i: i for i in items}
    for name, prefixes in (section.get("happenings") or {}).items():
        for p in prefixes:
            happening[resolve(p)] = name
    story = dict(happening)
    for name, parts in (section.get("stories") or {}).items():
        for part in parts:
            members = [i for i, h in happening.items() if h == part] or [resolve(part)]
            for i in members:
                story[i] = name
    return happening, story
