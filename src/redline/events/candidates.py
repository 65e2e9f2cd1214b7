"""Candidates from every predicate: each verb and noun of a sentence, typed by the trained
typer (a PLOVER type or "no event", with a probability).

No trigger list decides whether a word *can* be an event: the typer does. Where the rules of
data/events.yaml know the word with the type the typer gives, their argument behaviour
(particle, swapped roles, target prepositions, "their release") is kept; any other word gets
the general frame of its part of speech: subject (or "by X") as source, objects, passive
subject, dative and the obliques below as target.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from spacy.tokens import Doc, Token

from redline.events.rules import EventRules, Rule
from redline.events.typer import EventTyper
from redline.lang import words as _language_words

WORDS = _language_words("events")

# Words the typer reads, as in its training (train/event_typer.py: CANDIDATE_POS).
CANDIDATE_POS = {"VERB", "NOUN"}
# The prepositions whose object is a predicate's target when no rule of the word names them:
# "sent weapons to X", "sanctions against X", "pressure on X", "talks with X", "fired at X".
VERB_TARGET_PREPS = WORDS.list("verb_target_preps")
NOUN_TARGET_PREPS = WORDS.list("noun_target_preps")
# Sentences typed in one encoder pass: pieces are padded to the longest of the batch.
BATCH = 32


class Candidate(NamedTuple):
    rule: Rule
    probability: float | None  # the typer's, or None for a trigger of the rules


def general_rule(event_type: str, tok: Token) -> Rule:
    """The argument frame of a predicate no rule of the type knows."""
    nominal = tok.pos_ == "NOUN"
    return Rule(event_type=event_type, lemma=tok.lemma_.lower(), nominal=nominal,
                target_preps=NOUN_TARGET_PREPS if nominal else VERB_TARGET_PREPS)


def governs_a_predicate(tok: Token) -> bool:
    """"refused to condemn", "stopped short of imposing": a verb whose clause or gerund is another act."""
    return any(c.dep_ == "xcomp" and c.pos_ == "VERB" for c in tok.children) or any(
        p.dep_ == "prep" and any(o.dep_ == "pcomp" and o.pos_ == "VERB" for o in p.children)
        for c in (tok, *[c for c in tok.children if c.dep_ in ("advmod", "acomp", "prt")]) for p in c.children)


def sentence_probabilities(doc: Doc, typer: EventTyper) -> dict[int, np.ndarray]:
    """Per token index, the typer's probabilities of each label (read once per sentence, in
    batches of sentences of like length; words past the model's window are left out)."""
    sentences = [[t for t in sent if not t.is_space] for sent in doc.sents]
    sentences = [s for s in sentences if any(t.pos_ in CANDIDATE_POS for t in s)]
    sentences.sort(key=len)
    out: dict[int, np.ndarray] = {}
    for i in range(0, len(sentences), BATCH):
        chunk = sentences[i:i + BATCH]
        for words, rows in zip(chunk, typer.word_probabilities([[t.text for t in s] for s in chunk])):
            for tok, row in zip(words, rows):
                if tok.pos_ in CANDIDATE_POS and not np.isnan(row[0]):
                    out[tok.i] = row
    return out


def typed_candidates(doc: Doc, typer: EventTyper, rules: EventRules, min_probability: float) -> dict[int, list[Candidate]]:
    """Per token index, the candidate the typer reads as an event: its type with probability
    `min_probability` or more. The rules of the word for that type come first (they know
    its particles and roles); the general frame stands behind them."""
    none = typer.labels.index("NONE")
    found: dict[int, list[Candidate]] = {}
    for i, row in sentence_probabilities(doc, typer).items():
        label = int(np.argmax(np.where(np.arange(len(row)) == none, -1.0, row)))
        probability = float(row[label])
        if probability < min_probability or label == none:
            continue
        tok = doc[i]
        if tok.lemma_.lower() in rules.negators and governs_a_predicate(tok):
            continue  # "stopped short of imposing", "refused to condemn": the status of the act it governs
        event_type = typer.labels[label]
        if event_type not in rules.types:
            continue
        table = rules.nouns if tok.pos_ == "NOUN" else rules.verbs
        known = [r for r in table.get(tok.lemma_.lower(), []) if r.event_type == event_type]
        found[i] = [Candidate(r, probability) for r in known] + [Candidate(general_rule(event_type, tok), probability)]
    return found
