"""One parsed Doc read once: its sentences and entities indexed, for every Redline component.

spaCy's own accessors rescan the Doc on each call (see `DocIndex`); the actors, quotes and
events components ask them once per mention or trigger, so they read the Doc through these
helpers instead. This module imports nothing of Redline's: the components import it, and
`redline.nlp` (which builds the pipeline from the components) sits above them all.
"""

from __future__ import annotations

from typing import Callable, Iterator

from spacy.tokens import Doc, Span, Token


class DocIndex:
    """Sentences and entities of one parsed Doc, indexed once.

    `Token.sent` walks the document from its start on every call, and `Doc.ents` and
    `Span.ents` build every entity of the document on every access: asked once per trigger
    or mention, either makes a long article quadratic. Built on first use, after the parser
    and NER have run (Redline's components never change sentences or entities)."""

    def __init__(self, doc: Doc):
        # What a component works out once per sentence for all its triggers, by key (a long
        # sentence has many triggers); dropped with the index.
        self.memo: dict = {}
        self.sents = list(doc.sents)
        self.sent_of = [0] * len(doc)
        for n, sent in enumerate(self.sents):
            self.sent_of[sent.start:sent.end] = [n] * (sent.end - sent.start)
        self.ents = list(doc.ents)
        self.ent_of = [-1] * len(doc)
        self.sent_ents: list[list[Span]] = [[] for _ in self.sents]
        for n, ent in enumerate(self.ents):
            self.ent_of[ent.start:ent.end] = [n] * (ent.end - ent.start)
            self.sent_ents[self.sent_of[ent.start]].append(ent)


INDEX_KEY = "redline_index"


def doc_index(doc: Doc) -> DocIndex:
    """The Doc's index; each Redline component drops it when done (`drop_index`), so that it
    never outlives the component's call (a user's later component may change the Doc)."""
    index = doc.user_data.get(INDEX_KEY)
    if index is None:
        index = doc.user_data[INDEX_KEY] = DocIndex(doc)
    return index


def drop_index(doc: Doc) -> None:
    doc.user_data.pop(INDEX_KEY, None)


def sentence_of(token: Token) -> Span:
    """The sentence of a token (from the Doc's index, not `Token.sent`)."""
    index = doc_index(token.doc)
    return index.sents[index.sent_of[token.i]]


def sentence_ents(sent: Span) -> list[Span]:
    """The entities that start in a sentence (`Span.ents` scans the whole Doc for them)."""
    index = doc_index(sent.doc)
    return index.sent_ents[index.sent_of[sent.start]] if len(sent) else []


def once_per_sentence(sent: Span, what, work: Callable[[], object]):
    """What `work` finds in a sentence, worked out once for all the triggers or mentions in it."""
    memo = doc_index(sent.doc).memo
    key = (what, sent.start)
    if key not in memo:
        memo[key] = work()
    return memo[key]


def in_subtree(token: Token, other: Token) -> bool:
    """Is `other` in `token`'s subtree (`token` itself included)? In constant time, from the
    order in which a walk of the sentence's tree enters and leaves each token (made once per
    sentence): walking the subtree, or `other`'s ancestors, for every pair made long sentences
    quadratic."""
    sent = sentence_of(token)
    enter, leave = once_per_sentence(sent, "tree walk", lambda: _tree_walk(sent))
    return other.i in enter and enter[token.i] <= enter[other.i] < leave[token.i]


def _tree_walk(sent: Span) -> tuple[dict[int, int], dict[int, int]]:
    enter: dict[int, int] = {}
    leave: dict[int, int] = {}
    clock = 0
    for root in (t for t in sent if t.head.i == t.i or not sent.start <= t.head.i < sent.end):
        stack = [(root, False)]
        while stack:  # (no recursion: a sentence's tree can be thousands of words deep)
            node, done = stack.pop()
            if done:
                leave[node.i] = clock
                continue
            if node.i in enter:  # (a token reached twice: only a broken parse has one)
                continue
            enter[node.i] = clock
            clock += 1
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(list(node.children)) if sent.start <= c.i < sent.end)
    return enter, leave


def entity_at(token: Token) -> Span | None:
    """The entity a token is part of, if any."""
    index = doc_index(token.doc)
    n = index.ent_of[token.i]
    return index.ents[n] if n >= 0 else None


def climb(token: Token) -> Iterator[tuple[Token, Token]]:
    """(child, head) from a token up to its root, one step at a time: at most as many steps as
    the Doc has tokens, whatever the parse (a loop in a hand-made or broken parse ends too)."""
    child = token
    for _ in range(len(token.doc)):
        head = child.head
        if head.i == child.i:
            return
        yield child, head
        child = head


def first_conjunct(token: Token) -> Token:
    """The first word of the coordination a word is in: "Chinese" in "US and Chinese officials"
    gives "US"."""
    first = token
    for child, head in climb(token):
        if child.dep_ != "conj":
            break
        first = head
    return first
