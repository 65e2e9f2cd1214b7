"""The trained event typer at run time: a PLOVER type or "no event" for every verb and noun.

The model (MiniLM-L6 fine-tuned by `train/event_typer.py`, int8 ONNX) runs with onnxruntime
and tokenizers alone: no torch, nothing downloaded. One encoder pass per sentence gives every
word a probability for each label; the coder reads the rows of the words it asks about.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Sequence

import numpy as np
from spacy.language import Language

MAX_PIECES = 128  # as in training: longer sentences keep their first 128 word pieces
SHIPPED = "event_typer"


class EventTyper:
    def __init__(self, model_dir: Path, threads: int = 1):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.labels: list[str] = json.loads((model_dir / "labels.json").read_text())
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        options = ort.SessionOptions()
        # One thread: ingest runs one process per core already.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model_dir / "model.onnx"), options, providers=["CPUExecutionProvider"])

    def word_probabilities(self, sentences: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """For each sentence (a list of words), an array [words, labels] of probabilities; the
        rows of words past the 128th word piece are NaN."""
        if not sentences:
            return []
        encodings = self.tokenizer.encode_batch([list(words) for words in sentences], is_pretokenized=True)
        n = min(MAX_PIECES, max(len(e.ids) for e in encodings))
        ids = np.zeros((len(encodings), n), dtype=np.int64)
        mask = np.zeros((len(encodings), n), dtype=np.int64)
        for i, e in enumerate(encodings):
            pieces = e.ids[:n - 1] + [e.ids[-1]] if len(e.ids) > n else e.ids  # keep [SEP] last
            ids[i, :len(pieces)] = pieces
            mask[i, :len(pieces)] = 1
        logits = self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
        probs = np.exp(logits - logits.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        out = []
        for i, (e, words) in enumerate(zip(encodings, sentences)):
            rows = np.full((len(words), len(self.labels)), np.nan)
            seen = set()
            for piece, word in enumerate(e.word_ids):
                if word is None or word in seen or piece >= n - 1:
                    continue
                seen.add(word)
                rows[word] = probs[i, piece]
            out.append(rows)
        return out


def shipped_model_dir() -> Path:
    return Path(str(resources.files("redline.models").joinpath(SHIPPED)))


@lru_cache(maxsize=2)
def load_typer(model_dir: str | None = None) -> EventTyper:
    """The typer of `model_dir`, else the one shipped in the package (loaded once per process)."""
    return EventTyper(Path(model_dir) if model_dir else shipped_model_dir())


# -- the component: the rules' events checked by the typer ------------------------------------

def sentence_words(doc, start: int, end: int) -> list:
    """The tokens of the sentence at [start, end) that the typer reads as words (no white space)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return [t for t in span if not t.is_space] if span is not None else []


class TypedEvents:
    """Each event the rules coded gets the typer's probability that its trigger is an event of
    its type (`confidence`); an event whose trigger the typer reads as no event, with
    probability `drop_no_event` or more, is dropped (sport, markets, passing mentions the rules
    took for acts). Only sentences that hold a coded event are typed."""

    def __init__(self, typer: EventTyper, drop_no_event: float):
        self.typer = typer
        self.drop_no_event = drop_no_event
        self.none = typer.labels.index("NONE")

    def __call__(self, doc):
        events = doc._.events or []
        if not events:
            return doc
        sentences = {}
        for e in events:
            sentences.setdefault((e.start, e.end), None)
        words = {key: sentence_words(doc, *key) for key in sentences}
        keys = [k for k in words if words[k]]
        probs = dict(zip(keys, self.typer.word_probabilities([[t.text for t in words[k]] for k in keys])))
        kept = []
        for e in events:
            key = (e.start, e.end)
            row = next((i for i, t in enumerate(words.get(key, [])) if t.idx <= e.trigger_start < t.idx + len(t.text)), None)
            if key not in probs or row is None or np.isnan(probs[key][row][0]):
                kept.append(e)  # past the typer's 128 word pieces: the rules' reading stands
                continue
            p = probs[key][row]
            if p[self.none] >= self.drop_no_event:
                continue
            types = {e.event_type, e.plover_type}
            e.confidence = round(float(max(p[self.typer.labels.index(t)] for t in types if t in self.typer.labels)), 3)
            kept.append(e)
        doc._.events = kept
        return doc


@Language.factory("redline_event_typer", default_config={"model_dir": None, "drop_no_event": 0.9})
def make_typed_events(nlp: Language, name: str, model_dir: str | None, drop_no_event: float) -> TypedEvents:
    return TypedEvents(load_typer(model_dir), drop_no_event)
